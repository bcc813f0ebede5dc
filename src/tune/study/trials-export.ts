// A study's trials as files: CSV with Optuna's trials_dataframe columns, and JSON that keeps NaN and the infinities.
import { csvCell } from '../../io/csv-cell.js';
import { exactNumbers } from '../storage/json.js';
import type { FrozenTrial } from '../types.js';

/**
 * The trials as CSV, one row per trial: Optuna's trials_dataframe columns (`value`, or `values_0`, `values_1`, ...
 * with several objectives; params_*, user_attrs_*); formula-like text is prefixed with ' (csvCell).
 */
export function formatTrialsCsv(trials: readonly FrozenTrial[], nObjectives = 1): string {
  const rows = trialRows(trials, nObjectives);
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return [columns.map(csvCell).join(','), ...rows.map((r) => columns.map((c) => csvCell(r[c])).join(','))].join('\n') + '\n';
}

/**
 * The trials as JSON: an array of FrozenTrials, with intermediate values as { step: value }, dates as ISO text,
 * and NaN and the infinities (values, parameters, choices) as the strings "NaN", "Infinity", "-Infinity".
 */
export function formatTrialsJson(trials: readonly FrozenTrial[]): string {
  return JSON.stringify(trials.map((t) => ({
    ...t,
    intermediateValues: Object.fromEntries(t.intermediateValues),
    datetimeStart: t.datetimeStart?.toISOString() ?? null,
    datetimeComplete: t.datetimeComplete?.toISOString() ?? null,
  })), exactNumbers, 2);
}

function trialRows(trials: readonly FrozenTrial[], nObjectives: number): Record<string, unknown>[] {
  const names = [...new Set(trials.flatMap((t) => Object.keys(t.params)))].sort();
  return trials.map((t) => {
    const row: Record<string, unknown> = { number: t.number };
    if (nObjectives === 1) row.value = t.value;
    else for (let k = 0; k < nObjectives; k++) row[`values_${k}`] = t.values?.[k] ?? null;
    Object.assign(row, {
      datetime_start: t.datetimeStart?.toISOString() ?? null,
      datetime_complete: t.datetimeComplete?.toISOString() ?? null,
      duration: t.datetimeStart && t.datetimeComplete ? (t.datetimeComplete.getTime() - t.datetimeStart.getTime()) / 1000 : null,
    });
    for (const n of names) row[`params_${n}`] = t.params[n];
    for (const [k, v] of Object.entries(t.userAttrs)) row[`user_attrs_${k}`] = v;
    row.state = t.state;
    return row;
  });
}
