import { LRScheduler, checkArg, perGroup, readOptions, transaction, type AnyOptimizer } from './scheduler.js';
import { momentumAccess } from './momentum.js';

/** Options of `CyclicLR`, PyTorch's keywords in camelCase. */
export interface CyclicLROptions {
  baseLr: number | number[];
  maxLr: number | number[];
  /** Steps from baseLr up to maxLr. Default 2000. */
  stepSizeUp?: number;
  /** Steps back down; defaults to stepSizeUp. */
  stepSizeDown?: number;
  mode?: 'triangular' | 'triangular2' | 'exp_range';
  /** exp_range decay: the amplitude is scaled by gamma^step. Default 1. */
  gamma?: number;
  /** A custom amplitude scale; overrides `mode`. */
  scaleFn?: (x: number) => number;
  scaleMode?: 'cycle' | 'iterations';
  /** Cycle momentum (or Adam's beta1) inversely to the lr. Default true. */
  cycleMomentum?: boolean;
  baseMomentum?: number | number[];
  maxMomentum?: number | number[];
  lastEpoch?: number;
}

/**
 * Cyclical learning rates (Smith, 2017): the lr moves linearly between baseLr and maxLr and back, the amplitude
 * scaled per cycle (triangular2 halves it) or per step (exp_range: γ^t):
 *
 *     cycle = floor(1 + t / (up + down)),  x = 1 + t / (up + down) - cycle
 *     s = x / r for x <= r, else (x - 1) / (r - 1)     with r = up / (up + down)
 *     lr = baseLr + (maxLr - baseLr) s scale(cycle or t)
 *
 * Momentum moves the other way, between maxMomentum and baseMomentum. Matches `torch.optim.lr_scheduler.CyclicLR`
 * (with momentum cycling extended to Adam's beta1 as in newer PyTorch).
 */
export class CyclicLR extends LRScheduler {
  readonly maxLrs: number[];
  readonly totalSize: number;
  readonly stepRatio: number;
  readonly mode: string;
  readonly gamma: number;
  readonly scaleMode: 'cycle' | 'iterations';
  readonly cycleMomentum: boolean;
  baseMomentums: number[] = [];
  maxMomentums: number[] = [];
  private readonly customScale: ((x: number) => number) | null;

  constructor(optimizer: AnyOptimizer, options: CyclicLROptions) {
    options = readOptions<CyclicLROptions>('CyclicLR', options, {
      baseLr: 'number|number[]', maxLr: 'number|number[]', stepSizeUp: 'number', stepSizeDown: 'number', mode: 'string', gamma: 'number',
      scaleFn: 'function', scaleMode: 'string', cycleMomentum: 'boolean', baseMomentum: 'number|number[]', maxMomentum: 'number|number[]', lastEpoch: 'number',
    });
    super(optimizer, options.lastEpoch, 'CyclicLR');
    // everything is checked before the optimizer's groups are written
    const baseLrs = perGroup('CyclicLR', 'baseLr', optimizer, options.baseLr);
    this.maxLrs = perGroup('CyclicLR', 'maxLr', optimizer, options.maxLr);
    baseLrs.forEach((b, i) => {
      checkArg(b >= 0, 'CyclicLR', 'baseLr', '>= 0', b);
      checkArg(this.maxLrs[i] >= 0, 'CyclicLR', 'maxLr', '>= 0', this.maxLrs[i]);
    });
    const up = options.stepSizeUp ?? 2000, down = options.stepSizeDown ?? up;
    checkArg(up > 0, 'CyclicLR', 'stepSizeUp', '> 0', up);
    checkArg(down > 0, 'CyclicLR', 'stepSizeDown', '> 0', down);
    this.totalSize = up + down;
    this.stepRatio = up / this.totalSize;
    this.mode = options.mode ?? 'triangular';
    checkArg(['triangular', 'triangular2', 'exp_range'].includes(this.mode) || options.scaleFn !== undefined, 'CyclicLR', 'mode', "'triangular', 'triangular2' or 'exp_range'", this.mode);
    this.gamma = options.gamma ?? 1;
    checkArg(this.gamma > 0, 'CyclicLR', 'gamma', '> 0', this.gamma);
    checkArg(options.scaleMode === undefined || options.scaleMode === 'cycle' || options.scaleMode === 'iterations', 'CyclicLR', 'scaleMode', "'cycle' or 'iterations'", options.scaleMode);
    this.customScale = options.scaleFn ?? null;
    this.scaleMode = options.scaleFn ? (options.scaleMode ?? 'cycle') : this.mode === 'exp_range' ? 'iterations' : 'cycle';
    this.cycleMomentum = options.cycleMomentum ?? true;
    const m = this.cycleMomentum ? momentumAccess('CyclicLR', optimizer) : null;
    const base = m ? perGroup('CyclicLR', 'baseMomentum', optimizer, options.baseMomentum ?? 0.8) : [];
    if (m) this.maxMomentums = perGroup('CyclicLR', 'maxMomentum', optimizer, options.maxMomentum ?? 0.9);
    [...base, ...this.maxMomentums].forEach((v) => checkArg(v >= 0 && v <= 1, 'CyclicLR', 'baseMomentum and maxMomentum', 'in [0, 1]', v));
    this.baseLrs = baseLrs;
    transaction(optimizer, () => {
      if ((options.lastEpoch ?? -1) === -1) {
        optimizer.paramGroups.forEach((g, i) => (g.lr = baseLrs[i]));
        if (m) base.forEach((b, i) => m.set(i, b));
      }
      if (m) this.baseMomentums = optimizer.paramGroups.map((_, i) => m.get(i));
      this.initialStep();
    });
  }

