import type { Tensor } from '../tensor/tensor.js';
import { Optimizer, type ParamGroup, type ParamState, type ParamsInput } from './optimizer.js';
import { adamBound, adamUpdate, initAdamState, validateAdam, type AdamOptions } from './adam.js';

/**
 * AdamW (Loshchilov and Hutter, 2019) as `torch.optim.AdamW`: Adam with decoupled weight decay, applied to the
 * parameter before the moment update instead of being added to the gradient:
 *
 *     θ = θ (1 - η λ),   then the Adam step with g = ∇θ
 *
 * Defaults: lr 1e-3, betas [0.9, 0.999], eps 1e-8, weightDecay 0.01, amsgrad false, maximize false.
 */
export class AdamW extends Optimizer<AdamOptions> {
  constructor(params: ParamsInput<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super('AdamW', params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01, amsgrad: false, maximize: false }, options);
  }

  protected validate(o: AdamOptions): void {
    validateAdam('AdamW', o);
  }

  protected initState(p: Tensor, o: ParamGroup<AdamOptions>): ParamState {
    return initAdamState(p, o);
  }

  protected update(θ: Float32Array, grad: Float32Array, s: ParamState, o: ParamGroup<AdamOptions>): void {
    adamUpdate(θ, grad, s, o, 0, 1 - o.lr * o.weightDecay);
  }

  protected updateBound(b: number, o: ParamGroup<AdamOptions>, s: ParamState): number {
    return adamBound(b, s, o, 0, 1 - o.lr * o.weightDecay);
  }
}
