import { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { ones, zeros } from '../tensor/creation.js';
import { add, sub, mul, div } from '../autograd/ops/arithmetic.js';
import { sqrt } from '../autograd/ops/unary.js';
import { mean } from '../autograd/ops/reduce.js';
import { expectTensor } from '../autograd/ops/broadcast.js';
import { checkOptionsObject } from '../format/check.js';
import { describe } from '../format/number.js';
import { Module } from './module.js';

/** Options of `LayerNorm`, as `torch.nn.LayerNorm`'s (PyTorch 1.13). */
export interface LayerNormOptions {
  /** Added to the variance before the square root. Default 1e-5. */
  eps?: number;
  /** Learn a scale (weight, ones) and shift (bias, zeros) of the normalized shape. Default true. */
  elementwiseAffine?: boolean;
}

/**
 * Layer normalization over the last `normalizedShape.length` dims of x, per sample (no running statistics):
 *
 *     y = (x - E[x]) / sqrt(Var[x] + eps) · γ + β      (Var biased; γ, β of shape normalizedShape)
 *
 * Composed from primitives (mean, sub, mul, div, sqrt), so its gradient needs no code of its own. Matches
 * `torch.nn.functional.layer_norm`. (Ba, Kiros and Hinton, 2016.)
 */
export function layerNorm(x: Tensor, normalizedShape: readonly number[], weight: Tensor | null = null, bias: Tensor | null = null, eps = 1e-5): Tensor {
  expectTensor('layerNorm', x);
  if (!Array.isArray(normalizedShape) || normalizedShape.length === 0 || normalizedShape.some((s) => !Number.isInteger(s) || s <= 0)) {
    throw new RangeError(`layerNorm: expected normalizedShape to be a non-empty list of positive integers, got ${describe(normalizedShape)}`);
  }
  for (const [name, t] of [['weight', weight], ['bias', bias]] as const) {
    if (t !== null && !(t instanceof Tensor)) throw new TypeError(`layerNorm: expected ${name} to be a Tensor or null, got ${describe(t)}`);
  }
  if (typeof eps !== 'number' || !(eps > 0) || !Number.isFinite(eps)) throw new RangeError(`layerNorm: expected eps to be a finite number > 0, got ${describe(eps)}`);
  const d = normalizedShape.length, tail = x.shape.slice(x.ndim - d);
  if (x.ndim < d || tail.some((s, i) => s !== normalizedShape[i])) {
    throw new RangeError(`layerNorm: expected input ending in ${formatShape(normalizedShape)} ([*, ${normalizedShape.join(', ')}]), got ${formatShape(x.shape)}`);
  }
  const dims = normalizedShape.map((_, i) => x.ndim - d + i);
  const centred = sub(x, mean(x, dims, true));
  const variance = mean(mul(centred, centred), dims, true);
  let y = div(centred, sqrt(add(variance, eps)));
  if (weight !== null) y = mul(y, weight);
  if (bias !== null) y = add(y, bias);
  return y;
}

/**
 * Layer normalization as a module, after `torch.nn.LayerNorm`: `new LayerNorm(64)` normalizes the last dim,
 * `new LayerNorm([C, H, W])` the last three; with `elementwiseAffine` (default) it learns weight (ones) and bias
 * (zeros) of that shape, PyTorch's state-dict keys. See `layerNorm` for the equation. Matches `torch.nn.LayerNorm`.
 */
export class LayerNorm extends Module {
  readonly normalizedShape: readonly number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;

  constructor(normalizedShape: number | readonly number[], options: LayerNormOptions = {}) {
    super();
    const shape = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape;
    if (!Array.isArray(shape) || shape.length === 0 || shape.some((s) => typeof s !== 'number' || !Number.isInteger(s) || s <= 0 || s > 2 ** 24)) {
      throw new RangeError(`LayerNorm: expected normalizedShape to be a positive integer or a non-empty list of them (each up to 2^24), got ${describe(normalizedShape)}`);
    }
    const size = shape.reduce((a, b) => a * b, 1);
    if (size > 2 ** 31 - 1) throw new RangeError(`LayerNorm: expected normalizedShape of at most 2147483647 elements, got ${size}`);
    const o = checkOptionsObject<LayerNormOptions>('LayerNorm', options, ['eps', 'elementwiseAffine']);
    const eps = o.eps ?? 1e-5;
    if (typeof eps !== 'number' || !(eps > 0) || !Number.isFinite(eps)) throw new RangeError(`LayerNorm: expected eps to be a finite number > 0, got ${describe(eps)}`);
    const affine = o.elementwiseAffine ?? true;
    if (typeof affine !== 'boolean') throw new TypeError(`LayerNorm: expected elementwiseAffine to be true or false, got ${describe(affine)}`);
    this.normalizedShape = Object.freeze([...shape]);
    this.eps = eps;
    this.elementwiseAffine = affine;
    this.weight = affine ? this.registerParameter('weight', ones(shape)) : null;
    this.bias = affine ? this.registerParameter('bias', zeros(shape)) : null;
  }

  forward(x: Tensor): Tensor {
    expectTensor('LayerNorm.forward', x);
    const d = this.normalizedShape.length;
    if (x.ndim < d || x.shape.slice(x.ndim - d).some((s, i) => s !== this.normalizedShape[i])) {
      throw new RangeError(`LayerNorm.forward: expected input [*, ${this.normalizedShape.join(', ')}], got ${formatShape(x.shape)}`);
    }
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }
}
