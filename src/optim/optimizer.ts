import { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { noGrad, clearGrad } from '../autograd/engine.js';
import { maxAbs } from '../tensor/finite.js';
import { describe } from '../format/number.js';

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

  readonly defaults: O;
  /** Scratch copies for rolling a step back (reused, so a step allocates nothing after the first). */
  private readonly backup = new Map<Tensor, { data: Float32Array; state: Record<string, Float32Array | number | null> }>();
  /** The largest gradient magnitude of each parameter in this step (reused between steps). */
  private readonly gradMax: number[] = [];
  /** A parameter's data and state arrays, for their largest magnitude (reused between steps). */
  private readonly arrays: Float32Array[] = [];

  /**
   * `defaults` are the optimizer's own defaults; `options` the user's, checked first: an options object (or
   * nothing), only option names the optimizer knows, each of the default's kind (finite numbers, booleans, the
   * betas pair), so plain JavaScript cannot slip in `lr: Infinity`, `'0.1'` or a misspelt name.
   */
  protected constructor(readonly name: string, params: ParamsInput<O>, defaults: O, options?: Partial<O>) {
    if (defaults === undefined) throw new TypeError('Optimizer: expected a concrete optimizer (SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta); Optimizer itself is abstract');
    if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options))) {
      throw new TypeError(`${name}: expected an options object, got ${describe(options)}`);
    }
    checkKinds(name, defaults, options ?? {}, false);
    this.defaults = { ...defaults, ...options };
    if (!Array.isArray(params) || params.length === 0) {
      throw new RangeError(`${name}: expected a non-empty list of parameters, got ${Array.isArray(params) ? 'an empty list' : describe(params)}`);
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

  /**
   * An option value accepted for PyTorch parity under which the updates grow without bound (SGD's momentum >= 1),
   * appended to `step`'s error when gradients turn non-finite; '' when there is none (the default).
   */
  protected divergenceHint(): string {
    return '';
  }

  /** Adds a group of parameters with its own options (defaults fill the rest). */
  addParamGroup(group: Partial<O> & { params: Tensor[] }): void {
    if (!Array.isArray(group?.params) || group.params.length === 0) {
      throw new RangeError(`${this.name}: expected a param group with a non-empty params list, got ${describe(Object.keys(group ?? {}))}`);
    }
    group.params.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new TypeError(`${this.name}: expected params[${i}] to be a Tensor, got ${typeof p}`);
      if (!p.isLeaf) throw new TypeError(`${this.name}: expected params[${i}] to be a leaf tensor, got the output of '${p.creator?.op}'`);
      for (const other of this.paramGroups) {
        if (other.params.includes(p)) throw new RangeError(`${this.name}: params[${i}] already appears in another param group`);
      }
    });
    const { params: _params, ...groupOptions } = group;
    checkKinds(this.name, this.defaults, groupOptions, false);
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
   *
   * An update that would make a parameter non-finite throws NonFiniteStepError with every parameter and all state
   * as they were. Rolling back needs a copy of what the step writes, so the step first bounds what each update can
   * write (`updateBound`, from the largest magnitudes of the parameters, gradients and state): when no value can
   * come near float32's limit, which is the usual case, the step updates in place with no copy at all.
   */
  step(closure?: () => Tensor | number): number | undefined {
    let loss: number | undefined;
    if (closure !== undefined) {
      const l = closure();
      loss = l instanceof Tensor ? l.item() : l;
    }
    const gradMax = this.gradMax;
    gradMax.length = 0;
    this.paramGroups.forEach((group, gi) =>
      group.params.forEach((p, pi) => {
        if (p.grad === null) return;
        const g = p.grad.data;
        if (g.length !== p.size) {
          throw new RangeError(`${this.name}.step: expected gradient of shape ${formatShape(p.shape)} for group ${gi} param ${pi}, got ${formatShape(p.grad.shape)}`);
        }
        const m = maxAbs(g);
        if (!Number.isFinite(m)) for (let i = 0; i < g.length; i++) {
          if (!Number.isFinite(g[i])) {
            throw new RangeError(`${this.name}.step: expected finite gradients, got ${g[i]} in group ${gi} param ${pi} ${formatShape(p.shape)} at index ${i}; no parameter was changed${this.divergenceHint()}`);
          }
        }
        gradMax.push(m);
      }),
    );
    const fresh: Tensor[] = [];
    // can any update come near overflow? (then every parameter is copied first, so the step can be undone)
    let rollback = false;
    let at = 0;
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (p.grad === null) continue;
        let s = this.state.get(p);
        if (s === undefined) {
          fresh.push(p);
          s = this.initState(p, group);
          this.state.set(p, s);
        }
        if (!rollback) {
          const arrays = this.arrays;
          arrays.length = 0;
          arrays.push(p.data);
          for (const k in s) {
            const v = s[k];
            if (v instanceof Float32Array) arrays.push(v);
          }
          const b = Math.max(gradMax[at], maxAbs(...arrays));
          rollback = !(Number.isFinite(b) && this.updateBound(b, group, s) < SAFE_BOUND);
        }
        at++;
      }
    }
    const updated: Tensor[] = [];
    noGrad(() => {
      for (const group of this.paramGroups) {
        for (const p of group.params) {
          if (p.grad === null) continue;
          const s = this.state.get(p) as ParamState;
          if (rollback) this.saveBackup(p, s);
          updated.push(p);
          this.update(p.data, p.grad.data, s, group);
          if (!rollback) continue;
          const bad = firstNonFinite(p.data);
          if (bad !== -1) {
            const value = p.data[bad];
            for (const q of updated) this.restoreBackup(q);
            for (const q of fresh) this.state.delete(q);
            throw new NonFiniteStepError(`${this.name}.step: expected the update to keep parameters finite, got ${describe(value)} at index ${bad} of a parameter of shape ${formatShape(p.shape)} (lr ${describe(group.lr)}); no parameter or state was changed`);
          }
        }
      }
    });
    return loss;
  }

  /**
   * A bound on the magnitude of every value one update of a parameter can write (the parameter and its state),
   * given `b`, a bound on the magnitudes of the parameter, its gradient and its state before the update; Infinity
   * where the rule gives none (the default). Each optimizer derives its own from its rule: weight decay makes the
   * gradient at most (1 + λ)b, a moving average stays within the larger of its inputs, and a division by
   * sqrt(·) + eps grows a value by at most 1 / eps (so with eps 0 there is no bound).
   */
  protected updateBound(_b: number, _group: ParamGroup<O>, _state: ParamState): number {
    return Infinity;
  }

  private saveBackup(p: Tensor, s: ParamState): void {
    let b = this.backup.get(p);
    if (b === undefined || b.data.length !== p.size) {
      b = { data: new Float32Array(p.size), state: {} };
      this.backup.set(p, b);
    }
    b.data.set(p.data);
    for (const [k, v] of Object.entries(s)) {
      if (v instanceof Float32Array) {
        const copy = b.state[k];
        if (copy instanceof Float32Array && copy.length === v.length) copy.set(v);
        else b.state[k] = v.slice();
      } else b.state[k] = v;
    }
    for (const k of Object.keys(b.state)) if (!(k in s)) delete b.state[k];
  }

  private restoreBackup(p: Tensor): void {
    const b = this.backup.get(p);
    const s = this.state.get(p);
    if (b === undefined || s === undefined) return;
    p.data.set(b.data);
    for (const k of Object.keys(s)) if (!(k in b.state)) delete s[k];
    for (const [k, v] of Object.entries(b.state)) {
      const own = s[k];
      if (v instanceof Float32Array && own instanceof Float32Array && own.length === v.length) own.set(v);
      else s[k] = v instanceof Float32Array ? v.slice() : v;
    }
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
   * Restores a state dict from an optimizer of the same kind over the same parameters. Everything is checked
   * before anything is changed, as strictly for plain JSON as for typed state: group and parameter counts,
   * parameter ids (integers, each once), every option of this optimizer present and of its kind (an option this
   * optimizer does not have means the state belongs to another kind), option validity, and per parameter exactly
   * this optimizer's state entries: buffers of the parameter's size (Float32Array or a list of finite numbers)
   * and a non-negative integer step. A failed load leaves this optimizer as it was.
   */
  loadStateDict(dict: OptimizerStateDict): void {
    const where = `${this.name}.loadStateDict`;
    if (dict === null || typeof dict !== 'object' || !Array.isArray(dict.paramGroups) || dict.state === null || typeof dict.state !== 'object') {
      throw new TypeError(`${where}: expected { state, paramGroups }, got ${describe(dict)}`);
    }
    if (dict.paramGroups.length !== this.paramGroups.length) {
      throw new RangeError(`${where}: expected ${this.paramGroups.length} param group(s), got ${dict.paramGroups.length}`);
    }
    const byIndex: Tensor[] = [];
    const groupOf = new Map<Tensor, ParamGroup<O>>();
    const total = this.paramGroups.reduce((n, g) => n + g.params.length, 0);
    const groups = dict.paramGroups.map((saved, gi) => {
      if (saved === null || typeof saved !== 'object') throw new TypeError(`${where}: expected param group ${gi} to be an object, got ${describe(saved)}`);
      const ids = saved.params as number[];
      const own = this.paramGroups[gi].params;
      if (!Array.isArray(ids) || ids.length !== own.length) {
        throw new RangeError(`${where}: expected group ${gi} to have ${own.length} parameter(s), got ${Array.isArray(ids) ? ids.length : describe(ids)}`);
      }
      const { params: _ids, ...options } = saved;
      try {
        checkKinds(this.name, this.defaults, options, true);
      } catch (err) {
        const Kind = err instanceof TypeError ? TypeError : RangeError;
        throw new Kind(`${where}: group ${gi}: ${(err as Error).message.replace(`${this.name}: `, '')}; is this state from another optimizer?`);
      }
      const missing = Object.keys(this.defaults).filter((k) => !(k in options));
      if (missing.length > 0) throw new RangeError(`${where}: expected group ${gi} to hold ${this.name}'s options, got none for ${missing.join(', ')}; is this state from another optimizer?`);
      const merged = { ...this.paramGroups[gi], ...structuredClone(options), params: own } as ParamGroup<O>;
      this.validate(merged);
      ids.forEach((id, i) => {
        if (!Number.isInteger(id) || id < 0 || id >= total || byIndex[id] !== undefined) {
          throw new RangeError(`${where}: expected parameter ids to be distinct integers in [0, ${total}), got ${describe(id)} in group ${gi}`);
        }
        byIndex[id] = own[i];
        groupOf.set(own[i], merged);
      });
      return merged;
    });
    const states = new Map<Tensor, ParamState>();
    for (const [key, saved] of Object.entries(dict.state)) {
      const p = byIndex[Number(key)];
      if (p === undefined) throw new RangeError(`${where}: state for parameter ${key} refers to no parameter`);
      if (saved === null || typeof saved !== 'object') throw new TypeError(`${where}: expected the state of parameter ${key} to be an object, got ${describe(saved)}`);
      const template = this.initState(p, groupOf.get(p) as ParamGroup<O>);
      const unknown = Object.keys(saved).filter((k) => !(k in template));
      const absent = Object.keys(template).filter((k) => !(k in saved));
      if (unknown.length > 0 || absent.length > 0) {
        throw new RangeError(`${where}: expected the state of parameter ${key} to hold ${Object.keys(template).join(', ')}, got ${Object.keys(saved).join(', ') || 'nothing'}; is this state from another optimizer?`);
      }
      const out: ParamState = {};
      for (const [name, v] of Object.entries(saved as Record<string, unknown>)) {
        const t = template[name];
        const what = `'${name}' of parameter ${key}`;
        if (typeof t === 'number') {
          if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new RangeError(`${where}: expected ${what} to be a non-negative integer, got ${describe(v)}`);
          out[name] = v;
        } else if (v === null && t === null) {
          out[name] = null;
        } else {
          if (!(v instanceof Float32Array) && !(Array.isArray(v) && v.every((x) => typeof x === 'number'))) {
            throw new TypeError(`${where}: expected ${what} to be a Float32Array or a list of numbers${t === null ? ' (or null)' : ''}, got ${describe(v)}`);
          }
          if (v.length !== p.size) throw new RangeError(`${where}: expected ${what} to have ${p.size} values (shape ${formatShape(p.shape)}), got ${v.length}`);
          const buf = Float32Array.from(v);
          const bad = firstNonFinite(buf);
          if (bad !== -1) throw new RangeError(`${where}: expected ${what} to be finite, got ${describe(buf[bad])} at index ${bad}`);
          out[name] = buf;
        }
      }
      states.set(p, out);
    }
    this.paramGroups.splice(0, this.paramGroups.length, ...groups);
    this.state.clear();
    for (const [p, st] of states) this.state.set(p, st);
  }
}

