import { Tensor } from '../tensor/tensor.js';
import { defaultGenerator, type Generator } from '../tensor/random.js';
import type { Module } from '../nn/module.js';
import { mseLoss } from '../nn/losses.js';
import { resolveMetrics, valKey, logKey, type MetricSpec, type ResolvedMetric } from './scoring.js';
import { checkData, evaluateAll, preflightMetrics, thresholdFor } from './evaluate.js';
import { rowView } from './predict.js';
import { NonFiniteStepError, Optimizer } from '../optim/optimizer.js';
import { clipGradNorm } from '../optim/clip.js';
import { batches, type Batch } from '../data/windows.js';
import { reuseBuffers } from '../tensor/pool.js';
import { allFinite, NonFiniteInputError } from '../tensor/finite.js';
import { gpuMlpStep } from '../tensor/backends/gpu-mlp.js';
import { ReduceLROnPlateau } from '../schedulers/plateau.js';
import { AdaptiveLR } from '../schedulers/adaptive.js';
import type { Callback, Logs, TrainingContext } from './callback.js';
import { ProgressBar } from './callbacks.js';
import { checkRecord } from '../format/check.js';
import { describe } from '../format/number.js';

// evaluate lives beside fit's checks in evaluate.ts; re-exported here, where it has always been imported from
export { evaluate, type EvaluateOptions } from './evaluate.js';

/** Options of `fit`. */
export interface FitOptions {
  /**
   * Training inputs [n, ...]: [n, features] for an MLP, [n, steps, features] for an LSTM, [n, c, h, w] for a CNN;
   * any rank >= 2, each batch keeps the shape after the first dimension.
   */
  x: Tensor;
  /** Training targets: [n, outputs] floats, or [n] integer class indices with `loss: crossEntropy`. */
  y: Tensor;
  optimizer: Optimizer<{ lr: number }>;
  epochs: number;
  /** Default 32. */
  batchSize?: number;
  /** Default `mseLoss`. */
  loss?: (prediction: Tensor, target: Tensor) => Tensor;
  /**
   * Any lrlab scheduler. Metric-driven ones receive the validation loss (the training loss without validation
   * data): ReduceLROnPlateau as its one signal, AdaptiveLR as its first, with `schedulerMetric` as its second.
   */
  scheduler?: { step(...args: any[]): unknown };
  /**
   * Metrics logged every epoch, on the training batches (as Keras: each batch's predictions as it was trained on,
   * Dropout active) and on `validationData` (eval mode): names such as 'accuracy', 'precision', 'recall', 'f1'
   * (binary), 'f1_macro' / 'f1_micro' / 'f1_weighted' (likewise for precision and recall), 'r2', 'mae', 'mse',
   * 'rmse', or named functions `(yTrue, yPred) => number`. Their log keys are camelCase: `accuracy`, `f1Macro`,
   * and `valAccuracy`, `valF1Macro` on validation data (what callbacks monitor; Keras's `val_accuracy` is read
   * as `valAccuracy`). With `bceWithLogits`, one logit per example is cut at 0 to make labels.
   */
  metrics?: MetricSpec[];
  /**
   * The log AdaptiveLR receives as its second signal. Default: the first metric, on validation data when given.
   * With `schedulerInterval: 'batch'` it is that metric on the batch.
   */
  schedulerMetric?: string;
  /** Step the scheduler after every batch or every epoch. Default 'epoch'. */
  schedulerInterval?: 'epoch' | 'batch';
  validationData?: { x: Tensor; y: Tensor };
  callbacks?: Callback[];
  /** Shuffle the batches each epoch (seeded). Default true. */
  shuffle?: boolean;
  generator?: Generator;
  /** Clip the total gradient norm to this before each step. */
  clipNorm?: number;
  /** Keep the loss and lr of every batch in the history. Default false. */
  recordBatches?: boolean;
  /** Show a progress bar: default only on a terminal outside CI. */
  progress?: boolean;
  /**
   * On the gpu backend, train a ReLU MLP under MSE with the fused, pipelined GPU step (`gpuMlpStep`) instead of
   * per-op autograd (2-D x and y, and no `metrics`: the fused step does not hand back its predictions). Default
   * true; the benchmarks report both.
   */
  fusedGpuStep?: boolean;
}

