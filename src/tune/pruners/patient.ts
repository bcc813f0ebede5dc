import type { FrozenTrial, Pruner, StudyView } from '../types.js';
import { checkOptionNames, describe, intOption, numberOption } from './options.js';
import { lastStep } from './steps.js';

/** Options of {@link PatientPruner}; Optuna's arguments in camelCase. */
export interface PatientPrunerOptions {
  /** The pruner to ask once the trial has stalled; null prunes a stalled trial outright. */
  wrappedPruner: Pruner | null;
  /** How many reports without improvement to tolerate. */
  patience: number;
  /** The least change that counts as improvement. Default 0. */
  minDelta?: number;
}

/**
 * Waits out a stall: a trial is only considered for pruning once its last `patience + 1` reports failed to beat
 * the best of the reports before them by more than `minDelta`; then the wrapped pruner decides (or, without one,
 * the trial is pruned). Optuna's PatientPruner, decision for decision.
 *
 * The rule, with the trial's reports in step order: if there are more than patience + 1 of them, split off the last
 * patience + 1; minimizing, the trial has stalled when min(before) + minDelta < min(last ones) (maximizing:
 * max(before) - minDelta > max(last ones)); NaN ignored.
 */
export class PatientPruner implements Pruner {
  readonly wrappedPruner: Pruner | null;
  readonly patience: number;
  readonly minDelta: number;

  constructor(options: PatientPrunerOptions) {
    const fn = 'PatientPruner';
    const o = checkOptionNames(fn, options, ['wrappedPruner', 'patience', 'minDelta']);
    if (o.wrappedPruner === undefined) throw new TypeError(`${fn}: expected wrappedPruner (a pruner or null), got none`);
    if (o.wrappedPruner !== null && typeof (o.wrappedPruner as Pruner).prune !== 'function') {
      throw new TypeError(`${fn}: expected wrappedPruner to be a pruner or null, got ${describe(o.wrappedPruner)}`);
    }
    if (o.patience === undefined) throw new TypeError(`${fn}: expected patience (an integer >= 0), got none`);
    this.wrappedPruner = o.wrappedPruner as Pruner | null;
    this.patience = intOption(fn, 'patience', o.patience, 0, 0);
    this.minDelta = numberOption(fn, 'minDelta', o.minDelta, 0, 0);
  }

  prune(study: StudyView, trial: FrozenTrial): boolean {
    if (lastStep(trial) === null) return false;
    const steps = [...trial.intermediateValues.keys()].sort((a, b) => a - b);
    if (steps.length <= this.patience + 1) return false;
    const cut = steps.length - this.patience - 1;
    const before = steps.slice(0, cut).map((s) => trial.intermediateValues.get(s)!);
    const after = steps.slice(cut).map((s) => trial.intermediateValues.get(s)!);
    const stalled = study.direction === 'minimize'
      ? nanExtreme(before, Math.min) + this.minDelta < nanExtreme(after, Math.min)
      : nanExtreme(before, Math.max) - this.minDelta > nanExtreme(after, Math.max);
    if (!stalled) return false;
    return this.wrappedPruner === null ? true : this.wrappedPruner.prune(study, trial);
  }
}

/** numpy's nanmin / nanmax: NaN ignored, NaN when every value is. */
function nanExtreme(values: readonly number[], pick: (a: number, b: number) => number): number {
  const xs = values.filter((v) => !Number.isNaN(v));
  return xs.length === 0 ? NaN : xs.reduce((a, b) => pick(a, b));
}
