// The storage seam: every read and write of studies and trials goes through these few async calls, so the same
// Study code runs on memory, on one SQLite file shared by processes, and on a PostgreSQL server shared by machines.
// Optuna's BaseStorage, reduced to what lrlab's Study needs; every call that changes state is one transaction.
import { checkOptionsObject } from '../../format/check.js';
import type { Distribution, FrozenTrial, ParamValue, StudyDirection, TrialState } from '../types.js';

/** One study as a storage lists it (Optuna's StudySummary). */
export interface StudySummary {
  readonly studyName: string;
  readonly studyId: number;
  /** `directions[0]`. */
  readonly direction: StudyDirection;
  /** One direction per objective. */
  readonly directions: readonly StudyDirection[];
  readonly nTrials: number;
  /** The best complete trial, or null when none is complete or the study has several objectives (as Optuna). */
  readonly bestTrial: FrozenTrial | null;
  readonly datetimeStart: Date | null;
  readonly userAttrs: Readonly<Record<string, unknown>>;
}

/**
 * Everything a finished trial records at once: `finishTrial` writes all of it in one transaction. No `value`: the
 * storage derives it (`values[0]` when there is one value, else null; see `valueOf`).
 */
export type TrialRecord = Pick<FrozenTrial, 'state' | 'values' | 'params' | 'distributions' | 'intermediateValues' | 'userAttrs' | 'systemAttrs'>;

/** A trial to create: running (from `ask`) or waiting (from `enqueueTrial`), with system attributes to start with. */
export interface NewTrial {
  readonly state: 'running' | 'waiting';
  readonly systemAttrs?: Readonly<Record<string, unknown>>;
}

/**
 * A whole trial to store at once (`study.addTrial`, `copyStudy`): everything a FrozenTrial holds but the number and
 * id, which the storage gives it; its datetimes are kept as they are. The storage reads `values` (and derives
 * `value` from them with `valueOf`).
 */
export type TrialTemplate = Omit<FrozenTrial, 'number' | 'trialId'>;

/** A trial's `value` from its `values`: the one value of a single-objective trial, else null. */
export function valueOf(values: readonly number[] | null): number | null {
  return values !== null && values.length === 1 ? values[0] : null;
}

/** Thrown when a study name is taken (createStudy without loadIfExists). */
export class DuplicatedStudyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DuplicatedStudyError';
  }
}

/** Thrown when a trial that has already finished is written to (e.g. told twice, or failed by the heartbeat check). */
export class UpdateFinishedTrialError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UpdateFinishedTrialError';
  }
}

/** Heartbeat settings (Optuna's RDBStorage heartbeat_interval, grace_period; failed_trial_callback as `retry`). */
export interface HeartbeatOptions {
  /** Seconds between a running trial's heartbeats; null (the default) turns heartbeats off. */
  heartbeatInterval?: number | null;
  /** Seconds without a heartbeat after which a running trial counts as dead. Default 2 x heartbeatInterval. */
  gracePeriod?: number | null;
  /**
   * How many times a dead worker's trial is retried: each stale trial marked failed is enqueued again with the same
   * parameters (Optuna's RetryFailedTrialCallback(max_retry)). Default 0.
   */
  maxRetry?: number;
}

/**
 * A place that holds studies and their trials. Implementations: `InMemoryStorage`, `SqliteStorage`,
 * `PostgresStorage` (see `getStorage` for URLs). All methods are async and each write is atomic.
 */
export interface Storage {
  /** What the storage is, for messages: `memory`, `sqlite:///path`, or a PostgreSQL URL without its password. */
  readonly url: string;
  readonly heartbeat: Required<HeartbeatOptions>;
  /**
   * A URL another thread or process can open to reach the same studies (with its password): set for SQLite and
   * PostgreSQL, absent for memory. Used by worker threads and the heartbeat thread.
   */
  readonly connectionString?: string;
  /** Creates a study with one direction per objective; throws DuplicatedStudyError when the name is taken. Returns its id. */
  createStudy(studyName: string, directions: readonly StudyDirection[]): Promise<number>;
  /** The study's id and directions, or null when there is no study of that name. */
  findStudy(studyName: string): Promise<{ studyId: number; directions: StudyDirection[] } | null>;
  /** Deletes a study and its trials; throws RangeError when there is none of that name. */
  deleteStudy(studyName: string): Promise<void>;
  getAllStudySummaries(): Promise<StudySummary[]>;
  setStudyUserAttr(studyId: number, key: string, value: unknown): Promise<void>;
  getStudyUserAttrs(studyId: number): Promise<Record<string, unknown>>;
  /** Creates a trial numbered max + 1 within its study (dense and unique under concurrency). */
  createTrial(studyId: number, trial: NewTrial): Promise<FrozenTrial>;
  /**
   * Creates a trial numbered max + 1 from a template, in any state, with its parameters, values, attributes and
   * datetimes, in one transaction. Optuna's create_new_trial(study_id, template_trial).
   */
  addTrial(studyId: number, template: TrialTemplate): Promise<FrozenTrial>;
  /** Moves the oldest waiting trial to running and returns it, atomically; null when none waits. */
  popWaitingTrial(studyId: number): Promise<FrozenTrial | null>;
  /** Records one parameter of a running trial (visible to other workers while the trial runs). */
  setTrialParam(trialId: number, name: string, distribution: Distribution, value: ParamValue): Promise<void>;
  /** Records an intermediate value of a running trial. */
  setTrialIntermediateValue(trialId: number, step: number, value: number): Promise<void>;
  setTrialUserAttr(trialId: number, key: string, value: unknown): Promise<void>;
  setTrialSystemAttr(trialId: number, key: string, value: unknown): Promise<void>;
  /**
   * Ends a running trial with everything it recorded, in one transaction. Throws UpdateFinishedTrialError when the
   * trial is no longer running (told twice, or failed meanwhile because its heartbeat stopped).
   */
  finishTrial(trialId: number, record: TrialRecord): Promise<FrozenTrial>;
  /** Records that the worker running this trial is alive. */
  recordHeartbeat(trialId: number): Promise<void>;
  /**
   * Marks failed every running trial of the study whose last heartbeat is older than the grace period, and
   * returns them (each is retried per `heartbeat.maxRetry`). Trials without heartbeats are left alone.
   */
  failStaleTrials(studyId: number): Promise<FrozenTrial[]>;
  getTrial(trialId: number): Promise<FrozenTrial>;
  getAllTrials(studyId: number): Promise<FrozenTrial[]>;
  close(): Promise<void>;
}

