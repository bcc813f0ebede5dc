import { getBackend } from './backends/backend.js';

/**
 * Whether every value of `a` is finite: one pass, in the active backend's kernel when it has one. x - x is 0
 * exactly when x is finite (NaN and ±Infinity give NaN), so the sum of x - x is 0 exactly when all are.
 */
export function allFinite(a: Float32Array): boolean {
  const fast = getBackend().kernels;
  if (fast !== undefined) return fast.allFinite(a);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] - a[i];
  return s === 0;
}

/**
 * The largest magnitude in the given arrays: NaN if any value is NaN, Infinity if any is infinite, 0 when they are
 * empty. One pass over each, in the active backend's kernel when it has one (arrays of one length there).
 */
export function maxAbs(...arrays: Float32Array[]): number {
  const fast = getBackend().kernels;
  if (fast !== undefined && arrays.length > 0 && arrays.every((a) => a.length === arrays[0].length)) return fast.maxAbs(arrays);
  let m = 0;
  for (const a of arrays) {
    for (let i = 0; i < a.length; i++) {
      const x = Math.abs(a[i]);
      if (x !== x) return NaN;
      if (x > m) m = x;
    }
  }
  return m;
}

/**
 * A layer reached by non-finite inputs: finite weights whose activations overflowed float32, as a diverging run's do
 * (a RangeError, so code that catches those still does). Training loops read it as divergence: the range test
 * stops on it, the sweep and the long runs count the run as diverged, a tuning trial fails with the reason.
 */
export class NonFiniteInputError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'NonFiniteInputError';
  }
}
