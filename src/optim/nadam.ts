import type { Tensor } from '../tensor/tensor.js';
import { describe } from '../format/number.js';
import { getBackend } from '../tensor/backends/backend.js';
import { Optimizer, checkOption, type OptimizerStateDict, type ParamGroup, type ParamState, type ParamsInput } from './optimizer.js';
import { validateAdam } from './adam.js';

/** NAdam's options, `torch.optim.NAdam`'s in camelCase. */
export interface NAdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  momentumDecay: number;
}

const f = Math.fround;

/**
 * NAdam (Dozat, 2016, "Incorporating Nesterov Momentum into Adam"): Adam whose step looks one momentum step ahead,
 * with a momentum coefficient μ_t that warms up over time (ψ = momentumDecay), as `torch.optim.NAdam`:
 *
 *     g = ∇θ + λθ
 *     μ_t = β1 (1 - ½ 0.96^(t ψ))        μ_{t+1} = β1 (1 - ½ 0.96^((t+1) ψ))        Π_t = Π_{t-1} μ_t
 *     m = β1 m + (1 - β1) g              v = β2 v + (1 - β2) g²
 *     d = sqrt(v) / sqrt(1 - β2^t) + ε
 *     θ = θ - η (1 - μ_t) / (1 - Π_t) · g / d  -  η μ_{t+1} / (1 - Π_t μ_{t+1}) · m / d
 *
 * Π_t is the state `muProduct`, kept in float32 as PyTorch keeps it. PyTorch 1.13's default (single-tensor) code
 * divides the m term by 1 - Π_t μ_t μ_{t+1}, using μ_t twice; its foreach code and PyTorch 2.0 divide by
 * 1 - Π_{t+1} = 1 - Π_t μ_{t+1}, as the paper does. lrlab follows the fixed formula, in the foreach code's float32
 * order, and matches torch.optim.NAdam(..., foreach=True) of 1.13 (bit for bit on the parity fixtures). Weight
 * decay is L2 added to the gradient. Defaults: lr 2e-3, betas [0.9, 0.999], eps 1e-8, weightDecay 0,
 * momentumDecay 4e-3. On a backend with fast kernels the same rule runs there, with the same bits.
 */
export class NAdam extends Optimizer<NAdamOptions> {
  constructor(params: ParamsInput<NAdamOptions>, options: Partial<NAdamOptions> = {}) {
    super('NAdam', params, { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, momentumDecay: 4e-3 }, options);
  }

  protected validate(o: NAdamOptions): void {
    validateAdam('NAdam', { ...o, amsgrad: false, maximize: false });
    checkOption(o.momentumDecay >= 0, 'NAdam', 'momentumDecay', '>= 0', o.momentumDecay);
  }

  protected initState(p: Tensor): ParamState {
    return { step: 0, muProduct: 1, expAvg: new Float32Array(p.size), expAvgSq: new Float32Array(p.size) };
  }

  /**
   * G ≤ (1 + λ)b, m' ≤ max(b, G), v' ≤ max(b, G²) (moving averages), d ≥ ε, so θ' ≤ b + (|c_g| G + |c_m| m') / ε
   * with c_g, c_m the two step sizes of the coming step (from its t and Π).
   */
  protected updateBound(b: number, o: ParamGroup<NAdamOptions>, s: ParamState): number {
    const ε = f(o.eps);
    if (!(ε > 0)) return Infinity;
    const { μ, μNext } = momentum(o, (s.step as number) + 1);
    const Π = f(f(s.muProduct as number) * f(μ));
    const cg = Math.abs((o.lr * (1 - μ)) / (1 - Π)), cm = Math.abs((o.lr * μNext) / (1 - Π * μNext));
    const G = (1 + o.weightDecay) * b, m = Math.max(b, G);
    return Math.max(b + (cg * G + cm * m) / ε, m, G * G);
  }

  protected update(θ: Float32Array, grad: Float32Array, s: ParamState, o: ParamGroup<NAdamOptions>): void {
    const [β1, β2] = o.betas;
    const t = (s.step as number) + 1;
    s.step = t;
    const { μ, μNext } = momentum(o, t);
    const Π = (s.muProduct = f(f(s.muProduct as number) * f(μ)));
    const m = s.expAvg as Float32Array, v = s.expAvgSq as Float32Array;
    const b1 = f(β1), b2 = f(β2), c1 = f(1 - β1), c2 = f(1 - β2), ε = f(o.eps), λ = f(o.weightDecay);
    const bc2Sqrt = f(Math.sqrt(1 - β2 ** t));
    const stepG = f(-((o.lr * (1 - μ)) / (1 - Π))), stepM = f(-((o.lr * μNext) / (1 - Π * μNext)));
    const fast = getBackend().kernels;
    if (fast !== undefined) {
      // the state stays in the kernels' storage from the first step on
      fast.nadam(θ, grad, (s.expAvg = fast.resident(m)), (s.expAvgSq = fast.resident(v)), b1, b2, c1, c2, ε, λ, stepG, stepM, bc2Sqrt);
      return;
    }
    // a product of two float32 values is exact in float64, so f(a + b * c) rounds once, as torch's fused
    // multiply-adds do (add with alpha, addcmul)
    for (let i = 0; i < θ.length; i++) {
      let g = grad[i];
      if (λ !== 0) g = f(g + λ * θ[i]);
      m[i] = f(f(m[i] * b1) + c1 * g);
      v[i] = f(f(v[i] * b2) + f(c2 * g) * g);
      const d = f(f(f(Math.sqrt(v[i])) / bc2Sqrt) + ε);
      θ[i] = f(θ[i] + f(f(stepG * g) / d));
      θ[i] = f(θ[i] + f(f(stepM * m[i]) / d));
    }
  }

  /**
   * As `Optimizer.loadStateDict`, and `muProduct`, a number in [0, 1] rather than a count, is checked here: the
   * base class checks every other entry, and nothing changes unless the whole dict is valid.
   */
  loadStateDict(dict: OptimizerStateDict): void {
    const state = dict?.state !== null && typeof dict?.state === 'object' ? dict.state : {};
    const products = new Map<string, number>();
    for (const [key, saved] of Object.entries(state)) {
      if (saved === null || typeof saved !== 'object' || !('muProduct' in saved)) continue;
      const v = saved.muProduct;
      if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
        throw new RangeError(`NAdam.loadStateDict: expected 'muProduct' of parameter ${key} to be a number in [0, 1], got ${describe(v)}`);
      }
      products.set(key, v);
    }
    // the base class reads numbers in state as step counts: it is given 0 for each product, put back after
    const counts = Object.fromEntries(Object.entries(state).map(([k, s]) => [k, products.has(k) ? { ...s, muProduct: 0 } : s]));
    super.loadStateDict(products.size === 0 ? dict : { ...dict, state: counts });
    this.paramGroups.forEach((g, gi) => g.params.forEach((p, i) => {
      const s = this.state.get(p), id = String((dict.paramGroups[gi].params as number[])[i]);
      if (s !== undefined && products.has(id)) s.muProduct = f(products.get(id)!);
    }));
  }
}

/** μ_t and μ_{t+1}, in float64 as PyTorch computes them. */
function momentum(o: NAdamOptions, t: number): { μ: number; μNext: number } {
  const β1 = o.betas[0], ψ = o.momentumDecay;
  return { μ: β1 * (1 - 0.5 * 0.96 ** (t * ψ)), μNext: β1 * (1 - 0.5 * 0.96 ** ((t + 1) * ψ)) };
}
