import { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { ones, zeros } from '../tensor/creation.js';
import { batchNorm } from '../autograd/ops/batchnorm.js';
import { expectTensor } from '../autograd/ops/broadcast.js';
import { noGrad } from '../autograd/engine.js';
import { Module } from './module.js';

/** Options of `BatchNorm1d` and `BatchNorm2d`, as PyTorch's. */
export interface BatchNormOptions {
  /** Added to the variance before the square root. Default 1e-5. */
  eps?: number;
  /** Weight of the new batch in the running statistics; null for a cumulative average. Default 0.1. */
  momentum?: number | null;
  /** Learn a per-channel scale (weight) and shift (bias). Default true. */
  affine?: boolean;
}

/**
 * Batch normalization over the channel dimension (dim 1):
 *
 *     y = (x - E[x]) / sqrt(Var[x] + eps) · γ + β
 *
 * In training, E and Var are the batch's (Var biased) and the running statistics move toward them:
 * running = (1 - momentum) · running + momentum · batch, with the unbiased variance, as PyTorch does (momentum
 * null: a cumulative average over `num_batches_tracked` batches). In eval mode the running statistics are used.
 * The state dict holds `weight`, `bias`, `running_mean`, `running_var` and `num_batches_tracked`, PyTorch's keys.
 * The forward and the backward are one op each (`batchNorm`): the forward gives the bits of the composition from
 * primitives (mean, sub, mul, div, sqrt), the backward the closed form.
 * (Ioffe and Szegedy, 2015.)
 */
abstract class BatchNorm extends Module {
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly runningMean: Tensor;
  readonly runningVar: Tensor;
  readonly numBatchesTracked: Tensor;
  readonly eps: number;
  readonly momentum: number | null;

  constructor(readonly numFeatures: number, options: BatchNormOptions = {}) {
    super();
    const name = this.constructor.name;
    if (!Number.isInteger(numFeatures) || numFeatures <= 0 || numFeatures > 2 ** 24) throw new RangeError(`${name}: expected numFeatures to be a positive integer up to 2^24, got ${numFeatures}`);
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum === undefined ? 0.1 : options.momentum;
    if (!(this.eps > 0)) throw new RangeError(`${name}: expected eps > 0, got ${this.eps}`);
    if (this.momentum !== null && !(this.momentum >= 0 && this.momentum <= 1)) throw new RangeError(`${name}: expected momentum in [0, 1] or null, got ${this.momentum}`);
    const affine = options.affine ?? true;
    this.weight = affine ? this.registerParameter('weight', ones([numFeatures])) : null;
    this.bias = affine ? this.registerParameter('bias', zeros([numFeatures])) : null;
    this.runningMean = this.registerBuffer('running_mean', zeros([numFeatures]));
    this.runningVar = this.registerBuffer('running_var', ones([numFeatures]));
    this.numBatchesTracked = this.registerBuffer('num_batches_tracked', zeros([]));
  }

  /** Checks the input's rank and channels; returns the dims that are averaged over. */
  protected abstract checkInput(x: Tensor): number[];

  forward(x: Tensor): Tensor {
    expectTensor(`${this.constructor.name}.forward`, x);
    this.checkInput(x);
    const count = x.size / this.numFeatures;
    if (this.training && count <= 1) throw new RangeError(`${this.constructor.name}.forward: expected more than 1 value per channel in training, got input ${formatShape(x.shape)}`);
    return batchNorm(x, {
      weight: this.weight, bias: this.bias, training: this.training, runningMean: this.runningMean, runningVar: this.runningVar, eps: this.eps,
      onStatistics: (mu, variance) => this.track(mu, variance, count),
    });
  }

  // running statistics: the unbiased variance, as PyTorch keeps them
  private track(mu: Float32Array, variance: Float32Array, count: number): void {
    noGrad(() => {
      const n = (this.numBatchesTracked.data[0] += 1);
      const m = this.momentum ?? 1 / n;
      const rm = this.runningMean.data, rv = this.runningVar.data;
      for (let i = 0; i < this.numFeatures; i++) {
        rm[i] = (1 - m) * rm[i] + m * mu[i];
        rv[i] = (1 - m) * rv[i] + m * variance[i] * (count / (count - 1));
      }
    });
  }
}

/** Batch normalization of [N, C] or [N, C, L] inputs, as `torch.nn.BatchNorm1d` (see `BatchNorm`'s equation). */
export class BatchNorm1d extends BatchNorm {
  protected checkInput(x: Tensor): number[] {
    if ((x.ndim !== 2 && x.ndim !== 3) || x.shape[1] !== this.numFeatures) {
      throw new RangeError(`BatchNorm1d.forward: expected input [N, ${this.numFeatures}] or [N, ${this.numFeatures}, L], got ${formatShape(x.shape)}`);
    }
    return x.ndim === 2 ? [0] : [0, 2];
  }
}

/** Batch normalization of [N, C, H, W] inputs, per channel, as `torch.nn.BatchNorm2d`. */
export class BatchNorm2d extends BatchNorm {
  protected checkInput(x: Tensor): number[] {
    if (x.ndim !== 4 || x.shape[1] !== this.numFeatures) {
      throw new RangeError(`BatchNorm2d.forward: expected input [N, ${this.numFeatures}, H, W], got ${formatShape(x.shape)}`);
    }
    return [0, 2, 3];
  }
}
