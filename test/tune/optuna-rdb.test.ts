// lrlab's SQL storages in Optuna's own RDB schema, checked against Optuna 3.1 itself (Debian's python3-optuna, run
// through test/helpers/optuna_worker.py; those tests print why they skip when Python or Optuna is absent): a study
// lrlab writes opens in optuna.load_study with every field as lrlab stored it, a study Python writes opens in lrlab
// with every field as Optuna reads it, and a dead worker's trial is failed and retried across the two languages.
// Without Python: Python's JSON and Optuna's distribution_json read and written, another schema version refused.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { loadStudy, type FrozenTrial, type Storage, type TrialTemplate } from '../../src/index.js';
import { SqliteStorage } from '../../src/tune/storage/sqlite.js';
import { PostgresStorage } from '../../src/tune/storage/postgres.js';
import { distributionFromJson, distributionToJson, parsePythonJson, toPythonJson } from '../../src/tune/storage/optuna-json.js';
import { freshPostgresDatabase } from '../helpers/postgres.js';
import { rejects } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'lrlab-optuna-rdb-'));
const worker = fileURLToPath(new URL('../helpers/optuna_worker.py', import.meta.url));
const probe = spawnSync('/usr/bin/python3', ['-c', 'import optuna; assert optuna.__version__.startswith("3.1"), optuna.__version__'], { encoding: 'utf8' });
const noPython = probe.error ? `/usr/bin/python3 could not run (${probe.error.message})`
  : probe.status !== 0 ? `Optuna 3.1 is not importable by /usr/bin/python3 (${(probe.stderr || '').trim().split('\n').pop()})` : null;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs optuna_worker.py; its stdout, or an assertion failure with its stderr. */
