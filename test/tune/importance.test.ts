// Parameter importances against Optuna 3.1's (test/fixtures/gen_importances.py): the same studies, lrlab's forest
// (seeded by lrlab's generator, so not NumPy's draws) against the mean of Optuna's over five forest seeds.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import {
  FanovaImportanceEvaluator, getParamImportances, MeanDecreaseImpurityImportanceEvaluator, type ImportanceEvaluator,
} from '../../src/tune/importance/index.js';
import type { Distribution, FrozenTrial, ParamValue, TrialState } from '../../src/tune/types.js';

interface Study { name: string; trials: { number: number; value: number; params: Record<string, ParamValue>; distributions: Record<string, Distribution> }[]; fanova: Record<string, number>[]; meanDecreaseImpurity: Record<string, number>[] }
const fixture = JSON.parse(readFileSync(new URL('../fixtures/importances.json', import.meta.url), 'utf8')) as { optuna: string; studies: Study[] };

function frozen(t: Partial<FrozenTrial> & { number: number }, state: TrialState = 'complete'): FrozenTrial {
  const f = { trialId: t.number, state, value: null, params: {}, distributions: {}, intermediateValues: new Map(), userAttrs: {}, systemAttrs: {}, datetimeStart: null, datetimeComplete: null, ...t };
  return { ...f, values: f.values ?? (f.value === null ? null : [f.value]) };
}
const trialsOf = (s: Study) => s.trials.map((t) => frozen(t));

// Optuna's own answers move by up to 0.02 between forest seeds; lrlab's forest draws differently, so the stated
// tolerance is 0.05 on each importance, and "clearly different" means Optuna's mean importances differ by > 0.05.
const TOL = 0.05, CLEAR = 0.05;

const parity = suite('importances: fANOVA and mean decrease in impurity agree with Optuna\'s');

const EVALUATORS: [string, 'fanova' | 'meanDecreaseImpurity', () => ImportanceEvaluator][] = [
  ['fANOVA', 'fanova', () => new FanovaImportanceEvaluator({ seed: 0 })],
  ['mean decrease in impurity', 'meanDecreaseImpurity', () => new MeanDecreaseImpurityImportanceEvaluator({ seed: 0 })],
];

for (const s of fixture.studies) {
  for (const [label, key, make] of EVALUATORS) {
    parity(`${label} on the ${s.name} study: same ranking of clearly different importances, each within ${TOL} of Optuna ${fixture.optuna}'s mean`, () => {
      const ours = getParamImportances({ trials: trialsOf(s) }, { evaluator: make() });
      const runs = s[key];
      const names = Object.keys(runs[0]);
      const mean = Object.fromEntries(names.map((n) => [n, runs.reduce((a, r) => a + r[n], 0) / runs.length]));
      assert.equal(Object.keys(ours).sort(), [...names].sort());
      assert.ok(Math.abs(Object.values(ours).reduce((a, b) => a + b, 0) - 1) < 1e-12, 'importances sum to 1');
      const values = Object.values(ours);
      for (let i = 1; i < values.length; i++) assert.ok(values[i - 1] >= values[i], 'sorted most important first');
      for (const n of names) assert.ok(Math.abs(ours[n] - mean[n]) <= TOL, `${n}: lrlab ${ours[n].toFixed(4)}, Optuna ${mean[n].toFixed(4)}`);
      for (const a of names) for (const b of names) {
        if (mean[a] > mean[b] + CLEAR) assert.ok(ours[a] > ours[b], `${a} (${ours[a].toFixed(3)}) should outrank ${b} (${ours[b].toFixed(3)})`);
      }
    });
  }
}

parity('the same seed gives the same importances, another seed slightly different ones', () => {
  const trials = trialsOf(fixture.studies[1]);
  const a = getParamImportances({ trials }, { seed: 3 }), b = getParamImportances({ trials }, { seed: 3 }), c = getParamImportances({ trials }, { seed: 4 });
  assert.equal(a, b);
  assert.not.equal(a, c);
});

parity.run();

const rules = suite('importances: which trials and parameters count');

