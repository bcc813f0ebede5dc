import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  createStudy, loadStudy, deleteStudy, getAllStudySummaries, InMemoryStorage, TrialPruned, DuplicatedStudyError,
  manualSeed, TPESampler, MedianPruner, RandomSampler, type Sampler, type Pruner, type FrozenTrial,
} from '../../src/index.js';
import { defaultSampler } from '../../src/tune/default-sampler.js';
import { rejects } from './helpers.js';

const quadratic = (trial: { suggestFloat(n: string, l: number, h: number): number }) => {
  const x = trial.suggestFloat('x', -10, 10);
  const y = trial.suggestFloat('y', -10, 10);
  return (x - 2) ** 2 + (y + 1) ** 2;
};

const test = suite('study in memory: optimize, ask and tell with Optuna\'s rules');

test('optimize runs nTrials trials numbered 0..n-1, and the best trial is the lowest value', async () => {
  const study = await createStudy({ studyName: 'q' });
  await study.optimize(quadratic, { nTrials: 30 });
  assert.equal(study.trials.map((t) => t.number), Array.from({ length: 30 }, (_, i) => i));
  assert.ok(study.trials.every((t) => t.state === 'complete'));
  const values = study.trials.map((t) => t.value!);
  assert.is(study.bestValue, Math.min(...values));
  assert.equal(study.bestParams, study.trials[values.indexOf(Math.min(...values))].params);
  const x = study.bestParams.x as number, y = study.bestParams.y as number;
  assert.is(study.bestValue, (x - 2) ** 2 + (y + 1) ** 2);
});

test('maximize picks the highest value; the default sampler (TPE) repeats itself after manualSeed', async () => {
  manualSeed(3);
  const a = await createStudy({ direction: 'maximize' });
  await a.optimize(quadratic, { nTrials: 12 });
  manualSeed(3);
  const b = await createStudy({ direction: 'maximize' });
  await b.optimize(quadratic, { nTrials: 12 });
  assert.is(a.bestValue, Math.max(...a.trials.map((t) => t.value!)));
  assert.equal(a.trials.map((t) => t.params), b.trials.map((t) => t.params));
});

test('ask and tell: a value completes the trial; tell by number works; telling twice is an error that changes nothing', async () => {
  const study = await createStudy();
  const t0 = await study.ask();
  const t1 = await study.ask();
  assert.equal([t0.number, t1.number], [0, 1]);
  const x = t0.suggestFloat('x', 0, 1);
  const frozen = await study.tell(t0, x * 2);
  assert.is(frozen.state, 'complete');
  assert.is(frozen.value, x * 2);
  assert.is(t0.state, 'complete');
  await study.tell(1, 5);
  await rejects(() => study.tell(t0, 1), /tell: expected a running trial, got trial 0 already complete/);
  await rejects(() => study.tell(1, 1), /got trial 1 already complete/);
  await rejects(() => study.tell(7, 1), /expected the number of a trial of study .*, got 7 \(2 trials\)/);
  assert.equal(study.trials.map((t) => t.value), [x * 2, 5]);
});

test("tell's own argument rules: 'complete' needs a value, 'pruned' and 'fail' take none, unknown states are refused", async () => {
  const study = await createStudy();
  const t = await study.ask();
  await rejects(() => study.tell(t, undefined, 'complete'), /expected a value with state 'complete'/);
  await rejects(() => study.tell(t, 1, 'pruned'), /expected no value with state 'pruned', got 1/);
  await rejects(() => study.tell(t, 1, 'done' as never), /expected state 'complete', 'pruned' or 'fail', got "done"/);
  assert.is(t.state, 'running');
  assert.is(study.trials[0].state, 'running');
  assert.is((await study.tell(t, undefined, 'pruned')).state, 'pruned');
});