function python(...args: string[]): string {
  const r = spawnSync('/usr/bin/python3', [worker, ...args], { encoding: 'utf8', timeout: 120000 });
  if (r.status !== 0) assert.unreachable(`optuna_worker.py ${args[0]} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

interface PyStudy { directions: string[]; userAttrs: Record<string, unknown>; bestValue: number | null; trials: PyTrial[] }
interface PyTrial {
  number: number; state: string; values: number[] | null; params: Record<string, unknown>; distributions: Record<string, unknown>;
  intermediateValues: [number, number][]; userAttrs: Record<string, unknown>; systemAttrs: Record<string, unknown>;
  datetimeStart: string | null; datetimeComplete: string | null;
}

const dump = (url: string, name: string): PyStudy => parsePythonJson(python('dump', url, name));

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const local = (d: Date | null) => d === null ? null
  : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
// the system attributes Optuna reads by name, under the names Optuna gives them (written out here, not imported)
const snake: Record<string, string> = { fixedParams: 'fixed_params', failedTrial: 'failed_trial', retryHistory: 'retry_history' };

/** A lrlab trial as optuna_worker.py dumps a trial: what Python should see. */
function asPython(t: FrozenTrial): PyTrial {
  return {
    number: t.number, state: t.state, values: t.values === null ? null : [...t.values], params: { ...t.params },
    distributions: JSON.parse(JSON.stringify(t.distributions, (_, v) => (v === Infinity ? '$inf' : v)), (_, v) => (v === '$inf' ? Infinity : v)),
    intermediateValues: [...t.intermediateValues].sort((a, b) => a[0] - b[0]), userAttrs: { ...t.userAttrs },
    systemAttrs: Object.fromEntries(Object.entries(t.systemAttrs).map(([k, v]) => [snake[k] ?? k, v])),
    datetimeStart: local(t.datetimeStart), datetimeComplete: local(t.datetimeComplete),
  };
}

const lr = { type: 'float', low: 1e-5, high: 0.1, log: true, step: null } as const;
const x = { type: 'float', low: -1, high: 1, log: false, step: null } as const;
const q = { type: 'float', low: 0, high: 1, log: false, step: 0.25 } as const;
const n = { type: 'int', low: 1, high: 9, log: false, step: 2 } as const;
const m = { type: 'int', low: 1, high: 64, log: true, step: 1 } as const;
const c = { type: 'categorical', choices: [null, true, 1.5, 'a', Infinity] } as const;
const at = (s: string) => new Date(s);

/** Trials in every state with every kind of value, as lrlab's addTrial stores them. */
const templates: TrialTemplate[] = [
  {
    state: 'complete', value: 0.125, values: [0.125], params: { x: 0.5, lr: 1e-3, q: 0.75, n: 7, m: 16, c: Infinity },
    distributions: { x, lr, q, n, m, c }, intermediateValues: new Map([[0, NaN], [1, Infinity], [2, -Infinity], [3, 0.25]]),
    userAttrs: { note: { nested: [1, 'x'] }, big: -Infinity }, systemAttrs: { constraints: [0.5, -1] },
    datetimeStart: at('2026-03-01T10:00:00.125'), datetimeComplete: at('2026-03-01T10:00:02.5'),
  },
  {
    state: 'complete', value: Infinity, values: [Infinity], params: { c: null }, distributions: { c }, intermediateValues: new Map(),
    userAttrs: {}, systemAttrs: {}, datetimeStart: at('2026-03-01T10:01:00'), datetimeComplete: at('2026-03-01T10:01:01'),
  },
  {
    state: 'pruned', value: null, values: null, params: { x: -0.25 }, distributions: { x }, intermediateValues: new Map([[0, 3]]),
    userAttrs: {}, systemAttrs: { completed_rung_0: 3 }, datetimeStart: at('2026-03-01T10:02:00'), datetimeComplete: at('2026-03-01T10:02:01'),
  },
  {
    state: 'fail', value: null, values: null, params: { c: true }, distributions: { c }, intermediateValues: new Map(),
    userAttrs: { failReason: 'diverged' }, systemAttrs: {}, datetimeStart: at('2026-03-01T10:03:00'), datetimeComplete: at('2026-03-01T10:03:00.001'),
  },
];

/** A study in every state and a two-objective study, written by lrlab; returns what lrlab reads back. */
async function lrlabStudy(s: Storage, name: string): Promise<{ single: FrozenTrial[]; mo: FrozenTrial[] }> {
  const id = await s.createStudy(name, ['minimize']);
  await s.setStudyUserAttr(id, 'owner', { who: 'lrlab', limits: [0.5, Infinity] });
  for (const t of templates) await s.addTrial(id, t);
  const running = await s.createTrial(id, { state: 'running' });
  await s.setTrialParam(running.trialId, 'x', x, 0.75);
  await s.setTrialIntermediateValue(running.trialId, 0, -2);
  await s.setTrialUserAttr(running.trialId, 'epoch', 1);
  await s.createTrial(id, { state: 'waiting', systemAttrs: { fixedParams: { x: 0.5, c: Infinity } } });
  const mo = await s.createStudy(`${name}-mo`, ['minimize', 'maximize']);
  await s.addTrial(mo, {
    state: 'complete', value: null, values: [1.5, Infinity], params: { x: 0.5 }, distributions: { x }, intermediateValues: new Map(),
    userAttrs: {}, systemAttrs: { constraints: [0.5, -1] }, datetimeStart: at('2026-03-01T11:00:00'), datetimeComplete: at('2026-03-01T11:00:01'),
  });
  await s.addTrial(mo, {
    state: 'complete', value: null, values: [-Infinity, 2], params: {}, distributions: {}, intermediateValues: new Map(),
    userAttrs: {}, systemAttrs: {}, datetimeStart: at('2026-03-01T11:01:00'), datetimeComplete: at('2026-03-01T11:01:01'),
  });
  return { single: await s.getAllTrials(id), mo: await s.getAllTrials(mo) };
}

const pgDb = await freshPostgresDatabase();
let files = 0, names = 0;
const beats = { heartbeatInterval: 1, gracePeriod: 1, maxRetry: 1 };
const backends: [string, string | { open: () => Promise<SqlStore> }][] = [
  ['sqlite', { open: () => SqliteStorage.open(join(dir, `r${++files}.db`), beats) }],
  ['postgresql', 'skip' in pgDb ? pgDb.skip : { open: () => PostgresStorage.open(pgDb.url, beats) }],
];
type SqlStore = SqliteStorage | PostgresStorage;
const reopen = (s: SqlStore) => (s instanceof SqliteStorage ? SqliteStorage.open(s.url.slice('sqlite:///'.length), beats) : PostgresStorage.open(s.connectionString, beats));
/** The URL Python opens for a storage (SQLAlchemy's: four slashes before an absolute path). */
const urlOf = (s: SqlStore) => (s instanceof SqliteStorage ? s.url : s.connectionString);

for (const [kind, backend] of backends) {
  const test = suite(`Optuna 3.1 and lrlab on one ${kind} database`);
  const skip = typeof backend === 'string' ? backend : noPython;
  if (skip !== null) {
    test(`skipped: ${skip}`, () => {
      console.log(`  skipped: Optuna 3.1 interoperability on ${kind} (${skip})`);
      assert.ok(true);
    });
    test.run();
    continue;
  }
  const { open } = backend as { open: () => Promise<SqlStore> };

  test('a study lrlab writes opens in optuna.load_study with every field as lrlab stored it', async () => {
    const s = await open();
    const name = `from-lrlab-${++names}`;
    const { single, mo } = await lrlabStudy(s, name);
    await s.close();
    const py = dump(urlOf(s), name);
    assert.equal(py.directions, ['minimize']);
    assert.equal(py.userAttrs, { owner: { who: 'lrlab', limits: [0.5, Infinity] } });
    assert.is(py.trials.length, 6);
    assert.equal(py.trials, single.map(asPython));
    // the states lrlab wrote, as Optuna names them, and the values of the single-objective trials
    assert.equal(py.trials.map((t) => [t.state, t.values]), [['complete', [0.125]], ['complete', [Infinity]], ['pruned', null], ['fail', null], ['running', null], ['waiting', null]]);
    // (no best value here: Optuna's RDB best trial sorts +-Infinity, stored as NULL, first in SQLite and last in
    // PostgreSQL, so Optuna itself answers Infinity on one and 0.125 on the other)
    assert.equal(py.trials[5].systemAttrs, { fixed_params: { x: 0.5, c: Infinity } });
    const pyMo = dump(urlOf(s), `${name}-mo`);
    assert.equal(pyMo.directions, ['minimize', 'maximize']);
    assert.equal(pyMo.trials, mo.map(asPython));
    assert.equal(pyMo.trials.map((t) => t.values), [[1.5, Infinity], [-Infinity, 2]]);
  });

  test('a study Python writes opens in lrlab with every field as Optuna reads it, and lrlab goes on with it', async () => {
    const s = await open();
    const name = `from-python-${++names}`;
    python('create', urlOf(s), name);
    const py = dump(urlOf(s), name);
    const found = await s.findStudy(name);
    assert.equal(found?.directions, ['minimize']);
    assert.equal(await s.getStudyUserAttrs(found!.studyId), py.userAttrs);
    const mine = await s.getAllTrials(found!.studyId);
    assert.equal(mine.map(asPython), py.trials);
    assert.equal(mine.map((t) => [t.number, t.state, t.value]), [[0, 'complete', 0.125], [1, 'pruned', 2], [2, 'fail', null], [3, 'complete', Infinity], [4, 'waiting', null]]);
    // Optuna 3.1 keeps a pruned trial's last intermediate value as its value; lrlab reads it as stored
    assert.equal(mine[0].distributions.c, { type: 'categorical', choices: [null, true, 1.5, 'a', Infinity] });
    assert.ok(Number.isNaN(mine[0].intermediateValues.get(0)));
    const mo = await s.findStudy(`${name}-mo`);
    assert.equal(mo?.directions, ['minimize', 'maximize']);
    const moTrials = await s.getAllTrials(mo!.studyId);
    assert.equal(moTrials.map(asPython), dump(urlOf(s), `${name}-mo`).trials);
    assert.equal(moTrials.map((t) => [t.values, t.value]), [[[1.5, Infinity], null], [[-Infinity, 2], null]]);
    assert.equal(moTrials[0].systemAttrs, { constraints: [0.5, -1], 'nsga2:generation': 0 });
    await s.close();
    // lrlab's study takes Python's enqueued trial (x fixed at 0.5) first, and Python sees lrlab's trials
    const study = await loadStudy({ studyName: name, storage: urlOf(s) });
    await study.optimize((t) => t.suggestFloat('x', -1, 1) ** 2, { nTrials: 2 });
    await study.storage.close();
    const after = dump(urlOf(s), name);
    assert.equal(after.trials.map((t) => [t.number, t.state]), [[0, 'complete'], [1, 'pruned'], [2, 'fail'], [3, 'complete'], [4, 'complete'], [5, 'complete']]);
    assert.equal([after.trials[4].params, after.trials[4].values], [{ x: 0.5 }, [0.25]]);

  });

  test("a lrlab worker's dead trial is failed and retried by Python with its parameters (RetryFailedTrialCallback)", async () => {
    const s = await open();
    const name = `lrlab-dies-${++names}`;
    const id = await s.createStudy(name, ['minimize']);
    const dead = await s.createTrial(id, { state: 'running' });
    await s.setTrialParam(dead.trialId, 'x', { type: 'float', low: -10, high: 10, log: false, step: null }, 0.25);
    await s.recordHeartbeat(dead.trialId);
    await s.close();
    await sleep(2200); // Optuna: stale when the whole seconds since the last heartbeat exceed grace_period (1 s)
    python('retry', urlOf(s), name, '1');
    const again = await reopen(s);
    const trials = await again.getAllTrials(id);
    await again.close();
    assert.equal(trials.map((t) => [t.number, t.state]), [[0, 'fail'], [1, 'complete']]);
    assert.equal(trials[1].params, { x: 0.25 });
    assert.equal([trials[1].systemAttrs.failedTrial, trials[1].systemAttrs.retryHistory, trials[1].userAttrs.worker], [0, [0], 'python']);
  });

  test("a Python worker's dead trial is failed and retried by lrlab with its parameters (maxRetry)", async () => {
    const s = await open();
    const name = `python-dies-${++names}`;
    await s.createStudy(name, ['minimize']);
    await s.close();
    const died = JSON.parse(python('die', urlOf(s), name)) as { number: number; x: number };
    assert.is(died.number, 0);
    await sleep(2200);
    const study = await loadStudy({ studyName: name, storage: urlOf(s), heartbeat: { heartbeatInterval: 1, gracePeriod: 1, maxRetry: 1 } });
    await study.optimize((t) => {
      t.setUserAttr('worker', 'lrlab');
      return t.suggestFloat('x', -10, 10) ** 2;
    }, { nTrials: 1 });
    await study.storage.close();
    const py = dump(urlOf(s), name);
    assert.equal(py.trials.map((t) => [t.number, t.state]), [[0, 'fail'], [1, 'complete']]);
    assert.equal(py.trials[1].params, { x: died.x });
    assert.equal(py.trials[1].values, [died.x ** 2]);
    assert.equal([py.trials[1].systemAttrs.failed_trial, py.trials[1].systemAttrs.retry_history, py.trials[1].systemAttrs.fixed_params], [0, [0], { x: died.x }]);
    assert.is(py.trials[1].userAttrs.worker, 'lrlab');
  });

  test.run();
}

const formats = suite("Optuna's value formats without Python");

formats("Python's JSON: NaN and the infinities as bare tokens, read back exactly, strings left alone", () => {
  const value = { a: [NaN, Infinity, -Infinity, 1.5], s: 'NaN Infinity "-Infinity"', n: null, t: true };
  const text = toPythonJson(value);
  assert.is(text, '{"a": [NaN, Infinity, -Infinity, 1.5], "s": "NaN Infinity \\"-Infinity\\"", "n": null, "t": true}');
  assert.equal(parsePythonJson(text), value);
  assert.equal(parsePythonJson('{"x": 1}'), { x: 1 });
});

formats("distribution_json as Optuna 3.1 writes it, and the classes before Optuna 3.0 read as today's", () => {
  assert.is(distributionToJson(q), '{"name": "FloatDistribution", "attributes": {"step": 0.25, "low": 0, "high": 1, "log": false}}');
  assert.is(distributionToJson(n), '{"name": "IntDistribution", "attributes": {"log": false, "step": 2, "low": 1, "high": 9}}');
  for (const d of [x, lr, q, n, m, c]) assert.equal(distributionFromJson(distributionToJson(d)), d);
  assert.equal(distributionFromJson('{"name": "LogUniformDistribution", "attributes": {"low": 1e-05, "high": 0.1}}'), lr);
  assert.equal(distributionFromJson('{"name": "DiscreteUniformDistribution", "attributes": {"low": 0.0, "high": 1.0, "q": 0.25}}'), q);
  assert.equal(distributionFromJson('{"name": "IntLogUniformDistribution", "attributes": {"low": 1, "high": 64, "step": 1}}'), m);
  assert.throws(() => distributionFromJson('{"name": "BetaDistribution", "attributes": {}}'), /storage: expected a known Optuna distribution class, got 'BetaDistribution'/);
});

formats('a database of another Optuna schema version is refused with the version named, and left as it was', async () => {
  const path = join(dir, 'old-optuna.db');
  const db = new Database(path);
  db.exec("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY); INSERT INTO alembic_version VALUES ('v2.6.0.a')");
  db.close();
  await rejects(() => SqliteStorage.open(path), /could not set up 'sqlite:\/\/\/.*old-optuna\.db': the database holds Optuna's schema v2\.6\.0\.a, and lrlab reads v3\.0\.0\.d/);
  const after = new Database(path, { readonly: true });
  assert.equal(after.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all(), [{ name: 'alembic_version' }]);
  after.close();
});

formats('a NaN objective value is refused before anything is written (Optuna has no stored form for it)', async () => {
  const s = await SqliteStorage.open(join(dir, 'nan.db'));
  const id = await s.createStudy('nan', ['minimize']);
  const t = await s.createTrial(id, { state: 'running' });
  await rejects(() => s.finishTrial(t.trialId, { state: 'complete', values: [NaN], params: {}, distributions: {}, intermediateValues: new Map(), userAttrs: {}, systemAttrs: {} }),
    /storage: expected objective values that are numbers or \+-Infinity, got NaN/);
  assert.is((await s.getTrial(t.trialId)).state, 'running');
  await s.close();
});

formats.after(() => rmSync(dir, { recursive: true, force: true }));
formats.run();
