// Many workers on one study: worker threads in one process, and separate processes on one SQLite file or one
// PostgreSQL database; a worker killed mid-trial; a PostgreSQL server restarted under running workers.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createStudy, loadStudy, InMemoryStorage, type Study } from '../../src/index.js';
import { freshPostgresDatabase } from '../helpers/postgres.js';
import { ownPostgres, rejects } from './helpers.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const script = fileURLToPath(new URL('./workers/process-worker.ts', import.meta.url));
const objectives = new URL('./workers/objective.ts', import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'lrlab-parallel-'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function worker(args: string[], env: Record<string, string> = {}): { child: ChildProcess; out: () => string; exit: Promise<number | null>; line: (re: RegExp) => Promise<string> } {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '', err = '';
  const waiters: [RegExp, (s: string) => void][] = [];
  child.stdout!.on('data', (b) => {
    out += b;
    for (const [re, resolve] of waiters) {
      const m = re.exec(out);
      if (m) resolve(m[0]);
    }
  });
  child.stderr!.on('data', (b) => (err += b));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => {
    if (code !== 0 && code !== null) console.error(err);
    resolve(code);
  }));
  const line = (re: RegExp) => new Promise<string>((resolve, reject) => {
    const m = re.exec(out);
    if (m) resolve(m[0]);
    waiters.push([re, resolve]);
    void exit.then((code) => reject(new Error(`worker exited (${code}) before printing ${re}: ${err}`)));
  });
  return { child, out: () => out, exit, line };
}

const pg = await freshPostgresDatabase();
const targets: [string, string | null, string][] = [
  ['SQLite', `sqlite:///${join(dir, 'shared.db')}`, ''],
  ['PostgreSQL', 'skip' in pg ? null : pg.url, 'skip' in pg ? pg.skip : ''],
];

for (const [kind, url, why] of targets) {
  const test = suite(`several processes on one ${kind} study`);
  if (url === null) {
    test(`${kind} multi-process tests skipped: ${why}`, () => {
      console.log(`  skipped: ${kind} multi-process tests (${why})`);
      assert.ok(true);
    });
    test.run();
    continue;
  }

  test('two processes complete 200 trials together: none lost, none duplicated, numbers 0..199, no parameter proposed twice', async () => {
    // both start their trials at the same moment, as two shells started together would
    const go = { START_AT: String(Date.now() + 4000) };
    const a = worker([url, 'shared-200', '100', 'run'], go);
    const b = worker([url, 'shared-200', '100', 'run'], go);
    assert.equal(await Promise.all([a.exit, b.exit]), [0, 0]);
    const study = await loadStudy({ studyName: 'shared-200', storage: url });
    const trials = study.trials;
    assert.is(trials.length, 200);
    assert.equal(trials.map((t) => t.number), Array.from({ length: 200 }, (_, i) => i));
    assert.is(new Set(trials.map((t) => t.trialId)).size, 200);
    assert.ok(trials.every((t) => t.state === 'complete' && t.value === t.params.x));
    // both run the default sampler, unseeded, as two shells would: they must not propose each other's points
    const xs = trials.map((t) => t.params.x as number);
    const repeated = xs.filter((x, i) => xs.indexOf(x) !== i);
    assert.is(repeated.length, 0, `${repeated.length} parameter values proposed twice, e.g. ${repeated.slice(0, 3).join(', ')}`);
    // both processes took part (each ran its own 100)
    assert.ok(a.out().includes('done') && b.out().includes('done'));
    await study.storage.close();
  });

  test('a worker killed mid-trial: its trial beats while the thread is blocked, is failed after the grace period, and retried', async () => {
    const name = 'killed';
    const w = worker([url, name, '1', 'hang']);
    const started = await w.line(/started \d+/);
    assert.is(started, 'started 0');
    const heartbeat = { heartbeatInterval: 0.2, gracePeriod: 3, maxRetry: 1 };
    const watcher = await loadStudy({ studyName: name, storage: url, heartbeat });
    // alive (its main thread blocked, its heartbeat thread beating): past the grace period it is still running
    await sleep(4000);
    assert.equal(await watcher.storage.failStaleTrials((watcher as unknown as { studyId: number }).studyId), []);
    await watcher.refresh();
    assert.is(watcher.trials[0].state, 'running');
    w.child.kill('SIGKILL');
    await w.exit;
    await sleep(4000);
    // the next ask in any worker marks it failed, enqueues its retry and runs it
    await watcher.optimize((t) => t.suggestFloat('x', 0, 1), { nTrials: 1 });
    const [dead, retry] = watcher.trials;
    assert.equal([dead.state, retry.state, watcher.trials.length], ['fail', 'complete', 2]);
    assert.match(String(dead.systemAttrs.failReason), /no heartbeat for more than 3 s/);
    assert.equal([...dead.intermediateValues], [[0, 0.5]]);
    assert.is(retry.params.x, dead.params.x);
    assert.equal(retry.systemAttrs.retryHistory, [0]);
    await watcher.storage.close();
  });

  test.run();
}

