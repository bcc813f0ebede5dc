import type { Tensor } from '../tensor/tensor.js';
import { getBackend } from '../tensor/backends/backend.js';
import { Optimizer, checkOption, type ParamGroup, type ParamState, type ParamsInput } from './optimizer.js';

/** Adadelta's options, `torch.optim.Adadelta`'s in camelCase. */
export interface AdadeltaOptions {
  lr: number;
  rho: number;
  eps: number;
  weightDecay: number;
  maximize: boolean;
}

const f = Math.fround;

/**
 * Adadelta (Zeiler, 2012) as `torch.optim.Adadelta`:
 *
 *     v = ρ v + (1 - ρ) g²
 *     Δ = sqrt(u + ε) / sqrt(v + ε) · g
 *     u = ρ u + (1 - ρ) Δ²
 *     θ = θ - η Δ
 *
 * Defaults: lr 1.0, rho 0.9, eps 1e-6, weightDecay 0, maximize false.
 */
export class Adadelta extends Optimizer<AdadeltaOptions> {
  constructor(params: ParamsInput<AdadeltaOptions>, options: Partial<AdadeltaOptions> = {}) {
    super('Adadelta', params, { lr: 1, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false }, options);
  }

  protected validate(o: AdadeltaOptions): void {
    checkOption(o.lr >= 0, 'Adadelta', 'lr', '>= 0', o.lr);
    checkOption(o.rho >= 0 && o.rho <= 1, 'Adadelta', 'rho', 'in [0, 1]', o.rho);
    checkOption(o.eps >= 0, 'Adadelta', 'eps', '>= 0', o.eps);
    checkOption(o.weightDecay >= 0, 'Adadelta', 'weightDecay', '>= 0', o.weightDecay);
  }

  protected initState(p: Tensor): ParamState {
    return { step: 0, squareAvg: new Float32Array(p.size), accDelta: new Float32Array(p.size) };
  }

  /** G ≤ (1 + λ)b; v' ≤ max(b, G²); Δ ≤ sqrt(b + ε) / sqrt(ε)·G; u' ≤ max(b, Δ²); θ' ≤ b + η·Δ. */
  protected updateBound(b: number, o: ParamGroup<AdadeltaOptions>): number {
    const ε = Math.fround(o.eps);
    if (!(ε > 0)) return Infinity;
    const G = (1 + o.weightDecay) * b, Δ = (Math.sqrt(b + ε) / Math.sqrt(ε)) * G;
    return Math.max(b + o.lr * Δ, G * G, Δ * Δ, b);
  }

  protected update(θ: Float32Array, grad: Float32Array, s: ParamState, o: ParamGroup<AdadeltaOptions>): void {
    s.step = (s.step as number) + 1;
    const v = s.squareAvg as Float32Array, u = s.accDelta as Float32Array;
    const η = f(o.lr), ρ = f(o.rho), oneMinusρ = f(1 - o.rho), ε = f(o.eps), λ = f(o.weightDecay);
    const fast = getBackend().kernels;
    if (fast !== undefined) {
      fast.adadelta(θ, grad, (s.squareAvg = fast.resident(v)), (s.accDelta = fast.resident(u)), η, ρ, oneMinusρ, ε, λ, o.maximize);
      return;
    }
    for (let i = 0; i < θ.length; i++) {
      let g = o.maximize ? -grad[i] : grad[i];
      if (λ !== 0) g = f(g + λ * θ[i]);
      v[i] = f(f(v[i] * ρ) + f(f(oneMinusρ * g) * g));
      const std = f(Math.sqrt(f(v[i] + ε)));
      const Δ = f(f(f(Math.sqrt(f(u[i] + ε))) / std) * g);
      u[i] = f(f(u[i] * ρ) + f(f(oneMinusρ * Δ) * Δ));
      θ[i] = f(θ[i] - η * Δ);
    }
  }
}
