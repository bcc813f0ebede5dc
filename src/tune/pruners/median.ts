import { checkOptionNames } from './options.js';
import { PercentilePruner } from './percentile.js';

/** Options of {@link MedianPruner}; Optuna's arguments in camelCase. */
export interface MedianPrunerOptions {
  /** No pruning until this many trials have completed. Default 5. */
  nStartupTrials?: number;
  /** No pruning before this step (steps count from 0). Default 0. */
  nWarmupSteps?: number;
  /** Check every `intervalSteps` steps after the warm-up; a skipped check happens at the next report. Default 1. */
  intervalSteps?: number;
  /** No pruning at a step where fewer than this many completed trials reported. Default 1. */
  nMinTrials?: number;
}

/**
 * The median stopping rule: prune a trial whose best intermediate value so far is worse than the median of the
 * values the completed trials reported at the same step. Optuna's MedianPruner, decision for decision: a
 * {@link PercentilePruner} at the 50th percentile, with the same start-up, warm-up, interval and minimum-trials
 * gates (see there for the rule step by step).
 */
export class MedianPruner extends PercentilePruner {
  constructor(options: MedianPrunerOptions = {}) {
    super({ ...checkOptionNames('MedianPruner', options, ['nStartupTrials', 'nWarmupSteps', 'intervalSteps', 'nMinTrials']), percentile: 50 }, 'MedianPruner');
  }
}
