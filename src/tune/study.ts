import { checkRecord } from '../format/check.js';
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { defaultPruner, defaultSampler } from './default-sampler.js';
import { DuplicatedStudyError, UpdateFinishedTrialError, type HeartbeatOptions, type Storage, type StudySummary } from './storage/base.js';
import { getStorage, redact } from './storage/index.js';
import { exactNumbers } from './storage/json.js';
import { sibling, startWorker } from './threads.js';
import { Trial, TrialPruned, type TrialHost } from './trial.js';
import { checkCompatible, checkTrial } from './create-trial.js';
import { csvCell } from '../io/csv-cell.js';
import type { Worker } from 'node:worker_threads';
import type {
  Distribution, FrozenTrial, ParamValue, Pruner, Sampler, StudyDirection, StudyView, TrialState,
} from './types.js';

/** The objective: a trial in, the value to minimize or maximize out. */
export type Objective = (trial: Trial) => number | Promise<number>;

/**
 * An objective that worker threads import: `module` is the URL (or absolute path) of an ES module exporting the
 * objective as `exportName` (default 'objective'). A JavaScript closure cannot cross into a thread, so for trials on
 * several cores the objective lives in a module; the module may also export `createSampler(worker)` and
 * `createPruner(worker)` (each worker thread builds its own) and `catch(error) => boolean`.
 */
export interface ObjectiveModule {
  module: string | URL;
  exportName?: string;
}

/** A class of errors, for `catch`. */
export type ErrorClass = abstract new (...args: never[]) => unknown;

/** Called after every trial `optimize` runs, with the study and the trial as recorded. */
export type OptimizeCallback = (study: Study, trial: FrozenTrial) => void | Promise<void>;

/** Options of `study.optimize` (Optuna's names in camelCase). */
export interface OptimizeOptions {
  /** How many trials this call runs (across its jobs). Default: until `timeout`, `study.stop()` or a grid's end. */
  nTrials?: number;
  /** Seconds after which no new trial starts (running ones finish). Default: none. */
  timeout?: number;
  /**
   * How many trials run at once (-1: one per CPU). Default 1. With an objective function: concurrent async tasks
   * in this thread (they overlap where the objective awaits). With an `ObjectiveModule`: worker threads, each
   * with its own connection to the study's SQLite or PostgreSQL storage, so trials use several cores.
   */
  nJobs?: number;
  callbacks?: readonly OptimizeCallback[];
  /**
   * Errors of the objective that fail the trial and let the study go on: an error class or a list of them (an
   * error of a subclass counts, as Python's isinstance), or a predicate. Any other error fails the trial, stops the
   * study and is re-thrown by `optimize` (once running trials end). Default: none. Optuna's `catch`.
   */
  catch?: ErrorClass | readonly ErrorClass[] | ((error: unknown) => boolean);
  /** Writes one line per finished trial to stderr. Default false. */
  showProgressBar?: boolean;
}

/** Options of `createStudy`. */
export interface CreateStudyOptions {
  /** Default: a generated `no-name-<uuid>`. */
  studyName?: string;
  /** Default 'minimize'. */
  direction?: StudyDirection;
  /** Default: a seeded uniform random sampler. */
  sampler?: Sampler;
  /** Default: no pruning. */
  pruner?: Pruner;
  /** A Storage, or a URL: 'sqlite:///path.db', 'postgresql://user:pass@host:port/db'. Default: in memory. */
  storage?: string | Storage;
  /** Load the study when one of that name exists instead of failing. Default false. */
  loadIfExists?: boolean;
  /** Heartbeat settings of a storage opened from a URL (ignored for a Storage object, which carries its own). */
  heartbeat?: HeartbeatOptions;
}

/** Options of `loadStudy`. */
export interface LoadStudyOptions {
  studyName: string;
  storage: string | Storage;
  sampler?: Sampler;
  pruner?: Pruner;
  heartbeat?: HeartbeatOptions;
}

function checkPlugin(fn: string, what: 'sampler' | 'pruner', x: unknown, methods: string[]): void {
  if (x === undefined) return;
  const missing = methods.filter((m) => typeof (x as Record<string, unknown>)?.[m] !== 'function');
  if (x === null || typeof x !== 'object' || missing.length > 0) {
    throw new TypeError(`${fn}: expected a ${what} with ${methods.join(', ')}, got ${x === null ? 'null' : typeof x}${missing.length && x ? ` without ${missing.join(', ')}` : ''}`);
  }
}

