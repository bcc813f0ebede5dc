import { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { describe } from '../format/number.js';
import { Optimizer, NonFiniteStepError, checkOption, type OptimizerStateDict, type ParamGroup, type ParamState, type ParamsInput } from './optimizer.js';
import { F32, type Num, div, gt, le, mul, numberOf, pyMin, dot, maxAbs, sumAbs } from './float32-scalars.js';
import { strongWolfe } from './strong-wolfe.js';
import { checkState, copyState, type LBFGSState } from './lbfgs-state.js';

export type { LBFGSState } from './lbfgs-state.js';

/**
 * LBFGS's options, `torch.optim.LBFGS`'s in camelCase. lineSearchFn takes PyTorch's value 'strong_wolfe' (kept as
 * written, so code and state dicts carry over from PyTorch); 'strongWolfe' is accepted as the same.
 */
export interface LBFGSOptions {
  lr: number;
  maxIter: number;
  maxEval: number;
  toleranceGrad: number;
  toleranceChange: number;
  historySize: number;
  lineSearchFn: 'strong_wolfe' | 'strongWolfe' | null;
}

const f = Math.fround;

/**
 * Limited-memory BFGS (Nocedal, 1980; Liu and Nocedal, 1989) as `torch.optim.LBFGS`: each `step(closure)` runs up
 * to maxIter iterations, each moving along d = -H g, where H is the inverse Hessian estimated from the last
 * historySize pairs s = θ' - θ, y = g' - g (the two-loop recursion):
 *
 *     q = -g;  for i newest..oldest: a_i = ρ_i s_iᵀq,  q = q - a_i y_i        ρ_i = 1 / y_iᵀs_i
 *     r = γ q  (γ = sᵀy / yᵀy of the newest pair);  for i oldest..newest: b_i = ρ_i y_iᵀr,  r = r + (a_i - b_i) s_i
 *     θ = θ + t d  (d = r),  t = lr, or min(1, 1/‖g‖₁) lr on the very first iteration, or from the line search
 *
 * A pair is kept only when yᵀs > 1e-10. With lineSearchFn 'strong_wolfe', t satisfies the strong Wolfe conditions
 * (`strongWolfe`); without, t is fixed and the closure runs once per iteration. An iteration stops the step when
 * the gradient's largest entry is at most toleranceGrad, the move or the change of loss is below toleranceChange,
 * or maxIter iterations or maxEval closure calls are used. The closure zeroes the gradients, computes the loss,
 * calls backward and returns the loss, as in PyTorch; `step` returns the first call's loss.
 *
 * Defaults: lr 1, maxIter 20, maxEval maxIter * 5 / 4 (rounded down), toleranceGrad 1e-7, toleranceChange 1e-9,
 * historySize 100, lineSearchFn null. One param group only, as torch. PyTorch 1.13 checks none of these options;
 * here lr, the tolerances and the counts are checked (a count must be a positive integer) and a lineSearchFn
 * other than 'strong_wolfe' is refused when the optimizer is made, not at its first step. Matches
 * torch.optim.LBFGS with torch's float32 tensors and float64 Python floats where torch has each (dot products as
 * its BLAS sdot, and ‖g‖₁ in its sum kernel's order, below 32 values).
 * A closure that returns a non-finite loss or gradient, or a move to a non-finite parameter, throws
 * NonFiniteStepError with the parameters and state as they were before the step.
 */
export class LBFGS extends Optimizer<LBFGSOptions> {
  constructor(params: ParamsInput<LBFGSOptions>, options: Partial<LBFGSOptions> = {}) {
    const maxIter = (options as Partial<LBFGSOptions> | null)?.maxIter;
    const defaults: LBFGSOptions = {
      lr: 1, maxIter: 20, maxEval: Math.floor(((typeof maxIter === 'number' ? maxIter : 20) * 5) / 4), toleranceGrad: 1e-7,
      toleranceChange: 1e-9, historySize: 100, lineSearchFn: null,
    };
    super('LBFGS', params, defaults, options);
  }

  protected validate(o: LBFGSOptions): void {
    checkOption(o.lr >= 0, 'LBFGS', 'lr', '>= 0', o.lr);
    for (const key of ['maxIter', 'maxEval', 'historySize'] as const) checkOption(Number.isInteger(o[key]) && o[key] >= 1, 'LBFGS', key, 'an integer >= 1', o[key]);
    checkOption(o.toleranceGrad >= 0, 'LBFGS', 'toleranceGrad', '>= 0', o.toleranceGrad);
    checkOption(o.toleranceChange >= 0, 'LBFGS', 'toleranceChange', '>= 0', o.toleranceChange);
    const ls = o.lineSearchFn as unknown;
    if (ls !== null && typeof ls !== 'string') throw new TypeError(`LBFGS: expected lineSearchFn to be 'strong_wolfe' or null, got ${describe(ls)}`);
    checkOption(ls === null || ls === 'strong_wolfe' || ls === 'strongWolfe', 'LBFGS', 'lineSearchFn', "'strong_wolfe' (or 'strongWolfe') or null", ls);
  }

  /** One group only, as torch ("LBFGS doesn't support per-parameter options"). */
  addParamGroup(group: Partial<LBFGSOptions> & { params: Tensor[] }): void {
    if (this.paramGroups.length > 0) throw new RangeError(`LBFGS: expected one param group (LBFGS doesn't support per-parameter options or parameter groups), got a second`);
    super.addParamGroup(group);
  }

  /** Unused: LBFGS keeps one state for all parameters (`LBFGSState`). */
  protected initState(): ParamState {
    return {};
  }

  /** Unused: LBFGS's step is its own (it calls the closure many times). */
  protected update(): void {
    throw new TypeError('LBFGS: expected step(closure), the only way LBFGS updates');
  }

  /** The state, kept as torch keeps it: under the first parameter. */
  private get own(): LBFGSState | undefined {
    return this.state.get(this.paramGroups[0].params[0]) as unknown as LBFGSState | undefined;
  }

  /**
   * Up to maxIter L-BFGS iterations; returns the loss of the first closure call (before any move). `closure`
   * zeroes the gradients, computes the loss, calls backward and returns the loss.
   */
  step(closure?: () => Tensor | number): number {
    if (typeof closure !== 'function') throw new TypeError(`LBFGS.step: expected a closure that zeroes the gradients, computes the loss, calls backward and returns it, got ${describe(closure)}`);
    const group = this.paramGroups[0], params = group.params;
    const { lr, maxIter, maxEval, toleranceGrad, toleranceChange, historySize } = group;
    const before = params.map((p) => p.data.slice());
    const state: LBFGSState = copyState(this.own ?? { funcEvals: 0, nIter: 0 });
    let calls = 0;
    const evaluate = () => this.evaluate(closure, ++calls);
    try {
      const origLoss = evaluate();
      let loss = origLoss;
      let flatGrad = this.gatherFlatGrad();
      let currentEvals = 1;
      state.funcEvals += 1;
      let optCond = le(new F32(maxAbs(flatGrad)), toleranceGrad);
      if (optCond) {
        this.state.set(params[0], state as unknown as ParamState);
        return origLoss;
      }
      let d = state.d as Float32Array, t: Num = state.t as number, hDiag: Num = state.hDiag as number;
      let oldDirs = state.oldDirs as Float32Array[], oldStps = state.oldStps as Float32Array[], ro = state.ro as number[];
      let prevFlatGrad = state.prevFlatGrad, prevLoss = state.prevLoss as number;

      let nIter = 0;
      while (nIter < maxIter) {
        nIter++;
        state.nIter++;
        // compute the descent direction
        if (state.nIter === 1) {
          d = scaled(flatGrad, -1);
          [oldDirs, oldStps, ro, hDiag] = [[], [], [], 1];
        } else {
          // update the memory with s = t d and y = g' - g
          const y = difference(flatGrad, prevFlatGrad as Float32Array), s = scaled(d, numberOf(t));
          const ys = new F32(dot(y, s));
          if (gt(ys, 1e-10)) {
            if (oldDirs.length === historySize) {
              oldDirs.shift();
              oldStps.shift();
              ro.shift();
            }
            oldDirs.push(y);
            oldStps.push(s);
            ro.push(f(1 / ys.v));
            hDiag = new F32(ys.v / f(dot(y, y))); // γ = sᵀy / yᵀy scales the initial inverse Hessian
          }
          // the two-loop recursion, with one buffer
          const al = (state.al ??= new Array<number | null>(historySize).fill(null));
          const q = scaled(flatGrad, -1);
          for (let i = oldDirs.length - 1; i >= 0; i--) {
            const a = (al[i] = f(dot(oldStps[i], q) * ro[i]));
            addScaled(q, oldDirs[i], -a);
          }
          const r = (d = scaled(q, numberOf(hDiag)));
          for (let i = 0; i < oldDirs.length; i++) {
            const b = f(dot(oldDirs[i], r) * ro[i]);
            addScaled(r, oldStps[i], f((al[i] as number) - b));
          }
        }
        if (prevFlatGrad === undefined) prevFlatGrad = flatGrad.slice();
        else prevFlatGrad.set(flatGrad);
        prevLoss = loss;

        // the step length: min(1, 1/‖g‖₁) lr on the very first iteration, lr after
        t = state.nIter === 1 ? mul(pyMin(1, div(1, new F32(sumAbs(flatGrad)))), lr) : lr;
        const gtd = new F32(dot(flatGrad, d)); // the directional derivative gᵀd
        if (gt(gtd, -toleranceChange)) break;

        let lsFuncEvals = 0;
        if (group.lineSearchFn !== null) {
          const x = params.map((p) => p.data.slice());
          const dir = d;
          const objective = (tt: Num) => {
            this.addGrad(tt, dir);
            const value = evaluate();
            const g = this.gatherFlatGrad();
            params.forEach((p, k) => p.data.set(x[k]));
            return { f: value, g };
          };
          const found = strongWolfe(objective, t, d, loss, flatGrad, gtd);
          [loss, flatGrad, t, lsFuncEvals] = [found.f, found.g, found.t, found.evals];
          this.addGrad(t, d);
          optCond = le(new F32(maxAbs(flatGrad)), toleranceGrad);
        } else {
          this.addGrad(t, d);
          if (nIter !== maxIter) {
            // no evaluation after the last iteration: in a stochastic setting it would serve nothing
            loss = evaluate();
            flatGrad = this.gatherFlatGrad();
            optCond = le(new F32(maxAbs(flatGrad)), toleranceGrad);
            lsFuncEvals = 1;
          }
        }
        currentEvals += lsFuncEvals;
        state.funcEvals += lsFuncEvals;

        // check conditions
        if (nIter === maxIter) break;
        if (currentEvals >= maxEval) break;
        if (optCond) break;
        if (le(new F32(maxAbs(scaled(d, numberOf(t)))), toleranceChange)) break; // lack of progress
        if (Math.abs(loss - prevLoss) < toleranceChange) break;
      }
      Object.assign(state, { d, t: numberOf(t), oldDirs, oldStps, ro, hDiag: numberOf(hDiag), prevFlatGrad, prevLoss });
      this.state.set(params[0], state as unknown as ParamState);
      return origLoss;
    } catch (err) {
      params.forEach((p, k) => p.data.set(before[k]));
      throw err;
    }
  }

  /** Runs the closure (call number `call` of this step) and returns its loss as a float64, checked finite. */
  private evaluate(closure: () => Tensor | number, call: number): number {
    const l = closure();
    if (!(l instanceof Tensor) && typeof l !== 'number') throw new TypeError(`LBFGS.step: expected the closure to return the loss (a Tensor or a number), got ${describe(l)}`);
    const loss = l instanceof Tensor ? l.item() : l;
    if (!Number.isFinite(loss)) throw new NonFiniteStepError(`LBFGS.step: expected the closure to return a finite loss, got ${describe(loss)} at closure call ${call} of the step; parameters and state are as before the step`);
    return loss;
  }

  /** All gradients as one vector (zeros for a parameter without one), checked finite. */
  private gatherFlatGrad(): Float32Array {
    const params = this.paramGroups[0].params;
    const flat = new Float32Array(params.reduce((n, p) => n + p.size, 0));
    let offset = 0;
    params.forEach((p, k) => {
      if (p.grad !== null) {
        if (p.grad.size !== p.size) throw new RangeError(`LBFGS.step: expected gradient of shape ${formatShape(p.shape)} for param ${k}, got ${formatShape(p.grad.shape)}`);
        flat.set(p.grad.data, offset);
      }
      offset += p.size;
    });
    for (let i = 0; i < flat.length; i++) {
      if (!Number.isFinite(flat[i])) throw new NonFiniteStepError(`LBFGS.step: expected finite gradients, got ${describe(flat[i])} at index ${i} of the flattened gradient; parameters and state are as before the step`);
    }
    return flat;
  }

  /** θ = θ + t d over the flattened parameters (torch's add_ with alpha: one fused multiply-add). */
  private addGrad(t: Num, d: Float32Array): void {
    const α = f(numberOf(t));
    let offset = 0;
    for (const p of this.paramGroups[0].params) {
      const θ = p.data;
      for (let i = 0; i < θ.length; i++) {
        θ[i] = f(θ[i] + α * d[offset + i]);
        if (!Number.isFinite(θ[i])) throw new NonFiniteStepError(`LBFGS.step: expected the move to keep parameters finite, got ${describe(θ[i])} at index ${i} of a parameter of shape ${formatShape(p.shape)} (step length ${describe(numberOf(t))}); parameters and state are as before the step`);
      }
      offset += θ.length;
    }
  }

  /** torch's state dict: the one state under parameter 0, torch's names in camelCase. */
  stateDict(): OptimizerStateDict {
    const { params, ...options } = this.paramGroups[0];
    const own = this.own;
    return {
      state: own === undefined ? {} : { 0: copyState(own) as unknown as ParamState },
      paramGroups: [{ ...structuredClone(options), params: params.map((_, i) => i) }],
    };
  }

  /**
   * Restores a state dict of an LBFGS over parameters of the same sizes; everything is checked first (a failed
   * load changes nothing): one group with this optimizer's options and parameter count, and the state's entries of
   * their kinds and sizes (vectors as long as all parameters together, counters non-negative integers).
   */
  loadStateDict(dict: OptimizerStateDict): void {
    const where = 'LBFGS.loadStateDict';
    const n = this.paramGroups[0].params.reduce((s, p) => s + p.size, 0);
    if (dict === null || typeof dict !== 'object' || !Array.isArray(dict.paramGroups) || dict.state === null || typeof dict.state !== 'object') {
      throw new TypeError(`${where}: expected { state, paramGroups }, got ${describe(dict)}`);
    }
    const keys = Object.keys(dict.state);
    if (keys.length > 1 || (keys.length === 1 && keys[0] !== '0')) throw new RangeError(`${where}: expected state for parameter 0 only (LBFGS keeps one state), got state for ${keys.join(', ')}`);
    const saved = dict.state[0] as unknown as Record<string, unknown> | undefined;
    let state: LBFGSState | undefined;
    if (saved !== undefined) {
      if (saved === null || typeof saved !== 'object') throw new TypeError(`${where}: expected the state of parameter 0 to be an object, got ${describe(saved)}`);
      state = checkState(saved, n, where);
    }
    // the group count and options: the base class's checks (it clears the state when they pass)
    super.loadStateDict({ state: {}, paramGroups: dict.paramGroups });
    if (state !== undefined) this.state.set(this.paramGroups[0].params[0], state as unknown as ParamState);
  }
}

/** c x in float32 (torch's mul by a number: c is rounded to float32 first). */
function scaled(x: Float32Array, c: number): Float32Array {
  const out = new Float32Array(x.length), cf = f(c);
  for (let i = 0; i < x.length; i++) out[i] = f(x[i] * cf);
  return out;
}

function difference(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = f(a[i] - b[i]);
  return out;
}

/** y = y + α x in place, one rounding per element (torch's add_ with alpha is a fused multiply-add). */
function addScaled(y: Float32Array, x: Float32Array, α: number): void {
  for (let i = 0; i < y.length; i++) y[i] = f(y[i] + α * x[i]);
}
