import type { Tensor } from '../tensor/tensor.js';
import { manualSeed, Generator } from '../tensor/random.js';
import type { Module } from '../nn/module.js';
import { NonFiniteStepError, type Optimizer } from '../optim/optimizer.js';
import { Adam } from '../optim/adam.js';
import { fit, NonFiniteLossError } from '../train/fit.js';
import { NonFiniteInputError } from '../tensor/finite.js';
import { describe } from '../format/number.js';
import { checkRecord, checkInteger } from '../format/check.js';

/** `count` log-spaced values from `start` to `end` inclusive (`np.logspace(log10(start), log10(end), count)`). */
export function logspace(start: number, end: number, count: number): number[] {
  for (const [k, v] of [['start', start], ['end', end]] as const) if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) throw new RangeError(`logspace: expected ${k} to be a finite number > 0, got ${describe(v)}`);
  checkInteger('logspace', 'count', count, 1, 10 ** 7);
  if (!(start > 0 && end > 0)) throw new RangeError(`logspace: expected positive bounds, got ${start} and ${end}`);
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`logspace: expected a positive integer count, got ${count}`);
  if (count === 1) return [start];
  const a = Math.log10(start), b = Math.log10(end);
  return Array.from({ length: count }, (_, i) => 10 ** (a + ((b - a) * i) / (count - 1)));
}

/** Options of `lrSweep`. */
export interface LrSweepOptions {
  /** Builds a fresh model; called after seeding, so every lr starts from the same initialization. */
  makeModel: () => Module;
  /** Builds the optimizer for a model at an lr. Default Adam. */
  makeOptimizer?: (params: Tensor[], lr: number) => Optimizer<{ lr: number }>;
  /** Default `mseLoss`; `crossEntropy` for class indices. */
  loss?: (prediction: Tensor, target: Tensor) => Tensor;
  x: Tensor;
  y: Tensor;
  validationData?: { x: Tensor; y: Tensor };
  /** The lrs to try; default `logspace(startLr, endLr, num)`. */
  lrs?: number[];
  startLr?: number;
  endLr?: number;
  /** Default 100. */
  num?: number;
  /** Epochs per lr. Default 3. */
  epochs?: number;
  batchSize?: number;
  seed?: number;
  /** Called after each lr, for progress display. */
  onResult?: (row: LrSweepRow, index: number, total: number) => void;
}

/** One row of the sweep table: an lr and the losses a fresh model reached with it. */
export interface LrSweepRow {
  lr: number;
  /** Training loss of the last epoch (NaN when the run diverged). */
  trainLoss: number;
  valLoss: number | null;
  /** Lowest validation loss over the epochs (what early stopping would keep), or null without validation data. */
  bestValLoss: number | null;
  diverged: boolean;
}

/**
 * Systematic testing: for every lr, a fresh model from the same seed, trained a few epochs; the table of
 * final training (and validation) losses, and the lr with the lowest (validation, else training) loss.
 */
export function lrSweep(options: LrSweepOptions): { rows: LrSweepRow[]; bestLr: number; bestIndex: number } {
  checkRecord('lrSweep', 'an options object', options, ['makeModel', 'x', 'y', 'lrs']);
  const { makeModel, x, y, validationData, epochs = 3, batchSize = 32, seed = 42 } = options;
  const makeOptimizer = options.makeOptimizer ?? ((params: Tensor[], lr: number) => new Adam(params, { lr }));
  const lrs = options.lrs ?? logspace(options.startLr ?? 1e-5, options.endLr ?? 1e-1, options.num ?? 100);
  if (lrs.length === 0 || !lrs.every((lr) => lr > 0 && Number.isFinite(lr))) throw new RangeError(`lrSweep: expected positive finite learning rates, got ${describe(lrs)}`);
  if (typeof makeModel !== 'function') throw new TypeError('lrSweep: expected makeModel to be a function');
  const rows: LrSweepRow[] = [];
  lrs.forEach((lr, i) => {
    manualSeed(seed);
    const model = makeModel();
    const optimizer = makeOptimizer(model.parameters(), lr);
    let row: LrSweepRow;
    try {
      const h = fit(model, { x, y, loss: options.loss, validationData, optimizer, epochs, batchSize, generator: new Generator(seed), progress: false });
      row = { lr, trainLoss: h.loss[h.loss.length - 1], valLoss: validationData ? h.valLoss[h.valLoss.length - 1] : null, bestValLoss: validationData ? Math.min(...h.valLoss) : null, diverged: false };
    } catch (err) {
      // a non-finite loss, or activations that overflowed inside the model: this lr diverged
      if (!(err instanceof NonFiniteLossError) && !(err instanceof NonFiniteInputError) && !(err instanceof NonFiniteStepError)) throw err;
      row = { lr, trainLoss: NaN, valLoss: validationData ? NaN : null, bestValLoss: validationData ? NaN : null, diverged: true };
    }
    rows.push(row);
    options.onResult?.(row, i, lrs.length);
  });
  const score = (r: LrSweepRow) => (r.diverged ? Infinity : r.valLoss ?? r.trainLoss);
  let bestIndex = 0;
  rows.forEach((r, i) => {
    if (score(r) < score(rows[bestIndex])) bestIndex = i;
  });
  return { rows, bestLr: rows[bestIndex].lr, bestIndex };
}
