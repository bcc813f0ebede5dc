// The SQL storage shared by SQLite and PostgreSQL: one schema, one set of statements, and the two drivers behind a
// three-call interface (query, transaction, close). Each method that changes state runs in one transaction;
// trial numbers come from max(number) + 1 under a lock on the study (PostgreSQL: the study row locked FOR UPDATE;
// SQLite: BEGIN IMMEDIATE, one writer at a time), and UNIQUE(study_id, number) backs the rule up.
import type { Distribution, FrozenTrial, ParamValue, StudyDirection, TrialState } from '../types.js';
import {
  DuplicatedStudyError, UpdateFinishedTrialError, retryAttrs,
  type HeartbeatOptions, type NewTrial, type Storage, type StudySummary, type TrialRecord, type TrialTemplate,
} from './base.js';
import { fromStoredJson, toStoredJson } from './json.js';

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
  /** The database's clock in milliseconds since 1970 (heartbeats compare times taken on one clock). */
  now(q: Query): Promise<number>;
  close(): Promise<void>;
}

/** The schema, the same for both databases but for the auto-increment key's spelling. */
export function schema(dialect: 'sqlite' | 'postgresql'): string[] {
  const id = dialect === 'sqlite' ? 'INTEGER PRIMARY KEY AUTOINCREMENT' : 'BIGSERIAL PRIMARY KEY';
  return [
    `CREATE TABLE IF NOT EXISTS lrlab_studies (
      study_id ${id},
      study_name TEXT NOT NULL UNIQUE,
      direction TEXT NOT NULL CHECK (direction IN ('minimize', 'maximize')),
      user_attrs TEXT NOT NULL DEFAULT '{}'
    )`,
    `CREATE TABLE IF NOT EXISTS lrlab_trials (
      trial_id ${id},
      study_id BIGINT NOT NULL REFERENCES lrlab_studies (study_id) ON DELETE CASCADE,
      number BIGINT NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('running', 'waiting', 'complete', 'pruned', 'fail')),
      value TEXT,
      user_attrs TEXT NOT NULL DEFAULT '{}',
      system_attrs TEXT NOT NULL DEFAULT '{}',
      datetime_start BIGINT,
      datetime_complete BIGINT,
      heartbeat BIGINT,
      UNIQUE (study_id, number)
    )`,
    `CREATE TABLE IF NOT EXISTS lrlab_trial_params (
      trial_id BIGINT NOT NULL REFERENCES lrlab_trials (trial_id) ON DELETE CASCADE,
      name TEXT NOT NULL,
      distribution TEXT NOT NULL,
      value TEXT NOT NULL,
      PRIMARY KEY (trial_id, name)
    )`,
    `CREATE TABLE IF NOT EXISTS lrlab_trial_intermediate_values (
      trial_id BIGINT NOT NULL REFERENCES lrlab_trials (trial_id) ON DELETE CASCADE,
      step BIGINT NOT NULL,
      value TEXT NOT NULL,
      PRIMARY KEY (trial_id, step)
    )`,
    'CREATE INDEX IF NOT EXISTS lrlab_trials_study_state ON lrlab_trials (study_id, state)',
  ];
}

interface TrialRow {
  trial_id: number | string;
  number: number | string;
  state: TrialState;
  value: string | null;
  user_attrs: string;
  system_attrs: string;
  datetime_start: number | string | null;
  datetime_complete: number | string | null;
}

// Numbers are stored as text: String(x) round-trips every double exactly and keeps NaN and the infinities, which
// SQLite would turn into NULL.
const num = (s: string | null): number | null => (s === null ? null : Number(s));
const date = (ms: number | string | null): Date | null => (ms === null ? null : new Date(Number(ms)));

/** A storage on a SQL database; `SqliteStorage` and `PostgresStorage` give it a driver. */
export class SqlStorage implements Storage {
  readonly url: string;
  readonly heartbeat: Required<HeartbeatOptions>;
  protected driver: SqlDriver;
  private forUpdate: string;

