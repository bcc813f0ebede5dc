import type { Tensor } from '../tensor/tensor.js';
import { getBackend } from '../tensor/backends/backend.js';
import { Optimizer, type ParamGroup, type ParamState, type ParamsInput } from './optimizer.js';
import { validateAdam } from './adam.js';

/** Adamax's options, `torch.optim.Adamax`'s in camelCase. */
export interface AdamaxOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  maximize: boolean;
}

const f = Math.fround;

/**
 * Adamax (Kingma and Ba, 2015, section 7.1): Adam with the L2 norm of the past gradients replaced by their
 * exponentially weighted infinity norm u, as `torch.optim.Adamax`:
 *
 *     g = ∇θ + λθ
 *     m = β1 m + (1 - β1) g
 *     u = max(β2 u, |g| + ε)
 *     θ = θ - (η / (1 - β1^t)) · m / u
 *
 * u needs no bias correction (it does not start biased toward 0 the way an average does). ε is added to |g| inside
 * the max, as PyTorch does, so u ≥ ε. Weight decay is L2 added to the gradient. Matches torch.optim.Adamax of 1.13
 * in float32. Defaults: lr 2e-3, betas [0.9, 0.999], eps 1e-8, weightDecay 0, maximize false. On a backend with fast
 * kernels the same rule runs there, with the same bits.
 */
export class Adamax extends Optimizer<AdamaxOptions> {
  constructor(params: ParamsInput<AdamaxOptions>, options: Partial<AdamaxOptions> = {}) {
    super('Adamax', params, { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maximize: false }, options);
  }

  protected validate(o: AdamaxOptions): void {
    validateAdam('Adamax', { ...o, amsgrad: false });
  }

  protected initState(p: Tensor): ParamState {
    return { step: 0, expAvg: new Float32Array(p.size), expInf: new Float32Array(p.size) };
  }

  /** G ≤ (1 + λ)b, m' ≤ max(b, G), u' ≤ max(b, G + ε) and u' ≥ ε, so θ' ≤ b + η m' / ((1 - β1^t) ε). */
  protected updateBound(b: number, o: ParamGroup<AdamaxOptions>, s: ParamState): number {
    const ε = f(o.eps);
    if (!(ε > 0)) return Infinity;
    const G = (1 + o.weightDecay) * b, m = Math.max(b, G);
    const clr = o.lr / (1 - o.betas[0] ** ((s.step as number) + 1));
    return Math.max(b + (clr * m) / ε, m, G + ε);
  }

  protected update(θ: Float32Array, grad: Float32Array, s: ParamState, o: ParamGroup<AdamaxOptions>): void {
    const [β1, β2] = o.betas;
    const t = (s.step as number) + 1;
    s.step = t;
    const m = s.expAvg as Float32Array, u = s.expInf as Float32Array;
    const b1 = f(β1), b2 = f(β2), c1 = f(1 - β1), ε = f(o.eps), λ = f(o.weightDecay);
    const stepSize = f(-(o.lr / (1 - β1 ** t)));
    const fast = getBackend().kernels;
    if (fast !== undefined) {
      // the state stays in the kernels' storage from the first step on
      fast.adamax(θ, grad, (s.expAvg = fast.resident(m)), (s.expInf = fast.resident(u)), b1, b2, c1, ε, λ, stepSize, o.maximize);
      return;
    }
    for (let i = 0; i < θ.length; i++) {
      let g = o.maximize ? -grad[i] : grad[i];
      // a product of two float32 values is exact in float64, so f(a + b * c) rounds once, as torch's fused
      // multiply-add does (add with alpha)
      if (λ !== 0) g = f(g + λ * θ[i]);
      m[i] = f(f(m[i] * b1) + c1 * g);
      u[i] = Math.max(f(u[i] * b2), f(Math.abs(g) + ε));
      θ[i] = f(θ[i] + f(f(stepSize * m[i]) / u[i]));
    }
  }
}
