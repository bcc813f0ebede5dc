// Finished trials made by hand, for warm starts: `createTrial` builds one from known results, `checkTrial` holds any
// trial to Optuna's FrozenTrial rules before `study.addTrial` stores it, and `checkCompatible` keeps a study's
// parameters of one kind across the trials added to it.
import { checkContains, distributionToString, sameDistribution, toDistribution } from './distributions.js';
import { fromStoredJson, toStoredJson } from './storage/json.js';
import { describe } from '../format/number.js';
import { valueOf } from './storage/base.js';
import type { Distribution, FrozenTrial, ParamValue, TrialState } from './types.js';

/** The arguments of `createTrial`: Optuna's create_trial keywords in camelCase. */
export interface CreateTrialOptions {
  /** Default 'complete'. */
  state?: TrialState;
  /** The objective value of a single-objective trial; a complete trial needs it or `values` (not both). */
  value?: number;
  /** The objective values, one per objective of the study the trial is added to. */
  values?: readonly number[];
  /** name -> value, each inside its distribution. */
  params?: Readonly<Record<string, ParamValue>>;
  /** name -> distribution (`new FloatDistribution(...)` or plain data), one per parameter. */
  distributions?: Readonly<Record<string, Distribution>>;
  userAttrs?: Readonly<Record<string, unknown>>;
  systemAttrs?: Readonly<Record<string, unknown>>;
  /** step -> value, as `trial.report(value, step)` would have recorded them (an object or a Map). */
  intermediateValues?: Readonly<Record<number, number>> | ReadonlyMap<number, number>;
}

const STATES: readonly TrialState[] = ['complete', 'pruned', 'fail', 'running', 'waiting'];
const CREATE_KEYS = ['state', 'value', 'values', 'params', 'distributions', 'userAttrs', 'systemAttrs', 'intermediateValues'];

const isRecord = (x: unknown): x is Record<string, unknown> =>
  x !== null && typeof x === 'object' && !Array.isArray(x) && !(x instanceof Map);

/**
 * A finished trial from known results, to add to a study with `study.addTrial`: complete by default, started and
 * completed now, numbered -1 until a study numbers it. Checked as `checkTrial` checks. Optuna's create_trial.
 */
export function createTrial(options: CreateTrialOptions = {}): FrozenTrial {
  const fn = 'createTrial';
  if (!isRecord(options)) throw new TypeError(`${fn}: expected an options object { params, distributions, value, ... }, got ${describe(options)}`);
  for (const k of Object.keys(options)) {
    if (!CREATE_KEYS.includes(k)) throw new TypeError(`${fn}: expected options ${CREATE_KEYS.join(', ')}, got an unknown option '${k}'`);
  }
  const state = options.state ?? 'complete';
  if (!STATES.includes(state as TrialState)) throw new TypeError(`${fn}: expected state ${STATES.map((s) => `'${s}'`).join(', ')}, got ${describe(state)}`);
  if (options.value !== undefined && options.values !== undefined) {
    throw new RangeError(`${fn}: expected value or values, not both, got value ${describe(options.value)} and values ${describe(options.values)}`);
  }
  let values: readonly number[] | null = options.value === undefined ? null : [options.value as number];
  if (options.values !== undefined) {
    if (!Array.isArray(options.values)) throw new TypeError(`${fn}: expected values to be an array of numbers, got ${describe(options.values)}`);
    if (options.values.length === 0) throw new RangeError(`${fn}: expected at least one value in values, got none`);
    values = options.values;
  }
  const start = state === 'waiting' ? null : new Date();
  const finished = state === 'complete' || state === 'pruned' || state === 'fail';
  const iv = options.intermediateValues ?? {};
  return checkTrial(fn, {
    number: -1, trialId: -1, state, value: valueOf(values), values,
    params: options.params ?? {}, distributions: options.distributions ?? {},
    intermediateValues: (iv instanceof Map ? iv : intermediateMap(fn, iv)) as ReadonlyMap<number, number>,
    userAttrs: options.userAttrs ?? {}, systemAttrs: options.systemAttrs ?? {},
    datetimeStart: start, datetimeComplete: finished ? start : null,
  });
}

/** `{ "0": 0.5, "1": 0.3 }` as a Map of integer steps (an object's keys are text). */
function intermediateMap(fn: string, iv: unknown): Map<number, number> {
  if (!isRecord(iv)) throw new TypeError(`${fn}: expected intermediateValues to be an object or a Map of step -> value, got ${describe(iv)}`);
  const out = new Map<number, number>();
  for (const [k, v] of Object.entries(iv)) {
    const step = Number(k);
    if (!Number.isSafeInteger(step) || step < 0 || String(step) !== k) throw new RangeError(`${fn}: expected intermediate steps that are integers >= 0, got step ${JSON.stringify(k)}`);
    out.set(step, v as number);
  }
  return out;
}

/**
 * Holds a trial to Optuna's FrozenTrial._validate rules and returns a copy fit for a storage: a known state; a
 * start time unless waiting; a completion time exactly when finished; a value for a complete trial (a number, not
 * NaN); the same names in `params` and `distributions`, each value inside its (checked) distribution; integer
 * steps >= 0 with numbers; JSON attributes. Distributions come back as plain data, attributes as copies.
 */
