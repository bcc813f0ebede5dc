import type { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { defaultGenerator, type Generator } from '../tensor/random.js';
import { add } from '../autograd/ops/arithmetic.js';
import { relu } from '../autograd/ops/activation.js';
import { reshape } from '../autograd/ops/view.js';
import { expectTensor } from '../autograd/ops/broadcast.js';
import { checkOptionsObject } from '../format/check.js';
import { describe } from '../format/number.js';
import { Module } from './module.js';
import { Linear, Sequential, ReLU } from './layers.js';
import { Conv2d, MaxPool2d } from './conv.js';
import { BatchNorm2d } from './batchnorm.js';
import { AdaptiveAvgPool2d } from './adaptive-pool.js';
import { kaimingNormal } from './init.js';

/** Options of `BasicBlock`, as torchvision's (groups, base width and dilation are those of a BasicBlock: 1, 64, 1). */
export interface BasicBlockOptions {
  /** Stride of the first 3x3 convolution (2 halves the height and width). Default 1. */
  stride?: number;
  /** Maps the input to the block's output shape for the skip connection; null when the shapes already agree. */
  downsample?: Module | null;
  generator?: Generator;
}

function checkChannels(fn: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0 || v > 2 ** 16) {
    throw new RangeError(`${fn}: expected ${name} to be a positive integer up to 65536, got ${describe(v)}`);
  }
  return v;
}

/**
 * ResNet's basic residual block, as `torchvision.models.resnet.BasicBlock`:
 *
 *     out = relu(bn2(conv2(relu(bn1(conv1(x))))) + downsample(x))
 *
 * with 3x3 convolutions without bias (conv1 with `stride`, both padding 1) and `downsample(x) = x` when null. The
 * downsample torchvision builds where the shape changes is `new Sequential(new Conv2d(inplanes, planes, 1, { stride,
 * bias: false }), new BatchNorm2d(planes))`. Module names and state-dict keys are torchvision's (conv1.weight,
 * bn1.running_mean, downsample.0.weight, ...). (He et al., 2016.)
 */
export class BasicBlock extends Module {
  /** The output has planes · expansion channels (1 for a BasicBlock). */
  static readonly expansion = 1;
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly relu: ReLU;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;
  readonly downsample: Module | null;
  readonly stride: number;

  constructor(readonly inplanes: number, readonly planes: number, options: BasicBlockOptions = {}) {
    super();
    checkChannels('BasicBlock', 'inplanes', inplanes);
    checkChannels('BasicBlock', 'planes', planes);
    const o = checkOptionsObject<BasicBlockOptions>('BasicBlock', options, ['stride', 'downsample', 'generator']);
    const stride = o.stride ?? 1;
    if (typeof stride !== 'number' || !Number.isInteger(stride) || stride < 1 || stride > 64) {
      throw new RangeError(`BasicBlock: expected stride to be an integer in [1, 64], got ${describe(stride)}`);
    }
    const downsample = o.downsample ?? null;
    if (downsample !== null && !(downsample instanceof Module)) {
      throw new TypeError(`BasicBlock: expected downsample to be a Module or null, got ${describe(downsample)}`);
    }
    if (downsample === null && (stride !== 1 || inplanes !== planes)) {
      throw new RangeError(
        `BasicBlock: expected a downsample module when stride is not 1 or inplanes differs from planes (the skip connection must match the output), got stride ${stride}, inplanes ${inplanes}, planes ${planes} and no downsample`,
      );
    }
    const generator = o.generator ?? defaultGenerator;
    this.conv1 = new Conv2d(inplanes, planes, 3, { stride, padding: 1, bias: false, generator });
    this.bn1 = new BatchNorm2d(planes);
    this.relu = new ReLU();
    this.conv2 = new Conv2d(planes, planes, 3, { padding: 1, bias: false, generator });
    this.bn2 = new BatchNorm2d(planes);
    this.downsample = downsample;
    this.stride = stride;
  }