  declare readonly connectionString: string;

  protected constructor(url: string, driver: SqlDriver, heartbeat: Required<HeartbeatOptions>, connectionString = url) {
    this.url = url;
    // not enumerable, so that logging the storage does not print a password
    Object.defineProperty(this, 'connectionString', { value: connectionString, enumerable: false });
    this.driver = driver;
    this.heartbeat = heartbeat;
    this.forUpdate = driver.dialect === 'postgresql' ? ' FOR UPDATE' : '';
  }

  /** Creates the tables when missing (safe to run from many processes at once). */
  protected async init(): Promise<void> {
    await this.driver.transaction(async (q) => {
      for (const statement of schema(this.driver.dialect)) await q(statement);
    });
  }

  private tx<T>(fn: (q: Query) => Promise<T>, options: { idempotent?: boolean } = {}): Promise<T> {
    return this.driver.transaction(fn, options);
  }

  private read<T>(fn: (q: Query) => Promise<T>): Promise<T> {
    return this.driver.transaction(fn, { readOnly: true });
  }

  async createStudy(studyName: string, direction: StudyDirection): Promise<number> {
    return this.tx(async (q) => {
      const taken = await q('SELECT study_id FROM lrlab_studies WHERE study_name = $1', [studyName]);
      if (taken.length > 0) {
        throw new DuplicatedStudyError(`createStudy: a study named '${studyName}' already exists in ${this.url} (pass loadIfExists: true to load it)`);
      }
      const rows = await q<{ study_id: number | string }>(
        'INSERT INTO lrlab_studies (study_name, direction) VALUES ($1, $2) RETURNING study_id', [studyName, direction],
      );
      return Number(rows[0].study_id);
    }).catch((error: unknown) => {
      // two processes creating the same name at once: the loser hits the UNIQUE constraint
      if (!(error instanceof DuplicatedStudyError) && /unique|duplicate key/i.test(String((error as Error)?.message))) {
        throw new DuplicatedStudyError(`createStudy: a study named '${studyName}' already exists in ${this.url} (pass loadIfExists: true to load it)`);
      }
      throw error;
    });
  }

  async findStudy(studyName: string) {
    const rows = await this.read((q) => q<{ study_id: number | string; direction: StudyDirection }>(
      'SELECT study_id, direction FROM lrlab_studies WHERE study_name = $1', [studyName],
    ));
    return rows.length ? { studyId: Number(rows[0].study_id), direction: rows[0].direction } : null;
  }

  async deleteStudy(studyName: string): Promise<void> {
    await this.tx(async (q) => {
      const rows = await q<{ study_id: number }>(`SELECT study_id FROM lrlab_studies WHERE study_name = $1${this.forUpdate}`, [studyName]);
      if (rows.length === 0) throw new RangeError(`deleteStudy: expected an existing study name, got '${studyName}' (not in ${this.url})`);
      const id = rows[0].study_id;
      // explicit deletes rather than relying on ON DELETE CASCADE, which SQLite applies only with foreign_keys on
      await q('DELETE FROM lrlab_trial_params WHERE trial_id IN (SELECT trial_id FROM lrlab_trials WHERE study_id = $1)', [id]);
      await q('DELETE FROM lrlab_trial_intermediate_values WHERE trial_id IN (SELECT trial_id FROM lrlab_trials WHERE study_id = $1)', [id]);
      await q('DELETE FROM lrlab_trials WHERE study_id = $1', [id]);
      await q('DELETE FROM lrlab_studies WHERE study_id = $1', [id]);
    });
  }

