import type { Tensor } from '../../tensor/tensor.js';
import { formatShape } from '../../tensor/shape.js';
import { alloc } from '../../tensor/pool.js';
import { record } from '../engine.js';
import { expectTensor } from './broadcast.js';

const f = Math.fround;

/** Options of `batchNorm`, as `torch.nn.functional.batch_norm`'s. */
export interface BatchNormOpOptions {
  /** Per-channel scale γ (null: 1). */
  weight?: Tensor | null;
  /** Per-channel shift β (null: 0). */
  bias?: Tensor | null;
  /** Normalize with the batch's statistics (true) or with `runningMean` and `runningVar` (false). */
  training: boolean;
  /** Used when not training. */
  runningMean?: Tensor | null;
  runningVar?: Tensor | null;
  /** Added to the variance before the square root. Default 1e-5. */
  eps?: number;
  /** Receives each channel's batch mean and biased variance (float32, as computed) when training. */
  onStatistics?: (mean: Float32Array, variance: Float32Array) => void;
}

/**
 * Batch normalization over dim 1 of x [N, C, ...] as one op: y = (x - μ) / √(σ² + ε) · γ + β, with μ and σ² the
 * batch's (biased) statistics per channel when training, else the running ones. The forward rounds every step to
 * float32 as the composition mean, sub, mul, mean, add, sqrt, div, mul, add does (the same bits); the backward is the
 * closed form, in double precision per channel, rounded once (within float32 rounding of the composition's):
 * dx = (g·γ - mean(g·γ) - x̂·mean(g·γ·x̂)) / √(σ² + ε) when training, g·γ / √(σ² + ε) when not; dγ = Σ g·x̂, dβ = Σ g.
 * Matches `torch.nn.functional.batch_norm`.
 */
export function batchNorm(input: Tensor, options: BatchNormOpOptions): Tensor {
  const op = 'batchNorm';
  const x = expectTensor(op, input);
  if (x.ndim < 2) throw new RangeError(`${op}: expected input [N, C, ...], got ${formatShape(x.shape)}`);
  const c = x.shape[1], n = x.shape[0], inner = x.size / (n * c), count = n * inner;
  const { weight = null, bias = null, training } = options;
  for (const [name, t] of [['weight', weight], ['bias', bias], ['runningMean', options.runningMean ?? null], ['runningVar', options.runningVar ?? null]] as const) {
    if (t !== null && (expectTensor(op, t, name).ndim !== 1 || t.shape[0] !== c)) throw new RangeError(`${op}: expected ${name} of shape [${c}], got ${formatShape(t.shape)}`);
  }
  if (!training && (options.runningMean == null || options.runningVar == null)) throw new RangeError(`${op}: expected runningMean and runningVar when not training, got none`);
  const eps = f(options.eps ?? 1e-5), X = x.data, G = weight?.data, B = bias?.data;
  const mu = alloc(c), std = alloc(c), y = alloc(X.length);
  const variance = training ? alloc(c) : options.runningVar!.data;
  for (let ch = 0; ch < c; ch++) {
    let m: number;
    if (training) {
      let s = 0;
      for (let b = 0; b < n; b++) for (let i = (b * c + ch) * inner, e = i + inner; i < e; i++) s += X[i];
      m = f(f(s) / count);
      let v = 0;
      for (let b = 0; b < n; b++) {
        for (let i = (b * c + ch) * inner, e = i + inner; i < e; i++) {
          const d = f(X[i] - m);
          v += f(d * d);
        }
      }
      variance[ch] = f(f(v) / count);
    } else {
      m = options.runningMean!.data[ch];
    }
    mu[ch] = m;
    const sd = (std[ch] = f(Math.sqrt(f(variance[ch] + eps))));
    const gamma = G === undefined ? 1 : G[ch], beta = B === undefined ? 0 : B[ch];
    for (let b = 0; b < n; b++) {
      for (let i = (b * c + ch) * inner, e = i + inner; i < e; i++) {
        const xh = f(f(X[i] - m) / sd);
        y[i] = G === undefined ? xh : f(f(xh * gamma) + beta);
      }
    }
  }
  if (training) options.onStatistics?.(mu, variance);
  const inputs = [x, ...(weight === null ? [] : [weight]), ...(bias === null ? [] : [bias])];
  return record(op, y, x.shape, inputs, (g) => {
    const dx = x.requiresGrad ? alloc(X.length) : null;
    const dg = weight !== null && weight.requiresGrad ? alloc(c) : null, db = bias !== null && bias.requiresGrad ? alloc(c) : null;
    for (let ch = 0; ch < c; ch++) {
      const m = mu[ch], sd = std[ch], gamma = G === undefined ? 1 : G[ch];
      // Σ g and Σ g·x̂ over the channel, in double precision
      let sg = 0, sgx = 0;
      for (let b = 0; b < n; b++) {
        for (let i = (b * c + ch) * inner, e = i + inner; i < e; i++) {
          sg += g[i];
          sgx += g[i] * f(f(X[i] - m) / sd);
        }
      }
      if (dg !== null) dg[ch] = sgx;
      if (db !== null) db[ch] = sg;
      if (dx === null) continue;
      // with batch statistics μ and σ depend on x: subtract the mean of g·γ and the part along x̂
      const m1 = training ? (gamma * sg) / count : 0, m2 = training ? (gamma * sgx) / count : 0;
      for (let b = 0; b < n; b++) {
        for (let i = (b * c + ch) * inner, e = i + inner; i < e; i++) dx[i] = (g[i] * gamma - m1 - f(f(X[i] - m) / sd) * m2) / sd;
      }
    }
    return [dx, ...(weight === null ? [] : [dg]), ...(bias === null ? [] : [db])];
  });
}
