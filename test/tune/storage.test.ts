// One storage suite, run against every storage: in memory, a SQLite file, and a throwaway PostgreSQL database
// (skipped, with the reason printed, when no server can be started).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  InMemoryStorage, createStudy, loadStudy, deleteStudy, getAllStudySummaries, DuplicatedStudyError, UpdateFinishedTrialError,
  floatDistribution, categoricalDistribution, type Storage, type HeartbeatOptions,
} from '../../src/index.js';
import { SqliteStorage } from '../../src/tune/storage/sqlite.js';
import { PostgresStorage } from '../../src/tune/storage/postgres.js';
import { StorageError, redact } from '../../src/tune/storage/base.js';
import { freshPostgresDatabase } from '../helpers/postgres.js';
import { ownPostgres, rejects } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'lrlab-storage-'));
let files = 0;
const pgDb = await freshPostgresDatabase();

type Make = (options?: HeartbeatOptions) => Promise<Storage>;
const kinds: [string, Make | string][] = [
  ['memory', async (o) => new InMemoryStorage(o)],
  ['sqlite', async (o) => SqliteStorage.open(join(dir, `s${++files}.db`), o)],
  ['postgresql', 'skip' in pgDb ? pgDb.skip : async (o) => PostgresStorage.open((pgDb as { url: string }).url, o)],
];
let names = 0;
const fresh = (base: string) => `${base}-${++names}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const [kind, make] of kinds) {
  const test = suite(`storage (${kind}): studies and trials, atomic and dense`);
  if (typeof make === 'string') {
    test(`PostgreSQL tests skipped: ${make}`, () => {
      console.log(`  skipped: the PostgreSQL storage suite (${make})`);
      assert.ok(true);
    });
    test.run();
    continue;
  }
  const opened: Storage[] = [];
  const open: Make = async (o) => {
    const s = await make(o);
    opened.push(s);
    return s;
  };
  test.after(async () => {
    for (const s of opened) await s.close();
  });

  test('a study is created once; a taken name is a DuplicatedStudyError; find, summaries and delete', async () => {
    const s = await open();
    const name = fresh('study');
    const id = await s.createStudy(name, ['maximize']);
    await rejects(() => s.createStudy(name, ['minimize']), (e) => e instanceof DuplicatedStudyError && /already exists/.test((e as Error).message));
    assert.equal(await s.findStudy(name), { studyId: id, directions: ['maximize'] });
    assert.is(await s.findStudy(fresh('none')), null);
    const t = await s.createTrial(id, { state: 'running' });
    await s.finishTrial(t.trialId, { state: 'complete', values: [3], params: {}, distributions: {}, intermediateValues: new Map(), userAttrs: {}, systemAttrs: {} });
    const summary = (await s.getAllStudySummaries()).find((x) => x.studyName === name)!;
    assert.equal([summary.direction, summary.directions, summary.nTrials, summary.bestTrial?.value], ['maximize', ['maximize'], 1, 3]);
    await s.setStudyUserAttr(id, 'metric', 'rmse');
    assert.equal(await s.getStudyUserAttrs(id), { metric: 'rmse' });
    await s.deleteStudy(name);
    assert.is(await s.findStudy(name), null);
    await rejects(() => s.deleteStudy(name), /deleteStudy: expected an existing study name, got/);
  });

  test('trial numbers are dense and unique when 40 trials are created at once', async () => {
    const s = await open();
    const id = await s.createStudy(fresh('dense'), ['minimize']);
    const trials = await Promise.all(Array.from({ length: 40 }, () => s.createTrial(id, { state: 'running' })));
    assert.equal(trials.map((t) => t.number).sort((a, b) => a - b), Array.from({ length: 40 }, (_, i) => i));
    assert.is(new Set(trials.map((t) => t.trialId)).size, 40);
    const other = await s.createStudy(fresh('dense'), ['minimize']);
    assert.is((await s.createTrial(other, { state: 'running' })).number, 0);
  });

  test('a waiting trial is handed to exactly one of many concurrent pops, oldest first', async () => {
    const s = await open();
    const id = await s.createStudy(fresh('pop'), ['minimize']);
    for (let i = 0; i < 5; i++) await s.createTrial(id, { state: 'waiting', systemAttrs: { fixedParams: { i } } });
    const popped = await Promise.all(Array.from({ length: 9 }, () => s.popWaitingTrial(id)));
    const got = popped.filter((t) => t !== null);
    assert.is(got.length, 5);
    assert.equal(got.map((t) => t!.number).sort(), [0, 1, 2, 3, 4]);
    assert.ok(got.every((t) => t!.state === 'running' && t!.datetimeStart !== null));
    assert.is(await s.popWaitingTrial(id), null);
  });

  test('finishTrial records everything at once, values round-trip exactly; a second finish changes nothing', async () => {
    const s = await open();
    const id = await s.createStudy(fresh('finish'), ['minimize']);
    const t = await s.createTrial(id, { state: 'running' });
    const lr = floatDistribution('lr', 1e-5, 1, { log: true });
    const opt = categoricalDistribution('opt', ['adam', null, true, 3]);
    await s.setTrialParam(t.trialId, 'lr', lr, 0.1 + 0.2);
    await s.setTrialIntermediateValue(t.trialId, 0, NaN);
    await s.setTrialUserAttr(t.trialId, 'a', { nested: [1, 'x'] });
    const mid = await s.getTrial(t.trialId);
    assert.equal(mid.params, { lr: 0.1 + 0.2 });
    assert.ok(Number.isNaN(mid.intermediateValues.get(0)));
    const record = {
      state: 'complete' as const, values: [1 / 3], params: { lr: 0.1 + 0.2, opt: null }, distributions: { lr, opt },
      intermediateValues: new Map([[0, Infinity], [5, -1e-300]]), userAttrs: { a: { nested: [1, 'x'] } }, systemAttrs: { failReason: null },
    };
    const done = await s.finishTrial(t.trialId, record);
    assert.equal([done.state, done.value, done.params, done.distributions], ['complete', 1 / 3, record.params, record.distributions]);
    assert.equal([...done.intermediateValues], [[0, Infinity], [5, -1e-300]]);
    assert.equal(done.userAttrs, record.userAttrs);
    assert.ok(done.datetimeComplete!.getTime() >= done.datetimeStart!.getTime());
    await rejects(() => s.finishTrial(t.trialId, { ...record, values: [0] }), (e) => e instanceof UpdateFinishedTrialError && /trial 0 is complete/.test((e as Error).message));
    await rejects(() => s.setTrialParam(t.trialId, 'lr', lr, 0.5), /trial 0 is complete, so it(s parameters)? cannot be changed/);
    await rejects(() => s.setTrialIntermediateValue(t.trialId, 9, 1), /cannot be changed/);
    assert.equal(await s.getTrial(t.trialId), done);
    assert.equal(await s.getAllTrials(id), [done]);
  });

  test('a trial whose heartbeat stopped is failed after the grace period and retried with its parameters', async () => {
    const s = await open({ heartbeatInterval: 0.2, gracePeriod: 1, maxRetry: 1 });
    const id = await s.createStudy(fresh('beat'), ['minimize']);
    const dead = await s.createTrial(id, { state: 'running' });
    const quiet = await s.createTrial(id, { state: 'running' }); // never beats: left alone (as Optuna does)
    await s.setTrialParam(dead.trialId, 'x', floatDistribution('x', 0, 1), 0.25);
    await s.recordHeartbeat(dead.trialId);
    assert.equal(await s.failStaleTrials(id), []); // within the grace period
    // Optuna's schema keeps heartbeats in whole seconds (Optuna compares whole seconds), so a stamp may be up to 1 s
    // earlier than the beat: stale means older than grace + 1 s by the stamp
    await sleep(2100);
    const alive = await s.createTrial(id, { state: 'running' });
    await s.recordHeartbeat(alive.trialId);
    const failed = await s.failStaleTrials(id);
    assert.equal(failed.map((t) => [t.number, t.state]), [[0, 'fail']]);
    assert.match(String(failed[0].systemAttrs.failReason), /no heartbeat for more than 1 s/);
    const all = await s.getAllTrials(id);
    assert.equal(all.map((t) => [t.number, t.state]), [[0, 'fail'], [1, 'running'], [2, 'running'], [3, 'waiting']]);
    assert.equal(all[3].systemAttrs, { fixedParams: { x: 0.25 }, failedTrial: 0, retryHistory: [0] });
    assert.is(quiet.number, 1);
    // the dead worker, if it comes back, cannot overwrite the verdict
    await rejects(() => s.finishTrial(dead.trialId, { state: 'complete', values: [1], params: {}, distributions: {}, intermediateValues: new Map(), userAttrs: {}, systemAttrs: {} }), /trial 0 is fail/);
  });

  test('a Study on this storage: optimize, reload with loadStudy and loadIfExists, nothing lost; a taken name changes nothing', async () => {
    const storage = await open();
    const name = fresh('study');
    const study = await createStudy({ studyName: name, storage });
    await study.optimize((t) => (t.suggestFloat('x', -1, 1) - 0.5) ** 2 + (t.suggestCategorical('c', ['a', 'b']) === 'a' ? 0 : 0.1), { nTrials: 12, nJobs: 3 });
    await rejects(() => createStudy({ studyName: name, storage }), /already exists/);
    const again = await loadStudy({ studyName: name, storage });
    assert.equal(again.trials, study.trials);
    assert.is(again.bestValue, study.bestValue);
    const resumed = await createStudy({ studyName: name, storage, loadIfExists: true });
    await resumed.optimize((t) => t.suggestFloat('x', -1, 1) ** 2, { nTrials: 3 });
    await study.refresh();
    assert.equal(study.trials.map((t) => t.number), Array.from({ length: 15 }, (_, i) => i));
    assert.equal(study.trials.slice(0, 12), again.trials);
  });

  test('Infinity, -Infinity and NaN come back exactly: a categorical choice of Infinity, a value of -Infinity, a retry\'s fixed parameters', async () => {
    const storage = await open();
    const study = await createStudy({ studyName: fresh('inf'), storage });
    const choices = [Infinity, -Infinity, 'Infinity', 0];
    // every trial suggests the same categorical: the study's known distribution must match it trial after trial
    await study.optimize((t) => {
      const c = t.suggestCategorical('c', choices);
      return typeof c === 'number' ? -c : 1;
    }, { nTrials: 8 });
    assert.equal(study.trials.map((t) => t.state), Array(8).fill('complete'));
    assert.equal(study.trials[0].distributions.c, { type: 'categorical', choices });
    for (const t of study.trials) assert.ok(choices.includes(t.params.c as never), `trial ${t.number}: ${String(t.params.c)}`);
    const values = study.trials.map((t) => t.value);
    if (values.includes(-Infinity)) assert.is(study.bestValue, -Infinity);
    // a waiting trial fixed to Infinity (an enqueued one, or a dead worker's retry) keeps it
    await study.enqueueTrial({ c: Infinity });
    await study.optimize((t) => (t.suggestCategorical('c', choices) === Infinity ? -Infinity : 5), { nTrials: 1 });
    const last = study.trials[8];
    assert.equal([last.params.c, last.value, last.systemAttrs.fixedParams], [Infinity, -Infinity, { c: Infinity }]);
    assert.is(study.bestValue, -Infinity);
    const t = await storage.createTrial(study.studyId, { state: 'running', systemAttrs: { x: [NaN, Infinity] } });
    await storage.setTrialSystemAttr(t.trialId, 'y', -Infinity);
    assert.equal((await storage.getTrial(t.trialId)).systemAttrs, { x: [NaN, Infinity], y: -Infinity });
  });

  test('a trial asked by one worker can be told by number from another; both see the result', async () => {
    const storage = await open();
    const name = fresh('tell');
    const a = await createStudy({ studyName: name, storage });
    const b = await loadStudy({ studyName: name, storage });
    const trial = await a.ask();
    const x = trial.suggestFloat('x', 0, 1);
    await trial.flush();
    const told = await b.tell(trial.number, x + 1);
    assert.equal([told.state, told.value, told.params], ['complete', x + 1, { x }]);
    await a.refresh();
    assert.is(a.bestValue, x + 1);
    await rejects(() => a.tell(trial, 5), /trial 0 is complete/);
    assert.is(trial.state, 'complete'); // no longer running here: the storage's record stands
    await a.refresh();
    assert.is(a.trials[0].value, x + 1);
  });

  test.run();
}

const urls = suite('storage URLs: SQLite files and PostgreSQL servers, errors naming the URL');

urls('sqlite:/// opens a file, creating it; the study is there for the next process', async () => {
  const path = join(dir, 'url.db');
  const study = await createStudy({ studyName: 'u', storage: `sqlite:///${path}` });
  await study.optimize((t) => t.suggestInt('n', 0, 9), { nTrials: 4 });
  await study.storage.close();
  const back = await loadStudy({ studyName: 'u', storage: `sqlite:///${path}` });
  assert.equal(back.trials.map((t) => t.params), study.trials.map((t) => t.params));
  assert.equal((await getAllStudySummaries(`sqlite:///${path}`)).map((s) => s.studyName), ['u']);
  await deleteStudy({ studyName: 'u', storage: `sqlite:///${path}` });
  assert.equal(await getAllStudySummaries(`sqlite:///${path}`), []);
  await back.storage.close();
});