// A server of this suite's own, so that stopping it disturbs no other suite.
const own = await ownPostgres();
const restart = suite('workers on a PostgreSQL server that restarts');
if ('skip' in own) {
  restart(`PostgreSQL restart tests skipped: ${own.skip}`, () => {
    console.log(`  skipped: the PostgreSQL restart tests (${own.skip})`);
    assert.ok(true);
  });
} else {
  const outage = async () => {
    own.stop();
    await sleep(1000);
    own.start();
  };

  restart('a worker with heartbeats rides out a 1 s outage mid-run: exit 0, every trial complete, none left running', async () => {
    const w = worker([own.url, 'outage', '30', 'slow']);
    await w.line(/trial 4\n/);
    await outage();
    assert.is(await w.exit, 0);
    const study = await loadStudy({ studyName: 'outage', storage: own.url });
    assert.equal(study.trials.map((t) => t.number), Array.from({ length: 30 }, (_, i) => i));
    assert.ok(study.trials.every((t) => t.state === 'complete' && t.intermediateValues.size === 5), study.trials.map((t) => t.state).join());
    await study.storage.close();
  });

  restart('heartbeats resume after the outage: a live trial is not failed by another worker once the grace period has passed', async () => {
    const w = worker([own.url, 'beats', '1', 'hang', '3']);
    assert.is(await w.line(/started \d+/), 'started 0');
    const watcher = await loadStudy({ studyName: 'beats', storage: own.url, heartbeat: { heartbeatInterval: 0.2, gracePeriod: 3 } });
    try {
      await outage();
      await sleep(4000); // more than the grace period since the outage: only fresh heartbeats keep the trial alive
      assert.equal(await watcher.storage.failStaleTrials(watcher.studyId), []);
      await watcher.refresh();
      assert.is(watcher.trials[0].state, 'running');
    } finally {
      w.child.kill('SIGKILL');
      await w.exit;
      await watcher.storage.close();
    }
  });
}
restart.run();

// `lrlab tune` as a user starts it, in a process of its own
function tune(args: string[]): { child: ChildProcess; err: () => string; out: () => string; exit: Promise<[number | null, string | null]>; line: (re: RegExp) => Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repo, 'src', 'cli', 'main.ts'), 'tune', '--backend', 'cpu', '--quiet', ...args], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  child.stdout!.on('data', (b) => (out += b));
  child.stderr!.on('data', (b) => (err += b));
  const exit = new Promise<[number | null, string | null]>((resolve) => child.on('exit', (code, signal) => resolve([code, signal])));
  const line = async (re: RegExp) => {
    while (!re.test(out + err)) {
      if (child.exitCode !== null) throw new Error(`lrlab tune exited (${child.exitCode}) before printing ${re}: ${err}`);
      await sleep(20);
    }
  };
  return { child, err: () => err, out: () => out, exit, line };
}

/** The study once `ready` holds for it, polled while `w` runs; an error when `w` ends first. */
async function studyWhen(w: ReturnType<typeof tune>, storage: string, studyName: string, ready: (s: Study) => boolean): Promise<Study> {
  for (;;) {
    if (w.child.exitCode !== null || w.child.signalCode !== null) throw new Error(`lrlab tune ended (${w.child.exitCode ?? w.child.signalCode}) first: ${w.err()}`);
    try {
      const s = await loadStudy({ studyName, storage });
      if (ready(s)) return s;
      await s.storage.close();
    } catch {
      // not created yet
    }
    await sleep(50);
  }
}

const cli = suite('lrlab tune stopped by a signal or killed: no trial left running');

cli('Ctrl-C (SIGINT): the trial in progress is recorded, no new one starts, the report so far is written, exit 130', async () => {
  const storage = `sqlite:///${join(dir, 'cli-sigint.db')}`, out = join(dir, 'sigint-report');
  const w = tune(['--storage', storage, '--study', 'sigint', '--n-trials', '40', '--epochs', '8', '--out', out, '--seed', '1']);
  const study = await studyWhen(w, storage, 'sigint', (s) => s.trials.some((t) => t.state !== 'running'));
  w.child.kill('SIGINT');
  assert.equal(await w.exit, [130, null], w.err());
  assert.match(w.err(), /lrlab tune: SIGINT: stopping: no new trial starts, a trial still running ends as failed, and the report so far is written/);
  await study.refresh();
  assert.ok(study.trials.length < 40, `${study.trials.length} trials`);
  assert.equal(study.getTrials({ states: ['running'] }), []);
  const report = JSON.parse(readFileSync(join(out, 'trials.json'), 'utf8'));
  assert.equal(report.trials.map((t: { number: number }) => t.number), study.trials.map((t) => t.number));
  assert.match(w.out(), new RegExp(`study 'sigint' .*: ${study.trials.length} trials`));
  await study.storage.close();
});

