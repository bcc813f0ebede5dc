// A finder run's progress while it runs (`lrlab find --live`), for the dashboard. The report folder (--out) is
// written as a whole at the end (writeDirAtomic swaps it in), so the progress cannot live inside it: it is one file
// beside it, `.<name>.live.json` in the folder's parent (hidden, as writeDirAtomic's own siblings are), replaced
// atomically (writeFileAtomic) at each stage and at most every `minIntervalMs` in between, and removed once the
// report is in. A dashboard on the parent (or on a folder above it) finds it and shows the run under `<name>`.
import { readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { makeDirs } from '../io/output-dir.js';
import { checkFunction, checkOptionsObject } from '../format/check.js';
import { describe } from '../format/number.js';
import type { FindLrPartial, Stage } from '../lrfind/find-lr.js';

/** The progress file's format version. */
export const LIVE_VERSION = 1;

/** What a progress file holds. */
export interface LiveFile {
  lrlabLive: typeof LIVE_VERSION;
  /** The process writing it: a file whose process is gone (on this machine) is a run that stopped before its end. */
  pid: number;
  /** When the run started and when the file was last written, milliseconds since 1970. */
  startedAt: number;
  updatedAt: number;
  /** How many times the file has been written (two writes in one millisecond still differ). */
  writes: number;
  /** 'running', 'finished' (the whole result is in; the report is being written) or 'failed' (see `error`). */
  state: 'running' | 'finished' | 'failed';
  /** The stage under way and its progress (steps, lrs, short runs or epochs done of total). */
  stage: Stage;
  done: number;
  total: number;
  /** The progress lines printed so far (stage and text). */
  notes: { stage: Stage; detail: string }[];
  error?: string;
  /** The result so far (see `FindLrPartial`); the whole result once `finished`. */
  result: FindLrPartial;
}

/** The progress file of the report folder `outDir`: `.<name>.live.json` beside it. */
export function liveFilePath(outDir: string): string {
  checkPath('liveFilePath', 'outDir', outDir);
  const full = resolve(outDir);
  return join(dirname(full), `.${basename(full)}.live.json`);
}

/** The report folder a progress file name stands for (`.NAME.live.json` -> NAME), or null for any other name. */
export function liveRunName(fileName: string): string | null {
  const m = /^\.(.+)\.live\.json$/.exec(fileName);
  return m === null || m[1].startsWith('.') || m[1].includes('/') ? null : m[1];
}

function checkPath(fn: string, what: string, v: unknown): void {
  if (typeof v !== 'string' || v === '') throw new TypeError(`${fn}: expected ${what} to be a path, got ${describe(v)}`);
}

/**
 * Reads and checks a progress file; a file that is not one throws `readLiveFile: ...`, saying what is wrong (a file
 * that cannot be read keeps the system's `code`, ENOENT for one removed).
 */
export function readLiveFile(path: string): LiveFile {
  checkPath('readLiveFile', 'path', path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw Object.assign(new Error(`readLiveFile: cannot read '${path}' (${code ?? (error as Error).message})`), { code });
  }
  try {
    return checkLiveFile(text);
  } catch (error) {
    (error as Error).message = `readLiveFile: ${(error as Error).message}`;
    throw error;
  }
}

function checkLiveFile(text: string): LiveFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SyntaxError(`not JSON (${(error as Error).message})`);
  }
  const v = value as Partial<LiveFile> | null;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new TypeError(`expected a progress object, got ${Array.isArray(v) ? 'an array' : String(v)}`);
  if (v.lrlabLive !== LIVE_VERSION) throw new TypeError(`expected lrlabLive ${LIVE_VERSION} (an lrlab progress file), got ${JSON.stringify(v.lrlabLive)}`);
  for (const k of ['pid', 'startedAt', 'updatedAt', 'writes', 'done', 'total'] as const) {
    if (typeof v[k] !== 'number' || !Number.isFinite(v[k])) throw new TypeError(`expected ${k} to be a number, got ${JSON.stringify(v[k])}`);
  }
  if (!['running', 'finished', 'failed'].includes(v.state as string)) throw new TypeError(`expected state running, finished or failed, got ${JSON.stringify(v.state)}`);
  if (typeof v.stage !== 'string') throw new TypeError(`expected stage to be a string, got ${JSON.stringify(v.stage)}`);
  if (!Array.isArray(v.notes)) throw new TypeError(`expected notes to be a list, got ${JSON.stringify(v.notes)}`);
  if (v.result === null || typeof v.result !== 'object' || Array.isArray(v.result)) throw new TypeError(`expected result to be an object, got ${JSON.stringify(v.result)}`);
  return v as LiveFile;
}

