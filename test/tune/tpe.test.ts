import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { TPESampler, defaultGamma, defaultWeights, splitObservations } from '../../src/tune/samplers/tpe.js';
import { RandomSampler } from '../../src/tune/samplers/random.js';
import { createStudy, type Trial } from '../../src/index.js';
import { runStudy } from '../helpers/tuneRun.js';
import { problems } from '../helpers/tuneProblems.js';

const median = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  return (s[4] + s[5]) / 2;
};
const OPTIMUM = { branin: 0.397887, hartmann6: -3.32237, mixed: 0 };

const beats = suite('TPE beats random search over 10 seeds');

for (const name of ['branin', 'hartmann6', 'mixed'] as const) {
  beats(`${name}: a lower median best after 100 trials, and a lower mean log regret after 50 and 100`, async () => {
    const tpe: number[][] = [];
    const random: number[][] = [];
    for (let seed = 0; seed < 10; seed++) {
      tpe.push((await runStudy(new TPESampler({ seed }), problems[name], 100)).curve);
      random.push((await runStudy(new RandomSampler({ seed }), problems[name], 100)).curve);
    }
    const at = (curves: number[][], n: number) => curves.map((c) => c[n - 1]);
    assert.ok(median(at(tpe, 100)) < median(at(random, 100)), `median best: TPE ${median(at(tpe, 100))}, random ${median(at(random, 100))}`);
    for (const n of [50, 100]) {
      const logRegret = (curves: number[][]) => at(curves, n).reduce((s, v) => s + Math.log10(v - OPTIMUM[name]), 0) / 10;
      assert.ok(logRegret(tpe) < logRegret(random), `after ${n}: mean log10 regret TPE ${logRegret(tpe)}, random ${logRegret(random)}`);
    }
  });
}

beats.run();

const behaviour = suite("TPESampler follows Optuna's rules");

const quadratic = (t: Trial) => (t.suggestFloat('x', -5, 5) - 1) ** 2 + (t.suggestInt('n', 0, 8) - 3) ** 2;

behaviour('the same seed gives the same parameters, trial for trial; another seed gives others', async () => {
  const params = async (seed: number, o = {}) => (await runStudy(new TPESampler({ seed, ...o }), quadratic, 25)).study.trials.map((t) => t.params);
  assert.equal(await params(4), await params(4));
  assert.equal(await params(4, { multivariate: true }), await params(4, { multivariate: true }));
  assert.not.equal(await params(4), await params(5));
});

behaviour('the first nStartupTrials trials are random search with the same seed', async () => {
  const tpe = (await runStudy(new TPESampler({ seed: 9, nStartupTrials: 10 }), quadratic, 12)).study;
  const rnd = (await runStudy(new RandomSampler({ seed: 9 }), quadratic, 12)).study;
  assert.equal(tpe.trials.slice(0, 10).map((t) => t.params), rnd.trials.slice(0, 10).map((t) => t.params));
  assert.not.equal(tpe.trials[10].params, rnd.trials[10].params);
});

behaviour('every estimator option changes the proposals after the startup trials, and none before', async () => {
  const xs = async (o: object) => (await runStudy(new TPESampler({ seed: 6, ...o }), quadratic, 16)).study.trials.map((t) => t.params);
  const base = await xs({});
  for (const o of [{ considerPrior: false }, { priorWeight: 5 }, { considerMagicClip: false }, { considerEndpoints: true }, { nEiCandidates: 1 }, { gamma: (n: number) => Math.ceil(0.5 * n) }]) {
    const other = await xs(o);
    assert.equal(other.slice(0, 10), base.slice(0, 10), `${Object.keys(o)[0]}: the random startup trials are the same`);
    assert.not.equal(other.slice(10), base.slice(10), `${Object.keys(o)[0]} changes what TPE proposes`);
  }
});

behaviour('maximizing -f picks exactly the parameters minimizing f picks', async () => {
  const min = (await runStudy(new TPESampler({ seed: 2 }), problems.branin, 30, 'minimize')).study;
  const max = (await runStudy(new TPESampler({ seed: 2 }), (t) => -problems.branin(t), 30, 'maximize')).study;
  assert.equal(max.trials.map((t) => t.params), min.trials.map((t) => t.params));
});

behaviour('the split ranks complete trials by value, then pruned ones by last step and value, then running ones', () => {
  // scores: [-step, signed value]; complete = [-inf, v], pruned at step s = [-s, v], pruned without reports = [1, 0],
  // running (constant liar) = [inf, inf]
  const scores: [number, number][] = [[-Infinity, 5], [-3, 0.1], [Infinity, Infinity], [-Infinity, 2], [-7, 9], [1, 0], [-3, 0.05], [-Infinity, 2]];
  // order: complete 2 (#3), complete 2 (#7, later), complete 5 (#0), pruned at 7 (#4), pruned at 3 by value (#6, #1), unreported (#5), running (#2)
  assert.equal(splitObservations(scores, 4), [[0, 3, 4, 7], [1, 2, 5, 6]]);
  assert.equal(splitObservations(scores, 1), [[3], [0, 1, 2, 4, 5, 6, 7]]);
});