test('an objective returning NaN or a string fails its trial and the study goes on', async () => {
  const study = await createStudy();
  let i = 0;
  await study.optimize((trial) => {
    trial.suggestFloat('x', 0, 1);
    const k = i++;
    return (k === 1 ? NaN : k === 2 ? ('0.5' as unknown as number) : k) as number;
  }, { nTrials: 4 });
  assert.equal(study.trials.map((t) => t.state), ['complete', 'fail', 'fail', 'complete']);
  assert.match(String(study.trials[1].systemAttrs.failReason), /trial 1: expected the objective to return a number, got NaN/);
  assert.match(String(study.trials[2].systemAttrs.failReason), /trial 2: expected the objective to return a number, got "0.5"/);
  assert.equal(study.trials[1].params, { x: study.trials[1].params.x });
  assert.is(study.bestValue, 0);
});

test('an objective that throws fails its trial, keeps the error and is re-thrown; catch lets the study go on', async () => {
  const study = await createStudy();
  let calls = 0;
  const objective = (trial: { suggestInt(n: string, l: number, h: number): number }) => {
    trial.suggestInt('n', 1, 3);
    if (calls++ === 1) throw new TypeError('boom');
    return calls;
  };
  await rejects(() => study.optimize(objective, { nTrials: 5 }), /boom/);
  assert.equal(study.trials.map((t) => t.state), ['complete', 'fail']);
  assert.match(String(study.trials[1].systemAttrs.failReason), /the objective threw TypeError: boom/);
  calls = 1;
  await study.optimize(objective, { nTrials: 3, catch: [TypeError] });
  assert.equal(study.trials.map((t) => t.state), ['complete', 'fail', 'fail', 'complete', 'complete']);
  calls = 1;
  await rejects(() => study.optimize(objective, { nTrials: 3, catch: [RangeError] }), /boom/);
});

test('throwing TrialPruned after shouldPrune() ends the trial as pruned with its intermediate values', async () => {
  // a pruner that stops any trial whose last reported value is above 5
  const pruner: Pruner = {
    prune: (_s, t: FrozenTrial) => {
      const steps = [...t.intermediateValues.keys()];
      return steps.length > 0 && t.intermediateValues.get(Math.max(...steps))! > 5;
    },
  };
  const study = await createStudy({ pruner });
  await study.optimize((trial) => {
    const a = trial.suggestInt('a', 0, 10);
    for (let step = 0; step < 3; step++) {
      trial.report(a + step, step);
      if (trial.shouldPrune()) throw new TrialPruned();
    }
    return a;
  }, { nTrials: 12 });
  for (const t of study.trials) {
    const a = t.params.a as number;
    if (a > 5) {
      assert.is(t.state, 'pruned');
      assert.equal([...t.intermediateValues], [[0, a]]);
    } else if (a + 2 > 5) {
      assert.is(t.state, 'pruned');
      assert.is(t.intermediateValues.size, 7 - a); // pruned at the first step s with a + s > 5
    } else {
      assert.is(t.state, 'complete');
      assert.is(t.value, a);
      assert.equal([...t.intermediateValues], [[0, a], [1, a + 1], [2, a + 2]]);
    }
  }
});

test('suggesting a parameter twice: the same range gives the same value, another range is an error naming it', async () => {
  const study = await createStudy();
  const trial = await study.ask();
  const lr = trial.suggestFloat('lr', 1e-4, 1e-1, { log: true });
  assert.is(trial.suggestFloat('lr', 1e-4, 1e-1, { log: true }), lr);
  assert.throws(() => trial.suggestFloat('lr', 1e-3, 1e-1, { log: true }), /suggest\('lr'\): expected the same distribution as earlier in trial 0 \(float \[0.0001, 0.1\] log\), got float \[0.001, 0.1\] log/);
  assert.throws(() => trial.suggestInt('lr', 1, 3), /suggest\('lr'\)/);
  assert.equal(trial.params, { lr });
  await study.tell(trial, 1);
  // across trials the kind must stay
  const next = await study.ask();
  assert.throws(() => next.suggestCategorical('lr', ['a']), /expected the distribution the study already uses for 'lr'/);
  assert.equal(study.trials[0].params, { lr });
});

