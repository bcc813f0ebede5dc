import { LRScheduler, checkArg, checkOptimizer, readOptions, type AnyOptimizer, type SchedulerStateDict } from './scheduler.js';

/** How a warmup rises: over how many steps, from which factor, on which curve. */
export interface WarmupOptions {
  /** Steps over which the factor rises to 1. */
  warmupSteps: number;
  /** Factor at step 0. Default 0.1. */
  startFactor?: number;
  /** 'linear': w = s + (1 - s) t / W;  'exponential': w = s^(1 - t / W). Default 'linear'. */
  mode?: 'linear' | 'exponential';
}

function warmupFactor(name: string, options: WarmupOptions): (t: number) => number {
  const { warmupSteps: W, startFactor: s = 0.1, mode = 'linear' } = readOptions<WarmupOptions>(name, options, { warmupSteps: 'number', startFactor: 'number', mode: 'string', ...(name === 'WarmupLR' ? { after: 'object' as const } : {}) });
  checkArg(Number.isInteger(W) && W >= 1, name, 'warmupSteps', 'a positive integer', W);
  checkArg(s > 0 && s <= 1, name, 'startFactor', 'in (0, 1]', s);
  checkArg(mode === 'linear' || mode === 'exponential', name, 'mode', "'linear' or 'exponential'", mode);
  return (t) => {
    const p = Math.min(t, W) / W;
    return mode === 'linear' ? s + (1 - s) * p : s ** (1 - p);
  };
}

/** A step schedule with a warmup in front: lr(t) = w(t) · schedule(t). */
export function withWarmup(schedule: (step: number) => number, options: WarmupOptions): (step: number) => number {
  const w = warmupFactor('withWarmup', options);
  return (t) => w(t) * schedule(t);
}

/**
 * Warmup composed with any scheduler: the inner scheduler runs as if alone, and its lr is multiplied by the
 * warmup factor w(t) until w reaches 1. Without an inner scheduler the lr warms up to each group's initial lr.
 */
export class WarmupLR {
  lastEpoch = 0;
  private unwarmed: number[];
  private lastLr: number[] = [];
  private readonly factor: (t: number) => number;

  constructor(readonly optimizer: AnyOptimizer, readonly options: WarmupOptions & { after?: LRScheduler }) {
    checkOptimizer('WarmupLR', optimizer);
    this.factor = warmupFactor('WarmupLR', options);
    if (options.after !== undefined && !(options.after instanceof LRScheduler)) throw new TypeError(`WarmupLR: expected after to be an LRScheduler, got ${typeof options.after}`);
    if (options.after !== undefined && options.after.optimizer !== optimizer) throw new RangeError('WarmupLR: after drives a different optimizer');
    this.unwarmed = optimizer.paramGroups.map((g) => g.lr);
    this.apply();
  }

  private apply(): void {
    const w = this.factor(this.lastEpoch);
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = this.unwarmed[i] * w));
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  step(): void {
    this.lastEpoch += 1;
    const inner = this.options.after;
    if (inner !== undefined) {
      // let the inner scheduler see its own lr, not the warmed one
      this.optimizer.paramGroups.forEach((g, i) => (g.lr = this.unwarmed[i]));
      inner.step();
      this.unwarmed = inner.getLastLr();
    }
    this.apply();
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  stateDict(): SchedulerStateDict {
    return { lastEpoch: this.lastEpoch, unwarmed: [...this.unwarmed], lastLr: [...this.lastLr], after: this.options.after?.stateDict() ?? null };
  }

  loadStateDict(state: SchedulerStateDict): void {
    if (typeof state?.lastEpoch !== 'number' || !Array.isArray(state.unwarmed)) {
      throw new TypeError('WarmupLR.loadStateDict: expected { lastEpoch, unwarmed, lastLr, after }');
    }
    if (this.options.after !== undefined && state.after) this.options.after.loadStateDict(state.after as SchedulerStateDict);
    this.lastEpoch = state.lastEpoch;
    this.unwarmed = [...(state.unwarmed as number[])];
    this.lastLr = [...(state.lastLr as number[])];
  }
}
