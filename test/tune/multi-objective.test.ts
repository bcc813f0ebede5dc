// Studies of several objectives against Optuna 3.1 (test/fixtures/gen_multi_objective.py writes the fixture):
// best_trials on fixed trials, the trials dataframe's columns, tell's verdicts on wrong values, create_study's
// refusals, and TPE's split with constraints and with several objectives (no randomness in any of them).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStudy, loadStudy } from '../../src/tune/study.js';
import { InMemoryStorage } from '../../src/tune/storage/memory.js';
import { createTrial } from '../../src/tune/create-trial.js';
import { copyStudy } from '../../src/tune/copy-study.js';
import { CONSTRAINTS_KEY, TPESampler, splitObservations, weightsBelowMultiObjective } from '../../src/tune/samplers/tpe.js';
import { RandomSampler } from '../../src/tune/samplers/random.js';
import { ParzenEstimator } from '../../src/tune/samplers/parzen.js';
import { NSGAIISampler } from '../../src/tune/samplers/nsga2.js';
import { CmaEsSampler } from '../../src/tune/samplers/cmaes.js';
import { getParamImportances } from '../../src/tune/importance/index.js';
import { hypervolume } from '../../src/tune/multi-objective/hypervolume.js';
import type { FrozenTrial, StudyDirection } from '../../src/tune/types.js';
import { paretoFrontSpec, paretoFrontTrials, plotParetoFront } from '../../src/tune/plots.js';
import { writeStudyReport } from '../../src/tune/report.js';
import { rejects } from './helpers.js';

