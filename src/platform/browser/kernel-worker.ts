// A kernel worker in the browser: a Web Worker made from `body` (plain JavaScript that reads `workerData`), which
// receives its data in a first message (WebAssembly modules, shared memories and SharedArrayBuffers pass through
// postMessage on a cross-origin isolated page). A page's main thread may not block with Atomics.wait, so there
// the wait spins on Atomics.load; inside a worker it sleeps as on Node.
export interface KernelWorker {
  /** True once the worker runs: a page's Web Worker starts only after the page's thread yields to its event loop. */
  ready(): boolean;
  terminate(): void;
}

declare const Blob: new (parts: string[], options: { type: string }) => object;
declare const URL: { createObjectURL(blob: object): string };
declare const Worker: new (url: string) => { postMessage(data: unknown): void; terminate(): void };

export function startKernelWorker(body: string, data: unknown): KernelWorker {
  const source = `self.onmessage = (event) => { self.onmessage = null; const workerData = event.data.data;
Atomics.store(event.data.started, 0, 1);
${body}
};`;
  const started = new Int32Array(new SharedArrayBuffer(4));
  const w = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
  w.postMessage({ data, started });
  return { ready: () => Atomics.load(started, 0) === 1, terminate: () => w.terminate() };
}

const canSleep = typeof (globalThis as { document?: unknown }).document === 'undefined';

export function waitWhile(ctl: Int32Array, index: number, value: number): void {
  if (canSleep) {
    while (Atomics.load(ctl, index) === value) Atomics.wait(ctl, index, value);
  } else {
    while (Atomics.load(ctl, index) === value) {
      // spin: the main thread of a page must not sleep; the worker finishes its share of the product meanwhile
    }
  }
}
