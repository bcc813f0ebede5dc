import type { Tensor } from '../tensor/tensor.js';
import { adaptiveAvgPool2d, adaptiveSize, type AdaptiveSize2 } from '../autograd/ops/adaptive-pool.js';
import { Module } from './module.js';

/**
 * The mean over adaptive windows to a fixed output size, as `torch.nn.AdaptiveAvgPool2d`: `new AdaptiveAvgPool2d(1)`
 * is the global average a ResNet ends with, whatever the input's height and width (see `adaptiveAvgPool2d`).
 */
export class AdaptiveAvgPool2d extends Module {
  readonly outputSize: [number | null, number | null];

  constructor(outputSize: AdaptiveSize2) {
    super();
    this.outputSize = adaptiveSize('AdaptiveAvgPool2d', outputSize);
  }

  forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize);
  }
}