test('a trial failed by another worker while it ran keeps that verdict, and optimize goes on', async () => {
  const study = await createStudy();
  await study.optimize(async (t) => {
    const x = t.suggestFloat('x', 0, 1);
    if (t.number === 0) {
      // what a second worker's stale-trial check does to a trial whose heartbeats were late
      await study.storage.finishTrial(t.trialId, { state: 'fail', values: null, params: {}, distributions: {}, intermediateValues: new Map(), userAttrs: {}, systemAttrs: { failReason: 'late' } });
    }
    return x;
  }, { nTrials: 2 });
  assert.equal(study.trials.map((t) => t.state), ['fail', 'complete']);
  assert.is(study.trials[0].systemAttrs.failReason, 'late');
  await rejects(() => study.tell(0, 1), /expected a running trial, got trial 0 already fail/);
});

test('bad suggest arguments throw inside the objective: the trial fails with the message, earlier trials intact', async () => {
  const study = await createStudy();
  await study.optimize((t) => t.suggestFloat('x', 0, 1), { nTrials: 2 });
  await rejects(() => study.optimize((t) => t.suggestFloat('x', 1, 0), { nTrials: 1 }), /suggestFloat\('x'\): expected low <= high/);
  assert.equal(study.trials.map((t) => t.state), ['complete', 'complete', 'fail']);
  assert.is(study.bestValue, Math.min(study.trials[0].value!, study.trials[1].value!));
});

test('enqueueTrial fixes parameters for the next ask; the others are sampled; a value outside the range fails loudly', async () => {
  const study = await createStudy();
  await study.enqueueTrial({ lr: 0.01, opt: 'sgd' });
  await study.optimize((t) => t.suggestFloat('lr', 1e-4, 1, { log: true }) + (t.suggestCategorical('opt', ['adam', 'sgd']) === 'sgd' ? 0 : 1) + t.suggestInt('n', 1, 4), { nTrials: 2 });
  assert.is(study.trials[0].params.lr, 0.01);
  assert.is(study.trials[0].params.opt, 'sgd');
  assert.ok([1, 2, 3, 4].includes(study.trials[0].params.n as number));
  await study.enqueueTrial({ lr: 5 });
  await rejects(() => study.optimize((t) => t.suggestFloat('lr', 1e-4, 1, { log: true }), { nTrials: 1 }), /enqueueTrial\('lr'\): expected a value in float \[0.0001, 1\] log, got 5/);
  await rejects(() => study.enqueueTrial({ lr: NaN }), /enqueueTrial\('lr'\): expected a number, string, boolean or null, got NaN/);
});

test('report keeps the first value of a step and refuses bad steps and values', async () => {
  const study = await createStudy();
  const t = await study.ask();
  t.report(1, 0);
  t.report(2, 0);
  assert.equal([...t.intermediateValues], [[0, 1]]);
  assert.throws(() => t.report(1, -1), /report: expected an integer step >= 0, got -1/);
  assert.throws(() => t.report(1, 0.5), /got 0.5/);
  assert.throws(() => t.report('1' as never, 2), /report: expected a number value, got string "1"/);
  t.setUserAttr('note', { a: 1 });
  assert.throws(() => t.setUserAttr('f', () => 1), /expected a JSON-serializable value/);
  const frozen = await study.tell(t, 3);
  assert.equal([...frozen.intermediateValues], [[0, 1]]);
  assert.equal(frozen.userAttrs, { note: { a: 1 } });
  assert.throws(() => t.report(4, 1), /report: expected a running trial, got trial 0 already complete/);
});

