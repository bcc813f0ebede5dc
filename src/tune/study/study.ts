// The Study class: its trials as of the last talk with the storage, ask and tell, and the optimize loop in this
// thread (an objective module's trials run in worker threads: optimize-threads.ts).
import { checkRecord } from '../../format/check.js';
import { UpdateFinishedTrialError, type Storage } from '../storage/base.js';
import { sibling, startWorker } from '../threads.js';
import { optimizeInThreads } from './optimize-threads.js';
import { Trial, TrialPruned, type TrialHost } from '../trial.js';
import { checkCompatible, checkTrial } from '../create-trial.js';
import { checkOptimizeOptions, valuesProblem, writeProgress, type Objective, type ObjectiveModule, type OptimizeOptions } from './options.js';
import { formatTrialsCsv, formatTrialsJson } from './trials-export.js';
import { paretoFront } from '../multi-objective/dominates.js';
import type { Worker } from 'node:worker_threads';
import type {
  Distribution, FrozenTrial, ParamValue, Pruner, Sampler, StudyDirection, StudyView, TrialState,
} from '../types.js';

/**
 * A study: one direction per objective, a sampler, a pruner and the trials in its storage. Optuna's Study.
 * `trials`, `bestTrial`, `bestValue`, `bestParams` (one objective) and `bestTrials` (the Pareto front, any number of
 * objectives) reflect the storage as of the study's last call that talked to it (`ask`, `tell`, `optimize`,
 * `enqueueTrial`, `refresh`); other workers' trials appear there after such a call.
 */
export class Study {
  readonly studyName: string;
  /** One direction per objective. Optuna's study.directions. */
  readonly directions: readonly StudyDirection[];
  readonly sampler: Sampler;
  readonly pruner: Pruner;
  readonly storage: Storage;
  /** @internal */
  readonly studyId: number;
  private cache: FrozenTrial[] = [];
  private live = new Map<number, Trial>();
  private beats = new Map<number, ReturnType<typeof setInterval>>();
  private stopped = false;
  private interruptReason: string | null = null;
  private host: TrialHost;
  private heartbeatThread: Worker | null = null;
  private sharedFlags: Int32Array | null = null;

  /** @internal Use `createStudy` or `loadStudy`. */
  constructor(init: { studyName: string; studyId: number; directions: readonly StudyDirection[]; sampler: Sampler; pruner: Pruner; storage: Storage }) {
    // a Study is made by createStudy or loadStudy; this check names a wrong call from plain JavaScript
    checkRecord('Study', '{ studyName, studyId, directions, sampler, pruner, storage } (use createStudy)', init, ['studyName', 'studyId', 'directions', 'sampler', 'pruner', 'storage']);
    this.studyName = init.studyName;
    this.studyId = init.studyId;
    this.directions = Object.freeze([...init.directions]);
    this.sampler = init.sampler;
    this.pruner = init.pruner;
    this.storage = init.storage;
    const view: StudyView = {
      studyName: this.studyName,
      direction: this.directions[0],
      directions: this.directions,
      getTrials: (options) => this.getTrials(options),
      stop: () => this.stop(),
      setTrialSystemAttr: (trialId, key, value) => this.setPrunerSystemAttr(trialId, key, value),
    };
    this.host = {
      view, sampler: this.sampler, pruner: this.pruner, storage: this.storage,
      knownDistribution: (name) => this.knownDistribution(name),
    };
  }

  /** All trials, in number order, as of the last talk with the storage. */
  get trials(): readonly FrozenTrial[] {
    return this.cache.slice();
  }

  /** The trials in the given states (all when none given). */
  getTrials(options: { states?: readonly TrialState[] } = {}): readonly FrozenTrial[] {
    const states = options.states;
    return states ? this.cache.filter((t) => states.includes(t.state)) : this.cache.slice();
  }

  /** `directions[0]`, the direction of a single-objective study. */
  get direction(): StudyDirection {
    return this.directions[0];
  }

