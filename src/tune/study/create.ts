// Making, loading, deleting and listing studies in a storage: Optuna's create_study, load_study, delete_study and
// get_all_study_summaries.
import { randomUUID } from 'node:crypto';
import { defaultPruner, defaultSampler } from '../default-sampler.js';
import { NSGAIISampler } from '../samplers/nsga2.js';
import { DuplicatedStudyError, type HeartbeatOptions, type Storage, type StudySummary } from '../storage/base.js';
import { getStorage, redact } from '../storage/index.js';
import type { Pruner, Sampler, StudyDirection } from '../types.js';
import { Study } from './study.js';

/** Options of `createStudy`. */
export interface CreateStudyOptions {
  /** Default: a generated `no-name-<uuid>`. */
  studyName?: string;
  /** Default 'minimize'. A study of one objective; give `directions` instead for several (not both). */
  direction?: StudyDirection;
  /** One direction per objective, e.g. ['minimize', 'maximize'] (Optuna's directions). Not with `direction`. */
  directions?: readonly StudyDirection[];
  /** Default: a TPESampler; with several directions an NSGAIISampler (as Optuna). */
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

function checkCreate(fn: string, o: { studyName?: unknown; sampler?: unknown; pruner?: unknown }): void {
  if (o.studyName !== undefined && (typeof o.studyName !== 'string' || o.studyName === '')) {
    throw new TypeError(`${fn}: expected studyName to be a non-empty string, got ${JSON.stringify(o.studyName)}`);
  }
  checkPlugin(fn, 'sampler', o.sampler, ['inferRelativeSearchSpace', 'sampleRelative', 'sampleIndependent']);
  checkPlugin(fn, 'pruner', o.pruner, ['prune']);
}

const DIRECTIONS: readonly StudyDirection[] = ['minimize', 'maximize'];

/**
 * `direction` or `directions` checked as Optuna's create_study checks them (both given is an error; each one
 * 'minimize' or 'maximize'; at least one); null when neither is given.
 */
function checkDirections(fn: string, o: { direction?: unknown; directions?: unknown }): StudyDirection[] | null {
  if (o.direction !== undefined && o.directions !== undefined) {
    throw new TypeError(`${fn}: expected direction or directions, not both, got direction ${JSON.stringify(o.direction)} and directions ${JSON.stringify(o.directions)} (Specify only one of \`direction\` and \`directions\`.)`);
  }
  if (o.direction !== undefined) {
    if (!DIRECTIONS.includes(o.direction as StudyDirection)) throw new TypeError(`${fn}: expected direction 'minimize' or 'maximize', got ${JSON.stringify(o.direction)}`);
    return [o.direction as StudyDirection];
  }
  if (o.directions === undefined) return null;
  if (!Array.isArray(o.directions)) {
    throw new TypeError(`${fn}: expected directions to be an array of 'minimize' or 'maximize', got ${typeof o.directions === 'string' ? JSON.stringify(o.directions) : typeof o.directions}`);
  }
  if (o.directions.length === 0) throw new RangeError(`${fn}: expected at least one direction in directions, got none`);
  o.directions.forEach((d, i) => {
    if (!DIRECTIONS.includes(d)) throw new TypeError(`${fn}: expected directions[${i}] 'minimize' or 'maximize', got ${JSON.stringify(d)}`);
  });
  return [...o.directions] as StudyDirection[];
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
  const given = checkDirections(fn, options);
  const storage = await getStorage(options.storage, options.heartbeat);
  const studyName = options.studyName ?? `no-name-${randomUUID()}`;
  let studyId: number;
  let directions = given ?? ['minimize'];
  try {
    try {
      studyId = await storage.createStudy(studyName, directions);
    } catch (error) {
      if (!(error instanceof DuplicatedStudyError) || !options.loadIfExists) throw error;
      const found = await storage.findStudy(studyName);
      if (!found) throw error;
      if (given !== null && given.join() !== found.directions.join()) {
        const show = (d: readonly StudyDirection[]) => (d.length === 1 ? `direction '${d[0]}'` : `directions [${d.join(', ')}]`);
        throw new RangeError(`${fn}: expected ${show(found.directions)} of the existing study '${studyName}', got ${given.length === 1 ? `'${given[0]}'` : `[${given.join(', ')}]`}`);
      }
      studyId = found.studyId;
      directions = found.directions;
    }
  } catch (error) {
    // a storage opened here from a URL is closed again; one the caller passed stays theirs
    if (typeof options.storage === 'string') await storage.close().catch(() => undefined);
    throw error;
  }
  const study = new Study({
    studyName, studyId, directions, storage,
    sampler: options.sampler ?? (directions.length > 1 ? new NSGAIISampler() : defaultSampler()), pruner: options.pruner ?? defaultPruner(),
  });
  await study.refresh();
  return study;
}

/** Loads an existing study from a storage, with the directions it was created with. Optuna's load_study. */
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
    studyName: options.studyName, studyId: found.studyId, directions: found.directions, storage,
    sampler: options.sampler ?? (found.directions.length > 1 ? new NSGAIISampler() : defaultSampler()), pruner: options.pruner ?? defaultPruner(),
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