  async getAllStudySummaries(): Promise<StudySummary[]> {
    return this.read(async (q) => {
      const studies = await q<{ study_id: number | string; study_name: string; direction: StudyDirection; user_attrs: string }>(
        'SELECT study_id, study_name, direction, user_attrs FROM lrlab_studies ORDER BY study_id',
      );
      const out: StudySummary[] = [];
      for (const s of studies) {
        const trials = await this.trialsOf(q, Number(s.study_id));
        let best: FrozenTrial | null = null;
        for (const t of trials) {
          if (t.state !== 'complete' || t.value === null) continue;
          if (best === null || (s.direction === 'minimize' ? t.value < best.value! : t.value > best.value!)) best = t;
        }
        const starts = trials.map((t) => t.datetimeStart).filter((d): d is Date => d !== null);
        out.push({
          studyName: s.study_name, studyId: Number(s.study_id), direction: s.direction, nTrials: trials.length,
          bestTrial: best, datetimeStart: starts.length ? new Date(Math.min(...starts.map((d) => d.getTime()))) : null,
          userAttrs: fromStoredJson(s.user_attrs),
        });
      }
      return out;
    });
  }

  async setStudyUserAttr(studyId: number, key: string, value: unknown): Promise<void> {
    await this.tx(async (q) => {
      const rows = await q<{ user_attrs: string }>(`SELECT user_attrs FROM lrlab_studies WHERE study_id = $1${this.forUpdate}`, [studyId]);
      if (rows.length === 0) throw new RangeError(`storage ${this.url}: expected an existing study id, got ${studyId}`);
      const attrs = { ...fromStoredJson<Record<string, unknown>>(rows[0].user_attrs), [key]: value };
      await q('UPDATE lrlab_studies SET user_attrs = $1 WHERE study_id = $2', [toStoredJson(attrs), studyId]);
    }, { idempotent: true });
  }

  async getStudyUserAttrs(studyId: number): Promise<Record<string, unknown>> {
    const rows = await this.read((q) => q<{ user_attrs: string }>('SELECT user_attrs FROM lrlab_studies WHERE study_id = $1', [studyId]));
    if (rows.length === 0) throw new RangeError(`storage ${this.url}: expected an existing study id, got ${studyId}`);
    return fromStoredJson(rows[0].user_attrs);
  }

  /** The number of the study's next trial; inside a transaction, which it makes the study's only trial writer. */
  private async nextNumber(q: Query, studyId: number): Promise<number> {
    // the lock on the study row makes max + 1 safe (SQLite's BEGIN IMMEDIATE already admits one writer)
    const study = await q(`SELECT study_id FROM lrlab_studies WHERE study_id = $1${this.forUpdate}`, [studyId]);
    if (study.length === 0) throw new RangeError(`storage ${this.url}: expected an existing study id, got ${studyId}`);
    const next = await q<{ n: number | string }>('SELECT COALESCE(MAX(number) + 1, 0) AS n FROM lrlab_trials WHERE study_id = $1', [studyId]);
    return Number(next[0].n);
  }

  private async insertTrial(q: Query, studyId: number, trial: NewTrial): Promise<number> {
    const number = await this.nextNumber(q, studyId);
    const start = trial.state === 'running' ? await this.driver.now(q) : null;
    const rows = await q<{ trial_id: number | string }>(
      'INSERT INTO lrlab_trials (study_id, number, state, system_attrs, datetime_start) VALUES ($1, $2, $3, $4, $5) RETURNING trial_id',
      [studyId, number, trial.state, toStoredJson(trial.systemAttrs ?? {}), start],
    );
    return Number(rows[0].trial_id);
  }

  async addTrial(studyId: number, template: TrialTemplate): Promise<FrozenTrial> {
    return this.tx(async (q) => {
      const number = await this.nextNumber(q, studyId);
      const rows = await q<{ trial_id: number | string }>(
        `INSERT INTO lrlab_trials (study_id, number, state, value, user_attrs, system_attrs, datetime_start, datetime_complete)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING trial_id`,
        [studyId, number, template.state, template.value === null ? null : String(template.value), toStoredJson(template.userAttrs),
          toStoredJson(template.systemAttrs), template.datetimeStart?.getTime() ?? null, template.datetimeComplete?.getTime() ?? null],
      );
      const trialId = Number(rows[0].trial_id);
      for (const [name, v] of Object.entries(template.params)) await this.upsertParam(q, trialId, name, template.distributions[name], v);
      for (const [step, v] of template.intermediateValues) await this.upsertIntermediate(q, trialId, step, v);
      return this.trialById(q, trialId);
    });
  }