/** Thrown by `Optimizer.step` when an update would make a parameter non-finite; nothing was changed. */
export class NonFiniteStepError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'NonFiniteStepError';
  }
}

/**
 * While every value an update can write stays below this (2^100, about 1.3e30), no float32 result can overflow to
 * Infinity (float32's largest is about 3.4e38), whatever the rounding of each operation.
 */
const SAFE_BOUND = 2 ** 100;

function firstNonFinite(a: Float32Array): number {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return i;
  return -1;
}

/**
 * Checks option names and kinds against the defaults: every name must be one the optimizer has (plus
 * `initialLr` when `allowScheduler`, which schedulers write), numbers finite, booleans boolean, and pairs
 * (betas) two finite numbers.
 */
function checkKinds(name: string, defaults: object, options: object, allowScheduler: boolean): void {
  const known = Object.keys(defaults);
  for (const [k, v] of Object.entries(options)) {
    if (allowScheduler && k === 'initialLr') {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new RangeError(`${name}: expected initialLr to be a finite number >= 0, got ${describe(v)}`);
      continue;
    }
    if (!known.includes(k)) throw new RangeError(`${name}: unknown option '${k}' (known: ${known.join(', ')})`);
    const d = (defaults as Record<string, unknown>)[k];
    if (typeof d === 'number') {
      if (typeof v !== 'number') throw new TypeError(`${name}: expected ${k} to be a number, got ${describe(v)}`);
      if (!Number.isFinite(v)) throw new RangeError(`${name}: expected ${k} to be a finite number, got ${describe(v)}`);
    } else if (typeof d === 'boolean') {
      if (typeof v !== 'boolean') throw new TypeError(`${name}: expected ${k} to be a boolean, got ${describe(v)}`);
    } else if (Array.isArray(d)) {
      if (!Array.isArray(v) || v.length !== d.length || !v.every((x) => typeof x === 'number')) throw new TypeError(`${name}: expected ${k} to be a list of ${d.length} numbers, got ${describe(v)}`);
      if (!v.every((x) => Number.isFinite(x))) throw new RangeError(`${name}: expected ${k} to be finite numbers, got ${describe(v)}`);
    }
  }
}

function copyState(s: ParamState): ParamState {
  const out: ParamState = {};
  for (const [k, v] of Object.entries(s)) out[k] = v instanceof Float32Array ? v.slice() : v;
  return out;
}

/** Throws `Name: key must be <condition>, got value` unless `ok`. Shared by the optimizers' validate(). */
export function checkOption(ok: boolean, name: string, key: string, condition: string, value: unknown): void {
  if (!ok) throw new RangeError(`${name}: ${key} must be ${condition}, got ${describe(value)}`);
}