  private scale(x: number): number {
    if (this.customScale) return this.customScale(x);
    if (this.mode === 'triangular2') return 1 / 2 ** (x - 1);
    if (this.mode === 'exp_range') return this.gamma ** x;
    return 1;
  }

  getLr(): number[] {
    const t = this.lastEpoch;
    const cycle = Math.floor(1 + t / this.totalSize);
    const x = 1 + t / this.totalSize - cycle;
    const s = x <= this.stepRatio ? x / this.stepRatio : (x - 1) / (this.stepRatio - 1);
    const scale = this.scale(this.scaleMode === 'cycle' ? cycle : t);
    const bases = this.baseLrs;
    if (this.cycleMomentum) {
      const m = momentumAccess('CyclicLR', this.optimizer);
      this.maxMomentums.forEach((max, i) => m.set(i, max - (max - this.baseMomentums[i]) * s * scale));
    }
    return bases.map((base, i) => base + (this.maxLrs[i] - base) * s * scale);
  }
}

/** Options of `OneCycleLR`, PyTorch's keywords in camelCase. */
export interface OneCycleLROptions {
  maxLr: number | number[];
  /** Total steps; or give `epochs` and `stepsPerEpoch`. */
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  /** Fraction of the steps spent increasing the lr. Default 0.3. */
  pctStart?: number;
  annealStrategy?: 'cos' | 'linear';
  cycleMomentum?: boolean;
  baseMomentum?: number | number[];
  maxMomentum?: number | number[];
  /** initialLr = maxLr / divFactor. Default 25. */
  divFactor?: number;
  /** minLr = initialLr / finalDivFactor. Default 1e4. */
  finalDivFactor?: number;
  /** Three phases (up, back down to initialLr, then to minLr) as in fast.ai's original. */
  threePhase?: boolean;
  lastEpoch?: number;
}

interface Phase {
  endStep: number;
  startLr: 'initialLr' | 'maxLr' | 'minLr';
  endLr: 'initialLr' | 'maxLr' | 'minLr';
  startMomentum: 'maxMomentum' | 'baseMomentum';
  endMomentum: 'maxMomentum' | 'baseMomentum';
}

/**
 * The 1cycle policy (Smith and Topin, 2018): the lr rises from maxLr / divFactor to maxLr over pctStart of the
 * steps, then anneals to initialLr / finalDivFactor; momentum moves inversely. Each phase interpolates
 *
 *     cos:    lr = end + (start - end) (1 + cos(π p)) / 2        linear: lr = start + (end - start) p
 *
 * with p the fraction of the phase done. Matches `torch.optim.lr_scheduler.OneCycleLR` (beta1 cycles for Adam).
 */
export class OneCycleLR extends LRScheduler {
  readonly totalSteps: number;
  readonly annealStrategy: 'cos' | 'linear';
  readonly cycleMomentum: boolean;
  readonly phases: Phase[];
  readonly lrs: { initialLr: number; maxLr: number; minLr: number }[];
  readonly momenta: { maxMomentum: number; baseMomentum: number }[] = [];