  async createTrial(studyId: number, trial: NewTrial): Promise<FrozenTrial> {
    return this.tx(async (q) => this.trialById(q, await this.insertTrial(q, studyId, trial)));
  }

  async popWaitingTrial(studyId: number): Promise<FrozenTrial | null> {
    return this.tx(async (q) => {
      const skip = this.driver.dialect === 'postgresql' ? ' FOR UPDATE SKIP LOCKED' : '';
      const rows = await q<{ trial_id: number | string }>(
        `SELECT trial_id FROM lrlab_trials WHERE study_id = $1 AND state = 'waiting' ORDER BY number LIMIT 1${skip}`, [studyId],
      );
      if (rows.length === 0) return null;
      const id = Number(rows[0].trial_id);
      await q("UPDATE lrlab_trials SET state = 'running', datetime_start = $1 WHERE trial_id = $2", [await this.driver.now(q), id]);
      return this.trialById(q, id);
    });
  }

  /** Locks a trial and checks that it is running; inside a transaction. */
  private async lockRunning(q: Query, trialId: number): Promise<TrialRow> {
    const rows = await q<TrialRow>(`SELECT * FROM lrlab_trials WHERE trial_id = $1${this.forUpdate}`, [trialId]);
    if (rows.length === 0) throw new RangeError(`storage ${this.url}: expected an existing trial id, got ${trialId}`);
    if (rows[0].state !== 'running') {
      throw new UpdateFinishedTrialError(`storage ${this.url}: trial ${rows[0].number} is ${rows[0].state}, so it cannot be changed`);
    }
    return rows[0];
  }

  private async upsertParam(q: Query, trialId: number, name: string, d: Distribution, v: ParamValue): Promise<void> {
    await q(
      `INSERT INTO lrlab_trial_params (trial_id, name, distribution, value) VALUES ($1, $2, $3, $4)
       ON CONFLICT (trial_id, name) DO UPDATE SET distribution = excluded.distribution, value = excluded.value`,
      [trialId, name, toStoredJson(d), toStoredJson(v)],
    );
  }

  private async upsertIntermediate(q: Query, trialId: number, step: number, v: number): Promise<void> {
    await q(
      `INSERT INTO lrlab_trial_intermediate_values (trial_id, step, value) VALUES ($1, $2, $3)
       ON CONFLICT (trial_id, step) DO UPDATE SET value = excluded.value`,
      [trialId, step, String(v)],
    );
  }

  // A running trial's parameters and intermediate values are written in one statement each, which inserts only
  // while the trial is running: the trial row is read FOR SHARE (PostgreSQL), so a concurrent finishTrial, which
  // holds it FOR UPDATE, is waited for and then seen; SQLite runs one writer at a time anyway.
  private async insertIfRunning(what: string, trialId: number, sql: string, params: unknown[]): Promise<void> {
    const share = this.driver.dialect === 'postgresql' ? ' FOR SHARE' : '';
    const rows = await this.driver.statement(sql.replace('{share}', share), params);
    if (rows.length === 0) {
      // nothing written: say why (an unknown trial, or one that has ended)
      const t = await this.driver.statement<TrialRow>('SELECT number, state FROM lrlab_trials WHERE trial_id = $1', [trialId]);
      if (t.length === 0) throw new RangeError(`storage ${this.url}: expected an existing trial id, got ${trialId}`);
      throw new UpdateFinishedTrialError(`storage ${this.url}: trial ${t[0].number} is ${t[0].state}, so its ${what} cannot be changed`);
    }
  }

