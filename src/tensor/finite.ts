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
 * The largest magnitude in `a`: NaN if any value is NaN, Infinity if any is infinite, 0 when empty. One pass, in the
 * active backend's kernel when it has one.
 */
export function maxAbs(a: Float32Array): number {
  const fast = getBackend().kernels;
  if (fast !== undefined) return fast.maxAbs(a);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const x = Math.abs(a[i]);
    if (x !== x) return NaN;
    if (x > m) m = x;
  }
  return m;
}
