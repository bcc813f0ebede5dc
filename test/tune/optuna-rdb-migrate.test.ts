// A database in lrlab's earlier tables (lrlab_studies, lrlab_trials, ...: built here with the frozen v1 DDL of
// test/helpers/lrlab-v1-schema.ts and rows in that layout's encodings) is moved into Optuna's RDB schema when a
// storage opens it: nothing lost, said once on stderr and in storage.migration, the old tables dropped; a move that
// cannot finish leaves the old tables as they were. On SQLite and on PostgreSQL (skipped with the reason without it).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { FrozenTrial } from '../../src/index.js';
import { SqliteStorage } from '../../src/tune/storage/sqlite.js';
import { PostgresStorage } from '../../src/tune/storage/postgres.js';
import { parsePythonJson } from '../../src/tune/storage/optuna-json.js';
import { rdbSchema } from '../../src/tune/storage/rdb-schema.js';
import { lrlabV1Schema } from '../helpers/lrlab-v1-schema.js';
import { freshPostgresDatabase } from '../helpers/postgres.js';
import { rejects } from './helpers.js';
import { removeAtExit } from '../helpers/cleanup.js';

const dir = mkdtempSync(join(tmpdir(), 'lrlab-migrate-'));
const worker = fileURLToPath(new URL('../helpers/optuna_worker.py', import.meta.url));
const hasOptuna = spawnSync('/usr/bin/python3', ['-c', 'import optuna'], { encoding: 'utf8' }).status === 0;

const start = Date.UTC(2026, 2, 1, 10, 0, 0, 125);
const beat = Date.now() - 60_000; // a running trial whose worker went quiet a minute ago
const float = '{"type":"float","low":0,"high":1,"log":false,"step":null}';
const cat = '{"type":"categorical","choices":["a",{"$number":"Infinity"}]}';
const int = '{"type":"int","low":1,"high":9,"log":false,"step":2}';

/** The rows of the old layout: two studies, five trials in every state, in lrlab v1's encodings. */
const v1Rows: [string, unknown[]][] = [
  ["INSERT INTO lrlab_studies (study_id, study_name, direction, user_attrs) VALUES (1, 'old', 'maximize', $1)", ['{"owner":"me","cap":{"$number":"Infinity"}}']],
  ["INSERT INTO lrlab_studies (study_id, study_name, direction, user_attrs) VALUES (2, 'old-empty', 'minimize', '{}')", []],
  ['INSERT INTO lrlab_trials (trial_id, study_id, number, state, value, user_attrs, system_attrs, datetime_start, datetime_complete, heartbeat) VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8, $9)',
    [1, 0, 'complete', '0.5', '{"u":1}', '{"completed_rung_0":0.5}', start, start + 2000, null]],
  ['INSERT INTO lrlab_trials (trial_id, study_id, number, state, value, user_attrs, system_attrs, datetime_start, datetime_complete, heartbeat) VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8, $9)',
    [2, 1, 'complete', '-Infinity', '{}', '{}', start + 3000, start + 4000, null]],
  ['INSERT INTO lrlab_trials (trial_id, study_id, number, state, value, user_attrs, system_attrs, datetime_start, datetime_complete, heartbeat) VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8, $9)',
    [3, 2, 'fail', null, '{"failReason":"diverged"}', '{}', start + 5000, start + 5001, null]],
  ['INSERT INTO lrlab_trials (trial_id, study_id, number, state, value, user_attrs, system_attrs, datetime_start, datetime_complete, heartbeat) VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8, $9)',
    [4, 3, 'waiting', null, '{}', '{"fixedParams":{"x":0.75,"c":{"$number":"Infinity"}},"failedTrial":2,"retryHistory":[2]}', null, null, null]],
  ['INSERT INTO lrlab_trials (trial_id, study_id, number, state, value, user_attrs, system_attrs, datetime_start, datetime_complete, heartbeat) VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8, $9)',
    [5, 4, 'running', null, '{}', '{}', start + 6000, null, beat]],
  ['INSERT INTO lrlab_trial_params (trial_id, name, distribution, value) VALUES ($1, $2, $3, $4)', [1, 'x', float, '0.25']],
  ['INSERT INTO lrlab_trial_params (trial_id, name, distribution, value) VALUES ($1, $2, $3, $4)', [1, 'c', cat, '{"$number":"Infinity"}']],
  ['INSERT INTO lrlab_trial_params (trial_id, name, distribution, value) VALUES ($1, $2, $3, $4)', [2, 'n', int, '7']],
  ['INSERT INTO lrlab_trial_params (trial_id, name, distribution, value) VALUES ($1, $2, $3, $4)', [5, 'c', cat, '"a"']],
  ['INSERT INTO lrlab_trial_intermediate_values (trial_id, step, value) VALUES ($1, $2, $3)', [1, 0, 'NaN']],
  ['INSERT INTO lrlab_trial_intermediate_values (trial_id, step, value) VALUES ($1, $2, $3)', [1, 1, 'Infinity']],
  ['INSERT INTO lrlab_trial_intermediate_values (trial_id, step, value) VALUES ($1, $2, $3)', [1, 2, '0.125']],
];

