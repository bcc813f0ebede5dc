// The FrozenTrials a storage hands out are snapshots the user cannot change: the in-memory storage shares one
// snapshot per trial between reads (until the trial changes), so changing it must be impossible; the SQLite
// storage reads anew each time, so changing what it gave back must not reach the storage.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryStorage, createStudy, createTrial, FloatDistribution, type Storage } from '../../src/index.js';
import { SqliteStorage } from '../../src/tune/storage/sqlite.js';
import type { FrozenTrial } from '../../src/tune/types.js';

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

sqlite.after(() => rmSync(dir, { recursive: true, force: true }));
sqlite.run();
