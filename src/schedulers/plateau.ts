import { checkArg, checkOptimizer, perGroup, readOptions, type AnyOptimizer, type SchedulerStateDict } from './scheduler.js';

/** Options of `ReduceLROnPlateau`, PyTorch's keywords in camelCase. */
export interface ReduceLROnPlateauOptions {
  /** 'min': the metric should fall (a loss); 'max': it should rise (an accuracy). Default 'min'. */
  mode?: 'min' | 'max';
  /** Multiply the lr by this on a plateau. Default 0.1; must be < 1. */
  factor?: number;
  /** Bad epochs tolerated before cutting. Default 10. */
  patience?: number;
  /** Smallest change that counts as better. Default 1e-4. */
  threshold?: number;
  /** 'rel': better means below best (1 - threshold); 'abs': below best - threshold. Default 'rel'. */
  thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a cut before counting again. Default 0. */
  cooldown?: number;
  minLr?: number | number[];
  /** Cuts smaller than this are skipped. Default 1e-8. */
  eps?: number;
}

/**
 * Cuts the lr by `factor` when a metric has not improved for more than `patience` steps, as
 * `torch.optim.lr_scheduler.ReduceLROnPlateau`: `step(metric)` once per epoch (or evaluation).
 *
 *     better(a) = a < best (1 - threshold)   (min, rel)      a < best - threshold   (min, abs)
 *     bad = bad + 1 unless better; in cooldown bad = 0; when bad > patience: lr = max(lr factor, minLr)
 */
export class ReduceLROnPlateau {
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: 'rel' | 'abs';
  readonly cooldown: number;
  readonly minLrs: number[];
  readonly eps: number;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;
  private lastLr: number[];

  constructor(readonly optimizer: AnyOptimizer, options: ReduceLROnPlateauOptions = {}) {
    const name = 'ReduceLROnPlateau';
    checkOptimizer(name, optimizer);
    options = readOptions<ReduceLROnPlateauOptions>(name, options, { mode: 'string', factor: 'number', patience: 'number', threshold: 'number', thresholdMode: 'string', cooldown: 'number', minLr: 'number|number[]', eps: 'number' });
    this.mode = options.mode ?? 'min';
    this.factor = options.factor ?? 0.1;
    this.patience = options.patience ?? 10;
    this.threshold = options.threshold ?? 1e-4;
    this.thresholdMode = options.thresholdMode ?? 'rel';
    this.cooldown = options.cooldown ?? 0;
    this.eps = options.eps ?? 1e-8;
    checkArg(this.mode === 'min' || this.mode === 'max', name, 'mode', "'min' or 'max'", this.mode);
    checkArg(this.factor < 1 && this.factor >= 0, name, 'factor', 'in [0, 1)', this.factor);
    checkArg(Number.isInteger(this.patience) && this.patience >= 0, name, 'patience', 'a non-negative integer', this.patience);
    checkArg(this.thresholdMode === 'rel' || this.thresholdMode === 'abs', name, 'thresholdMode', "'rel' or 'abs'", this.thresholdMode);
    checkArg(this.threshold >= 0, name, 'threshold', '>= 0', this.threshold);
    checkArg(Number.isInteger(this.cooldown) && this.cooldown >= 0, name, 'cooldown', 'a non-negative integer', this.cooldown);
    checkArg(this.eps >= 0, name, 'eps', '>= 0', this.eps);
    this.minLrs = perGroup(name, 'minLr', optimizer, options.minLr ?? 0);
    this.minLrs.forEach((v) => checkArg(v >= 0, name, 'minLr', '>= 0', v));
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  private isBetter(a: number): boolean {
    const { best, threshold } = this;
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? a < best * (1 - threshold) : a < best - threshold;
    return this.thresholdMode === 'rel' ? a > best * (threshold + 1) : a > best + threshold;
  }

  /** Records one value of the metric and cuts the lr if it has stalled. A NaN metric is an error. */
  step(metric: number): void {
    if (typeof metric !== 'number' || Number.isNaN(metric)) {
      throw new RangeError(`ReduceLROnPlateau.step: expected a numeric metric, got ${metric}`);
    }
    this.lastEpoch += 1;
    if (this.isBetter(metric)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const newLr = Math.max(g.lr * this.factor, this.minLrs[i]);
        if (g.lr - newLr > this.eps) g.lr = newLr;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** True while waiting out the cooldown after a cut. */
  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  stateDict(): SchedulerStateDict {
    return { best: this.best, numBadEpochs: this.numBadEpochs, cooldownCounter: this.cooldownCounter, lastEpoch: this.lastEpoch, lastLr: [...this.lastLr] };
  }

  loadStateDict(state: SchedulerStateDict): void {
    for (const key of ['best', 'numBadEpochs', 'cooldownCounter', 'lastEpoch']) {
      if (typeof state?.[key] !== 'number') throw new TypeError(`ReduceLROnPlateau.loadStateDict: expected a number for '${key}', got ${typeof state?.[key]}`);
    }
    this.best = state.best as number;
    this.numBadEpochs = state.numBadEpochs as number;
    this.cooldownCounter = state.cooldownCounter as number;
    this.lastEpoch = state.lastEpoch as number;
    if (Array.isArray(state.lastLr)) this.lastLr = [...(state.lastLr as number[])];
  }
}