const fd = { type: 'float', low: 0, high: 1, log: false, step: null };
const cd = { type: 'categorical', choices: ['a', Infinity] };
const id = { type: 'int', low: 1, high: 9, log: false, step: 2 };
const d = (ms: number) => new Date(ms);
/** What lrlab reads back after the move (trial ids aside). */
const expected: Omit<FrozenTrial, 'trialId'>[] = [
  { number: 0, state: 'complete', value: 0.5, values: [0.5], params: { x: 0.25, c: Infinity }, distributions: { x: fd, c: cd } as never,
    intermediateValues: new Map([[0, NaN], [1, Infinity], [2, 0.125]]), userAttrs: { u: 1 }, systemAttrs: { completed_rung_0: 0.5 },
    datetimeStart: d(start), datetimeComplete: d(start + 2000) },
  { number: 1, state: 'complete', value: -Infinity, values: [-Infinity], params: { n: 7 }, distributions: { n: id } as never,
    intermediateValues: new Map(), userAttrs: {}, systemAttrs: {}, datetimeStart: d(start + 3000), datetimeComplete: d(start + 4000) },
  { number: 2, state: 'fail', value: null, values: null, params: {}, distributions: {}, intermediateValues: new Map(),
    userAttrs: { failReason: 'diverged' }, systemAttrs: {}, datetimeStart: d(start + 5000), datetimeComplete: d(start + 5001) },
  { number: 3, state: 'waiting', value: null, values: null, params: {}, distributions: {}, intermediateValues: new Map(), userAttrs: {},
    systemAttrs: { fixedParams: { x: 0.75, c: Infinity }, failedTrial: 2, retryHistory: [2] }, datetimeStart: null, datetimeComplete: null },
  { number: 4, state: 'running', value: null, values: null, params: { c: 'a' }, distributions: { c: cd } as never, intermediateValues: new Map(),
    userAttrs: {}, systemAttrs: {}, datetimeStart: d(start + 6000), datetimeComplete: null },
];

/** Runs `open` with stderr captured; the storage and what it wrote there. */
async function capture<T>(open: () => Promise<T>): Promise<{ storage: T; said: string[] }> {
  const said: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array) => (said.push(String(chunk)), true)) as typeof process.stderr.write;
  try {
    return { storage: await open(), said };
  } finally {
    process.stderr.write = write;
  }
}

interface Target {
  /** A database in the old layout (with `extra` statements run after the rows); its URL. */
  build(extra?: string[]): Promise<string>;
  open(url: string): Promise<SqliteStorage | PostgresStorage>;
  tables(url: string): Promise<string[]>;
  count(url: string, table: string): Promise<number>;
}

