import { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { zeros } from '../tensor/creation.js';
import { alloc } from '../tensor/pool.js';
import { defaultGenerator, type Generator } from '../tensor/random.js';
import { mul } from '../autograd/ops/arithmetic.js';
import { linear, type LinearActivation } from '../autograd/ops/linear.js';
import { allFinite, NonFiniteInputError } from '../tensor/finite.js';
import { relu, leakyRelu } from '../autograd/ops/activation.js';
import { tanh, sigmoid } from '../autograd/ops/unary.js';
import { expectTensor } from '../autograd/ops/broadcast.js';
import { Module, type AnyModule } from './module.js';
import { describe } from '../format/number.js';
import { kaimingUniform, uniform } from './init.js';
import { Conv2d, MaxPool2d, AvgPool2d, Flatten } from './conv.js';
import { BatchNorm1d, BatchNorm2d } from './batchnorm.js';
import { AdaptiveAvgPool2d } from './adaptive-pool.js';
import { releaseIntermediate } from '../autograd/release.js';

/** Options of `Linear`. */
export interface LinearOptions {
  /** Add a learned bias. Default true. */
  bias?: boolean;
  generator?: Generator;
}

/**
 * y = x W^T + b, with W of shape [out, in] and b of shape [out] as in `torch.nn.Linear`. Initialized as PyTorch
 * does: W ~ U(-1/sqrt(in), 1/sqrt(in)) (kaiming uniform with a = sqrt(5)) and b from the same range, drawn from the
 * seeded generator (the numbers differ from PyTorch's, the distribution is the same).
 */
export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, options: LinearOptions = {}) {
    super();
    for (const [name, v] of [['inFeatures', inFeatures], ['outFeatures', outFeatures]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new RangeError(`Linear: expected ${name} to be a positive integer, got ${v}`);
    }
    const generator = options.generator ?? defaultGenerator;
    this.weight = this.registerParameter('weight', kaimingUniform(zeros([outFeatures, inFeatures]), { a: Math.sqrt(5), generator }));
    const bound = 1 / Math.sqrt(inFeatures);
    this.bias = options.bias === false ? null : this.registerParameter('bias', uniform(zeros([outFeatures]), -bound, bound, { generator }));
  }

  forward(x: Tensor): Tensor {
    return this.forwardWith(x, 'none');
  }

  /** `activation(forward(x))` as one fused op (what `Sequential` runs for a Linear followed by ReLU, Tanh or Sigmoid). */
  forwardWith(x: Tensor, activation: LinearActivation): Tensor {
    expectTensor('Linear.forward', x);
    if (x.ndim !== 2 || x.shape[1] !== this.inFeatures) {
      throw new RangeError(`Linear.forward: expected input of shape [batch, ${this.inFeatures}], got ${formatShape(x.shape)}`);
    }
    if (!allFinite(x.data)) {
      const bad = x.data.findIndex((v) => !Number.isFinite(v));
      throw new NonFiniteInputError(`Linear.forward: expected finite inputs, got ${x.data[bad]} at row ${Math.floor(bad / this.inFeatures)}, column ${bad % this.inFeatures}`);
    }
    return linear(x, this.weight, this.bias, { activation });
  }
}

/** The activation a module applies elementwise, when `Linear.forwardWith` can fuse it; else null. */
function fusable(m: Module | undefined): LinearActivation | null {
  if (m === undefined) return null;
  const kind = Object.getPrototypeOf(m);
  return kind === ReLU.prototype ? 'relu' : kind === Tanh.prototype ? 'tanh' : kind === Sigmoid.prototype ? 'sigmoid' : null;
}

/** Runs modules in order; their parameters are named by position (`0.weight`), as in `torch.nn.Sequential`. */
export class Sequential extends Module {
  readonly layers: Module[];

  constructor(...layers: Module[]) {
    super();
    layers.forEach((m, i) => {
      if (!(m instanceof Module)) throw new TypeError(`Sequential: expected a Module at position ${i}, got ${typeof m}`);
      this.registerModule(String(i), m);
    });
    this.layers = layers;
  }

