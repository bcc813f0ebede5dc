import type { FrozenTrial, Pruner, StudyView, TrialState } from '../types.js';
import { checkOptionNames, describe, intOption } from './options.js';
import { SuccessiveHalvingPruner } from './successive-halving.js';
import { lastStep } from './steps.js';
import { pythonLog } from './log.js';

/** Options of {@link HyperbandPruner}; Optuna's arguments in camelCase. */
export interface HyperbandPrunerOptions {
  /** r: the steps before the first rung of the most aggressive bracket. Default 1. */
  minResource?: number;
  /** R: the steps of a full trial; 'auto' (the default) takes the largest last step + 1 of the completed trials. */
  maxResource?: number | 'auto';
  /** eta, shared by every bracket. Default 3. */
  reductionFactor?: number;
  /** As in {@link SuccessiveHalvingPruner}; needs a numeric maxResource. Default 0. */
  bootstrapCount?: number;
}

const NAMES = ['minResource', 'maxResource', 'reductionFactor', 'bootstrapCount'];

/**
 * Hyperband (Li et al., JMLR 18(185), 2018) on asynchronous successive halving: several successive-halving
 * brackets run side by side, from aggressive (first rung after r steps) to patient (first rung after r * eta^(B-1)
 * steps), and each trial is assigned to one of them. Optuna's HyperbandPruner, decision for decision.
 *
 * The rule:
 * 1. once R is known, B = floor(log_eta(R / r)) + 1 brackets; bracket b is a {@link SuccessiveHalvingPruner} with
 *    minResource r, reductionFactor eta and minEarlyStoppingRate b;
 * 2. bracket b gets a budget of ceil(B * eta^s / (s + 1)) trials per round, s = B - 1 - b (more trials where they
 *    are stopped sooner); a trial goes to the bracket where crc32(`${studyName}_${number}`) mod the total budget
 *    falls, so every process assigns the same trial to the same bracket;
 * 3. the trial is then judged by its bracket's successive halving among the trials of its bracket only.
 *
 * B is counted in floating point as Optuna counts it, float error included (R / r = 243 with eta = 3 gives 5
 * brackets, not 6: Python's log(243, 3) is 4.999999999999999).
 */
export class HyperbandPruner implements Pruner {
  readonly minResource: number;
  /** 'auto' until a completed trial has set it. */
  maxResource: number | 'auto';
  readonly reductionFactor: number;
  readonly bootstrapCount: number;
  private readonly pruners: SuccessiveHalvingPruner[] = [];
  private readonly budgets: number[] = [];
  private totalBudget = 0;

  constructor(options: HyperbandPrunerOptions = {}) {
    const fn = 'HyperbandPruner';
    const o = checkOptionNames(fn, options, NAMES);
    this.minResource = intOption(fn, 'minResource', o.minResource, 1, 1);
    if (o.maxResource !== undefined && o.maxResource !== 'auto' && typeof o.maxResource !== 'number') {
      throw new TypeError(`${fn}: expected maxResource to be an integer >= 1 or 'auto', got ${describe(o.maxResource)}`);
    }
    this.maxResource = o.maxResource === undefined || o.maxResource === 'auto' ? 'auto' : intOption(fn, 'maxResource', o.maxResource, 1, 1);
    this.reductionFactor = intOption(fn, 'reductionFactor', o.reductionFactor, 3, 2);
    this.bootstrapCount = intOption(fn, 'bootstrapCount', o.bootstrapCount, 0, 0);
    if (this.bootstrapCount > 0 && this.maxResource === 'auto') {
      throw new RangeError(`${fn}: expected a numeric maxResource with bootstrapCount > 0, got maxResource 'auto'`);
    }
    if (this.maxResource !== 'auto' && this.maxResource < this.minResource) {
      throw new RangeError(`${fn}: expected maxResource >= minResource, got maxResource ${this.maxResource} < minResource ${this.minResource}`);
    }
    // with R given the brackets are known now (Optuna builds them at the first prune: the same brackets)
    if (this.maxResource !== 'auto') this.buildBrackets(this.maxResource);
  }

  /** The number of brackets, B; null until maxResource is known. */
  get nBrackets(): number | null {
    return this.pruners.length === 0 ? null : this.pruners.length;
  }

  prune(study: StudyView, trial: FrozenTrial): boolean {
    if (this.pruners.length === 0) {
      this.initializeAuto(study);
      if (this.pruners.length === 0) return false;
    }
    const bracket = this.bracketId(study.studyName, trial.number);
    return this.pruners[bracket].prune(this.bracketStudy(study, bracket), trial);
  }

  /** The bracket a trial belongs to (0 before the brackets exist); samplers use it to learn within a bracket. */
  bracketId(studyName: string, trialNumber: number): number {
    if (this.pruners.length === 0) return 0;
    let n = crc32(`${studyName}_${trialNumber}`) % this.totalBudget;
    for (let b = 0; b < this.budgets.length; b++) {
      n -= this.budgets[b];
      if (n < 0) return b;
    }
    throw new Error('HyperbandPruner: unreachable: a trial fell outside every bracket');
  }

  /** 'auto' R: the largest last step of the completed trials, plus one; nothing until a trial completes. */
  private initializeAuto(study: StudyView): void {
    let last = -1;
    for (const t of study.getTrials({ states: ['complete'] })) last = Math.max(last, lastStep(t) ?? -1);
    if (last < 0) return;
    this.maxResource = last + 1;
    this.buildBrackets(this.maxResource);
  }

  private buildBrackets(maxResource: number): void {
    const eta = this.reductionFactor;
    const nBrackets = Math.floor(pythonLog(maxResource / this.minResource, eta)) + 1;
    for (let b = 0; b < nBrackets; b++) {
      const s = nBrackets - 1 - b;
      const budget = Math.ceil((nBrackets * eta ** s) / (s + 1));
      this.budgets.push(budget);
      this.totalBudget += budget;
      this.pruners.push(new SuccessiveHalvingPruner({ minResource: this.minResource, reductionFactor: eta, minEarlyStoppingRate: b, bootstrapCount: this.bootstrapCount }));
    }
  }

  /**
   * The study as one bracket sees it: only that bracket's trials. Optuna's TPESampler learns from the trial's
   * bracket only when the pruner is Hyperband: `hyperband.bracketStudy(study, hyperband.bracketId(study.studyName,
   * trial.number))` gives a sampler that view (all trials, before the brackets exist).
   */
  bracketStudy(study: StudyView, bracket: number): StudyView {
    return {
      studyName: study.studyName,
      direction: study.direction,
      directions: study.directions,
      getTrials: (options?: { states?: readonly TrialState[] }) => study.getTrials(options).filter((t) => this.bracketId(study.studyName, t.number) === bracket),
      stop: () => study.stop(),
      setTrialSystemAttr: study.setTrialSystemAttr?.bind(study),
    };
  }
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** zlib's CRC-32 of a string's UTF-8 bytes (Python's binascii.crc32), as an unsigned 32-bit integer. */
export function crc32(text: string): number {
  let c = 0xffffffff;
  for (const byte of new TextEncoder().encode(text)) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
