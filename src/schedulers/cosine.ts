import { LRScheduler, checkArg, readOptions, pyMod, type AnyOptimizer } from './scheduler.js';

/**
 * Cosine annealing from lr_0 to etaMin over tMax steps (Loshchilov and Hutter, 2017, without restarts):
 *
 *     lr_t = etaMin + (lr_0 - etaMin) (1 + cos(π t / tMax)) / 2
 *
 * Past tMax it keeps following the cosine (back up over the next tMax steps), as PyTorch does. Matches
 * `CosineAnnealingLR`, including its recursive update.
 */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;

  constructor(optimizer: AnyOptimizer, options: { tMax: number; etaMin?: number; lastEpoch?: number }) {
    options = readOptions<{ tMax: number; etaMin?: number; lastEpoch?: number }>('CosineAnnealingLR', options, { tMax: 'number', etaMin: 'number', lastEpoch: 'number' });
    super(optimizer, options.lastEpoch, 'CosineAnnealingLR');
    checkArg(options.tMax > 0, 'CosineAnnealingLR', 'tMax', '> 0', options.tMax);
    this.tMax = options.tMax;
    this.etaMin = options.etaMin ?? 0;
    this.initialStep();
  }

  getLr(): number[] {
    const { tMax: T, etaMin, lastEpoch: t } = this;
    const groups = this.optimizer.paramGroups;
    if (t === 0) return groups.map((g) => g.lr);
    if (pyMod(t - 1 - T, 2 * T) === 0) {
      return groups.map((g, i) => g.lr + ((this.baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / T))) / 2);
    }
    return groups.map((g) => ((1 + Math.cos((Math.PI * t) / T)) / (1 + Math.cos((Math.PI * (t - 1)) / T))) * (g.lr - etaMin) + etaMin);
  }

  closedFormLr(): number[] {
    return this.baseLrs.map((lr) => this.etaMin + ((lr - this.etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / this.tMax))) / 2);
  }
}

/**
 * SGDR, cosine annealing with warm restarts (Loshchilov and Hutter, 2017): the cosine runs over T_i steps, then
 * restarts at lr_0 with T_{i+1} = tMult T_i:
 *
 *     lr = etaMin + (lr_0 - etaMin) (1 + cos(π T_cur / T_i)) / 2
 *
 * `step(epoch)` accepts fractional epochs (`epoch + batch / batches`). Matches `CosineAnnealingWarmRestarts`.
 */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  readonly t0: number;
  readonly tMult: number;
  readonly etaMin: number;
  tI: number;
  tCur: number;

  constructor(optimizer: AnyOptimizer, options: { t0: number; tMult?: number; etaMin?: number; lastEpoch?: number }) {
    options = readOptions<{ t0: number; tMult?: number; etaMin?: number; lastEpoch?: number }>('CosineAnnealingWarmRestarts', options, { t0: 'number', tMult: 'number', etaMin: 'number', lastEpoch: 'number' });
    super(optimizer, options.lastEpoch, 'CosineAnnealingWarmRestarts');
    checkArg(Number.isInteger(options.t0) && options.t0 >= 1, 'CosineAnnealingWarmRestarts', 't0', 'a positive integer', options.t0);
    const tMult = options.tMult ?? 1;
    checkArg(Number.isInteger(tMult) && tMult >= 1, 'CosineAnnealingWarmRestarts', 'tMult', 'an integer >= 1', tMult);
    this.t0 = options.t0;
    this.tMult = tMult;
    this.etaMin = options.etaMin ?? 0;
    this.tI = options.t0;
    this.tCur = this.lastEpoch;
    this.initialStep();
  }

  getLr(): number[] {
    return this.baseLrs.map((lr) => this.etaMin + ((lr - this.etaMin) * (1 + Math.cos((Math.PI * this.tCur) / this.tI))) / 2);
  }

  step(epoch?: number): void {
    if (epoch === undefined && this.lastEpoch < 0) epoch = 0;
    if (epoch === undefined) {
      epoch = this.lastEpoch + 1;
      this.tCur += 1;
      if (this.tCur >= this.tI) {
        this.tCur -= this.tI;
        this.tI *= this.tMult;
      }
    } else {
      checkArg(epoch >= 0, 'CosineAnnealingWarmRestarts', 'epoch', 'non-negative', epoch);
      if (epoch >= this.t0) {
        if (this.tMult === 1) {
          this.tCur = epoch % this.t0;
        } else {
          const n = Math.floor(Math.log((epoch / this.t0) * (this.tMult - 1) + 1) / Math.log(this.tMult));
          this.tCur = epoch - (this.t0 * (this.tMult ** n - 1)) / (this.tMult - 1);
          this.tI = this.t0 * this.tMult ** n;
        }
      } else {
        this.tI = this.t0;
        this.tCur = epoch;
      }
    }
    this.lastEpoch = Math.floor(epoch);
    const values = this.getLr();
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = values[i]));
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }
}