  /**
   * Runs the layers in order; a Linear followed by ReLU, Tanh or Sigmoid, and a Conv2d followed by ReLU, run as one
   * fused op (same values).
   */
  forward(x: Tensor): Tensor {
    let h = x, madeByPlainLayer = false;
    const layers = this.layers;
    for (let i = 0; i < layers.length; i++) {
      const layer = layers[i], activation = layer instanceof Linear ? fusable(layers[i + 1]) : null, before = h;
      if (activation !== null) {
        h = (layer as Linear).forwardWith(h, activation);
        i++;
      } else if (layer instanceof Conv2d && fusable(layers[i + 1]) === 'relu') {
        h = layer.forwardWith(h, 'relu');
        i++;
      } else {
        h = layer.forward(h);
      }
      // an output between two layers that keep no tensor: nothing outside this loop holds it any more, so its
      // storage can go back without a copy, as PyTorch frees it when its last reference goes
      const plain = KEEPS_NO_TENSORS.has(layer.constructor);
      if (madeByPlainLayer && plain && before !== x && before !== h) releaseIntermediate(before, h);
      madeByPlainLayer = plain;
    }
    return h;
  }
}

/**
 * A list of modules whose parameters are registered by position (`layers.0.weight`), as `torch.nn.ModuleList`: what
 * a model keeps in a field instead of a plain array (which `Module` refuses). Indexed (`list[0]`), iterable,
 * `length`, `append` and `extend`; it has no `forward` of its own (the owning module's forward loops over it).
 */
export class ModuleList<M extends AnyModule = AnyModule> extends Module {
  readonly [index: number]: M;

  constructor(modules: readonly M[] = []) {
    super();
    if (!Array.isArray(modules)) throw new TypeError(`ModuleList: expected an array of modules, got ${describe(modules)}`);
    this.extend(modules);
  }

  /** Number of modules. */
  get length(): number {
    return this.namedChildren().length;
  }

  /** Adds `m` at the end (its parameters are named `${length}.weight`, ...) and returns this list. */
  append(m: M): this {
    const i = this.length;
    if (!(m instanceof Module)) throw new TypeError(`ModuleList: expected a Module at position ${i}, got ${describe(m)}`);
    // a plain writable field as well as a registration, so `list[i] = other` replaces it as PyTorch's __setitem__ does
    (this as unknown as Record<number, M>)[i] = this.registerModule(String(i), m);
    return this;
  }

  /** Appends every module of `modules`, in order. */
  extend(modules: readonly M[]): this {
    if (!Array.isArray(modules)) throw new TypeError(`ModuleList: expected an array of modules, got ${describe(modules)}`);
    for (const m of modules) this.append(m);
    return this;
  }

  *[Symbol.iterator](): IterableIterator<M> {
    for (const [, m] of this.namedChildren()) yield m as M;
  }

  forward(): Tensor {
    throw new TypeError('ModuleList: has no forward; loop over it in the forward of the module that holds it');
  }
}

/** max(0, x). */
export class ReLU extends Module {
  forward(x: Tensor): Tensor { return relu(x); }
}

/** x for x > 0, else negativeSlope * x. */
export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) { super(); }
  forward(x: Tensor): Tensor { return leakyRelu(x, this.negativeSlope); }
}

/** tanh(x). */
export class Tanh extends Module {
  forward(x: Tensor): Tensor { return tanh(x); }
}

/** 1 / (1 + e^-x). */
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor { return sigmoid(x); }
}

/**
 * In training, zeroes each element with probability p and scales the rest by 1 / (1 - p), so the expected value is
 * unchanged (inverted dropout, as `torch.nn.Dropout`); the identity in eval mode. The mask comes from the seeded
 * generator.
 */
export class Dropout extends Module {
  private readonly generator: Generator;

  constructor(readonly p = 0.5, options: { generator?: Generator } = {}) {
    super();
    if (!(p >= 0 && p <= 1)) throw new RangeError(`Dropout: expected p in [0, 1], got ${p}`);
    this.generator = options.generator ?? defaultGenerator;
  }

  forward(x: Tensor): Tensor {
    if (!this.training || this.p === 0) return x;
    const mask = alloc(x.size);
    const scale = this.p === 1 ? 0 : 1 / (1 - this.p);
    for (let i = 0; i < mask.length; i++) mask[i] = this.generator.random() < this.p ? 0 : scale;
    return mul(x, new Tensor(mask, x.shape));
  }
}

/**
 * Built-in layers whose forward keeps no reference to its input or output (exactly these classes: a subclass
 * may keep one), so Sequential knows its outputs between two of them are its own.
 */
const KEEPS_NO_TENSORS = new Set<unknown>([Linear, ReLU, LeakyReLU, Tanh, Sigmoid, Dropout, Conv2d, MaxPool2d, AvgPool2d, Flatten, BatchNorm1d, BatchNorm2d, AdaptiveAvgPool2d, Sequential]);
