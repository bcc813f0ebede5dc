import type { Tensor } from '../tensor/tensor.js';
import { getBackend } from '../tensor/backends/backend.js';
import { Optimizer, checkOption, type ParamGroup, type ParamState, type ParamsInput } from './optimizer.js';

/** RMSprop's options, `torch.optim.RMSprop`'s in camelCase. */
export interface RMSpropOptions {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
  maximize: boolean;
}

const f = Math.fround;

/**
 * RMSprop (Hinton, 2012) as `torch.optim.RMSprop`:
 *
 *     v = α v + (1 - α) g²
 *     ḡ = α ḡ + (1 - α) g,  d = sqrt(v - ḡ²) + ε   (centered)    or  d = sqrt(v) + ε
 *     b = μ b + g / d,  θ = θ - η b                 (momentum)    or  θ = θ - η g / d
 *
 * Defaults: lr 1e-2, alpha 0.99, eps 1e-8, weightDecay 0, momentum 0, centered false, maximize false.
 */
export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(params: ParamsInput<RMSpropOptions>, options: Partial<RMSpropOptions> = {}) {
    super('RMSprop', params, { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false }, options);
  }

  protected validate(o: RMSpropOptions): void {
    checkOption(o.lr >= 0, 'RMSprop', 'lr', '>= 0', o.lr);
    checkOption(o.eps >= 0, 'RMSprop', 'eps', '>= 0', o.eps);
    checkOption(o.momentum >= 0, 'RMSprop', 'momentum', '>= 0', o.momentum);
    checkOption(o.weightDecay >= 0, 'RMSprop', 'weightDecay', '>= 0', o.weightDecay);
    checkOption(o.alpha >= 0, 'RMSprop', 'alpha', '>= 0', o.alpha);
  }

  protected initState(p: Tensor, o: ParamGroup<RMSpropOptions>): ParamState {
    return {
      step: 0,
      squareAvg: new Float32Array(p.size),
      gradAvg: o.centered ? new Float32Array(p.size) : null,
      momentumBuffer: o.momentum > 0 ? new Float32Array(p.size) : null,
    };
  }

  /**
   * Centered: none (v - ḡ² may round below 0, and its square root is NaN). Otherwise G ≤ (1 + λ)b, v' ≤ max(b, G²),
   * g / (sqrt(v') + ε) ≤ G / ε, the buffer ≤ μb + G / ε, θ' ≤ b + η·(buffer or G / ε).
   */
  protected updateBound(b: number, o: ParamGroup<RMSpropOptions>): number {
    const ε = Math.fround(o.eps);
    if (o.centered || !(ε > 0)) return Infinity;
    const G = (1 + o.weightDecay) * b, scaled = G / ε;
    const buffer = o.momentum > 0 ? o.momentum * b + scaled : scaled;
    return Math.max(b + o.lr * buffer, G * G, buffer);
  }

  protected update(θ: Float32Array, grad: Float32Array, s: ParamState, o: ParamGroup<RMSpropOptions>): void {
    s.step = (s.step as number) + 1;
    const v = s.squareAvg as Float32Array, gBar = s.gradAvg as Float32Array | null, b = s.momentumBuffer as Float32Array | null;
    const η = f(o.lr), α = f(o.alpha), oneMinusα = f(1 - o.alpha), ε = f(o.eps), λ = f(o.weightDecay), μ = f(o.momentum);
    const fast = getBackend().kernels;
    if (fast !== undefined) {
      const r = (a: Float32Array | null) => (a === null ? null : fast.resident(a));
      s.squareAvg = r(v);
      s.gradAvg = r(gBar);
      s.momentumBuffer = r(b);
      fast.rmsprop(θ, grad, s.squareAvg!, s.gradAvg, s.momentumBuffer, η, α, oneMinusα, ε, λ, μ, o.maximize);
      return;
    }
    for (let i = 0; i < θ.length; i++) {
      let g = o.maximize ? -grad[i] : grad[i];
      if (λ !== 0) g = f(g + λ * θ[i]);
      v[i] = f(f(v[i] * α) + f(f(oneMinusα * g) * g));
      let d: number;
      if (gBar !== null) {
        gBar[i] = f(f(gBar[i] * α) + oneMinusα * g);
        d = f(Math.sqrt(f(v[i] - f(gBar[i] * gBar[i]))));
      } else {
        d = f(Math.sqrt(v[i]));
      }
      d = f(d + ε);
      if (b !== null && μ > 0) {
        b[i] = f(f(b[i] * μ) + f(g / d));
        θ[i] = f(θ[i] - η * b[i]);
      } else {
        θ[i] = f(θ[i] + f(f(-η * g) / d));
      }
    }
  }
}
