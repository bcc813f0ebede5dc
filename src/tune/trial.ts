import { checkRecord } from '../format/check.js';
import {
  categoricalDistribution, checkCompatible, checkContains, distributionToString, floatDistribution, intDistribution,
  isSingle, sameDistribution, type SuggestOptions,
} from './distributions.js';
import type { Storage } from './storage/base.js';
import { fromStoredJson, toStoredJson } from './storage/json.js';
import type {
  CategoricalChoice, Distribution, FrozenTrial, ParamValue, Pruner, Sampler, SearchSpace, StudyView, TrialState,
} from './types.js';

/**
 * Thrown by an objective to end its trial as pruned (usually right after `trial.shouldPrune()` returned true).
 * Optuna's TrialPruned.
 */
export class TrialPruned extends Error {
  constructor(message = 'trial pruned') {
    super(message);
    this.name = 'TrialPruned';
  }
}

/** What a trial needs from its study; the Study implements it. Not part of the public API. */
export interface TrialHost {
  readonly view: StudyView;
  readonly sampler: Sampler;
  readonly pruner: Pruner;
  readonly storage: Storage;
  /** The distribution a parameter had in the study's earlier trials (from the snapshot), if any. */
  knownDistribution(name: string): Distribution | undefined;
}

/**
 * A running trial: the objective's handle for suggesting parameters, reporting intermediate values and asking
 * whether to stop. Optuna's Trial. Suggestions are synchronous: the sampler works on the study snapshot taken when
 * the trial was asked for, and every value is written to the storage in the background (so that other workers see
 * it); `study.tell` waits for those writes and then records the whole trial in one transaction.
 */
export class Trial {
  /** 0, 1, 2, ... within the study. */
  readonly number: number;
  /** The storage's id of this trial. */
  readonly trialId: number;
  readonly datetimeStart: Date | null;
  private _state: TrialState = 'running';
  private _params: Record<string, ParamValue> = {};
  private _distributions: Record<string, Distribution> = {};
  private _intermediate = new Map<number, number>();
  private _userAttrs: Record<string, unknown> = {};
  private _systemAttrs: Record<string, unknown>;
  private relativeSpace: SearchSpace = {};
  private relativeParams: Record<string, ParamValue> = {};
  private pending: Promise<void> = Promise.resolve();
  /** @internal */
  readonly host: TrialHost;

  /** @internal Trials come from `study.ask()`; the study calls this. */
  constructor(host: TrialHost, frozen: FrozenTrial) {
    // a Trial is made by its study (ask, optimize); these checks name a wrong call from plain JavaScript
    checkRecord('Trial', 'a study (the trial host)', host);
    checkRecord('Trial', 'a frozen trial', frozen, ['number', 'trialId', 'datetimeStart', 'systemAttrs']);
    this.host = host;
    this.number = frozen.number;
    this.trialId = frozen.trialId;
    this.datetimeStart = frozen.datetimeStart;
    this._systemAttrs = { ...frozen.systemAttrs };
  }

  /** @internal Called by the study once, before the objective runs: the sampler's before-trial hook and joint sampling. */
  start(): void {
    const { sampler, view } = this.host;
    if (sampler.beforeTrial) {
      const before = { ...this._systemAttrs };
      const frozen = { ...this.frozen(), systemAttrs: this._systemAttrs };
      sampler.beforeTrial(view, frozen);
      for (const [k, v] of Object.entries(this._systemAttrs)) {
        if (JSON.stringify(before[k]) !== JSON.stringify(v)) this.write((s) => s.setTrialSystemAttr(this.trialId, k, v));
      }
    }
    this.relativeSpace = sampler.inferRelativeSearchSpace(view, this.frozen());
    if (Object.keys(this.relativeSpace).length > 0) {
      this.relativeParams = sampler.sampleRelative(view, this.frozen(), this.relativeSpace);
    }
  }

  /** `running` while the objective runs; `complete`, `pruned` or `fail` once told. */
  get state(): TrialState {
    return this._state;
  }

  /** The parameters suggested so far (name -> value). */
  get params(): Readonly<Record<string, ParamValue>> {
    return { ...this._params };
  }

  /** The distribution each parameter was suggested from. */
  get distributions(): Readonly<Record<string, Distribution>> {
    return { ...this._distributions };
  }

  /** step -> value, as reported so far. */
  get intermediateValues(): ReadonlyMap<number, number> {
    return new Map(this._intermediate);
  }

  /** The attributes set with `setUserAttr` (copies). */
  get userAttrs(): Readonly<Record<string, unknown>> {
    return JSON.parse(JSON.stringify(this._userAttrs));
  }

  /** What lrlab and the sampler record on the trial: `fixedParams` of an enqueued trial, `failReason`, ... (copies). */
  get systemAttrs(): Readonly<Record<string, unknown>> {
    return fromStoredJson(toStoredJson(this._systemAttrs)); // the storages' JSON: an Infinity in fixedParams stays
  }

  /** The parameters `enqueueTrial` fixed for this trial, if any. */
  private get fixedParams(): Record<string, ParamValue> {
    return (this._systemAttrs.fixedParams as Record<string, ParamValue> | undefined) ?? {};
  }

  /** A float in [low, high]: log-uniform with `log`, on the grid low + k step with `step`. Optuna's suggest_float. */
  suggestFloat(name: string, low: number, high: number, options?: SuggestOptions): number {
    return this.suggest(name, floatDistribution(name, low, high, options)) as number;
  }

  /** An integer in [low, high] on the grid low + k step; log-uniform with `log`. Optuna's suggest_int. */
  suggestInt(name: string, low: number, high: number, options?: SuggestOptions): number {
    return this.suggest(name, intDistribution(name, low, high, options)) as number;
  }

