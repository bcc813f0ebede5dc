import { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { noGrad, clearGrad } from '../autograd/engine.js';
import { allFinite } from '../tensor/finite.js';

/** Per-parameter optimizer state: counters and buffers shaped like the parameter. */
export type ParamState = Record<string, number | Float32Array | null>;

/** One group of parameters sharing options (`lr`, ...); schedulers write `lr` here. */
export type ParamGroup<O> = O & { params: Tensor[]; initialLr?: number };

/** Parameters as a plain list, or as groups whose options override the defaults (PyTorch's per-group options). */
export type ParamsInput<O> = Tensor[] | (Partial<O> & { params: Tensor[] })[];

/** A serializable snapshot: state per parameter index (numbered across groups) and every group's options. */
export interface OptimizerStateDict {
  state: Record<number, ParamState>;
  paramGroups: Record<string, unknown>[];
}

/**
 * Base of every optimizer, after `torch.optim.Optimizer`: param groups with their own options, state per
 * parameter created on its first step, `step()`, `zeroGrad()`, and a state dict that round-trips exactly.
 * A subclass supplies its defaults, validates options, creates state, and writes the update rule.
 */
export abstract class Optimizer<O extends { lr: number }> {
  readonly paramGroups: ParamGroup<O>[] = [];
  readonly state = new Map<Tensor, ParamState>();

  protected constructor(readonly name: string, params: ParamsInput<O>, readonly defaults: O) {
    if (!Array.isArray(params) || params.length === 0) {
      throw new RangeError(`${name}: expected a non-empty list of parameters, got ${Array.isArray(params) ? 'an empty list' : typeof params}`);
    }
    const groups = (params[0] instanceof Tensor ? [{ params }] : params) as (Partial<O> & { params: Tensor[] })[];
    for (const g of groups) this.addParamGroup(g);
  }

  /** Checks one group's options; throws `Name: option must be ..., got value`. */
  protected abstract validate(options: O): void;

  /** Fresh state for a parameter on its first step. */
  protected abstract initState(p: Tensor, group: ParamGroup<O>): ParamState;

  /** Applies the update rule to `p` given its gradient `grad` (read-only) and its state. */
  protected abstract update(p: Float32Array, grad: Float32Array, state: ParamState, group: ParamGroup<O>): void;

  /** Adds a group of parameters with its own options (defaults fill the rest). */
  addParamGroup(group: Partial<O> & { params: Tensor[] }): void {
    if (!Array.isArray(group?.params) || group.params.length === 0) {
      throw new RangeError(`${this.name}: expected a param group with a non-empty params list, got ${JSON.stringify(Object.keys(group ?? {}))}`);
    }
    group.params.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new TypeError(`${this.name}: expected params[${i}] to be a Tensor, got ${typeof p}`);
      if (!p.isLeaf) throw new TypeError(`${this.name}: expected params[${i}] to be a leaf tensor, got the output of '${p.creator?.op}'`);
      for (const other of this.paramGroups) {
        if (other.params.includes(p)) throw new RangeError(`${this.name}: params[${i}] already appears in another param group`);
      }
    });
    const merged = { ...this.defaults, ...group, params: [...group.params] } as ParamGroup<O>;
    this.validate(merged);
    this.paramGroups.push(merged);
  }

  /** Clears the gradients of every parameter: to null (PyTorch's default), or to zeros in place with `setToNone: false`. */
  zeroGrad(options: { setToNone?: boolean } = {}): void {
    for (const g of this.paramGroups) for (const p of g.params) clearGrad(p, options.setToNone ?? true);
  }

  /**
   * One update of every parameter that has a gradient. Gradients are all checked first: a NaN or infinite gradient
   * throws before any parameter changes. A `closure` recomputes the loss (its value is returned).
   */
  step(closure?: () => Tensor | number): number | undefined {
    let loss: number | undefined;
    if (closure !== undefined) {
      const l = closure();
      loss = l instanceof Tensor ? l.item() : l;
    }
    this.paramGroups.forEach((group, gi) =>
      group.params.forEach((p, pi) => {
        if (p.grad === null) return;
        const g = p.grad.data;
        if (g.length !== p.size) {
          throw new RangeError(`${this.name}.step: expected gradient of shape ${formatShape(p.shape)} for group ${gi} param ${pi}, got ${formatShape(p.grad.shape)}`);
        }
        if (!allFinite(g)) for (let i = 0; i < g.length; i++) {
          if (!Number.isFinite(g[i])) {
            throw new RangeError(`${this.name}.step: expected finite gradients, got ${g[i]} in group ${gi} param ${pi} ${formatShape(p.shape)} at index ${i}; no parameter was changed`);
          }
        }
      }),
    );
    noGrad(() => {
      for (const group of this.paramGroups) {
        for (const p of group.params) {
          if (p.grad === null) continue;
          let s = this.state.get(p);
          if (s === undefined) {
            s = this.initState(p, group);
            this.state.set(p, s);
          }
          this.update(p.data, p.grad.data, s, group);
        }
      }
    });
    return loss;
  }

  /** A deep copy of the state and options; parameters are referred to by their index across groups. */
  stateDict(): OptimizerStateDict {
    const state: Record<number, ParamState> = {};
    const paramGroups: Record<string, unknown>[] = [];
    let index = 0;
    for (const group of this.paramGroups) {
      const { params, ...options } = group;
      const ids: number[] = [];
      for (const p of params) {
        const s = this.state.get(p);
        if (s !== undefined) state[index] = copyState(s);
        ids.push(index++);
      }
      paramGroups.push({ ...structuredClone(options), params: ids });
    }
    return { state, paramGroups };
  }

  /**
   * Restores a state dict from an optimizer over the same parameters. Everything is checked before anything is
   * changed (group and parameter counts, buffer lengths, option validity), so a failed load leaves this optimizer
   * as it was.
   */
  loadStateDict(dict: OptimizerStateDict): void {
    const where = `${this.name}.loadStateDict`;
    if (dict === null || typeof dict !== 'object' || !Array.isArray(dict.paramGroups) || typeof dict.state !== 'object') {
      throw new TypeError(`${where}: expected { state, paramGroups }, got ${dict === null ? 'null' : typeof dict}`);
    }
    if (dict.paramGroups.length !== this.paramGroups.length) {
      throw new RangeError(`${where}: expected ${this.paramGroups.length} param group(s), got ${dict.paramGroups.length}`);
    }
    const byIndex: Tensor[] = [];
    const groups = dict.paramGroups.map((saved, gi) => {
      const ids = saved.params as number[];
      const own = this.paramGroups[gi].params;
      if (!Array.isArray(ids) || ids.length !== own.length) {
        throw new RangeError(`${where}: expected group ${gi} to have ${own.length} parameter(s), got ${Array.isArray(ids) ? ids.length : typeof ids}`);
      }
      ids.forEach((id, i) => (byIndex[id] = own[i]));
      const { params: _ids, ...options } = saved;
      const merged = { ...this.paramGroups[gi], ...structuredClone(options), params: own } as ParamGroup<O>;
      this.validate(merged);
      return merged;
    });
    const states = new Map<Tensor, ParamState>();
    for (const [key, s] of Object.entries(dict.state)) {
      const p = byIndex[Number(key)];
      if (p === undefined) throw new RangeError(`${where}: state for parameter ${key} refers to no parameter`);
      for (const [name, v] of Object.entries(s)) {
        if (v instanceof Float32Array && v.length !== p.size) {
          throw new RangeError(`${where}: expected '${name}' of parameter ${key} to have ${p.size} values (shape ${formatShape(p.shape)}), got ${v.length}`);
        }
      }
      states.set(p, copyState(s));
    }
    this.paramGroups.splice(0, this.paramGroups.length, ...groups);
    this.state.clear();
    for (const [p, s] of states) this.state.set(p, s);
  }
}

function copyState(s: ParamState): ParamState {
  const out: ParamState = {};
  for (const [k, v] of Object.entries(s)) out[k] = v instanceof Float32Array ? v.slice() : v;
  return out;
}

/** Throws `Name: key must be <condition>, got value` unless `ok`. Shared by the optimizers' validate(). */
export function checkOption(ok: boolean, name: string, key: string, condition: string, value: unknown): void {
  if (!ok) throw new RangeError(`${name}: ${key} must be ${condition}, got ${JSON.stringify(value)}`);
}
