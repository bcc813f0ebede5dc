// What the pruners read off a trial's reported steps, after Optuna's pruners/_percentile.py.
import type { FrozenTrial, StudyDirection } from '../types.js';

/** The largest step reported so far, or null before the first report (Optuna's FrozenTrial.last_step). */
export function lastStep(trial: FrozenTrial): number | null {
  let last: number | null = null;
  for (const step of trial.intermediateValues.keys()) if (last === null || step > last) last = step;
  return last;
}

/**
 * True when `step` is the first report at or after the latest pruning check point. Check points are
 * nWarmupSteps, nWarmupSteps + intervalSteps, ...; a trial that reports every step is checked at each point, and
 * one that skips a point is checked at its first report past it (the check is postponed, not lost).
 */
export function isFirstInIntervalStep(step: number, steps: Iterable<number>, nWarmupSteps: number, intervalSteps: number): boolean {
  const nearestLowerPruningStep = Math.floor((step - nWarmupSteps) / intervalSteps) * intervalSteps + nWarmupSteps;
  let secondLastStep = -1;
  for (const s of steps) if (s > secondLastStep && s !== step) secondLastStep = s;
  return secondLastStep < nearestLowerPruningStep;
}

/** The best of a trial's intermediate values, NaN ignored (NaN when all are NaN): numpy's nanmin / nanmax. */
export function bestIntermediateValue(trial: FrozenTrial, direction: StudyDirection): number {
  let best = NaN;
  for (const v of trial.intermediateValues.values()) {
    if (Number.isNaN(v)) continue;
    if (Number.isNaN(best) || (direction === 'maximize' ? v > best : v < best)) best = v;
  }
  return best;
}

/**
 * numpy's nanpercentile with its default 'linear' method, to the last bit: drop NaN, sort, take the virtual index
 * (n - 1) * q / 100 and interpolate between its neighbours with numpy's two-sided lerp. NaN for no values.
 */
export function nanPercentile(values: readonly number[], percentile: number): number {
  const xs = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  const n = xs.length;
  if (n === 0) return NaN;
  const virtualIndex = (n - 1) * (percentile / 100);
  const prev = Math.min(Math.max(Math.floor(virtualIndex), 0), n - 1);
  const next = Math.min(prev + 1, n - 1);
  const gamma = virtualIndex - prev;
  const a = xs[prev], b = xs[next];
  const diff = b - a;
  // numpy interpolates from the nearer end, so that gamma = 1 gives b exactly
  return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
}
