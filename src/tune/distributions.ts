// Building and checking the distributions behind `suggestFloat`, `suggestInt` and `suggestCategorical`. Every check
// names the parameter, so an error in a forty-line objective points at the line that caused it.
import type {
  CategoricalChoice, CategoricalDistribution as CategoricalShape, Distribution, FloatDistribution as FloatShape,
  IntDistribution as IntShape, ParamValue,
} from './types.js';

/** Options of `suggestFloat` and `suggestInt`: a log-uniform scale, or a grid of spacing `step`. */
export interface SuggestOptions {
  log?: boolean;
  step?: number | null;
}

function describe(x: unknown): string {
  if (typeof x === 'string') return JSON.stringify(x);
  if (Array.isArray(x)) return `an array of ${x.length}`;
  if (x === null) return 'null';
  if (typeof x === 'object') return 'an object';
  return String(x);
}

function checkName(fn: string, name: unknown): asserts name is string {
  if (typeof name !== 'string' || name === '') throw new TypeError(`${fn}: expected a non-empty parameter name, got ${describe(name)}`);
}

// `at` starts every message: `suggestFloat('lr')` for a suggestion, `FloatDistribution` for the class.
function checkBounds(at: string, low: unknown, high: unknown): asserts low is number {
  for (const [label, v] of [['low', low], ['high', high]] as const) {
    if (typeof v !== 'number') throw new TypeError(`${at}: expected ${label} to be a number, got ${describe(v)}`);
    if (!Number.isFinite(v)) throw new RangeError(`${at}: expected a finite ${label}, got ${v}`);
  }
  if ((low as number) > (high as number)) {
    throw new RangeError(`${at}: expected low <= high, got low ${low} > high ${high}`);
  }
}

/** A distribution argument from plain JavaScript: an object of one of the three kinds. */
function checkDistribution(fn: string, what: string, d: unknown): asserts d is Distribution {
  const type = d !== null && typeof d === 'object' ? (d as { type?: unknown }).type : undefined;
  if (type !== 'float' && type !== 'int' && type !== 'categorical') {
    throw new TypeError(`${fn}: expected ${what} to be a float, int or categorical distribution, got ${describe(d)}`);
  }
}

function checkOptions(at: string, options: unknown): SuggestOptions {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`${at}: expected an options object { log, step }, got ${describe(options)}`);
  }
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (key !== 'log' && key !== 'step') throw new TypeError(`${at}: expected options log and step, got an unknown option '${key}'`);
  }
  if (o.log !== undefined && typeof o.log !== 'boolean') throw new TypeError(`${at}: expected log to be a boolean, got ${describe(o.log)}`);
  if (o.step !== undefined && o.step !== null) {
    if (typeof o.step !== 'number') throw new TypeError(`${at}: expected step to be a number, got ${describe(o.step)}`);
    if (!Number.isFinite(o.step) || o.step <= 0) throw new RangeError(`${at}: expected a finite step > 0, got ${o.step}`);
  }
  return o as SuggestOptions;
}

/** Whether `step` divides `high - low` (up to float rounding, as Optuna's own check allows). */
function divides(low: number, high: number, step: number): boolean {
  const n = (high - low) / step;
  return Math.abs(n - Math.round(n)) <= 1e-8 * Math.max(1, Math.abs(n));
}

/** A checked float distribution as plain data; `at` names the caller in errors. */
function floatShape(at: string, low: number, high: number, options?: SuggestOptions): FloatShape {
  checkBounds(at, low, high);
  const { log = false, step = null } = checkOptions(at, options);
  if (log && step !== null) throw new RangeError(`${at}: expected step or log, not both, got step ${step} with log`);
  if (log && low <= 0) throw new RangeError(`${at}: expected low > 0 with log, got low ${low}`);
  if (step !== null && !divides(low, high, step)) {
    throw new RangeError(`${at}: expected a step that divides high - low = ${high - low}, got step ${step}`);
  }
  return { type: 'float', low, high, log, step };
}

