// Starting lrlab's own modules in worker threads. A worker runs an ES module by URL; when lrlab runs from its
// TypeScript sources (tests, tsx), the worker registers tsx's loader first, because module hooks of the main
// thread do not reach workers. From the built JavaScript nothing extra is loaded.
import { Worker } from 'node:worker_threads';

const BOOT = `const { workerData } = require('node:worker_threads');
(async () => {
  if (workerData.__tsx) (await import(workerData.__tsx)).register();
  await import(workerData.__entry);
})().catch((error) => { setImmediate(() => { throw error; }); });`;

/** The URL of a module next to this one, with this file's extension (.ts from sources, .js when built). */
export function sibling(name: string): URL {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${name}${ext}`, import.meta.url);
}

/** Starts `entry` (a module URL) in a worker thread with `data` as its workerData. */
export function startWorker(entry: URL | string, data: Record<string, unknown>, transferList: readonly unknown[] = []): Worker {
  const href = typeof entry === 'string' ? entry : entry.href;
  let tsx: string | null = null;
  if (/\.[mc]?ts$/.test(href) || import.meta.url.endsWith('.ts')) {
    try {
      tsx = import.meta.resolve('tsx/esm/api');
    } catch {
      tsx = null; // built JavaScript importing built JavaScript needs no loader
    }
  }
  return new Worker(BOOT, { eval: true, workerData: { ...data, __entry: href, __tsx: tsx }, transferList: transferList as never });
}
