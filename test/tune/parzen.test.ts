import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { SearchSpace } from '../../src/tune/types.js';
import { ParzenEstimator, defaultWeights } from '../../src/tune/samplers/parzen.js';
import { erf, erfc, logGaussMass, ndtr, ppf } from '../../src/tune/samplers/truncnorm.js';
import { Generator } from '../../src/tensor/random.js';
import { assertClose, fixture } from '../helpers/assert.js';

interface ParzenCase {
  name: string;
  space: SearchSpace;
  observations: Record<string, number[]>;
  points: Record<string, number[]>;
  multivariate: boolean;
  options: { consider_prior: boolean; prior_weight: number; consider_magic_clip: boolean; consider_endpoints: boolean };
  weights: number[];
  kernels: Record<string, { mus?: number[]; sigmas?: number[]; weights?: number[][] }>;
  logPdf: number[];
}

const { parzen } = fixture<{ parzen: ParzenCase[] }>('tpe.json');

function build(c: ParzenCase): ParzenEstimator {
  const obs: Record<string, Float64Array> = {};
  for (const k of Object.keys(c.space)) obs[k] = Float64Array.from(c.observations[k]);
  return new ParzenEstimator(obs, c.space, {
    considerPrior: c.options.consider_prior,
    priorWeight: c.options.prior_weight,
    considerMagicClip: c.options.consider_magic_clip,
    considerEndpoints: c.options.consider_endpoints,
    weights: defaultWeights,
    multivariate: c.multivariate,
  });
}

const parity = suite("TPE's Parzen estimator equals Optuna 3.1's _ParzenEstimator");

for (const c of parzen) {
  parity(`${c.name}: component weights, mus, sigmas and log densities equal Optuna's`, () => {
    const pe = build(c);
    assertClose(pe.componentWeights, c.weights, { atol: 1e-15, rtol: 1e-12 }, 'component weights');
    for (const [name, k] of Object.entries(c.kernels)) {
      const mine = pe.kernels[name];
      if (k.weights) {
        assert.is(mine.kind, 'categorical');
        if (mine.kind === 'categorical') k.weights.forEach((row, j) => assertClose(mine.weights[j], row, { atol: 1e-15, rtol: 1e-12 }, `${name} weights row ${j}`));
      } else if (mine.kind === 'numerical') {
        assertClose(mine.mus, k.mus!, { atol: 1e-15, rtol: 1e-12 }, `${name} mus`);
        assertClose(mine.sigmas, k.sigmas!, { atol: 1e-15, rtol: 1e-12 }, `${name} sigmas`);
      } else assert.unreachable(`${name}: expected a numerical kernel`);
    }
    const points: Record<string, Float64Array> = {};
    for (const k of Object.keys(c.space)) points[k] = Float64Array.from(c.points[k]);
    // erf by FreeBSD's rational approximations in both; the tail paths differ in the last digits (Optuna drops
    // s_erf.c's low-word split, and its log_ndtr uses math.erfc), hence 1e-9 rather than 1e-12
    assertClose(pe.logPdf(points), c.logPdf, { atol: 1e-9, rtol: 1e-9 }, 'log pdf');
  });
}

parity('samples land on each parameter grid and inside its range', () => {
  const c = parzen.find((p) => p.name.startsWith('multivariate'))!;
  const pe = build(c);
  const s = pe.sample(new Generator(3), 200);
  for (let i = 0; i < 200; i++) {
    assert.ok(s.x[i] >= -2 && s.x[i] <= 3, `x ${s.x[i]}`);
    assert.ok(s.lr[i] >= 1e-4 && s.lr[i] <= 1, `lr ${s.lr[i]}`);
    assert.ok(Number.isInteger(s.n[i]) && s.n[i] >= 1 && s.n[i] <= 9, `n ${s.n[i]}`);
    assert.ok([0, 1, 2].includes(s.c[i]), `c ${s.c[i]}`);
  }
});

parity('draws follow the mixture: the empirical CDF of 200,000 samples is within 0.005 of the exact one', () => {
  const c = parzen.find((p) => p.name === 'a float, 5 observations')!;
  const pe = build(c);
  const k = pe.kernels.x;
  if (k.kind !== 'numerical') return assert.unreachable('expected a numerical kernel');
  const n = 200000;
  const xs = pe.sample(new Generator(11), n).x;
  // F(x) = sum_j w_j (Phi((x - mu_j) / sigma_j) - Phi(a_j)) / (Phi(b_j) - Phi(a_j)), truncated to [-2, 3]
  const exact = (x: number) => Array.from(k.mus).reduce((p, mu, j) => {
    const s = k.sigmas[j];
    const [a, b] = [(-2 - mu) / s, (3 - mu) / s];
    return p + (pe.componentWeights[j] * (ndtr((x - mu) / s) - ndtr(a))) / (ndtr(b) - ndtr(a));
  }, 0);
  for (const x of [-1.5, -0.5, 0.3, 1, 2, 2.8]) {
    let below = 0;
    for (let i = 0; i < n; i++) if (xs[i] <= x) below++;
    assert.ok(Math.abs(below / n - exact(x)) < 0.005, `F(${x}): empirical ${below / n}, exact ${exact(x)}`);
  }
});

parity.run();

const normal = suite('the normal distribution functions under the truncated normal');

normal('erf and erfc equal tabulated values to 1e-15 relative', () => {
  // scipy.special.erf / erfc
  assertClose([erf(0.1), erf(0.5), erf(1), erf(2), erf(-3)], [0.1124629160182849, 0.5204998778130465, 0.8427007929497149, 0.9953222650189527, -0.9999779095030014], { atol: 0, rtol: 1e-15 }, 'erf');
  assertClose([erfc(0.5), erfc(3), erfc(10), erfc(-1)], [0.4795001221869535, 2.209049699858544e-5, 2.088487583762545e-45, 1.842700792949715], { atol: 0, rtol: 1e-13 }, 'erfc');
});

normal('ndtr is the standard normal CDF and the truncated quantile inverts it', () => {
  assertClose([ndtr(0), ndtr(1.959963984540054), ndtr(-8)], [0.5, 0.975, 6.220960574271785e-16], { atol: 0, rtol: 1e-12 });
  // the q-quantile of N(0,1) truncated to [a, b] solves (Phi(x) - Phi(a)) / (Phi(b) - Phi(a)) = q
  for (const [q, a, b] of [[0.3, -1, 2], [0.9, 0.5, 4], [0.5, -30, -25]]) {
    const x = ppf(q, a, b);
    const mass = Math.exp(logGaussMass(a, b));
    assertClose(Math.exp(logGaussMass(a, x)) / mass, q, { atol: 1e-9, rtol: 1e-9 }, `ppf(${q}, ${a}, ${b})`);
  }
});

normal.run();