  /** One of `choices`. Optuna's suggest_categorical. */
  suggestCategorical<T extends CategoricalChoice>(name: string, choices: readonly T[]): T {
    return this.suggest(name, categoricalDistribution(name, choices)) as T;
  }

  private checkRunning(fn: string): void {
    if (this._state !== 'running') throw new Error(`${fn}: expected a running trial, got trial ${this.number} already ${this._state}`);
  }

  // Optuna 3.1 raises NotImplementedError for report and should_prune in a study of several objectives
  private checkSingleObjective(fn: string): void {
    const n = this.host.view.directions.length;
    if (n > 1) throw new Error(`${fn}: expected a single-objective study, got ${n} objectives (Trial.${fn === 'report' ? 'report' : 'should_prune'} is not supported for multi-objective optimization.)`);
  }

  private suggest(name: string, d: Distribution): ParamValue {
    this.checkRunning(`suggest('${name}')`);
    const previous = this._distributions[name];
    if (previous !== undefined) {
      // the same call twice in one trial gives the same value; a different range is a bug in the objective
      if (!sameDistribution(previous, d)) {
        throw new RangeError(
          `suggest('${name}'): expected the same distribution as earlier in trial ${this.number} (${distributionToString(previous)}), got ${distributionToString(d)}`,
        );
      }
      return this._params[name];
    }
    const known = this.host.knownDistribution(name);
    if (known !== undefined) checkCompatible(name, known, d);
    let value: ParamValue;
    if (name in this.fixedParams) {
      value = this.fixedParams[name];
      checkContains('enqueueTrial', name, d, value);
    } else if (isSingle(d)) {
      value = d.type === 'categorical' ? d.choices[0] : d.low;
    } else if (name in this.relativeParams && this.relativeSpace[name] && sameDistribution(this.relativeSpace[name], d)) {
      value = this.relativeParams[name];
    } else {
      value = this.host.sampler.sampleIndependent(this.host.view, this.frozen(), name, d);
    }
    checkContains('sampler', name, d, value);
    this._params[name] = value;
    this._distributions[name] = d;
    this.write((s) => s.setTrialParam(this.trialId, name, d, value));
    return value;
  }

  /**
   * Records an intermediate objective value at `step` (an integer >= 0), for pruners and plots. A step reported
   * twice keeps its first value, as in Optuna. Kept locally at once, written to the storage in the background.
   * Single objective only (Optuna 3.1 does not support it with several).
   */
  report(value: number, step: number): void {
    this.checkRunning('report');
    this.checkSingleObjective('report');
    if (typeof value !== 'number') throw new TypeError(`report: expected a number value, got ${typeof value} ${JSON.stringify(value)}`);
    if (typeof step !== 'number' || !Number.isSafeInteger(step) || step < 0) {
      throw new RangeError(`report: expected an integer step >= 0, got ${step}`);
    }
    if (this._intermediate.has(step)) return;
    this._intermediate.set(step, value);
    this.write((s) => s.setTrialIntermediateValue(this.trialId, step, value));
  }

  /** Whether the study's pruner would stop this trial now, from the values reported so far. Single objective only, as Optuna. */
  shouldPrune(): boolean {
    this.checkRunning('shouldPrune');
    this.checkSingleObjective('shouldPrune');
    return this.host.pruner.prune(this.host.view, this.frozen());
  }

  /** Attaches a JSON-serializable value to the trial (kept in the storage with it). */
  setUserAttr(key: string, value: unknown): void {
    this.checkRunning('setUserAttr');
    if (typeof key !== 'string' || key === '') throw new TypeError(`setUserAttr: expected a non-empty key, got ${JSON.stringify(key)}`);
    let json: string | undefined;
    try {
      json = JSON.stringify(value);
    } catch {
      json = undefined;
    }
    if (json === undefined) throw new TypeError(`setUserAttr('${key}'): expected a JSON-serializable value, got ${typeof value}`);
    this._userAttrs[key] = JSON.parse(json);
    this.write((s) => s.setTrialUserAttr(this.trialId, key, JSON.parse(json!)));
  }

  /** @internal A system attribute (set by the study: the failure reason, the worker). */
  setSystemAttr(key: string, value: unknown): void {
    this._systemAttrs[key] = value;
  }

  /** @internal A system attribute a pruner records (successive halving's rungs): kept, and written in the background. */
  recordSystemAttr(key: string, value: unknown): void {
    this._systemAttrs[key] = value;
    this.write((s) => s.setTrialSystemAttr(this.trialId, key, value));
  }

  /** This trial as a FrozenTrial, as samplers and pruners see it. */
  frozen(): FrozenTrial {
    return {
      number: this.number, trialId: this.trialId, state: this._state, value: null, values: null,
      params: { ...this._params }, distributions: { ...this._distributions },
      intermediateValues: new Map(this._intermediate), userAttrs: { ...this._userAttrs },
      systemAttrs: { ...this._systemAttrs }, datetimeStart: this.datetimeStart, datetimeComplete: null,
    };
  }

  /** @internal Writes in order, in the background; failures are ignored here because `finish` writes it all again. */
  private write(op: (s: Storage) => Promise<void>): void {
    this.pending = this.pending.then(() => op(this.host.storage)).catch(() => undefined);
  }

  /** Waits until the values suggested and reported so far are in the storage (`tell` does this itself). */
  flush(): Promise<void> {
    return this.pending;
  }

  /** @internal Marks the trial told, after the storage accepted its end. */
  markFinished(state: TrialState): void {
    this._state = state;
  }
}
