import type { Tensor } from '../tensor/tensor.js';
import { describe } from '../format/number.js';
import { Optimizer, checkOption, type OptimizerStateDict, type ParamGroup, type ParamState, type ParamsInput } from './optimizer.js';

/** ASGD's options, `torch.optim.ASGD`'s in camelCase. */
export interface ASGDOptions {
  lr: number;
  lambd: number;
  alpha: number;
  t0: number;
  weightDecay: number;
  maximize: boolean;
}

const f = Math.fround;

/**
 * Averaged stochastic gradient descent (Polyak and Juditsky, 1992) as `torch.optim.ASGD`: SGD with a decaying rate
 * η_t, and a running average ax of the iterates that starts at step t0.
 *
 *     g = ∇θ (+ λ_wd θ)                weight decay as L2 added to the gradient
 *     θ = θ (1 - λ η)                   the decay term, with η from the previous step
 *     θ = θ - η g
 *     ax = ax + μ (θ - ax)              (ax = θ while μ = 1)
 *     η = lr / (1 + λ lr t)^α           μ = 1 / max(1, t - t0)
 *
 * η starts at lr and μ at 1. Defaults: lr 1e-2, lambd 1e-4, alpha 0.75, t0 1e6, weightDecay 0, maximize false. As
 * torch, η and μ are float32 numbers (0-dim tensors there) computed in float64 from the step count, and the next
 * η uses the group's lr at this step (so a scheduler's lr reaches θ one step later). Matches torch.optim.ASGD
 * (single-tensor path); the state dict holds step, eta, mu and ax.
 */
export class ASGD extends Optimizer<ASGDOptions> {
  constructor(params: ParamsInput<ASGDOptions>, options: Partial<ASGDOptions> = {}) {
    super('ASGD', params, { lr: 1e-2, lambd: 1e-4, alpha: 0.75, t0: 1e6, weightDecay: 0, maximize: false }, options);
  }

  protected validate(o: ASGDOptions): void {
    checkOption(o.lr >= 0, 'ASGD', 'lr', '>= 0', o.lr);
    checkOption(o.weightDecay >= 0, 'ASGD', 'weightDecay', '>= 0', o.weightDecay);
  }

  protected initState(p: Tensor, o: ParamGroup<ASGDOptions>): ParamState {
    return { step: 0, eta: f(o.lr), mu: 1, ax: new Float32Array(p.size) };
  }

  /** G ≤ (1 + λ_wd)b; θ' ≤ |1 - λη| b + η G; ax' lies between ax and θ', so within max(b, θ'). */
  protected updateBound(b: number, o: ParamGroup<ASGDOptions>, s: ParamState): number {
    const η = s.eta as number;
    return Math.max(b, Math.abs(1 - o.lambd * η) * b + η * (1 + o.weightDecay) * b);
  }

  protected update(θ: Float32Array, grad: Float32Array, s: ParamState, o: ParamGroup<ASGDOptions>): void {
    const t = (s.step as number) + 1;
    s.step = t;
    const η = s.eta as number, μ = s.mu as number, ax = s.ax as Float32Array;
    const λ = o.lambd, wd = f(o.weightDecay), decay = f(1 - λ * η), minusη = f(-η);
    for (let i = 0; i < θ.length; i++) {
      let g = o.maximize ? -grad[i] : grad[i];
      // torch's add with alpha is one fused multiply-add: g + wd θ rounded once (the product is exact in float64)
      if (wd !== 0) g = f(g + wd * θ[i]);
      θ[i] = f(θ[i] * decay);
      θ[i] = f(θ[i] + minusη * g);
      ax[i] = μ !== 1 ? f(ax[i] + f(f(θ[i] - ax[i]) * μ)) : θ[i];
    }
    s.eta = f(o.lr / Math.pow(1 + λ * o.lr * t, o.alpha));
    s.mu = f(1 / Math.max(1, t - o.t0));
  }

  /**
   * As `Optimizer.loadStateDict`, with eta and mu checked here: they are float32 numbers (eta finite and >= 0, mu
   * in (0, 1]), where the base class reads every other number of a state as a step count.
   */
  loadStateDict(dict: OptimizerStateDict): void {
    const where = 'ASGD.loadStateDict';
    const scalars = new Map<string, { eta: number; mu: number }>();
    const counters: OptimizerStateDict['state'] = {};
    const state = dict !== null && typeof dict === 'object' && dict.state !== null && typeof dict.state === 'object' ? dict.state : null;
    if (state !== null) {
      for (const [key, saved] of Object.entries(state)) {
        if (saved === null || typeof saved !== 'object' || !('eta' in saved) || !('mu' in saved)) {
          counters[Number(key)] = saved; // the base class names what is wrong
          continue;
        }
        const { eta, mu } = saved;
        if (typeof eta !== 'number' || !Number.isFinite(eta) || eta < 0) throw new RangeError(`${where}: expected 'eta' of parameter ${key} to be a finite number >= 0, got ${describe(eta)}`);
        if (typeof mu !== 'number' || !(mu > 0 && mu <= 1)) throw new RangeError(`${where}: expected 'mu' of parameter ${key} to be a number in (0, 1], got ${describe(mu)}`);
        scalars.set(key, { eta: f(eta), mu: f(mu) });
        counters[Number(key)] = { ...saved, eta: 0, mu: 0 }; // placeholders the base class reads as counters
      }
    }
    super.loadStateDict(state === null ? dict : { ...dict, state: counters });
    let index = 0;
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        const s = this.state.get(p), kept = scalars.get(String(index++));
        if (s !== undefined && kept !== undefined) Object.assign(s, kept);
      }
    }
  }
}
