import { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { noGrad } from '../autograd/engine.js';
import type { Module } from '../nn/module.js';
import { mseLoss, crossEntropy, bceWithLogits } from '../nn/losses.js';
import { reuseBuffers } from '../tensor/pool.js';
import { resolveMetrics, type MetricSpec, type ResolvedMetric } from './scoring.js';
import { rowView } from './predict.js';
import type { Logs } from './callback.js';
import { describe } from '../format/number.js';

/**
 * x is [n, ...] of rank >= 2 (features [n, f], sequences [n, steps, f], images [n, c, h, w]); y is [n, outputs]
 * float targets, or for `crossEntropy` class indices [n] or [n, 1], or class probabilities [n, C].
 */
export function checkData(fn: string, x: Tensor, y: Tensor, what: string, loss: unknown): void {
  if (!(x instanceof Tensor) || !(y instanceof Tensor)) throw new TypeError(`${fn}: expected ${what}x and y to be Tensors`);
  const got = `got x ${formatShape(x.shape)} and y ${formatShape(y.shape)}`;
  if (x.ndim < 2 || y.ndim < 1 || y.ndim > 2 || x.shape[0] !== y.shape[0]) {
    throw new RangeError(`${fn}: expected ${what}x [n, features] and y [n, outputs] with the same n, got ${formatShape(x.shape)} and ${formatShape(y.shape)} (x may be [n, ...] of any rank >= 2, y may be [n] class indices)`);
  }
  if (x.shape[0] === 0) throw new RangeError(`${fn}: expected ${what}data with at least one example, got 0`);
  if (loss === crossEntropy) {
    // class indices [n] or [n, 1]; [n, C] rows are class probabilities (one-hot or soft labels), as PyTorch reads them
    if (y.ndim === 1 || y.shape[1] === 1) {
      const bad = y.data.findIndex((v) => !Number.isInteger(v) || v < 0);
      if (bad !== -1) throw new RangeError(`${fn}: expected ${what}y of non-negative integer class indices for crossEntropy, got ${y.data[bad]} at row ${bad}`);
    } else {
      const bad = y.data.findIndex((v) => !(v >= 0) || !Number.isFinite(v));
      if (bad !== -1) throw new RangeError(`${fn}: expected ${what}y [n, C] of class probabilities (>= 0) for crossEntropy, got ${y.data[bad]} at row ${Math.floor(bad / y.shape[1])}`);
    }
  } else if (y.ndim === 1 && loss === mseLoss) {
    throw new RangeError(`${fn}: expected ${what}y [n, outputs] for mseLoss (class indices [n] need loss: crossEntropy), ${got}`);
  }
}

/** Options of `evaluate` in its options form. */
export interface EvaluateOptions {
  /** Default `mseLoss`. */
  loss?: (prediction: Tensor, target: Tensor) => Tensor;
  /** Metrics to compute on the whole set (names such as 'accuracy', 'f1_macro', 'r2', or named functions). */
  metrics?: MetricSpec[];
  /** Rows per forward pass. Default 1024. */
  batchSize?: number;
}

// the logits of bceWithLogits are cut at 0 (probability 0.5) to make labels
export const thresholdFor = (loss: unknown) => (loss === bceWithLogits ? 0 : undefined);

/** The mean loss and the metrics over (x, y) in eval mode, `chunk` rows at a time (checked shapes). */
export function evaluateAll(model: Module, x: Tensor, y: Tensor, loss: (p: Tensor, t: Tensor) => Tensor, chunk: number, metrics: ResolvedMetric[], prefix: (k: string) => string): Logs {
  if (!Number.isInteger(chunk) || chunk < 1) throw new RangeError(`evaluate: expected batchSize to be a positive integer, got ${chunk}`);
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => {
      let total = 0;
      let predictions: Tensor | null = null;
      const n = x.shape[0];
      for (let start = 0; start < n; start += chunk) {
        const m = Math.min(chunk, n - start);
        const xb = rowView(x, start, m), yb = rowView(y, start, m);
        total += reuseBuffers(() => {
          const out = model.forward(xb);
          if (metrics.length > 0) {
            predictions ??= new Tensor(new Float32Array(n * (out.size / m)), [n, ...out.shape.slice(1)]);
            predictions.data.set(out.data, start * (out.size / m));
          }
          return loss(out, yb).item();
        }) * m;
      }
      const logs: Logs = { [prefix('loss')]: total / n };
      for (const metric of metrics) logs[prefix(metric.key)] = metric.fn(y, predictions!, thresholdFor(loss));
      return logs;
    });
  } finally {
    model.train(wasTraining);
  }
}

