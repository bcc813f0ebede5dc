import { LRScheduler, checkArg, readOptions, type AnyOptimizer } from './scheduler.js';

/** A schedule of the optimizer step: lr = at(step), as Keras's `LearningRateSchedule`. */
export interface LearningRateSchedule {
  at(step: number): number;
}

/** lr = lr_0 · rate^(step / decaySteps), the exponent floored when `staircase`. Keras's `ExponentialDecay`. */
export class ExponentialDecay implements LearningRateSchedule {
  constructor(readonly options: { initialLearningRate: number; decaySteps: number; decayRate: number; staircase?: boolean }) {
    this.options = options = readOptions<typeof options>('ExponentialDecay', options, { initialLearningRate: 'number', decaySteps: 'number', decayRate: 'number', staircase: 'boolean' });
    checkArg(options.initialLearningRate >= 0, 'ExponentialDecay', 'initialLearningRate', '>= 0', options.initialLearningRate);
    checkArg(options.decaySteps > 0, 'ExponentialDecay', 'decaySteps', '> 0', options.decaySteps);
    checkArg(options.decayRate > 0, 'ExponentialDecay', 'decayRate', '> 0', options.decayRate);
  }

  at(step: number): number {
    const p = step / this.options.decaySteps;
    return this.options.initialLearningRate * this.options.decayRate ** (this.options.staircase ? Math.floor(p) : p);
  }
}

/** lr = lr_0 / (1 + rate · step / decaySteps), floored when `staircase`. Keras's `InverseTimeDecay`. */
export class InverseTimeDecay implements LearningRateSchedule {
  constructor(readonly options: { initialLearningRate: number; decaySteps: number; decayRate: number; staircase?: boolean }) {
    this.options = options = readOptions<typeof options>('InverseTimeDecay', options, { initialLearningRate: 'number', decaySteps: 'number', decayRate: 'number', staircase: 'boolean' });
    checkArg(options.initialLearningRate >= 0, 'InverseTimeDecay', 'initialLearningRate', '>= 0', options.initialLearningRate);
    checkArg(options.decaySteps > 0, 'InverseTimeDecay', 'decaySteps', '> 0', options.decaySteps);
    checkArg(options.decayRate >= 0, 'InverseTimeDecay', 'decayRate', '>= 0', options.decayRate);
  }

  at(step: number): number {
    const p = step / this.options.decaySteps;
    return this.options.initialLearningRate / (1 + this.options.decayRate * (this.options.staircase ? Math.floor(p) : p));
  }
}

/** values[0] up to boundaries[0] (inclusive), values[i] up to boundaries[i], then the last. `PiecewiseConstantDecay`. */
export class PiecewiseConstantDecay implements LearningRateSchedule {
  constructor(readonly options: { boundaries: number[]; values: number[] }) {
    this.options = options = readOptions<typeof options>('PiecewiseConstantDecay', options, { boundaries: 'number[]', values: 'number[]' });
    const { boundaries, values } = options;
    checkArg(Array.isArray(boundaries) && Array.isArray(values) && values.length === boundaries.length + 1, 'PiecewiseConstantDecay', 'values', 'one more than boundaries', values?.length);
    checkArg(boundaries.every((b, i) => i === 0 || b > boundaries[i - 1]), 'PiecewiseConstantDecay', 'boundaries', 'increasing', boundaries);
  }

  at(step: number): number {
    const i = this.options.boundaries.findIndex((b) => step <= b);
    return this.options.values[i === -1 ? this.options.values.length - 1 : i];
  }
}

/**
 * lr = (lr_0 - end) (1 - min(step, T) / T)^power + end, with T stretched to the next multiple when `cycle`.
 * Keras's `PolynomialDecay` (default end 1e-4, power 1).
 */
export class PolynomialDecay implements LearningRateSchedule {
  constructor(readonly options: { initialLearningRate: number; decaySteps: number; endLearningRate?: number; power?: number; cycle?: boolean }) {
    this.options = options = readOptions<typeof options>('PolynomialDecay', options, { initialLearningRate: 'number', decaySteps: 'number', endLearningRate: 'number', power: 'number', cycle: 'boolean' });
    checkArg(options.initialLearningRate >= 0, 'PolynomialDecay', 'initialLearningRate', '>= 0', options.initialLearningRate);
    checkArg(options.decaySteps > 0, 'PolynomialDecay', 'decaySteps', '> 0', options.decaySteps);
  }

  at(step: number): number {
    const { initialLearningRate: lr0, endLearningRate: end = 1e-4, power = 1, cycle = false } = this.options;
    let T = this.options.decaySteps;
    if (cycle) T *= step === 0 ? 1 : Math.ceil(step / T);
    const s = cycle ? step : Math.min(step, T);
    return (lr0 - end) * (1 - s / T) ** power + end;
  }
}

