// Option checks shared by the pruners: one options object per pruner, unknown names and wrong kinds refused with
// `${fn}: expected ${what}, got ${actual}` before any state is built.

/** Throws a TypeError unless `options` is a plain object whose keys are all in `allowed`. */
export function checkOptionNames(fn: string, options: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`${fn}: expected an options object, got ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) throw new TypeError(`${fn}: expected options among ${allowed.join(', ')}, got unknown option '${key}'`);
  }
  return options as Record<string, unknown>;
}

/** An integer option >= min, or `fallback` when absent. */
export function intOption(fn: string, name: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw new TypeError(`${fn}: expected ${name} to be an integer, got ${describe(value)}`);
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${fn}: expected ${name} to be an integer >= ${min}, got ${value}`);
  return value;
}

/** A finite number option in [min, max], or `fallback` when absent. */
export function numberOption(fn: string, name: string, value: unknown, fallback: number, min = -Infinity, max = Infinity): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw new TypeError(`${fn}: expected ${name} to be a number, got ${describe(value)}`);
  if (!Number.isFinite(value) || value < min || value > max) {
    const range = max === Infinity ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new RangeError(`${fn}: expected ${name} to be a finite number ${range}, got ${value}`);
  }
  return value;
}

/** How a value reads in an error message. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}