cli('--heartbeat: a worker killed outright (kill -9) has its trial failed by the next worker; bad values are refused', async () => {
  const storage = `sqlite:///${join(dir, 'cli-kill.db')}`;
  const w = tune(['--storage', storage, '--study', 'kill', '--n-trials', '40', '--epochs', '200', '--heartbeat', '0.2', '--out', join(dir, 'kill-report')]);
  const watcher = await studyWhen(w, storage, 'kill', (s) => s.trials.length > 0);
  await sleep(600); // a few beats of the first trial (200 epochs take seconds)
  w.child.kill('SIGKILL');
  await w.exit;
  await watcher.refresh();
  assert.equal(watcher.trials.map((t) => t.state), ['running']);
  await sleep(700); // past the grace period of 2 x 0.2 s
  const next = tune(['--storage', storage, '--study', 'kill', '--n-trials', '1', '--epochs', '1', '--heartbeat', '0.2', '--out', join(dir, 'kill-report')]);
  assert.equal(await next.exit, [0, null], next.err());
  await watcher.refresh();
  assert.equal(watcher.trials.map((t) => t.state).slice(0, 1), ['fail']);
  assert.match(String(watcher.trials[0].systemAttrs.failReason), /no heartbeat for more than 0.4 s/);
  assert.equal(watcher.getTrials({ states: ['running'] }), []);
  await watcher.storage.close();
  for (const [value, re] of [['0', /--heartbeat expects seconds > 0, got '0'/], ['soon', /--heartbeat expects seconds > 0, got 'soon'/]] as const) {
    const bad = tune(['--storage', storage, '--study', 'kill', '--heartbeat', value]);
    assert.equal(await bad.exit, [2, null]);
    assert.match(bad.err(), re);
  }
  const memory = tune(['--heartbeat', '1']);
  assert.equal(await memory.exit, [2, null]);
  assert.match(memory.err(), /lrlab tune: --heartbeat needs --storage/);
});

cli.run();

const threads = suite('nJobs with an objective module: worker threads on a shared storage');

threads('12 trials over 3 threads: all complete, numbers dense, all run in worker threads', async () => {
  const study = await createStudy({ studyName: 'threads', storage: `sqlite:///${join(dir, 'threads.db')}` });
  let seen = 0;
  await study.optimize({ module: objectives }, { nTrials: 12, nJobs: 3, callbacks: [() => void seen++] });
  assert.is(study.trials.length, 12);
  assert.equal(study.trials.map((t) => t.number), Array.from({ length: 12 }, (_, i) => i));
  assert.ok(study.trials.every((t) => t.state === 'complete'));
  assert.is(seen, 12);
  // every trial ran off the main thread (threadId 0), in at most 3 threads; how the 12 spread over them is up to
  // the scheduler (usually 4 each), so the test does not count on it
  const threadIds = new Set(study.trials.map((t) => t.userAttrs.threadId as number));
  assert.ok(!threadIds.has(0) && threadIds.size >= 1 && threadIds.size <= 3, `threads ${[...threadIds]}`);
  assert.is(study.bestValue, Math.min(...study.trials.map((t) => t.value!)));
  await study.storage.close();
});

threads('an objective that throws in a thread fails its trial and is re-thrown; a study in memory is refused', async () => {
  const study = await createStudy({ studyName: 'threads-fail', storage: `sqlite:///${join(dir, 'threads.db')}` });
  await rejects(() => study.optimize({ module: objectives, exportName: 'failing' }, { nTrials: 5, nJobs: 1 }), /the third trial broke/);
  assert.equal(study.trials.map((t) => t.state), ['complete', 'complete', 'fail']);
  assert.match(String(study.trials[2].systemAttrs.failReason), /RangeError: the third trial broke/);
  await rejects(() => study.optimize({ module: objectives, exportName: 'nothing' }, { nTrials: 1 }), /expected module .* to export a function 'nothing', got undefined/);
  const memory = await createStudy({ storage: new InMemoryStorage() });
  await rejects(() => memory.optimize({ module: objectives }, { nTrials: 1, nJobs: 2 }), /optimize: expected a SQLite or PostgreSQL storage for an objective module/);
  await study.storage.close();
});

threads('an objective that calls process.exit or never settles: optimize fails naming the thread and the trial, which is failed, not left running', async () => {
  const study = await createStudy({ studyName: 'threads-exit', storage: `sqlite:///${join(dir, 'threads.db')}` });
  await rejects(() => study.optimize({ module: objectives, exportName: 'exits' }, { nTrials: 4, nJobs: 1 }),
    /^optimize: worker thread 0 exited during trial 1 with code 3 \(the objective called process.exit, or returned a promise that never settles\)$/);
  assert.equal(study.trials.map((t) => t.state), ['complete', 'fail']);
  assert.match(String(study.trials[1].systemAttrs.failReason), /^trial 1: worker thread 0 exited during trial 1 with code 3/);
  const hung = await createStudy({ studyName: 'threads-never', storage: `sqlite:///${join(dir, 'threads.db')}` });
  await rejects(() => hung.optimize({ module: objectives, exportName: 'neverSettles' }, { nTrials: 3, nJobs: 2 }), /^optimize: worker thread [01] exited during trial [01] with code \d+/);
  assert.ok(hung.trials.length >= 1 && hung.trials.every((t) => t.state === 'fail'), hung.trials.map((t) => t.state).join());
  await study.storage.close();
  await hung.storage.close();
});

threads.after(() => rmSync(dir, { recursive: true, force: true }));
threads.run();
