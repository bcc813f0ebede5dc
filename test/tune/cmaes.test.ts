import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CmaEsSampler, RandomSampler, type Trial } from '../../src/index.js';
import { jacobiEigen } from '../../src/tune/samplers/cmaes.js';
import type { Distribution, FrozenTrial, Sampler, StudyView } from '../../src/tune/types.js';
import { runStudy } from '../helpers/tuneRun.js';
import { problems } from '../helpers/tuneProblems.js';

const median = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  return (s[4] + s[5]) / 2;
};
// an ellipsoid rotated by 45 degrees with condition number 100: CMA-ES must learn the correlation
const ellipsoid = (t: Trial) => {
  const x = t.suggestFloat('x', -5, 5);
  const y = t.suggestFloat('y', -5, 5);
  const u = (x + y) / Math.SQRT2 - 1;
  const v = (x - y) / Math.SQRT2;
  return u * u + 100 * v * v;
};

const test = suite('CmaEsSampler adapts its search distribution');

test('on a rotated ellipsoid the median best after 200 trials over 10 seeds is 1000x below random search', async () => {
  const cma: number[] = [];
  const rnd: number[] = [];
  for (let seed = 0; seed < 10; seed++) {
    cma.push((await runStudy(new CmaEsSampler({ seed }), ellipsoid, 200)).curve[199]);
    rnd.push((await runStudy(new RandomSampler({ seed }), ellipsoid, 200)).curve[199]);
  }
  assert.ok(median(cma) < median(rnd) / 1000, `CMA-ES ${median(cma)}, random ${median(rnd)}`);
});

test('on Hartmann-6 it beats random search after 100 trials (median over 10 seeds)', async () => {
  const cma: number[] = [];
  const rnd: number[] = [];
  for (let seed = 0; seed < 10; seed++) {
    cma.push((await runStudy(new CmaEsSampler({ seed }), problems.hartmann6, 100)).curve[99]);
    rnd.push((await runStudy(new RandomSampler({ seed }), problems.hartmann6, 100)).curve[99]);
  }
  assert.ok(median(cma) < median(rnd), `CMA-ES ${median(cma)}, random ${median(rnd)}`);
});

test('the same seed gives the same trials; maximizing -f gives the parameters minimizing f gives', async () => {
  const params = async (seed: number, direction: 'minimize' | 'maximize' = 'minimize') =>
    (await runStudy(new CmaEsSampler({ seed }), direction === 'minimize' ? ellipsoid : (t) => -ellipsoid(t), 30, direction)).study.trials.map((t) => t.params);
  assert.equal(await params(3), await params(3));
  assert.not.equal(await params(3), await params(4));
  assert.equal(await params(3, 'maximize'), await params(3));
});

test('categorical parameters, and all parameters of the startup trials, go to the independent sampler', async () => {
  const asked: string[] = [];
  const inner = new RandomSampler({ seed: 0 });
  const spy: Sampler = {
    inferRelativeSearchSpace: () => ({}),
    sampleRelative: () => ({}),
    sampleIndependent: (s: StudyView, t: FrozenTrial, name: string, d: Distribution) => {
      asked.push(`${t.number}:${name}`);
      return inner.sampleIndependent(s, t, name, d);
    },
  };
  await runStudy(new CmaEsSampler({ seed: 0, independentSampler: spy, nStartupTrials: 2 }), (t) => ellipsoid(t) + (t.suggestCategorical('c', ['a', 'b']) === 'a' ? 0 : 1), 6);
  assert.equal(asked, ['0:x', '0:y', '0:c', '1:x', '1:y', '1:c', '2:c', '3:c', '4:c', '5:c']);
});

test('jacobiEigen: A = V diag(values) V^T with V orthonormal', () => {
  const a = [Float64Array.from([4, 1, 0.5]), Float64Array.from([1, 3, -0.2]), Float64Array.from([0.5, -0.2, 1])];
  const { values, vectors: v } = jacobiEigen(a);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      let rebuilt = 0;
      let gram = 0;
      for (let k = 0; k < 3; k++) {
        rebuilt += v[i][k] * values[k] * v[j][k];
        gram += v[k][i] * v[k][j];
      }
      assert.ok(Math.abs(rebuilt - a[i][j]) < 1e-12, `A[${i}][${j}]: ${rebuilt} vs ${a[i][j]}`);
      assert.ok(Math.abs(gram - (i === j ? 1 : 0)) < 1e-12, `V^T V [${i}][${j}] = ${gram}`);
    }
  }
});

test.run();

const errors = suite('CmaEsSampler rejects bad options');

errors('unknown names, wrong types, NaN, zero and a population of one are named', () => {
  assert.throws(() => new CmaEsSampler({ sigma: 1 } as never), (e: Error) => e instanceof TypeError && /CmaEsSampler: expected options among .*sigma0.*, got unknown option 'sigma'/.test(e.message));
  assert.throws(() => new CmaEsSampler({ sigma0: NaN }), (e: Error) => e instanceof RangeError && /expected sigma0 to be a finite number > 0, got NaN/.test(e.message));
  assert.throws(() => new CmaEsSampler({ sigma0: 0 }), /got 0/);
  assert.throws(() => new CmaEsSampler({ x0: [1, 2] } as never), /expected x0 to be an object, got \[1,2\]/);
  assert.throws(() => new CmaEsSampler({ x0: { x: NaN } }), /expected x0.x to be a finite number, got NaN/);
  assert.throws(() => new CmaEsSampler({ popsize: 1 }), /expected popsize >= 2, got 1/);
  assert.throws(() => new CmaEsSampler({ considerPrunedTrials: 1 } as never), /expected considerPrunedTrials to be a boolean, got 1/);
});

errors.run();