test('the sampler sees the snapshot, its beforeTrial attributes are stored, afterTrial gets the result', async () => {
  const seen: number[] = [];
  const after: [number, string, readonly number[] | null][] = [];
  const sampler: Sampler = {
    beforeTrial: (study, trial) => {
      seen.push(study.getTrials({ states: ['complete'] }).length);
      trial.systemAttrs.gridId = trial.number * 10;
    },
    inferRelativeSearchSpace: () => ({ x: { type: 'float', low: 0, high: 1, log: false, step: null } }),
    sampleRelative: (_s, t) => ({ x: t.number / 10 }),
    sampleIndependent: () => 0.5,
    afterTrial: (_s, t, state, value) => after.push([t.number, state, value]),
  };
  const study = await createStudy({ sampler });
  await study.optimize((t) => t.suggestFloat('x', 0, 1) + t.suggestFloat('y', 0, 1), { nTrials: 3 });
  assert.equal(seen, [0, 1, 2]);
  assert.equal(study.trials.map((t) => t.systemAttrs.gridId), [0, 10, 20]);
  assert.equal(study.trials.map((t) => t.params), [{ x: 0, y: 0.5 }, { x: 0.1, y: 0.5 }, { x: 0.2, y: 0.5 }]);
  assert.equal(after, [[0, 'complete', [0.5]], [1, 'complete', [0.6]], [2, 'complete', [0.7]]]);
});

test('a sampler returning a value outside the distribution is an error naming the parameter', async () => {
  const sampler: Sampler = { inferRelativeSearchSpace: () => ({}), sampleRelative: () => ({}), sampleIndependent: () => 7 };
  const study = await createStudy({ sampler });
  const t = await study.ask();
  assert.throws(() => t.suggestFloat('x', 0, 1), /sampler\('x'\): expected a value in float \[0, 1\], got 7/);
});

test('nJobs runs trials concurrently; numbers stay dense and unique; callbacks see each trial; stop() ends the run', async () => {
  const study = await createStudy();
  let running = 0, most = 0;
  const told: number[] = [];
  await study.optimize(async (t) => {
    running++;
    most = Math.max(most, running);
    await new Promise((r) => setTimeout(r, 2));
    running--;
    return t.suggestFloat('x', 0, 1);
  }, { nTrials: 20, nJobs: 4, callbacks: [(_s, t) => void told.push(t.number)] });
  assert.is(most, 4);
  assert.equal(study.trials.map((t) => t.number), Array.from({ length: 20 }, (_, i) => i));
  assert.equal([...told].sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i));
  await study.optimize((t) => t.suggestFloat('x', 0, 1), { callbacks: [(s, t) => { if (t.number === 24) s.stop(); }] });
  assert.is(study.trials.length, 25);
});

test('showProgressBar writes one line per finished trial to stderr, with the best so far', async () => {
  const study = await createStudy({ studyName: 'progress' });
  let err = '';
  const write = process.stderr.write.bind(process.stderr);
  (process.stderr as any).write = (s: string) => ((err += s), true);
  try {
    await study.optimize((t) => t.suggestInt('n', 1, 1), { nTrials: 2, showProgressBar: true });
  } finally {
    (process.stderr as any).write = write;
  }
  assert.equal(err.trim().split('\n'), [
    '[progress] trial 0 complete value 1; best 1 (trial 0) (1/2)',
    '[progress] trial 1 complete value 1; best 1 (trial 0) (2/2)',
  ]);
});

test('timeout ends a run that has no nTrials after the trial running when it passes', async () => {
  const study = await createStudy();
  await study.optimize(async () => new Promise<number>((r) => setTimeout(() => r(1), 20)), { timeout: 0.05 });
  assert.ok(study.trials.length >= 1);
  assert.ok(study.trials.every((t) => t.state === 'complete'));
});

test('bad optimize options and a bestTrial before any complete trial are clear errors', async () => {
  const study = await createStudy({ studyName: 'opts' });
  await rejects(() => study.optimize(quadratic, { nTrials: 0 }), /optimize: expected nTrials an integer >= 1, got 0/);
  await rejects(() => study.optimize(quadratic, { nTrials: NaN }), /got NaN/);
  await rejects(() => study.optimize(quadratic, { timeout: -1 }), /expected timeout > 0 seconds, got -1/);
  await rejects(() => study.optimize(quadratic, { nJobs: 0 }), /expected nJobs an integer >= 1 or -1, got 0/);
  await rejects(() => study.optimize(quadratic, { ntrials: 3 } as never), /unknown option 'ntrials'/);
  await rejects(() => study.optimize('f' as never), /expected an objective function/);
  assert.throws(() => study.bestTrial, /bestTrial: expected at least one complete trial in study 'opts', got none of 0/);
  assert.is(study.trials.length, 0);
});

