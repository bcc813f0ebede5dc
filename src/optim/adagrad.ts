import type { Tensor } from '../tensor/tensor.js';
import { getBackend } from '../tensor/backends/backend.js';
import { Optimizer, checkOption, type ParamGroup, type ParamState, type ParamsInput } from './optimizer.js';

/** Adagrad's options, `torch.optim.Adagrad`'s in camelCase. */
export interface AdagradOptions {
  lr: number;
  lrDecay: number;
  weightDecay: number;
  initialAccumulatorValue: number;
  eps: number;
  maximize: boolean;
}

const f = Math.fround;

/**
 * Adagrad (Duchi et al., 2011) as `torch.optim.Adagrad`:
 *
 *     η_t = η / (1 + (t - 1) δ)       δ = lrDecay
 *     G = G + g²
 *     θ = θ - η_t g / (sqrt(G) + ε)
 *
 * G starts at initialAccumulatorValue. Defaults: lr 1e-2, lrDecay 0, weightDecay 0, initialAccumulatorValue 0,
 * eps 1e-10, maximize false.
 */
export class Adagrad extends Optimizer<AdagradOptions> {
  constructor(params: ParamsInput<AdagradOptions>, options: Partial<AdagradOptions> = {}) {
    super('Adagrad', params, { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false }, options);
  }

  protected validate(o: AdagradOptions): void {
    checkOption(o.lr >= 0, 'Adagrad', 'lr', '>= 0', o.lr);
    checkOption(o.lrDecay >= 0, 'Adagrad', 'lrDecay', '>= 0', o.lrDecay);
    checkOption(o.weightDecay >= 0, 'Adagrad', 'weightDecay', '>= 0', o.weightDecay);
    checkOption(o.initialAccumulatorValue >= 0, 'Adagrad', 'initialAccumulatorValue', '>= 0', o.initialAccumulatorValue);
    checkOption(o.eps >= 0, 'Adagrad', 'eps', '>= 0', o.eps);
  }

  protected initState(p: Tensor, o: ParamGroup<AdagradOptions>): ParamState {
    return { step: 0, sum: new Float32Array(p.size).fill(o.initialAccumulatorValue) };
  }

  /** G ≤ (1 + λ)b; the sum ≤ b + G²; η_t ≤ η and g / (sqrt(sum) + ε) ≤ G / ε, so θ' ≤ b + η·G / ε. */
  protected updateBound(b: number, o: ParamGroup<AdagradOptions>): number {
    const ε = Math.fround(o.eps);
    if (!(ε > 0)) return Infinity;
    const G = (1 + o.weightDecay) * b;
    return Math.max(b + o.lr * (G / ε), b + G * G);
  }

  protected update(θ: Float32Array, grad: Float32Array, s: ParamState, o: ParamGroup<AdagradOptions>): void {
    const t = (s.step as number) + 1;
    s.step = t;
    const G = s.sum as Float32Array;
    const ηt = f(-(o.lr / (1 + (t - 1) * o.lrDecay))), λ = f(o.weightDecay), ε = f(o.eps);
    const fast = getBackend().kernels;
    if (fast !== undefined) {
      fast.adagrad(θ, grad, (s.sum = fast.resident(G)), ηt, λ, ε, o.maximize);
      return;
    }
    for (let i = 0; i < θ.length; i++) {
      let g = o.maximize ? -grad[i] : grad[i];
      if (λ !== 0) g = f(g + λ * θ[i]);
      G[i] = f(G[i] + f(g * g));
      const std = f(f(Math.sqrt(G[i])) + ε);
      θ[i] = f(θ[i] + f(f(ηt * g) / std));
    }
  }
}
