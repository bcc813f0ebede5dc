// What `study.optimize` takes: the objective (a function, or a module for worker threads), the options, and the
// checks of both (Optuna's optimize arguments and _check_single_value).
import { availableParallelism } from 'node:os';
import type { Trial } from '../trial.js';
import type { FrozenTrial } from '../types.js';
import type { Study } from './study.js';

/**
 * The objective: a trial in, the value to minimize or maximize out; in a study of several objectives, an array of
 * values in the order of the study's directions.
 */
export type Objective = (trial: Trial) => number | readonly number[] | Promise<number | readonly number[]>;

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

/** Why a returned value cannot be a trial's value, or null when it can (Optuna's _check_single_value). */
export function valueProblem(value: unknown): string | null {
  if (value === undefined) return 'the objective returned nothing (expected a number)';
  if (typeof value !== 'number') {
    const shown = typeof value === 'string' ? JSON.stringify(value) : typeof value;
    return `expected the objective to return a number, got ${shown}`;
  }
  if (Number.isNaN(value)) return 'expected the objective to return a number, got NaN';
  return null;
}

/**
 * A returned value (a number, or an array of numbers) as the trial's values, or why it cannot be them: a value
 * that is not a number or is NaN, or a count other than `nObjectives`. Optuna's _check_values_are_feasible, whose
 * message is quoted in parentheses.
 */
export function valuesProblem(value: unknown, nObjectives: number): number[] | string {
  if (!Array.isArray(value)) {
    const reason = valueProblem(value);
    if (reason !== null) return reason;
    return nObjectives === 1 ? [value as number] : `expected the objective to return ${nObjectives} values (one per direction), got 1 (The number of the values 1 did not match the number of the objectives ${nObjectives}.)`;
  }
  for (let i = 0; i < value.length; i++) {
    const v: unknown = value[i];
    if (typeof v !== 'number') return `expected the objective to return numbers, got ${typeof v === 'string' ? JSON.stringify(v) : typeof v} at index ${i}`;
    if (Number.isNaN(v)) return `expected the objective to return numbers, got NaN at index ${i} (The value nan is not acceptable.)`;
  }
  if (value.length !== nObjectives) {
    return `expected the objective to return ${nObjectives} value${nObjectives === 1 ? '' : 's'} (one per direction), got ${value.length} (The number of the values ${value.length} did not match the number of the objectives ${nObjectives}.)`;
  }
  return [...(value as number[])];
}

/** The options of `optimize`, checked, with defaults filled in and `catch` made a predicate. */
export function checkOptimizeOptions(options: OptimizeOptions) {
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

/** The options of `optimize` as `checkOptimizeOptions` returns them. */
export type CheckedOptimizeOptions = ReturnType<typeof checkOptimizeOptions>;

/** The line `showProgressBar` writes to stderr for a finished trial. */
export function writeProgress(study: Study, t: FrozenTrial, launched: number, nTrials: number | null): void {
  let best = '';
  try {
    best = `; best ${study.bestValue} (trial ${study.bestTrial.number})`;
  } catch {
    best = '';
  }
  const value = t.state !== 'complete' ? '' : t.values !== null && t.values.length > 1 ? ` values [${t.values.join(', ')}]` : ` value ${t.value}`;
  process.stderr.write(`[${study.studyName}] trial ${t.number} ${t.state}${value}${best} (${launched}${nTrials === null ? '' : `/${nTrials}`})\n`);
}
