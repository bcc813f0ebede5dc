import Benchmark from 'benchmark';
import { cpus, totalmem } from 'node:os';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import * as lr from '../src/index.js';
import { cpuBackend, createGpuBackend, createWasmBackend, type Backend } from '../src/index.js';

/** One timed row: what ran, on which backend and mode, and its figures. */
export interface Row {
  suite: string;
  case: string;
  implementation: string;
  backend: string;
  mode: string;
  ms: number;
  rme: number;
  samples: number;
  figures: Record<string, number | string>;
  note?: string;
}

/** Times `fn` with benchmark.js; returns mean milliseconds, relative margin of error and sample count. */
export function time(name: string, fn: () => void, options: { maxTime?: number; minSamples?: number } = {}): { ms: number; rme: number; samples: number } {
  fn(); // warm-up outside the measurement, and a first check that it runs
  const bench = new Benchmark(name, fn, { maxTime: options.maxTime ?? 1, minSamples: options.minSamples ?? 3, initCount: 1 });
  bench.run();
  if (bench.error) throw bench.error;
  return { ms: bench.stats.mean * 1000, rme: bench.stats.rme, samples: bench.stats.sample.length };
}

export function machine() {
  const c = cpus();
  return { cpu: c[0]?.model ?? 'unknown', cores: c.length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: `${process.platform} ${process.arch}` };
}

/** An lrlab backend as benchmarked: the backend object, its name and the gpu.js mode it really runs in. */
export interface LrlabImpl {
  label: string;
  backend: Backend;
  mode: string;
}

/** Every lrlab backend that runs here: the CPU reference, the WASM path (1 and 2 threads), gpu.js in each mode. */
export function lrlabImplementations(log: (s: string) => void): LrlabImpl[] {
  const impls: LrlabImpl[] = [
    { label: 'lrlab cpu (reference)', backend: cpuBackend, mode: '-' },
    { label: 'lrlab wasm SIMD, 1 thread', backend: createWasmBackend({ threads: 1, name: 'wasm-1' }), mode: '-' },
    { label: 'lrlab wasm SIMD, 2 threads', backend: createWasmBackend({ threads: 2, name: 'wasm' }), mode: '-' },
  ];
  for (const mode of ['gpu', 'webasm', 'cpu'] as const) {
    try {
      const b = createGpuBackend({ mode, name: `gpu.js ${mode}`, quiet: true });
      if (mode === 'gpu' && !b.onGpu) {
        log(`  gpu.js: no GPU mode here (it picked '${b.mode}'); run under xvfb-run with the gl addon built for headless GL`);
        b.dispose();
        continue;
      }
      impls.push({ label: `lrlab gpu.js (${b.mode})`, backend: b, mode: b.mode });
    } catch (err) {
      log(`  gpu.js mode '${mode}' does not run here: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  return impls;
}

let tfReady = false;
/** Sets up TensorFlow.js's CPU and WASM backends (WASM single-threaded, SIMD) for the peer rows. */
export async function tfjs(backend: 'cpu' | 'wasm'): Promise<typeof tf> {
  if (!tfReady) {
    const req = createRequire(import.meta.url);
    setWasmPaths(`${dirname(req.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`);
    setThreadsCount(1);
    tfReady = true;
  }
  await tf.setBackend(backend);
  await tf.ready();
  return tf;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/**
 * `impls` with each wasm backend replaced by a new one of the same threads and name, and a function that disposes
 * them: a suite timed on fresh backends does not inherit the memory earlier suites left behind (the arena reuses
 * free blocks by size and splits larger ones, but does not merge neighbours, so after suites of very different
 * sizes tensors may no longer fit in the memory and become ordinary arrays, copied in and out at every kernel).
 */
export function freshWasm(impls: LrlabImpl[]): { impls: LrlabImpl[]; dispose: () => void } {
  const made: { dispose(): void }[] = [];
  const fresh = impls.map((impl) => {
    const wasm = impl.backend as Partial<{ threads: number; arena: unknown }>;
    const threads = wasm.arena !== undefined ? wasm.threads ?? 0 : 0;
    if (threads === 0) return impl;
    const backend = createWasmBackend({ threads, name: impl.backend.name });
    made.push(backend);
    return { ...impl, backend };
  });
  return { impls: fresh, dispose: () => made.forEach((b) => b.dispose()) };
}

/** Runs `fn` with `impl`'s backend active, then restores the one before. */
export function use<T>(impl: LrlabImpl, fn: () => T): T {
  const previous = lr.getBackend().name;
  lr.registerBackend(impl.backend);
  lr.useBackend(impl.backend.name);
  try {
    return fn();
  } finally {
    lr.useBackend(previous);
  }
}

/** benchmark.js for an async function (deferred benchmark). */
export function timeAsync(name: string, fn: () => Promise<void>, maxTime: number): Promise<{ ms: number; rme: number; samples: number }> {
  return new Promise((resolve, reject) => {
    const bench = new Benchmark(name, { defer: true, maxTime, minSamples: 3, fn: (d: { resolve(): void }) => void fn().then(() => d.resolve(), reject) });
    bench.on('complete', () => (bench.error ? reject(bench.error) : resolve({ ms: bench.stats.mean * 1000, rme: bench.stats.rme, samples: bench.stats.sample.length })));
    bench.run({ async: true });
  });
}

/** Copies of A and B, and a result array, in the backend's own storage where it has one. */
export function resident(backend: { allocate?(n: number): Float32Array }, A: Float32Array, B: Float32Array): [Float32Array, Float32Array, Float32Array] {
  const make = (n: number) => backend.allocate?.(n) ?? new Float32Array(n);
  const a = make(A.length), b = make(B.length);
  a.set(A);
  b.set(B);
  return [a, b, make(A.length)];
}
