import type { Optimizer } from '../optim/optimizer.js';
import { describe } from '../format/number.js';

/** Any optimizer: schedulers read and write `lr` (and momentum or betas) on its param groups. */
export type AnyOptimizer = Optimizer<{ lr: number }>;

/** The state of a scheduler as plain data (functions such as lambdas are not included, as in PyTorch). */
export type SchedulerStateDict = Record<string, unknown>;

/**
 * Base of the epoch/step schedulers, after `torch.optim.lr_scheduler.LRScheduler`, with PyTorch's indexing:
 * construction applies step 0 (`lastEpoch` becomes 0), and each `step()` applies the next index, so
 * `getLastLr()` after construction and after every `step()` compares one-to-one with PyTorch's `get_last_lr()`.
 *
 * Subclasses implement `getLr()` in PyTorch's recursive ("chainable") form, which reads the group's current lr,
 * so schedulers compose in `ChainedScheduler`; `closedFormLr()` gives lr(t) directly where one exists. A subclass
 * ends its constructor with `this.initialStep()` (TypeScript sets subclass fields only after `super()` returns).
 */
export abstract class LRScheduler {
  /** Index of the step last applied (-1 before the first). */
  lastEpoch: number;
  /** The groups' lrs when scheduling began (`initialLr`). */
  baseLrs: number[];
  protected lastLr: number[] = [];

  constructor(readonly optimizer: AnyOptimizer, lastEpoch = -1, protected readonly name = 'LRScheduler') {
    checkOptimizer(name, optimizer);
    if (!Number.isInteger(lastEpoch) || lastEpoch < -1) throw new RangeError(`${name}: expected lastEpoch to be an integer >= -1, got ${describe(lastEpoch)}`);
    if (lastEpoch !== -1) {
      optimizer.paramGroups.forEach((g, i) => {
        if (g.initialLr === undefined) throw new RangeError(`${name}: resuming at lastEpoch ${lastEpoch} needs initialLr in param group ${i}, got none`);
      });
    }
    // initialLr is written by initialStep(), once the subclass has validated its options: a scheduler that
    // throws in its constructor leaves the optimizer exactly as it was
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr ?? g.lr);
    this.lastEpoch = lastEpoch;
  }

  /** The lrs for `lastEpoch` in PyTorch's recursive form (may read the groups' current lrs). */
  abstract getLr(): number[];

  /** lr(t) in closed form where the schedule has one; used by `step(epoch)`. */
  closedFormLr?(): number[];

  protected initialStep(): void {
    transaction(this.optimizer, () => {
      if (this.lastEpoch === -1) for (const g of this.optimizer.paramGroups) if (g.initialLr === undefined) g.initialLr = g.lr;
      this.step();
    });
  }

  /**
   * Advances one step (or jumps to `epoch`, using the closed form where there is one) and writes the lrs. A step
   * that would produce a non-finite or negative lr throws and leaves the optimizer and the scheduler as they were.
   */
  step(epoch?: number): void {
    if (epoch !== undefined && (typeof epoch !== 'number' || !Number.isFinite(epoch) || epoch < 0)) {
      throw new RangeError(`${this.name}.step: expected epoch to be a finite number >= 0, got ${describe(epoch)}`);
    }
    const lastEpoch = this.lastEpoch;
    try {
      transaction(this.optimizer, () => {
        let values: number[];
        if (epoch === undefined) {
          this.lastEpoch += 1;
          values = this.getLr();
        } else {
          this.lastEpoch = epoch;
          values = this.closedFormLr ? this.closedFormLr() : this.getLr();
        }
        checkLrs(`${this.name}.step`, values, this.lastEpoch);
        this.optimizer.paramGroups.forEach((g, i) => (g.lr = values[i]));
      });
    } catch (err) {
      this.lastEpoch = lastEpoch;
      throw err;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The lr of every param group as last set by this scheduler. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** Every field except the optimizer and functions, deep-copied. */
  stateDict(): SchedulerStateDict {
    const out: SchedulerStateDict = {};
    for (const [k, v] of Object.entries(this)) {
      const isFunctions = Array.isArray(v) && v.some((x) => typeof x === 'function');
      if (k === 'optimizer' || typeof v === 'function' || isFunctions || v instanceof LRScheduler) continue;
      out[k] = structuredClone(v);
    }
    return out;
  }

  /** Restores a state dict from the same kind of scheduler; unknown keys are an error and change nothing. */
  loadStateDict(state: SchedulerStateDict): void {
    if (state === null || typeof state !== 'object') {
      throw new TypeError(`${this.name}.loadStateDict: expected an object, got ${state === null ? 'null' : typeof state}`);
    }
    const own = this.stateDict();
    const unknown = Object.keys(state).filter((k) => !(k in own));
    if (unknown.length > 0) throw new RangeError(`${this.name}.loadStateDict: expected keys of ${this.name}, got unknown ${describe(unknown)}`);
    Object.assign(this, structuredClone(state));
  }
}

/** Throws a TypeError unless `optimizer` looks like an lrlab Optimizer (param groups with a numeric lr). */
export function checkOptimizer(name: string, optimizer: unknown): asserts optimizer is AnyOptimizer {
  const groups = (optimizer as AnyOptimizer | null)?.paramGroups;
  if (optimizer === null || typeof optimizer !== 'object' || !Array.isArray(groups) || !groups.every((g) => typeof g?.lr === 'number')) {
    throw new TypeError(`${name}: expected an Optimizer, got ${describe(optimizer)}`);
  }
}

/**
 * Runs `fn` on the optimizer's param groups as one transaction: if it throws, every group's options (lr,
 * initialLr, momentum, betas, ...) are put back as they were, so a failed scheduler step or constructor changes
 * nothing.
 */
export function transaction<T>(optimizer: AnyOptimizer, fn: () => T): T {
  const saved = optimizer.paramGroups.map((g) => structuredClone({ ...g, params: [] }) as Record<string, unknown>);
  try {
    return fn();
  } catch (err) {
    optimizer.paramGroups.forEach((g, i) => {
      const group = g as unknown as Record<string, unknown>;
      for (const k of Object.keys(group)) if (k !== 'params' && !(k in saved[i])) delete group[k];
      for (const [k, v] of Object.entries(saved[i])) if (k !== 'params') group[k] = v;
    });
    throw err;
  }
}

/** Throws unless every lr is finite and >= 0: a schedule must never hand an optimizer NaN or a negative rate. */
export function checkLrs(where: string, lrs: unknown, step: number): asserts lrs is number[] {
  if (!Array.isArray(lrs)) throw new TypeError(`${where}: expected the schedule to give a list of lrs, got ${describe(lrs)}`);
  lrs.forEach((lr, i) => {
    if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0) {
      throw new RangeError(`${where}: expected a finite lr >= 0 for param group ${i} at step ${step}, got ${describe(lr)}; the optimizer was left unchanged`);
    }
  });
}