  forward(x: Tensor): Tensor {
    expectTensor('BasicBlock.forward', x);
    if (x.ndim !== 4 || x.shape[1] !== this.inplanes) {
      throw new RangeError(`BasicBlock.forward: expected input [N, ${this.inplanes}, H, W], got ${formatShape(x.shape)}`);
    }
    const out = this.bn2.forward(this.conv2.forward(relu(this.bn1.forward(this.conv1.forward(x)))));
    const identity = this.downsample === null ? x : (this.downsample.forward(x) as Tensor);
    if (out.ndim !== identity.ndim || out.shape.some((s, i) => s !== identity.shape[i])) {
      throw new RangeError(`BasicBlock.forward: expected downsample to give the block's output shape ${formatShape(out.shape)}, got ${formatShape(identity.shape)}`);
    }
    return relu(add(out, identity));
  }
}

/** Options of `ResNet`, `resnet18` and `smallResnet`. */
export interface ResNetOptions {
  /** Outputs of the final Linear layer (fc). Default 1000 (ImageNet), as torchvision. */
  numClasses?: number;
  /** Channels of the input images. Default 3. */
  inChannels?: number;
  /**
   * 'imagenet' (default): torchvision's 7x7 stride-2 conv1 and 3x3 stride-2 max pool. 'cifar': a 3x3 stride-1 conv1
   * and no max pool, for 32x32 (or 28x28) images. Both have the same state-dict keys.
   */
  stem?: 'imagenet' | 'cifar';
  /** Channels of each stage (layer1, layer2, ...). Default [64, 128, 256, 512]. */
  widths?: readonly number[];
  /** Start every block's last BatchNorm weight at zero, so each block begins as the identity. Default false. */
  zeroInitResidual?: boolean;
  generator?: Generator;
}

const RESNET_OPTIONS = ['numClasses', 'inChannels', 'stem', 'widths', 'zeroInitResidual', 'generator'];

/**
 * A ResNet of BasicBlocks, after `torchvision.models.resnet.ResNet`: conv1, bn1, relu, maxpool, then one stage per
 * entry of `layers` (`layer1`, `layer2`, ...: that many blocks, the first of each stage after the first with stride
 * 2 and a 1x1 conv + BatchNorm downsample), then avgpool (AdaptiveAvgPool2d(1)), a flatten and fc. Module names and
 * state-dict keys are torchvision's, so its weights load by `loadStateDict`. Initialized as torchvision does: every
 * convolution from kaiming normal (fan_out, relu), BatchNorm weight 1 and bias 0, fc as a Linear, all from the seeded
 * generator. Matches torchvision's `ResNet(BasicBlock, layers, num_classes)` (with the 'imagenet' stem).
 */
export class ResNet extends Module {
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly relu: ReLU;
  readonly maxpool: MaxPool2d | null;
  /** The stages in order (registered as layer1, layer2, ...). */
  readonly stages: Sequential[];
  readonly avgpool: AdaptiveAvgPool2d;
  readonly fc: Linear;
  readonly inChannels: number;
  readonly numClasses: number;
  readonly stem: 'imagenet' | 'cifar';