  /**
   * The complete trial with the best value (the lowest for 'minimize'); an error when none is complete, and in a
   * study of several objectives (Optuna raises there too: use `bestTrials`).
   */
  get bestTrial(): FrozenTrial {
    this.checkSingle('bestTrial');
    let best: FrozenTrial | null = null;
    for (const t of this.cache) {
      if (t.state !== 'complete' || t.value === null) continue;
      if (best === null || (this.direction === 'minimize' ? t.value < best.value! : t.value > best.value!)) best = t;
    }
    if (best === null) throw new RangeError(`bestTrial: expected at least one complete trial in study '${this.studyName}', got none of ${this.cache.length}`);
    return best;
  }

  /** The best complete trial's value; an error when none is complete or the study has several objectives. */
  get bestValue(): number {
    this.checkSingle('bestValue');
    return this.bestTrial.value!;
  }

  /** The best complete trial's parameters; an error when none is complete or the study has several objectives. */
  get bestParams(): Readonly<Record<string, ParamValue>> {
    this.checkSingle('bestParams');
    return { ...this.bestTrial.params };
  }

  /**
   * The Pareto front: the complete trials no other complete trial dominates, in number order (with one objective,
   * the trials of the best value). Optuna's study.best_trials.
   */
  get bestTrials(): FrozenTrial[] {
    return paretoFront(this.cache, this.directions);
  }

  private checkSingle(fn: string): void {
    if (this.directions.length > 1) {
      throw new RangeError(`${fn}: expected a single-objective study, got ${this.directions.length} objectives in study '${this.studyName}' (a single best trial cannot be retrieved from a multi-objective study: use study.bestTrials)`);
    }
  }

  /** Asks `optimize` to start no new trial; running trials finish. GridSampler calls it when its grid is used up. */
  stop(): void {
    this.stopped = true;
    if (this.sharedFlags) Atomics.store(this.sharedFlags, 1, 1);
  }

  /**
   * Ends every trial this process is running as failed, with `reason` as its `systemAttrs.failReason`, and stops
   * `optimize` from starting new ones; returns the trials it failed. What `lrlab tune` does on Ctrl-C, as Optuna
   * fails the running trial on KeyboardInterrupt. An objective that is still running finds its trial ended when
   * it returns: its result is dropped (a trial whose result was already being recorded keeps it).
   */
  async interrupt(reason: string): Promise<FrozenTrial[]> {
    if (typeof reason !== 'string' || reason === '') throw new TypeError(`interrupt: expected a reason, got ${JSON.stringify(reason)}`);
    this.interruptReason = reason;
    this.stop();
    const failed: FrozenTrial[] = [];
    for (const trial of [...this.live.values()]) {
      if (trial.state !== 'running') continue;
      trial.setSystemAttr('failReason', `trial ${trial.number}: ${reason}`);
      try {
        failed.push(await this.tell(trial, undefined, 'fail'));
      } catch (error) {
        // recorded meanwhile (its own tell, or another worker): that record stands
        if (!(error instanceof UpdateFinishedTrialError) && !(error instanceof RangeError)) throw error;
      }
    }
    return failed;
  }

  /** @internal Whether `stop()` was called since the current `optimize` began. */
  get isStopped(): boolean {
    return this.stopped;
  }

  /** Reloads the trials from the storage (other workers' progress included). */
  async refresh(): Promise<void> {
    // this process's own background writes (a pruner's rung records, say) land first, so the reload includes them
    await Promise.all([...this.live.values()].map((t) => t.flush()));
    this.cache = await this.storage.getAllTrials(this.studyId);
  }

