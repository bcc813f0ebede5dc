// The values of Optuna's RDB schema as Optuna 3.1 writes them, so that Python reads what lrlab writes and back:
// - JSON as Python's json.dumps writes it (attributes, distribution_json): NaN, Infinity and -Infinity as bare
//   tokens, which JSON.parse refuses, so `parsePythonJson` reads them;
// - a distribution as distribution_to_json ({"name": "FloatDistribution", "attributes": {...}}), read back from
//   that form, from the older classes (UniformDistribution, ...) and from the abbreviated {"type": "float", ...};
// - a parameter as its internal representation (a float; a categorical's index into its choices);
// - the system attributes Optuna reads by name (a retry's and an enqueued trial's) under Optuna's snake_case keys;
// - states and directions as Optuna's enum names, values and intermediate values with their value types.
import type { CategoricalChoice, Distribution, ParamValue, StudyDirection, TrialState } from '../types.js';
import { fromStoredJson } from './json.js';

/** Python's json.dumps of a JSON-able value: NaN and the infinities as bare tokens, as `json.loads` reads them. */
export function toPythonJson(value: unknown): string {
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return JSON.stringify(value);
    return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
  }
  if (value !== null && typeof value === 'object') {
    const json = (value as { toJSON?: () => unknown }).toJSON;
    if (typeof json === 'function') return toPythonJson(json.call(value));
    if (Array.isArray(value)) return `[${value.map((x) => (x === undefined || typeof x === 'function' || typeof x === 'symbol' ? 'null' : toPythonJson(x))).join(', ')}]`;
    const entries = Object.entries(value).filter(([, x]) => x !== undefined && typeof x !== 'function' && typeof x !== 'symbol');
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}: ${toPythonJson(x)}`).join(', ')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

// a string (skipped whole, so that "NaN" inside one stays text) or a bare non-finite token
const TOKENS = /"(?:[^"\\]|\\.)*"|-?Infinity|NaN/g;

/** Reads JSON as Python writes it (bare NaN, Infinity, -Infinity allowed); plain JSON reads as itself. */
export function parsePythonJson<T = unknown>(text: string): T {
  if (!/NaN|Infinity|\$number/.test(text)) return JSON.parse(text) as T; // the common case, without a reviver
  const tagged = text.replace(TOKENS, (m) => (m[0] === '"' ? m : `{"$number": "${m}"}`));
  return fromStoredJson<T>(tagged);
}

/** Optuna's distribution_to_json of a distribution. */
export function distributionToJson(d: Distribution): string {
  switch (d.type) {
    case 'float':
      return toPythonJson({ name: 'FloatDistribution', attributes: { step: d.step, low: d.low, high: d.high, log: d.log } });
    case 'int':
      return toPythonJson({ name: 'IntDistribution', attributes: { log: d.log, step: d.step, low: d.low, high: d.high } });
    default:
      return toPythonJson({ name: 'CategoricalDistribution', attributes: { choices: d.choices } });
  }
}

const float = (low: number, high: number, log: boolean, step: number | null): Distribution => ({ type: 'float', low, high, log, step });
const int = (low: number, high: number, log: boolean, step: number): Distribution => ({ type: 'int', low, high, log, step });

// Reading a study reads the same few distribution_json texts once per trial: each is parsed once per process.
// The distributions handed out are frozen, as they are shared.
const parsed = new Map<string, Distribution>();

/** Optuna's json_to_distribution: the current classes, the ones before Optuna 3.0, and the abbreviated form. */
export function distributionFromJson(text: string): Distribution {
  let d = parsed.get(text);
  if (d === undefined) {
    d = readDistribution(text);
    if (d.type === 'categorical') Object.freeze(d.choices);
    if (parsed.size >= 10000) parsed.clear();
    parsed.set(text, Object.freeze(d));
  }
  return d;
}

function readDistribution(text: string): Distribution {
  const j = parsePythonJson<Record<string, any>>(text);
  if (!('name' in j)) {
    // the abbreviated form ({"type": "float", ...}), which is also lrlab's own
    if (j.type === 'categorical') return { type: 'categorical', choices: j.choices };
    if (j.type === 'float') return float(j.low, j.high, j.log ?? false, j.step ?? null);
    if (j.type === 'int') return int(j.low, j.high, j.log ?? false, j.step ?? 1);
    throw new RangeError(`storage: expected an Optuna distribution_json, got ${text}`);
  }
  const a = j.attributes ?? {};
  switch (j.name) {
    case 'FloatDistribution': return float(a.low, a.high, a.log ?? false, a.step ?? null);
    case 'IntDistribution': return int(a.low, a.high, a.log ?? false, a.step ?? 1);
    case 'CategoricalDistribution': return { type: 'categorical', choices: a.choices };
    case 'UniformDistribution': return float(a.low, a.high, false, null);
    case 'LogUniformDistribution': return float(a.low, a.high, true, null);
    case 'DiscreteUniformDistribution': return float(a.low, a.high, false, a.q);
    case 'IntUniformDistribution': return int(a.low, a.high, false, a.step ?? 1);
    case 'IntLogUniformDistribution': return int(a.low, a.high, true, a.step ?? 1);
    default: throw new RangeError(`storage: expected a known Optuna distribution class, got '${j.name}'`);
  }
}

/** The index of `value` among a categorical's choices (NaN finds NaN, as Python's list.index finds the same object). */
function choiceIndex(choices: readonly CategoricalChoice[], value: ParamValue): number {
  return choices.findIndex((c) => c === value || Object.is(c, value));
}

/** Optuna's to_internal_repr: the number stored in trial_params.param_value. */
export function paramToInternal(name: string, d: Distribution, value: ParamValue): number {
  if (d.type !== 'categorical') return value as number;
  const i = choiceIndex(d.choices, value);
  if (i < 0) throw new RangeError(`storage: expected parameter '${name}' to be one of its choices, got ${String(value)}`);
  return i;
}

/** Optuna's to_external_repr: the value the objective saw, from trial_params.param_value. */
export function paramFromInternal(d: Distribution, internal: number): ParamValue {
  if (d.type === 'categorical') return d.choices[Math.round(internal)];
  return d.type === 'int' ? Math.round(internal) : internal;
}

// The system attributes whose names lrlab writes in camelCase and Optuna reads in snake_case: an enqueued trial's
// fixed parameters and RetryFailedTrialCallback's record of a retry. Other keys are stored as they are.
const SNAKE: Readonly<Record<string, string>> = { fixedParams: 'fixed_params', failedTrial: 'failed_trial', retryHistory: 'retry_history' };
const CAMEL: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(SNAKE).map(([c, s]) => [s, c]));

/** The key under which a system attribute is stored (Optuna's name for the ones Optuna reads). */
export function systemKeyToDb(key: string): string {
  return SNAKE[key] ?? key;
}

/** The key lrlab reads a stored system attribute under. */
export function systemKeyFromDb(key: string): string {
  return CAMEL[key] ?? key;
}

/** lrlab's state names and Optuna's TrialState enum names. */
export const toDbState = (s: TrialState): string => s.toUpperCase();
export const fromDbState = (s: string): TrialState => s.toLowerCase() as TrialState;
/** Optuna's StudyDirection enum names; NOT_SET (never written by Optuna 3) reads as Optuna's default, minimize. */
export const fromDbDirection = (d: string): StudyDirection => (d === 'MAXIMIZE' ? 'maximize' : 'minimize');

/** Optuna's TrialValueModel.value_to_stored_repr (NaN is no objective value: Optuna fails such a trial). */
export function valueToDb(v: number): [number | null, string] {
  if (Number.isNaN(v)) throw new RangeError(`storage: expected objective values that are numbers or +-Infinity, got NaN`);
  return v === Infinity ? [null, 'INF_POS'] : v === -Infinity ? [null, 'INF_NEG'] : [v, 'FINITE'];
}

/** Optuna's TrialIntermediateValueModel.intermediate_value_to_stored_repr. */
export function stepToDb(v: number): [number | null, string] {
  return Number.isNaN(v) ? [null, 'NAN'] : v === Infinity ? [null, 'INF_POS'] : v === -Infinity ? [null, 'INF_NEG'] : [v, 'FINITE'];
}

/** A stored value or intermediate value with its type, as the number it stands for. */
export function fromDbValue(value: number | null, type: string): number {
  switch (type) {
    case 'INF_POS': return Infinity;
    case 'INF_NEG': return -Infinity;
    case 'NAN': return NaN;
    default: return Number(value);
  }
}