test('createStudy: a taken name is an error unless loadIfExists; loadStudy, summaries and deleteStudy', async () => {
  const storage = new InMemoryStorage();
  const a = await createStudy({ studyName: 's', storage, direction: 'maximize' });
  await a.optimize((t) => t.suggestFloat('x', 0, 1), { nTrials: 3 });
  await rejects(() => createStudy({ studyName: 's', storage }), (e: unknown) => e instanceof DuplicatedStudyError && /a study named 's' already exists/.test((e as Error).message));
  await rejects(() => createStudy({ studyName: 's', storage, direction: 'minimize', loadIfExists: true }), /expected direction 'maximize' of the existing study 's', got 'minimize'/);
  const b = await createStudy({ studyName: 's', storage, loadIfExists: true });
  assert.is(b.trials.length, 3);
  assert.is(b.direction, 'maximize');
  const c = await loadStudy({ studyName: 's', storage });
  assert.is(c.bestValue, a.bestValue);
  await rejects(() => loadStudy({ studyName: 'nope', storage }), /loadStudy: expected an existing study name in memory, got 'nope'/);
  await createStudy({ studyName: 'other', storage });
  const summaries = await getAllStudySummaries(storage);
  assert.equal(summaries.map((s) => [s.studyName, s.nTrials, s.bestTrial?.value ?? null]), [['s', 3, a.bestValue], ['other', 0, null]]);
  await deleteStudy({ studyName: 'other', storage });
  await rejects(() => deleteStudy({ studyName: 'other', storage }), /deleteStudy: expected an existing study name, got 'other'/);
  assert.is((await getAllStudySummaries(storage)).length, 1);
});

test('a study without a sampler or pruner uses Optuna\'s defaults: TPE and the median rule', async () => {
  const study = await createStudy();
  assert.instance(study.sampler, TPESampler);
  assert.instance(study.pruner, MedianPruner);
});

test('createStudy refuses bad options and malformed storage URLs', async () => {
  await rejects(() => createStudy({ direction: 'down' as never }), /createStudy: expected direction 'minimize' or 'maximize', got "down"/);
  await rejects(() => createStudy({ sampler: {} as never }), /createStudy: expected a sampler with inferRelativeSearchSpace, sampleRelative, sampleIndependent/);
  await rejects(() => createStudy({ pruner: 3 as never }), /expected a pruner with prune, got number/);
  await rejects(() => createStudy({ storage: 'mysql://x/y' }), /storage: expected a URL starting with sqlite:\/\/\/ or postgresql:\/\/, got 'mysql:\/\/x\/y'/);
  await rejects(() => createStudy({ storage: 'sqlite://x.db' }), /storage: expected 'sqlite:\/\/\/path\/to\/file.db', got 'sqlite:\/\/x.db'/);
  await rejects(() => createStudy({ storage: 'postgresql://u:secret@/db' }), (e: unknown) => /postgresql:\/\/u:\*\*\*@/.test((e as Error).message) && !/secret/.test((e as Error).message));
});

test('trials export to CSV (Optuna trials_dataframe columns) and JSON', async () => {
  const study = await createStudy();
  await study.enqueueTrial({ opt: 'a,b' });
  await study.optimize((t) => {
    t.setUserAttr('k', 1);
    t.report(0.5, 0);
    return t.suggestCategorical('opt', ['a,b', 'c']) === 'c' ? 1 : 2;
  }, { nTrials: 2 });
  const lines = study.trialsToCsv().trim().split('\n');
  assert.is(lines[0], 'number,value,datetime_start,datetime_complete,duration,params_opt,user_attrs_k,state');
  assert.match(lines[1], /^0,2,\d{4}-.*,"a,b",1,complete$/);
  assert.is(lines.length, 3);
  const json = JSON.parse(study.trialsToJson());
  assert.is(json.length, 2);
  assert.equal(json[0].params, { opt: 'a,b' });
  assert.equal(json[0].intermediateValues, { 0: 0.5 });
  assert.is(json[0].state, 'complete');
});

