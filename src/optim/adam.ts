import type { Tensor } from '../tensor/tensor.js';
import { getBackend } from '../tensor/backends/backend.js';
import { Optimizer, checkOption, type ParamGroup, type ParamState, type ParamsInput } from './optimizer.js';

/** Adam's and AdamW's options, `torch.optim.Adam`'s in camelCase. */
export interface AdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}

const f = Math.fround;

/** Checks Adam's options as PyTorch does, naming the optimizer in the message. */
export function validateAdam(name: string, o: AdamOptions): void {
  checkOption(o.lr >= 0, name, 'lr', '>= 0', o.lr);
  checkOption(o.eps >= 0, name, 'eps', '>= 0', o.eps);
  checkOption(Array.isArray(o.betas) && o.betas.length === 2, name, 'betas', 'a pair [beta1, beta2]', o.betas);
  checkOption(o.betas[0] >= 0 && o.betas[0] < 1, name, 'betas[0]', 'in [0, 1)', o.betas[0]);
  checkOption(o.betas[1] >= 0 && o.betas[1] < 1, name, 'betas[1]', 'in [0, 1)', o.betas[1]);
  checkOption(o.weightDecay >= 0, name, 'weightDecay', '>= 0', o.weightDecay);
}

/** Adam's per-parameter state: the step count and the moment buffers. */
export function initAdamState(p: Tensor, o: AdamOptions): ParamState {
  return {
    step: 0,
    expAvg: new Float32Array(p.size),
    expAvgSq: new Float32Array(p.size),
    maxExpAvgSq: o.amsgrad ? new Float32Array(p.size) : null,
  };
}

/**
 * The Adam moment update shared by Adam and AdamW; `λ` is the L2 coefficient added to the gradient (0 for AdamW).
 *
 *     m = β1 m + (1 - β1) g          v = β2 v + (1 - β2) g²        (v̂max = max(v̂max, v) with amsgrad)
 *     θ = θ - (η / (1 - β1^t)) · m / (sqrt(v) / sqrt(1 - β2^t) + ε)
 *
 * ε is added after the square root of the bias-corrected v, as PyTorch does. AdamW passes its decoupled decay
 * factor as `decay` (θ = θ · decay first); Adam passes 1. On a backend with fast kernels the same rule runs there,
 * with the same bits.
 */
export function adamUpdate(θ: Float32Array, grad: Float32Array, s: ParamState, o: AdamOptions, λ: number, decay = 1): void {
  const [β1, β2] = o.betas;
  const t = (s.step as number) + 1;
  s.step = t;
  const m = s.expAvg as Float32Array, v = s.expAvgSq as Float32Array, vMax = s.maxExpAvgSq as Float32Array | null;
  const stepSize = f(-(o.lr / (1 - β1 ** t))), bc2Sqrt = f(Math.sqrt(1 - β2 ** t));
  const b1 = f(β1), b2 = f(β2), c1 = f(1 - β1), c2 = f(1 - β2), ε = f(o.eps), wd = f(λ), d = f(decay);
  const fast = getBackend().kernels;
  if (fast !== undefined) {
    // the state stays in the kernels' storage from the first step on
    const mk = (s.expAvg = fast.resident(m)), vk = (s.expAvgSq = fast.resident(v)), vMaxk = vMax === null ? null : (s.maxExpAvgSq = fast.resident(vMax));
    fast.adam(θ, grad, mk, vk, vMaxk, b1, b2, c1, c2, ε, wd, stepSize, bc2Sqrt, d, o.maximize);
    return;
  }
  if (d !== 1) for (let i = 0; i < θ.length; i++) θ[i] = f(θ[i] * d);
  for (let i = 0; i < θ.length; i++) {
    let g = o.maximize ? -grad[i] : grad[i];
    if (wd !== 0) g = f(g + wd * θ[i]);
    m[i] = f(f(m[i] * b1) + c1 * g);
    v[i] = f(f(v[i] * b2) + f(f(c2 * g) * g));
    let vi = v[i];
    if (vMax !== null) vi = vMax[i] = Math.max(vMax[i], vi);
    const denom = f(f(f(Math.sqrt(vi)) / bc2Sqrt) + ε);
    θ[i] = f(θ[i] + f(f(stepSize * m[i]) / denom));
  }
}

/**
 * Adam (Kingma and Ba, 2015) as `torch.optim.Adam`; weight decay is L2 added to the gradient (g = ∇θ + λθ).
 * Defaults: lr 1e-3, betas [0.9, 0.999], eps 1e-8, weightDecay 0, amsgrad false, maximize false.
 */
/**
 * The bound `Optimizer.updateBound` asks for, for Adam's rule (AdamW: λ 0 and its decay): with every input at most
 * b, the decayed parameter is at most |decay| b, the gradient G = b + λ|decay| b, m' and v' stay within max(b, G)
 * and max(b, G²) (moving averages), and the step stepSize · m' / (sqrt(v̂) / bc2 + ε) is at most stepSize · m' / ε.
 */
export function adamBound(b: number, s: ParamState, o: AdamOptions, λ: number, decay = 1): number {
  const ε = f(o.eps);
  if (!(ε > 0)) return Infinity;
  const θ = Math.abs(decay) * b, G = b + λ * θ;
  const m = Math.max(b, G), v = Math.max(b, G * G);
  const stepSize = o.lr / (1 - o.betas[0] ** ((s.step as number) + 1));
  return Math.max(θ + stepSize * (m / ε), m, v);
}

export class Adam extends Optimizer<AdamOptions> {
  constructor(params: ParamsInput<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super('Adam', params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false }, options);
  }

  protected validate(o: AdamOptions): void {
    validateAdam('Adam', o);
  }

  protected initState(p: Tensor, o: ParamGroup<AdamOptions>): ParamState {
    return initAdamState(p, o);
  }

  protected update(θ: Float32Array, grad: Float32Array, s: ParamState, o: ParamGroup<AdamOptions>): void {
    adamUpdate(θ, grad, s, o, o.weightDecay);
  }

  protected updateBound(b: number, o: ParamGroup<AdamOptions>, s: ParamState): number {
    return adamBound(b, s, o, o.weightDecay);
  }
}
