import type { Tensor } from '../tensor/tensor.js';
import type { Callback, Logs, TrainingContext } from './callback.js';
import { checkOptionsObject, checkRecord, checkNumbers } from '../format/check.js';

/** Mean and standard deviation of a batch of values. */
export interface Moments {
  mean: number;
  std: number;
}

function moments(v: Float32Array): Moments {
  let mean = 0;
  for (let i = 0; i < v.length; i++) mean += v[i];
  mean /= v.length;
  let s = 0;
  for (let i = 0; i < v.length; i++) s += (v[i] - mean) ** 2;
  return { mean, std: Math.sqrt(s / v.length) };
}

/** Everything the recorder saw: one entry per batch, one per epoch. */
export interface DynamicsRecord {
  batchLoss: number[];
  gradNorm: number[];
  lr: number[];
  features: Moments[];
  labels: Moments[];
  epochLoss: number[];
  valLoss: number[];
}

/**
 * A batch-level tracker as a `fit` callback: per batch the loss, the total gradient norm (before any
 * clipping), the lr, and the mean and spread of the batch's features and labels; per epoch the training and
 * validation loss. `analyze()` summarizes the run (see `analyzeDynamics`).
 */
export class DynamicsRecorder implements Callback {
  readonly record: DynamicsRecord = { batchLoss: [], gradNorm: [], lr: [], features: [], labels: [], epochLoss: [], valLoss: [] };

  onAfterBackward(_batch: number, ctx: TrainingContext, info: { x: Tensor; y: Tensor; loss: number }): void {
    let sq = 0;
    for (const p of ctx.model.parameters()) {
      const g = p.grad?.data;
      if (g) for (let i = 0; i < g.length; i++) sq += g[i] * g[i];
    }
    this.record.batchLoss.push(info.loss);
    this.record.gradNorm.push(Math.sqrt(sq));
    this.record.lr.push(ctx.optimizer.paramGroups[0].lr);
    this.record.features.push(moments(info.x.data));
    this.record.labels.push(moments(info.y.data));
  }

  onEpochEnd(_epoch: number, logs: Logs): void {
    this.record.epochLoss.push(logs.loss);
    if (logs.valLoss !== undefined) this.record.valLoss.push(logs.valLoss);
  }

  analyze(options?: DynamicsOptions): DynamicsAnalysis {
    return analyzeDynamics(this.record, options);
  }
}

/** The thresholds of `analyzeDynamics`. */
export interface DynamicsOptions {
  /** Batches in the centered moving average the batch noise is measured against. Default 11. */
  window?: number;
  /** A run is oscillatory when the oscillation index exceeds this. Default 0.25. */
  oscillationThreshold?: number;
  /** ... or when the relative batch noise exceeds this. Default 0.5. */
  noiseThreshold?: number;
  /** Convergence: the first epoch within this fraction of the run's best loss. Default 0.05. */
  convergenceTolerance?: number;
}

/** The summary of a run, as the results table shows it. */
export interface DynamicsAnalysis {
  /** 'oscillatory' when the loss curve keeps going back up or the batch losses scatter widely, else 'smooth'. */
  classification: 'smooth' | 'oscillatory';
  /** Fraction of epochs whose loss rose over the previous epoch (0 for a steady descent, near 0.5 for noise). */
  oscillationIndex: number;
  /** Spread of the batch losses around their moving average over the second half, relative to their mean. */
  relativeNoise: number;
  /** Variance of the monitored epoch loss (validation when recorded) over the second half of training. */
  lossVariance: number;
  /** First epoch (from 1) whose monitored loss is within convergenceTolerance of the best, or null. */
  convergenceEpoch: number | null;
  /** The curve the epoch measures used. */
  monitored: 'valLoss' | 'loss';
}

/**
 * Classifies a run as smooth or oscillatory and measures what the results table reports:
 *
 *     oscillationIndex = #{e : L_e > L_{e-1}} / (E - 1)                      on the monitored epoch loss
 *     relativeNoise    = std_b(l_b - MA_w(l)_b) / mean_b(l_b)                 batches b in the second half
 *     lossVariance     = var(L_e), e in the second half of the epochs
 *     convergenceEpoch = min{e : L_e <= (1 + tol) min L}
 *     oscillatory  <=>  oscillationIndex > 0.25  or  relativeNoise > 0.5
 */
export function analyzeDynamics(record: Pick<DynamicsRecord, 'batchLoss' | 'epochLoss' | 'valLoss'>, options: DynamicsOptions = {}): DynamicsAnalysis {
  checkRecord('analyzeDynamics', 'a record { batchLoss, epochLoss, valLoss }', record, ['batchLoss', 'epochLoss', 'valLoss']);
  for (const k of ['batchLoss', 'epochLoss', 'valLoss'] as const) checkNumbers('analyzeDynamics', k, record[k]);
  options = checkOptionsObject('analyzeDynamics', options, ['window', 'oscillationThreshold', 'noiseThreshold', 'convergenceTolerance']);
  const { window = 11, oscillationThreshold = 0.25, noiseThreshold = 0.5, convergenceTolerance = 0.05 } = options;
  const monitored = record.valLoss.length > 0 ? 'valLoss' : 'loss';
  const curve = monitored === 'valLoss' ? record.valLoss : record.epochLoss;
  if (curve.length === 0) throw new RangeError('analyzeDynamics: expected at least one epoch of losses, got none');
  if (!curve.every(Number.isFinite)) throw new RangeError('analyzeDynamics: expected finite epoch losses, got a NaN or infinite value');

  let rises = 0;
  for (let e = 1; e < curve.length; e++) if (curve[e] > curve[e - 1]) rises++;
  const oscillationIndex = curve.length > 1 ? rises / (curve.length - 1) : 0;

  const half = curve.slice(Math.floor(curve.length / 2));
  const mean = half.reduce((a, b) => a + b, 0) / half.length;
  const lossVariance = half.reduce((a, b) => a + (b - mean) ** 2, 0) / half.length;

  const best = Math.min(...curve);
  const idx = curve.findIndex((v) => v <= best * (1 + convergenceTolerance) + 1e-12);
  const convergenceEpoch = idx === -1 ? null : idx + 1;

  let relativeNoise = 0;
  const b = record.batchLoss;
  if (b.length >= window) {
    const k = Math.floor(window / 2);
    const start = Math.max(k, Math.floor(b.length / 2)), end = b.length - k;
    let sum = 0, sumSq = 0, level = 0, n = 0;
    for (let i = start; i < end; i++) {
      let ma = 0;
      for (let j = i - k; j <= i + k; j++) ma += b[j];
      ma /= 2 * k + 1;
      const r = b[i] - ma;
      sum += r;
      sumSq += r * r;
      level += b[i];
      n++;
    }
    if (n > 1 && level > 0) relativeNoise = Math.sqrt(Math.max(0, sumSq / n - (sum / n) ** 2)) / (level / n);
  }
  const classification = oscillationIndex > oscillationThreshold || relativeNoise > noiseThreshold ? 'oscillatory' : 'smooth';
  return { classification, oscillationIndex, relativeNoise, lossVariance, convergenceEpoch, monitored };
}
