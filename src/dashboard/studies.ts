// The dashboard's side of a study storage: opened through getStorage (the Storage interface only), opened again
// when it could not be reached, and read at most once per poll interval however many pages ask. A storage that
// cannot be reached is a state to show ("cannot reach ..."), never an error that stops the server.
import { existsSync } from 'node:fs';
import { getStorage, parseStorageUrl } from '../tune/storage/index.js';
import { redact, scrub, type HeartbeatOptions, type Storage, type StudySummary } from '../tune/storage/base.js';
import type { FrozenTrial } from '../tune/types.js';
import { revisionOf, studyJson, trialJson, type StudyJson, type TrialJson } from './data.js';

/** What a read of the storage gives: the data, or why the storage could not be read. */
export type Reading<T> = { ok: true; data: T } | { ok: false; error: string; notFound?: boolean };

/** One study's trials as read, with their JSON and its revision. */
export interface StudyTrials {
  summary: StudySummary;
  trials: FrozenTrial[];
  json: TrialJson[];
  revision: string;
}

/** A study id the storage does not hold (the page asked for a study since deleted, or a made-up one). */
class NotFound extends RangeError {}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** A study storage as the dashboard reads it: summaries and trials, cached for `maxAgeMs`. */
export class StudySource {
  /** The storage's URL without its password, for the page. */
  readonly name: string;
  private storage: Storage | null = null;
  private opening: Promise<Storage> | null = null;
  private lastOpenAttempt = -Infinity;
  private lastOpenError = '';
  private summariesCache: { at: number; value: Promise<StudySummary[]> } | null = null;
  private known = new Map<number, StudySummary>();
  private trialsCache = new Map<number, { at: number; value: Promise<StudyTrials> }>();

  /**
   * `maxAgeMs`: how long a study's trials are reused (half the page's poll interval). The list of studies is
   * reused for at least 2 s: a storage lists its studies by reading every trial of every study, too much to do
   * twice a second beside a large study.
   */
  constructor(private readonly url: string, private readonly maxAgeMs: number) {
    parseStorageUrl(url); // a malformed URL is the caller's error, said at once
    this.name = redact(url);
  }

  /**
   * The storage, opened on first use. A SQLite file that does not exist is not created (the dashboard only
   * reads); a failed open is tried again at most once a second.
   */
  private async open(): Promise<Storage> {
    if (this.storage !== null) return this.storage;
    if (this.opening !== null) return this.opening;
    if (performance.now() - this.lastOpenAttempt < 1000) throw new Error(this.lastOpenError);
    this.lastOpenAttempt = performance.now();
    const location = parseStorageUrl(this.url);
    this.opening = (async () => {
      if (location.kind === 'sqlite' && !existsSync(location.path)) {
        throw new Error(`no SQLite database at '${location.path}' (the dashboard does not create one; it shows the studies once a worker has)`);
      }
      // PostgreSQL: a server that is away is said within seconds, not after the storage's minute of retries
      const options = location.kind === 'postgresql' ? { connectionTimeout: 3000, reconnectTimeout: 1 } : {};
      return getStorage(this.url, options as HeartbeatOptions);
    })();
    try {
      this.storage = await this.opening;
      return this.storage;
    } catch (error) {
      this.lastOpenError = scrub(message(error), this.url);
      throw new Error(this.lastOpenError);
    } finally {
      this.opening = null;
    }
  }

  private async read<T>(fn: (s: Storage) => Promise<T>): Promise<Reading<T>> {
    try {
      return { ok: true, data: await fn(await this.open()) };
    } catch (error) {
      return { ok: false, error: scrub(message(error), this.url), notFound: error instanceof NotFound };
    }
  }

  private summaries(fresh = false): Promise<StudySummary[]> {
    const now = performance.now();
    if (fresh || this.summariesCache === null || now - this.summariesCache.at >= Math.max(2000, 4 * this.maxAgeMs)) {
      const value = this.open().then(async (s) => {
        const all = await s.getAllStudySummaries();
        for (const summary of all) this.known.set(summary.studyId, summary);
        return all;
      });
      value.catch(() => (this.summariesCache = null));
      this.summariesCache = { at: now, value };
    }
    return this.summariesCache.value;
  }

  /** Every study, as the list shows them. */
  studies(): Promise<Reading<StudyJson[]>> {
    return this.read(async () => (await this.summaries()).map(studyJson));
  }

  /** One study's trials (a RangeError when there is no study of that id). */
  trials(studyId: number): Promise<Reading<StudyTrials>> {
    return this.read(async (storage) => {
      const now = performance.now();
      const hit = this.trialsCache.get(studyId);
      if (hit !== undefined && now - hit.at < this.maxAgeMs) return hit.value;
      const value = (async () => {
        // a study's name and directions do not change: a study seen once is not listed again for its trials
        const summary = this.known.get(studyId) ?? (await this.summaries(true)).find((s) => s.studyId === studyId);
        if (summary === undefined) throw new NotFound(`dashboard: expected the id of a study in ${this.name}, got ${studyId}`);
        const trials = await storage.getAllTrials(studyId);
        const json = trials.map(trialJson);
        return { summary, trials, json, revision: revisionOf(JSON.stringify(json)) };
      })();
      value.catch(() => this.trialsCache.delete(studyId));
      this.trialsCache.set(studyId, { at: now, value });
      return value;
    });
  }

  async close(): Promise<void> {
    const s = this.storage;
    this.storage = null;
    await s?.close().catch(() => undefined);
  }
}