/** A checked int distribution as plain data; `at` names the caller in errors. */
function intShape(at: string, low: number, high: number, options?: SuggestOptions): IntShape {
  checkBounds(at, low, high);
  if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high)) {
    throw new TypeError(`${at}: expected integer bounds, got low ${low}, high ${high}`);
  }
  const { log = false, step: s = null } = checkOptions(at, options);
  const step = s ?? 1;
  if (!Number.isSafeInteger(step)) throw new TypeError(`${at}: expected an integer step, got ${step}`);
  if (log && step !== 1) throw new RangeError(`${at}: expected step 1 with log, got step ${step}`);
  if (log && low < 1) throw new RangeError(`${at}: expected low >= 1 with log, got low ${low}`);
  if ((high - low) % step !== 0) {
    throw new RangeError(`${at}: expected a step that divides high - low = ${high - low}, got step ${step}`);
  }
  return { type: 'int', low, high, log, step };
}

/** A checked categorical distribution as plain data (a copy of the choices); `at` names the caller in errors. */
function categoricalShape(at: string, choices: readonly CategoricalChoice[]): CategoricalShape {
  if (!Array.isArray(choices)) throw new TypeError(`${at}: expected an array of choices, got ${describe(choices)}`);
  if (choices.length === 0) throw new RangeError(`${at}: expected at least one choice, got an empty list`);
  choices.forEach((c, i) => {
    const ok = c === null || typeof c === 'string' || typeof c === 'boolean' || (typeof c === 'number' && !Number.isNaN(c));
    if (!ok) throw new TypeError(`${at}: expected choices that are strings, numbers, booleans or null, got ${describe(c)} at index ${i}`);
    if (choices.indexOf(c) !== i) throw new RangeError(`${at}: expected distinct choices, got ${describe(c)} twice`);
  });
  return { type: 'categorical', choices: [...choices] };
}

/**
 * The distribution of `suggestFloat(name, low, high, { log, step })`, checked: finite bounds with low <= high,
 * low > 0 with `log`, `step` not combined with `log` and dividing high - low. Optuna's FloatDistribution.
 */
export function floatDistribution(name: string, low: number, high: number, options?: SuggestOptions): FloatShape {
  checkName('suggestFloat', name);
  return floatShape(`suggestFloat('${name}')`, low, high, options);
}

/**
 * The distribution of `suggestInt(name, low, high, { log, step })`, checked: integer bounds with low <= high,
 * low >= 1 and step 1 with `log`, an integer step dividing high - low. Optuna's IntDistribution.
 */
export function intDistribution(name: string, low: number, high: number, options?: SuggestOptions): IntShape {
  checkName('suggestInt', name);
  return intShape(`suggestInt('${name}')`, low, high, options);
}

/** The distribution of `suggestCategorical(name, choices)`: a non-empty list of distinct strings, numbers, booleans or null. */
export function categoricalDistribution(name: string, choices: readonly CategoricalChoice[]): CategoricalShape {
  checkName('suggestCategorical', name);
  return categoricalShape(`suggestCategorical('${name}')`, choices);
}

// The classes are Optuna's spelling of the same data: an instance has exactly the fields (in the same order) of
// the plain object that floatDistribution() and friends return, and no methods, so storages, samplers and
// `sameDistribution` treat both alike, and a stored distribution reads back as the plain object.

/**
 * A float in [low, high], checked as `suggestFloat` checks it: `new FloatDistribution(1e-4, 1e-1, { log: true })`.
 * Optuna's FloatDistribution(low, high, log, step), with { log, step } as options; a step that does not divide
 * high - low is an error (Optuna lowers high to the grid with a warning).
 */
export class FloatDistribution implements FloatShape {
  readonly type = 'float' as const;
  readonly low: number;
  readonly high: number;
  readonly log: boolean;
  readonly step: number | null;
  constructor(low: number, high: number, options?: SuggestOptions) {
    const d = floatShape('FloatDistribution', low, high, options);
    this.low = d.low;
    this.high = d.high;
    this.log = d.log;
    this.step = d.step;
  }
}

/** An integer in [low, high] on the grid low + k step: `new IntDistribution(8, 64, { step: 8 })`. Optuna's IntDistribution. */
export class IntDistribution implements IntShape {
  readonly type = 'int' as const;
  readonly low: number;
  readonly high: number;
  readonly log: boolean;
  readonly step: number;
  constructor(low: number, high: number, options?: SuggestOptions) {
    const d = intShape('IntDistribution', low, high, options);
    this.low = d.low;
    this.high = d.high;
    this.log = d.log;
    this.step = d.step;
  }
}