urls('a SQLite file in a missing directory, or a file that is not a database, is an error that leaves the file as it was', async () => {
  await rejects(() => createStudy({ storage: `sqlite:///${join(dir, 'no', 'such', 'dir.db')}` }), /storage: could not open 'sqlite:\/\/\/.*dir.db'/);
  const junk = join(dir, 'junk.db');
  writeFileSync(junk, 'not a database, just text '.repeat(100));
  await rejects(() => createStudy({ storage: `sqlite:///${junk}` }), /storage: could not (open|set up) 'sqlite:\/\/\/.*junk.db': file is not a database/);
  assert.is(readFileSync(junk, 'utf8'), 'not a database, just text '.repeat(100));
});

urls('an unreachable PostgreSQL server is an error naming the URL without its password', async () => {
  await rejects(
    () => createStudy({ storage: 'postgresql://me:hunter2@127.0.0.1:1/db' }),
    (e) => /storage: could not connect to 'postgresql:\/\/me:\*\*\*@127.0.0.1:1\/db': .*ECONNREFUSED/.test((e as Error).message) && !/hunter2/.test((e as Error).message),
  );
  await rejects(() => createStudy({ storage: 'postgresql://nohost' }), /storage: expected 'postgresql:\/\/user:pass@host:port\/db' with a host and a database, got 'postgresql:\/\/nohost'/);
});

