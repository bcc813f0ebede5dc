import { LRScheduler, checkArg, perGroup, readOptions, type AnyOptimizer } from './scheduler.js';

/** Options of `SWALR`, PyTorch's in camelCase. */
export interface SWALROptions {
  /** The lr to anneal to, one for all groups or one per group. */
  swaLr: number | number[];
  /** Steps of the annealing. Default 10. */
  annealEpochs?: number;
  /** 'cos' or 'linear'. Default 'cos'. */
  annealStrategy?: 'cos' | 'linear';
  lastEpoch?: number;
}

/**
 * Anneals each group's lr from its value when SWALR starts to `swaLr` over `annealEpochs` steps, then holds it:
 *
 *     α_t = (1 - cos(π t)) / 2 ('cos') or t ('linear'),   t = min(1, step / annealEpochs)
 *     lr_t = swaLr · α_t + lr_0 · (1 - α_t)
 *
 * written recursively as PyTorch does (lr_0 recovered from the current lr through α_{t-1}), so it composes with
 * the scheduler that ran before it. `step` counts this scheduler's own steps (PyTorch's `_step_count - 1`), not
 * `lastEpoch`. PyTorch writes `swa_lr` into the param groups; here it stays in this scheduler (`swaLrs`), so the
 * optimizer's state dict keeps its own options. Matches `torch.optim.swa_utils.SWALR` (1.13).
 */
export class SWALR extends LRScheduler {
  readonly swaLrs: number[];
  readonly annealEpochs: number;
  readonly annealStrategy: 'cos' | 'linear';
  /** Steps applied by this scheduler, construction included (PyTorch's `_step_count`). */
  stepCount = 0;

  constructor(optimizer: AnyOptimizer, options: SWALROptions) {
    const o = readOptions<SWALROptions>('SWALR', options, { swaLr: 'number|number[]', annealEpochs: 'number', annealStrategy: 'string', lastEpoch: 'number' });
    super(optimizer, o.lastEpoch, 'SWALR');
    checkArg(o.swaLr !== undefined, 'SWALR', 'swaLr', 'given', o.swaLr);
    this.swaLrs = perGroup('SWALR', 'swaLr', optimizer, o.swaLr);
    this.swaLrs.forEach((lr) => checkArg(lr >= 0, 'SWALR', 'swaLr', '>= 0', lr));
    this.annealEpochs = o.annealEpochs ?? 10;
    checkArg(Number.isInteger(this.annealEpochs) && this.annealEpochs >= 0, 'SWALR', 'annealEpochs', 'an integer >= 0', this.annealEpochs);
    this.annealStrategy = o.annealStrategy ?? 'cos';
    checkArg(this.annealStrategy === 'cos' || this.annealStrategy === 'linear', 'SWALR', 'annealStrategy', "'cos' or 'linear'", this.annealStrategy);
    this.initialStep();
  }

  private anneal(t: number): number {
    return this.annealStrategy === 'cos' ? (1 - Math.cos(Math.PI * t)) / 2 : t;
  }

  getLr(): number[] {
    let step = this.stepCount - 1;
    if (this.annealEpochs === 0) step = Math.max(1, step);
    const span = Math.max(1, this.annealEpochs);
    const prevAlpha = this.anneal(Math.max(0, Math.min(1, (step - 1) / span)));
    const alpha = this.anneal(Math.max(0, Math.min(1, step / span)));
    return this.optimizer.paramGroups.map((g, i) => {
      const swaLr = this.swaLrs[i];
      const lr0 = prevAlpha === 1 ? swaLr : (g.lr - prevAlpha * swaLr) / (1 - prevAlpha);
      return swaLr * alpha + lr0 * (1 - alpha);
    });
  }

  step(epoch?: number): void {
    this.stepCount += 1;
    try {
      super.step(epoch);
    } catch (err) {
      this.stepCount -= 1;
      throw err;
    }
  }
}