export function checkTrial(fn: string, trial: unknown): FrozenTrial {
  if (!isRecord(trial)) throw new TypeError(`${fn}: expected a trial (createTrial's or a study's), got ${describe(trial)}`);
  if (typeof (trial as { suggestFloat?: unknown }).suggestFloat === 'function') {
    throw new TypeError(`${fn}: expected a recorded trial (createTrial's, or one of study.trials), got the running Trial ${String((trial as { number?: unknown }).number)} (end it with study.tell)`);
  }
  const t = trial as unknown as FrozenTrial;
  if (!STATES.includes(t.state)) throw new TypeError(`${fn}: expected state ${STATES.map((s) => `'${s}'`).join(', ')}, got ${describe(t.state)}`);
  const finished = t.state === 'complete' || t.state === 'pruned' || t.state === 'fail';
  for (const [key, d] of [['datetimeStart', t.datetimeStart], ['datetimeComplete', t.datetimeComplete]] as const) {
    if (d !== null && (!(d instanceof Date) || Number.isNaN(d.getTime()))) throw new TypeError(`${fn}: expected ${key} to be a valid Date or null, got ${describe(d)}`);
  }
  if (t.state !== 'waiting' && t.datetimeStart === null) throw new RangeError(`${fn}: expected a datetimeStart for a ${t.state} trial, got null`);
  if (finished && t.datetimeComplete === null) throw new RangeError(`${fn}: expected a datetimeComplete for a finished (${t.state}) trial, got null`);
  if (!finished && t.datetimeComplete !== null) throw new RangeError(`${fn}: expected no datetimeComplete for a ${t.state} trial, got ${t.datetimeComplete.toISOString()}`);
  // several values are the trial's; otherwise `value` decides when it is there (a trial made by hand before
  // `values` existed carries only `value`, and `{ ...trial, value: null }` reads as meant)
  const many = Array.isArray(t.values) && t.values.length > 1;
  const given: unknown = many || t.value === undefined ? (t.values ?? null) : t.value === null ? null : [t.value];
  if (given !== null && (!Array.isArray(given) || given.length === 0)) {
    throw new TypeError(`${fn}: expected values to be a non-empty array of numbers (or null), got ${describe(given)}`);
  }
  const values = given === null ? null : (given as unknown[]).map((v) => {
    if (typeof v !== 'number' || Number.isNaN(v)) throw new TypeError(`${fn}: expected the value to be a number (or null), got ${describe(v)}`);
    return v;
  });
  if (t.state === 'complete' && values === null) throw new RangeError(`${fn}: expected a value (or values) for a complete trial, got none`);
  if (!isRecord(t.params)) throw new TypeError(`${fn}: expected params to be an object of name -> value, got ${describe(t.params)}`);
  if (!isRecord(t.distributions)) throw new TypeError(`${fn}: expected distributions to be an object of name -> distribution, got ${describe(t.distributions)}`);
  const names = Object.keys(t.params).sort(), dnames = Object.keys(t.distributions).sort();
  if (names.join('\0') !== dnames.join('\0')) {
    throw new RangeError(`${fn}: expected a distribution for every parameter and no other, got parameters ${describe(names)} and distributions ${describe(dnames)}`);
  }
  const distributions: Record<string, Distribution> = {};
  for (const name of names) {
    const d = toDistribution(`${fn}('${name}')`, t.distributions[name]);
    checkContains(fn, name, d, t.params[name]);
    distributions[name] = d;
  }
  if (!(t.intermediateValues instanceof Map)) throw new TypeError(`${fn}: expected intermediateValues to be a Map of step -> value, got ${describe(t.intermediateValues)}`);
  const intermediateValues = new Map<number, number>();
  for (const [step, v] of [...t.intermediateValues].sort((a, b) => a[0] - b[0])) {
    if (!Number.isSafeInteger(step) || step < 0) throw new RangeError(`${fn}: expected intermediate steps that are integers >= 0, got step ${describe(step)}`);
    if (typeof v !== 'number') throw new TypeError(`${fn}: expected a number at intermediate step ${step}, got ${describe(v)}`);
    intermediateValues.set(step, v);
  }
  return {
    number: t.number, trialId: t.trialId, state: t.state, value: valueOf(values), values,
    params: { ...t.params }, distributions, intermediateValues,
    userAttrs: jsonCopy(fn, 'userAttrs', t.userAttrs), systemAttrs: jsonCopy(fn, 'systemAttrs', t.systemAttrs),
    datetimeStart: t.datetimeStart && new Date(t.datetimeStart.getTime()),
    datetimeComplete: t.datetimeComplete && new Date(t.datetimeComplete.getTime()),
  };
}

/** Attributes through the storages' JSON (NaN and the infinities kept), so the caller's object is not shared. */
function jsonCopy(fn: string, what: string, attrs: unknown): Record<string, unknown> {
  if (!isRecord(attrs)) throw new TypeError(`${fn}: expected ${what} to be an object, got ${describe(attrs)}`);
  let text: string | undefined;
  try {
    text = toStoredJson(attrs);
  } catch (error) {
    throw new TypeError(`${fn}: expected ${what} that JSON can hold, got one it cannot (${(error as Error).message})`);
  }
  return fromStoredJson(text);
}

/**
 * Optuna's distribution compatibility for a trial added to a study: each parameter keeps the kind it has in the
 * study's trials (`known`), and a categorical keeps its choices; float and int ranges may differ.
 */
export function checkCompatible(fn: string, trial: FrozenTrial, known: (name: string) => Distribution | undefined): void {
  for (const [name, d] of Object.entries(trial.distributions)) {
    const previous = known(name);
    if (previous === undefined) continue;
    if (previous.type !== d.type || (d.type === 'categorical' && !sameDistribution(previous, d))) {
      throw new RangeError(`${fn}('${name}'): expected the distribution the study already uses for '${name}' (${distributionToString(previous)}), got ${distributionToString(d)}`);
    }
  }
}
