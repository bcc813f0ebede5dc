/**
 * Formats a number for people with `digits` significant digits (3 by default): 0.0123, 1.87e-2 style exponents
 * only when the value is very small or large, and NaN, Infinity and -Infinity spelled as such (never `null`).
 *
 *     formatNumber(0.0001234) === '0.000123'    formatNumber(32.64) === '32.6'    formatNumber(NaN) === 'NaN'
 */
export function formatNumber(x: number, digits = 3): string {
  if (typeof x !== 'number') return describe(x);
  if (!Number.isInteger(digits) || digits < 1 || digits > 21) throw new RangeError(`formatNumber: expected digits to be an integer in [1, 21], got ${describe(digits)}`);
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return '0';
  const mag = Math.abs(x);
  // plain decimals between 1e-4 and 1e6 read best; outside, an exponent keeps the significant digits visible
  if (mag >= 1e-4 && mag < 1e6) return String(Number(x.toPrecision(digits)));
  return x.toExponential(digits - 1).replace(/\.?0+e/, 'e').replace('e+', 'e');
}

/** A learning rate in the form people write it: `1.87e-2`, `1e-3`, with `digits` significant digits. */
export function formatLr(lr: number, digits = 3): string {
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr === 0) return formatNumber(lr);
  return lr.toExponential(digits - 1).replace(/\.?0+e/, 'e').replace('e+', 'e');
}

/**
 * A value as an error message shows it: numbers as `formatNumber` would with full precision (so NaN is `NaN`, not
 * `null`), strings quoted, arrays and plain objects as JSON with the same number rule, anything else by its kind.
 */
export function describe(v: unknown): string {
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'symbol') return v.toString();
  if (Array.isArray(v)) return v.length > 8 ? `[${v.slice(0, 8).map(describe).join(', ')}, ... (${v.length} values)]` : `[${v.map(describe).join(', ')}]`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} of length ${(v as unknown as { length: number }).length}`;
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return `a ${proto?.constructor?.name ?? 'object'}`;
  const entries = Object.entries(v as object);
  return `{${entries.slice(0, 8).map(([k, x]) => `${k}: ${describe(x)}`).join(', ')}${entries.length > 8 ? ', ...' : ''}}`;
}
