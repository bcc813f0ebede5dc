import { formatShape, sizeOf, type Shape } from './shape.js';
import { backward as runBackward, type Creator, type BackwardOptions } from '../autograd/engine.js';
import { registerAlias } from '../autograd/release.js';
import { add, sub, mul, div, neg, pow } from '../autograd/ops/arithmetic.js';
import { exp, log, sqrt, abs, tanh, sigmoid } from '../autograd/ops/unary.js';
import { relu, leakyRelu, softplus, type SoftplusOptions } from '../autograd/ops/activation.js';
import { matmul } from '../autograd/ops/matmul.js';
import { sum, mean, max } from '../autograd/ops/reduce.js';
import { reshape, transpose, expand } from '../autograd/ops/view.js';
import { slice, gather } from '../autograd/ops/index-ops.js';
import { softmax, logSoftmax } from '../autograd/ops/softmax.js';

/** A nested array of numbers, as `toArray()` returns and `tensor()` accepts. */
export type NestedArray = number | NestedArray[];

/** Either operand of an elementwise op: a tensor or a plain number (treated as a 0-d constant). */
export type TensorLike = Tensor | number;

/**
 * A dense float32 tensor in row-major order, and a node of the autograd graph.
 *
 * `data` is the flat buffer (length `size`), `shape` its dimensions. Tensors made by ops on inputs that require
 * gradients remember their `creator`; `backward()` fills `grad` on the leaves, as in PyTorch.
 */
export class Tensor {
  /** The flat row-major values. Optimizers update it in place. */
  data: Float32Array;
  readonly shape: Shape;
  /** Gradient accumulated by `backward()` (leaves only), or null. */
  grad: Tensor | null = null;
  /** Whether ops on this tensor are recorded for differentiation. */
  requiresGrad: boolean;
  /** The op that made this tensor, or null for a leaf. */
  creator: Creator | null = null;

  constructor(data: Float32Array, shape: Shape, options: { requiresGrad?: boolean } = {}) {
    if (!(data instanceof Float32Array)) {
      throw new TypeError(`Tensor: expected a Float32Array, got ${Object.prototype.toString.call(data)}`);
    }
    if (sizeOf(shape) !== data.length) {
      throw new RangeError(`Tensor: shape ${formatShape(shape)} needs ${sizeOf(shape)} values, got ${data.length}`);
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.requiresGrad = options.requiresGrad ?? false;
  }

  /** Number of elements. */
  get size(): number {
    return this.data.length;
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** True when no op made this tensor (user-created tensors and parameters). */
  get isLeaf(): boolean {
    return this.creator === null;
  }

  /** The value of a one-element tensor as a number. */
  item(): number {
    if (this.size !== 1) throw new RangeError(`item: expected a tensor with 1 element, got shape ${formatShape(this.shape)}`);
    return this.data[0];
  }

  /** The values as nested arrays (a number for a 0-d tensor). */
  toArray(): NestedArray {
    const build = (dim: number, offset: number): NestedArray => {
      if (dim === this.shape.length) return this.data[offset];
      const inner = sizeOf(this.shape.slice(dim + 1));
      const out: NestedArray[] = [];
      for (let i = 0; i < this.shape[dim]; i++) out.push(build(dim + 1, offset + i * inner));
      return out;
    };
    return build(0, 0);
  }

  /** A new leaf sharing no graph with this one (the data is shared, as in PyTorch). */
  detach(): Tensor {
    const out = new Tensor(this.data, this.shape);
    registerAlias(this, out);
    return out;
  }

  /** A deep copy of the values, as a new leaf. */
  clone(): Tensor {
    return new Tensor(this.data.slice(), this.shape, { requiresGrad: this.requiresGrad });
  }

  /** Sets `requiresGrad` on a leaf and returns it (`torch.Tensor.requires_grad_`). */
  requiresGrad_(flag = true): this {
    if (this.creator !== null && !flag) {
      throw new Error('requiresGrad_: expected a leaf tensor, got the output of an op (use detach())');
    }
    this.requiresGrad = flag;
    return this;
  }

  /**
   * Backpropagates from this tensor: dL/dL = 1 for a one-element tensor, or `gradient` (same shape) otherwise.
   * Gradients accumulate into `grad` of every leaf that requires them. The graph is then consumed unless
   * `retainGraph` (matches torch.Tensor.backward's retain_graph).
   */
  backward(gradient?: Tensor, options: BackwardOptions = {}): void {
    runBackward(this, gradient, options);
  }

  toString(): string {
    // JSON would print NaN and Infinity as null
    const values = JSON.stringify(this.toArray(), (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)).replace(/"(NaN|-?Infinity)"/g, '$1');
    return `Tensor(${values}, shape=${formatShape(this.shape)}${this.requiresGrad ? ', requiresGrad' : ''})`;
  }

  add(other: TensorLike): Tensor { return add(this, other); }
  sub(other: TensorLike): Tensor { return sub(this, other); }
  mul(other: TensorLike): Tensor { return mul(this, other); }
  div(other: TensorLike): Tensor { return div(this, other); }
  pow(exponent: TensorLike): Tensor { return pow(this, exponent); }
  neg(): Tensor { return neg(this); }
  exp(): Tensor { return exp(this); }
  log(): Tensor { return log(this); }
  sqrt(): Tensor { return sqrt(this); }
  abs(): Tensor { return abs(this); }
  tanh(): Tensor { return tanh(this); }
  sigmoid(): Tensor { return sigmoid(this); }
  relu(): Tensor { return relu(this); }
  leakyRelu(negativeSlope?: number): Tensor { return leakyRelu(this, negativeSlope); }
  softplus(options?: SoftplusOptions): Tensor { return softplus(this, options); }
  matmul(other: Tensor): Tensor { return matmul(this, other); }
  sum(dim?: number | number[], keepdim?: boolean): Tensor { return sum(this, dim, keepdim); }
  mean(dim?: number | number[], keepdim?: boolean): Tensor { return mean(this, dim, keepdim); }
  max(dim?: number, keepdim?: boolean): Tensor { return max(this, dim, keepdim); }
  reshape(shape: Shape): Tensor { return reshape(this, shape); }
  transpose(dim0 = -2, dim1 = -1): Tensor { return transpose(this, dim0, dim1); }
  /** The transpose of a 2-D tensor. */
  get T(): Tensor { return transpose(this, 0, 1); }
  expand(shape: Shape): Tensor { return expand(this, shape); }
  slice(dim: number, start: number, end?: number): Tensor { return slice(this, dim, start, end); }
  gather(dim: number, index: Tensor | NestedArray): Tensor { return gather(this, dim, index); }
  softmax(dim = -1): Tensor { return softmax(this, dim); }
  logSoftmax(dim = -1): Tensor { return logSoftmax(this, dim); }
}
