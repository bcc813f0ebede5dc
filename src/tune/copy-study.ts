import { checkOptionsObject } from '../format/check.js';
import { checkTrial } from './create-trial.js';
import { DuplicatedStudyError, type Storage } from './storage/base.js';
import { getStorage, redact } from './storage/index.js';

/** The arguments of `copyStudy` (Optuna's copy_study keywords in camelCase). */
export interface CopyStudyOptions {
  fromStudyName: string;
  /** A Storage, or a URL ('sqlite:///path.db', 'postgresql://...'). */
  fromStorage: string | Storage;
  toStorage: string | Storage;
  /** Default: `fromStudyName`. */
  toStudyName?: string;
}

/**
 * Copies a study from one storage to another: a new study of the same directions and user attributes, and every
 * trial in number order with its state, value, parameters, distributions, intermediate values, user and system
 * attributes and datetimes. A destination name that is taken is a DuplicatedStudyError that changes nothing.
 * Optuna's copy_study; unlike it, a copy that fails part way (a lost connection) deletes the partial destination
 * study before re-throwing, so that the copy can simply be run again.
 */
export async function copyStudy(options: CopyStudyOptions): Promise<void> {
  const fn = 'copyStudy';
  const o = checkOptionsObject<CopyStudyOptions>(fn, options, ['fromStudyName', 'fromStorage', 'toStorage', 'toStudyName']);
  if (options === undefined) throw new TypeError(`${fn}: expected { fromStudyName, fromStorage, toStorage }, got undefined`);
  if (typeof o.fromStudyName !== 'string' || o.fromStudyName === '') throw new TypeError(`${fn}: expected fromStudyName to be a non-empty string, got ${JSON.stringify(o.fromStudyName)}`);
  if (o.toStudyName !== undefined && (typeof o.toStudyName !== 'string' || o.toStudyName === '')) {
    throw new TypeError(`${fn}: expected toStudyName to be a non-empty string, got ${JSON.stringify(o.toStudyName)}`);
  }
  for (const key of ['fromStorage', 'toStorage'] as const) {
    if (o[key] === undefined || o[key] === null) throw new TypeError(`${fn}: expected ${key} (a URL or a Storage), got ${String(o[key])}`);
  }
  const toName = o.toStudyName ?? o.fromStudyName;
  // storages opened here from URLs are closed here; Storage objects stay the caller's
  const opened: Storage[] = [];
  const open = async (s: string | Storage) => {
    const storage = await getStorage(s);
    if (typeof s === 'string') opened.push(storage);
    return storage;
  };
  try {
    const from = await open(o.fromStorage);
    const found = await from.findStudy(o.fromStudyName);
    if (!found) throw new RangeError(`${fn}: expected an existing study name in ${redact(from.url)}, got '${o.fromStudyName}'`);
    const userAttrs = await from.getStudyUserAttrs(found.studyId);
    const trials = (await from.getAllTrials(found.studyId)).map((t) => checkTrial(`${fn} (trial ${t.number})`, t));
    const to = await open(o.toStorage);
    let toId: number;
    try {
      toId = await to.createStudy(toName, found.directions);
    } catch (error) {
      if (!(error instanceof DuplicatedStudyError)) throw error;
      throw new DuplicatedStudyError(`${fn}: expected a study name not taken in ${redact(to.url)}, got '${toName}' (delete that study or pass another toStudyName)`);
    }
    try {
      for (const [key, value] of Object.entries(userAttrs)) await to.setStudyUserAttr(toId, key, value);
      for (const { number: _n, trialId: _id, ...template } of trials) await to.addTrial(toId, template);
    } catch (error) {
      await to.deleteStudy(toName).catch(() => undefined);
      throw error;
    }
  } finally {
    for (const s of opened) await s.close().catch(() => undefined);
  }
}