  async setTrialParam(trialId: number, name: string, distribution: Distribution, value: ParamValue): Promise<void> {
    await this.insertIfRunning('parameters', trialId,
      `INSERT INTO lrlab_trial_params (trial_id, name, distribution, value)
       SELECT trial_id, $2, $3, $4 FROM lrlab_trials WHERE trial_id = $1 AND state = 'running'{share}
       ON CONFLICT (trial_id, name) DO UPDATE SET distribution = excluded.distribution, value = excluded.value
       RETURNING trial_id`,
      [trialId, name, toStoredJson(distribution), toStoredJson(value)]);
  }

  async setTrialIntermediateValue(trialId: number, step: number, value: number): Promise<void> {
    await this.insertIfRunning('intermediate values', trialId,
      `INSERT INTO lrlab_trial_intermediate_values (trial_id, step, value)
       SELECT trial_id, $2, $3 FROM lrlab_trials WHERE trial_id = $1 AND state = 'running'{share}
       ON CONFLICT (trial_id, step) DO UPDATE SET value = excluded.value
       RETURNING trial_id`,
      [trialId, step, String(value)]);
  }

  private async setAttr(column: 'user_attrs' | 'system_attrs', trialId: number, key: string, value: unknown): Promise<void> {
    await this.tx(async (q) => {
      const row = await this.lockRunning(q, trialId);
      const attrs = { ...fromStoredJson<Record<string, unknown>>(row[column]), [key]: value };
      await q(`UPDATE lrlab_trials SET ${column} = $1 WHERE trial_id = $2`, [toStoredJson(attrs), trialId]);
    }, { idempotent: true });
  }

  setTrialUserAttr(trialId: number, key: string, value: unknown): Promise<void> {
    return this.setAttr('user_attrs', trialId, key, value);
  }

  setTrialSystemAttr(trialId: number, key: string, value: unknown): Promise<void> {
    return this.setAttr('system_attrs', trialId, key, value);
  }

  async finishTrial(trialId: number, record: TrialRecord): Promise<FrozenTrial> {
    return this.tx(async (q) => {
      await this.lockRunning(q, trialId);
      await q('DELETE FROM lrlab_trial_params WHERE trial_id = $1', [trialId]);
      for (const [name, v] of Object.entries(record.params)) await this.upsertParam(q, trialId, name, record.distributions[name], v);
      await q('DELETE FROM lrlab_trial_intermediate_values WHERE trial_id = $1', [trialId]);
      for (const [step, v] of record.intermediateValues) await this.upsertIntermediate(q, trialId, step, v);
      await q(
        'UPDATE lrlab_trials SET state = $1, value = $2, user_attrs = $3, system_attrs = $4, datetime_complete = $5 WHERE trial_id = $6',
        [record.state, record.value === null ? null : String(record.value), toStoredJson(record.userAttrs),
          toStoredJson(record.systemAttrs), await this.driver.now(q), trialId],
      );
      return this.trialById(q, trialId);
    }, { idempotent: true });
  }

  async recordHeartbeat(trialId: number): Promise<void> {
    await this.tx(async (q) => {
      await this.lockRunning(q, trialId);
      await q('UPDATE lrlab_trials SET heartbeat = $1 WHERE trial_id = $2', [await this.driver.now(q), trialId]);
    }, { idempotent: true });
  }

  async failStaleTrials(studyId: number): Promise<FrozenTrial[]> {
    const grace = this.heartbeat.gracePeriod;
    if (grace === null) return [];
    return this.tx(async (q) => {
      const limit = (await this.driver.now(q)) - grace * 1000;
      const skip = this.driver.dialect === 'postgresql' ? ' FOR UPDATE SKIP LOCKED' : '';
      const stale = await q<TrialRow>(
        `SELECT * FROM lrlab_trials WHERE study_id = $1 AND state = 'running' AND heartbeat IS NOT NULL AND heartbeat < $2 ORDER BY number${skip}`,
        [studyId, limit],
      );
      const failed: FrozenTrial[] = [];
      for (const row of stale) {
        const attrs = { ...fromStoredJson<Record<string, unknown>>(row.system_attrs), failReason: `no heartbeat for more than ${grace} s: its worker is presumed dead` };
        await q("UPDATE lrlab_trials SET state = 'fail', system_attrs = $1, datetime_complete = $2 WHERE trial_id = $3",
          [toStoredJson(attrs), await this.driver.now(q), row.trial_id]);
        const frozen = await this.trialById(q, Number(row.trial_id));
        failed.push(frozen);
        const retry = retryAttrs(frozen, this.heartbeat.maxRetry);
        if (retry) await this.insertTrial(q, studyId, { state: 'waiting', systemAttrs: retry });
      }
      return failed;
    }, { idempotent: true });
  }

