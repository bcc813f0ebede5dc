import { LRScheduler, checkArg, checkOptimizer, type AnyOptimizer, type SchedulerStateDict } from './scheduler.js';

/**
 * Runs schedulers one after another, switching at the milestones; the next scheduler starts from its own step 0
 * (jumped to through its closed form). Matches `torch.optim.lr_scheduler.SequentialLR`; the usual way to write
 * "warmup, then decay".
 */
export class SequentialLR {
  lastEpoch: number;
  private lastLr: number[];

  constructor(readonly optimizer: AnyOptimizer, readonly schedulers: LRScheduler[], readonly milestones: number[], lastEpoch = -1) {
    checkOptimizer('SequentialLR', optimizer);
    checkArg(Array.isArray(schedulers) && schedulers.length >= 1, 'SequentialLR', 'schedulers', 'a non-empty list', schedulers?.length);
    schedulers.forEach((s, i) => {
      if (!(s instanceof LRScheduler)) throw new TypeError(`SequentialLR: expected schedulers[${i}] to be an LRScheduler, got ${typeof s}`);
      if (s.optimizer !== optimizer) throw new RangeError(`SequentialLR: schedulers[${i}] drives a different optimizer`);
    });
    checkArg(Array.isArray(milestones) && milestones.length === schedulers.length - 1 && milestones.every((m, i) => Number.isInteger(m) && m > 0 && (i === 0 || m > milestones[i - 1])), 'SequentialLR', 'milestones', `an increasing list of ${schedulers.length - 1} positive step(s) (one fewer than schedulers)`, milestones);
    this.lastEpoch = lastEpoch + 1;
    for (const g of optimizer.paramGroups) g.lr = g.initialLr as number;
    // undo the initial step each scheduler took when it was built, then take it for the first one only
    for (const s of schedulers) s.lastEpoch -= 1;
    schedulers[0].step();
    this.lastLr = schedulers[0].getLastLr();
  }

  step(): void {
    this.lastEpoch += 1;
    const idx = this.milestones.filter((m) => m <= this.lastEpoch).length;
    const scheduler = this.schedulers[idx];
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) scheduler.step(0);
    else scheduler.step();
    this.lastLr = scheduler.getLastLr();
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  stateDict(): SchedulerStateDict {
    return { lastEpoch: this.lastEpoch, lastLr: [...this.lastLr], schedulers: this.schedulers.map((s) => s.stateDict()) };
  }

  loadStateDict(state: SchedulerStateDict): void {
    const subs = state?.schedulers as SchedulerStateDict[] | undefined;
    if (!Array.isArray(subs) || subs.length !== this.schedulers.length) {
      throw new RangeError(`SequentialLR.loadStateDict: expected ${this.schedulers.length} scheduler states, got ${Array.isArray(subs) ? subs.length : typeof subs}`);
    }
    subs.forEach((s, i) => this.schedulers[i].loadStateDict(s));
    this.lastEpoch = state.lastEpoch as number;
    this.lastLr = [...(state.lastLr as number[])];
  }
}

/**
 * Steps several schedulers together each step, their factors multiplying (each reads the lr the previous one
 * wrote). Matches `torch.optim.lr_scheduler.ChainedScheduler`.
 */
export class ChainedScheduler {
  readonly optimizer: AnyOptimizer;
  private lastLr: number[];

  constructor(readonly schedulers: LRScheduler[]) {
    checkArg(Array.isArray(schedulers) && schedulers.length >= 1, 'ChainedScheduler', 'schedulers', 'a non-empty list', schedulers?.length);
    this.optimizer = schedulers[0].optimizer;
    schedulers.forEach((s, i) => {
      if (s.optimizer !== this.optimizer) throw new RangeError(`ChainedScheduler: schedulers[${i}] drives a different optimizer`);
    });
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  step(): void {
    for (const s of this.schedulers) s.step();
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  stateDict(): SchedulerStateDict {
    return { lastLr: [...this.lastLr], schedulers: this.schedulers.map((s) => s.stateDict()) };
  }

  loadStateDict(state: SchedulerStateDict): void {
    const subs = state?.schedulers as SchedulerStateDict[] | undefined;
    if (!Array.isArray(subs) || subs.length !== this.schedulers.length) {
      throw new RangeError(`ChainedScheduler.loadStateDict: expected ${this.schedulers.length} scheduler states, got ${Array.isArray(subs) ? subs.length : typeof subs}`);
    }
    subs.forEach((s, i) => this.schedulers[i].loadStateDict(s));
    this.lastLr = [...(state.lastLr as number[])];
  }
}