/**
 * The mean loss over (x, y) in eval mode, in chunks so memory stays bounded. x and y have the shapes `fit` takes
 * ([n, ...] inputs; [n, outputs] targets or [n] class indices). With an options object instead of a loss, returns
 * the logs `{ loss, ...metrics }` (Keras's `model.evaluate` with `return_dict=True`): the metrics are computed on
 * the predictions for the whole set, so precision, recall and F1 are exact rather than averaged over chunks.
 */
export function evaluate(model: Module, x: Tensor, y: Tensor, loss?: (p: Tensor, t: Tensor) => Tensor, chunk?: number): number;
export function evaluate(model: Module, x: Tensor, y: Tensor, options: EvaluateOptions): Logs;
export function evaluate(model: Module, x: Tensor, y: Tensor, lossOrOptions?: ((p: Tensor, t: Tensor) => Tensor) | EvaluateOptions, chunk = 1024): number | Logs {
  if (typeof (model as Module | undefined)?.forward !== 'function') throw new TypeError(`evaluate: expected a model (a Module), got ${describe(model)}`);
  if (lossOrOptions === undefined || typeof lossOrOptions === 'function') {
    const loss = lossOrOptions ?? mseLoss;
    checkData('evaluate', x, y, '', loss);
    return evaluateAll(model, x, y, loss, chunk, [], (k) => k).loss;
  }
  if (typeof lossOrOptions !== 'object' || lossOrOptions === null) throw new TypeError(`evaluate: expected a loss function or an options object, got ${lossOrOptions === null ? 'null' : typeof lossOrOptions}`);
  const loss = lossOrOptions.loss ?? mseLoss;
  checkData('evaluate', x, y, '', loss);
  return evaluateAll(model, x, y, loss, lossOrOptions.batchSize ?? chunk, resolveMetrics('evaluate', lossOrOptions.metrics), (k) => k);
}

/**
 * Tries every metric before training, so that a metric that cannot apply fails before any weight changes: on the
 * model's outputs for the first rows (eval mode, no gradients; catches shapes, such as 'mae' on class scores), and
 * on the targets against themselves (catches labels, such as binary 'f1' on three classes).
 */
export function preflightMetrics(model: Module, metrics: ResolvedMetric[], data: { x: Tensor; y: Tensor }[], threshold: number | undefined): void {
  if (metrics.length === 0) return;
  const wasTraining = model.training;
  model.eval();
  try {
    for (const { x, y } of data) {
      const m = Math.min(x.shape[0], 64);
      const yRows = rowView(y, 0, m);
      noGrad(() => reuseBuffers(() => {
        const out = model.forward(rowView(x, 0, m));
        for (const metric of metrics) {
          try {
            metric.fn(yRows, out, threshold);
            metric.fn(y, y, threshold);
          } catch (err) {
            const e = err as Error;
            throw new (e instanceof TypeError ? TypeError : RangeError)(`fit: expected metric '${metric.key}' to apply to the model's outputs ${formatShape(out.shape)} and targets ${formatShape(y.shape)}, got: ${e.message}`);
          }
        }
      }));
    }
  } finally {
    model.train(wasTraining);
  }
}