type Num = number | 'Infinity' | '-Infinity' | 'NaN';
const num = (x: Num): number => (typeof x === 'number' ? x : Number(x));
interface Fixture {
  optuna: string;
  bestTrials: { name: string; directions: StudyDirection[]; trials: { state: 'complete' | 'fail' | 'pruned'; values: Num[] | null; x: number }[]; bestTrials: number[] }[];
  dataframe: { directions: StudyDirection[]; columns: string[]; complete: Record<string, unknown>; fail: Record<string, unknown> }[];
  tell: { label: string; values: (Num | string)[] | null; state: string; stored: number[] | null; warning: string | null }[];
  createStudy: { label: string; error: string | null }[];
  split: { name: string; scores: [Num, Num[]][]; nBelow: number; violations: Num[] | null; below: number[]; above: number[]; weightsBelow?: number[] }[];
  constraints: { trials: { x: number; y: number; value: number; constraints: number[] }[]; violations: number[] };
  motpe: { nTrials: number; reference: number[]; seeds: number[]; hypervolumes: number[] };
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/multi-objective.json', import.meta.url), 'utf8')) as Fixture;
const X = { x: { type: 'float', low: 0, high: 1, log: false, step: null } } as const;

const study = suite("a study of several objectives: Optuna 3.1's rules");

study('createStudy takes directions; study.directions, direction = directions[0], trial values as arrays', async () => {
  const s = await createStudy({ directions: ['minimize', 'maximize'], sampler: new RandomSampler({ seed: 1 }) });
  assert.equal(s.directions, ['minimize', 'maximize']);
  assert.is(s.direction, 'minimize');
  await s.optimize((t) => {
    const x = t.suggestFloat('x', 0, 1);
    return [x, x * x];
  }, { nTrials: 5 });
  for (const t of s.trials) {
    assert.is(t.state, 'complete');
    assert.equal(t.values, [t.params.x, (t.params.x as number) ** 2]);
    assert.is(t.value, null, 'value is null in a study of several objectives');
  }
  const single = await createStudy({ sampler: new RandomSampler({ seed: 1 }) });
  await single.optimize((t) => t.suggestFloat('x', 0, 1), { nTrials: 2 });
  assert.equal(single.directions, ['minimize']);
  assert.equal(single.trials.map((t) => t.values), single.trials.map((t) => [t.value]));
});

study("createStudy refuses what Optuna's create_study refuses, with a message naming the option", async () => {
  const refused = Object.fromEntries(fixture.createStudy.map((c) => [c.label, c.error]));
  for (const label of Object.keys(refused)) assert.ok(refused[label]?.startsWith('ValueError'), `Optuna refuses ${label}`);
  await rejects(() => createStudy({ direction: 'minimize', directions: ['minimize', 'maximize'] }), /createStudy: expected direction or directions, not both.*Specify only one of `direction` and `directions`/);
  await rejects(() => createStudy({ directions: [] }), /createStudy: expected at least one direction in directions, got none/);
  await rejects(() => createStudy({ directions: ['minimize', 'up' as StudyDirection] }), /createStudy: expected directions\[1\] 'minimize' or 'maximize', got "up"/);
  await rejects(() => createStudy({ direction: 'up' as StudyDirection }), /createStudy: expected direction 'minimize' or 'maximize', got "up"/);
  await rejects(() => createStudy({ directions: 'minimize' as unknown as StudyDirection[] }), /createStudy: expected directions to be an array of 'minimize' or 'maximize', got "minimize"/);
});

study('loadStudy and loadIfExists keep the directions; other directions for an existing study are refused', async () => {
  const storage = new InMemoryStorage();
  await createStudy({ studyName: 'mo', storage, directions: ['maximize', 'minimize'] });
  assert.equal((await loadStudy({ studyName: 'mo', storage })).directions, ['maximize', 'minimize']);
  assert.equal((await createStudy({ studyName: 'mo', storage, loadIfExists: true })).directions, ['maximize', 'minimize']);
  await rejects(() => createStudy({ studyName: 'mo', storage, loadIfExists: true, directions: ['maximize', 'maximize'] }), /expected directions \[maximize, minimize\] of the existing study 'mo', got \[maximize, maximize\]/);
  const [summary] = await storage.getAllStudySummaries();
  assert.equal([summary.directions, summary.direction, summary.bestTrial], [['maximize', 'minimize'], 'maximize', null]);
});

study("tell fails a trial whose values do not fit, as Optuna's _tell, and keeps its reason", async () => {
  for (const c of fixture.tell) {
    const s = await createStudy({ directions: ['minimize', 'maximize'] });
    const trial = await s.ask();
    const values = c.values === null ? undefined : (c.values.map((v) => (v === 'NaN' ? NaN : v)) as number[]);
    const told = await s.tell(trial, values);
    assert.is(told.state, c.state, c.label);
    assert.equal(told.values, c.stored, c.label);
    if (c.warning !== null && /did not match|not acceptable/.test(c.warning)) {
      assert.ok(String(told.systemAttrs.failReason).includes(c.warning), `${c.label}: ${String(told.systemAttrs.failReason)}`);
    }
  }
  const s = await createStudy({ directions: ['minimize', 'maximize'] });
  await s.optimize(() => [1, 2, 3], { nTrials: 1 });
  assert.match(String(s.trials[0].systemAttrs.failReason), /expected the objective to return 2 values \(one per direction\), got 3/);
  await s.optimize(() => 1, { nTrials: 1 });
  assert.match(String(s.trials[1].systemAttrs.failReason), /The number of the values 1 did not match the number of the objectives 2/);
});

study('bestTrials is the Pareto front of the complete trials, equal to Optuna\'s best_trials', async () => {
  for (const c of fixture.bestTrials) {
    const s = await createStudy({ directions: c.directions });
    await s.addTrials(c.trials.map((t) => createTrial({ state: t.state, ...(t.values ? { values: t.values.map(num) } : {}), params: { x: t.x }, distributions: X })));
    assert.equal(s.bestTrials.map((t) => t.number), c.bestTrials, c.name);
  }
});

study('bestTrial, bestValue and bestParams refuse a study of several objectives; report and shouldPrune too', async () => {
  const s = await createStudy({ directions: ['minimize', 'maximize'] });
  await s.addTrial(createTrial({ values: [1, 2], params: { x: 0.5 }, distributions: X }));
  assert.throws(() => s.bestTrial, /bestTrial: expected a single-objective study, got 2 objectives in study .* use study.bestTrials/);
  assert.throws(() => s.bestValue, /bestValue: expected a single-objective study/);
  assert.throws(() => s.bestParams, /bestParams: expected a single-objective study/);
  const t = await s.ask();
  assert.throws(() => t.report(1, 0), /report: expected a single-objective study, got 2 objectives \(Trial.report is not supported for multi-objective optimization.\)/);
  assert.throws(() => t.shouldPrune(), /shouldPrune: expected a single-objective study, got 2 objectives \(Trial.should_prune is not supported/);
  assert.equal([...(await s.tell(t, [3, 4])).intermediateValues], []);
});

study("trialsToCsv has Optuna's trials_dataframe columns: values_0, values_1 with several objectives, value with one", async () => {
  for (const c of fixture.dataframe) {
    const s = await createStudy({ directions: c.directions });
    await s.enqueueTrial({ x: 0.5, n: 2 });
    await s.optimize((t) => {
      const x = t.suggestFloat('x', 0, 1);
      const n = t.suggestInt('n', 1, 4);
      t.setUserAttr('size', n * 10);
      return c.directions.length > 1 ? c.directions.map(() => x + n) : x + n;
    }, { nTrials: 1 });
    await s.tell(await s.ask(), undefined, 'fail');
    const [header, first, failed] = s.trialsToCsv().trim().split('\n').map((line) => line.split(','));
    assert.equal(header, c.columns, c.directions.join());
    const row = (cells: string[]) => Object.fromEntries(header.map((h, i) => [h, cells[i]]));
    for (const [k, v] of Object.entries(c.complete)) if (k !== 'state') assert.is(row(first)[k], String(v), k);
    for (const [k, v] of Object.entries(c.fail)) if (k !== 'state' && !k.startsWith('params')) assert.is(row(failed)[k], v === null ? '' : String(v), k);
    assert.equal([row(first).state, row(failed).state], [String(c.complete.state).toLowerCase(), 'fail']);
    const json = JSON.parse(s.trialsToJson()) as { values: number[] | null }[];
    assert.equal(json.map((t) => t.values), [c.directions.map(() => 2.5), null]);
  }
});

study('createTrial and addTrial take values; a count other than the objectives is refused; copyStudy keeps directions', async () => {
  const s = await createStudy({ directions: ['minimize', 'maximize'], studyName: 'from' });
  const added = await s.addTrial(createTrial({ values: [0.25, 3], params: { x: 0.5 }, distributions: X }));
  assert.equal([added.values, added.value], [[0.25, 3], null]);
  await rejects(() => s.addTrial(createTrial({ value: 1, params: { x: 0.5 }, distributions: X })), /addTrial: expected 2 values \(one per objective of the study\), got 1/);
  assert.is(s.trials.length, 1, 'the refused trial is not stored');
  assert.throws(() => createTrial({ values: [], params: {}, distributions: {} }), /createTrial: expected at least one value in values, got none/);
  assert.throws(() => createTrial({ values: [1, NaN], params: {}, distributions: {} }), /createTrial: expected the value to be a number/);
  const to = new InMemoryStorage();
  await copyStudy({ fromStudyName: 'from', fromStorage: s.storage, toStorage: to });
  const copied = await loadStudy({ studyName: 'from', storage: to });
  assert.equal([copied.directions, copied.trials.map((t) => t.values)], [['minimize', 'maximize'], [[0.25, 3]]]);
});

study('a study of several objectives round-trips through SQLite: directions, values, the front, a copy back to memory', async () => {
  const url = `sqlite:///${join(mkdtempSync(join(tmpdir(), 'lrlab-mo-sqlite-')), 'mo.db')}`;
  const s = await createStudy({ studyName: 'mo', storage: url, directions: ['minimize', 'maximize'], sampler: new RandomSampler({ seed: 4 }) });
  await s.optimize((t) => {
    const x = t.suggestFloat('x', 0, 1);
    return [x, x * (1 - x)];
  }, { nTrials: 6 });
  const again = await loadStudy({ studyName: 'mo', storage: url });
  assert.equal(again.directions, ['minimize', 'maximize']);
  assert.equal(again.trials.map((t) => t.values), s.trials.map((t) => t.values));
  assert.equal(again.bestTrials.map((t) => t.number), s.bestTrials.map((t) => t.number));
  const memory = new InMemoryStorage();
  await copyStudy({ fromStudyName: 'mo', fromStorage: url, toStorage: memory, toStudyName: 'copy' });
  const copied = await loadStudy({ studyName: 'copy', storage: memory });
  assert.equal([copied.directions, copied.trials.map((t) => t.values)], [['minimize', 'maximize'], s.trials.map((t) => t.values)]);
  await s.storage.close();
  await again.storage.close();
});

study('an objective module returning two values runs in worker threads (nJobs 2) on SQLite', async () => {
  const url = `sqlite:///${join(mkdtempSync(join(tmpdir(), 'lrlab-mo-threads-')), 'mo.db')}`;
  const s = await createStudy({ studyName: 'mo-threads', storage: url, directions: ['minimize', 'minimize'] });
  await s.optimize({ module: new URL('./workers/objective.ts', import.meta.url), exportName: 'twoObjectives' }, { nTrials: 6, nJobs: 2 });
  assert.equal(s.trials.map((t) => t.state), Array(6).fill('complete'));
  for (const t of s.trials) assert.equal(t.values, [t.params.x, (1 - (t.params.x as number)) ** 2]);
  // x against (1 - x)^2: every trial trades one for the other, so all are on the front
  assert.is(s.bestTrials.length, 6);
  await s.storage.close();
});

study('with several directions and no sampler the study uses NSGAIISampler, as Optuna; CmaEsSampler refuses it', async () => {
  assert.ok((await createStudy({ directions: ['minimize', 'maximize'] })).sampler instanceof NSGAIISampler);
  assert.ok(!((await createStudy({ direction: 'minimize' })).sampler instanceof NSGAIISampler));
  const s = await createStudy({ directions: ['minimize', 'maximize'], sampler: new CmaEsSampler({ seed: 0 }) });
  await rejects(() => s.optimize((t) => [t.suggestFloat('x', 0, 1), 0], { nTrials: 1 }), /CmaEsSampler: expected a single-objective study, got 2 objectives \(If the study is being used for multi-objective optimization, CmaEsSampler cannot be used.\)/);
});

study('getParamImportances needs a target in a study of several objectives, as Optuna', async () => {
  const s = await createStudy({ directions: ['minimize', 'minimize'], sampler: new RandomSampler({ seed: 3 }) });
  await s.optimize((t) => {
    const a = t.suggestFloat('a', 0, 1), b = t.suggestFloat('b', 0, 1);
    return [a, b + 0.01 * a];
  }, { nTrials: 30 });
  assert.throws(() => getParamImportances(s), /getParamImportances: expected a target for a study of several objectives/);
  const first = getParamImportances(s, { target: (t) => t.values![0] });
  const second = getParamImportances(s, { target: (t) => t.values![1] });
  assert.ok(first.a > 0.9 && second.b > 0.9, `a explains the first objective (${first.a}), b the second (${second.b})`);
});

study.run();

const split = suite("TPE's split with constraints and several objectives equals Optuna's _split_observation_pairs");

for (const c of fixture.split) {
  split(c.name, () => {
    const scores = c.scores.map(([step, v]) => [num(step), v.length === 1 ? num(v[0]) : v.map(num)] as const);
    const violations = c.violations === null ? null : c.violations.map(num);
    const [below, above] = splitObservations(scores, c.nBelow, violations);
    assert.equal([below, above], [c.below, c.above]);
    if (c.weightsBelow) {
      const w = weightsBelowMultiObjective(scores, below, violations);
      // hypervolumes of a few points: sums of products, equal to about 1e-15 relative; EPS-sized weights to 1e-20
      c.weightsBelow.forEach((want, i) => assert.ok(Math.abs(w[i] - want) <= 1e-9 * want + 1e-20, `weight ${i}: ${w[i]} vs Optuna's ${want}`));
    }
  });
}

split('the estimator of the good trials takes their hypervolume weights in place of weights(n), the prior added', () => {
  const space = { x: { type: 'float', low: 0, high: 1, log: false, step: null } } as const;
  const p = { considerPrior: true, priorWeight: 1, considerMagicClip: true, considerEndpoints: false, weights: () => [7, 7], multivariate: false };
  const pe = new ParzenEstimator({ x: Float64Array.from([0.2, 0.7]) }, space, p, [1, 0.5]);
  // [1, 0.5, prior 1] / 2.5
  assert.equal([...pe.componentWeights], [0.4, 0.2, 0.4]);
  assert.throws(() => new ParzenEstimator({ x: Float64Array.from([0.2, 0.7]) }, space, p, [1]), /ParzenEstimator: expected 2 predetermined weights \(one per observation\), got 1/);
});

split.run();

const constraints = suite('TPESampler with constraintsFunc: constraints stored as Optuna, infeasible trials ranked last');

constraints("each complete trial's constraints are stored in systemAttrs.constraints, as Optuna's", async () => {
  const sampler = new TPESampler({ seed: 1, nStartupTrials: 5, constraintsFunc: (t) => [(t.params.x as number) - 0.5, 1 - (t.params.y as number)] });
  const s = await createStudy({ sampler });
  for (const t of fixture.constraints.trials) await s.enqueueTrial({ x: t.x, y: t.y });
  await s.optimize((t) => (t.suggestFloat('x', -3, 3) - 1) ** 2 + t.suggestInt('y', 0, 5), { nTrials: fixture.constraints.trials.length });
  assert.equal(s.trials.map((t) => t.systemAttrs[CONSTRAINTS_KEY]), fixture.constraints.trials.map((t) => t.constraints));
  const violation = (t: FrozenTrial) => (t.systemAttrs[CONSTRAINTS_KEY] as number[]).reduce((a, v) => (v > 0 ? a + v : a), 0);
  assert.equal(s.trials.map(violation), fixture.constraints.violations);
});

constraints('a constraintsFunc returning NaN stores the trial (constraints null) and the error stops optimize', async () => {
  const s = await createStudy({ sampler: new TPESampler({ seed: 0, constraintsFunc: () => [NaN] }) });
  await rejects(() => s.optimize((t) => t.suggestFloat('x', 0, 1), { nTrials: 3 }), /TPESampler: expected constraint values that are not NaN, got \[NaN\] for trial 0 \(Constraint values cannot be NaN.\)/);
  assert.equal(s.trials.map((t) => [t.state, t.systemAttrs[CONSTRAINTS_KEY]]), [['complete', null]]);
  assert.throws(() => new TPESampler({ constraintsFunc: 3 as never }), /TPESampler: expected constraintsFunc to be a function/);
});

constraints('with constraints, TPE proposes more feasible points than without (min (x - 1)^2 subject to x <= -1)', async () => {
  const feasibleShare = async (withConstraints: boolean, seed: number) => {
    const s = await createStudy({ sampler: new TPESampler({ seed, ...(withConstraints ? { constraintsFunc: (t: FrozenTrial) => [(t.params.x as number) + 1] } : {}) }) });
    await s.optimize((t) => (t.suggestFloat('x', -4, 4) - 1) ** 2, { nTrials: 40 });
    return s.trials.slice(10).filter((t) => (t.params.x as number) <= -1).length / 30;
  };
  let withC = 0, without = 0;
  for (const seed of [0, 1, 2]) {
    withC += await feasibleShare(true, seed);
    without += await feasibleShare(false, seed);
  }
  assert.ok(withC / 3 > 0.5 && withC > without + 0.5, `feasible share after the startup trials: ${(withC / 3).toFixed(2)} with constraints, ${(without / 3).toFixed(2)} without`);
});

constraints.run();

const motpe = suite('multi-objective TPE (MOTPE) on a two-objective problem');

motpe("after 60 trials its front's median hypervolume over 10 seeds is Optuna's (within 0.5%) and above random search's", async () => {
  // f1 = x, f2 = 1 - sqrt(x) + 5 (y - 0.3)^2 on [0, 1]^2, as gen_multi_objective.py runs Optuna's MOTPE on it
  const m = fixture.motpe;
  const objective = (t: { suggestFloat(n: string, lo: number, hi: number): number }) => {
    const x = t.suggestFloat('x', 0, 1), y = t.suggestFloat('y', 0, 1);
    return [x, 1 - Math.sqrt(x) + 5 * (y - 0.3) ** 2];
  };
  const hv = async (sampler: TPESampler | RandomSampler) => {
    const s = await createStudy({ directions: ['minimize', 'minimize'], sampler });
    await s.optimize(objective, { nTrials: m.nTrials });
    return hypervolume(s.bestTrials.map((t) => t.values as number[]), m.reference);
  };
  const median = (v: number[]) => {
    const o = [...v].sort((a, b) => a - b);
    return (o[(o.length - 1) >> 1] + o[o.length >> 1]) / 2;
  };
  const tpe: number[] = [], random: number[] = [];
  for (const seed of m.seeds) {
    tpe.push(await hv(new TPESampler({ seed })));
    random.push(await hv(new RandomSampler({ seed })));
  }
  // the two generators differ, so the seeds draw different studies: 0.5% of slack for that luck, no more
  const figures = `median hypervolume: lrlab MOTPE ${median(tpe).toFixed(4)}, Optuna's ${median(m.hypervolumes).toFixed(4)}, random ${median(random).toFixed(4)}`;
  assert.ok(median(tpe) >= 0.995 * median(m.hypervolumes), figures);
  assert.ok(median(tpe) > median(random), figures);
});

motpe.run();

const report = suite('the study report of several objectives: the Pareto front plotted and tabled, its hypervolume');
const reportDir = mkdtempSync(join(tmpdir(), 'lrlab-mo-report-'));

async function tinyStudy() {
  // directions minimize, maximize; as losses (second negated): [1,-1], [2,-3], [3,-2], [0.5,0]. [2,-3] dominates
  // [3,-2]; the front is trials 0, 1, 3. Reference: the worst of each, [3, 0] (0 as the maximized value)
  const s = await createStudy({ directions: ['minimize', 'maximize'], studyName: 'tiny' });
  const rows: [number, number, number][] = [[1, 1, 0.1], [2, 3, 0.2], [3, 2, 0.3], [0.5, 0, 0.4]];
  await s.addTrials(rows.map(([a, b, x]) => createTrial({ values: [a, b], params: { x }, distributions: X })));
  return s;
}

report('the front, its table and its hypervolume against the worst values: 4 by hand', async () => {
  const s = await tinyStudy();
  assert.equal(s.bestTrials.map((t) => t.number), [0, 1, 3]);
  const files = await writeStudyReport(s, join(reportDir, 'tiny'));
  assert.ok(files.includes('pareto-front.svg') && !files.includes('history.svg'), files.join());
  const md = readFileSync(join(reportDir, 'tiny', 'report.md'), 'utf8');
  // boxes of the front against [3, 0]: (3 - 0.5)(0 - 0) + (3 - 1)(0 + 1) + (3 - 2)(-1 + 3) = 0 + 2 + 2
  assert.match(md, /Hypervolume of the front: 4, against the reference point \[3, 0\]/);
  assert.match(md, /directions: minimize, maximize/);
  assert.match(md, /Pareto front .*: 3 trials\./);
  assert.match(md, /\| trial \| state \| values_0 \| values_1 \| x \| duration \(s\) \|/);
  assert.match(md, /Optimization history: not drawn \(the study has several objectives: see the Pareto front\)/);
  const json = JSON.parse(readFileSync(join(reportDir, 'tiny', 'trials.json'), 'utf8'));
  assert.equal([json.bestTrials.map((t: { number: number }) => t.number), json.hypervolume, json.bestTrial], [[0, 1, 3], { reference: [3, 0], hypervolume: 4 }, null]);
  const svg = readFileSync(join(reportDir, 'tiny', 'pareto-front.svg'), 'utf8');
  assert.ok(svg.includes('Pareto-front Plot') && svg.includes('Best Trial') && svg.includes('Objective 1 (maximize)'), 'the plot names its title, legend and axes');
});

report('three objectives are drawn as the three pairs; one or four objectives are refused as Optuna refuses them', async () => {
  const s = await createStudy({ directions: ['minimize', 'minimize', 'maximize'], sampler: new RandomSampler({ seed: 2 }) });
  await s.optimize((t) => {
    const x = t.suggestFloat('x', 0, 1);
    return [x, 1 - x, x * (1 - x)];
  }, { nTrials: 12 });
  const spec = paretoFrontSpec(s) as { hconcat: { encoding: { x: { field: string }; y: { field: string } } }[] };
  assert.equal(spec.hconcat.map((p) => [p.encoding.x.field, p.encoding.y.field]), [['v0', 'v1'], ['v0', 'v2'], ['v1', 'v2']]);
  assert.ok((await plotParetoFront(s)).includes('by pairs'));
  assert.throws(() => paretoFrontSpec({ direction: 'minimize', trials: [] }), /plotParetoFront: expected a study of 2 or 3 objectives, got 1/);
  assert.throws(() => paretoFrontSpec({ direction: 'minimize', directions: ['minimize', 'minimize', 'minimize', 'minimize'], trials: [] }), /got 4/);
  assert.throws(() => paretoFrontSpec(s, { targetNames: ['a'] }), /plotParetoFront: expected targetNames to be 3 strings/);
  assert.throws(() => paretoFrontSpec(s, { nope: 1 } as never), /plotParetoFront/);
});

report('infeasible trials (stored constraints or a constraintsFunc) are kept off the front and drawn apart', async () => {
  const s = await tinyStudy();
  // trial 1 ([2, 3]) infeasible: trial 2 ([3, 2]) is no longer dominated
  const split = paretoFrontTrials(s, (t) => [t.number === 1 ? 1 : -1]);
  assert.equal([split.best.map((t) => t.number), split.infeasible.map((t) => t.number), split.dominated.map((t) => t.number)], [[0, 2, 3], [1], []]);
  const rows = (paretoFrontSpec(s, { constraintsFunc: (t) => [t.number === 1 ? 1 : -1] }) as { data: { values: { trial: number; kind: string }[] } }).data.values;
  assert.equal(rows.find((r) => r.trial === 1)?.kind, 'Infeasible Trial');
});

report.run();
