// lrlab's earlier SQL tables (lrlab_studies, lrlab_trials, lrlab_trial_params, lrlab_trial_intermediate_values,
// written before lrlab stored studies in Optuna's schema) moved into Optuna's tables: every study with its
// direction and user attributes, every trial with its number, state, value, parameters, distributions,
// intermediate values, attributes, datetimes and a running trial's heartbeat. It runs inside the transaction that
// opens the storage, so a failure leaves the old tables as they were; on success they are dropped, so the move
// happens (and is said) once.
import type { Distribution, ParamValue } from '../types.js';
import { fromStoredJson } from './json.js';
import { distributionToJson, paramToInternal, stepToDb, systemKeyToDb, toPythonJson, valueToDb } from './optuna-json.js';
import { toDbDatetime } from './rdb-schema.js';
import type { Query } from './sql.js';

/** What a migration moved. */
export interface Migration {
  readonly studies: number;
  readonly trials: number;
}

type Id = number | string;

/** Moves lrlab_* into Optuna's tables (which must exist) and drops lrlab_*; inside the caller's transaction. */
export async function migrateLrlabTables(q: Query, dialect: 'sqlite' | 'postgresql'): Promise<Migration> {
  const studies = await q<{ study_id: Id; study_name: string; direction: string; user_attrs: string }>('SELECT * FROM lrlab_studies ORDER BY study_id');
  let nTrials = 0;
  for (const s of studies) {
    if ((await q('SELECT study_id FROM studies WHERE study_name = $1', [s.study_name])).length > 0) {
      throw new RangeError(`cannot move study '${s.study_name}' from lrlab's earlier tables: Optuna's studies table already holds a study of that name (rename one of them)`);
    }
    const id = Number((await q<{ study_id: Id }>('INSERT INTO studies (study_name) VALUES ($1) RETURNING study_id', [s.study_name]))[0].study_id);
    await q('INSERT INTO study_directions (direction, study_id, objective) VALUES ($1, $2, 0)', [s.direction.toUpperCase(), id]);
    for (const [k, v] of Object.entries(fromStoredJson<Record<string, unknown>>(s.user_attrs))) {
      await q('INSERT INTO study_user_attributes (study_id, "key", value_json) VALUES ($1, $2, $3)', [id, k, toPythonJson(v)]);
    }
    const trials = await q<{
      trial_id: Id; number: Id; state: string; value: string | null; user_attrs: string; system_attrs: string;
      datetime_start: Id | null; datetime_complete: Id | null; heartbeat: Id | null;
    }>('SELECT * FROM lrlab_trials WHERE study_id = $1 ORDER BY number', [s.study_id]);
    for (const t of trials) {
      const stamp = (ms: Id | null) => (ms === null ? null : toDbDatetime(new Date(Number(ms))));
      const trialId = Number((await q<{ trial_id: Id }>(
        'INSERT INTO trials (number, study_id, state, datetime_start, datetime_complete) VALUES ($1, $2, $3, $4, $5) RETURNING trial_id',
        [Number(t.number), id, t.state.toUpperCase(), stamp(t.datetime_start), stamp(t.datetime_complete)],
      ))[0].trial_id);
      if (t.value !== null) {
        const v = Number(t.value);
        // a NaN value (not a complete trial's: lrlab fails those) has no place in Optuna's schema and is left out
        if (!Number.isNaN(v)) await q('INSERT INTO trial_values (trial_id, objective, value, value_type) VALUES ($1, 0, $2, $3)', [trialId, ...valueToDb(v)]);
      }
      const params = await q<{ name: string; distribution: string; value: string }>('SELECT name, distribution, value FROM lrlab_trial_params WHERE trial_id = $1', [t.trial_id]);
      for (const p of params) {
        const d = fromStoredJson<Distribution>(p.distribution);
        await q('INSERT INTO trial_params (trial_id, param_name, param_value, distribution_json) VALUES ($1, $2, $3, $4)',
          [trialId, p.name, paramToInternal(p.name, d, fromStoredJson<ParamValue>(p.value)), distributionToJson(d)]);
      }
      const steps = await q<{ step: Id; value: string }>('SELECT step, value FROM lrlab_trial_intermediate_values WHERE trial_id = $1 ORDER BY step', [t.trial_id]);
      for (const x of steps) {
        await q('INSERT INTO trial_intermediate_values (trial_id, step, intermediate_value, intermediate_value_type) VALUES ($1, $2, $3, $4)',
          [trialId, Number(x.step), ...stepToDb(Number(x.value))]);
      }
      for (const [k, v] of Object.entries(fromStoredJson<Record<string, unknown>>(t.user_attrs))) {
        await q('INSERT INTO trial_user_attributes (trial_id, "key", value_json) VALUES ($1, $2, $3)', [trialId, k, toPythonJson(v)]);
      }
      for (const [k, v] of Object.entries(fromStoredJson<Record<string, unknown>>(t.system_attrs))) {
        await q('INSERT INTO trial_system_attributes (trial_id, "key", value_json) VALUES ($1, $2, $3)', [trialId, systemKeyToDb(k), toPythonJson(v)]);
      }
      if (t.heartbeat !== null && t.state === 'running') {
        // a heartbeat is the database's clock in whole seconds: UTC in SQLite, the session's zone in PostgreSQL
        const beat = dialect === 'postgresql'
          ? "date_trunc('second', to_timestamp($2::double precision / 1000)::timestamp)"
          : "strftime('%Y-%m-%d %H:%M:%S', $2 / 1000.0, 'unixepoch')";
        await q(`INSERT INTO trial_heartbeats (trial_id, heartbeat) VALUES ($1, ${beat})`, [trialId, Number(t.heartbeat)]);
      }
      nTrials++;
    }
  }
  for (const t of ['lrlab_trial_intermediate_values', 'lrlab_trial_params', 'lrlab_trials', 'lrlab_studies']) await q(`DROP TABLE ${t}`);
  return { studies: studies.length, trials: nTrials };
}
