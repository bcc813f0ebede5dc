// The dashboard's panels as specs: a study's panels say why they are not drawn when the trials cannot make them,
// a study of several objectives is plotted one objective at a time, and the Pareto front marks exactly the trials
// no other trial dominates.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { studyPlot } from '../../src/dashboard/study-plots.js';
import { validationSpec, runPlot } from '../../src/dashboard/reports.js';
import type { FrozenTrial, StudyDirection } from '../../src/tune/types.js';

const float = { type: 'float', low: 0, high: 10, log: false, step: null } as const;
function trial(number: number, values: number[] | null, state: FrozenTrial['state'] = 'complete', params: Record<string, number> = { x: number, z: 2 * number }): FrozenTrial {
  return {
    number, trialId: number + 1, state, value: values?.length === 1 ? values[0] : null, values, params,
    distributions: Object.fromEntries(Object.keys(params).map((k) => [k, float])), intermediateValues: new Map(),
    userAttrs: {}, systemAttrs: {}, datetimeStart: null, datetimeComplete: null,
  } as FrozenTrial;
}
const rowsOf = (spec: any) => spec.data.values as { trial: number; kind: string }[];

const test = suite('dashboard panels');

const pareto = (trials: FrozenTrial[], directions: StudyDirection[]) => (studyPlot('pareto', trials, directions, 0, 's') as { spec: any }).spec;

test('the Pareto panel (the tuner\'s paretoFrontSpec) marks the trials no other trial dominates, for minimize / minimize', () => {
  // (3, 4) is dominated by (2, 3); (1, 5), (2, 3) and (4, 1) are not dominated
  const trials = [trial(0, [1, 5]), trial(1, [2, 3]), trial(2, [3, 4]), trial(3, [4, 1]), trial(4, null, 'fail')];
  const rows = rowsOf(pareto(trials, ['minimize', 'minimize']));
  assert.equal(rows.filter((r) => r.kind === 'Best Trial').map((r) => r.trial), [0, 1, 3]);
  assert.equal(rows.filter((r) => r.kind === 'Trial').map((r) => r.trial), [2]);
});

test('maximizing the second objective changes the front: higher is better there', () => {
  const trials = [trial(0, [1, 5]), trial(1, [2, 3]), trial(2, [3, 4]), trial(3, [4, 1])];
  // (1, 5) has the lowest first value and the highest second: it dominates every other trial
  assert.equal(rowsOf(pareto(trials, ['minimize', 'maximize'])).filter((r) => r.kind === 'Best Trial').map((r) => r.trial), [0]);
});

test('three objectives: a chart per pair; four: the reason, as Optuna draws 2 or 3', () => {
  const spec = pareto([trial(0, [1, 2, 3]), trial(1, [3, 2, 1]), trial(2, [4, 4, 4])], ['minimize', 'minimize', 'minimize']);
  assert.is(spec.hconcat.length, 3);
  assert.equal(rowsOf(spec).filter((r) => r.kind === 'Best Trial').map((r) => r.trial), [0, 1]);
  const four = studyPlot('pareto', [trial(0, [1, 2, 3, 4])], ['minimize', 'minimize', 'minimize', 'minimize'], 0, 's') as { reason: string };
  assert.match(four.reason, /4 objectives: a Pareto front is drawn for 2 or 3/);
});

test('a study panel says why it is not drawn: no complete trial, no intermediate value, one objective for the Pareto front', () => {
  const running = [trial(0, null, 'running'), trial(1, null, 'fail')];
  const one: StudyDirection[] = ['minimize'];
  for (const kind of ['history', 'importances', 'slice', 'contour', 'parallel'] as const) {
    assert.equal(studyPlot(kind, running, one, 0, 's'), { reason: 'no trial has completed yet' }, kind);
  }
  assert.match((studyPlot('intermediate', running, one, 0, 's') as { reason: string }).reason, /no trial has reported an intermediate value/);
  assert.match((studyPlot('pareto', [trial(0, [1])], one, 0, 's') as { reason: string }).reason, /one objective/);
  assert.match((studyPlot('history', [trial(0, [1])], one, 2, 's') as { reason: string }).reason, /expected objective 0 to 0, got 2/);
  assert.match((studyPlot('importances', [trial(0, [1])], one, 0, 's') as { reason: string }).reason, /two|complete/);
});

test('a study of two objectives plots the objective asked for as the value', () => {
  const trials = [trial(0, [1, 50]), trial(1, [2, 40]), trial(2, [3, 30])];
  const directions: StudyDirection[] = ['minimize', 'maximize'];
  const first = studyPlot('history', trials, directions, 0, 's') as any;
  const second = studyPlot('history', trials, directions, 1, 's') as any;
  assert.equal(first.spec.data.values.map((r: any) => r.value), [1, 2, 3]);
  assert.equal(second.spec.data.values.map((r: any) => r.value), [50, 40, 30]);
  // the best so far follows each objective's own direction: lowest first value, highest second
  assert.equal(first.spec.data.values.map((r: any) => r.best), [1, 1, 1]);
  assert.equal(second.spec.data.values.map((r: any) => r.best), [50, 50, 50]);
  assert.ok('spec' in studyPlot('pareto', trials, directions, 0, 's'));
});

test('a finder run\'s validation panel leaves out a diverged candidate (null in results.json) and says so', () => {
  const r = {
    lossName: 'MSE', config: { validation: { epochs: 3 } },
    validation: { chosen: { name: 'valley' }, seeds: [42], candidates: [{ name: 'steepest', lr: 0.1, valLoss: null }, { name: 'valley', lr: 0.004, valLoss: 0.5 }, { name: 'baseline', lr: 0.001, valLoss: 0.8 }] },
  } as any;
  const spec = validationSpec(r) as any;
  assert.equal(spec.layer[0].mark, 'bar');
  assert.equal(spec.data.values.map((v: any) => [v.candidate, v.loss, v.chosen]), [['valley (lr 4e-3)', 0.5, 'chosen'], ['baseline (lr 1e-3)', 0.8, 'other']]);
  assert.match(spec.title, /1 diverged \(not drawn\)/);
  // a range test whose losses JSON wrote as null is not drawn, and the reason is given
  assert.match((runPlot('range-test', { ...r, rangeTest: { lrs: [1, 2, 3], losses: [1, null, 2] }, suggestion: { suggestions: {} } } as any) as { reason: string }).reason, /^not drawn: /);
});

test.run();