const space: Record<string, Distribution> = { a: { type: 'float', low: 0, high: 1, log: false, step: null }, k: { type: 'int', low: 3, high: 3, log: false, step: 1 } };
const grid = Array.from({ length: 30 }, (_, i) => frozen({ number: i, value: 2 * ((i * 7) % 30) / 30, params: { a: ((i * 7) % 30) / 30, k: 3 }, distributions: space }));

rules('a parameter with a single possible value gets 0, failed and pruned trials and NaN values are left out', () => {
  const extra = [frozen({ number: 30, value: 1e9, params: { a: 0.5, k: 3 }, distributions: space }, 'pruned'), frozen({ number: 31, value: NaN, params: { a: 0.5, k: 3 }, distributions: space })];
  const r = getParamImportances({ trials: [...grid, ...extra] });
  assert.equal(r, { a: 1, k: 0 });
});

rules('params restricts the assessment to the named parameters', () => {
  const b: Distribution = { type: 'categorical', choices: ['x', 'y'] };
  const trials = grid.map((t, i) => frozen({ ...t, params: { ...t.params, c: i % 2 ? 'x' : 'y' }, distributions: { ...space, c: b } }));
  assert.equal(Object.keys(getParamImportances({ trials }, { params: ['c'] })), ['c']);
  assert.equal(Object.keys(getParamImportances({ trials })).sort(), ['a', 'c', 'k']);
});

rules('target explains another quantity than the objective value', () => {
  // the value follows a; a user attribute follows only the categorical c
  const b: Distribution = { type: 'categorical', choices: ['x', 'y'] };
  const trials = grid.map((t, i) => frozen({ ...t, params: { ...t.params, c: i % 2 ? 'x' : 'y' }, distributions: { ...space, c: b }, userAttrs: { seconds: i % 2 ? 10 : 1 } }));
  assert.is(Object.keys(getParamImportances({ trials }))[0], 'a');
  const bySeconds = getParamImportances({ trials }, { target: (t) => t.userAttrs.seconds as number });
  assert.is(Object.keys(bySeconds)[0], 'c');
  assert.ok(bySeconds.c > 0.9, `c explains the time: ${bySeconds.c}`);
  assert.throws(() => getParamImportances({ trials }, { target: 'seconds' as never }), /target to be a function \(trial\) => number, got 'seconds'/);
});

rules('bad input is refused with a clear message', () => {
  assert.throws(() => getParamImportances({ trials: grid.slice(0, 1) }), (e: Error) => e instanceof RangeError && /getParamImportances: expected at least 2 completed trials, got 1/.test(e.message));
  assert.throws(() => getParamImportances({ trials: [] }), /at least 2 completed trials, got 0/);
  const flat = grid.map((t) => frozen({ ...t, value: 1 }));
  assert.throws(() => getParamImportances({ trials: flat }), /expected objective values that vary, got all 30 equal to 1/);
  assert.throws(() => getParamImportances({ trials: grid }, { params: ['nope'] }), /expected a completed trial with every parameter of \["nope"\], got none/);
  assert.throws(() => getParamImportances({ trials: grid }, { params: 'a' as never }), (e: Error) => e instanceof TypeError && /params to be an array of parameter names, got 'a'/.test(e.message));
  assert.throws(() => getParamImportances({ trials: grid }, { evaluator: {} as never }), /evaluator to be an importance evaluator, got an object/);
  assert.throws(() => getParamImportances({ trials: grid }, { evaluator: new FanovaImportanceEvaluator(), seed: 1 }), /seed in the evaluator's options/);
  assert.throws(() => getParamImportances({ trials: grid }, { seeds: 1 } as never), /unknown option 'seeds'/);
  assert.throws(() => new FanovaImportanceEvaluator({ nTrees: 0 }), /nTrees to be an integer >= 1, got 0/);
  const other = grid.map((t, i) => (i === 3 ? frozen({ ...t, distributions: { ...space, a: { type: 'float', low: 0, high: 2, log: false, step: null } } }) : t));
  assert.throws(() => getParamImportances({ trials: other }, { params: ['a'] }), /expected parameter 'a' to have one distribution in every completed trial/);
  assert.equal(Object.keys(getParamImportances({ trials: other })), ['k'], 'without params, a parameter whose distribution changed is left out');
});

rules.run();
