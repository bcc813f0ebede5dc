// A tiny study for driving samplers in tests: in memory, one trial at a time (or several held open), with
// Optuna's protocol (beforeTrial, relative search space, sampleRelative, sampleIndependent per suggestion,
// afterTrial). Only what the sampler tests need; the real Study lives in src/tune/study.ts.
import type { Distribution, FrozenTrial, ParamValue, Sampler, SearchSpace, StudyDirection, StudyView, TrialState } from '../../src/tune/types.js';
import { sameDistribution } from '../../src/tune/samplers/transform.js';

interface MutableTrial {
  number: number;
  trialId: number;
  state: TrialState;
  value: number | null;
  params: Record<string, ParamValue>;
  distributions: Record<string, Distribution>;
  intermediateValues: Map<number, number>;
  userAttrs: Record<string, unknown>;
  systemAttrs: Record<string, unknown>;
  datetimeStart: Date | null;
  datetimeComplete: Date | null;
}

/** The handle an objective gets: the suggest methods and report. */
export class DriverTrial {
  private relative: Record<string, ParamValue> = {};
  private relativeSpace: SearchSpace = {};

  constructor(readonly study: DriverStudy, readonly record: MutableTrial) {}

  get number(): number {
    return this.record.number;
  }

  start(): void {
    const s = this.study;
    s.sampler.beforeTrial?.(s, this.record);
    this.relativeSpace = s.sampler.inferRelativeSearchSpace(s, this.freeze());
    this.relative = s.sampler.sampleRelative(s, this.freeze(), this.relativeSpace);
  }

  private freeze(): FrozenTrial {
    const r = this.record;
    return { ...r, params: { ...r.params }, distributions: { ...r.distributions }, intermediateValues: new Map(r.intermediateValues), systemAttrs: { ...r.systemAttrs } };
  }

  suggest(name: string, d: Distribution): ParamValue {
    if (name in this.record.params) return this.record.params[name];
    const value = name in this.relative && sameDistribution(d, this.relativeSpace[name]) ? this.relative[name] : this.study.sampler.sampleIndependent(this.study, this.freeze(), name, d);
    this.record.params[name] = value;
    this.record.distributions[name] = d;
    return value;
  }

  suggestFloat(name: string, low: number, high: number, o: { log?: boolean; step?: number } = {}): number {
    return this.suggest(name, { type: 'float', low, high, log: o.log ?? false, step: o.step ?? null }) as number;
  }

  suggestInt(name: string, low: number, high: number, o: { log?: boolean; step?: number } = {}): number {
    return this.suggest(name, { type: 'int', low, high, log: o.log ?? false, step: o.step ?? 1 }) as number;
  }

  suggestCategorical<T extends ParamValue>(name: string, choices: readonly T[]): T {
    return this.suggest(name, { type: 'categorical', choices }) as T;
  }

  report(value: number, step: number): void {
    this.record.intermediateValues.set(step, value);
  }
}

/** An in-memory StudyView that runs trials against one sampler. */
export class DriverStudy implements StudyView {
  readonly studyName = 'driver';
  readonly trials: MutableTrial[] = [];
  stopped = false;

  constructor(readonly sampler: Sampler, readonly direction: StudyDirection = 'minimize') {}

  getTrials(options: { states?: readonly TrialState[] } = {}): readonly FrozenTrial[] {
    return options.states ? this.trials.filter((t) => options.states!.includes(t.state)) : this.trials;
  }

  stop(): void {
    this.stopped = true;
  }

  ask(): DriverTrial {
    const number = this.trials.length;
    const record: MutableTrial = { number, trialId: number, state: 'running', value: null, params: {}, distributions: {}, intermediateValues: new Map(), userAttrs: {}, systemAttrs: {}, datetimeStart: new Date(0), datetimeComplete: null };
    this.trials.push(record);
    const trial = new DriverTrial(this, record);
    trial.start();
    return trial;
  }

  tell(trial: DriverTrial, value: number | null, state: TrialState = 'complete'): void {
    const r = trial.record;
    this.sampler.afterTrial?.(this, r, state, value);
    r.state = state;
    r.value = state === 'complete' ? value : null;
  }

  /** Runs up to n trials (fewer if the sampler stops the study); returns the best value after each trial. */
  optimize(objective: (t: DriverTrial) => number, n: number): number[] {
    const curve: number[] = [];
    let best = this.direction === 'minimize' ? Infinity : -Infinity;
    for (let i = 0; i < n && !this.stopped; i++) {
      const t = this.ask();
      const v = objective(t);
      this.tell(t, v);
      best = this.direction === 'minimize' ? Math.min(best, v) : Math.max(best, v);
      curve.push(best);
    }
    return curve;
  }

  get bestValue(): number {
    const done = this.trials.filter((t) => t.state === 'complete').map((t) => t.value as number);
    return this.direction === 'minimize' ? Math.min(...done) : Math.max(...done);
  }
}