behaviour("defaultGamma and defaultWeights are Optuna's", () => {
  assert.equal([1, 9, 10, 11, 100, 250, 1000].map(defaultGamma), [1, 1, 1, 2, 10, 25, 25]);
  assert.equal(defaultWeights(3), [1, 1, 1]);
  const w = defaultWeights(30); // numpy.linspace(1/30, 1, 5) then 25 ones
  assert.equal(w.length, 30);
  assert.ok(Math.abs(w[0] - 1 / 30) < 1e-15 && Math.abs(w[2] - (1 / 30 + 1) / 2) < 1e-15 && w[4] === 1 && w[29] === 1);
});

behaviour('pruned trials inform the model: after 10 pruned trials TPE leaves random sampling', async () => {
  const s = await createStudy({ sampler: new TPESampler({ seed: 1 }) });
  const r = await createStudy({ sampler: new RandomSampler({ seed: 1 }) });
  const xs: number[][] = [[], []];
  for (const [k, study] of [s, r].entries()) {
    for (let i = 0; i < 11; i++) {
      const t = await study.ask();
      const x = t.suggestFloat('x', 0, 1);
      xs[k].push(x);
      t.report(x, 3);
      if (i < 10) await study.tell(t, undefined, 'pruned');
    }
  }
  assert.equal(xs[0].slice(0, 10), xs[1].slice(0, 10));
  assert.is.not(xs[0][10], xs[1][10]);
});

behaviour('with constantLiar, trials running at once spread out instead of piling on the best region', async () => {
  const spread = async (constantLiar: boolean) => {
    const { study } = await runStudy(new TPESampler({ seed: 3, constantLiar }), (t) => (t.suggestFloat('x', 0, 10) - 5) ** 2, 20);
    const xs: number[] = [];
    for (let i = 0; i < 8; i++) xs.push((await study.ask()).suggestFloat('x', 0, 10)); // 8 workers, none done yet
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    return Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
  };
  const lying = await spread(true);
  const plain = await spread(false);
  assert.ok(lying > plain, `spread with constantLiar ${lying}, without ${plain}`);
});

behaviour('multivariate models the shared parameters jointly; group also the conditional ones', async () => {
  const conditional = (t: Trial) => (t.suggestCategorical('kind', ['a', 'b']) === 'a' ? t.suggestFloat('x', 0, 1) : t.suggestInt('y', 0, 10) / 10);
  const run = async (o: object) => {
    const sampler = new TPESampler({ seed: 0, multivariate: true, ...o });
    const { study } = await runStudy(sampler, conditional, 30);
    return Object.keys(sampler.inferRelativeSearchSpace(study, study.trials[0]));
  };
  assert.equal(await run({}), ['kind']);
  assert.equal((await run({ group: true })).sort(), ['kind', 'x', 'y']);
});

behaviour.run();

const errors = suite('TPESampler rejects bad options');

errors('unknown names, wrong types, NaN and out-of-range numbers are named', () => {
  assert.throws(() => new TPESampler({ nStartup: 5 } as never), (e: Error) => e instanceof TypeError && /TPESampler: expected options among .*nStartupTrials.*, got unknown option 'nStartup'/.test(e.message));
  assert.throws(() => new TPESampler({ multivariate: 'yes' } as never), (e: Error) => e instanceof TypeError && /expected multivariate to be a boolean, got "yes"/.test(e.message));
  assert.throws(() => new TPESampler({ nEiCandidates: NaN }), (e: Error) => e instanceof RangeError && /expected nEiCandidates to be a positive integer, got NaN/.test(e.message));
  assert.throws(() => new TPESampler({ nEiCandidates: 0 }), /positive integer, got 0/);
  assert.throws(() => new TPESampler({ nStartupTrials: -1 }), /non-negative integer, got -1/);
  assert.throws(() => new TPESampler({ priorWeight: Infinity }), /expected priorWeight to be a finite number >= 0, got Infinity/);
  assert.throws(() => new TPESampler({ gamma: 0.25 } as never), /expected gamma to be a function, got 0.25/);
  assert.throws(() => new TPESampler({ group: true }), /expected multivariate: true with group: true/);
});

errors('a weights function returning negative numbers fails the first TPE decision with its output; earlier trials stay', async () => {
  const study = await createStudy({ sampler: new TPESampler({ seed: 0, nStartupTrials: 2, weights: (n) => new Array(n).fill(-1) }) });
  try {
    await study.optimize(quadratic, { nTrials: 5 });
    assert.unreachable('optimize should have thrown');
  } catch (e) {
    assert.match((e as Error).message, /TPESampler: expected weights\(1\) to return 1 finite non-negative numbers with a positive sum, got \[-1\]/);
  }
  assert.is(study.trials.filter((t) => t.state === 'complete').length, 2);
});

errors.run();
