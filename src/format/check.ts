import { describe } from './number.js';

// Argument checks shared by the public functions, so that a wrong argument from plain JavaScript gets
// `${fn}: expected ${what}, got ${actual}` instead of a TypeError from deep inside.

/** An options object: `undefined` reads as `{}`; anything but a plain object, or an unknown name, is an error. */
export function checkOptionsObject<T extends object>(fn: string, options: unknown, known: readonly string[]): T {
  if (options === undefined) return {} as T;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new TypeError(`${fn}: expected an options object, got ${describe(options)}`);
  for (const k of Object.keys(options)) if (!known.includes(k)) throw new RangeError(`${fn}: unknown option '${k}' (known: ${known.join(', ')})`);
  return options as T;
}

/** A required object argument (a result, a record, a model's data), checked for the fields that are read. */
export function checkRecord(fn: string, what: string, v: unknown, fields: readonly string[] = []): void {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new TypeError(`${fn}: expected ${what}, got ${describe(v)}`);
  const missing = fields.filter((f) => !(f in v));
  if (missing.length > 0) throw new TypeError(`${fn}: expected ${what} with ${fields.join(', ')}, got one without ${missing.join(', ')}`);
}

/** A list (or typed array) of at least `min` finite numbers. */
export function checkNumbers(fn: string, what: string, v: unknown, min = 0): void {
  if (!Array.isArray(v) && !(ArrayBuffer.isView(v) && !(v instanceof DataView))) throw new TypeError(`${fn}: expected ${what} to be a list of numbers, got ${describe(v)}`);
  const a = v as ArrayLike<unknown>;
  for (let i = 0; i < a.length; i++) {
    if (typeof a[i] !== 'number') throw new TypeError(`${fn}: expected ${what} to be numbers, got ${describe(a[i])} at index ${i}`);
  }
  if (a.length < min) throw new RangeError(`${fn}: expected ${what} to hold at least ${min} values, got ${a.length}`);
}

/** A function argument. */
export function checkFunction(fn: string, what: string, v: unknown): void {
  if (typeof v !== 'function') throw new TypeError(`${fn}: expected ${what} to be a function, got ${describe(v)}`);
}

/** An integer in [min, max]. */
export function checkInteger(fn: string, what: string, v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (typeof v !== 'number') throw new TypeError(`${fn}: expected ${what} to be an integer, got ${describe(v)}`);
  if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`${fn}: expected ${what} to be an integer in [${min}, ${max === Number.MAX_SAFE_INTEGER ? 'Infinity' : max}], got ${describe(v)}`);
}

/** Two lists of numbers of the same length: the lrs of a range test and their losses. */
export function checkPair(fn: string, lrs: unknown, losses: unknown): void {
  checkNumbers(fn, 'lrs', lrs);
  checkNumbers(fn, 'losses', losses);
  if ((lrs as ArrayLike<number>).length !== (losses as ArrayLike<number>).length) {
    throw new RangeError(`${fn}: expected lrs and losses of the same length, got ${(lrs as ArrayLike<number>).length} and ${(losses as ArrayLike<number>).length}`);
  }
}

/** A finite number in [min, max]. */
export function checkFinite(fn: string, what: string, v: unknown, min = -Infinity, max = Infinity): void {
  if (typeof v !== 'number') throw new TypeError(`${fn}: expected ${what} to be a number, got ${describe(v)}`);
  if (!Number.isFinite(v) || v < min || v > max) throw new RangeError(`${fn}: expected ${what} to be a finite number in [${describe(min)}, ${describe(max)}], got ${describe(v)}`);
}

/** A boolean. */
export function checkBoolean(fn: string, what: string, v: unknown): void {
  if (typeof v !== 'boolean') throw new TypeError(`${fn}: expected ${what} to be true or false, got ${describe(v)}`);
}