/**
 * A study: a direction, a sampler, a pruner and the trials in its storage. Optuna's Study. `trials`, `bestTrial`,
 * `bestValue` and `bestParams` reflect the storage as of the study's last call that talked to it (`ask`, `tell`,
 * `optimize`, `enqueueTrial`, `refresh`); other workers' trials appear there after such a call.
 */
export class Study {
  readonly studyName: string;
  readonly direction: StudyDirection;
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
  constructor(init: { studyName: string; studyId: number; direction: StudyDirection; sampler: Sampler; pruner: Pruner; storage: Storage }) {
    // a Study is made by createStudy or loadStudy; this check names a wrong call from plain JavaScript
    checkRecord('Study', '{ studyName, studyId, direction, sampler, pruner, storage } (use createStudy)', init, ['studyName', 'studyId', 'direction', 'sampler', 'pruner', 'storage']);
    this.studyName = init.studyName;
    this.studyId = init.studyId;
    this.direction = init.direction;
    this.sampler = init.sampler;
    this.pruner = init.pruner;
    this.storage = init.storage;
    const view: StudyView = {
      studyName: this.studyName,
      direction: this.direction,
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

  /** The complete trial with the best value (the lowest for 'minimize'); an error when none is complete. */
  get bestTrial(): FrozenTrial {
    let best: FrozenTrial | null = null;
    for (const t of this.cache) {
      if (t.state !== 'complete' || t.value === null) continue;
      if (best === null || (this.direction === 'minimize' ? t.value < best.value! : t.value > best.value!)) best = t;
    }
    if (best === null) throw new RangeError(`bestTrial: expected at least one complete trial in study '${this.studyName}', got none of ${this.cache.length}`);
    return best;
  }

  /** The best complete trial's value; an error when none is complete. */
  get bestValue(): number {
    return this.bestTrial.value!;
  }

  /** The best complete trial's parameters; an error when none is complete. */
  get bestParams(): Readonly<Record<string, ParamValue>> {
    return { ...this.bestTrial.params };
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
   * Ends a trial (a Trial or its number) with Optuna's rules: with a value and no state it is complete, unless the
   * value is NaN or not a number, which fails it (the reason kept in `systemAttrs.failReason`); with no value and no
   * state it fails; 'pruned' and 'fail' take no value; 'complete' needs one. Returns the trial as recorded.
   * Telling a finished trial is an error and changes nothing.
   */
  async tell(trialOrNumber: Trial | number, value?: number, state?: 'complete' | 'pruned' | 'fail'): Promise<FrozenTrial> {
    if (state !== undefined && !['complete', 'pruned', 'fail'].includes(state)) {
      throw new TypeError(`tell: expected state 'complete', 'pruned' or 'fail', got ${JSON.stringify(state)}`);
    }
    if ((state === 'pruned' || state === 'fail') && value !== undefined) {
      throw new RangeError(`tell: expected no value with state '${state}', got ${String(value)}`);
    }
    if (state === 'complete' && value === undefined) throw new RangeError(`tell: expected a value with state 'complete', got none`);
    const trial = await this.resolveTrial(trialOrNumber);
    let finalState: TrialState = state ?? 'complete';
    let finalValue: number | null = null;
    const attrs: Record<string, unknown> = { ...trial.systemAttrs };
    if (finalState === 'complete') {
      const reason = valueProblem(value);
      if (reason) {
        finalState = 'fail';
        attrs.failReason = `trial ${trial.number}: ${reason}`;
      } else finalValue = value as number;
    }
    if (trial instanceof Trial) await trial.flush();
    let frozen: FrozenTrial;
    try {
      frozen = await this.storage.finishTrial(trial.trialId, {
        state: finalState, value: finalValue, params: trial.params, distributions: trial.distributions,
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
    this.sampler.afterTrial?.(this.host.view, frozen, finalState, finalValue);
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
    if (isModule) return this.optimizeInThreads(objective as ObjectiveModule, o, options);
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
          if (o.showProgressBar) this.progress(frozen, launched, o.nTrials);
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

  /**
   * Runs `nJobs` worker threads, each importing the objective module and loading this study from the storage;
   * a shared counter spreads `nTrials` over them. Callbacks and progress lines run here, as trials finish.
   */
  private async optimizeInThreads(objective: ObjectiveModule, o: ReturnType<typeof checkOptimizeOptions>, options: OptimizeOptions): Promise<void> {
    const fn = 'optimize';
    const url = this.storage.connectionString;
    if (!url) {
      throw new TypeError(`${fn}: expected a SQLite or PostgreSQL storage for an objective module (worker threads cannot share a study in memory), got ${this.storage.url}`);
    }
    if (options.catch !== undefined) {
      throw new TypeError(`${fn}: expected no catch option with an objective module (export catch(error) => boolean from the module instead)`);
    }
    const exportName = objective.exportName ?? 'objective';
    if (typeof exportName !== 'string') throw new TypeError(`${fn}: expected exportName to be a string, got ${typeof exportName}`);
    let href: string;
    try {
      href = objective.module instanceof URL ? objective.module.href : /^[a-z]+:/.test(objective.module) ? objective.module : new URL(`file://${objective.module}`).href;
    } catch {
      throw new TypeError(`${fn}: expected module to be a URL or an absolute path, got ${String(objective.module)}`);
    }
    const shared = new SharedArrayBuffer(8);
    this.sharedFlags = new Int32Array(shared);
    const deadline = o.timeout === null ? null : Date.now() + o.timeout * 1000;
    let failure: Error | null = null;
    let chain: Promise<void> = Promise.resolve();
    let finished = 0;
    const stopAll = (error: Error) => {
      failure ??= error;
      Atomics.store(this.sharedFlags!, 1, 1);
    };
    const runs = Array.from({ length: o.nJobs }, (_, worker) => new Promise<void>((resolve) => {
      // the trial this worker runs, and whether it ended its loop: a thread that exits otherwise (process.exit in
      // the objective, or an objective whose promise never settles, so that the thread's event loop runs dry)
      // has its trial failed here and the study stopped with an error
      let running: { trialId: number; number: number } | null = null;
      let done = false;
      const w = startWorker(sibling('optimize-worker'), {
        url, studyName: this.studyName, heartbeat: this.storage.heartbeat, module: href, exportName, worker, shared,
        nTrials: o.nTrials, deadline,
      });
      w.on('message', (m: { started?: { trialId: number; number: number }; trial?: FrozenTrial; error?: { name: string; message: string; stack?: string }; done?: boolean }) => {
        if (m.started) running = m.started;
        if (m.done) done = true;
        if (m.trial) {
          running = null;
          const trial = m.trial;
          chain = chain.then(async () => {
            finished++;
            await this.refresh();
            if (o.showProgressBar) this.progress(trial, finished, o.nTrials);
            for (const cb of o.callbacks) await cb(this, trial);
          }).catch((error) => stopAll(error as Error));
        }
        if (m.error && failure === null) {
          failure = Object.assign(new Error(m.error.message), { name: m.error.name, stack: m.error.stack });
        }
      });
      w.on('error', (error) => {
        stopAll(error);
        done = true; // the error says what happened
      });
      w.on('exit', (code) => {
        if (!done) {
          const during = running ? `during trial ${running.number}` : 'between trials';
          const why = `worker thread ${worker} exited ${during} with code ${code} (the objective called process.exit, or returned a promise that never settles)`;
          stopAll(new Error(`${fn}: ${why}`));
          const abandoned = running;
          if (abandoned) chain = chain.then(() => this.failAbandoned(abandoned.trialId, `trial ${abandoned.number}: ${why}`)).catch((error) => stopAll(error as Error));
        }
        resolve();
      });
    }));
    try {
      await Promise.all(runs);
      await chain;
      await this.refresh();
    } finally {
      this.sharedFlags = null;
    }
    if (failure !== null) throw failure;
  }

  /** Fails a running trial whose worker is gone, from its stored record (nothing to do when it has ended). */
  private async failAbandoned(trialId: number, reason: string): Promise<void> {
    const t = await this.storage.getTrial(trialId);
    if (t.state !== 'running') return;
    try {
      await this.storage.finishTrial(trialId, {
        state: 'fail', value: null, params: t.params, distributions: t.distributions, intermediateValues: t.intermediateValues,
        userAttrs: t.userAttrs, systemAttrs: { ...t.systemAttrs, failReason: reason },
      });
    } catch (error) {
      if (!(error instanceof UpdateFinishedTrialError)) throw error;
    }
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
      return await this.tell(trial, result as number);
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

  private progress(t: FrozenTrial, launched: number, nTrials: number | null): void {
    let best = '';
    try {
      best = `; best ${this.bestValue} (trial ${this.bestTrial.number})`;
    } catch {
      best = '';
    }
    const value = t.state === 'complete' ? ` value ${t.value}` : '';
    process.stderr.write(`[${this.studyName}] trial ${t.number} ${t.state}${value}${best} (${launched}${nTrials === null ? '' : `/${nTrials}`})\n`);
  }

  /** The trials as CSV, one row per trial: Optuna's trials_dataframe columns (params_*, user_attrs_*); formula-like text is prefixed with ' (csvCell). */
  trialsToCsv(): string {
    const rows = this.trialRows();
    const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
    return [columns.map(csvCell).join(','), ...rows.map((r) => columns.map((c) => csvCell(r[c])).join(','))].join('\n') + '\n';
  }

  /**
   * The trials as JSON: an array of FrozenTrials, with intermediate values as { step: value }, dates as ISO text,
   * and NaN and the infinities (values, parameters, choices) as the strings "NaN", "Infinity", "-Infinity".
   */
  trialsToJson(): string {
    return JSON.stringify(this.cache.map((t) => ({
      ...t,
      intermediateValues: Object.fromEntries(t.intermediateValues),
      datetimeStart: t.datetimeStart?.toISOString() ?? null,
      datetimeComplete: t.datetimeComplete?.toISOString() ?? null,
    })), exactNumbers, 2);
  }

  private trialRows(): Record<string, unknown>[] {
    const names = [...new Set(this.cache.flatMap((t) => Object.keys(t.params)))].sort();
    return this.cache.map((t) => {
      const row: Record<string, unknown> = {
        number: t.number, value: t.value,
        datetime_start: t.datetimeStart?.toISOString() ?? null,
        datetime_complete: t.datetimeComplete?.toISOString() ?? null,
        duration: t.datetimeStart && t.datetimeComplete ? (t.datetimeComplete.getTime() - t.datetimeStart.getTime()) / 1000 : null,
      };
      for (const n of names) row[`params_${n}`] = t.params[n];
      for (const [k, v] of Object.entries(t.userAttrs)) row[`user_attrs_${k}`] = v;
      row.state = t.state;
      return row;
    });
  }
}

/** Why a returned value cannot be a trial's value, or null when it can (Optuna's _check_single_value). */
function valueProblem(value: unknown): string | null {
  if (value === undefined) return 'the objective returned nothing (expected a number)';
  if (typeof value !== 'number') {
    const shown = typeof value === 'string' ? JSON.stringify(value) : typeof value;
    return `expected the objective to return a number, got ${shown}`;
  }
  if (Number.isNaN(value)) return 'expected the objective to return a number, got NaN';
  return null;
}

function checkOptimizeOptions(options: OptimizeOptions) {
  const fn = 'optimize';
  if (options === null || typeof options !== 'object') throw new TypeError(`${fn}: expected an options object, got ${String(options)}`);
  const known = ['nTrials', 'timeout', 'nJobs', 'callbacks', 'catch', 'showProgressBar'];
  for (const k of Object.keys(options)) if (!known.includes(k)) throw new TypeError(`${fn}: expected options ${known.join(', ')}, got an unknown option '${k}'`);
  const nTrials = options.nTrials ?? null;
  if (nTrials !== null && (!Number.isSafeInteger(nTrials) || nTrials < 1)) throw new RangeError(`${fn}: expected nTrials an integer >= 1, got ${nTrials}`);
  const timeout = options.timeout ?? null;
  if (timeout !== null && (typeof timeout !== 'number' || !(timeout > 0) || timeout === Infinity)) throw new RangeError(`${fn}: expected timeout > 0 seconds, got ${timeout}`);
  let nJobs = options.nJobs ?? 1;
  if (!Number.isSafeInteger(nJobs) || (nJobs < 1 && nJobs !== -1)) throw new RangeError(`${fn}: expected nJobs an integer >= 1 or -1, got ${nJobs}`);
  if (nJobs === -1) nJobs = Math.max(1, availableParallelism());
  const callbacks = options.callbacks ?? [];
  if (!Array.isArray(callbacks) || callbacks.some((c) => typeof c !== 'function')) throw new TypeError(`${fn}: expected callbacks to be an array of functions`);
  const c = options.catch ?? [];
  let catches: (e: unknown) => boolean;
  // a class is a function too: one that extends Error is Optuna's single-class form, not a predicate (calling it
  // would construct an error, truthy, and catch everything; a class declaration cannot even be called)
  const errorClass = (k: unknown): k is ErrorClass => typeof k === 'function' && (k === Error || k.prototype instanceof Error);
  if (errorClass(c)) catches = (e) => e instanceof c;
  else if (typeof c === 'function') catches = c as (error: unknown) => boolean;
  else if (Array.isArray(c) && c.every((k) => typeof k === 'function')) catches = (e) => c.some((k) => e instanceof k);
  else throw new TypeError(`${fn}: expected catch to be an error class, an array of error classes or a predicate`);
  return { nTrials, timeout, nJobs, callbacks, catches, showProgressBar: options.showProgressBar === true };
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


function checkCreate(fn: string, o: { studyName?: unknown; direction?: unknown; sampler?: unknown; pruner?: unknown }): void {
  if (o.studyName !== undefined && (typeof o.studyName !== 'string' || o.studyName === '')) {
    throw new TypeError(`${fn}: expected studyName to be a non-empty string, got ${JSON.stringify(o.studyName)}`);
  }
  if (o.direction !== undefined && o.direction !== 'minimize' && o.direction !== 'maximize') {
    throw new TypeError(`${fn}: expected direction 'minimize' or 'maximize', got ${JSON.stringify(o.direction)}`);
  }
  checkPlugin(fn, 'sampler', o.sampler, ['inferRelativeSearchSpace', 'sampleRelative', 'sampleIndependent']);
  checkPlugin(fn, 'pruner', o.pruner, ['prune']);
}

/**
 * Creates a study in a storage (in memory by default) and returns it; with `loadIfExists`, loads the study of
 * that name when there is one. A name already taken without `loadIfExists` is an error that changes nothing.
 * Optuna's create_study.
 */
export async function createStudy(options: CreateStudyOptions = {}): Promise<Study> {
  const fn = 'createStudy';
  if (options === null || typeof options !== 'object') throw new TypeError(`${fn}: expected an options object, got ${String(options)}`);
  checkCreate(fn, options);
  const storage = await getStorage(options.storage, options.heartbeat);
  const studyName = options.studyName ?? `no-name-${randomUUID()}`;
  let studyId: number;
  let direction = options.direction ?? 'minimize';
  try {
    try {
      studyId = await storage.createStudy(studyName, direction);
    } catch (error) {
      if (!(error instanceof DuplicatedStudyError) || !options.loadIfExists) throw error;
      const found = await storage.findStudy(studyName);
      if (!found) throw error;
      if (options.direction !== undefined && options.direction !== found.direction) {
        throw new RangeError(`${fn}: expected direction '${found.direction}' of the existing study '${studyName}', got '${options.direction}'`);
      }
      studyId = found.studyId;
      direction = found.direction;
    }
  } catch (error) {
    // a storage opened here from a URL is closed again; one the caller passed stays theirs
    if (typeof options.storage === 'string') await storage.close().catch(() => undefined);
    throw error;
  }
  const study = new Study({
    studyName, studyId, direction, storage,
    sampler: options.sampler ?? defaultSampler(), pruner: options.pruner ?? defaultPruner(),
  });
  await study.refresh();
  return study;
}

/** Loads an existing study from a storage. Optuna's load_study. */
export async function loadStudy(options: LoadStudyOptions): Promise<Study> {
  const fn = 'loadStudy';
  if (options === null || typeof options !== 'object') throw new TypeError(`${fn}: expected { studyName, storage }, got ${String(options)}`);
  checkCreate(fn, options);
  if (typeof options.studyName !== 'string') throw new TypeError(`${fn}: expected studyName to be a string, got ${typeof options.studyName}`);
  if (options.storage === undefined) throw new TypeError(`${fn}: expected a storage (a URL or a Storage), got undefined`);
  const storage = await getStorage(options.storage, options.heartbeat);
  const found = await storage.findStudy(options.studyName);
  if (!found) {
    if (typeof options.storage === 'string') await storage.close().catch(() => undefined);
    throw new RangeError(`${fn}: expected an existing study name in ${redact(storage.url)}, got '${options.studyName}'`);
  }
  const study = new Study({
    studyName: options.studyName, studyId: found.studyId, direction: found.direction, storage,
    sampler: options.sampler ?? defaultSampler(), pruner: options.pruner ?? defaultPruner(),
  });
  await study.refresh();
  return study;
}

/** Deletes a study and its trials from a storage. Optuna's delete_study. */
export async function deleteStudy(options: { studyName: string; storage: string | Storage }): Promise<void> {
  if (options === null || typeof options !== 'object' || options.storage === undefined) {
    throw new TypeError(`deleteStudy: expected { studyName, storage }, got ${JSON.stringify(options)}`);
  }
  const storage = await getStorage(options.storage);
  try {
    await storage.deleteStudy(options.studyName);
  } finally {
    if (typeof options.storage === 'string') await storage.close();
  }
}

/** Every study in a storage, with its best trial and trial count. Optuna's get_all_study_summaries. */
export async function getAllStudySummaries(storage: string | Storage): Promise<StudySummary[]> {
  if (storage === undefined) throw new TypeError('getAllStudySummaries: expected a storage (a URL or a Storage), got undefined');
  const opened = await getStorage(storage);
  try {
    return await opened.getAllStudySummaries();
  } finally {
    if (typeof storage === 'string') await opened.close();
  }
}