  constructor(layers: readonly number[], options: ResNetOptions = {}) {
    super();
    if (!Array.isArray(layers) || layers.length === 0 || layers.length > 8 || layers.some((n) => typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 64)) {
      throw new RangeError(`ResNet: expected layers to be 1 to 8 block counts, each an integer in [1, 64], got ${describe(layers)}`);
    }
    const o = checkOptionsObject<ResNetOptions>('ResNet', options, RESNET_OPTIONS);
    const numClasses = checkChannels('ResNet', 'numClasses', o.numClasses ?? 1000);
    const inChannels = checkChannels('ResNet', 'inChannels', o.inChannels ?? 3);
    const stem = o.stem ?? 'imagenet';
    if (stem !== 'imagenet' && stem !== 'cifar') throw new RangeError(`ResNet: expected stem 'imagenet' or 'cifar', got ${describe(stem)}`);
    const widths = o.widths ?? [64, 128, 256, 512].slice(0, layers.length);
    if (!Array.isArray(widths) || widths.length !== layers.length) {
      throw new RangeError(`ResNet: expected widths to give one channel count per stage (${layers.length}), got ${describe(widths)}`);
    }
    widths.forEach((w, i) => checkChannels('ResNet', `widths[${i}]`, w));
    const zeroInit = o.zeroInitResidual ?? false;
    if (typeof zeroInit !== 'boolean') throw new TypeError(`ResNet: expected zeroInitResidual to be true or false, got ${describe(zeroInit)}`);
    const generator = o.generator ?? defaultGenerator;
    this.inChannels = inChannels;
    this.numClasses = numClasses;
    this.stem = stem;

    this.conv1 = stem === 'imagenet'
      ? new Conv2d(inChannels, widths[0], 7, { stride: 2, padding: 3, bias: false, generator })
      : new Conv2d(inChannels, widths[0], 3, { stride: 1, padding: 1, bias: false, generator });
    this.bn1 = new BatchNorm2d(widths[0]);
    this.relu = new ReLU();
    this.maxpool = stem === 'imagenet' ? new MaxPool2d(3, { stride: 2, padding: 1 }) : null;
    this.stages = [];
    let inplanes = widths[0];
    layers.forEach((blocks, i) => {
      const planes = widths[i], stride = i === 0 ? 1 : 2;
      const downsample = stride !== 1 || inplanes !== planes
        ? new Sequential(new Conv2d(inplanes, planes, 1, { stride, bias: false, generator }), new BatchNorm2d(planes))
        : null;
      const stage = [new BasicBlock(inplanes, planes, { stride, downsample, generator })];
      inplanes = planes;
      for (let b = 1; b < blocks; b++) stage.push(new BasicBlock(inplanes, planes, { generator }));
      this.stages.push(this.registerModule(`layer${i + 1}`, new Sequential(...stage)));
    });
    this.avgpool = new AdaptiveAvgPool2d(1);
    this.fc = new Linear(inplanes, numClasses, { generator });

    // torchvision's init: convolutions from kaiming normal (fan_out, relu); BatchNorm is already weight 1, bias 0
    for (const [name, p] of this.namedParameters()) {
      if (p.ndim === 4 && !name.startsWith('fc.')) kaimingNormal(p, { mode: 'fan_out', nonlinearity: 'relu', generator });
    }
    if (zeroInit) for (const stage of this.stages) for (const block of stage.layers as BasicBlock[]) block.bn2.weight?.data.fill(0);
  }

  forward(x: Tensor): Tensor {
    expectTensor('ResNet.forward', x);
    if (x.ndim !== 4 || x.shape[1] !== this.inChannels) {
      const hint = x.ndim === 3 ? ' (one image? add the batch dimension: x.reshape([1, ...x.shape]))' : '';
      throw new RangeError(`ResNet.forward: expected input [N, ${this.inChannels}, H, W], got ${formatShape(x.shape)}${hint}`);
    }
    let h = relu(this.bn1.forward(this.conv1.forward(x)));
    if (this.maxpool !== null) h = this.maxpool.forward(h);
    for (const stage of this.stages) h = stage.forward(h);
    h = this.avgpool.forward(h);
    return this.fc.forward(reshape(h, [h.shape[0], h.shape[1]]));
  }
}

function resnetOptions(fn: string, options: unknown, known: readonly string[]): ResNetOptions {
  return checkOptionsObject<ResNetOptions>(fn, options, known);
}

/**
 * ResNet-18 (BasicBlocks [2, 2, 2, 2] at 64, 128, 256, 512 channels, 11.7M parameters with 1000 classes), with
 * torchvision's module names and state-dict keys. `stem: 'cifar'` swaps in a 3x3 stride-1 conv1 and drops the max
 * pool, the usual layout for 32x32 CIFAR-10 images. Matches `torchvision.models.resnet18(num_classes=...)`.
 */
export function resnet18(options: Omit<ResNetOptions, 'widths'> = {}): ResNet {
  return new ResNet([2, 2, 2, 2], resnetOptions('resnet18', options, RESNET_OPTIONS.filter((k) => k !== 'widths')));
}

/**
 * A small ResNet for 28x28 images (MNIST, Fashion-MNIST): the cifar stem at 16 channels, three stages of one
 * BasicBlock each at 16, 32 and 64 channels (28 → 14 → 7), AdaptiveAvgPool2d(1) and fc; by default 1 input
 * channel and 10 classes. The layout of `resnet18` scaled down, with the same kind of module names (layer1.0.conv1.weight, ...).
 */
export function smallResnet(options: Omit<ResNetOptions, 'widths' | 'stem'> = {}): ResNet {
  const o = resnetOptions('smallResnet', options, RESNET_OPTIONS.filter((k) => k !== 'widths' && k !== 'stem'));
  return new ResNet([1, 1, 1], { ...o, widths: [16, 32, 64], stem: 'cifar', numClasses: o.numClasses ?? 10, inChannels: o.inChannels ?? 1 });
}
