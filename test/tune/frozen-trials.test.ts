// The FrozenTrials a storage hands out are snapshots the user cannot change: the in-memory storage shares one
// snapshot per trial between reads (until the trial changes), so changing it must be impossible; the SQLite
// storage reads anew each time, so changing what it gave back must not reach the storage.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  InMemoryStorage, createStudy, createTrial, FloatDistribution, MedianPruner, NSGAIISampler, RandomSampler, TPESampler, type Sampler, type Storage,
} from '../../src/index.js';
import { SqliteStorage } from '../../src/tune/storage/sqlite.js';
import type { FrozenTrial, SearchSpace, StudyView, TrialState } from '../../src/tune/types.js';

const dir = mkdtempSync(join(tmpdir(), 'lrlab-frozen-'));
let files = 0;

// one complete trial with everything a trial holds: parameters, an intermediate value, nested attributes
async function studyWithOneTrial(storage: Storage) {
  const study = await createStudy({ storage });
  const trial = await study.ask();
  trial.suggestFloat('x', 0, 1);
  trial.suggestCategorical('opt', ['adam', 'sgd']);
  trial.report(0.5, 0);
  trial.setUserAttr('history', { losses: [3, 2, 1] });
  await study.tell(trial, 0.25);
  return study;
}

// every way a user might change a trial; each either throws or is left without effect on the storage
const changes: [string, (t: FrozenTrial) => void][] = [
  ['a top-level field', (t) => ((t as { state: string }).state = 'fail')],
  ['a parameter', (t) => ((t.params as Record<string, unknown>).x = 99)],
  ['a distribution bound', (t) => ((t.distributions.x as { high: number }).high = 99)],
  ['a categorical choice', (t) => (t.distributions.opt as unknown as { choices: unknown[] }).choices.push('rmsprop')],
  ['a value', (t) => ((t.values as number[])[0] = 99)],
  ['an intermediate value', (t) => (t.intermediateValues as Map<number, number>).set(0, 99)],
  ['the intermediate values, cleared', (t) => (t.intermediateValues as Map<number, number>).clear()],
  ['a nested user attribute', (t) => ((t.userAttrs.history as { losses: number[] }).losses as number[]).push(0)],
  ['a new system attribute', (t) => ((t.systemAttrs as Record<string, unknown>).injected = true)],
  ['the start time', (t) => (t.datetimeStart as Date).setTime(0)],
];

const stored = (t: FrozenTrial) => ({
  state: t.state, params: t.params, distributions: { ...t.distributions }, values: t.values,
  intermediate: [...t.intermediateValues], userAttrs: t.userAttrs, systemAttrs: t.systemAttrs, start: t.datetimeStart?.getTime(),
});

const memory = suite('InMemoryStorage: FrozenTrials are shared read-only snapshots');

for (const [what, change] of changes) {
  memory(`changing ${what} of a trial read back throws a TypeError and leaves the storage as it was`, async () => {
    const study = await studyWithOneTrial(new InMemoryStorage());
    const before = stored((await study.storage.getAllTrials(study.studyId))[0]);
    for (const t of [study.trials[0], study.bestTrial, await study.storage.getTrial(study.trials[0].trialId)]) {
      assert.throws(() => change(t), (e: unknown) => e instanceof TypeError);
    }
    assert.equal(stored((await study.storage.getAllTrials(study.studyId))[0]), before);
  });
}

memory('an unchanged trial is one shared object across reads; a write gives a new snapshot and the old one stays', async () => {
  const storage = new InMemoryStorage();
  const study = await studyWithOneTrial(storage);
  const [a] = await storage.getAllTrials(study.studyId);
  const [b] = await storage.getAllTrials(study.studyId);
  assert.ok(a === b, 'the same snapshot object for an unchanged trial');
  const running = await study.ask();
  const seen = await storage.getTrial(running.trialId);
  running.suggestFloat('x', 0, 1);
  await study.tell(running, 1);
  const told = await storage.getTrial(running.trialId);
  assert.is(seen.state, 'running');
  assert.equal(seen.params, {});
  assert.is(told.state, 'complete');
  assert.equal(Object.keys(told.params), ['x']);
  assert.ok((await storage.getAllTrials(study.studyId))[0] === a, 'the first trial is still shared');
});

memory('a snapshot still compares equal to plain data (a Map, a Date, plain objects)', async () => {
  const study = await studyWithOneTrial(new InMemoryStorage());
  const t = study.trials[0];
  assert.equal(t.intermediateValues, new Map([[0, 0.5]]));
  assert.ok(t.intermediateValues instanceof Map);
  assert.ok(t.datetimeStart instanceof Date);
  assert.equal(t.userAttrs, { history: { losses: [3, 2, 1] } });
  assert.equal(JSON.parse(JSON.stringify(t.datetimeStart)), t.datetimeStart!.toISOString());
});