test('JSON export writes NaN and the infinities as "NaN", "Infinity", "-Infinity": values, intermediate values, parameters, choices', async () => {
  const study = await createStudy();
  await study.optimize((t) => {
    t.report(NaN, 0);
    t.report(-Infinity, 1);
    return t.suggestCategorical('c', [Infinity, 1]) === Infinity ? -Infinity : 0;
  }, { nTrials: 1 });
  await study.enqueueTrial({ c: Infinity });
  await study.optimize((t) => (t.suggestCategorical('c', [Infinity, 1]), -Infinity), { nTrials: 1 });
  const [, t1] = JSON.parse(study.trialsToJson());
  assert.equal([t1.value, t1.params, t1.distributions.c.choices], ['-Infinity', { c: 'Infinity' }, ['Infinity', 1]]);
  assert.equal(JSON.parse(study.trialsToJson())[0].intermediateValues, { 0: 'NaN', 1: '-Infinity' });
});

const seeds = suite('sampler seeds: repeatable alone, different side by side');

seeds('two workers with the same seed on one study propose different points; one worker repeats itself trial for trial', async () => {
  const storage = new InMemoryStorage();
  const a = await createStudy({ studyName: 's', storage, sampler: defaultSampler(42) });
  const b = await loadStudy({ studyName: 's', storage, sampler: defaultSampler(42) });
  const xs: number[] = [];
  for (let i = 0; i < 8; i++) {
    // the two interleave, as two processes started together do
    for (const study of [a, b]) {
      const trial = await study.ask();
      xs.push(trial.suggestFloat('x', 0, 1));
      await study.tell(trial, xs[xs.length - 1]);
    }
  }
  assert.is(new Set(xs).size, 16, `proposed twice: ${xs.filter((x, i) => xs.indexOf(x) !== i).join(', ')}`);
  const alone = async () => {
    const s = await createStudy({ sampler: defaultSampler(42) });
    await s.optimize(quadratic, { nTrials: 14 });
    return s.trials.map((t) => t.params);
  };
  assert.equal(await alone(), await alone());
});

seeds('suggestFloat(-1e308, 1e308) spreads over the whole range (high - low overflows): random search and TPE', async () => {
  for (const sampler of [new RandomSampler({ seed: 3 }), new TPESampler({ seed: 3 })]) {
    const study = await createStudy({ sampler });
    await study.optimize((t) => Math.abs(t.suggestFloat('x', -1e308, 1e308) - 5e307) / 1e300, { nTrials: 30 });
    const xs = study.trials.map((t) => t.params.x as number);
    assert.ok(study.trials.every((t) => t.state === 'complete'), String(study.trials.map((t) => t.systemAttrs.failReason)));
    assert.ok(xs.every((x) => x >= -1e308 && x < 1e308), xs.join());
    assert.ok(xs.some((x) => x < 0) && xs.some((x) => x > 0), xs.join());
    assert.ok(new Set(xs).size === 30, xs.join());
  }
});

seeds.run();

const interrupts = suite('interrupt: a signal handler ends the running trials as failed');

interrupts('interrupt() fails every running trial with the reason, drops their results, and optimize returns', async () => {
  const study = await createStudy();
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  let started = 0;
  const run = study.optimize(async (t) => {
    t.suggestFloat('x', 0, 1);
    started++;
    await gate;
    return 1;
  }, { nTrials: 10, nJobs: 2 });
  while (started < 2) await new Promise((r) => setTimeout(r, 5));
  const failed = await study.interrupt('interrupted by SIGINT');
  release();
  await run;
  assert.equal(failed.map((t) => t.number), [0, 1]);
  assert.equal(study.trials.map((t) => [t.state, t.systemAttrs.failReason]), [
    ['fail', 'trial 0: interrupted by SIGINT'], ['fail', 'trial 1: interrupted by SIGINT'],
  ]);
  await study.optimize((t) => t.suggestFloat('x', 0, 1), { nTrials: 1 }); // a later run starts afresh
  assert.is(study.trials[2].state, 'complete');
});

interrupts.run();

test.run();