/** What a scheduler option may hold: a finite number, a list of them, a function, a string, a boolean or an object. */
export type OptionKind = 'any' | 'number' | 'number[]' | 'number|number[]' | 'function' | 'function|function[]' | 'string' | 'boolean' | 'object';

function isKind(v: unknown, kind: OptionKind): boolean {
  const num = (x: unknown) => typeof x === 'number' && Number.isFinite(x);
  switch (kind) {
    case 'number': return num(v);
    case 'number[]': return Array.isArray(v) && v.every(num);
    case 'number|number[]': return num(v) || (Array.isArray(v) && v.length > 0 && v.every(num));
    case 'function': return typeof v === 'function';
    case 'function|function[]': return typeof v === 'function' || (Array.isArray(v) && v.length > 0 && v.every((f) => typeof f === 'function'));
    case 'string': return typeof v === 'string';
    case 'boolean': return typeof v === 'boolean';
    case 'object': return v !== null && typeof v === 'object';
    case 'any': return true;
  }
}

const KIND_TEXT: Record<OptionKind, string> = {
  number: 'a finite number', 'number[]': 'a list of finite numbers', 'number|number[]': 'a finite number or a non-empty list of them',
  function: 'a function', 'function|function[]': 'a function or a non-empty list of functions', string: 'a string', boolean: 'a boolean', object: 'an object', any: 'anything',
};

/**
 * Checks an options object before anything is changed: `undefined` reads as `{}` (so a missing required option
 * gets the same message as an omitted one), anything else that is not a plain object is a TypeError, an option
 * name that `kinds` does not list is a RangeError naming it, and every given option must be of its kind (numbers
 * finite, so no NaN or Infinity). Undefined values count as not given.
 */
export function readOptions<T>(name: string, options: unknown, kinds: Record<string, OptionKind>): T {
  if (options === undefined) return {} as T;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new TypeError(`${name}: expected an options object, got ${describe(options)}`);
  for (const [k, v] of Object.entries(options)) {
    if (!(k in kinds)) throw new RangeError(`${name}: unknown option '${k}' (known: ${Object.keys(kinds).join(', ')})`);
    if (v === undefined) continue;
    const kind = kinds[k];
    if (!isKind(v, kind)) {
      const wrongKind = kind.startsWith('number') && (typeof v === 'number' || (Array.isArray(v) && v.every((x) => typeof x === 'number')));
      throw new (wrongKind ? RangeError : TypeError)(`${name}: expected ${k} to be ${KIND_TEXT[kind]}, got ${describe(v)}`);
    }
  }
  return options as T;
}

/** Throws `Name: key must be <condition>, got value` unless `ok`. */
export function checkArg(ok: boolean, name: string, key: string, condition: string, value: unknown): void {
  if (!ok) throw new RangeError(`${name}: ${key} must be ${condition}, got ${describe(value)}`);
}

/** A per-group list from one value or a list of one value per group (PyTorch's `_format_param`). */
export function perGroup(name: string, key: string, optimizer: AnyOptimizer, value: number | number[]): number[] {
  const n = optimizer.paramGroups.length;
  if (Array.isArray(value)) {
    if (!value.every((v) => typeof v === 'number' && Number.isFinite(v))) throw new RangeError(`${name}: expected ${key} to be finite numbers, got ${describe(value)}`);
    if (value.length !== n) throw new RangeError(`${name}: expected ${n} values for ${key} (one per param group), got ${value.length}`);
    return [...value];
  }
  if (typeof value !== 'number') throw new TypeError(`${name}: expected ${key} to be a number or one per param group, got ${describe(value)}`);
  if (!Number.isFinite(value)) throw new RangeError(`${name}: expected ${key} to be a finite number, got ${describe(value)}`);
  return new Array<number>(n).fill(value);
}

/** Python's modulo (the result has the sign of the divisor), which PyTorch's formulas rely on. */
export function pyMod(a: number, n: number): number {
  return ((a % n) + n) % n;
}
