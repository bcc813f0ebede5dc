import type { Distribution, FrozenTrial, ParamValue, StudyDirection } from '../types.js';
import {
  DuplicatedStudyError, UpdateFinishedTrialError, resolveHeartbeat, retryAttrs, valueOf,
  type HeartbeatOptions, type NewTrial, type Storage, type StudySummary, type TrialRecord, type TrialTemplate,
} from './base.js';
import { fromStoredJson, toStoredJson } from './json.js';

// Each trial is held as immutable parts (deep-frozen objects, a Map that refuses changes) that a write replaces
// rather than changes (copy on write), and its FrozenTrial is built once after each write and then handed out
// shared: a study's refresh costs one array of references, not a copy of every trial's attributes (Optuna's
// _CachedStorage idea, here in the storage itself). Sharing is safe because nothing handed out can be changed.
interface MutableTrial {
  number: number;
  trialId: number;
  studyId: number;
  state: FrozenTrial['state'];
  values: readonly number[] | null;
  params: Readonly<Record<string, ParamValue>>;
  distributions: Readonly<Record<string, Distribution>>;
  intermediateValues: ReadonlyMap<number, number>;
  userAttrs: Readonly<Record<string, unknown>>;
  systemAttrs: Readonly<Record<string, unknown>>;
  datetimeStart: Date | null;
  datetimeComplete: Date | null;
  heartbeat: number | null;
  /** The FrozenTrial of the current parts; null after a write, until the next read builds it. */
  snapshot: FrozenTrial | null;
}

interface MemoryStudy {
  studyId: number;
  studyName: string;
  directions: StudyDirection[];
  userAttrs: Record<string, unknown>;
  trials: MutableTrial[];
}

// Values the user hands in (attributes) are copied through the storages' JSON (json.ts), as a persistent storage
// would: what the user mutates afterwards does not leak into the study, and all three storages give back the same
// shapes, NaN and the infinities included.
const copy = <T>(v: T): T => (v === undefined ? v : fromStoredJson<T>(toStoredJson(v)));

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
  }
  return v;
}

/** A copy of `v` (through the storages' JSON) that nothing can change. */
const frozenCopy = <T>(v: T): T => deepFreeze(copy(v));

function refuse(): never {
  throw new TypeError('InMemoryStorage: expected no change to a FrozenTrial (it is read-only), got a call to a setter');
}

// a Map (so that deep equality with a plain Map holds) whose set, delete and clear throw
function frozenMap(entries: Iterable<readonly [number, number]>): ReadonlyMap<number, number> {
  const m = new Map(entries);
  return Object.freeze(Object.assign(m, { set: refuse, delete: refuse, clear: refuse }));
}

const EMPTY_MAP = frozenMap([]);
const EMPTY = Object.freeze({});

// Distributions as plain data (the form every storage gives back), frozen; one copy per object handed in, so the
// trials of a study share their distributions as they share the objects the suggestions made.
const plainDistributions = new WeakMap<object, Distribution>();
function frozenDistribution(d: Distribution): Distribution {
  let out = plainDistributions.get(d);
  if (out === undefined) {
    out = deepFreeze(d.type === 'categorical' ? { type: d.type, choices: [...d.choices] } : { ...d }) as Distribution;
    plainDistributions.set(d, out);
    plainDistributions.set(out, out);
  }
  return out;
}

function frozenDistributions(ds: Readonly<Record<string, Distribution>>): Readonly<Record<string, Distribution>> {
  const out: Record<string, Distribution> = {};
  for (const name of Object.keys(ds)) out[name] = frozenDistribution(ds[name]);
  return Object.freeze(out);
}

const DATE_SETTERS = Object.getOwnPropertyNames(Date.prototype).filter((k) => k.startsWith('set'));

// a Date whose setters throw (a Date's time lives in an internal slot that Object.freeze does not protect)
function frozenDate(d: Date | null): Date | null {
  if (d === null) return null;
  const out = new Date(d.getTime());
  for (const k of DATE_SETTERS) Object.defineProperty(out, k, { value: refuse, enumerable: false });
  return Object.freeze(out);
}

const frozenValues = (values: readonly number[] | null): readonly number[] | null => values && Object.freeze([...values]);

