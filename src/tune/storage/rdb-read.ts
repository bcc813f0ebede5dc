// Reading trials back from Optuna's tables: a trial row and the rows of its five child tables (values, parameters,
// intermediate values, user and system attributes) made into lrlab's FrozenTrial, decoded as Optuna decodes them.
import type { Distribution, FrozenTrial, ParamValue } from '../types.js';
import { valueOf } from './base.js';
import { distributionFromJson, fromDbState, fromDbValue, paramFromInternal, parsePythonJson, systemKeyFromDb } from './optuna-json.js';
import { fromDbDatetime } from './rdb-schema.js';
import type { Query } from './sql.js';

type Id = number | string;
interface TrialRow { trial_id: Id; number: Id | null; state: string; datetime_start: string | null; datetime_complete: string | null }
/** A row of one of a trial's five child tables, in the one shape `readTrials` reads them in. */
interface ChildRow { kind: 'v' | 'p' | 'i' | 'u' | 's'; trial_id: Id; name: string; num: number | null; text: string; ord: number }

/**
 * The trials matching `where` (on trials t) with all their rows, in number order: two statements, the trials and
 * then every row of the five child tables in one UNION ALL (one round trip, not five, on a server).
 */
export async function readTrials(q: Query, where: string, key: number): Promise<FrozenTrial[]> {
  const trials = await q<TrialRow>(`SELECT t.trial_id, t.number, t.state, t.datetime_start, t.datetime_complete FROM trials t WHERE ${where} ORDER BY t.number, t.trial_id`, [key]);
  if (trials.length === 0) return [];
  // kind, trial, name, number, text, order: one shape for values (v), params (p), steps (i), attributes (u, s)
  const part = (kind: string, table: string, name: string, num: string, text: string, order: string) =>
    `SELECT '${kind}' AS kind, x.trial_id, CAST(${name} AS TEXT) AS name, CAST(${num} AS DOUBLE PRECISION) AS num, CAST(${text} AS TEXT) AS text,
     CAST(${order} AS DOUBLE PRECISION) AS ord FROM ${table} x JOIN trials t ON x.trial_id = t.trial_id WHERE ${where}`;
  const rows = await q<ChildRow>([
    part('v', 'trial_values', 'x.value_type', 'x.value', 'NULL', 'x.objective'),
    part('p', 'trial_params', 'x.param_name', 'x.param_value', 'x.distribution_json', 'x.param_id'),
    part('i', 'trial_intermediate_values', 'x.intermediate_value_type', 'x.intermediate_value', 'NULL', 'x.step'),
    part('u', 'trial_user_attributes', 'x."key"', 'NULL', 'x.value_json', 'x.trial_user_attribute_id'),
    part('s', 'trial_system_attributes', 'x."key"', 'NULL', 'x.value_json', 'x.trial_system_attribute_id'),
  ].join(' UNION ALL ') + ' ORDER BY kind, ord', [key]);
  const byTrial = new Map<number, ChildRow[]>();
  for (const r of rows) {
    const id = Number(r.trial_id);
    let list = byTrial.get(id);
    if (list === undefined) byTrial.set(id, (list = []));
    list.push(r);
  }
  return trials.map((row) => {
    const id = Number(row.trial_id);
    const values: number[] = [];
    const p: Record<string, ParamValue> = {};
    const d: Record<string, Distribution> = {};
    const iv = new Map<number, number>();
    const userAttrs: Record<string, unknown> = {};
    const systemAttrs: Record<string, unknown> = {};
    for (const r of byTrial.get(id) ?? []) {
      switch (r.kind) {
        case 'v': values.push(fromDbValue(r.num, r.name)); break; // in objective order
        case 'p':
          d[r.name] = distributionFromJson(r.text);
          p[r.name] = paramFromInternal(d[r.name], Number(r.num));
          break;
        case 'i': iv.set(Number(r.ord), fromDbValue(r.num, r.name)); break;
        case 'u': userAttrs[r.name] = parsePythonJson(r.text); break;
        default: systemAttrs[systemKeyFromDb(r.name)] = parsePythonJson(r.text);
      }
    }
    const vs = values.length > 0 ? values : null;
    return {
      number: Number(row.number), trialId: id, state: fromDbState(row.state), value: valueOf(vs), values: vs,
      params: p, distributions: d, intermediateValues: iv, userAttrs, systemAttrs,
      datetimeStart: fromDbDatetime(row.datetime_start), datetimeComplete: fromDbDatetime(row.datetime_complete),
    };
  });
}