urls('a password holding / or @ is hidden in every message, as written or percent-encoded', async () => {
  assert.is(redact('postgresql://me:pa/ss@host:5432/db'), 'postgresql://me:***@host:5432/db');
  assert.is(redact('postgresql://me:p@ss@host/db'), 'postgresql://me:***@host/db');
  assert.is(redact('postgresql://me:p%40s%2Fs@host/db'), 'postgresql://me:***@host/db');
  assert.is(redact('postgresql://me@host/db'), 'postgresql://me@host/db');
  for (const [url, secrets] of [
    ['postgresql://me:pa/ss@127.0.0.1:1/db', ['pa/ss', 'ss@127']],
    ['postgresql://me:p@ss@127.0.0.1:1/db', ['p@ss', 'ss@127']],
    ['postgresql://me:x/y@z@127.0.0.1:1/db', ['x/y', 'y@z', 'z@127']],
    ['postgresql://me:s3cr%2Fet@127.0.0.1:1/db', ['s3cr', 's3cr/et']],
  ] as const) {
    await rejects(() => createStudy({ storage: url }), (e) => {
      const m = (e as Error).message;
      assert.ok(/^storage: (could not connect to|expected) /.test(m) && /me:\*\*\*@/.test(m), m);
      for (const s of secrets) assert.not.ok(m.includes(s), `'${s}' in: ${m}`);
      return true;
    });
  }
});

