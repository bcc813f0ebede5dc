// The SQL storage shared by SQLite and PostgreSQL, on Optuna's own RDB schema (rdb-schema.ts): the tables, enum
// spellings, value encodings and trial numbering of Optuna 3.1, so that Python's optuna.load_study opens lrlab's
// studies, lrlab opens Python's, and workers of both run trials on one study. Each method that changes state runs
// in one transaction. A trial's number is Optuna's: the count of the study's trials created before it, taken while
// the study is locked (PostgreSQL: the studies row FOR UPDATE, as Optuna's _create_new_trial; SQLite: BEGIN
// IMMEDIATE, one writer at a time), so numbers stay dense and unique whichever language created the trial.
import type { Distribution, FrozenTrial, ParamValue, StudyDirection, TrialState } from '../types.js';
import {
  DuplicatedStudyError, UpdateFinishedTrialError, retryAttrs,
  type HeartbeatOptions, type NewTrial, type Storage, type StudySummary, type TrialRecord, type TrialTemplate,
} from './base.js';
import {
  distributionToJson, fromDbDirection, fromDbState, paramToInternal, parsePythonJson, stepToDb, systemKeyToDb, toDbState,
  toPythonJson, valueToDb,
} from './optuna-json.js';
import { ALEMBIC_HEAD, VERSION_INFO, rdbSchema, stampMs, toDbDatetime } from './rdb-schema.js';
import { migrateLrlabTables, type Migration } from './rdb-migrate.js';
import { readTrials } from './rdb-read.js';

/** Runs one statement with $1, $2, ... placeholders and returns its rows. */
export type Query = <T = Record<string, unknown>>(sql: string, params?: readonly unknown[]) => Promise<T[]>;

/** How a transaction may be treated by a driver that runs it again after a lost connection. */
export interface TransactionOptions {
  /** Reads only. */
  readOnly?: boolean;
  /**
   * Running it twice leaves the same state as running it once (a heartbeat, an attribute, finishing a trial:
   * the second run finds the trial finished and says so), so it may be run again when the connection was lost
   * during COMMIT and nobody knows whether the first run counted.
   */
  idempotent?: boolean;
}

