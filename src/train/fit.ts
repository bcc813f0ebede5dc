import { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { defaultGenerator, type Generator } from '../tensor/random.js';
import { noGrad } from '../autograd/engine.js';
import type { Module } from '../nn/module.js';
import { mseLoss } from '../nn/losses.js';
import type { Optimizer } from '../optim/optimizer.js';
import { clipGradNorm } from '../optim/clip.js';
import { batches } from '../data/windows.js';
import { reuseBuffers } from '../tensor/pool.js';
import { gpuMlpStep } from '../tensor/backends/gpu-mlp.js';
import { ReduceLROnPlateau } from '../schedulers/plateau.js';
import { AdaptiveLR } from '../schedulers/adaptive.js';
import type { Callback, Logs, TrainingContext } from './callback.js';
import { ProgressBar } from './callbacks.js';

/** Options of `fit`. */
export interface FitOptions {
  /** Training inputs [n, features] and targets [n, outputs]. */
  x: Tensor;
  y: Tensor;
  optimizer: Optimizer<{ lr: number }>;
  epochs: number;
  /** Default 32. */
  batchSize?: number;
  /** Default `mseLoss`. */
  loss?: (prediction: Tensor, target: Tensor) => Tensor;
  /** Any lrlab scheduler; metric-driven ones (ReduceLROnPlateau, AdaptiveLR) receive the loss. */
  scheduler?: { step(...args: any[]): unknown };
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
   * per-op autograd. Default true; the benchmarks report both.
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

function checkData(x: Tensor, y: Tensor, what: string): void {
  if (!(x instanceof Tensor) || !(y instanceof Tensor)) throw new TypeError(`fit: expected ${what} x and y to be Tensors`);
  if (x.ndim < 2 || y.ndim < 1 || y.ndim > 2 || x.shape[0] !== y.shape[0]) {
    throw new RangeError(`fit: expected ${what} x [n, features] and y [n, outputs] with the same n, got ${formatShape(x.shape)} and ${formatShape(y.shape)}`);
  }
  if (x.shape[0] === 0) throw new RangeError(`fit: expected ${what} data with at least one example, got 0`);
}

/** The mean loss over (x, y) in eval mode, in chunks so memory stays bounded. */
export function evaluate(model: Module, x: Tensor, y: Tensor, loss: (p: Tensor, t: Tensor) => Tensor = mseLoss, chunk = 1024): number {
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => {
      let total = 0;
      const n = x.shape[0], fx = x.size / n, fy = y.size / n;
      for (let start = 0; start < n; start += chunk) {
        const m = Math.min(chunk, n - start);
        const xb = new Tensor(x.data.subarray(start * fx, (start + m) * fx), [m, ...x.shape.slice(1)]);
        const yb = new Tensor(y.data.subarray(start * fy, (start + m) * fy), [m, ...y.shape.slice(1)]);
        total += reuseBuffers(() => loss(model.forward(xb), yb).item()) * m;
      }
      return total / n;
    });
  } finally {
    model.train(wasTraining);
  }
}

/**
 * Trains `model` with mini-batches, the loop of `keras.Model.fit` with PyTorch's order inside each batch:
 * zeroGrad, forward, loss, backward, (clip), optimizer step, then batch-level scheduler step and callbacks.
 * Gradients are zeroed in place (`setToNone: false`) and each step runs in `reuseBuffers`, so after the first
 * step a training loop creates no new typed arrays.
 * After each epoch: validation loss, epoch-level scheduler step, callbacks (which may stop training).
 *
 * A NaN or infinite batch loss stops training before any step is taken on it, and so does a step that would make
 * a weight non-finite (the weights are put back); `fit` then throws a `NonFiniteLossError` naming the epoch and
 * batch, unless a `TerminateOnNaN` callback is given, in which case it stops and returns the history.
 */