/**
 * A URL fit for messages: the password replaced by ***. The user information runs to the last '@' (a password
 * may hold '/', ':' or '@', percent-encoded or not), so an '@' later in the URL hides more than the password, never
 * less.
 */
export function redact(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)(.*)@/is.exec(url);
  if (!m) return url;
  const colon = m[2].indexOf(':');
  if (colon < 0) return url; // a user without a password
  return `${m[1]}${m[2].slice(0, colon)}:***@${url.slice(m[0].length)}`;
}

/**
 * A message fit for users: `redact`ed, and the URL's password (as written and percent-decoded) replaced by ***
 * wherever a driver quoted it (a host name parsed out of a malformed URL, say). Passwords shorter than 3
 * characters are left to `redact` alone: hiding every "a" of a message would make it unreadable.
 */
export function scrub(message: string, url: string): string {
  let out = message.split(url).join(redact(url));
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^:]*):(.*)@/is.exec(url);
  if (m) {
    let decoded = m[2];
    try {
      decoded = decodeURIComponent(m[2]);
    } catch {
      decoded = m[2];
    }
    for (const secret of new Set([m[2], decoded])) if (secret.length >= 3) out = out.split(secret).join('***');
  }
  return out;
}

/**
 * An error of the database under a storage (a lost connection that did not come back, a corrupt or read-only
 * SQLite file, a full disk), its message naming the storage's URL without the password. `code` is the driver's
 * (SQLITE_CORRUPT, ECONNREFUSED, 57P01, ...) and `cause` the driver's error.
 */
export class StorageError extends Error {
  readonly code: string | undefined;
  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'StorageError';
    this.code = options.code;
  }
}

/** Checks and fills heartbeat options (`storageOptions`: the other option names the storage accepts). */
export function resolveHeartbeat(fn: string, options: HeartbeatOptions = {}, storageOptions: readonly string[] = []): Required<HeartbeatOptions> {
  checkOptionsObject(fn, options, ['heartbeatInterval', 'gracePeriod', 'maxRetry', ...storageOptions]);
  const interval = options.heartbeatInterval ?? null;
  if (interval !== null && (typeof interval !== 'number' || !Number.isFinite(interval) || interval <= 0)) {
    throw new RangeError(`${fn}: expected heartbeatInterval > 0 seconds, got ${interval}`);
  }
  const grace = options.gracePeriod ?? (interval === null ? null : 2 * interval);
  if (grace !== null && (typeof grace !== 'number' || !Number.isFinite(grace) || grace <= 0)) {
    throw new RangeError(`${fn}: expected gracePeriod > 0 seconds, got ${grace}`);
  }
  const maxRetry = options.maxRetry ?? 0;
  if (!Number.isSafeInteger(maxRetry) || maxRetry < 0) throw new RangeError(`${fn}: expected maxRetry an integer >= 0, got ${maxRetry}`);
  return { heartbeatInterval: interval, gracePeriod: grace, maxRetry };
}

/**
 * The system attributes of the retry of a stale trial (Optuna's RetryFailedTrialCallback): the same fixed
 * parameters, the number of the trial it retries and the chain of retries so far. Null when retries are used up.
 */
export function retryAttrs(failed: FrozenTrial, maxRetry: number): Record<string, unknown> | null {
  const history = (failed.systemAttrs.retryHistory as number[] | undefined) ?? [];
  if (history.length >= maxRetry) return null;
  const fixed = { ...((failed.systemAttrs.fixedParams as Record<string, ParamValue> | undefined) ?? {}), ...failed.params };
  return { fixedParams: fixed, failedTrial: history[0] ?? failed.number, retryHistory: [...history, failed.number] };
}
