// A kernel worker on Node: a worker thread running `body` (plain JavaScript that reads `workerData`), and a blocking
// wait for it. The browser build swaps this file for src/platform/browser/kernel-worker.ts (Web Workers).
import { Worker } from 'node:worker_threads';

/** A running kernel worker. */
export interface KernelWorker {
  /** True once the worker's code runs and can take work (it says so in shared memory: no event is needed). */
  ready(): boolean;
  terminate(): void;
}

/**
 * Starts a worker thread that runs `body` (CommonJS) with `workerData` = `data`; it does not keep the process alive.
 * The worker gets none of this process's Node options: `--input-type=module` (a script run with `node -e`) would
 * make its code a module, where `require` fails before the worker could say it runs, and a loader such as tsx has
 * nothing to do in it.
 */
export function startKernelWorker(body: string, data: unknown): KernelWorker {
  const started = new Int32Array(new SharedArrayBuffer(4));
  const source = `const { workerData: { data: workerData, started } } = require('node:worker_threads');
Atomics.store(started, 0, 1);
${body}`;
  const w = new Worker(source, { eval: true, workerData: { data, started }, execArgv: [] });
  w.unref();
  return { ready: () => Atomics.load(started, 0) === 1, terminate: () => void w.terminate() };
}

/**
 * Blocks until `ctl[index]` is no longer `value`: watching it for up to 0.2 ms first (the worker's share of a product
 * or an update usually ends within that, and waking a sleeping thread takes tens of microseconds, as long as half a
 * 128^3 product), then sleeping in Atomics.wait.
 */
export function waitWhile(ctl: Int32Array, index: number, value: number): void {
  const until = performance.now() + 0.2;
  while (Atomics.load(ctl, index) === value && performance.now() < until);
  while (Atomics.load(ctl, index) === value) Atomics.wait(ctl, index, value);
}
