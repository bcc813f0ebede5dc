import { getBackend } from '../tensor/backends/backend.js';
import { Optimizer, checkOption, type ParamGroup, type ParamState, type ParamsInput } from './optimizer.js';

/** SGD's options, `torch.optim.SGD`'s in camelCase. */
export interface SGDOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
}

const f = Math.fround;

/**
 * Stochastic gradient descent with momentum (Sutskever et al., 2013), as `torch.optim.SGD`:
 *
 *     g = ∇θ (+ λθ)            weight decay as L2 added to the gradient
 *     b = g on the first step, else b = μ b + (1 - τ) g
 *     g = g + μ b (nesterov) or g = b
 *     θ = θ - η g
 *
 * Defaults: lr 1e-3 (PyTorch 2's default), momentum 0, dampening 0, weightDecay 0, nesterov false, maximize false.
 * Any momentum >= 0 is accepted, as torch.optim.SGD accepts it, so options copied from PyTorch behave the same;
 * at 1 or more b never decays, and the error of a step that then meets non-finite gradients names the momentum as
 * the likely cause.
 * Float32 rounding follows PyTorch's op order, so 25 steps agree with torch to a few ulp.
 */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: ParamsInput<SGDOptions>, options: Partial<SGDOptions> = {}) {
    super('SGD', params, { lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false }, options);
  }

  protected validate(o: SGDOptions): void {
    checkOption(o.lr >= 0, 'SGD', 'lr', '>= 0', o.lr);
    checkOption(o.momentum >= 0, 'SGD', 'momentum', '>= 0', o.momentum);
    checkOption(o.weightDecay >= 0, 'SGD', 'weightDecay', '>= 0', o.weightDecay);
    checkOption(Number.isFinite(o.dampening), 'SGD', 'dampening', 'a finite number', o.dampening);
    checkOption(!o.nesterov || (o.momentum > 0 && o.dampening === 0), 'SGD', 'nesterov', 'used with momentum > 0 and dampening 0', o.nesterov);
  }

  /** Momentum >= 1 in any group: b = μb + (1 - τ)g keeps every gradient it has seen, so the steps grow. */
  protected divergenceHint(): string {
    const groups = this.paramGroups;
    const high = groups.flatMap((g, i) => (g.momentum >= 1 ? [groups.length > 1 ? `${g.momentum} in group ${i}` : `${g.momentum}`] : []));
    if (high.length === 0) return '';
    return `; momentum ${high.join(', ')} is the likely cause: at 1 or more the momentum buffer b = μb + (1 - τ)g never decays, so the steps grow until the model overflows (PyTorch accepts any momentum >= 0 too; values below 1, such as 0.9, are the usual ones)`;
  }

  protected initState(): ParamState {
    return { momentumBuffer: null };
  }

  /** Gradient G ≤ (1 + λ)b; buffer ≤ μb + |1 - τ|G; direction ≤ G + μ·buffer (Nesterov) or the buffer; θ' ≤ b + η·direction. */
  protected updateBound(b: number, o: ParamGroup<SGDOptions>): number {
    const G = (1 + o.weightDecay) * b;
    if (o.momentum === 0) return b + o.lr * G;
    const buffer = o.momentum * b + Math.abs(1 - o.dampening) * G + G;
    return Math.max(buffer, b + o.lr * (G + o.momentum * buffer + buffer));
  }

  protected update(θ: Float32Array, grad: Float32Array, state: ParamState, o: ParamGroup<SGDOptions>): void {
    const η = f(o.lr), λ = f(o.weightDecay), μ = f(o.momentum), oneMinusτ = f(1 - o.dampening);
    let b = state.momentumBuffer as Float32Array | null;
    const first = b === null;
    if (μ !== 0 && b === null) b = state.momentumBuffer = new Float32Array(θ.length);
    const fast = getBackend().kernels;
    if (fast !== undefined) {
      if (b !== null) b = state.momentumBuffer = fast.resident(b);
      fast.sgd(θ, grad, b, η, λ, μ, oneMinusτ, first, o.nesterov, o.maximize);
      return;
    }
    for (let i = 0; i < θ.length; i++) {
      let g = o.maximize ? -grad[i] : grad[i];
      if (λ !== 0) g = f(g + λ * θ[i]);
      if (b !== null) {
        b[i] = first ? g : f(f(b[i] * μ) + oneMinusτ * g);
        g = o.nesterov ? f(g + μ * b[i]) : b[i];
      }
      θ[i] = f(θ[i] - η * g);
    }
  }
}
