// Building and checking the distributions behind `suggestFloat`, `suggestInt` and `suggestCategorical`. Every check
// names the parameter, so an error in a forty-line objective points at the line that caused it.
import type {
  CategoricalChoice, CategoricalDistribution, Distribution, FloatDistribution, IntDistribution, ParamValue,
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

function checkBounds(fn: string, name: string, low: unknown, high: unknown): asserts low is number {
  for (const [label, v] of [['low', low], ['high', high]] as const) {
    if (typeof v !== 'number') throw new TypeError(`${fn}('${name}'): expected ${label} to be a number, got ${describe(v)}`);
    if (!Number.isFinite(v)) throw new RangeError(`${fn}('${name}'): expected a finite ${label}, got ${v}`);
  }
  if ((low as number) > (high as number)) {
    throw new RangeError(`${fn}('${name}'): expected low <= high, got low ${low} > high ${high}`);
  }
}

function checkOptions(fn: string, name: string, options: unknown): SuggestOptions {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`${fn}('${name}'): expected an options object { log, step }, got ${describe(options)}`);
  }
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (key !== 'log' && key !== 'step') throw new TypeError(`${fn}('${name}'): expected options log and step, got an unknown option '${key}'`);
  }
  if (o.log !== undefined && typeof o.log !== 'boolean') throw new TypeError(`${fn}('${name}'): expected log to be a boolean, got ${describe(o.log)}`);
  if (o.step !== undefined && o.step !== null) {
    if (typeof o.step !== 'number') throw new TypeError(`${fn}('${name}'): expected step to be a number, got ${describe(o.step)}`);
    if (!Number.isFinite(o.step) || o.step <= 0) throw new RangeError(`${fn}('${name}'): expected a finite step > 0, got ${o.step}`);
  }
  return o as SuggestOptions;
}

/** Whether `step` divides `high - low` (up to float rounding, as Optuna's own check allows). */
function divides(low: number, high: number, step: number): boolean {
  const n = (high - low) / step;
  return Math.abs(n - Math.round(n)) <= 1e-8 * Math.max(1, Math.abs(n));
}

/**
 * The distribution of `suggestFloat(name, low, high, { log, step })`, checked: finite bounds with low <= high,
 * low > 0 with `log`, `step` not combined with `log` and dividing high - low. Optuna's FloatDistribution.
 */
export function floatDistribution(name: string, low: number, high: number, options?: SuggestOptions): FloatDistribution {
  const fn = 'suggestFloat';
  checkName(fn, name);
  checkBounds(fn, name, low, high);
  const { log = false, step = null } = checkOptions(fn, name, options);
  if (log && step !== null) throw new RangeError(`${fn}('${name}'): expected step or log, not both, got step ${step} with log`);
  if (log && low <= 0) throw new RangeError(`${fn}('${name}'): expected low > 0 with log, got low ${low}`);
  if (step !== null && !divides(low, high, step)) {
    throw new RangeError(`${fn}('${name}'): expected a step that divides high - low = ${high - low}, got step ${step}`);
  }
  return { type: 'float', low, high, log, step };
}

/**
 * The distribution of `suggestInt(name, low, high, { log, step })`, checked: integer bounds with low <= high,
 * low >= 1 and step 1 with `log`, an integer step dividing high - low. Optuna's IntDistribution.
 */
export function intDistribution(name: string, low: number, high: number, options?: SuggestOptions): IntDistribution {
  const fn = 'suggestInt';
  checkName(fn, name);
  checkBounds(fn, name, low, high);
  if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high)) {
    throw new TypeError(`${fn}('${name}'): expected integer bounds, got low ${low}, high ${high}`);
  }
  const { log = false, step: s = null } = checkOptions(fn, name, options);
  const step = s ?? 1;
  if (!Number.isSafeInteger(step)) throw new TypeError(`${fn}('${name}'): expected an integer step, got ${step}`);
  if (log && step !== 1) throw new RangeError(`${fn}('${name}'): expected step 1 with log, got step ${step}`);
  if (log && low < 1) throw new RangeError(`${fn}('${name}'): expected low >= 1 with log, got low ${low}`);
  if ((high - low) % step !== 0) {
    throw new RangeError(`${fn}('${name}'): expected a step that divides high - low = ${high - low}, got step ${step}`);
  }
  return { type: 'int', low, high, log, step };
}

/** The distribution of `suggestCategorical(name, choices)`: a non-empty list of distinct strings, numbers, booleans or null. */
export function categoricalDistribution(name: string, choices: readonly CategoricalChoice[]): CategoricalDistribution {
  const fn = 'suggestCategorical';
  checkName(fn, name);
  if (!Array.isArray(choices)) throw new TypeError(`${fn}('${name}'): expected an array of choices, got ${describe(choices)}`);
  if (choices.length === 0) throw new RangeError(`${fn}('${name}'): expected at least one choice, got an empty list`);
  choices.forEach((c, i) => {
    const ok = c === null || typeof c === 'string' || typeof c === 'boolean' || (typeof c === 'number' && !Number.isNaN(c));
    if (!ok) throw new TypeError(`${fn}('${name}'): expected choices that are strings, numbers, booleans or null, got ${describe(c)} at index ${i}`);
    if (choices.indexOf(c) !== i) throw new RangeError(`${fn}('${name}'): expected distinct choices, got ${describe(c)} twice`);
  });
  return { type: 'categorical', choices: [...choices] };
}

/** Whether two distributions are the same (same kind, bounds, scale, step; same choices in the same order). */
export function sameDistribution(a: Distribution, b: Distribution): boolean {
  if (a.type !== b.type) return false;
  if (a.type === 'categorical') {
    const c = (b as CategoricalDistribution).choices;
    return a.choices.length === c.length && a.choices.every((x, i) => x === c[i]);
  }
  const o = b as FloatDistribution | IntDistribution;
  return a.low === o.low && a.high === o.high && a.log === o.log && a.step === o.step;
}

/** A short description for errors: `float [0.001, 0.1] log`, `categorical ["adam","sgd"]`. */
export function distributionToString(d: Distribution): string {
  if (d.type === 'categorical') return `categorical ${JSON.stringify(d.choices)}`;
  return `${d.type} [${d.low}, ${d.high}]${d.log ? ' log' : ''}${d.step !== null && !(d.type === 'int' && d.step === 1) ? ` step ${d.step}` : ''}`;
}

/**
 * Optuna's compatibility rule across the trials of one study: a parameter keeps its kind (float, int, categorical)
 * and a categorical keeps its choices; float and int ranges may change from trial to trial (dynamic search spaces).
 */
export function checkCompatible(name: string, previous: Distribution, next: Distribution): void {
  const same = previous.type === next.type && (previous.type !== 'categorical' || sameDistribution(previous, next));
  if (!same) {
    throw new RangeError(
      `suggest('${name}'): expected the distribution the study already uses for '${name}' (${distributionToString(previous)}), got ${distributionToString(next)}`,
    );
  }
}

/** Whether `value` can be drawn from `d` (on its grid for a stepped distribution). */
export function contains(d: Distribution, value: unknown): boolean {
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
