import type { Tensor } from '../tensor/tensor.js';
import { getBackend } from '../tensor/backends/backend.js';
import { Optimizer, type ParamGroup, type ParamState, type ParamsInput } from './optimizer.js';
import { validateAdam } from './adam.js';

/** RAdam's options, `torch.optim.RAdam`'s in camelCase. */
export interface RAdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
}

const f = Math.fround;

/**
 * RAdam (Liu et al., 2020, "On the Variance of the Adaptive Learning Rate and Beyond"): Adam whose adaptive step is
 * scaled by a rectification term r_t while the variance of v is still tractable, and left out (a momentum step)
 * while it is not, as `torch.optim.RAdam`:
 *
 *     g = ∇θ + λθ
 *     m = β1 m + (1 - β1) g              v = β2 v + (1 - β2) g²            m̂ = m / (1 - β1^t)
 *     ρ∞ = 2 / (1 - β2) - 1              ρ_t = ρ∞ - 2 t β2^t / (1 - β2^t)
 *     ρ_t > 5:  r_t = sqrt((ρ_t - 4)(ρ_t - 2) ρ∞ / ((ρ∞ - 4)(ρ∞ - 2) ρ_t)),  l = sqrt(1 - β2^t) / (sqrt(v) + ε)
 *               θ = θ - η m̂ l r_t
 *     else:     θ = θ - η m̂
 *
 * ρ_t is the length of the approximated simple moving average: about t at first, rising to ρ∞; with β2 = 0.999
 * (or 0.99, or 0.9) it first passes 5 at step 6, and with β2 ≤ 2/3 (ρ∞ ≤ 5) never. ε is added to sqrt(v) before
 * the bias correction, and weight decay is L2 added to the gradient, as in PyTorch 1.13. Matches torch.optim.RAdam
 * of 1.13 in its default (single-tensor) float32 order; 1.13's foreach code leaves ε out. Defaults: lr 1e-3, betas
 * [0.9, 0.999], eps 1e-8, weightDecay 0. On a backend with fast kernels the same rule runs there, with the same bits.
 */
export class RAdam extends Optimizer<RAdamOptions> {
  constructor(params: ParamsInput<RAdamOptions>, options: Partial<RAdamOptions> = {}) {
    super('RAdam', params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 }, options);
  }

  protected validate(o: RAdamOptions): void {
    validateAdam('RAdam', { ...o, amsgrad: false, maximize: false });
  }

  protected initState(p: Tensor): ParamState {
    return { step: 0, expAvg: new Float32Array(p.size), expAvgSq: new Float32Array(p.size) };
  }

  /**
   * G ≤ (1 + λ)b, m' ≤ max(b, G), v' ≤ max(b, G²); the step is η m' / (1 - β1^t), times sqrt(1 - β2^t) r_t / ε
   * when rectified (sqrt(v) + ε ≥ ε).
   */
  protected updateBound(b: number, o: ParamGroup<RAdamOptions>, s: ParamState): number {
    const t = (s.step as number) + 1, r = rectification(o.betas[1], t);
    const ε = f(o.eps);
    if (r !== null && !(ε > 0)) return Infinity;
    const G = (1 + o.weightDecay) * b, m = Math.max(b, G);
    const move = ((o.lr * m) / (1 - o.betas[0] ** t)) * (r === null ? 1 : (Math.sqrt(1 - o.betas[1] ** t) * r) / ε);
    return Math.max(b + move, m, G * G);
  }

  protected update(θ: Float32Array, grad: Float32Array, s: ParamState, o: ParamGroup<RAdamOptions>): void {
    const [β1, β2] = o.betas;
    const t = (s.step as number) + 1;
    s.step = t;
    const m = s.expAvg as Float32Array, v = s.expAvgSq as Float32Array;
    const b1 = f(β1), b2 = f(β2), c1 = f(1 - β1), c2 = f(1 - β2), ε = f(o.eps), λ = f(o.weightDecay), η = f(o.lr);
    const bc1 = f(1 - β1 ** t), bc2Sqrt = f(Math.sqrt(1 - β2 ** t));
    const r = rectification(β2, t), rt = r === null ? 0 : f(r);
    const fast = getBackend().kernels;
    if (fast !== undefined) {
      // the state stays in the kernels' storage from the first step on
      fast.radam(θ, grad, (s.expAvg = fast.resident(m)), (s.expAvgSq = fast.resident(v)), b1, b2, c1, c2, ε, λ, η, bc1, bc2Sqrt, rt, r !== null);
      return;
    }
    // a product of two float32 values is exact in float64, so f(a + b * c) rounds once, as torch's fused
    // multiply-adds do (add with alpha, addcmul)
    for (let i = 0; i < θ.length; i++) {
      let g = grad[i];
      if (λ !== 0) g = f(g + λ * θ[i]);
      m[i] = f(f(m[i] * b1) + c1 * g);
      v[i] = f(f(v[i] * b2) + f(c2 * g) * g);
      const mHat = f(m[i] / bc1);
      if (r === null) {
        θ[i] = f(θ[i] - f(mHat * η));
        continue;
      }
      // PyTorch writes l = sqrt(1 - β2^t) / (sqrt(v) + ε), which a tensor computes as its reciprocal times the number
      const l = f(f(1 / f(f(Math.sqrt(v[i])) + ε)) * bc2Sqrt);
      θ[i] = f(θ[i] - f(f(f(mHat * η) * l) * rt));
    }
  }
}

/** r_t when ρ_t > 5, else null (no rectified step), in float64 as PyTorch computes it. */
function rectification(β2: number, t: number): number | null {
  const ρInf = 2 / (1 - β2) - 1;
  const ρt = ρInf - (2 * t * β2 ** t) / (1 - β2 ** t);
  if (!(ρt > 5)) return null;
  return Math.sqrt(((ρt - 4) * (ρt - 2) * ρInf) / ((ρInf - 4) * (ρInf - 2) * ρt));
}