function freeze(t: MutableTrial): FrozenTrial {
  t.snapshot ??= Object.freeze({
    number: t.number, trialId: t.trialId, state: t.state, value: valueOf(t.values), values: t.values,
    params: t.params, distributions: t.distributions, intermediateValues: t.intermediateValues,
    userAttrs: t.userAttrs, systemAttrs: t.systemAttrs, datetimeStart: t.datetimeStart, datetimeComplete: t.datetimeComplete,
  });
  return t.snapshot;
}

// a write: the trial's snapshot is built again at the next read
function changed(t: MutableTrial): MutableTrial {
  t.snapshot = null;
  return t;
}

/**
 * Studies held in this process's memory (Optuna's InMemoryStorage): the default when `createStudy` gets no
 * storage. Lost when the process ends; shared only by the studies of this process that are given this object.
 * The FrozenTrials it gives back are shared between reads and read-only: changing one (a field, a nested attribute,
 * `intermediateValues.set`, a date's setter) throws a TypeError; copy what you want to change.
 */
export class InMemoryStorage implements Storage {
  readonly url = 'memory';
  readonly heartbeat: Required<HeartbeatOptions>;
  private studies = new Map<string, MemoryStudy>();
  private trials: MutableTrial[] = [];
  private nextStudyId = 1;

  constructor(options: HeartbeatOptions = {}) {
    this.heartbeat = resolveHeartbeat('InMemoryStorage', options);
  }

  private study(studyId: number): MemoryStudy {
    for (const s of this.studies.values()) if (s.studyId === studyId) return s;
    throw new RangeError(`storage memory: expected an existing study id, got ${studyId}`);
  }

  private trial(trialId: number): MutableTrial {
    const t = this.trials[trialId - 1];
    if (!t) throw new RangeError(`storage memory: expected an existing trial id, got ${trialId}`);
    return t;
  }

  private running(trialId: number): MutableTrial {
    const t = this.trial(trialId);
    if (t.state !== 'running') {
      throw new UpdateFinishedTrialError(`storage memory: trial ${t.number} is ${t.state}, so it cannot be changed`);
    }
    return t;
  }

  async createStudy(studyName: string, directions: readonly StudyDirection[]): Promise<number> {
    if (this.studies.has(studyName)) throw new DuplicatedStudyError(`createStudy: a study named '${studyName}' already exists in memory (pass loadIfExists: true to load it)`);
    const studyId = this.nextStudyId++;
    this.studies.set(studyName, { studyId, studyName, directions: [...directions], userAttrs: {}, trials: [] });
    return studyId;
  }

  async findStudy(studyName: string) {
    const s = this.studies.get(studyName);
    return s ? { studyId: s.studyId, directions: [...s.directions] } : null;
  }

  async deleteStudy(studyName: string): Promise<void> {
    const s = this.studies.get(studyName);
    if (!s) throw new RangeError(`deleteStudy: expected an existing study name, got '${studyName}' (not in memory)`);
    this.studies.delete(studyName);
  }

  async getAllStudySummaries(): Promise<StudySummary[]> {
    return [...this.studies.values()].map((s) => {
      // Optuna's summaries give a best trial only for a single objective
      let best: MutableTrial | null = null;
      for (const t of s.directions.length === 1 ? s.trials : []) {
        if (t.state !== 'complete' || t.values === null) continue;
        const v = t.values[0];
        if (best === null || (s.directions[0] === 'minimize' ? v < best.values![0] : v > best.values![0])) best = t;
      }
      const starts = s.trials.map((t) => t.datetimeStart).filter((d): d is Date => d !== null);
      return {
        studyName: s.studyName, studyId: s.studyId, direction: s.directions[0], directions: [...s.directions], nTrials: s.trials.length,
        bestTrial: best && freeze(best), datetimeStart: starts.length ? starts[0] : null, userAttrs: copy(s.userAttrs),
      };
    });
  }

  async setStudyUserAttr(studyId: number, key: string, value: unknown): Promise<void> {
    this.study(studyId).userAttrs[key] = copy(value);
  }

  async getStudyUserAttrs(studyId: number): Promise<Record<string, unknown>> {
    return copy(this.study(studyId).userAttrs);
  }

  async createTrial(studyId: number, trial: NewTrial): Promise<FrozenTrial> {
    const s = this.study(studyId);
    const t: MutableTrial = {
      number: s.trials.length, trialId: this.trials.length + 1, studyId, state: trial.state, values: null,
      params: EMPTY, distributions: EMPTY, intermediateValues: EMPTY_MAP, userAttrs: EMPTY,
      systemAttrs: frozenCopy(trial.systemAttrs ?? {}),
      datetimeStart: trial.state === 'running' ? frozenDate(new Date()) : null, datetimeComplete: null, heartbeat: null,
      snapshot: null,
    };
    this.trials.push(t);
    s.trials.push(t);
    return freeze(t);
  }