/** What `fit` returns: per-epoch logs, per-batch ones on request, and why it stopped. */
export interface History {
  loss: number[];
  valLoss: number[];
  /** The lr (of param group 0) in force during each epoch, or at each batch. */
  lr: number[];
  /** Wall-clock milliseconds of each epoch. */
  timeMs: number[];
  batchLoss: number[];
  batchLr: number[];
  /** Each metric per epoch on the training batches, by log key (`history.metrics.accuracy`). */
  metrics: Record<string, number[]>;
  /** Each metric per epoch on the validation data, by the same key (`history.valMetrics.accuracy`). */
  valMetrics: Record<string, number[]>;
  epochsRun: number;
  stopReason: string | null;
}

/** Thrown when a batch loss is NaN or infinite (unless a TerminateOnNaN callback asks for a quiet stop). */
export class NonFiniteLossError extends Error {
  constructor(message: string, readonly history: History, readonly epoch: number, readonly batch: number) {
    super(message);
    this.name = 'NonFiniteLossError';
  }
}

/**
 * The metric AdaptiveLR receives as its second signal, checked before training: a log key `fit` will write, whose
 * direction agrees with the scheduler's `metricMode`.
 */
function resolveSchedulerMetric(options: FitOptions, metrics: ResolvedMetric[], scheduler: unknown): { key: string; metric: ResolvedMetric } | null {
  const withVal = options.validationData !== undefined;
  if (options.schedulerMetric === undefined) {
    if (metrics.length === 0 || !(scheduler instanceof AdaptiveLR)) return null;
  } else if (typeof options.schedulerMetric !== 'string') {
    throw new TypeError(`fit: expected schedulerMetric to be a log name, got ${typeof options.schedulerMetric}`);
  }
  const key = options.schedulerMetric === undefined ? (withVal ? valKey(metrics[0].key) : metrics[0].key) : logKey(options.schedulerMetric);
  const metric = metrics.find((m) => m.key === key || (withVal && valKey(m.key) === key));
  if (metric === undefined) {
    const available = metrics.flatMap((m) => (withVal ? [m.key, valKey(m.key)] : [m.key]));
    throw new RangeError(`fit: expected schedulerMetric among the metric logs (${available.join(', ') || 'none: pass metrics'}), got ${JSON.stringify(options.schedulerMetric)}`);
  }
  if (scheduler instanceof AdaptiveLR && scheduler.metricMode !== metric.mode) {
    throw new RangeError(`fit: expected AdaptiveLR's metricMode to match ${key}, which improves when it goes ${metric.mode === 'max' ? 'up' : 'down'}; got metricMode '${scheduler.metricMode}' (construct AdaptiveLR with metricMode: '${metric.mode}')`);
  }
  return { key, metric };
}

/**
 * Trains `model` with mini-batches, the loop of `keras.Model.fit` with PyTorch's order inside each batch:
 * zeroGrad, forward, loss, backward, (clip), optimizer step, then batch-level scheduler step and callbacks.
 * Gradients are zeroed in place (`setToNone: false`) and each step runs in `reuseBuffers`, so after the first
 * step a training loop creates no new typed arrays.
 * After each epoch: the training metrics, validation loss and metrics, epoch-level scheduler step, callbacks (which
 * may stop training). Inputs may have any rank >= 2; targets are [n, outputs] floats or [n] class indices.
 *
 * A NaN or infinite batch loss stops training before any step is taken on it, and so does a step that would make
 * a weight non-finite (the weights are put back); `fit` then throws a `NonFiniteLossError` naming the epoch and
 * batch, unless a `TerminateOnNaN` callback is given, in which case it stops and returns the history.
 */
