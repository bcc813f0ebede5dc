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
    if (optimizer === null || typeof optimizer !== 'object' || !Array.isArray(optimizer.paramGroups)) {
      throw new TypeError(`${name}: expected an Optimizer, got ${optimizer === null ? 'null' : typeof optimizer}`);
    }
    if (!Number.isInteger(lastEpoch) || lastEpoch < -1) throw new RangeError(`${name}: expected lastEpoch >= -1, got ${lastEpoch}`);
    if (lastEpoch === -1) {
      for (const g of optimizer.paramGroups) if (g.initialLr === undefined) g.initialLr = g.lr;
    } else {
      optimizer.paramGroups.forEach((g, i) => {
        if (g.initialLr === undefined) throw new RangeError(`${name}: resuming at lastEpoch ${lastEpoch} needs initialLr in param group ${i}, got none`);
      });
    }
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr as number);
    this.lastEpoch = lastEpoch;
  }

  /** The lrs for `lastEpoch` in PyTorch's recursive form (may read the groups' current lrs). */
  abstract getLr(): number[];

  /** lr(t) in closed form where the schedule has one; used by `step(epoch)`. */
  closedFormLr?(): number[];

  protected initialStep(): void {
    this.step();
  }

  /** Advances one step (or jumps to `epoch`, using the closed form where there is one) and writes the lrs. */
  step(epoch?: number): void {
    let values: number[];
    if (epoch === undefined) {
      this.lastEpoch += 1;
      values = this.getLr();
    } else {
      this.lastEpoch = epoch;
      values = this.closedFormLr ? this.closedFormLr() : this.getLr();
    }
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = values[i]));
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

/** Throws `Name: key must be <condition>, got value` unless `ok`. */
export function checkArg(ok: boolean, name: string, key: string, condition: string, value: unknown): void {
  if (!ok) throw new RangeError(`${name}: ${key} must be ${condition}, got ${describe(value)}`);
}

/** A per-group list from one value or a list of one value per group (PyTorch's `_format_param`). */
export function perGroup(name: string, key: string, optimizer: AnyOptimizer, value: number | number[]): number[] {
  const n = optimizer.paramGroups.length;
  if (Array.isArray(value)) {
    if (value.length !== n) throw new RangeError(`${name}: expected ${n} values for ${key} (one per param group), got ${value.length}`);
    return [...value];
  }
  return new Array<number>(n).fill(value);
}

/** Python's modulo (the result has the sign of the divisor), which PyTorch's formulas rely on. */
export function pyMod(a: number, n: number): number {
  return ((a % n) + n) % n;
}
