import { pairedDifference, meanStd, type PairedDifference } from '../lrfind/stats.js';
import type { ImageScheduleName, ImageScheduleRun } from './compare-images.js';

// The evidence over seeds of a schedule comparison: spread per schedule, time to the target, and each schedule
// against constant seed by seed.

/** Mean and sample standard deviation over seeds, and the values. */
export interface OverSeeds {
  mean: number;
  std: number;
  values: number[];
}

/** One schedule over every seed: spread, time to target, and the paired comparison with constant. */
export interface ScheduleSummary {
  name: ImageScheduleName;
  finalAccuracy: OverSeeds;
  bestAccuracy: OverSeeds;
  /** Training seconds of the whole run. */
  trainingSeconds: OverSeeds;
  /** Per seed: epochs and training seconds to the target, null where it was not reached. */
  epochsToTarget: (number | null)[];
  secondsToTarget: (number | null)[];
  /** Seeds that reached the target. */
  reached: number;
  /**
   * Final and best test accuracy minus constant's, paired by seed (the same initialization), with the 95% t
   * interval of the mean difference; null for constant itself or when constant did not run.
   */
  vsConstant: { final: PairedDifference; best: PairedDifference; verdict: string } | null;
}

const overSeeds = (values: number[]): OverSeeds => ({ ...meanStd(values), values });

/** What a paired difference says: higher, lower, or not told apart by the seeds (a 95% interval across 0). */
function verdict(d: PairedDifference, what: string): string {
  const pts = (v: number) => `${v >= 0 ? '+' : ''}${(v * 100).toFixed(2)}`;
  if (d.n < 2) return `${what} ${pts(d.mean)} points on one seed: no interval, no claim`;
  if (d.differences.every((v) => v === 0)) return `${what} the same as constant's on all ${d.n} seeds`;
  const ci = `${pts(d.mean)} points (95% CI ${pts(d.low)} to ${pts(d.high)}, ${d.n} seeds)`;
  if (d.low > 0) return `${what} higher than constant's, ${ci}: supported`;
  if (d.high < 0) return `${what} lower than constant's, ${ci}: supported`;
  return `${what} ${ci}: not supported (the interval contains 0)`;
}

/** Sets a run's time to the target: epochs and training seconds until the test accuracy first reached it. */
export function timeTo(run: ImageScheduleRun, target: number): void {
  const hit = run.testAccuracy.findIndex((a) => a >= target);
  run.epochsToTarget = hit === -1 ? null : hit + 1;
  run.secondsToTarget = hit === -1 ? null : run.epochSeconds.slice(0, hit + 1).reduce((a, b) => a + b, 0);
}

/** Per schedule, in `schedules` order: its runs over `seeds` summarized and compared with constant's, seed by seed. */
export function summarize(runs: ImageScheduleRun[], schedules: ImageScheduleName[], seeds: number[]): ScheduleSummary[] {
  const of = (name: ImageScheduleName) => seeds.map((s) => runs.find((r) => r.name === name && r.seed === s)!);
  const constant = schedules.includes('constant') ? of('constant') : null;
  return schedules.map((name) => {
    const rs = of(name);
    const paired = (field: 'finalTestAccuracy' | 'bestTestAccuracy') => pairedDifference(rs.map((r, i) => r[field] - constant![i][field]));
    return {
      name,
      finalAccuracy: overSeeds(rs.map((r) => r.finalTestAccuracy)),
      bestAccuracy: overSeeds(rs.map((r) => r.bestTestAccuracy)),
      trainingSeconds: overSeeds(rs.map((r) => r.epochSeconds.reduce((a, b) => a + b, 0))),
      epochsToTarget: rs.map((r) => r.epochsToTarget),
      secondsToTarget: rs.map((r) => r.secondsToTarget),
      reached: rs.filter((r) => r.epochsToTarget !== null).length,
      vsConstant: constant === null || name === 'constant' ? null : (() => {
        const final = paired('finalTestAccuracy'), best = paired('bestTestAccuracy');
        return { final, best, verdict: `${verdict(final, 'final accuracy')}; ${verdict(best, 'best accuracy')}` };
      })(),
    };
  });
}