let files = 0;
const sqlite: Target = {
  async build(extra = []) {
    const path = join(dir, `v1-${++files}.db`);
    const db = new Database(path);
    for (const s of lrlabV1Schema('sqlite')) db.exec(s);
    for (const [sql, params] of v1Rows) db.prepare(sql.replace(/\$\d+/g, '?')).run(...params);
    for (const s of extra) db.exec(s);
    db.close();
    return `sqlite:///${path}`;
  },
  open: (url) => SqliteStorage.open(url.slice('sqlite:///'.length), { heartbeatInterval: 1, gracePeriod: 1 }),
  async tables(url) {
    const db = new Database(url.slice('sqlite:///'.length), { readonly: true });
    const rows = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[];
    db.close();
    return rows.map((r) => r.name);
  },
  async count(url, table) {
    const db = new Database(url.slice('sqlite:///'.length), { readonly: true });
    const n = (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    db.close();
    return n;
  },
};

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const postgres: Target = {
  async build(extra = []) {
    const db = await freshPostgresDatabase();
    if (!('url' in db)) throw new Error(db.skip);
    await withClient(db.url, async (c) => {
      for (const s of lrlabV1Schema('postgresql')) await c.query(s);
      for (const [sql, params] of v1Rows) await c.query(sql, params);
      for (const s of extra) await c.query(s);
    });
    return db.url;
  },
  open: (url) => PostgresStorage.open(url, { heartbeatInterval: 1, gracePeriod: 1 }),
  tables: (url) => withClient(url, async (c) => (await c.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")).rows.map((r) => r.tablename as string)),
  count: (url, table) => withClient(url, async (c) => Number((await c.query(`SELECT COUNT(*) AS n FROM ${table}`)).rows[0].n)),
};

const pgProbe = await freshPostgresDatabase();
const OLD = ['lrlab_studies', 'lrlab_trial_intermediate_values', 'lrlab_trial_params', 'lrlab_trials'];

for (const [kind, target] of [['SQLite', sqlite], ['PostgreSQL', 'skip' in pgProbe ? pgProbe.skip : postgres]] as const) {
  const test = suite(`lrlab's earlier tables moved into Optuna's schema (${kind})`);
  if (typeof target === 'string') {
    test(`skipped: ${target}`, () => {
      console.log(`  skipped: the ${kind} migration suite (${target})`);
      assert.ok(true);
    });
    test.run();
    continue;
  }

  test('every study and trial is moved with nothing lost, said once, and the old tables dropped', async () => {
    const url = await target.build();
    const { storage, said } = await capture(() => target.open(url));
    assert.equal(storage.migration, { studies: 2, trials: 5 });
    assert.is(said.length, 1);
    assert.match(said[0], /^lrlab: storage .*: moved 2 studies \(5 trials\) from lrlab's earlier tables into Optuna's RDB schema \(v3\.0\.0\.d\), which Optuna's optuna\.load_study opens; the lrlab_\* tables were dropped\n$/);
    const old = await storage.findStudy('old');
    assert.equal(old?.directions, ['maximize']);
    assert.equal(await storage.getStudyUserAttrs(old!.studyId), { owner: 'me', cap: Infinity });
    const trials = await storage.getAllTrials(old!.studyId);
    assert.equal(trials.map(({ trialId: _, ...t }) => t), expected);
    const empty = await storage.findStudy('old-empty');
    assert.equal([empty?.directions, await storage.getAllTrials(empty!.studyId)], [['minimize'], []]);
    // the running trial's heartbeat came along: a minute old, it is stale now
    const stale = await storage.failStaleTrials(old!.studyId);
    assert.equal(stale.map((t) => [t.number, t.state]), [[4, 'fail']]);
    await storage.close();
    const tables = await target.tables(url);
    for (const t of OLD) assert.not.ok(tables.includes(t), `${t} dropped`);
    // opened again: nothing to move, nothing said
    const again = await capture(() => target.open(url));
    assert.equal([again.storage.migration, again.said], [null, []]);
    await again.storage.close();
    if (hasOptuna) {
      const py = parsePythonJson<{ directions: string[]; trials: { number: number; state: string; values: number[] | null; params: unknown; systemAttrs: unknown }[] }>(
        spawnSync('/usr/bin/python3', [worker, 'dump', url, 'old'], { encoding: 'utf8' }).stdout,
      );
      assert.equal(py.directions, ['maximize']);
      assert.equal(py.trials.map((t) => [t.number, t.state, t.values, t.params]),
        [[0, 'complete', [0.5], { x: 0.25, c: Infinity }], [1, 'complete', [-Infinity], { n: 7 }], [2, 'fail', null, {}], [3, 'waiting', null, {}], [4, 'fail', null, { c: 'a' }]]);
      assert.equal(py.trials[3].systemAttrs, { fixed_params: { x: 0.75, c: Infinity }, failed_trial: 2, retry_history: [2] });
    } else console.log('  skipped: the migrated study in optuna.load_study (/usr/bin/python3 with Optuna is absent)');
  });

  test('a move that cannot finish (a name Optuna\'s tables already hold) leaves the old tables whole and moves nothing', async () => {
    const dialect = kind === 'SQLite' ? 'sqlite' : 'postgresql';
    const url = await target.build([...rdbSchema(dialect), "INSERT INTO studies (study_name) VALUES ('old')"]);
    await rejects(() => target.open(url), /cannot move study 'old' from lrlab's earlier tables: Optuna's studies table already holds a study of that name/);
    assert.equal([await target.count(url, 'lrlab_studies'), await target.count(url, 'lrlab_trials'), await target.count(url, 'lrlab_trial_params')], [2, 5, 4]);
    assert.equal([await target.count(url, 'studies'), await target.count(url, 'trials')], [1, 0]);
  });

  test.run();
}

removeAtExit(dir);