  async addTrial(studyId: number, template: TrialTemplate): Promise<FrozenTrial> {
    const s = this.study(studyId);
    const t: MutableTrial = {
      number: s.trials.length, trialId: this.trials.length + 1, studyId, state: template.state,
      values: frozenValues(template.values),
      params: Object.freeze({ ...template.params }), distributions: frozenDistributions(template.distributions),
      intermediateValues: frozenMap(template.intermediateValues),
      userAttrs: frozenCopy({ ...template.userAttrs }), systemAttrs: frozenCopy({ ...template.systemAttrs }),
      datetimeStart: frozenDate(template.datetimeStart), datetimeComplete: frozenDate(template.datetimeComplete),
      heartbeat: null, snapshot: null,
    };
    this.trials.push(t);
    s.trials.push(t);
    return freeze(t);
  }

  async popWaitingTrial(studyId: number): Promise<FrozenTrial | null> {
    const t = this.study(studyId).trials.find((x) => x.state === 'waiting');
    if (!t) return null;
    changed(t).state = 'running';
    t.datetimeStart = frozenDate(new Date());
    return freeze(t);
  }

  async setTrialParam(trialId: number, name: string, distribution: Distribution, value: ParamValue): Promise<void> {
    const t = changed(this.running(trialId));
    t.params = Object.freeze({ ...t.params, [name]: value });
    t.distributions = Object.freeze({ ...t.distributions, [name]: frozenDistribution(distribution) });
  }

  async setTrialIntermediateValue(trialId: number, step: number, value: number): Promise<void> {
    const t = changed(this.running(trialId));
    t.intermediateValues = frozenMap([...t.intermediateValues, [step, value]]);
  }

  async setTrialUserAttr(trialId: number, key: string, value: unknown): Promise<void> {
    const t = changed(this.running(trialId));
    t.userAttrs = Object.freeze({ ...t.userAttrs, [key]: frozenCopy(value) });
  }

  async setTrialSystemAttr(trialId: number, key: string, value: unknown): Promise<void> {
    const t = changed(this.running(trialId));
    t.systemAttrs = Object.freeze({ ...t.systemAttrs, [key]: frozenCopy(value) });
  }

  async finishTrial(trialId: number, record: TrialRecord): Promise<FrozenTrial> {
    const t = changed(this.running(trialId));
    t.state = record.state;
    t.values = frozenValues(record.values);
    t.params = Object.freeze({ ...record.params });
    t.distributions = frozenDistributions(record.distributions);
    t.intermediateValues = frozenMap(record.intermediateValues);
    t.userAttrs = frozenCopy(record.userAttrs);
    t.systemAttrs = frozenCopy(record.systemAttrs);
    t.datetimeComplete = frozenDate(new Date());
    return freeze(t);
  }

  async recordHeartbeat(trialId: number): Promise<void> {
    this.running(trialId).heartbeat = Date.now();
  }

  async failStaleTrials(studyId: number): Promise<FrozenTrial[]> {
    const grace = this.heartbeat.gracePeriod;
    if (grace === null) return [];
    const now = Date.now();
    const stale = this.study(studyId).trials.filter((t) => t.state === 'running' && t.heartbeat !== null && now - t.heartbeat > grace * 1000);
    const failed: FrozenTrial[] = [];
    for (const t of stale) {
      changed(t).state = 'fail';
      t.datetimeComplete = frozenDate(new Date());
      t.systemAttrs = Object.freeze({ ...t.systemAttrs, failReason: `no heartbeat for more than ${grace} s: its worker is presumed dead` });
      failed.push(freeze(t));
      const retry = retryAttrs(freeze(t), this.heartbeat.maxRetry);
      if (retry) await this.createTrial(studyId, { state: 'waiting', systemAttrs: retry });
    }
    return failed;
  }

  async getTrial(trialId: number): Promise<FrozenTrial> {
    return freeze(this.trial(trialId));
  }

  async getAllTrials(studyId: number): Promise<FrozenTrial[]> {
    return this.study(studyId).trials.map(freeze);
  }

  async close(): Promise<void> {}
}
