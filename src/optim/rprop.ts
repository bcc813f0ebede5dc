import type { Tensor } from '../tensor/tensor.js';
import { Optimizer, checkOption, type ParamGroup, type ParamState, type ParamsInput } from './optimizer.js';

/** Rprop's options, `torch.optim.Rprop`'s in camelCase: etas = [η-, η+], stepSizes = [Γmin, Γmax]. */
export interface RpropOptions {
  lr: number;
  etas: [number, number];
  stepSizes: [number, number];
  maximize: boolean;
}

const f = Math.fround;

/**
 * Resilient backpropagation (Riedmiller and Braun, 1993) as `torch.optim.Rprop`: each coordinate keeps its own step
 * size Γ, grown while its gradient keeps its sign and cut when the sign flips; only the gradient's sign is used.
 *
 *     Γ = min(Γ η+, Γmax)      if g g_prev > 0
 *     Γ = max(Γ η-, Γmin), g = 0   if g g_prev < 0      (no move now, and no sign to compare next step)
 *     θ = θ - Γ sign(g)        g_prev = g
 *
 * Γ starts at lr. Defaults: lr 1e-2, etas [0.5, 1.2], stepSizes [1e-6, 50], maximize false. As torch, the factor is
 * chosen from the sign of the float32 product g·g_prev (a product that underflows to 0 keeps Γ), and the factors
 * and bounds are float32. Matches torch.optim.Rprop (single-tensor path) to the bit.
 */
export class Rprop extends Optimizer<RpropOptions> {
  constructor(params: ParamsInput<RpropOptions>, options: Partial<RpropOptions> = {}) {
    super('Rprop', params, { lr: 1e-2, etas: [0.5, 1.2], stepSizes: [1e-6, 50], maximize: false }, options);
  }

  protected validate(o: RpropOptions): void {
    checkOption(o.lr >= 0, 'Rprop', 'lr', '>= 0', o.lr);
    checkOption(o.etas[0] > 0 && o.etas[0] < 1, 'Rprop', 'etas[0]', 'in (0, 1)', o.etas[0]);
    checkOption(o.etas[1] > 1, 'Rprop', 'etas[1]', '> 1', o.etas[1]);
  }

  protected initState(p: Tensor, o: ParamGroup<RpropOptions>): ParamState {
    return { step: 0, prev: new Float32Array(p.size), stepSize: new Float32Array(p.size).fill(o.lr) };
  }

  /** Γ' is clamped into the step-size bounds, so θ' ≤ b + max(|Γmin|, |Γmax|); g_prev' ≤ b. */
  protected updateBound(b: number, o: ParamGroup<RpropOptions>): number {
    return b + Math.max(Math.abs(f(o.stepSizes[0])), Math.abs(f(o.stepSizes[1])));
  }

  protected update(θ: Float32Array, grad: Float32Array, s: ParamState, o: ParamGroup<RpropOptions>): void {
    s.step = (s.step as number) + 1;
    const gPrev = s.prev as Float32Array, Γ = s.stepSize as Float32Array;
    const ηMinus = f(o.etas[0]), ηPlus = f(o.etas[1]), Γmin = f(o.stepSizes[0]), Γmax = f(o.stepSizes[1]);
    for (let i = 0; i < θ.length; i++) {
      let g = o.maximize ? -grad[i] : grad[i];
      const product = f(g * gPrev[i]);
      const factor = product > 0 ? ηPlus : product < 0 ? ηMinus : 1;
      Γ[i] = Math.min(Math.max(f(Γ[i] * factor), Γmin), Γmax);
      // torch zeroes g where the factor equals η- (as float32), which is where the sign flipped
      if (factor === ηMinus) g = 0;
      θ[i] = f(θ[i] - Math.sign(g) * Γ[i]);
      gPrev[i] = g;
    }
  }
}
