import type { FrozenTrial, Pruner, StudyView } from '../types.js';
import { checkOptionNames, intOption, numberOption } from './options.js';
import { bestIntermediateValue, isFirstInIntervalStep, lastStep, nanPercentile } from './steps.js';

/** Options of {@link PercentilePruner}; Optuna's arguments in camelCase. */
export interface PercentilePrunerOptions {
  /** Keep the trials in the top `percentile` percent at each step: 25 keeps the best quarter. In [0, 100]. */
  percentile: number;
  /** No pruning until this many trials have completed. Default 5. */
  nStartupTrials?: number;
  /** No pruning before this step (steps count from 0). Default 0. */
  nWarmupSteps?: number;
  /** Check every `intervalSteps` steps after the warm-up; a skipped check happens at the next report. Default 1. */
  intervalSteps?: number;
  /** No pruning at a step where fewer than this many completed trials reported. Default 1. */
  nMinTrials?: number;
}

const NAMES = ['percentile', 'nStartupTrials', 'nWarmupSteps', 'intervalSteps', 'nMinTrials'];

/**
 * Prunes a trial whose best intermediate value so far is worse than the given percentile of the completed trials'
 * values at the trial's latest step. Optuna's PercentilePruner, decision for decision.
 *
 * The rule, at `trial.shouldPrune()` after a report at step s:
 * 1. keep going while fewer than `nStartupTrials` trials are complete (and while none is), before any report,
 *    before step `nWarmupSteps`, and between check points (`nWarmupSteps + k * intervalSteps`);
 * 2. best = the trial's best value over all its steps so far (lowest when minimizing); all NaN -> prune;
 * 3. p = the `percentile`-th percentile (numpy's linear interpolation, NaN ignored) of the values the completed
 *    trials reported at step s; for `maximize` the (100 - percentile)-th, so the kept share is the best one;
 *    fewer than `nMinTrials` such values -> keep going;
 * 4. prune when best is worse than p (best > p minimizing, best < p maximizing).
 */
export class PercentilePruner implements Pruner {
  readonly percentile: number;
  readonly nStartupTrials: number;
  readonly nWarmupSteps: number;
  readonly intervalSteps: number;
  readonly nMinTrials: number;

  /** `fn` names the pruner in error messages (MedianPruner passes its own name). */
  constructor(options: PercentilePrunerOptions, fn = 'PercentilePruner') {
    const o = checkOptionNames(fn, options, NAMES);
    if (o.percentile === undefined) throw new TypeError(`${fn}: expected a percentile in [0, 100], got none`);
    this.percentile = numberOption(fn, 'percentile', o.percentile, 50, 0, 100);
    this.nStartupTrials = intOption(fn, 'nStartupTrials', o.nStartupTrials, 5, 0);
    this.nWarmupSteps = intOption(fn, 'nWarmupSteps', o.nWarmupSteps, 0, 0);
    this.intervalSteps = intOption(fn, 'intervalSteps', o.intervalSteps, 1, 1);
    this.nMinTrials = intOption(fn, 'nMinTrials', o.nMinTrials, 1, 1);
  }

  prune(study: StudyView, trial: FrozenTrial): boolean {
    const completed = study.getTrials({ states: ['complete'] });
    if (completed.length === 0 || completed.length < this.nStartupTrials) return false;
    const step = lastStep(trial);
    if (step === null || step < this.nWarmupSteps) return false;
    if (!isFirstInIntervalStep(step, trial.intermediateValues.keys(), this.nWarmupSteps, this.intervalSteps)) return false;

    const best = bestIntermediateValue(trial, study.direction);
    if (Number.isNaN(best)) return true;

    const atStep: number[] = [];
    for (const t of completed) if (t.intermediateValues.has(step)) atStep.push(t.intermediateValues.get(step)!);
    if (atStep.length < this.nMinTrials) return false;
    const p = nanPercentile(atStep, study.direction === 'maximize' ? 100 - this.percentile : this.percentile);
    if (Number.isNaN(p)) return false;
    return study.direction === 'maximize' ? best < p : best > p;
  }
}