  async getTrial(trialId: number): Promise<FrozenTrial> {
    return this.read((q) => this.trialById(q, trialId));
  }

  async getAllTrials(studyId: number): Promise<FrozenTrial[]> {
    return this.read((q) => this.trialsOf(q, studyId));
  }

  private async trialById(q: Query, trialId: number): Promise<FrozenTrial> {
    const rows = await q<TrialRow>('SELECT * FROM lrlab_trials WHERE trial_id = $1', [trialId]);
    if (rows.length === 0) throw new RangeError(`storage ${this.url}: expected an existing trial id, got ${trialId}`);
    const params = await q<{ trial_id: number; name: string; distribution: string; value: string }>('SELECT * FROM lrlab_trial_params WHERE trial_id = $1', [trialId]);
    const steps = await q<{ trial_id: number; step: number | string; value: string }>('SELECT * FROM lrlab_trial_intermediate_values WHERE trial_id = $1', [trialId]);
    return assemble(rows[0], params, steps);
  }

  private async trialsOf(q: Query, studyId: number): Promise<FrozenTrial[]> {
    const rows = await q<TrialRow>('SELECT * FROM lrlab_trials WHERE study_id = $1 ORDER BY number', [studyId]);
    const params = await q<{ trial_id: number | string; name: string; distribution: string; value: string }>(
      'SELECT p.* FROM lrlab_trial_params p JOIN lrlab_trials t ON p.trial_id = t.trial_id WHERE t.study_id = $1', [studyId],
    );
    const steps = await q<{ trial_id: number | string; step: number | string; value: string }>(
      'SELECT v.* FROM lrlab_trial_intermediate_values v JOIN lrlab_trials t ON v.trial_id = t.trial_id WHERE t.study_id = $1 ORDER BY v.step', [studyId],
    );
    const byTrial = <T extends { trial_id: number | string }>(xs: T[]) => {
      const m = new Map<number, T[]>();
      for (const x of xs) {
        const id = Number(x.trial_id);
        if (!m.has(id)) m.set(id, []);
        m.get(id)!.push(x);
      }
      return m;
    };
    const p = byTrial(params), s = byTrial(steps);
    return rows.map((r) => assemble(r, p.get(Number(r.trial_id)) ?? [], s.get(Number(r.trial_id)) ?? []));
  }

  async close(): Promise<void> {
    await this.driver.close();
  }
}

function assemble(
  row: TrialRow,
  params: { name: string; distribution: string; value: string }[],
  steps: { step: number | string; value: string }[],
): FrozenTrial {
  const p: Record<string, ParamValue> = {};
  const d: Record<string, Distribution> = {};
  for (const x of params) {
    p[x.name] = fromStoredJson(x.value);
    d[x.name] = fromStoredJson(x.distribution);
  }
  const iv = new Map<number, number>();
  for (const x of [...steps].sort((a, b) => Number(a.step) - Number(b.step))) iv.set(Number(x.step), Number(x.value));
  return {
    number: Number(row.number), trialId: Number(row.trial_id), state: row.state, value: num(row.value),
    params: p, distributions: d, intermediateValues: iv,
    userAttrs: fromStoredJson(row.user_attrs), systemAttrs: fromStoredJson(row.system_attrs),
    datetimeStart: date(row.datetime_start), datetimeComplete: date(row.datetime_complete),
  };
}