  /**
   * A pruner's write (successive halving's rung records): into the live trial, so its next `shouldPrune` sees it,
   * into the snapshot, so other trials' pruning sees it as Optuna's in-memory storage would, and to the storage.
   */
  private setPrunerSystemAttr(trialId: number, key: string, value: unknown): void {
    const trial = [...this.live.values()].find((t) => t.trialId === trialId);
    if (!trial) throw new RangeError(`setTrialSystemAttr: expected a running trial of study '${this.studyName}', got trial id ${trialId}`);
    trial.recordSystemAttr(key, value);
    this.cache = this.cache.map((t) => (t.trialId === trialId ? { ...t, systemAttrs: { ...t.systemAttrs, [key]: value } } : t));
  }

  private knownDistribution(name: string): Distribution | undefined {
    for (let i = this.cache.length - 1; i >= 0; i--) {
      const d = this.cache[i].distributions[name];
      if (d !== undefined) return d;
    }
    return undefined;
  }

  /**
   * Starts a trial: the oldest enqueued one if any, else a new one. Marks dead workers' trials failed first (with
   * heartbeats on), takes the snapshot the sampler works on, and starts this trial's heartbeat.
   */
  async ask(): Promise<Trial> {
    const interval = this.storage.heartbeat.heartbeatInterval;
    const url = this.storage.connectionString;
    // a thread of its own beats for this process's trials (a synchronous objective cannot starve it); started
    // before the first trial exists, so that no trial waits for it
    if (interval !== null && url) this.heartbeatThread ??= await startHeartbeatThread(url, interval);
    if (this.storage.heartbeat.gracePeriod !== null) await this.storage.failStaleTrials(this.studyId);
    const frozen = (await this.storage.popWaitingTrial(this.studyId)) ?? (await this.storage.createTrial(this.studyId, { state: 'running' }));
    await this.refresh();
    const trial = new Trial(this.host, frozen);
    trial.start();
    this.live.set(trial.number, trial);
    if (interval !== null) {
      await this.storage.recordHeartbeat(trial.trialId);
      if (this.heartbeatThread) this.heartbeatThread.postMessage({ beat: trial.trialId });
      else {
        const timer = setInterval(() => void this.storage.recordHeartbeat(trial.trialId).catch(() => undefined), interval * 1000);
        timer.unref();
        this.beats.set(trial.trialId, timer);
      }
    }
    return trial;
  }

  /**
   * Ends a trial (a Trial or its number) with Optuna's rules (`_tell`): with a value (a number, or an array of one
   * number per objective) and no state it is complete, unless a value is NaN or not a number, or their count is not
   * the number of objectives, which fails it (the reason kept in `systemAttrs.failReason`); with no value and no
   * state it fails; 'pruned' and 'fail' take no value; 'complete' needs one. The sampler's `afterTrial` runs before
   * the trial is stored (it may add system attributes, e.g. constraints); if it throws, the trial is stored all the
   * same and the error is re-thrown, as Optuna. Returns the trial as recorded. Telling a finished trial is an error
   * and changes nothing.
   */
  async tell(trialOrNumber: Trial | number, value?: number | readonly number[], state?: 'complete' | 'pruned' | 'fail'): Promise<FrozenTrial> {
    if (state !== undefined && !['complete', 'pruned', 'fail'].includes(state)) {
      throw new TypeError(`tell: expected state 'complete', 'pruned' or 'fail', got ${JSON.stringify(state)}`);
    }
    if ((state === 'pruned' || state === 'fail') && value !== undefined) {
      throw new RangeError(`tell: expected no value with state '${state}', got ${String(value)}`);
    }
    if (state === 'complete' && value === undefined) throw new RangeError(`tell: expected a value with state 'complete', got none`);
    const trial = await this.resolveTrial(trialOrNumber);
    let finalState: TrialState = state ?? 'complete';
    let finalValues: number[] | null = null;
    const attrs: Record<string, unknown> = { ...trial.systemAttrs };
    if (finalState === 'complete') {
      const checked = valuesProblem(value, this.directions.length);
      if (typeof checked === 'string') {
        finalState = 'fail';
        attrs.failReason = `trial ${trial.number}: ${checked}`;
      } else finalValues = checked;
    }
    if (trial instanceof Trial) await trial.flush();
    let afterError: { error: unknown } | null = null;
    try {
      const base = trial instanceof Trial ? trial.frozen() : trial;
      this.sampler.afterTrial?.(this.host.view, { ...base, systemAttrs: attrs }, finalState, finalValues && [...finalValues]);
    } catch (error) {
      afterError = { error };
    }
    let frozen: FrozenTrial;
    try {
      frozen = await this.storage.finishTrial(trial.trialId, {
        state: finalState, values: finalValues, params: trial.params, distributions: trial.distributions,
        intermediateValues: trial.intermediateValues, userAttrs: trial.userAttrs, systemAttrs: attrs,
      });
    } catch (error) {
      // finished elsewhere meanwhile (told by another worker, or failed for missing heartbeats): this process
      // stops tracking it; the storage's record stands
      if (error instanceof UpdateFinishedTrialError && trial instanceof Trial) {
        this.forget(trial, (await this.storage.getTrial(trial.trialId)).state);
      }
      throw error;
    }
    if (trial instanceof Trial) this.forget(trial, finalState);
    await this.refresh();
    if (afterError !== null) throw afterError.error;
    return frozen;
  }

