import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStudy, TrialPruned, type FrozenTrial, type Trial } from '../../src/index.js';
import { rejects } from './helpers.js';

const test = suite("optimize's catch: Optuna 3.1's rules for an objective that throws");
const dir = mkdtempSync(join(tmpdir(), 'lrlab-catch-'));

class Diverged extends RangeError {}

// Optuna 3.1 (Debian's python3-optuna), with `class Diverged(ArithmeticError)`, an objective raising Diverged in trial
// 0 and TypeError in trial 2, `optimize(obj, n_trials=5, catch=ArithmeticError, callbacks=[record])`: TypeError is
// re-raised, the trials are FAIL, COMPLETE, FAIL, and the callbacks saw trials 0 (FAIL) and 1 (COMPLETE) only.
function objective(trial: Trial): number {
  const x = trial.suggestFloat('x', 0, 1);
  if (trial.number === 0) throw new Diverged('listed, as a subclass');
  if (trial.number === 2) throw new TypeError('not listed');
  return x;
}

test('a listed class (a subclass counts) fails the trial and the study goes on; any other error fails its trial, is re-thrown, and starts no further trial', async () => {
  for (const c of [RangeError, [RangeError], [SyntaxError, RangeError], (e: unknown) => e instanceof RangeError]) {
    const study = await createStudy();
    const seen: [number, string][] = [];
    const record = (_s: unknown, t: FrozenTrial) => void seen.push([t.number, t.state]);
    await rejects(() => study.optimize(objective, { nTrials: 5, catch: c, callbacks: [record] }), (e) => e instanceof TypeError && e.message === 'not listed');
    const what = Array.isArray(c) ? `[${c.map((k) => k.name).join(', ')}]` : c.name || 'a predicate';
    assert.equal(study.trials.map((t) => t.state), ['fail', 'complete', 'fail'], what);
    assert.equal(seen, [[0, 'fail'], [1, 'complete']], `${what}: callbacks run for the trials that return, not for the one re-thrown`);
    assert.match(String(study.trials[0].systemAttrs.failReason), /trial 0: the objective threw RangeError: listed, as a subclass/);
    assert.match(String(study.trials[2].systemAttrs.failReason), /trial 2: the objective threw TypeError: not listed/);
  }
});

test("a single class is Optuna's catch=ValueError form, not a predicate: it catches its own errors only", async () => {
  // before, a class alone was called as a predicate: RangeError(error) made an error (truthy) and caught everything,
  // and a class declaration (Diverged) threw "Class constructor Diverged cannot be invoked without 'new'"
  for (const c of [RangeError, Diverged, Error]) {
    const study = await createStudy();
    const caught = c === Error;
    const run = study.optimize(objective, { nTrials: 4, catch: c });
    if (caught) await run;
    else await rejects(() => run, (e) => e instanceof TypeError && e.message === 'not listed');
    assert.equal(study.trials.map((t) => t.state), caught ? ['fail', 'complete', 'fail', 'complete'] : ['fail', 'complete', 'fail'], c.name);
  }
});

test('with no catch the first error stops the study; TrialPruned is never an error, and NaN fails the trial without one', async () => {
  const study = await createStudy();
  await study.optimize((trial) => {
    trial.suggestInt('n', 0, 9);
    if (trial.number === 0) throw new TrialPruned();
    return trial.number === 1 ? NaN : trial.number;
  }, { nTrials: 3 });
  assert.equal(study.trials.map((t) => t.state), ['pruned', 'fail', 'complete']);
  await rejects(() => study.optimize(() => {
    throw new Diverged('stops');
  }, { nTrials: 3 }), (e) => e instanceof Diverged);
  assert.equal(study.trials.map((t) => t.state), ['pruned', 'fail', 'complete', 'fail']);
});

test('on SQLite with two jobs, an error re-thrown by optimize leaves every trial ended, and the study resumes with loadIfExists', async () => {
  const storage = `sqlite:///${join(dir, 'catch.db')}`;
  const study = await createStudy({ studyName: 'catch', storage });
  const slow = async (trial: Trial) => {
    const x = trial.suggestFloat('x', 0, 1);
    await new Promise((r) => setImmediate(r));
    if (trial.number === 1) throw new TypeError('boom');
    await new Promise((r) => setTimeout(r, 20));
    return x;
  };
  await rejects(() => study.optimize(slow, { nTrials: 10, nJobs: 2 }), /boom/);
  const ended = study.trials.map((t) => t.state);
  assert.ok(!ended.includes('running'), ended.join(', '));
  assert.is(ended[1], 'fail');
  assert.ok(ended.length < 10, `no new trial after the error: ${ended.length} ran`);
  await study.storage.close();
  const resumed = await createStudy({ studyName: 'catch', storage, loadIfExists: true });
  assert.equal(resumed.trials.map((t) => t.state), ended);
  await resumed.optimize((t) => t.suggestFloat('x', 0, 1), { nTrials: 2 });
  assert.equal(resumed.trials.map((t) => t.number), Array.from({ length: ended.length + 2 }, (_, i) => i));
  await resumed.storage.close();
});

test('a catch that is neither a class, a list of them, nor a predicate is refused before any trial', async () => {
  const study = await createStudy();
  for (const bad of ['RangeError', [RangeError, 'TypeError'], {}]) {
    await rejects(() => study.optimize(objective, { nTrials: 1, catch: bad as never }), /optimize: expected catch to be an error class, an array of error classes or a predicate/);
  }
  assert.is(study.trials.length, 0);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