/**
 * Optional linear warmup from lr_0 to `warmupTarget` over `warmupSteps`, then cosine decay over `decaySteps` to
 * alpha times the peak: lr = peak ((1 - α) (1 + cos(π min(t, T) / T)) / 2 + α). Keras's `CosineDecay`.
 */
export class CosineDecay implements LearningRateSchedule {
  constructor(readonly options: { initialLearningRate: number; decaySteps: number; alpha?: number; warmupTarget?: number; warmupSteps?: number }) {
    this.options = options = readOptions<typeof options>('CosineDecay', options, { initialLearningRate: 'number', decaySteps: 'number', alpha: 'number', warmupTarget: 'number', warmupSteps: 'number' });
    checkArg(options.initialLearningRate >= 0, 'CosineDecay', 'initialLearningRate', '>= 0', options.initialLearningRate);
    checkArg(options.decaySteps > 0, 'CosineDecay', 'decaySteps', '> 0', options.decaySteps);
    checkArg((options.warmupSteps ?? 0) >= 0, 'CosineDecay', 'warmupSteps', '>= 0', options.warmupSteps);
  }

  at(step: number): number {
    const { initialLearningRate: lr0, decaySteps, alpha = 0, warmupTarget, warmupSteps = 0 } = this.options;
    if (warmupTarget !== undefined && step < warmupSteps) return lr0 + ((warmupTarget - lr0) * step) / warmupSteps;
    const peak = warmupTarget ?? lr0;
    const done = Math.min(step - (warmupTarget !== undefined ? warmupSteps : 0), decaySteps) / decaySteps;
    return peak * ((1 - alpha) * 0.5 * (1 + Math.cos(Math.PI * done)) + alpha);
  }
}

/**
 * SGDR in Keras's form: cosine periods of firstDecaySteps · tMul^i, each peak scaled by mMul^i.
 * Keras's `CosineDecayRestarts` (tMul 2, mMul 1, alpha 0 by default).
 */
export class CosineDecayRestarts implements LearningRateSchedule {
  constructor(readonly options: { initialLearningRate: number; firstDecaySteps: number; tMul?: number; mMul?: number; alpha?: number }) {
    this.options = options = readOptions<typeof options>('CosineDecayRestarts', options, { initialLearningRate: 'number', firstDecaySteps: 'number', tMul: 'number', mMul: 'number', alpha: 'number' });
    checkArg(options.initialLearningRate >= 0, 'CosineDecayRestarts', 'initialLearningRate', '>= 0', options.initialLearningRate);
    checkArg(options.firstDecaySteps > 0, 'CosineDecayRestarts', 'firstDecaySteps', '> 0', options.firstDecaySteps);
  }

  at(step: number): number {
    const { initialLearningRate: lr0, firstDecaySteps, tMul = 2, mMul = 1, alpha = 0 } = this.options;
    let done = step / firstDecaySteps;
    let restarts: number;
    if (tMul === 1) {
      restarts = Math.floor(done);
      done -= restarts;
    } else {
      restarts = Math.floor(Math.log(1 - done * (1 - tMul)) / Math.log(tMul));
      const sum = (1 - tMul ** restarts) / (1 - tMul);
      done = (done - sum) / tMul ** restarts;
    }
    const cosine = 0.5 * mMul ** restarts * (1 + Math.cos(Math.PI * done));
    return lr0 * ((1 - alpha) * cosine + alpha);
  }
}

/**
 * Drives an optimizer from a step schedule: every group's lr becomes `schedule(t)` at step t (construction applies
 * t = 0). Accepts a Keras-style schedule object or a plain `(step) => lr`.
 */
export class ScheduleLR extends LRScheduler {
  private readonly at: (step: number) => number;

  constructor(optimizer: AnyOptimizer, options: { schedule: LearningRateSchedule | ((step: number) => number); lastEpoch?: number }) {
    options = readOptions<{ schedule: LearningRateSchedule | ((step: number) => number); lastEpoch?: number }>('ScheduleLR', options, { schedule: 'any', lastEpoch: 'number' });
    super(optimizer, options.lastEpoch, 'ScheduleLR');
    const s = options.schedule;
    if (typeof s === 'function') this.at = s;
    else if (s && typeof s.at === 'function') this.at = (t) => s.at(t);
    else throw new TypeError(`ScheduleLR: expected schedule to be a function or have at(step), got ${typeof s}`);
    this.initialStep();
  }

  getLr(): number[] {
    const lr = this.at(this.lastEpoch);
    if (!Number.isFinite(lr) || lr < 0) throw new RangeError(`ScheduleLR: expected the schedule to return a finite lr >= 0 at step ${this.lastEpoch}, got ${lr}`);
    return this.optimizer.paramGroups.map(() => lr);
  }

  closedFormLr(): number[] {
    return this.getLr();
  }
}