export function fit(model: Module, options: FitOptions): History {
  const { x, y, optimizer, epochs, batchSize = 32, loss = mseLoss, scheduler, schedulerInterval = 'epoch', validationData, clipNorm } = options;
  checkData(x, y, 'training');
  if (validationData !== undefined) checkData(validationData.x, validationData.y, 'validation');
  if (!Number.isInteger(epochs) || epochs < 1) throw new RangeError(`fit: expected epochs to be a positive integer, got ${epochs}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`fit: expected batchSize to be a positive integer, got ${batchSize}`);
  if (schedulerInterval !== 'epoch' && schedulerInterval !== 'batch') throw new RangeError(`fit: expected schedulerInterval 'epoch' or 'batch', got '${schedulerInterval}'`);
  const callbacks = [...(options.callbacks ?? [])];
  if (options.progress ?? true) callbacks.push(new ProgressBar({ force: options.progress }));
  const quietOnNaN = callbacks.some((c) => c.quietOnNonFinite === true);
  const generator = options.generator ?? defaultGenerator;
  const params = model.parameters();
  // on a GPU, a ReLU MLP under MSE trains through the fused, pipelined step (no read-back between layers)
  const fused = loss === mseLoss && (options.fusedGpuStep ?? true) ? gpuMlpStep(model) : null;
  const snapshot = params.map((p) => new Float32Array(p.size));

  const history: History = { loss: [], valLoss: [], lr: [], timeMs: [], batchLoss: [], batchLr: [], epochsRun: 0, stopReason: null };
  const ctx: TrainingContext = { model, optimizer, stopTraining: false, stopReason: null, epochs, batchesPerEpoch: Math.ceil(x.shape[0] / batchSize) };
  const stepScheduler = (metric: number) => {
    if (scheduler === undefined) return;
    if (scheduler instanceof ReduceLROnPlateau || scheduler instanceof AdaptiveLR) scheduler.step(metric);
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
    for (const b of batches({ x, y }, { batchSize, shuffle: options.shuffle ?? true, generator })) {
      for (const c of callbacks) c.onBatchBegin?.(batch, ctx);
      // the step's tensors live only inside reuseBuffers: their buffers serve the next step (no allocation)
      const value = reuseBuffers(() => {
        optimizer.zeroGrad({ setToNone: false });
        if (fused !== null) {
          const v = fused.step(b.x, b.y);
          if (Number.isFinite(v)) for (const c of callbacks) c.onAfterBackward?.(batch, ctx, { x: b.x, y: b.y, loss: v });
          return v;
        }
        const l = loss(model.forward(b.x), b.y);
        const v = l.item();
        if (!Number.isFinite(v)) return v;
        l.backward();
        for (const c of callbacks) c.onAfterBackward?.(batch, ctx, { x: b.x, y: b.y, loss: v });
        return v;
      });
      if (!Number.isFinite(value)) {
        halt(`fit: the loss became ${value} at epoch ${epoch + 1}, batch ${batch + 1}; training stopped, the model keeps its weights from before this batch`, epoch, batch);
        break;
      }
      if (clipNorm !== undefined) clipGradNorm(params, clipNorm);
      params.forEach((p, i) => snapshot[i].set(p.data));
      optimizer.step();
      const broken = params.findIndex((p) => !p.data.every(Number.isFinite));
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
      if (schedulerInterval === 'batch') stepScheduler(value);
      total += value * b.x.shape[0];
      count += b.x.shape[0];
      for (const c of callbacks) c.onBatchEnd?.(batch, logs, ctx);
      batch++;
      if (ctx.stopTraining) break;
    }
    if (count === 0) break;
    const logs: Logs = { loss: total / count, lr: epochLr };
    if (validationData !== undefined) logs.valLoss = evaluate(model, validationData.x, validationData.y, loss);
    history.loss.push(logs.loss);
    if (logs.valLoss !== undefined) history.valLoss.push(logs.valLoss);
    history.lr.push(epochLr);
    history.epochsRun = epoch + 1;
    if (schedulerInterval === 'epoch') stepScheduler(logs.valLoss ?? logs.loss);
    history.timeMs.push(performance.now() - started);
    for (const c of callbacks) c.onEpochEnd?.(epoch, logs, ctx);
  }
  for (const c of callbacks) c.onTrainEnd?.(ctx);
  history.stopReason = ctx.stopReason;
  return history;
}
