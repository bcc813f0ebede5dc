import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { registerBackendFactory, type Backend } from '../backend.js';
import { GEMM_WASM_BASE64 } from './gemm-wasm.js';
import { checkOptionsObject } from '../../../format/check.js';

interface GemmExports {
  packA(a: number, ap: number, m: number, k: number, transA: number): void;
  packB(b: number, bp: number, k: number, n: number, transB: number): void;
  tiles(ap: number, bp: number, c: number, m: number, k: number, n: number, panel0: number, panel1: number): void;
}

/** The fast CPU backend: lrlab's WebAssembly SIMD kernel, on worker threads for large products. */
export interface WasmBackend extends Backend {
  /** Threads used for large products (this one included). */
  readonly threads: number;
  /** Products with at least this many multiply-adds are split across the threads. */
  readonly parallelThreshold: number;
  dispose(): void;
}

// WebAssembly is a Node global; lrlab's tsconfig has no DOM lib, where its types live
const WA = (globalThis as unknown as { WebAssembly: any }).WebAssembly;

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, control } = workerData;
const gemm = new WebAssembly.Instance(module, { env: { memory, abort() { throw new Error('gemm: abort'); } } }).exports;
const ctl = new Int32Array(control);
let seen = 0;
for (;;) {
  Atomics.wait(ctl, 0, seen);
  seen = Atomics.load(ctl, 0);
  if (ctl[1] === -1) break;
  gemm.tiles(ctl[2], ctl[3], ctl[4], ctl[5], ctl[6], ctl[7], ctl[8], ctl[9]);
  Atomics.add(ctl, 10, 1);
  Atomics.notify(ctl, 10);
}
`;

/**
 * Creates the fast CPU backend. The operands are copied into a shared WebAssembly memory, packed into panels, and
 * multiplied by 4 x 8 SIMD tiles; products of at least `parallelThreshold` multiply-adds are split by column
 * panels between this thread and worker threads, which the calling thread waits for (the API stays synchronous).
 */
export function createWasmBackend(options: { threads?: number; parallelThreshold?: number; name?: string } = {}): WasmBackend {
  options = checkOptionsObject('createWasmBackend', options, ['threads', 'parallelThreshold', 'name']);
  const threads = Math.max(1, options.threads ?? Math.min(2, availableParallelism()));
  const parallelThreshold = options.parallelThreshold ?? 192 * 192 * 192;
  const module = new WA.Module(Buffer.from(GEMM_WASM_BASE64, 'base64'));
  const memory = new WA.Memory({ initial: 64, maximum: 16384, shared: true });
  const gemm = new WA.Instance(module, { env: { memory, abort: () => { throw new Error('gemm: abort'); } } }).exports as unknown as GemmExports;
  const control = new SharedArrayBuffer(16 * 4);
  const ctl = new Int32Array(control);
  const workers: Worker[] = [];
  for (let t = 1; t < threads; t++) {
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory, control } });
    w.unref();
    workers.push(w);
  }
  let heap = new Float32Array(memory.buffer);

  const ensure = (bytes: number) => {
    const have = memory.buffer.byteLength;
    if (bytes > have) memory.grow(Math.ceil((bytes - have) / 65536));
    if (heap.buffer.byteLength !== memory.buffer.byteLength) heap = new Float32Array(memory.buffer);
  };

  return {
    name: options.name ?? 'wasm',
    threads,
    parallelThreshold,
    matmul(a, b, out, m, k, n, transA, transB) {
      // layout in floats: A | B | packed A (m rounded up to 4) | packed B (n rounded up to 8) | C
      const mp = Math.ceil(m / 4) * 4, np = Math.ceil(n / 8) * 8;
      const offA = 0, offB = offA + m * k, offAp = offB + k * n, offBp = offAp + mp * k, offC = offBp + k * np;
      ensure((offC + m * n) * 4);
      heap.set(a.length === m * k ? a : a.subarray(0, m * k), offA);
      heap.set(b.length === k * n ? b : b.subarray(0, k * n), offB);
      gemm.packA(offA * 4, offAp * 4, m, k, transA ? 1 : 0);
      gemm.packB(offB * 4, offBp * 4, k, n, transB ? 1 : 0);
      const panels = np / 8;
      if (workers.length > 0 && m * n * k >= parallelThreshold && panels >= 2) {
        // this thread takes the first share of the column panels, the worker the rest
        const split = Math.ceil(panels / 2);
        ctl.set([offAp * 4, offBp * 4, offC * 4, m, k, n, split, panels], 2);
        ctl[1] = 0;
        Atomics.store(ctl, 10, 0);
        Atomics.add(ctl, 0, 1);
        Atomics.notify(ctl, 0);
        gemm.tiles(offAp * 4, offBp * 4, offC * 4, m, k, n, 0, split);
        while (Atomics.load(ctl, 10) < 1) Atomics.wait(ctl, 10, 0);
      } else {
        gemm.tiles(offAp * 4, offBp * 4, offC * 4, m, k, n, 0, panels);
      }
      out.set(heap.subarray(offC, offC + m * n));
    },
    dispose() {
      ctl[1] = -1;
      Atomics.add(ctl, 0, 1);
      Atomics.notify(ctl, 0);
      for (const w of workers) void w.terminate();
      workers.length = 0;
    },
  };
}

registerBackendFactory('wasm', () => createWasmBackend());
