import { LRScheduler, checkArg, readOptions, type AnyOptimizer } from './scheduler.js';

/** A schedule that maps the lr in force and the epoch about to start to the new lr (Keras's callback form). */
export type EpochSchedule = (epoch: number, lr: number) => number;

/**
 * Time-based decay in its iterative form: lr_new = lr_old / (1 + epoch · decay).
 * From lr 0.001 with decay 0.1 it gives 0.001, 0.000909, 0.000758, 0.000583, ... (epoch 0 leaves the lr as is).
 * The closed form of Keras's `InverseTimeDecay`, lr_0 / (1 + decay · epoch), is a different, slower schedule.
 */
export function timeBasedDecay(options: { decay: number }): EpochSchedule {
  options = readOptions('timeBasedDecay', options, { decay: 'number' });
  checkArg(options?.decay >= 0, 'timeBasedDecay', 'decay', '>= 0', options?.decay);
  return (epoch, lr) => lr / (1 + epoch * options.decay);
}

/**
 * Step decay: lr = lr_initial · rate^floor((epoch + 1 - startDecayEpoch) / decayEvery). The exponent is
 * held at 0 before the decay starts (the formula taken literally would raise the lr there).
 * From 0.001 with rate 0.5 every 20 epochs: 0.001 (epochs 0-18), 0.0005 (19-38), ..., 3.125e-5 at epoch 99.
 */
export function stepDecay(options: { initialLr: number; decayRate: number; decayEvery: number; startDecayEpoch?: number }): EpochSchedule {
  const { initialLr, decayRate, decayEvery, startDecayEpoch = 0 } = readOptions<{ initialLr: number; decayRate: number; decayEvery: number; startDecayEpoch?: number }>('stepDecay', options, { initialLr: 'number', decayRate: 'number', decayEvery: 'number', startDecayEpoch: 'number' });
  checkArg(initialLr > 0, 'stepDecay', 'initialLr', '> 0', initialLr);
  checkArg(decayRate > 0, 'stepDecay', 'decayRate', '> 0', decayRate);
  checkArg(Number.isInteger(decayEvery) && decayEvery >= 1, 'stepDecay', 'decayEvery', 'a positive integer', decayEvery);
  return (epoch) => initialLr * decayRate ** Math.max(0, Math.floor((epoch + 1 - startDecayEpoch) / decayEvery));
}

/**
 * Exponential decay in its iterative form: lr_new = lr_old · exp(-(epoch + 1) · decay).
 * Epoch 0 already multiplies by e^(-decay); the exponent grows each epoch, so the lr falls like e^(-decay t²/2),
 * unlike PyTorch's `ExponentialLR` (γ^t) or Keras's `ExponentialDecay`.
 */
export function exponentialDecay(options: { decay: number }): EpochSchedule {
  options = readOptions('exponentialDecay', options, { decay: 'number' });
  checkArg(options?.decay >= 0, 'exponentialDecay', 'decay', '>= 0', options?.decay);
  return (epoch, lr) => lr * Math.exp(-(epoch + 1) * options.decay);
}

/**
 * Keras's `LearningRateScheduler` callback as a scheduler: at epoch t the lr becomes `schedule(t, lr)` (the lr in
 * force), the construction applying epoch 0. the common `lambda epoch: 0.001 * 0.95 ** epoch` is
 * `new LearningRateScheduler(opt, { schedule: (epoch) => 0.001 * 0.95 ** epoch })`. Every group gets its own lr.
 */
export class LearningRateScheduler extends LRScheduler {
  private readonly schedule: EpochSchedule;

  constructor(optimizer: AnyOptimizer, options: { schedule: EpochSchedule; lastEpoch?: number }) {
    options = readOptions<{ schedule: EpochSchedule; lastEpoch?: number }>('LearningRateScheduler', options, { schedule: 'function', lastEpoch: 'number' });
    super(optimizer, options.lastEpoch, 'LearningRateScheduler');
    if (typeof options?.schedule !== 'function') throw new TypeError(`LearningRateScheduler: expected schedule to be a function, got ${typeof options?.schedule}`);
    this.schedule = options.schedule;
    this.initialStep();
  }

  getLr(): number[] {
    return this.optimizer.paramGroups.map((g) => {
      const lr = this.schedule(this.lastEpoch, g.lr);
      if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0) {
        throw new RangeError(`LearningRateScheduler: expected the schedule to return a finite lr >= 0 at epoch ${this.lastEpoch}, got ${lr}`);
      }
      return lr;
    });
  }
}

/** Iterative time-based decay as a scheduler (see `timeBasedDecay`). */
export class TimeBasedDecayLR extends LearningRateScheduler {
  constructor(optimizer: AnyOptimizer, options: { decay: number; lastEpoch?: number }) {
    const o = readOptions<{ decay: number; lastEpoch?: number }>('TimeBasedDecayLR', options, { decay: 'number', lastEpoch: 'number' });
    super(optimizer, { schedule: timeBasedDecay({ decay: o.decay }), lastEpoch: o.lastEpoch });
  }
}

/** Step decay as a scheduler (see `stepDecay`); the initial lr is each group's. */
export class StepDecayLR extends LRScheduler {
  readonly decayRate: number;
  readonly decayEvery: number;
  readonly startDecayEpoch: number;

  constructor(optimizer: AnyOptimizer, options: { decayRate: number; decayEvery: number; startDecayEpoch?: number; lastEpoch?: number }) {
    options = readOptions<{ decayRate: number; decayEvery: number; startDecayEpoch?: number; lastEpoch?: number }>('StepDecayLR', options, { decayRate: 'number', decayEvery: 'number', startDecayEpoch: 'number', lastEpoch: 'number' });
    super(optimizer, options.lastEpoch, 'StepDecayLR');
    stepDecay({ initialLr: 1, decayRate: options.decayRate, decayEvery: options.decayEvery, startDecayEpoch: options.startDecayEpoch }); // validates
    this.decayRate = options.decayRate;
    this.decayEvery = options.decayEvery;
    this.startDecayEpoch = options.startDecayEpoch ?? 0;
    this.initialStep();
  }

  getLr(): number[] {
    return this.baseLrs.map((initialLr) => stepDecay({ initialLr, decayRate: this.decayRate, decayEvery: this.decayEvery, startDecayEpoch: this.startDecayEpoch })(this.lastEpoch, 0));
  }
}

/** Iterative exponential decay as a scheduler (see `exponentialDecay`). */
export class ExponentialDecayLR extends LearningRateScheduler {
  constructor(optimizer: AnyOptimizer, options: { decay: number; lastEpoch?: number }) {
    const o = readOptions<{ decay: number; lastEpoch?: number }>('ExponentialDecayLR', options, { decay: 'number', lastEpoch: 'number' });
    super(optimizer, { schedule: exponentialDecay({ decay: o.decay }), lastEpoch: o.lastEpoch });
  }
}