  constructor(optimizer: AnyOptimizer, options: OneCycleLROptions) {
    const name = 'OneCycleLR';
    options = readOptions<OneCycleLROptions>(name, options, {
      maxLr: 'number|number[]', totalSteps: 'number', epochs: 'number', stepsPerEpoch: 'number', pctStart: 'number', annealStrategy: 'string',
      cycleMomentum: 'boolean', baseMomentum: 'number|number[]', maxMomentum: 'number|number[]', divFactor: 'number', finalDivFactor: 'number', threePhase: 'boolean', lastEpoch: 'number',
    });
    let total: number;
    if (options.totalSteps !== undefined) {
      checkArg(Number.isInteger(options.totalSteps) && options.totalSteps > 0, name, 'totalSteps', 'a positive integer', options.totalSteps);
      total = options.totalSteps;
    } else {
      if (options.epochs === undefined || options.stepsPerEpoch === undefined) {
        throw new RangeError(`${name}: expected totalSteps or both epochs and stepsPerEpoch, got neither`);
      }
      checkArg(Number.isInteger(options.epochs) && options.epochs > 0, name, 'epochs', 'a positive integer', options.epochs);
      checkArg(Number.isInteger(options.stepsPerEpoch) && options.stepsPerEpoch > 0, name, 'stepsPerEpoch', 'a positive integer', options.stepsPerEpoch);
      total = options.epochs * options.stepsPerEpoch;
    }
    const pct = options.pctStart ?? 0.3;
    checkArg(pct >= 0 && pct <= 1, name, 'pctStart', 'in [0, 1]', pct);
    const strategy = options.annealStrategy ?? 'cos';
    checkArg(strategy === 'cos' || strategy === 'linear', name, 'annealStrategy', "'cos' or 'linear'", strategy);
    const maxLrs = perGroup(name, 'maxLr', optimizer, options.maxLr);
    maxLrs.forEach((v) => checkArg(v >= 0, name, 'maxLr', '>= 0', v));
    const div = options.divFactor ?? 25, finalDiv = options.finalDivFactor ?? 1e4;
    checkArg(div > 0, name, 'divFactor', '> 0', div);
    checkArg(finalDiv > 0, name, 'finalDivFactor', '> 0', finalDiv);
    const lrs = maxLrs.map((maxLr) => ({ initialLr: maxLr / div, maxLr, minLr: maxLr / div / finalDiv }));
    super(optimizer, options.lastEpoch, name);
    this.totalSteps = total;
    this.annealStrategy = strategy;
    this.lrs = lrs;
    this.phases = options.threePhase
      ? [
          { endStep: pct * total - 1, startLr: 'initialLr', endLr: 'maxLr', startMomentum: 'maxMomentum', endMomentum: 'baseMomentum' },
          { endStep: 2 * pct * total - 2, startLr: 'maxLr', endLr: 'initialLr', startMomentum: 'baseMomentum', endMomentum: 'maxMomentum' },
          { endStep: total - 1, startLr: 'initialLr', endLr: 'minLr', startMomentum: 'maxMomentum', endMomentum: 'maxMomentum' },
        ]
      : [
          { endStep: pct * total - 1, startLr: 'initialLr', endLr: 'maxLr', startMomentum: 'maxMomentum', endMomentum: 'baseMomentum' },
          { endStep: total - 1, startLr: 'maxLr', endLr: 'minLr', startMomentum: 'baseMomentum', endMomentum: 'maxMomentum' },
        ];
    this.cycleMomentum = options.cycleMomentum ?? true;
    const m = this.cycleMomentum ? momentumAccess(name, optimizer) : null;
    if (m) {
      const max = perGroup(name, 'maxMomentum', optimizer, options.maxMomentum ?? 0.95);
      const base = perGroup(name, 'baseMomentum', optimizer, options.baseMomentum ?? 0.85);
      [...max, ...base].forEach((v) => checkArg(v >= 0 && v <= 1, name, 'baseMomentum and maxMomentum', 'in [0, 1]', v));
      max.forEach((mm, i) => this.momenta.push({ maxMomentum: mm, baseMomentum: base[i] }));
    }
    // the optimizer's groups are written only now, after every check, and put back if the first step fails
    transaction(optimizer, () => {
      if ((options.lastEpoch ?? -1) === -1) {
        optimizer.paramGroups.forEach((g, i) => (g.initialLr = lrs[i].initialLr));
        if (m) this.momenta.forEach((mm, i) => m.set(i, mm.maxMomentum));
      }
      this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr ?? g.lr);
      this.initialStep();
    });
  }

  private anneal(start: number, end: number, p: number): number {
    return this.annealStrategy === 'cos' ? end + ((start - end) / 2) * (Math.cos(Math.PI * p) + 1) : (end - start) * p + start;
  }

  getLr(): number[] {
    const t = this.lastEpoch;
    if (t > this.totalSteps) {
      throw new RangeError(`OneCycleLR: tried to step ${t} times, but totalSteps is ${this.totalSteps}`);
    }
    const m = this.cycleMomentum ? momentumAccess('OneCycleLR', this.optimizer) : null;
    return this.lrs.map((lr, i) => {
      let start = 0;
      for (let k = 0; k < this.phases.length; k++) {
        const phase = this.phases[k];
        if (t <= phase.endStep || k === this.phases.length - 1) {
          const p = (t - start) / (phase.endStep - start);
          if (m !== null) m.set(i, this.anneal(this.momenta[i][phase.startMomentum], this.momenta[i][phase.endMomentum], p));
          return this.anneal(lr[phase.startLr], lr[phase.endLr], p);
        }
        start = phase.endStep;
      }
      throw new Error('OneCycleLR: unreachable');
    });
  }
}
