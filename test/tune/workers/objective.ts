// Objectives that `study.optimize({ module }, { nJobs })` imports in worker threads.
import { threadId } from 'node:worker_threads';
import type { Trial } from '../../../src/index.js';

/** A quadratic that takes about 250 ms of blocked thread per trial (like a short synchronous training run). */
export function objective(trial: Trial): number {
  const x = trial.suggestFloat('x', -2, 2);
  trial.setUserAttr('threadId', threadId);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
  return (x - 1) ** 2;
}

/** Throws on its third call in a thread. */
let calls = 0;
export function failing(trial: Trial): number {
  trial.suggestInt('n', 0, 3);
  if (++calls === 3) throw new RangeError('the third trial broke');
  return calls;
}

/** Ends its thread with process.exit(3) in its second trial, as an objective that "exits on error" would. */
export function exits(trial: Trial): number {
  const x = trial.suggestFloat('x', 0, 1);
  if (++calls === 2) process.exit(3);
  return x;
}

/** Returns a promise that never settles: nothing keeps the thread's event loop alive, so the thread ends. */
export function neverSettles(trial: Trial): Promise<number> {
  trial.suggestFloat('x', 0, 1);
  return new Promise(() => undefined);
}

/** Two objectives of one parameter: x and (1 - x)^2 (a study of directions ['minimize', 'minimize']). */
export function twoObjectives(trial: Trial): number[] {
  const x = trial.suggestFloat('x', 0, 1);
  return [x, (1 - x) ** 2];
}
