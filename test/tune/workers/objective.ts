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