/** What the SQL storage needs from a driver. */
export interface SqlDriver {
  readonly dialect: 'sqlite' | 'postgresql';
  /** Runs `fn` in one transaction (serializable for writes: one writer per study at a time); rolls back on error. */
  transaction<T>(fn: (q: Query) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** Runs one statement on its own (atomic, as every single statement is), without a transaction's round trips. */
  statement<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

type Id = number | string;
interface TrialRow { trial_id: Id; number: Id | null; state: string; datetime_start: string | null; datetime_complete: string | null }

/** A storage on a SQL database; `SqliteStorage` and `PostgresStorage` give it a driver. */
export class SqlStorage implements Storage {
  readonly url: string;
  readonly heartbeat: Required<HeartbeatOptions>;
  private moved: Migration | null = null;
  protected driver: SqlDriver;
  private forUpdate: string;
  private pg: boolean;

  declare readonly connectionString: string;

  protected constructor(url: string, driver: SqlDriver, heartbeat: Required<HeartbeatOptions>, connectionString = url) {
    this.url = url;
    // not enumerable, so that logging the storage does not print a password
    Object.defineProperty(this, 'connectionString', { value: connectionString, enumerable: false });
    this.driver = driver;
    this.heartbeat = heartbeat;
    this.pg = driver.dialect === 'postgresql';
    this.forUpdate = this.pg ? ' FOR UPDATE' : '';
  }

  /**
   * What opening the storage moved from lrlab's earlier tables (lrlab_studies, ...) into Optuna's schema, or null
   * when there was nothing to move. The move is also said once on stderr.
   */
  get migration(): Migration | null {
    return this.moved;
  }

  /** `$n` cast to a PostgreSQL type where the server cannot infer it (a SELECT list feeding an INSERT). */
  private cast(n: number, pgType: string): string {
    return this.pg ? `$${n}::${pgType}` : `$${n}`;
  }

  /** The database's clock as a stored heartbeat: whole seconds (Optuna compares heartbeats in whole seconds). */
  private get beatNow(): string {
    return this.pg ? "date_trunc('second', LOCALTIMESTAMP)" : "strftime('%Y-%m-%d %H:%M:%S', 'now')";
  }

  private async tableExists(q: Query, name: string): Promise<boolean> {
    const rows = this.pg
      ? await q<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [name])
      : await q<{ t: string | null }>("SELECT name AS t FROM sqlite_master WHERE type = 'table' AND name = $1", [name]);
    return rows.length > 0 && rows[0].t !== null;
  }

  /**
   * Creates Optuna's tables when missing (with version_info and alembic_version as Optuna 3.1 writes them), refuses
   * a database of another Optuna schema version, and moves lrlab's earlier tables in, all in one transaction (safe
   * to run from many processes at once).
   */
  protected async init(q: Query): Promise<void> {
    if (await this.tableExists(q, 'alembic_version')) {
      const v = await q<{ version_num: string }>('SELECT version_num FROM alembic_version');
      if (v.length > 0 && v[0].version_num !== ALEMBIC_HEAD) {
        throw new RangeError(`the database holds Optuna's schema ${v[0].version_num}, and lrlab reads ${ALEMBIC_HEAD} (Optuna 3.0 and 3.1): upgrade it with 'optuna storage upgrade --storage <url>' or open it with a matching Optuna`);
      }
    }
    for (const statement of rdbSchema(this.driver.dialect)) await q(statement);
    if ((await q('SELECT version_info_id FROM version_info')).length === 0) {
      await q('INSERT INTO version_info (version_info_id, schema_version, library_version) VALUES (1, $1, $2)', [VERSION_INFO.schemaVersion, VERSION_INFO.libraryVersion]);
    }
    if ((await q('SELECT version_num FROM alembic_version')).length === 0) await q('INSERT INTO alembic_version (version_num) VALUES ($1)', [ALEMBIC_HEAD]);
    if (await this.tableExists(q, 'lrlab_studies')) this.moved = await migrateLrlabTables(q, this.driver.dialect);
  }

  /** Says once, on stderr, what `init` moved from lrlab's earlier tables. */
  protected announceMigration(): void {
    const m = this.moved;
    if (m === null) return;
    process.stderr.write(`lrlab: storage ${this.url}: moved ${m.studies} ${m.studies === 1 ? 'study' : 'studies'} (${m.trials} ${m.trials === 1 ? 'trial' : 'trials'}) from lrlab's earlier tables into Optuna's RDB schema (${ALEMBIC_HEAD}), which Optuna's optuna.load_study opens; the lrlab_* tables were dropped\n`);
  }

  private tx<T>(fn: (q: Query) => Promise<T>, options: { idempotent?: boolean } = {}): Promise<T> {
    return this.driver.transaction(fn, options);
  }

  private read<T>(fn: (q: Query) => Promise<T>): Promise<T> {
    return this.driver.transaction(fn, { readOnly: true });
  }

  private taken(studyName: string): DuplicatedStudyError {
    return new DuplicatedStudyError(`createStudy: a study named '${studyName}' already exists in ${this.url} (pass loadIfExists: true to load it)`);
  }

  async createStudy(studyName: string, directions: readonly StudyDirection[]): Promise<number> {
    return this.tx(async (q) => {
      if ((await q('SELECT study_id FROM studies WHERE study_name = $1', [studyName])).length > 0) throw this.taken(studyName);
      const rows = await q<{ study_id: Id }>('INSERT INTO studies (study_name) VALUES ($1) RETURNING study_id', [studyName]);
      const id = Number(rows[0].study_id);
      for (const [objective, d] of directions.entries()) {
        await q('INSERT INTO study_directions (direction, study_id, objective) VALUES ($1, $2, $3)', [d.toUpperCase(), id, objective]);
      }
      return id;
    }).catch((error: unknown) => {
      // two processes creating the same name at once: the loser hits the UNIQUE index
      if (!(error instanceof DuplicatedStudyError) && /unique|duplicate key/i.test(String((error as Error)?.message))) throw this.taken(studyName);
      throw error;
    });
  }

  private async directionsOf(q: Query, studyId: number): Promise<StudyDirection[]> {
    const rows = await q<{ direction: string }>('SELECT direction FROM study_directions WHERE study_id = $1 ORDER BY objective', [studyId]);
    return rows.map((r) => fromDbDirection(r.direction));
  }

  async findStudy(studyName: string): Promise<{ studyId: number; directions: StudyDirection[] } | null> {
    return this.read(async (q) => {
      const rows = await q<{ study_id: Id }>('SELECT study_id FROM studies WHERE study_name = $1', [studyName]);
      if (rows.length === 0) return null;
      const studyId = Number(rows[0].study_id);
      return { studyId, directions: await this.directionsOf(q, studyId) };
    });
  }

  async deleteStudy(studyName: string): Promise<void> {
    await this.tx(async (q) => {
      const rows = await q<{ study_id: Id }>(`SELECT study_id FROM studies WHERE study_name = $1${this.forUpdate}`, [studyName]);
      if (rows.length === 0) throw new RangeError(`deleteStudy: expected an existing study name, got '${studyName}' (not in ${this.url})`);
      const id = rows[0].study_id;
      const ofTrials = 'WHERE trial_id IN (SELECT trial_id FROM trials WHERE study_id = $1)';
      for (const t of ['trial_heartbeats', 'trial_values', 'trial_intermediate_values', 'trial_params', 'trial_user_attributes', 'trial_system_attributes']) {
        await q(`DELETE FROM ${t} ${ofTrials}`, [id]);
      }
      for (const t of ['trials', 'study_directions', 'study_user_attributes', 'study_system_attributes', 'studies']) await q(`DELETE FROM ${t} WHERE study_id = $1`, [id]);
    });
  }

  async getAllStudySummaries(): Promise<StudySummary[]> {
    return this.read(async (q) => {
      const studies = await q<{ study_id: Id; study_name: string }>('SELECT study_id, study_name FROM studies ORDER BY study_id');
      const out: StudySummary[] = [];
      for (const s of studies) {
        const studyId = Number(s.study_id);
        const directions = await this.directionsOf(q, studyId);
        const trials = await this.trialsOf(q, studyId);
        let best: FrozenTrial | null = null;
        if (directions.length === 1) {
          for (const t of trials) {
            if (t.state !== 'complete' || t.value === null) continue;
            if (best === null || (directions[0] === 'minimize' ? t.value < best.value! : t.value > best.value!)) best = t;
          }
        }
        const starts = trials.map((t) => t.datetimeStart).filter((d): d is Date => d !== null);
        out.push({
          studyName: s.study_name, studyId, direction: directions[0], directions, nTrials: trials.length, bestTrial: best,
          datetimeStart: starts.length ? new Date(Math.min(...starts.map((d) => d.getTime()))) : null,
          userAttrs: await this.studyUserAttrs(q, studyId),
        });
      }
      return out;
    });
  }

  private async studyUserAttrs(q: Query, studyId: number): Promise<Record<string, unknown>> {
    const rows = await q<{ key: string; value_json: string }>('SELECT "key", value_json FROM study_user_attributes WHERE study_id = $1', [studyId]);
    return Object.fromEntries(rows.map((r) => [r.key, parsePythonJson(r.value_json)]));
  }

  private async checkStudy(q: Query, studyId: number, lock = ''): Promise<void> {
    const rows = await q(`SELECT study_id FROM studies WHERE study_id = $1${lock}`, [studyId]);
    if (rows.length === 0) throw new RangeError(`storage ${this.url}: expected an existing study id, got ${studyId}`);
  }

  async setStudyUserAttr(studyId: number, key: string, value: unknown): Promise<void> {
    await this.tx(async (q) => {
      await this.checkStudy(q, studyId);
      await q(
        `INSERT INTO study_user_attributes (study_id, "key", value_json) VALUES ($1, $2, $3)
         ON CONFLICT (study_id, "key") DO UPDATE SET value_json = excluded.value_json`, [studyId, key, toPythonJson(value)],
      );
    }, { idempotent: true });
  }

  async getStudyUserAttrs(studyId: number): Promise<Record<string, unknown>> {
    return this.read(async (q) => {
      await this.checkStudy(q, studyId);
      return this.studyUserAttrs(q, studyId);
    });
  }

  /**
   * Inserts a trial numbered as Optuna numbers it: the count of the study's trials so far, with the study locked
   * (the studies row FOR UPDATE in PostgreSQL, as Optuna's _create_new_trial does; SQLite's BEGIN IMMEDIATE
   * already admits one writer). Returns its id.
   */
  private async insertTrial(q: Query, studyId: number, state: TrialState, start: Date | null, complete: Date | null): Promise<number> {
    await this.checkStudy(q, studyId, this.forUpdate);
    const rows = await q<{ trial_id: Id }>(
      `INSERT INTO trials (number, study_id, state, datetime_start, datetime_complete)
       VALUES ((SELECT COUNT(*) FROM trials WHERE study_id = $1), $1, $2, $3, $4) RETURNING trial_id`,
      [studyId, toDbState(state), start && toDbDatetime(start), complete && toDbDatetime(complete)],
    );
    return Number(rows[0].trial_id);
  }

  /** Writes a trial's values, parameters, intermediate values and attributes (rows it does not have yet). */
  private async writeContents(q: Query, trialId: number, t: Partial<TrialRecord>): Promise<void> {
    const rows = (table: string, cols: string, tuples: unknown[][]) => {
      // a few hundred rows per statement: SQLite binds at most 32766 values to one
      const chunks = [];
      for (let at = 0; at < tuples.length; at += 500) {
        const chunk = tuples.slice(at, at + 500);
        const width = chunk[0].length;
        const marks = chunk.map((_, i) => `(${Array.from({ length: width }, (__, j) => `$${i * width + j + 1}`).join(', ')})`).join(', ');
        chunks.push(q(`INSERT INTO ${table} (${cols}) VALUES ${marks}`, chunk.flat()));
      }
      return Promise.all(chunks);
    };
    await rows('trial_values', 'trial_id, objective, value, value_type', (t.values ?? []).map((v, i) => [trialId, i, ...valueToDb(v)]));
    await rows('trial_params', 'trial_id, param_name, param_value, distribution_json', Object.entries(t.params ?? {}).map(([name, v]) => {
      const d = t.distributions![name];
      return [trialId, name, paramToInternal(name, d, v), distributionToJson(d)];
    }));
    await rows('trial_intermediate_values', 'trial_id, step, intermediate_value, intermediate_value_type',
      [...(t.intermediateValues ?? new Map<number, number>())].map(([step, v]) => [trialId, step, ...stepToDb(v)]));
    await rows('trial_user_attributes', 'trial_id, "key", value_json', Object.entries(t.userAttrs ?? {}).map(([k, v]) => [trialId, k, toPythonJson(v)]));
    await rows('trial_system_attributes', 'trial_id, "key", value_json', Object.entries(t.systemAttrs ?? {}).map(([k, v]) => [trialId, systemKeyToDb(k), toPythonJson(v)]));
  }

  async addTrial(studyId: number, template: TrialTemplate): Promise<FrozenTrial> {
    return this.tx(async (q) => {
      const id = await this.insertTrial(q, studyId, template.state, template.datetimeStart, template.datetimeComplete);
      await this.writeContents(q, id, template);
      return this.trialById(q, id);
    });
  }

  async createTrial(studyId: number, trial: NewTrial): Promise<FrozenTrial> {
    return this.tx(async (q) => {
      const id = await this.insertTrial(q, studyId, trial.state, trial.state === 'running' ? new Date() : null, null);
      await this.writeContents(q, id, { systemAttrs: trial.systemAttrs ?? {} });
      return this.trialById(q, id);
    });
  }

  async popWaitingTrial(studyId: number): Promise<FrozenTrial | null> {
    return this.tx(async (q) => {
      const skip = this.pg ? ' FOR UPDATE SKIP LOCKED' : '';
      const rows = await q<{ trial_id: Id }>(
        `SELECT trial_id FROM trials WHERE study_id = $1 AND state = 'WAITING' ORDER BY trial_id LIMIT 1${skip}`, [studyId],
      );
      if (rows.length === 0) return null;
      const id = Number(rows[0].trial_id);
      await q("UPDATE trials SET state = 'RUNNING', datetime_start = $1 WHERE trial_id = $2", [toDbDatetime(new Date()), id]);
      const trial = await this.trialById(q, id);
      // a waiting trial's own parameters (RetryFailedTrialCallback's retry from Python keeps them there) come before
      // its fixed_params, as Optuna's Trial._suggest reads them; lrlab's Trial reads both as fixedParams
      if (Object.keys(trial.params).length === 0) return trial;
      const fixed = { ...((trial.systemAttrs.fixedParams as Record<string, ParamValue> | undefined) ?? {}), ...trial.params };
      return { ...trial, systemAttrs: { ...trial.systemAttrs, fixedParams: fixed } };
    });
  }

  /** Locks a trial and checks that it is running; inside a transaction. */
  private async lockRunning(q: Query, trialId: number): Promise<void> {
    const rows = await q<TrialRow>(`SELECT number, state FROM trials WHERE trial_id = $1${this.forUpdate}`, [trialId]);
    if (rows.length === 0) throw new RangeError(`storage ${this.url}: expected an existing trial id, got ${trialId}`);
    if (rows[0].state !== 'RUNNING') {
      throw new UpdateFinishedTrialError(`storage ${this.url}: trial ${rows[0].number} is ${fromDbState(rows[0].state)}, so it cannot be changed`);
    }
  }

  // A running trial's parameters, intermediate values and attributes are written in one statement each, which
  // inserts only while the trial is running: the trial row is read FOR SHARE (PostgreSQL), so a concurrent
  // finishTrial, which holds it FOR UPDATE, is waited for and then seen; SQLite runs one writer at a time anyway.
  private async upsertIfRunning(what: string, trialId: number, table: string, cols: string[], values: [unknown, string][], conflict: string): Promise<void> {
    const share = this.pg ? ' FOR SHARE' : '';
    const select = values.map(([, type], i) => this.cast(i + 2, type)).join(', ');
    const update = cols.filter((c) => !conflict.includes(c)).map((c) => `${c} = excluded.${c}`).join(', ');
    const rows = await this.driver.statement(
      `INSERT INTO ${table} (trial_id, ${cols.join(', ')})
       SELECT trial_id, ${select} FROM trials WHERE trial_id = $1 AND state = 'RUNNING'${share}
       ON CONFLICT (trial_id, ${conflict}) DO UPDATE SET ${update}
       RETURNING trial_id`,
      [trialId, ...values.map(([v]) => v)],
    );
    if (rows.length === 0) {
      // nothing written: say why (an unknown trial, or one that has ended)
      const t = await this.driver.statement<TrialRow>('SELECT number, state FROM trials WHERE trial_id = $1', [trialId]);
      if (t.length === 0) throw new RangeError(`storage ${this.url}: expected an existing trial id, got ${trialId}`);
      throw new UpdateFinishedTrialError(`storage ${this.url}: trial ${t[0].number} is ${fromDbState(t[0].state)}, so its ${what} cannot be changed`);
    }
  }

  async setTrialParam(trialId: number, name: string, distribution: Distribution, value: ParamValue): Promise<void> {
    await this.upsertIfRunning('parameters', trialId, 'trial_params', ['param_name', 'param_value', 'distribution_json'],
      [[name, 'varchar'], [paramToInternal(name, distribution, value), 'double precision'], [distributionToJson(distribution), 'text']], 'param_name');
  }

  async setTrialIntermediateValue(trialId: number, step: number, value: number): Promise<void> {
    const [v, type] = stepToDb(value);
    await this.upsertIfRunning('intermediate values', trialId, 'trial_intermediate_values', ['step', 'intermediate_value', 'intermediate_value_type'],
      [[step, 'integer'], [v, 'double precision'], [type, 'trialintermediatevaluetype']], 'step');
  }

  setTrialUserAttr(trialId: number, key: string, value: unknown): Promise<void> {
    return this.upsertIfRunning('attributes', trialId, 'trial_user_attributes', ['"key"', 'value_json'], [[key, 'varchar'], [toPythonJson(value), 'text']], '"key"');
  }

  setTrialSystemAttr(trialId: number, key: string, value: unknown): Promise<void> {
    return this.upsertIfRunning('attributes', trialId, 'trial_system_attributes', ['"key"', 'value_json'], [[systemKeyToDb(key), 'varchar'], [toPythonJson(value), 'text']], '"key"');
  }

  async finishTrial(trialId: number, record: TrialRecord): Promise<FrozenTrial> {
    for (const v of record.values ?? []) valueToDb(v); // a NaN value is refused before anything is written
    return this.tx(async (q) => {
      await this.lockRunning(q, trialId);
      const children = ['trial_values', 'trial_params', 'trial_intermediate_values', 'trial_user_attributes', 'trial_system_attributes'];
      if (this.pg) {
        // one round trip to the server instead of five
        const [last, ...rest] = [...children].reverse();
        await q(`WITH ${rest.map((t, i) => `d${i} AS (DELETE FROM ${t} WHERE trial_id = $1)`).join(', ')} DELETE FROM ${last} WHERE trial_id = $1`, [trialId]);
      } else {
        for (const t of children) await q(`DELETE FROM ${t} WHERE trial_id = $1`, [trialId]);
      }
      await this.writeContents(q, trialId, record);
      await q('UPDATE trials SET state = $1, datetime_complete = $2 WHERE trial_id = $3', [toDbState(record.state), toDbDatetime(new Date()), trialId]);
      return this.trialById(q, trialId);
    }, { idempotent: true });
  }

  async recordHeartbeat(trialId: number): Promise<void> {
    await this.tx(async (q) => {
      await this.lockRunning(q, trialId);
      await q(`INSERT INTO trial_heartbeats (trial_id, heartbeat) VALUES ($1, ${this.beatNow})
               ON CONFLICT (trial_id) DO UPDATE SET heartbeat = excluded.heartbeat`, [trialId]);
    }, { idempotent: true });
  }

  async failStaleTrials(studyId: number): Promise<FrozenTrial[]> {
    const grace = this.heartbeat.gracePeriod;
    if (grace === null) return [];
    return this.tx(async (q) => {
      const now = this.pg ? 'LOCALTIMESTAMP' : "strftime('%Y-%m-%d %H:%M:%f', 'now')";
      const skip = this.pg ? ' FOR UPDATE OF t SKIP LOCKED' : '';
      const running = await q<{ trial_id: Id; beat: string; now: string }>(
        `SELECT t.trial_id, h.heartbeat AS beat, ${now} AS now FROM trials t JOIN trial_heartbeats h ON h.trial_id = t.trial_id
         WHERE t.study_id = $1 AND t.state = 'RUNNING' ORDER BY t.number${skip}`,
        [studyId],
      );
      const failed: FrozenTrial[] = [];
      for (const row of running) {
        // a heartbeat is stored in whole seconds, so it was written up to 1 s after the stamp: stale is older than
        // the grace period even then (Optuna: whole seconds since the stamp > grace period)
        if (stampMs(String(row.now)) - stampMs(String(row.beat)) - 1000 <= grace * 1000) continue;
        const id = Number(row.trial_id);
        await q("UPDATE trials SET state = 'FAIL', datetime_complete = $1 WHERE trial_id = $2", [toDbDatetime(new Date()), id]);
        await q(`INSERT INTO trial_system_attributes (trial_id, "key", value_json) VALUES ($1, 'failReason', $2)
                 ON CONFLICT (trial_id, "key") DO UPDATE SET value_json = excluded.value_json`,
          [id, toPythonJson(`no heartbeat for more than ${grace} s: its worker is presumed dead`)]);
        const frozen = await this.trialById(q, id);
        failed.push(frozen);
        const retry = retryAttrs(frozen, this.heartbeat.maxRetry);
        if (retry) {
          const retryId = await this.insertTrial(q, studyId, 'waiting', null, null);
          await this.writeContents(q, retryId, { systemAttrs: retry });
        }
      }
      return failed;
    }, { idempotent: true });
  }

  async getTrial(trialId: number): Promise<FrozenTrial> {
    return this.read((q) => this.trialById(q, trialId));
  }

  async getAllTrials(studyId: number): Promise<FrozenTrial[]> {
    return this.read(async (q) => {
      const trials = await this.trialsOf(q, studyId);
      if (trials.length === 0) await this.checkStudy(q, studyId); // none: an empty study, or no study at all
      return trials;
    });
  }

  private async trialById(q: Query, trialId: number): Promise<FrozenTrial> {
    const trials = await readTrials(q, 't.trial_id = $1', trialId);
    if (trials.length === 0) throw new RangeError(`storage ${this.url}: expected an existing trial id, got ${trialId}`);
    return trials[0];
  }

  private trialsOf(q: Query, studyId: number): Promise<FrozenTrial[]> {
    return readTrials(q, 't.study_id = $1', studyId);
  }

  async close(): Promise<void> {
    await this.driver.close();
  }
}
