import type { FrozenTrial, Pruner, StudyDirection, StudyView } from '../types.js';
import { checkOptionNames, describe, intOption } from './options.js';
import { lastStep } from './steps.js';

/** Options of {@link SuccessiveHalvingPruner}; Optuna's arguments in camelCase. */
export interface SuccessiveHalvingPrunerOptions {
  /**
   * The steps r a trial runs before its first rung. 'auto' (the default) waits for a completed trial and takes
   * max(floor(its largest step / 100), 1) over the completed trials, once.
   */
  minResource?: number | 'auto';
  /** eta: one trial in `reductionFactor` goes on at each rung. Default 4, at least 2. */
  reductionFactor?: number;
  /** s: the first rung is at r * eta^s steps. Default 0. */
  minEarlyStoppingRate?: number;
  /** Prune at a rung until more than this many trials have reached it. Default 0; needs a numeric minResource. */
  bootstrapCount?: number;
}

const NAMES = ['minResource', 'reductionFactor', 'minEarlyStoppingRate', 'bootstrapCount'];

/**
 * Asynchronous successive halving (ASHA, Li et al. 2018, arXiv:1810.05934): a trial climbs rungs, and at each rung
 * only the best 1/eta of the trials that reached it go on. Optuna's SuccessiveHalvingPruner, decision for decision,
 * rung records included (`systemAttrs.completed_rung_k` holds the value a trial had when it reached rung k).
 *
 * The rule, at `trial.shouldPrune()` after a report of value v at step s, with rung k the trial's next rung:
 * 1. rung k is reached at step r * eta^(s_min + k) (r = minResource, eta = reductionFactor, s_min =
 *    minEarlyStoppingRate); before that, keep going. A NaN value at a rung is pruned.
 * 2. record v as the trial's `completed_rung_k`; the competitors are every trial's `completed_rung_k` (this one
 *    included), n of them;
 * 3. the trial is promoted when v is within the best floor(n / eta) of them (at least the best one, so the first
 *    eta - 1 trials must be the best so far), otherwise pruned; with `bootstrapCount`, n <= bootstrapCount prunes;
 * 4. promoted, it checks the next rung at the same step (a trial that skipped steps may pass several rungs at once).
 */
export class SuccessiveHalvingPruner implements Pruner {
  /** null until 'auto' has seen a completed trial. */
  minResource: number | null;
  readonly reductionFactor: number;
  readonly minEarlyStoppingRate: number;
  readonly bootstrapCount: number;

  constructor(options: SuccessiveHalvingPrunerOptions = {}) {
    const fn = 'SuccessiveHalvingPruner';
    const o = checkOptionNames(fn, options, NAMES);
    if (o.minResource !== undefined && o.minResource !== 'auto' && typeof o.minResource !== 'number') {
      throw new TypeError(`${fn}: expected minResource to be an integer >= 1 or 'auto', got ${describe(o.minResource)}`);
    }
    this.minResource = o.minResource === undefined || o.minResource === 'auto' ? null : intOption(fn, 'minResource', o.minResource, 1, 1);
    this.reductionFactor = intOption(fn, 'reductionFactor', o.reductionFactor, 4, 2);
    this.minEarlyStoppingRate = intOption(fn, 'minEarlyStoppingRate', o.minEarlyStoppingRate, 0, 0);
    this.bootstrapCount = intOption(fn, 'bootstrapCount', o.bootstrapCount, 0, 0);
    if (this.bootstrapCount > 0 && this.minResource === null) {
      throw new RangeError(`${fn}: expected a numeric minResource with bootstrapCount > 0, got minResource 'auto'`);
    }
  }

  prune(study: StudyView, trial: FrozenTrial): boolean {
    const step = lastStep(trial);
    if (step === null) return false;
    let rung = currentRung(trial);
    const value = trial.intermediateValues.get(step)!;
    let trials: readonly FrozenTrial[] | null = null;

    for (;;) {
      if (this.minResource === null) {
        trials ??= study.getTrials();
        this.minResource = estimateMinResource(trials);
        if (this.minResource === null) return false;
      }
      const rungPromotionStep = this.minResource * this.reductionFactor ** (this.minEarlyStoppingRate + rung);
      if (step < rungPromotionStep) return false;
      if (Number.isNaN(value)) return true;

      // the snapshot is taken before this trial's rung is recorded, as in Optuna
      trials ??= study.getTrials();
      const key = completedRungKey(rung);
      if (!study.setTrialSystemAttr) {
        throw new TypeError('SuccessiveHalvingPruner: expected a study that can set trial system attributes (setTrialSystemAttr), got one without');
      }
      study.setTrialSystemAttr(trial.trialId, key, value);

      const competing: number[] = [];
      for (const t of trials) if (t.number !== trial.number && key in t.systemAttrs) competing.push(t.systemAttrs[key] as number);
      competing.push(value);
      if (competing.length <= this.bootstrapCount) return true;
      if (!isPromotable(value, competing, this.reductionFactor, study.direction)) return true;
      rung += 1;
    }
  }
}

/** 'auto' minResource: max(floor(largest last step of the completed trials / 100), 1); null before any. */
export function estimateMinResource(trials: readonly FrozenTrial[]): number | null {
  let last = -1;
  for (const t of trials) {
    if (t.state !== 'complete') continue;
    const s = lastStep(t);
    if (s !== null && s > last) last = s;
  }
  return last < 0 ? null : Math.max(Math.floor(last / 100), 1);
}

/** The first rung this trial has not passed: rungs are passed in order, so count the recorded ones. */
function currentRung(trial: FrozenTrial): number {
  let rung = 0;
  while (completedRungKey(rung) in trial.systemAttrs) rung += 1;
  return rung;
}

/** The system attribute holding a trial's value at rung k (Optuna's key). */
export function completedRungKey(rung: number): string {
  return `completed_rung_${rung}`;
}

function isPromotable(value: number, competing: number[], reductionFactor: number, direction: StudyDirection): boolean {
  // the best floor(n / eta) go on; with fewer than eta competitors, only a value that is the best so far does
  const promotableIdx = Math.max(Math.floor(competing.length / reductionFactor) - 1, 0);
  competing.sort((a, b) => a - b);
  return direction === 'maximize' ? value >= competing[competing.length - 1 - promotableIdx] : value <= competing[promotableIdx];
}
