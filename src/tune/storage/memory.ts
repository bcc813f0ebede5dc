import type { Distribution, FrozenTrial, ParamValue, StudyDirection } from '../types.js';
import {
  DuplicatedStudyError, UpdateFinishedTrialError, resolveHeartbeat, retryAttrs, valueOf,
  type HeartbeatOptions, type NewTrial, type Storage, type StudySummary, type TrialRecord, type TrialTemplate,
} from './base.js';
import { fromStoredJson, toStoredJson } from './json.js';

interface MutableTrial {
  number: number;
  trialId: number;
  studyId: number;
  state: FrozenTrial['state'];
  values: number[] | null;
  params: Record<string, ParamValue>;
  distributions: Record<string, Distribution>;
  intermediateValues: Map<number, number>;
  userAttrs: Record<string, unknown>;
  systemAttrs: Record<string, unknown>;
  datetimeStart: Date | null;
  datetimeComplete: Date | null;
  heartbeat: number | null;
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

function freeze(t: MutableTrial): FrozenTrial {
  return {
    number: t.number, trialId: t.trialId, state: t.state, value: valueOf(t.values), values: t.values && [...t.values],
    params: { ...t.params }, distributions: { ...t.distributions },
    intermediateValues: new Map(t.intermediateValues),
    userAttrs: copy(t.userAttrs), systemAttrs: copy(t.systemAttrs),
    datetimeStart: t.datetimeStart, datetimeComplete: t.datetimeComplete,
  };
}

/**
 * Studies held in this process's memory (Optuna's InMemoryStorage): the default when `createStudy` gets no
 * storage. Lost when the process ends; shared only by the studies of this process that are given this object.
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
      params: {}, distributions: {}, intermediateValues: new Map(), userAttrs: {},
      systemAttrs: copy(trial.systemAttrs ?? {}),
      datetimeStart: trial.state === 'running' ? new Date() : null, datetimeComplete: null, heartbeat: null,
    };
    this.trials.push(t);
    s.trials.push(t);
    return freeze(t);
  }

  async addTrial(studyId: number, template: TrialTemplate): Promise<FrozenTrial> {
    const s = this.study(studyId);
    const t: MutableTrial = {
      number: s.trials.length, trialId: this.trials.length + 1, studyId, state: template.state,
      values: template.values && [...template.values],
      params: { ...template.params }, distributions: { ...template.distributions },
      intermediateValues: new Map(template.intermediateValues),
      userAttrs: copy({ ...template.userAttrs }), systemAttrs: copy({ ...template.systemAttrs }),
      datetimeStart: template.datetimeStart && new Date(template.datetimeStart.getTime()),
      datetimeComplete: template.datetimeComplete && new Date(template.datetimeComplete.getTime()),
      heartbeat: null,
    };
    this.trials.push(t);
    s.trials.push(t);
    return freeze(t);
  }

  async popWaitingTrial(studyId: number): Promise<FrozenTrial | null> {
    const t = this.study(studyId).trials.find((x) => x.state === 'waiting');
    if (!t) return null;
    t.state = 'running';
    t.datetimeStart = new Date();
    return freeze(t);
  }

  async setTrialParam(trialId: number, name: string, distribution: Distribution, value: ParamValue): Promise<void> {
    const t = this.running(trialId);
    t.params[name] = value;
    t.distributions[name] = distribution;
  }

  async setTrialIntermediateValue(trialId: number, step: number, value: number): Promise<void> {
    this.running(trialId).intermediateValues.set(step, value);
  }

  async setTrialUserAttr(trialId: number, key: string, value: unknown): Promise<void> {
    this.running(trialId).userAttrs[key] = copy(value);
  }

  async setTrialSystemAttr(trialId: number, key: string, value: unknown): Promise<void> {
    this.running(trialId).systemAttrs[key] = copy(value);
  }

  async finishTrial(trialId: number, record: TrialRecord): Promise<FrozenTrial> {
    const t = this.running(trialId);
    t.state = record.state;
    t.values = record.values && [...record.values];
    t.params = { ...record.params };
    t.distributions = { ...record.distributions };
    t.intermediateValues = new Map(record.intermediateValues);
    t.userAttrs = copy(record.userAttrs);
    t.systemAttrs = copy(record.systemAttrs);
    t.datetimeComplete = new Date();
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
      t.state = 'fail';
      t.datetimeComplete = new Date();
      t.systemAttrs.failReason = `no heartbeat for more than ${grace} s: its worker is presumed dead`;
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
