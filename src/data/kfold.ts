import { defaultGenerator, type Generator } from '../tensor/random.js';
import { checkOptionsObject, checkInteger } from '../format/check.js';

/** One fold: the indices to train on and the indices held out. */
export interface Fold {
  train: number[];
  valid: number[];
}

/**
 * k-fold splits of n examples, as scikit-learn's KFold: k contiguous folds, the first n mod k
 * one larger, optionally over a seeded shuffle. For time series keep `shuffle` false, or use `timeSeriesSplit`.
 */
export function kFold(n: number, k = 5, options: { shuffle?: boolean; generator?: Generator } = {}): Fold[] {
  checkInteger('kFold', 'n', n, 0, 2 ** 31 - 1);
  options = checkOptionsObject('kFold', options, ['shuffle', 'generator']);
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`kFold: expected k to be an integer >= 2, got ${k}`);
  if (!Number.isInteger(n) || n < k) throw new RangeError(`kFold: expected at least k = ${k} examples, got ${n}`);
  const order = options.shuffle ? (options.generator ?? defaultGenerator).permutation(n) : Array.from({ length: n }, (_, i) => i);
  const folds: Fold[] = [];
  let start = 0;
  for (let f = 0; f < k; f++) {
    const size = Math.floor(n / k) + (f < n % k ? 1 : 0);
    const valid = order.slice(start, start + size);
    folds.push({ train: [...order.slice(0, start), ...order.slice(start + size)], valid });
    start += size;
  }
  return folds;
}

/**
 * Expanding-window splits for time series (scikit-learn's TimeSeriesSplit): fold i trains on everything before its
 * validation block, so validation is always the future.
 */
export function timeSeriesSplit(n: number, k = 5): Fold[] {
  checkInteger('timeSeriesSplit', 'n', n, 0, 2 ** 31 - 1);
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`timeSeriesSplit: expected k to be an integer >= 2, got ${k}`);
  const test = Math.floor(n / (k + 1));
  if (test < 1) throw new RangeError(`timeSeriesSplit: expected at least ${k + 1} examples for ${k} splits, got ${n}`);
  const folds: Fold[] = [];
  for (let f = 0; f < k; f++) {
    const end = n - (k - f - 1) * test;
    folds.push({ train: Array.from({ length: end - test }, (_, i) => i), valid: Array.from({ length: test }, (_, i) => end - test + i) });
  }
  return folds;
}