/** Options of {@link LiveWriter}. */
export interface LiveWriterOptions {
  /** The least time between two writes within a stage (a stage's start and end are always written). Default 250 ms. */
  minIntervalMs?: number;
  /** Told, once, when the file cannot be written (a full disk, say); the run goes on without it. Default: nothing. */
  onWriteError?: (message: string) => void;
}

/**
 * Writes a finder run's progress file for the report folder `outDir` (see {@link liveFilePath}): hook `note`,
 * `progress` and `partial` to the finder's `onStage`, `onProgress` and `onPartial`; nothing is written before
 * `start()`, so a run refused while its input is checked leaves no file.
 */
export class LiveWriter {
  readonly path: string;
  private readonly minIntervalMs: number;
  private readonly onWriteError: (message: string) => void;
  private broken = false;
  private file: LiveFile;
  private started = false;
  private lastWrite = -Infinity;

  constructor(outDir: string, options: LiveWriterOptions = {}) {
    checkPath('LiveWriter', 'outDir', outDir);
    options = checkOptionsObject('LiveWriter', options, ['minIntervalMs', 'onWriteError']);
    if (options.onWriteError !== undefined) checkFunction('LiveWriter', 'onWriteError', options.onWriteError);
    const ms = options.minIntervalMs ?? 250;
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw new RangeError(`LiveWriter: expected minIntervalMs a number >= 0, got ${describe(ms)}`);
    this.minIntervalMs = ms;
    this.onWriteError = options.onWriteError ?? (() => {});
    this.path = liveFilePath(outDir);
    const now = Date.now();
    this.file = { lrlabLive: LIVE_VERSION, pid: process.pid, startedAt: now, updatedAt: now, writes: 0, state: 'running', stage: 'data', done: 0, total: 0, notes: [], result: {} };
  }

  /** Creates the folder's parent if needed and writes the file; from now on every event is written. */
  start(): void {
    makeDirs(dirname(this.path), 'lrlab: --live');
    this.started = true;
    this.file.startedAt = Date.now();
    this.write(true);
  }

  /** A progress line (onStage): always written. */
  note(stage: Stage, detail: string): void {
    this.file.notes.push({ stage, detail });
    this.file.stage = stage;
    this.write(true);
  }

  /** Progress within a stage (onProgress): written when the stage changes, at its end, or after `minIntervalMs`. */
  progress(stage: Stage, done: number, total: number): void {
    const changed = stage !== this.file.stage;
    Object.assign(this.file, { stage, done, total });
    this.write(changed || done === total);
  }

  /** The result so far (onPartial): written at most every `minIntervalMs`, unless `force`. */
  partial(result: FindLrPartial, force = false): void {
    this.file.result = result;
    this.write(force);
  }

  /** The whole result is in: written with state 'finished' (the report is being written). */
  finish(result: FindLrPartial): void {
    Object.assign(this.file, { state: 'finished', stage: 'report', result });
    this.write(true);
  }

  /** The run failed: written with state 'failed' and the message, and left for the dashboard to show. */
  fail(error: Error): void {
    Object.assign(this.file, { state: 'failed', error: error.message });
    this.write(true);
  }

  /** Removes the file (the report is in). */
  remove(): void {
    rmSync(this.path, { force: true });
  }

  private write(force: boolean): void {
    if (!this.started || this.broken) return;
    const now = Date.now();
    if (!force && now - this.lastWrite < this.minIntervalMs) return;
    this.lastWrite = now;
    this.file.updatedAt = now;
    this.file.writes++;
    // NaN (a diverged loss) is written as null, as results.json writes it
    try {
      writeFileAtomic(this.path, JSON.stringify(this.file));
    } catch (error) {
      this.broken = true;
      this.onWriteError(`cannot write the progress file: ${(error as Error).message.replace(/^writeFileAtomic: /, '')}`);
    }
  }
}
