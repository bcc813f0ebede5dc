import type { Tensor } from '../tensor/tensor.js';
import { formatShape, normalizeDim } from '../tensor/shape.js';
import { zeros } from '../tensor/creation.js';
import { defaultGenerator, type Generator } from '../tensor/random.js';
import { conv2d, pair, type Size2 } from '../autograd/ops/conv.js';
import { maxPool2d, avgPool2d } from '../autograd/ops/pool.js';
import { reshape } from '../autograd/ops/view.js';
import { expectTensor } from '../autograd/ops/broadcast.js';
import { Module } from './module.js';
import { kaimingUniform, uniform } from './init.js';

/** Options of `Conv2d`. */
export interface Conv2dLayerOptions {
  /** Step between windows. Default 1. */
  stride?: Size2;
  /** Zeros added on each side. Default 0. */
  padding?: Size2;
  /** Spacing between kernel elements. Default 1. */
  dilation?: Size2;
  /** Add a learned bias. Default true. */
  bias?: boolean;
  generator?: Generator;
}

/**
 * A 2-D convolution over [N, C, H, W] inputs, as `torch.nn.Conv2d` (groups = 1): weight [out, in, kh, kw] and bias
 * [out], so PyTorch state dicts load as they are. Initialized as PyTorch does: W ~ U(-1/√fanIn, 1/√fanIn) (kaiming
 * uniform with a = √5, fanIn = in·kh·kw) and b from the same range, drawn from the seeded generator.
 */
export class Conv2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly dilation: [number, number];

  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: Size2, options: Conv2dLayerOptions = {}) {
    super();
    for (const [name, v] of [['inChannels', inChannels], ['outChannels', outChannels]] as const) {
      if (!Number.isInteger(v) || v <= 0 || v > 2 ** 24) throw new RangeError(`Conv2d: expected ${name} to be a positive integer up to 2^24, got ${v}`);
    }
    this.kernelSize = pair('Conv2d', 'kernelSize', kernelSize, 1);
    this.stride = pair('Conv2d', 'stride', options.stride ?? 1, 1);
    this.padding = pair('Conv2d', 'padding', options.padding ?? 0, 0);
    this.dilation = pair('Conv2d', 'dilation', options.dilation ?? 1, 1);
    const generator = options.generator ?? defaultGenerator;
    const shape = [outChannels, inChannels, ...this.kernelSize];
    this.weight = this.registerParameter('weight', kaimingUniform(zeros(shape), { a: Math.sqrt(5), generator }));
    const bound = 1 / Math.sqrt(inChannels * this.kernelSize[0] * this.kernelSize[1]);
    this.bias = options.bias === false ? null : this.registerParameter('bias', uniform(zeros([outChannels]), -bound, bound, { generator }));
  }

  forward(x: Tensor): Tensor {
    return this.forwardWith(x, 'none');
  }

  /** `relu(forward(x))` as one fused op, the same bits (what `Sequential` runs for a Conv2d followed by ReLU). */
  forwardWith(x: Tensor, activation: 'none' | 'relu'): Tensor {
    expectTensor('Conv2d.forward', x);
    if (x.ndim !== 4) {
      const hint = x.ndim === 3 ? ' (one image? add the batch dimension: x.reshape([1, ...x.shape]))' : '';
      throw new RangeError(`Conv2d.forward: expected input [N, ${this.inChannels}, H, W], got ${formatShape(x.shape)}${hint}`);
    }
    if (x.shape[1] !== this.inChannels) {
      throw new RangeError(`Conv2d.forward: expected input with ${this.inChannels} channels [N, ${this.inChannels}, H, W], got ${formatShape(x.shape)}`);
    }
    return conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, activation });
  }
}

/** Options of `MaxPool2d` and `AvgPool2d`. */
export interface Pool2dLayerOptions {
  /** Default: the kernel size. */
  stride?: Size2;
  /** Default 0. */
  padding?: Size2;
}

/** The maximum over each window, as `torch.nn.MaxPool2d` (see `maxPool2d`). */
export class MaxPool2d extends Module {
  constructor(readonly kernelSize: Size2, readonly options: Pool2dLayerOptions = {}) {
    super();
    pair('MaxPool2d', 'kernelSize', kernelSize, 1);
  }

  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, this.options);
  }
}

/** The mean over each window, as `torch.nn.AvgPool2d` (see `avgPool2d`). */
export class AvgPool2d extends Module {
  constructor(readonly kernelSize: Size2, readonly options: Pool2dLayerOptions & { countIncludePad?: boolean } = {}) {
    super();
    pair('AvgPool2d', 'kernelSize', kernelSize, 1);
  }

  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, this.options);
  }
}

/** Joins dimensions `startDim` to `endDim` into one, as `torch.nn.Flatten` (default: all but the batch). */
export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super();
  }

  forward(x: Tensor): Tensor {
    expectTensor('Flatten.forward', x);
    const s = normalizeDim('Flatten.forward', this.startDim, x.ndim), e = normalizeDim('Flatten.forward', this.endDim, x.ndim);
    if (s > e) throw new RangeError(`Flatten.forward: expected startDim <= endDim, got ${this.startDim} and ${this.endDim} for input ${formatShape(x.shape)}`);
    const joined = x.shape.slice(s, e + 1).reduce((a, b) => a * b, 1);
    return reshape(x, [...x.shape.slice(0, s), joined, ...x.shape.slice(e + 1)]);
  }
}