memory('what the user hands in stays the user\'s: attributes are copied, a distribution object is not frozen', async () => {
  const storage = new InMemoryStorage();
  const study = await createStudy({ storage });
  const dist = new FloatDistribution(0, 1);
  const attrs = { tags: ['a'] };
  await study.addTrial(createTrial({ params: { x: 0.5 }, distributions: { x: dist }, value: 1, userAttrs: attrs }));
  const trial = await study.ask();
  const mine = { n: 1 };
  trial.setUserAttr('mine', mine);
  await study.tell(trial, 2);
  assert.not.ok(Object.isFrozen(dist), 'the caller\'s distribution is left unfrozen');
  assert.not.ok(Object.isFrozen(attrs.tags), 'the caller\'s attributes are left unfrozen');
  attrs.tags.push('b');
  mine.n = 2;
  const [first, second] = await storage.getAllTrials(study.studyId);
  assert.equal(first.userAttrs, { tags: ['a'] });
  assert.equal(second.userAttrs, { mine: { n: 1 } });
  assert.equal(first.distributions.x, { type: 'float', low: 0, high: 1, log: false, step: null });
});

memory.run();

const sqlite = suite('SqliteStorage: changing a FrozenTrial read back does not reach the storage');

sqlite('every change to a trial read back leaves the next read as stored', async () => {
  const storage = await SqliteStorage.open(join(dir, `f${++files}.db`));
  const study = await studyWithOneTrial(storage);
  const before = stored((await storage.getAllTrials(study.studyId))[0]);
  for (const [, change] of changes) {
    try {
      change((await storage.getAllTrials(study.studyId))[0]);
    } catch {
      // a storage may also refuse the change: either way the storage keeps its record
    }
    assert.equal(stored((await storage.getAllTrials(study.studyId))[0]), before);
  }
  await storage.close();
});

sqlite.run();

// The samplers keep work between calls on one snapshot (TPE's split, NSGA-II's parent population), recognised by
// its trial objects. In memory, unchanged trials are the same objects from one snapshot to the next; on SQLite every
// read makes new ones. The same seed must give the same decisions on both.
const same = suite('shared snapshots change no decision: memory and SQLite studies agree trial by trial');

const constraintsFunc = (t: { userAttrs: Readonly<Record<string, unknown>> }) => [t.userAttrs.c0 as number];
const samplers: [string, number, () => Sampler][] = [
  ['RandomSampler', 1, () => new RandomSampler({ seed: 5 })],
  ['TPESampler with a pruner', 1, () => new TPESampler({ seed: 5, nStartupTrials: 5 })],
  ['TPESampler with constraintsFunc, multivariate and constantLiar', 1, () => new TPESampler({ seed: 5, nStartupTrials: 5, constraintsFunc, multivariate: true, constantLiar: true })],
  ['TPESampler on two objectives with constraintsFunc (MOTPE)', 2, () => new TPESampler({ seed: 5, nStartupTrials: 5, constraintsFunc })],
  ['NSGAIISampler with constraintsFunc', 2, () => new NSGAIISampler({ seed: 5, populationSize: 6, constraintsFunc })],
];

async function decisions(storage: Storage, nObjectives: number, sampler: Sampler) {
  const study = await createStudy({ storage, directions: Array.from({ length: nObjectives }, () => 'minimize' as const), sampler, pruner: new MedianPruner({ nStartupTrials: 2 }) });
  for (let i = 0; i < 30; i++) {
    const trial = await study.ask();
    const x = trial.suggestFloat('x', 0, 1);
    const y = trial.suggestFloat('y', 1e-3, 1, { log: true });
    const k = trial.suggestCategorical('k', ['a', 'b']);
    trial.setUserAttr('c0', x - 0.7);
    if (nObjectives === 1) {
      trial.report(x + y, 0);
      if (trial.shouldPrune()) {
        await study.tell(trial, undefined, 'pruned');
        continue;
      }
    }
    const v = [x + y + (k === 'a' ? 0 : 0.1), (1 - x) ** 2 + y];
    await study.tell(trial, nObjectives === 1 ? v[0] : v);
  }
  return study.trials.map((t) => ({ state: t.state, params: t.params, values: t.values, constraints: t.systemAttrs.constraints }));
}

for (const [name, nObjectives, make] of samplers) {
  same(`${name}: 30 trials in memory and on SQLite, the same parameters, states and values`, async () => {
    const inMemory = await decisions(new InMemoryStorage(), nObjectives, make());
    const storage = await SqliteStorage.open(join(dir, `d${++files}.db`));
    const onSqlite = await decisions(storage, nObjectives, make());
    await storage.close();
    assert.is(inMemory.length, 30);
    assert.equal(onSqlite, inMemory);
  });
}

same.after(() => rmSync(dir, { recursive: true, force: true }));
same.run();

