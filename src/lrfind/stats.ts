import { checkNumbers } from '../format/check.js';

// Student's t quantiles t_{0.975, df} (scipy.stats.t.ppf(0.975, df)) for df 1..30; above 30 the normal's 1.96 is
// within 4% and the table's last rows interpolate toward it.
const T975 = [
  12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.306, 2.2622, 2.2281, 2.201, 2.1788, 2.1604, 2.1448, 2.1314,
  2.1199, 2.1098, 2.1009, 2.093, 2.086, 2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423,
];

/** The two-sided 95% quantile of Student's t with `df` degrees of freedom (`scipy.stats.t.ppf(0.975, df)`). */
export function tQuantile975(df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new RangeError(`tQuantile975: expected a positive integer df, got ${df}`);
  if (df <= 30) return T975[df - 1];
  // t_{0.975} ~ 1.96 + 2.40 / df for large df (the first term of Cornish-Fisher's expansion)
  return 1.959964 + 2.4 / df;
}

/** Mean and sample standard deviation (n - 1 in the denominator, as `numpy.std(ddof=1)`; 0 for one value). */
export function meanStd(values: ArrayLike<number>): { mean: number; std: number } {
  checkNumbers('meanStd', 'values', values);
  const n = values.length;
  if (n === 0) throw new RangeError('meanStd: expected at least one value, got none');
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i];
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i] - mean) ** 2;
  return { mean, std: n > 1 ? Math.sqrt(ss / (n - 1)) : 0 };
}

/** A paired comparison over seeds: per-seed differences, their mean, and a 95% confidence interval. */
export interface PairedDifference {
  /** One difference per seed (here: the relative gain of the found rate over the baseline, 0.04 = 4% lower loss). */
  differences: number[];
  mean: number;
  std: number;
  /** Half-width of the 95% t interval, t_{0.975, n-1} std / sqrt(n); NaN for one seed (the noise is unknown). */
  halfWidth: number;
  low: number;
  high: number;
  /** Seeds whose difference is positive. */
  wins: number;
  n: number;
}

/**
 * The paired t interval of the mean of `differences` (one per seed; both arms trained from the same seed and
 * initialization, so the seed's own luck cancels): mean ± t_{0.975, n-1} s / sqrt(n), as
 * `scipy.stats.ttest_rel(...).confidence_interval()`.
 */
export function pairedDifference(differences: ArrayLike<number>): PairedDifference {
  const { mean, std } = meanStd(differences);
  const n = differences.length;
  const halfWidth = n > 1 ? (tQuantile975(n - 1) * std) / Math.sqrt(n) : NaN;
  let wins = 0;
  for (let i = 0; i < n; i++) if (differences[i] > 0) wins++;
  return { differences: Array.from(differences), mean, std, halfWidth, low: mean - halfWidth, high: mean + halfWidth, wins, n };
}
