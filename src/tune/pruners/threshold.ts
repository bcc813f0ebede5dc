import type { FrozenTrial, Pruner, StudyView } from '../types.js';
import { checkOptionNames, intOption, numberOption } from './options.js';
import { isFirstInIntervalStep, lastStep } from './steps.js';

/** Options of {@link ThresholdPruner}; Optuna's arguments in camelCase. At least one of lower and upper. */
export interface ThresholdPrunerOptions {
  /** Prune when the latest value falls below this. */
  lower?: number;
  /** Prune when the latest value rises above this. */
  upper?: number;
  /** No pruning before this step. Default 0. */
  nWarmupSteps?: number;
  /** Check every `intervalSteps` steps after the warm-up. Default 1. */
  intervalSteps?: number;
}

/**
 * Prunes a trial whose latest intermediate value leaves [lower, upper] (or is NaN), whatever the other trials did:
 * a guard against diverging runs. Optuna's ThresholdPruner, decision for decision, with the same warm-up and
 * interval gates as the {@link PercentilePruner}. The direction of the study plays no part.
 */
export class ThresholdPruner implements Pruner {
  readonly lower: number;
  readonly upper: number;
  readonly nWarmupSteps: number;
  readonly intervalSteps: number;

  constructor(options: ThresholdPrunerOptions) {
    const fn = 'ThresholdPruner';
    const o = checkOptionNames(fn, options, ['lower', 'upper', 'nWarmupSteps', 'intervalSteps']);
    if (o.lower === undefined && o.upper === undefined) throw new TypeError(`${fn}: expected lower or upper, got neither`);
    this.lower = numberOption(fn, 'lower', o.lower, -Infinity);
    this.upper = numberOption(fn, 'upper', o.upper, Infinity);
    if (this.lower > this.upper) throw new RangeError(`${fn}: expected lower <= upper, got lower ${this.lower} > upper ${this.upper}`);
    this.nWarmupSteps = intOption(fn, 'nWarmupSteps', o.nWarmupSteps, 0, 0);
    this.intervalSteps = intOption(fn, 'intervalSteps', o.intervalSteps, 1, 1);
  }

  prune(_study: StudyView, trial: FrozenTrial): boolean {
    const step = lastStep(trial);
    if (step === null || step < this.nWarmupSteps) return false;
    if (!isFirstInIntervalStep(step, trial.intermediateValues.keys(), this.nWarmupSteps, this.intervalSteps)) return false;
    const latest = trial.intermediateValues.get(step)!;
    return Number.isNaN(latest) || latest < this.lower || latest > this.upper;
  }
}
