// A kernel worker on Node: a worker thread running `body` (plain JavaScript that reads `workerData`), and a blocking
// wait for it. The browser build swaps this file for src/platform/browser/kernel-worker.ts (Web Workers).
import { Worker } from 'node:worker_threads';

/** A running kernel worker. */
export interface KernelWorker {
  /** True once the worker runs and can take work (a worker thread on Node runs at once). */
  ready(): boolean;
  terminate(): void;
}

/** Starts a worker thread that runs `body` with `workerData` = `data`; it does not keep the process alive. */
export function startKernelWorker(body: string, data: unknown): KernelWorker {
  const w = new Worker(`const { workerData } = require('node:worker_threads');\n${body}`, { eval: true, workerData: data });
  w.unref();
  return { ready: () => true, terminate: () => void w.terminate() };
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