  private async resolveTrial(trialOrNumber: Trial | number): Promise<Trial | FrozenTrial> {
    if (trialOrNumber instanceof Trial) {
      if (trialOrNumber.host !== this.host) throw new RangeError(`tell: expected a trial of study '${this.studyName}', got trial ${trialOrNumber.number} of another study`);
      if (trialOrNumber.state !== 'running') throw new RangeError(`tell: expected a running trial, got trial ${trialOrNumber.number} already ${trialOrNumber.state}`);
      return trialOrNumber;
    }
    if (typeof trialOrNumber !== 'number' || !Number.isSafeInteger(trialOrNumber) || trialOrNumber < 0) {
      throw new TypeError(`tell: expected a Trial or a trial number, got ${String(trialOrNumber)}`);
    }
    const live = this.live.get(trialOrNumber);
    if (live) return live;
    await this.refresh();
    const stored = this.cache.find((t) => t.number === trialOrNumber);
    if (!stored) throw new RangeError(`tell: expected the number of a trial of study '${this.studyName}', got ${trialOrNumber} (${this.cache.length} trials)`);
    if (stored.state !== 'running') throw new RangeError(`tell: expected a running trial, got trial ${trialOrNumber} already ${stored.state}`);
    return stored;
  }

  /**
   * Adds a trial that the next `ask` (in any worker) runs with these parameter values; parameters it does not fix
   * are sampled as usual. Optuna's enqueue_trial.
   */
  async enqueueTrial(params: Record<string, ParamValue>, userAttrs: Record<string, unknown> = {}): Promise<void> {
    if (params === null || typeof params !== 'object' || Array.isArray(params)) {
      throw new TypeError(`enqueueTrial: expected an object of parameter values, got ${Array.isArray(params) ? 'an array' : String(params)}`);
    }
    for (const [k, v] of Object.entries(params)) {
      // an infinite number can be a categorical choice; a float or int parameter refuses it when the trial runs
      const ok = v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && !Number.isNaN(v));
      if (!ok) throw new TypeError(`enqueueTrial('${k}'): expected a number, string, boolean or null, got ${String(v)}`);
    }
    await this.storage.createTrial(this.studyId, { state: 'waiting', systemAttrs: { fixedParams: { ...params }, ...(Object.keys(userAttrs).length ? { enqueuedUserAttrs: userAttrs } : {}) } });
    await this.refresh();
  }

  /**
   * Stores a trial made elsewhere (`createTrial`, or another study's) as this study's next trial, with its state,
   * value, parameters, intermediate values, attributes and datetimes; samplers then count it as history (a warm
   * start). Checked first (`checkTrial`, and each parameter keeps the kind the study's trials gave it). Returns the
   * trial as recorded. Optuna's add_trial.
   */
  async addTrial(trial: FrozenTrial): Promise<FrozenTrial> {
    return (await this.addTrialsAs('addTrial', [trial]))[0];
  }

  /**
   * Stores several trials, in order, as `addTrial` does. All are checked before the first is stored, so a bad one
   * adds none (Optuna's add_trials stops at it, keeping those before). Returns them as recorded.
   */
  async addTrials(trials: Iterable<FrozenTrial>): Promise<FrozenTrial[]> {
    if (trials === null || typeof (trials as Iterable<FrozenTrial>)?.[Symbol.iterator] !== 'function') {
      throw new TypeError(`addTrials: expected an array (or iterable) of trials, got ${trials === null ? 'null' : typeof trials}`);
    }
    return this.addTrialsAs('addTrials', [...trials]);
  }

  private async addTrialsAs(fn: string, trials: readonly FrozenTrial[]): Promise<FrozenTrial[]> {
    const checked = trials.map((t, i) => checkTrial(trials.length > 1 ? `${fn}[${i}]` : fn, t));
    checked.forEach((t, i) => {
      if (t.values !== null && t.values.length !== this.directions.length) {
        const n = this.directions.length;
        throw new RangeError(`${trials.length > 1 ? `${fn}[${i}]` : fn}: expected ${n} value${n === 1 ? '' : 's'} (one per objective of the study), got ${t.values.length}`);
      }
    });
    await this.refresh();
    // each trial is also held to the kinds the trials before it in this call set
    const added: Record<string, Distribution> = {};
    checked.forEach((t, i) => {
      checkCompatible(trials.length > 1 ? `${fn}[${i}]` : fn, t, (name) => added[name] ?? this.knownDistribution(name));
      Object.assign(added, t.distributions);
    });
    const stored: FrozenTrial[] = [];
    for (const { number: _n, trialId: _id, ...template } of checked) stored.push(await this.storage.addTrial(this.studyId, template));
    await this.refresh();
    return stored;
  }

  /** Sets a study-level attribute (e.g. what the objective measures). */
  async setUserAttr(key: string, value: unknown): Promise<void> {
    await this.storage.setStudyUserAttr(this.studyId, key, value);
  }

  /** The study-level attributes, read from the storage. */
  async userAttrs(): Promise<Record<string, unknown>> {
    return this.storage.getStudyUserAttrs(this.studyId);
  }

  /**
   * Runs trials: ask, call the objective, tell, until `nTrials` have run, `timeout` passed or the study was stopped.
   * Optuna's rules for the objective: throwing `TrialPruned` prunes the trial; returning NaN or a non-number fails
   * the trial and the study goes on; throwing anything else fails the trial (the message kept in
   * `systemAttrs.failReason`) and is re-thrown once running trials end, unless `catch` matches it.
   */
  async optimize(objective: Objective | ObjectiveModule, options: OptimizeOptions = {}): Promise<void> {
    const fn = 'optimize';
    const isModule = objective !== null && typeof objective === 'object' && 'module' in objective;
    if (typeof objective !== 'function' && !isModule) {
      throw new TypeError(`${fn}: expected an objective function (trial) => number or { module, exportName }, got ${objective === null ? 'null' : typeof objective}`);
    }
    const o = checkOptimizeOptions(options);
    this.stopped = false;
    this.interruptReason = null;
    if (isModule) return optimizeInThreads(this, objective as ObjectiveModule, o, options, (flags) => { this.sharedFlags = flags; });
    objective = objective as Objective;
    const started = Date.now();
    let launched = 0;
    let failure: { error: unknown } | null = null;
    const more = () =>
      !this.stopped && failure === null && (o.nTrials === null || launched < o.nTrials) &&
      (o.timeout === null || (Date.now() - started) / 1000 < o.timeout);
    const job = async () => {
      while (more()) {
        launched++;
        try {
          const frozen = await this.runTrial(objective as Objective, o.catches);
          if (o.showProgressBar) writeProgress(this, frozen, launched, o.nTrials);
          for (const cb of o.callbacks) await cb(this, frozen);
        } catch (error) {
          failure ??= { error };
        }
        // a synchronous objective on a synchronous storage (SQLite) would chain every trial in microtasks: the
        // event loop, and with it signal handlers and timers, would not run until the last trial ended
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    await Promise.all(Array.from({ length: o.nJobs }, job));
    await this.stopHeartbeatThread();
    if (failure !== null) throw (failure as { error: unknown }).error;
  }

  /** @internal One trial: ask, run the objective with Optuna's rules, tell. */
  async runTrial(objective: Objective, catches: (e: unknown) => boolean, started?: (trial: Trial) => void): Promise<FrozenTrial> {
    const trial = await this.ask();
    started?.(trial);
    try {
      if (this.interruptReason !== null) {
        // interrupted while this trial was being asked for: it ends before its objective starts
        if (trial.state !== 'running') return await this.storage.getTrial(trial.trialId);
        trial.setSystemAttr('failReason', `trial ${trial.number}: ${this.interruptReason}`);
        return await this.tell(trial, undefined, 'fail');
      }
      let result: unknown;
      try {
        result = await objective(trial);
      } catch (error) {
        if (trial.state !== 'running') return await this.storage.getTrial(trial.trialId); // interrupted meanwhile
        if (error instanceof TrialPruned) return await this.tell(trial, undefined, 'pruned');
        trial.setSystemAttr('failReason', `trial ${trial.number}: the objective threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
        const frozen = await this.tell(trial, undefined, 'fail');
        if (!catches(error)) throw error;
        return frozen;
      }
      if (trial.state !== 'running') return await this.storage.getTrial(trial.trialId); // interrupted meanwhile
      return await this.tell(trial, result as number | number[]);
    } catch (error) {
      // another worker failed this trial meanwhile (its heartbeats were late): the verdict stands, and the
      // study goes on; with maxRetry the trial has been enqueued again
      if (!(error instanceof UpdateFinishedTrialError)) throw error;
      await this.refresh();
      return this.storage.getTrial(trial.trialId);
    }
  }

  /** Ends this study's heartbeat thread once no trial of this process runs (ask starts it again when needed). */
  private async stopHeartbeatThread(): Promise<void> {
    if (this.heartbeatThread === null || this.live.size > 0) return;
    const thread = this.heartbeatThread;
    this.heartbeatThread = null;
    await thread.terminate();
  }

  private forget(trial: Trial, state: TrialState): void {
    const timer = this.beats.get(trial.trialId);
    if (timer) clearInterval(timer);
    this.beats.delete(trial.trialId);
    this.heartbeatThread?.postMessage({ stop: trial.trialId });
    this.live.delete(trial.number);
    trial.markFinished(state);
  }

  /**
   * The trials as CSV, one row per trial: Optuna's trials_dataframe columns (`value`, or `values_0`, `values_1`, ...
   * with several objectives; params_*, user_attrs_*); formula-like text is prefixed with ' (csvCell).
   */
  trialsToCsv(): string {
    return formatTrialsCsv(this.cache, this.directions.length);
  }

  /**
   * The trials as JSON: an array of FrozenTrials, with intermediate values as { step: value }, dates as ISO text,
   * and NaN and the infinities (values, parameters, choices) as the strings "NaN", "Infinity", "-Infinity".
   */
  trialsToJson(): string {
    return formatTrialsJson(this.cache);
  }
}

async function startHeartbeatThread(url: string, interval: number): Promise<Worker> {
  const worker = startWorker(sibling('heartbeat-worker'), { url, interval });
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  worker.unref();
  return worker;
}
