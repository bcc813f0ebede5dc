import { checkOptionsObject } from '../format/check.js';
import { describe } from '../format/number.js';

/**
 * The gradient of sampled values, as `numpy.gradient(y, x, edge_order)`: second-order central differences inside,
 * one-sided differences of order `edgeOrder` (1 or 2) at the ends. Without `x` the spacing is 1; with `x` the
 * points may be unevenly spaced:
 *
 *     g_i = -h2 / (h1 (h1 + h2)) y_{i-1} + (h2 - h1) / (h1 h2) y_i + h1 / (h2 (h1 + h2)) y_{i+1}
 *
 * with h1 = x_i - x_{i-1}, h2 = x_{i+1} - x_i (which is (y_{i+1} - y_{i-1}) / 2h for even spacing).
 */
export function gradient(y: ArrayLike<number>, x?: ArrayLike<number> | number, options: { edgeOrder?: 1 | 2 } = {}): Float64Array {
  const n = y?.length;
  if (x !== undefined && typeof x !== 'number' && !Array.isArray(x) && !ArrayBuffer.isView(x)) throw new TypeError(`gradient: expected x to be a spacing or a list of coordinates, got ${describe(x)}`);
  if (typeof x === 'number' && (!Number.isFinite(x) || x === 0)) throw new RangeError(`gradient: expected a finite, non-zero spacing, got ${describe(x)}`);
  const edgeOrder = checkOptionsObject<{ edgeOrder?: 1 | 2 }>('gradient', options, ['edgeOrder']).edgeOrder ?? 1;
  if (typeof n !== 'number') throw new TypeError('gradient: expected an array of numbers');
  if (edgeOrder !== 1 && edgeOrder !== 2) throw new RangeError(`gradient: expected edgeOrder 1 or 2, got ${edgeOrder}`);
  if (n < edgeOrder + 1) throw new RangeError(`gradient: expected at least ${edgeOrder + 1} values for edgeOrder ${edgeOrder}, got ${n}`);
  const out = new Float64Array(n);
  if (x === undefined || typeof x === 'number') {
    const h = x ?? 1;
    if (!(h !== 0 && Number.isFinite(h))) throw new RangeError(`gradient: expected a finite non-zero spacing, got ${h}`);
    for (let i = 1; i < n - 1; i++) out[i] = (y[i + 1] - y[i - 1]) / (2 * h);
    if (edgeOrder === 1) {
      out[0] = (y[1] - y[0]) / h;
      out[n - 1] = (y[n - 1] - y[n - 2]) / h;
    } else {
      out[0] = (-1.5 * y[0] + 2 * y[1] - 0.5 * y[2]) / h;
      out[n - 1] = (0.5 * y[n - 3] - 2 * y[n - 2] + 1.5 * y[n - 1]) / h;
    }
    return out;
  }
  if (x.length !== n) throw new RangeError(`gradient: expected x with ${n} values (one per y), got ${x.length}`);
  for (let i = 1; i < n - 1; i++) {
    const h1 = x[i] - x[i - 1], h2 = x[i + 1] - x[i];
    const a = -h2 / (h1 * (h1 + h2)), b = (h2 - h1) / (h1 * h2), c = h1 / (h2 * (h1 + h2));
    out[i] = a * y[i - 1] + b * y[i] + c * y[i + 1];
  }
  if (edgeOrder === 1) {
    out[0] = (y[1] - y[0]) / (x[1] - x[0]);
    out[n - 1] = (y[n - 1] - y[n - 2]) / (x[n - 1] - x[n - 2]);
  } else {
    let h1 = x[1] - x[0], h2 = x[2] - x[1];
    out[0] = (-(2 * h1 + h2) / (h1 * (h1 + h2))) * y[0] + ((h1 + h2) / (h1 * h2)) * y[1] + (-h1 / (h2 * (h1 + h2))) * y[2];
    h1 = x[n - 2] - x[n - 3];
    h2 = x[n - 1] - x[n - 2];
    out[n - 1] = (h2 / (h1 * (h1 + h2))) * y[n - 3] + (-(h2 + h1) / (h1 * h2)) * y[n - 2] + ((2 * h2 + h1) / (h2 * (h1 + h2))) * y[n - 1];
  }
  return out;
}