urls('SQLite errors after opening (a corrupt page) are StorageErrors naming the URL', async () => {
  const path = join(dir, 'corrupt.db');
  const study = await createStudy({ studyName: 'c', storage: `sqlite:///${path}` });
  await study.optimize((t) => t.suggestFloat('x', 0, 1), { nTrials: 30 });
  await study.storage.close();
  // pages 2-4 (the tables' pages) overwritten; the header is intact, so the file opens
  const fd = openSync(path, 'r+');
  writeSync(fd, Buffer.alloc(3 * 4096, 0xa5), 0, 3 * 4096, 4096);
  closeSync(fd);
  await rejects(() => loadStudy({ studyName: 'c', storage: `sqlite:///${path}` }), (e) =>
    e instanceof StorageError && e.code === 'SQLITE_CORRUPT' &&
    /^storage sqlite:\/\/\/.*corrupt\.db: database disk image is malformed \(SQLITE_CORRUPT\)$/.test(e.message));
});

urls.after(() => rmSync(dir, { recursive: true, force: true }));
urls.run();

// A server of this suite's own, so that stopping it disturbs no other suite.
const own = await ownPostgres();
const restarts = suite('storage (postgresql): a server restart is waited out, a server that stays away is named');

if ('skip' in own) {
  restarts(`PostgreSQL restart tests skipped: ${own.skip}`, () => {
    console.log(`  skipped: the PostgreSQL restart tests (${own.skip})`);
    assert.ok(true);
  });
} else {
  restarts('calls made while the server restarts, or is down for a second, succeed once it is back', async () => {
    const s = await PostgresStorage.open(own.url, { reconnectTimeout: 30 });
    try {
      const id = await s.createStudy(fresh('restart'), ['minimize']);
      const t = await s.createTrial(id, { state: 'running' });
      await s.recordHeartbeat(t.trialId);
      own.restart();
      await s.recordHeartbeat(t.trialId); // the pool's connections died with the old server
      own.stop();
      const pending = Promise.all([
        s.setTrialParam(t.trialId, 'x', floatDistribution('x', 0, 1), 0.5),
        s.recordHeartbeat(t.trialId),
        s.getAllTrials(id),
      ]);
      await sleep(1000);
      own.start();
      await pending;
      const done = await s.finishTrial(t.trialId, { state: 'complete', values: [1], params: { x: 0.5 }, distributions: { x: floatDistribution('x', 0, 1) }, intermediateValues: new Map(), userAttrs: {}, systemAttrs: {} });
      assert.equal([done.state, done.params], ['complete', { x: 0.5 }]);
    } finally {
      await s.close();
    }
  });

  restarts('a server that stays away longer than reconnectTimeout: a StorageError naming the URL without the password', async () => {
    const url = own.url.replace('lrlab@', 'lrlab:hunter2@'); // trust authentication ignores the password
    const s = await PostgresStorage.open(url, { reconnectTimeout: 1 });
    try {
      const id = await s.createStudy(fresh('away'), ['minimize']);
      own.stop();
      const started = Date.now();
      await rejects(() => s.createTrial(id, { state: 'running' }), (e) => {
        const m = (e as Error).message;
        assert.ok(e instanceof StorageError, String(e));
        assert.match(m, /^storage postgresql:\/\/lrlab:\*\*\*@127\.0\.0\.1:\d+\/postgres: lost the connection to the server and did not come back within 1 s: /);
        assert.not.ok(m.includes('hunter2'), m);
        return true;
      });
      assert.ok(Date.now() - started < 5000, `gave up after ${Date.now() - started} ms`);
    } finally {
      own.start();
      await s.close();
    }
  });
}

restarts.run();