// The kept work itself: a sampler that sees the same trial objects call after call (and may reuse its work) draws
// what a sampler of the same seed draws when every call hands it new copies (so it never can); and when the trials
// change, the same number of them but new objects with other values, the kept work is dropped, not reused.
const kept = suite('work kept between calls on one snapshot: the same draws as without it, dropped when the trials change');

function viewOf(directions: readonly ('minimize' | 'maximize')[], trials: () => readonly FrozenTrial[]): StudyView {
  const pick = (states?: readonly TrialState[]) => (states ? trials().filter((t) => states.includes(t.state)) : trials());
  return { studyName: 'kept', direction: directions[0], directions, getTrials: (o) => pick(o?.states), stop: () => undefined };
}

// new objects with the same content (what an SQL storage's every read gives)
const copies = (trials: readonly FrozenTrial[]) => trials.map((t) => ({ ...t, values: t.values && [...t.values], systemAttrs: { ...t.systemAttrs } }));
// the same trials with every objective value negated: another order, another split, another population
const negated = (trials: readonly FrozenTrial[]) => trials.map((t) => ({ ...t, values: t.values && t.values.map((v) => -v) }));

function running(number: number): FrozenTrial {
  return { number, trialId: number + 1, state: 'running', value: null, values: null, params: {}, distributions: {}, intermediateValues: new Map(), userAttrs: {}, systemAttrs: {}, datetimeStart: null, datetimeComplete: null };
}

// trial 40 then trial 41 (after the trials changed): every parameter, relative and independent, as a study would ask
function draws(sampler: Sampler, first: StudyView, second: StudyView) {
  const space: SearchSpace = { x: { type: 'float', low: 0, high: 1, log: false, step: null }, y: { type: 'float', low: 1e-3, high: 1, log: true, step: null }, k: { type: 'categorical', choices: ['a', 'b'] } };
  return [[first, running(40)], [second, running(41)]].map(([view, t]) => {
    const v = view as StudyView;
    const trial = t as FrozenTrial & { systemAttrs: Record<string, unknown> };
    sampler.beforeTrial?.(v, trial);
    const relative = sampler.inferRelativeSearchSpace(v, trial);
    const joint = Object.keys(relative).length ? sampler.sampleRelative(v, trial, relative) : {};
    const independent = Object.fromEntries(Object.entries(space).map(([name, d]) => [name, sampler.sampleIndependent(v, trial, name, d)]));
    return { generation: trial.systemAttrs['nsga2:generation'], joint, independent };
  });
}

// NSGA-II keeps each generation's selection by trial numbers (a finished trial never changes), so its change is
// a generation fewer: 36 trials, 6 complete generations, become 30
const fewer = (trials: readonly FrozenTrial[]) => trials.slice(0, 30);
const kinds: [string, number, (seed: number) => Sampler, (trials: readonly FrozenTrial[]) => FrozenTrial[]][] = [
  ['TPESampler', 1, (seed) => new TPESampler({ seed, nStartupTrials: 5 }), negated],
  ['TPESampler with constraintsFunc', 1, (seed) => new TPESampler({ seed, nStartupTrials: 5, constraintsFunc }), negated],
  ['TPESampler on two objectives (MOTPE)', 2, (seed) => new TPESampler({ seed, nStartupTrials: 5 }), negated],
  ['NSGAIISampler with constraintsFunc', 2, (seed) => new NSGAIISampler({ seed, populationSize: 6, constraintsFunc }), fewer],
];

for (const [name, nObjectives, make, change] of kinds) {
  kept(`${name}: the same draws with one snapshot's objects as with new copies at every call, before and after the trials change`, async () => {
    const directions = Array.from({ length: nObjectives }, () => 'minimize' as const);
    const study = await createStudy({ directions, sampler: make(9) });
    for (let i = 0; i < 36; i++) {
      const trial = await study.ask();
      const x = trial.suggestFloat('x', 0, 1);
      const y = trial.suggestFloat('y', 1e-3, 1, { log: true });
      const k = trial.suggestCategorical('k', ['a', 'b']);
      trial.setUserAttr('c0', x - 0.7);
      const v = [x + y + (k === 'a' ? 0 : 0.1), (1 - x) ** 2 + y];
      await study.tell(trial, nObjectives === 1 ? v[0] : v);
    }
    const before = study.trials;
    const after = change(before);
    const shared = draws(make(1), viewOf(directions, () => before), viewOf(directions, () => after));
    const fresh = draws(make(1), viewOf(directions, () => copies(before)), viewOf(directions, () => copies(after)));
    assert.equal(shared, fresh);
    // the change mattered: a sampler that had only ever seen the first trials draws otherwise for trial 41
    const unchanged = draws(make(1), viewOf(directions, () => before), viewOf(directions, () => before));
    assert.not.equal(unchanged[1], shared[1]);
  });
}

kept.run();
