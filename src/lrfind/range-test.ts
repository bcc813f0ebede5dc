import { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { Generator } from '../tensor/random.js';
import type { Module } from '../nn/module.js';
import { mseLoss } from '../nn/losses.js';
import { NonFiniteStepError, type Optimizer } from '../optim/optimizer.js';
import { batches, type Batch } from '../data/windows.js';
import { evaluate } from '../train/fit.js';
import { reuseBuffers } from '../tensor/pool.js';
import { NonFiniteInputError } from '../tensor/finite.js';
import { checkOptionsObject, checkRecord } from '../format/check.js';
import { describe } from '../format/number.js';

// The lr bounds and the 5-epoch form follow seed 000.
/** Options of `rangeTest`. */
export interface RangeTestOptions {
  /** Training inputs [n, ...] of any rank >= 2 ([n, features], [n, steps, features], [n, c, h, w]). */
  x: Tensor;
  /** Training targets [n] (class indices, e.g. with `loss: crossEntropy`) or [n, ...] (what the loss takes). */
  y: Tensor;
  optimizer: Optimizer<{ lr: number }>;
  loss?: (prediction: Tensor, target: Tensor) => Tensor;
  /** Default 1e-5. */
  startLr?: number;
  /** Default 1e-1. */
  endLr?: number;
  /** Number of lrs tried (one optimizer step each). Default 100; or give `epochs`. */
  numIter?: number;
  /** Sweep over this many passes through the data instead (e.g. 5). */
  epochs?: number;
  /** 'exp' (log-spaced, default) or 'linear'. */
  stepMode?: 'exp' | 'linear';
  batchSize?: number;
  /** EMA factor β of the bias-corrected smoothing: s_t = (β a_{t-1} + (1 - β) l_t) / (1 - β^t). Default 0.95 (pytorch-lr-finder's smooth_f 0.05). */
  smoothing?: number;
  /** Stop when the smoothed loss exceeds divergeTh × the best smoothed loss. Default 5. */
  divergeTh?: number;
  /** Batches whose gradients add up before each step. Default 1. */
  accumulationSteps?: number;
  /** When given, the loss recorded at each lr is the loss on this data after the step. */
  validationData?: { x: Tensor; y: Tensor };
  /** Seed of the batch order. Default 0. */
  seed?: number;
  /**
   * Called after every step with the steps done, the planned total (for progress output) and what the step
   * measured: its lr, loss and smoothed loss (for a live plot).
   */
  onStep?: (done: number, total: number, step: { lr: number; loss: number; smoothedLoss: number }) => void;
}

/** What a range test recorded, and why it stopped. */
export interface RangeTestResult {
  lrs: number[];
  /** The loss at each lr as measured (training batch, or validation when given). */
  losses: number[];
  smoothedLosses: number[];
  bestLoss: number;
  bestLr: number;
  stopReason: 'completed' | 'diverged' | 'non-finite loss';
  iterations: number;
}

/**
 * The lr range test (Smith, 2017; as pytorch-lr-finder and fastai run it): one optimizer step per lr while the lr
 * grows from startLr to endLr, recording the loss after each,
 *
 *     lr_i = startLr (endLr / startLr)^(i / (N - 1))      ('exp')     or   startLr + (endLr - startLr) i / (N - 1)
 *
 * stopping early when the smoothed loss diverges. The model's parameters and the optimizer's state (and lr) are
 * put back exactly as they were afterwards, also when the test stops early or throws. Read the result with
 * `suggestLr(r.lrs, r.losses, { smoothed: r.smoothedLosses, stopReason: r.stopReason })`, which then keeps every
 * suggestion below the divergence and says so when the test stopped on it.
 */
export function rangeTest(model: Module, options: RangeTestOptions): RangeTestResult {
  if (typeof (model as Module | undefined)?.forward !== 'function') throw new TypeError(`rangeTest: expected a model (a Module), got ${describe(model)}`);
  checkRecord('rangeTest', 'an options object', options, ['x', 'y', 'optimizer']);
  checkOptionsObject('rangeTest', options, ['x', 'y', 'optimizer', 'loss', 'startLr', 'endLr', 'numIter', 'epochs', 'stepMode', 'batchSize', 'smoothing', 'divergeTh', 'accumulationSteps', 'validationData', 'seed', 'onStep']);
  const { x, y, optimizer, loss = mseLoss, startLr = 1e-5, endLr = 1e-1, stepMode = 'exp', batchSize = 32, smoothing = 0.95, divergeTh = 5, accumulationSteps = 1, validationData } = options;
  if (!(startLr > 0) || !(endLr > startLr)) throw new RangeError(`rangeTest: expected 0 < startLr < endLr, got ${startLr} and ${endLr}`);
  if (stepMode !== 'exp' && stepMode !== 'linear') throw new RangeError(`rangeTest: expected stepMode 'exp' or 'linear', got '${stepMode}'`);
  if (!(smoothing >= 0 && smoothing < 1)) throw new RangeError(`rangeTest: expected smoothing in [0, 1), got ${smoothing}`);
  if (!(divergeTh > 1)) throw new RangeError(`rangeTest: expected divergeTh > 1, got ${divergeTh}`);
  if (!Number.isInteger(accumulationSteps) || accumulationSteps < 1) throw new RangeError(`rangeTest: expected accumulationSteps to be a positive integer, got ${accumulationSteps}`);
  if (options.onStep !== undefined && typeof options.onStep !== 'function') throw new TypeError(`rangeTest: expected onStep to be a function, got ${typeof options.onStep}`);
  if (!(x instanceof Tensor) || !(y instanceof Tensor)) throw new TypeError(`rangeTest: expected x and y to be Tensors, got x ${describe(x)} and y ${describe(y)}`);
  // x is whatever the model takes ([n, features], [n, steps, features], [n, c, h, w]); y is whatever the loss takes
  // ([n] class indices, [n, outputs], ...): only the shared first dimension of examples is the range test's business
  if (x.ndim < 2 || y.ndim < 1 || x.shape[0] !== y.shape[0] || x.shape[0] === 0) {
    throw new RangeError(`rangeTest: expected x [n, ...] of rank >= 2 and y [n] or [n, ...] with the same n > 0, got x ${formatShape(x.shape)} and y ${formatShape(y.shape)}`);
  }
  const perEpoch = Math.ceil(x.shape[0] / batchSize / accumulationSteps);
  const numIter = options.epochs !== undefined ? options.epochs * perEpoch : options.numIter ?? 100;
  if (!Number.isInteger(numIter) || numIter < 2) throw new RangeError(`rangeTest: expected at least 2 iterations, got ${numIter}`);

  const modelState = model.stateDict();
  const optimizerState = optimizer.stateDict();
  const generator = new Generator(options.seed ?? 0);
  let stream: Iterator<Batch> = batches({ x, y }, { batchSize, generator });
  const nextBatch = (): Batch => {
    let r = stream.next();
    if (r.done) {
      stream = batches({ x, y }, { batchSize, generator });
      r = stream.next();
    }
    return r.value as Batch;
  };

  const result: RangeTestResult = { lrs: [], losses: [], smoothedLosses: [], bestLoss: Infinity, bestLr: NaN, stopReason: 'completed', iterations: 0 };
  let avg = 0;
  model.train();
  try {
    for (let i = 0; i < numIter; i++) {
      const r = i / (numIter - 1);
      const lr = stepMode === 'exp' ? startLr * (endLr / startLr) ** r : startLr + (endLr - startLr) * r;
      for (const g of optimizer.paramGroups) g.lr = lr;
      let total: number;
      try {
        total = reuseBuffers(() => {
          optimizer.zeroGrad({ setToNone: false });
          let sum = 0;
          for (let k = 0; k < accumulationSteps; k++) {
            const b = nextBatch();
            const l = loss(model.forward(b.x), b.y);
            sum += l.item();
            // dividing by k makes the accumulated gradient the gradient of the mean loss over the k batches
            (accumulationSteps === 1 ? l : l.div(accumulationSteps)).backward();
          }
          return sum;
        });
      } catch (err) {
        // finite weights whose activations overflow inside the model: the lr diverged, as a non-finite loss says
        if (!(err instanceof NonFiniteInputError)) throw err;
        result.stopReason = 'non-finite loss';
        break;
      }
      let value = total / accumulationSteps;
      if (!Number.isFinite(value)) {
        result.stopReason = 'non-finite loss';
        break;
      }
      try {
        optimizer.step();
      } catch (err) {
        // an lr so large that the update overflows float32 ends the test as a divergence would
        if (!(err instanceof NonFiniteStepError)) throw err;
        result.stopReason = 'non-finite loss';
        break;
      }
      if (validationData !== undefined) value = evaluate(model, validationData.x, validationData.y, loss);
      if (!Number.isFinite(value)) {
        result.stopReason = 'non-finite loss';
        break;
      }
      result.lrs.push(lr);
      result.losses.push(value);
      result.iterations = i + 1;
      avg = smoothing * avg + (1 - smoothing) * value;
      const smoothed = avg / (1 - smoothing ** (i + 1));
      result.smoothedLosses.push(smoothed);
      options.onStep?.(i + 1, numIter, { lr, loss: value, smoothedLoss: smoothed });
      if (smoothed < result.bestLoss) {
        result.bestLoss = smoothed;
        result.bestLr = lr;
      }
      if (smoothed > divergeTh * result.bestLoss) {
        result.stopReason = 'diverged';
        break;
      }
    }
  } finally {
    model.loadStateDict(modelState);
    optimizer.loadStateDict(optimizerState);
    model.zeroGrad();
  }
  return result;
}