/** One of a list of distinct choices: `new CategoricalDistribution(['adam', 'sgd'])`. Optuna's CategoricalDistribution. */
export class CategoricalDistribution implements CategoricalShape {
  readonly type = 'categorical' as const;
  readonly choices: readonly CategoricalChoice[];
  constructor(choices: readonly CategoricalChoice[]) {
    this.choices = categoricalShape('CategoricalDistribution', choices).choices;
  }
}

/**
 * A distribution handed in by a caller (a class instance, or plain data such as a stored trial's), checked as its
 * constructor checks it and returned as plain data, the form every storage gives back. `at` names the caller.
 */
export function toDistribution(at: string, d: unknown): Distribution {
  checkDistribution(at, 'the distribution', d);
  if (d.type === 'categorical') return categoricalShape(at, d.choices);
  const options = { log: d.log, step: d.step };
  return d.type === 'float' ? floatShape(at, d.low, d.high, options) : intShape(at, d.low, d.high, options);
}

/** Whether two distributions are the same (same kind, bounds, scale, step; same choices in the same order). */
export function sameDistribution(a: Distribution, b: Distribution): boolean {
  checkDistribution('sameDistribution', 'a', a);
  checkDistribution('sameDistribution', 'b', b);
  if (a.type !== b.type) return false;
  if (a.type === 'categorical') {
    const c = (b as CategoricalShape).choices;
    return a.choices.length === c.length && a.choices.every((x, i) => x === c[i]);
  }
  const o = b as FloatShape | IntShape;
  return a.low === o.low && a.high === o.high && a.log === o.log && a.step === o.step;
}

/** A short description for errors: `float [0.001, 0.1] log`, `categorical ["adam","sgd"]`. */
export function distributionToString(d: Distribution): string {
  checkDistribution('distributionToString', 'd', d);
  if (d.type === 'categorical') return `categorical ${JSON.stringify(d.choices)}`;
  return `${d.type} [${d.low}, ${d.high}]${d.log ? ' log' : ''}${d.step !== null && !(d.type === 'int' && d.step === 1) ? ` step ${d.step}` : ''}`;
}

/**
 * Optuna's compatibility rule across the trials of one study: a parameter keeps its kind (float, int, categorical)
 * and a categorical keeps its choices; float and int ranges may change from trial to trial (dynamic search spaces).
 */
export function checkCompatible(name: string, previous: Distribution, next: Distribution): void {
  checkName('checkCompatible', name);
  checkDistribution('checkCompatible', 'previous', previous);
  checkDistribution('checkCompatible', 'next', next);
  const same = previous.type === next.type && (previous.type !== 'categorical' || sameDistribution(previous, next));
  if (!same) {
    throw new RangeError(
      `suggest('${name}'): expected the distribution the study already uses for '${name}' (${distributionToString(previous)}), got ${distributionToString(next)}`,
    );
  }
}

/** Whether `value` can be drawn from `d` (on its grid for a stepped distribution). */
export function contains(d: Distribution, value: unknown): boolean {
  checkDistribution('contains', 'd', d);
  if (d.type === 'categorical') return d.choices.includes(value as CategoricalChoice);
  if (typeof value !== 'number' || !Number.isFinite(value) || value < d.low || value > d.high) return false;
  if (d.type === 'int') return Number.isInteger(value) && (value - d.low) % d.step === 0;
  return d.step === null || divides(d.low, value, d.step);
}

/** Whether a distribution has a single possible value (Optuna then returns it without asking the sampler). */
export function isSingle(d: Distribution): boolean {
  return d.type === 'categorical' ? d.choices.length === 1 : d.low === d.high;
}

/** Checks a value given by `enqueueTrial` or a sampler against its distribution, naming the parameter. */
export function checkContains(fn: string, name: string, d: Distribution, value: ParamValue): void {
  if (!contains(d, value)) {
    throw new RangeError(`${fn}('${name}'): expected a value in ${distributionToString(d)}, got ${describe(value)}`);
  }
}