export function fit(model: Module, options: FitOptions): History {
  if (typeof (model as Module | undefined)?.forward !== 'function') throw new TypeError(`fit: expected a model (a Module), got ${describe(model)}`);
  checkRecord('fit', 'an options object', options, ['x', 'y', 'optimizer', 'epochs']);
  const { x, y, optimizer, epochs, batchSize = 32, loss = mseLoss, scheduler, schedulerInterval = 'epoch', validationData, clipNorm } = options;
  checkData('fit', x, y, 'training ', loss);
  if (validationData !== undefined) checkData('fit', validationData.x, validationData.y, 'validation ', loss);
  if (!Number.isInteger(epochs) || epochs < 1) throw new RangeError(`fit: expected epochs to be a positive integer, got ${epochs}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`fit: expected batchSize to be a positive integer, got ${batchSize}`);
  if (schedulerInterval !== 'epoch' && schedulerInterval !== 'batch') throw new RangeError(`fit: expected schedulerInterval 'epoch' or 'batch', got '${schedulerInterval}'`);
  const callbacks = [...(options.callbacks ?? [])];
  if (options.progress ?? true) callbacks.push(new ProgressBar({ force: options.progress }));
  const quietOnNaN = callbacks.some((c) => c.quietOnNonFinite === true);
  const generator = options.generator ?? defaultGenerator;
  const params = model.parameters();
  // on a GPU, a ReLU MLP under MSE trains through the fused, pipelined step (no read-back between layers)
  const metrics = resolveMetrics('fit', options.metrics);
  const threshold = thresholdFor(loss);
  const schedMetric = resolveSchedulerMetric(options, metrics, scheduler);
  preflightMetrics(model, metrics, validationData === undefined ? [{ x, y }] : [{ x, y }, validationData], threshold);
  const fused = metrics.length === 0 && loss === mseLoss && x.ndim === 2 && y.ndim === 2 && (options.fusedGpuStep ?? true) ? gpuMlpStep(model) : null;
  // lrlab's optimizers undo a step that would make a parameter non-finite themselves (and throw NonFiniteStepError);
  // for any other object with a step(), fit keeps a copy of the weights before each step and checks them after
  const guarded = optimizer instanceof Optimizer;
  const snapshot = guarded ? [] : params.map((p) => new Float32Array(p.size));
  // batch buffers kept across epochs: only the first epoch allocates them
  const batchBuffers = new Map<number, Batch>();

  // the training batches' predictions and targets of one epoch, in the order trained, for the epoch's metrics
  let seen: { pred: Tensor; target: Tensor } | null = null;
  const history: History = { loss: [], valLoss: [], lr: [], timeMs: [], batchLoss: [], batchLr: [], metrics: {}, valMetrics: {}, epochsRun: 0, stopReason: null };
  for (const m of metrics) {
    history.metrics[m.key] = [];
    if (validationData !== undefined) history.valMetrics[m.key] = [];
  }
  const ctx: TrainingContext = { model, optimizer, stopTraining: false, stopReason: null, epochs, batchesPerEpoch: Math.ceil(x.shape[0] / batchSize) };
  const stepScheduler = (lossValue: number, metricValue: number | undefined) => {
    if (scheduler === undefined) return;
    if (scheduler instanceof AdaptiveLR) scheduler.step(lossValue, metricValue);
    else if (scheduler instanceof ReduceLROnPlateau) scheduler.step(lossValue);
    else scheduler.step();
  };
  // a non-finite loss or weight: stop, and throw unless a TerminateOnNaN callback asked for a quiet stop
  const halt = (message: string, epoch: number, batch: number) => {
    ctx.stopTraining = true;
    ctx.stopReason = message;
    history.stopReason = message;
    if (!quietOnNaN) {
      for (const c of callbacks) c.onTrainEnd?.(ctx);
      throw new NonFiniteLossError(message, history, epoch, batch);
    }
  };

  model.train();
  for (const c of callbacks) c.onTrainBegin?.(ctx);
  for (let epoch = 0; epoch < epochs && !ctx.stopTraining; epoch++) {
    const started = performance.now();
    const epochLr = optimizer.paramGroups[0].lr;
    for (const c of callbacks) c.onEpochBegin?.(epoch, ctx);
    let total = 0, count = 0, batch = 0;
    for (const b of batches({ x, y }, { batchSize, shuffle: options.shuffle ?? true, generator, buffers: batchBuffers })) {
      for (const c of callbacks) c.onBatchBegin?.(batch, ctx);
      let batchMetric: number | undefined;
      let overflow: string | null = null;
      // the step's tensors live only inside reuseBuffers: their buffers serve the next step (no allocation)
      const value = reuseBuffers(() => {
        optimizer.zeroGrad({ setToNone: false });
        if (fused !== null) {
          const v = fused.step(b.x, b.y);
          if (Number.isFinite(v)) for (const c of callbacks) c.onAfterBackward?.(batch, ctx, { x: b.x, y: b.y, loss: v });
          return v;
        }
        let out: Tensor;
        try {
          out = model.forward(b.x);
        } catch (err) {
          // activations that overflowed inside the model: the run diverged, as a non-finite loss shows
          if (!(err instanceof NonFiniteInputError)) throw err;
          overflow = err.message;
          return NaN;
        }
        if (metrics.length > 0) {
          const m = b.x.shape[0];
          seen ??= {
            pred: new Tensor(new Float32Array(x.shape[0] * (out.size / m)), [x.shape[0], ...out.shape.slice(1)]),
            target: new Tensor(new Float32Array(y.size), y.shape),
          };
          seen.pred.data.set(out.data, count * (out.size / m));
          seen.target.data.set(b.y.data, count * (y.size / y.shape[0]));
          if (schedulerInterval === 'batch' && schedMetric !== null) batchMetric = schedMetric.metric.fn(b.y, out, threshold);
        }
        const l = loss(out, b.y);
        const v = l.item();
        if (!Number.isFinite(v)) return v;
        l.backward();
        for (const c of callbacks) c.onAfterBackward?.(batch, ctx, { x: b.x, y: b.y, loss: v });
        return v;
      });
      if (overflow !== null) {
        halt(`fit: the model's activations overflowed at epoch ${epoch + 1}, batch ${batch + 1} (${overflow}); training stopped, the model keeps its weights from before this batch`, epoch, batch);
        break;
      }
      if (!Number.isFinite(value)) {
        halt(`fit: the loss became ${value} at epoch ${epoch + 1}, batch ${batch + 1}; training stopped, the model keeps its weights from before this batch`, epoch, batch);
        break;
      }
      if (clipNorm !== undefined) clipGradNorm(params, clipNorm);
      // the weights before the step (a copy, no allocation), to undo a step that makes one non-finite
      if (!guarded) for (let i = 0; i < params.length; i++) snapshot[i].set(params[i].data);
      try {
        optimizer.step();
      } catch (err) {
        if (!(err instanceof NonFiniteStepError)) throw err;
        halt(`fit: the optimizer step at epoch ${epoch + 1}, batch ${batch + 1} would have made a parameter non-finite; it was not applied and training stopped (lower the learning rate?)`, epoch, batch);
        break;
      }
      let broken = -1;
      if (!guarded) for (let i = 0; i < params.length && broken === -1; i++) if (!allFinite(params[i].data)) broken = i;
      if (broken !== -1) {
        params.forEach((p, i) => p.data.set(snapshot[i]));
        halt(`fit: the optimizer step at epoch ${epoch + 1}, batch ${batch + 1} made parameter ${broken} non-finite; it was undone and training stopped (lower the learning rate?)`, epoch, batch);
        break;
      }
      const logs: Logs = { loss: value, lr: optimizer.paramGroups[0].lr };
      if (options.recordBatches) {
        history.batchLoss.push(value);
        history.batchLr.push(logs.lr);
      }
      if (batchMetric !== undefined) logs[schedMetric!.metric.key] = batchMetric;
      if (schedulerInterval === 'batch') stepScheduler(value, batchMetric);
      total += value * b.x.shape[0];
      count += b.x.shape[0];
      for (const c of callbacks) c.onBatchEnd?.(batch, logs, ctx);
      batch++;
      if (ctx.stopTraining) break;
    }
    if (count === 0) break;
    const logs: Logs = { loss: total / count, lr: epochLr };
    // (assigned inside the step's closure, which TypeScript's narrowing does not follow)
    const epochSeen = seen as { pred: Tensor; target: Tensor } | null;
    if (epochSeen !== null) {
      const whole = count === x.shape[0];
      const pred = whole ? epochSeen.pred : rowView(epochSeen.pred, 0, count), target = whole ? epochSeen.target : rowView(epochSeen.target, 0, count);
      for (const m of metrics) history.metrics[m.key].push((logs[m.key] = m.fn(target, pred, threshold)));
    }
    if (validationData !== undefined) {
      Object.assign(logs, evaluateAll(model, validationData.x, validationData.y, loss, 1024, metrics, valKey));
      for (const m of metrics) history.valMetrics[m.key].push(logs[valKey(m.key)]);
    }
    history.loss.push(logs.loss);
    if (logs.valLoss !== undefined) history.valLoss.push(logs.valLoss);
    history.lr.push(epochLr);
    history.epochsRun = epoch + 1;
    if (schedulerInterval === 'epoch') stepScheduler(logs.valLoss ?? logs.loss, schedMetric === null ? undefined : logs[schedMetric.key]);
    history.timeMs.push(performance.now() - started);
    for (const c of callbacks) c.onEpochEnd?.(epoch, logs, ctx);
  }
  for (const c of callbacks) c.onTrainEnd?.(ctx);
  history.stopReason = ctx.stopReason;
  return history;
}
