import { availableParallelism } from 'node:os';
import { registerBackendFactory, type Backend, type ConvGeometry, type FastKernels, type RecurrentKernels } from '../backend.js';
import { KERNELS_WASM_BASE64, KERNELS_RELAXED_WASM_BASE64 } from './kernels-wasm.js';
import { Arena } from './arena.js';
import { unshareMemoryImport } from './unshare.js';
import { startKernelWorker, waitWhile, type KernelWorker } from '../../../platform/node/kernel-worker.js';
import { relaxedSimd } from '../../../platform/node/relaxed-simd.js';
import { checkBoolean, checkInteger, checkOptionsObject } from '../../../format/check.js';
import { describe } from '../../../format/number.js';
import { SplitPolicy } from './split-policy.js';

interface KernelExports {
  packA(a: number, ap: number, m: number, k: number, transA: number): void;
  packB(b: number, bp: number, k: number, n: number, transB: number, panel0: number, panel1: number): void;
  tiles(ap: number, bp: number, c: number, m: number, k: number, n: number, panel0: number, panel1: number): void;
  sgd(θ: number, g: number, b: number, n: number, η: number, λ: number, μ: number, oneMinusτ: number, first: number, nesterov: number, maximize: number): void;
  adam(θ: number, g: number, m: number, v: number, vMax: number, n: number, b1: number, b2: number, c1: number, c2: number, ε: number, λ: number, stepSize: number, bc2Sqrt: number, decay: number, maximize: number): void;
  rmsprop(θ: number, g: number, v: number, gBar: number, b: number, n: number, η: number, α: number, oneMinusα: number, ε: number, λ: number, μ: number, maximize: number): void;
  adagrad(θ: number, g: number, G: number, n: number, ηt: number, λ: number, ε: number, maximize: number): void;
  adadelta(θ: number, g: number, v: number, u: number, n: number, η: number, ρ: number, oneMinusρ: number, ε: number, λ: number, maximize: number): void;
  nadam(θ: number, g: number, m: number, v: number, n: number, b1: number, b2: number, c1: number, c2: number, ε: number, λ: number, stepG: number, stepM: number, bc2Sqrt: number): void;
  radam(θ: number, g: number, m: number, v: number, n: number, b1: number, b2: number, c1: number, c2: number, ε: number, λ: number, η: number, bc1: number, bc2Sqrt: number, rt: number, rectified: number): void;
  adamax(θ: number, g: number, m: number, u: number, n: number, b1: number, b2: number, c1: number, ε: number, λ: number, stepSize: number, maximize: number): void;
  biasRelu(y: number, b: number, n: number, m: number, relu: number): void;
  reluBackwardSums(y: number, g: number, d: number, db: number, n: number, m: number): void;
  tanhBackwardSums(y: number, g: number, d: number, db: number, n: number, m: number): void;
  sigmoidBackwardSums(y: number, g: number, d: number, db: number, n: number, m: number): void;
  columnSums(g: number, db: number, n: number, m: number): void;
  allFinite(x: number, len: number): number;
  maxAbs(x0: number, x1: number, x2: number, x3: number, len: number): number;
  addInto(acc: number, x: number, len: number): void;
  convScratchFloats(c: number, h: number, w: number, o: number, kh: number, kw: number, ph: number, pw: number, dh: number, dw: number, stride: number): number;
  convForward(x: number, w: number, b: number, y: number, s: number, n0: number, n1: number, c: number, h: number, wd: number, o: number, kh: number, kw: number, ph: number, pw: number, dh: number, dw: number, stride: number, relu: number): void;
  convBackward(x: number, w: number, y: number, gy: number, dx: number, s: number, n0: number, n1: number, c: number, h: number, wd: number, o: number, kh: number, kw: number, ph: number, pw: number, dh: number, dw: number, stride: number, flags: number): void;
  convGradSum(s0: number, s1: number, dw: number, db: number, c: number, h: number, wd: number, o: number, kh: number, kw: number, ph: number, pw: number, dh: number, dwd: number, stride: number): void;
  maxPool2x2(x: number, y: number, planes: number, h: number, w: number): void;
  maxPool2x2Backward(x: number, y: number, gy: number, dx: number, planes: number, h: number, w: number): void;
  lstmForward(x: number, w: number, bias: number, h0: number, c0: number, out: number, acts: number, hPrev: number, cPrev: number, tanhC: number, wp: number, ap: number, pre: number, B: number, H: number, T: number, reverse: number, approximate: number, b0: number, b1: number): number;
  lstmBackward(gOut: number, w: number, acts: number, cPrev: number, tanhC: number, dGates: number, dh: number, dc: number, dhNext: number, wp: number, ap: number, B: number, H: number, T: number, reverse: number, b0: number, b1: number): void;
  gruForward(x: number, w: number, bias: number, h0: number, out: number, acts: number, hid: number, hPrev: number, wp: number, ap: number, B: number, H: number, T: number, reverse: number, approximate: number, b0: number, b1: number): number;
  /** The end of the module's constant data: tensors live above it. */
  staticDataEnd(): number;
  gruBackward(gOut: number, w: number, acts: number, hid: number, hPrev: number, dX: number, dA: number, dh: number, dhNext: number, wp: number, ap: number, B: number, H: number, T: number, reverse: number, b0: number, b1: number): void;
}

/** The fast CPU backend: lrlab's WebAssembly SIMD kernels, on worker threads for large products. */
export interface WasmBackend extends Backend {
  /** Threads used for large products (this one included). */
  readonly threads: number;
  /** Products with at least this many multiply-adds may be split across the threads (see `createWasmBackend`). */
  readonly parallelThreshold: number;
  /**
   * Whether the kernels run with WebAssembly relaxed SIMD: the matmul then uses fused multiply-adds (one rounding
   * per product-and-add where the processor has them), faster, and no longer bit for bit with the cpu reference.
   */
  readonly relaxedSimd: boolean;
  readonly kernels: FastKernels;
  /** Storage in the module's memory when it is shared (never detached by growth), else ordinary arrays. */
  allocate(n: number, zero?: boolean): Float32Array;
  /** The storage in the module's memory (for tests and benchmarks). */
  readonly arena: Arena;
  /** Threads ready to take work, this one included (in a browser, Web Workers start after the page yields). */
  threadsReady(): number;
  /**
   * Pairs of LSTM or GRU cell lanes that the fast double-precision path could not vouch for (a value within its
   * error bound of a float rounding boundary, or an argument out of its range), computed again with fdlibm's exp
   * and tanh (a diagnostic: the results have the exact bits either way; see assembly/recurrent.ts).
   */
  readonly recurrentExactPairs: number;
  dispose(): void;
}

// WebAssembly is a Node global; lrlab's tsconfig has no DOM lib, where its types live
const WA = (globalThis as unknown as { WebAssembly: any }).WebAssembly;

// The worker's control block: Int32 slots (0 the job counter, 1 -1 to stop, 2-9 and 11-12 a product's share,
// 10 the done counter, 13 the job's kernel, 0 for a product's share) and, from byte 128, float64 arguments of an
// elementwise kernel (up to 20) and its result (slot 23).
const CONTROL_BYTES = 128 + 24 * 8;
/** The convolution kernels the worker can take a share of the images of (issue 26). */
const CONV_SPLIT_KERNELS = ['convForward', 'convBackward'] as const;
/** The recurrent kernels the worker can take a share of the batch's rows of (issue 26). */
const RECURRENT_SPLIT_KERNELS = ['lstmForward', 'lstmBackward', 'gruForward', 'gruBackward'] as const;
/**
 * The kernels the worker can take a share of (their index is slot 13, from 1). Not the optimizer step's (its updates
 * and its maxAbs): split in halves with the worker, Adam's and SGD's steps on 2^20 parameters ran at 0.73-1.0x the
 * one-thread speed on a shared machine of 2 cores (memory-bound; the halves wait for each other), so they run on
 * the calling thread, see `kernels`.
 */
const SPLIT_KERNELS = [...CONV_SPLIT_KERNELS, ...RECURRENT_SPLIT_KERNELS] as const;
/** Convolutions of at least this many multiply-adds may be split across the batch with the worker. */
const CONV_SPLIT_MACS = 1 << 22;

const WORKER_SOURCE = `
const { module, memory, control, names } = workerData;
const kernels = new WebAssembly.Instance(module, { env: { memory, abort() { throw new Error('lrlab wasm kernels: abort'); } } }).exports;
const ctl = new Int32Array(control), a = new Float64Array(control, 128, 24);
let seen = 0;
for (;;) {
  // a training step sends jobs in quick succession: watch for the next for a moment before sleeping (waking a
  // sleeping thread takes tens of microseconds)
  const until = performance.now() + 0.2;
  while (Atomics.load(ctl, 0) === seen && performance.now() < until);
  Atomics.wait(ctl, 0, seen);
  seen = Atomics.load(ctl, 0);
  if (ctl[1] === -1) break;
  if (ctl[13] === 0) {
    // this thread's share of the column panels: pack them from B, then multiply
    kernels.packB(ctl[11], ctl[3], ctl[6], ctl[7], ctl[12], ctl[8], ctl[9]);
    kernels.tiles(ctl[2], ctl[3], ctl[4], ctl[5], ctl[6], ctl[7], ctl[8], ctl[9]);
  } else {
    // the second half of an elementwise kernel (a wasm function ignores the arguments past its own)
    a[23] = kernels[names[ctl[13] - 1]](a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15], a[16], a[17], a[18], a[19]) ?? 0;
  }
  Atomics.add(ctl, 10, 1);
  Atomics.notify(ctl, 10);
}
`;

/**
 * Creates the fast CPU backend. Tensors made while it is active live in its WebAssembly memory (see `Arena`), so
 * its kernels read and write them in place; arrays from elsewhere are copied in and out. Products are packed into
 * panels and multiplied by 4 x 8 SIMD tiles; those of at least `parallelThreshold` multiply-adds (default 128^3) may
 * be split by column panels between this thread and a worker thread, which the calling thread waits for (the API
 * stays synchronous); long optimizer updates and large convolutions likewise. With `split: 'measured'` (the
 * default) a call is split only where, for its shape, two threads were measured faster than one on this machine
 * (the first calls of each shape run both ways, the faster is used and the other tried again now and then, less
 * often the longer it keeps losing); `split: 'always'` splits every call past the thresholds. Splitting never
 * changes the results' bits, so the measured choice changes speed only.
 * Where the engine has WebAssembly relaxed SIMD (Chromium, Node 22; on Node 20 lrlab sets V8's flag for it) the
 * tiles use fused multiply-adds, about a sixth faster; `relaxedSimd: false` keeps separate multiplies and adds.
 */
export function createWasmBackend(options: { threads?: number; parallelThreshold?: number; split?: 'measured' | 'always'; name?: string; relaxedSimd?: boolean } = {}): WasmBackend {
  options = checkOptionsObject('createWasmBackend', options, ['threads', 'parallelThreshold', 'split', 'name', 'relaxedSimd']);
  if (options.relaxedSimd !== undefined) checkBoolean('createWasmBackend', 'relaxedSimd', options.relaxedSimd);
  if (options.threads !== undefined) checkInteger('createWasmBackend', 'threads', options.threads, 1);
  if (options.parallelThreshold !== undefined) checkInteger('createWasmBackend', 'parallelThreshold', options.parallelThreshold, 0);
  if (options.split !== undefined && options.split !== 'measured' && options.split !== 'always') throw new TypeError(`createWasmBackend: expected split to be 'measured' or 'always', got ${describe(options.split)}`);
  const threads = options.threads ?? Math.min(2, availableParallelism());
  // From 128^3 the split policy measures whether two threads pay. Smaller products never paid much (on two machines
  // of 2 cores with nothing else running: an Intel Xeon, 96^3 breaking even and 128^3 1.26x faster, and an AMD EPYC,
  // 128^3 0.9-1.1x), and a split whose worker waits for a busy core can cost fifty times a 64^3 product.
  const parallelThreshold = options.parallelThreshold ?? 128 * 128 * 128;
  const policy = new SplitPolicy(options.split !== 'always');
  // A shared memory wherever one can be made (Node, a cross-origin isolated page): growing it never detaches the
  // tensors kept in it. Elsewhere (one thread only) an ordinary memory, and tensors stay ordinary arrays.
  const shared = threads > 1 || typeof SharedArrayBuffer !== 'undefined';
  // relaxed SIMD (fused multiply-adds in the matmul) unless turned off or the engine lacks it
  const relaxed = options.relaxedSimd !== false && relaxedSimd();
  const binary = Buffer.from(relaxed ? KERNELS_RELAXED_WASM_BASE64 : KERNELS_WASM_BASE64, 'base64');
  const module = new WA.Module(shared ? binary : unshareMemoryImport(binary));
  const memory = new WA.Memory({ initial: 64, maximum: 16384, shared });
  const k = new WA.Instance(module, { env: { memory, abort: () => { throw new Error('lrlab wasm kernels: abort'); } } }).exports as unknown as KernelExports;
  const control = threads > 1 ? new SharedArrayBuffer(CONTROL_BYTES) : new ArrayBuffer(CONTROL_BYTES);
  const ctl = new Int32Array(control), args = new Float64Array(control, 128, 24);
  const workers: KernelWorker[] = [];
  for (let t = 1; t < threads; t++) workers.push(startKernelWorker(WORKER_SOURCE, { module, memory, control, names: SPLIT_KERNELS }));
  const arena = new Arena(memory, 16384 * 65536, k.staticDataEnd());

  // Arrays the kernels cannot use in place are staged in temporary blocks, and written ones copied back after.
  const staged: number[] = [];
  const views = new Map<number, Float32Array>();
  const viewOf = (offset: number, n: number) => {
    // cached per block, so copying back creates no new views step after step
    const key = offset * 4096 + (n & 4095);
    let v = views.get(key);
    if (v === undefined || v.length !== n || v.buffer !== arena.heap.buffer) {
      if (views.size > 1024) views.clear();
      views.set(key, (v = new Float32Array(arena.heap.buffer, offset, n)));
    }
    return v;
  };
  // Arrays the kernels cannot use in place are copied into one scratch block, one after another, for the length of
  // a call. The block grows (to the largest call's need) and is kept: temporaries of every size would otherwise
  // leave blocks of every size behind, which the arena reuses only by size, until a full memory had no room left.
  let scratch = -1, scratchBytes = 0, used = 0;
  const retired: number[] = [];
  const reset = () => {
    used = 0;
    staged.length = 0;
    for (const offset of retired) arena.release(offset);
    retired.length = 0;
  };
  const stage = (a: Float32Array, whole: boolean): number => {
    const resident = whole ? arena.blockOf(a) : arena.offsetOf(a);
    if (resident >= 0) return resident;
    const bytes = Math.max(16, Math.ceil(a.length / 4) * 16);
    if (used + bytes > scratchBytes) {
      // a larger block; the one in use keeps this call's earlier arrays until the call ends
      if (scratch >= 0) retired.push(scratch);
      const want = Math.max(2 * scratchBytes, used + bytes, 1 << 16);
      scratch = arena.take(want / 4);
      scratchBytes = scratch < 0 ? 0 : want;
      used = 0;
      if (scratch < 0) {
        reset();
        throw new RangeError(`wasm backend: expected room for ${a.length} floats in its memory, got none (at most 1 GiB)`);
      }
    }
    const offset = scratch + used;
    used += bytes;
    arena.heap.set(a, offset >> 2);
    staged.push(offset);
    return offset;
  };
  const opt = (a: Float32Array | null) => (a === null ? 0 : stage(a, true));
  // copies the staged arrays that were written back, then frees the call's scratch
  const finish = (written: (Float32Array | null)[], offsets: number[]) => {
    for (let i = 0; i < written.length; i++) {
      const a = written[i];
      if (a !== null && staged.includes(offsets[i])) a.set(viewOf(offsets[i], a.length));
    }
    reset();
  };
  let packOffset = -1, packFloats = 0;
  const start = (job: number) => {
    ctl[13] = job;
    ctl[1] = 0;
    Atomics.store(ctl, 10, 0);
    Atomics.add(ctl, 0, 1);
    Atomics.notify(ctl, 0);
  };
  // Convolution and pooling (issue 26). Each thread has a scratch block of its own for the padded image, the packed
  // weights and its share of the weight gradient. The backward always sums the weight and bias gradients of the two
  // halves of the batch apart and adds them at the end, on one thread as on two, so the bits do not depend on
  // whether a call was split. Whether to split is the split policy's choice, per shape.
  const convScratch = [-1, -1], convScratchSize = [0, 0];
  const scratchFor = (t: number, floats: number): number => {
    if (floats > convScratchSize[t]) {
      if (convScratch[t] >= 0) arena.release(convScratch[t]);
      convScratch[t] = arena.take(floats);
      convScratchSize[t] = convScratch[t] < 0 ? 0 : floats;
      if (convScratch[t] < 0) throw new RangeError(`wasm backend: expected room for ${floats} floats in its memory, got none (at most 1 GiB)`);
    }
    return convScratch[t];
  };
  // the shape as the kernels take it: c, h, w, o, kh, kw, ph, pw, dh, dw, and the stride as sh << 16 | sw
  type ConvShape = [number, number, number, number, number, number, number, number, number, number, number];
  const geometry = (g: ConvGeometry): ConvShape => [g.c, g.h, g.w, g.o, g.kh, g.kw, g.ph, g.pw, g.dh, g.dw, (g.sh << 16) | g.sw];
  const splitChoice = (key: string, g: ConvGeometry): boolean => {
    if (workers.length === 0 || g.n < 2 || !workers[0].ready()) return false;
    const oh = Math.floor((g.h + 2 * g.ph - g.dh * (g.kh - 1) - 1) / g.sh) + 1, ow = Math.floor((g.w + 2 * g.pw - g.dw * (g.kw - 1) - 1) / g.sw) + 1;
    return g.n * g.o * g.c * g.kh * g.kw * oh * ow >= CONV_SPLIT_MACS && policy.split(key);
  };
  /**
   * Runs a convolution kernel over images [0, n): in two halves (each with its own scratch) when `halves` or when
   * split with the worker, else in one call. Returns the scratch blocks of the halves (the second 0 if none).
   */
  const convRun = (name: (typeof CONV_SPLIT_KERNELS)[number], g: ConvGeometry, before: number[], after: number[], halves: boolean): number[] => {
    const shape = geometry(g);
    const floats = k.convScratchFloats(...shape);
    const fn = k[name] as unknown as (...a: number[]) => void;
    const key = `${name} ${g.n} ${shape.join(' ')}`;
    const split = splitChoice(key, g);
    const t0 = performance.now();
    const s0 = scratchFor(0, floats), half = Math.ceil(g.n / 2);
    if (split) {
      const s1 = scratchFor(1, floats);
      const a = [...before, s1, half, g.n, ...shape, ...after];
      for (let i = 0; i < a.length; i++) args[i] = a[i];
      start(SPLIT_KERNELS.indexOf(name) + 1);
      fn(...before, s0, 0, half, ...shape, ...after);
      waitWhile(ctl, 10, 0);
    } else if (halves && g.n >= 2) {
      const s1 = scratchFor(1, floats);
      fn(...before, s0, 0, half, ...shape, ...after);
      fn(...before, s1, half, g.n, ...shape, ...after);
    } else {
      fn(...before, s0, 0, g.n, ...shape, ...after);
    }
    policy.note(key, split, performance.now() - t0);
    return [s0, split || (halves && g.n >= 2) ? convScratch[1] : 0];
  };
  const convKernels: Pick<FastKernels, 'conv2d' | 'conv2dBackward' | 'maxPool2x2' | 'maxPool2x2Backward'> = {
    conv2d(x, w, b, y, g, relu) {
      const o = [stage(x, false), stage(w, false), b === null ? 0 : stage(b, false), stage(y, false)];
      convRun('convForward', g, o, [relu ? 1 : 0], false);
      finish([null, null, null, y], o);
    },
    conv2dBackward(x, w, y, gy, dx, dw, db, g) {
      const o = [stage(x, false), stage(w, false), y === null ? 0 : stage(y, false), stage(gy, false), dx === null ? 0 : stage(dx, false)];
      const [s0, s1] = convRun('convBackward', g, o, [(dw === null ? 0 : 1) | (db === null ? 0 : 2)], true);
      const sums = [dw === null ? 0 : stage(dw, false), db === null ? 0 : stage(db, false)];
      if (dw !== null || db !== null) k.convGradSum(s0, s1, sums[0], sums[1], ...geometry(g));
      finish([null, null, null, null, dx, dw, db], [...o, ...sums]);
    },
    maxPool2x2(x, y, planes, h, w) {
      const o = [stage(x, false), stage(y, false)];
      k.maxPool2x2(o[0], o[1], planes, h, w);
      finish([null, y], o);
    },
    maxPool2x2Backward(x, y, gy, dx, planes, h, w) {
      const o = [stage(x, false), stage(y, false), stage(gy, false), stage(dx, false)];
      k.maxPool2x2Backward(o[0], o[1], o[2], o[3], planes, h, w);
      finish([null, null, null, dx], o);
    },
  };

  // The recurrent kernels' scratch (packed weights, a packed step, one step's products), one block kept between
  // calls and grown when a larger layer comes, in byte offsets: [wp, ap, pre]
  // Recurrent directions (issue 26): the batch's rows are independent through the whole sequence, so with a worker
  // ready the kernel runs on the first rows here and on the rest there, each thread with its own scratch (the
  // packed weights, the packed rows, the step's products) and the same bits as one call.
  const rnnBlocks = [-1, -1], rnnFloats = [0, 0];
  const rnnScratch = (t: number, B: number, H: number, gates: number): [number, number, number] => {
    const G = gates * H, wp = Math.max(Math.ceil(G / 8) * 8 * H, Math.ceil(H / 8) * 8 * G), ap = Math.ceil(B / 4) * 4 * G, pre = B * G;
    if (wp + ap + pre > rnnFloats[t]) {
      if (rnnBlocks[t] >= 0) arena.release(rnnBlocks[t]);
      rnnFloats[t] = wp + ap + pre;
      rnnBlocks[t] = arena.take(rnnFloats[t]);
      if (rnnBlocks[t] < 0) throw new RangeError(`wasm backend: expected room for ${rnnFloats[t]} floats in its memory, got none (at most 1 GiB)`);
    }
    return [rnnBlocks[t], rnnBlocks[t] + wp * 4, rnnBlocks[t] + (wp + ap) * 4];
  };
  let exactPairs = 0;
  /**
   * Runs recurrent kernel `name` with its arguments before the scratch, (thread, rows) => its scratch arguments, and
   * the arguments after (B, H, T, ...): over all B rows here, or split at a multiple of 4 rows with the worker.
   * Returns the sum of the kernel's results.
   */
  const rnnRun = (name: (typeof RECURRENT_SPLIT_KERNELS)[number], before: number[], scratch: (t: number, rows: number) => number[], B: number, after: number[]): number => {
    const fn = (k as unknown as Record<string, (...a: number[]) => number>)[name];
    const splittable = workers.length > 0 && B >= 8 && workers[0].ready();
    const key = splittable ? `${name} ${B} ${after.join(' ')}` : '', t0 = splittable ? performance.now() : 0;
    if (!splittable || !policy.split(key)) {
      const r = fn(...before, ...scratch(0, B), B, ...after, 0, B) ?? 0;
      if (splittable) policy.note(key, false, performance.now() - t0);
      return r;
    }
    const half = Math.ceil(B / 8) * 4;
    [...before, ...scratch(1, B - half), B, ...after, half, B].forEach((x, i) => { args[i] = x; });
    start(SPLIT_KERNELS.indexOf(name) + 1);
    const mine = fn(...before, ...scratch(0, half), B, ...after, 0, half) ?? 0;
    waitWhile(ctl, 10, 0);
    policy.note(key, true, performance.now() - t0);
    return mine + args[23];
  };
  const recurrent: RecurrentKernels = {
    lstmForward(x, w, bias, h0, c0, out, acts, hPrev, cPrev, tanhC, B, H, T, reverse, approximate) {
      const o = [stage(x, false), stage(w, false), bias === null ? 0 : stage(bias, false), stage(h0, false), stage(c0, false), stage(out, false), stage(acts, false), stage(hPrev, false), stage(cPrev, false), stage(tanhC, false)];
      exactPairs += rnnRun('lstmForward', o, (t, rows) => rnnScratch(t, rows, H, 4), B, [H, T, reverse ? 1 : 0, approximate ? 1 : 0]);
      finish([null, null, null, null, null, out, acts, hPrev, cPrev, tanhC], o);
    },
    lstmBackward(gOut, w, acts, cPrev, tanhC, dGates, dh, dc, B, H, T, reverse) {
      // each thread's dL/dh_{t-1} rows alternate with its rows of dh in one [B, H] block: thread 0's products block
      // ("pre", B x 4H floats, room for B x H)
      const dhNext = rnnScratch(0, B, H, 4)[2];
      const o = [stage(gOut, false), stage(w, false), stage(acts, false), stage(cPrev, false), stage(tanhC, false), stage(dGates, false), stage(dh, false), stage(dc, false)];
      rnnRun('lstmBackward', [...o, dhNext], (t, rows) => rnnScratch(t, rows, H, 4).slice(0, 2), B, [H, T, reverse ? 1 : 0]);
      finish([null, null, null, null, null, dGates, dh, dc], o);
    },
    gruForward(x, w, bias, h0, out, acts, hid, hPrev, B, H, T, reverse, approximate) {
      const o = [stage(x, false), stage(w, false), bias === null ? 0 : stage(bias, false), stage(h0, false), stage(out, false), stage(acts, false), stage(hid, false), stage(hPrev, false)];
      exactPairs += rnnRun('gruForward', o, (t, rows) => rnnScratch(t, rows, H, 3).slice(0, 2), B, [H, T, reverse ? 1 : 0, approximate ? 1 : 0]);
      finish([null, null, null, null, out, acts, hid, hPrev], o);
    },
    gruBackward(gOut, w, acts, hid, hPrev, dX, dA, dh, B, H, T, reverse) {
      const dhNext = rnnScratch(0, B, H, 3)[2];
      const o = [stage(gOut, false), stage(w, false), stage(acts, false), stage(hid, false), stage(hPrev, false), stage(dX, false), stage(dA, false), stage(dh, false)];
      rnnRun('gruBackward', [...o, dhNext], (t, rows) => rnnScratch(t, rows, H, 3).slice(0, 2), B, [H, T, reverse ? 1 : 0]);
      finish([null, null, null, null, null, dX, dA, dh], o);
    },
  };

  const kernels: FastKernels = {
    recurrent,
    resident(a) {
      if (arena.blockOf(a) >= 0 || !shared) return a;
      const r = arena.tryAllocate(a.length);
      // the memory is full: keep the ordinary array (the kernels copy it in and out), and make no array to discard
      if (r === null) return a;
      r.set(a);
      return r;
    },
    // The optimizer step's kernels, on this thread whatever the array's length (see SPLIT_KERNELS)
    sgd(θ, g, b, η, λ, μ, oneMinusτ, first, nesterov, maximize) {
      const o = [stage(θ, true), stage(g, true), opt(b)];
      k.sgd(o[0], o[1], o[2], θ.length, η, λ, μ, oneMinusτ, first ? 1 : 0, nesterov ? 1 : 0, maximize ? 1 : 0);
      finish([θ, null, b], o);
    },
    adam(θ, g, m, v, vMax, b1, b2, c1, c2, ε, λ, stepSize, bc2Sqrt, decay, maximize) {
      const o = [stage(θ, true), stage(g, true), stage(m, true), stage(v, true), opt(vMax)];
      k.adam(o[0], o[1], o[2], o[3], o[4], θ.length, b1, b2, c1, c2, ε, λ, stepSize, bc2Sqrt, decay, maximize ? 1 : 0);
      finish([θ, null, m, v, vMax], o);
    },
    rmsprop(θ, g, v, gBar, b, η, α, oneMinusα, ε, λ, μ, maximize) {
      const o = [stage(θ, true), stage(g, true), stage(v, true), opt(gBar), opt(b)];
      k.rmsprop(o[0], o[1], o[2], o[3], o[4], θ.length, η, α, oneMinusα, ε, λ, μ, maximize ? 1 : 0);
      finish([θ, null, v, gBar, b], o);
    },
    adagrad(θ, g, G, ηt, λ, ε, maximize) {
      const o = [stage(θ, true), stage(g, true), stage(G, true)];
      k.adagrad(o[0], o[1], o[2], θ.length, ηt, λ, ε, maximize ? 1 : 0);
      finish([θ, null, G], o);
    },
    adadelta(θ, g, v, u, η, ρ, oneMinusρ, ε, λ, maximize) {
      const o = [stage(θ, true), stage(g, true), stage(v, true), stage(u, true)];
      k.adadelta(o[0], o[1], o[2], o[3], θ.length, η, ρ, oneMinusρ, ε, λ, maximize ? 1 : 0);
      finish([θ, null, v, u], o);
    },
    nadam(θ, g, m, v, b1, b2, c1, c2, ε, λ, stepG, stepM, bc2Sqrt) {
      const o = [stage(θ, true), stage(g, true), stage(m, true), stage(v, true)];
      k.nadam(o[0], o[1], o[2], o[3], θ.length, b1, b2, c1, c2, ε, λ, stepG, stepM, bc2Sqrt);
      finish([θ, null, m, v], o);
    },
    radam(θ, g, m, v, b1, b2, c1, c2, ε, λ, η, bc1, bc2Sqrt, rt, rectified) {
      const o = [stage(θ, true), stage(g, true), stage(m, true), stage(v, true)];
      k.radam(o[0], o[1], o[2], o[3], θ.length, b1, b2, c1, c2, ε, λ, η, bc1, bc2Sqrt, rt, rectified ? 1 : 0);
      finish([θ, null, m, v], o);
    },
    adamax(θ, g, m, u, b1, b2, c1, ε, λ, stepSize, maximize) {
      const o = [stage(θ, true), stage(g, true), stage(m, true), stage(u, true)];
      k.adamax(o[0], o[1], o[2], o[3], θ.length, b1, b2, c1, ε, λ, stepSize, maximize ? 1 : 0);
      finish([θ, null, m, u], o);
    },
    biasRelu(y, b, n, m, relu) {
      const o = [stage(y, false), b === null ? 0 : stage(b, false)];
      k.biasRelu(o[0], o[1], n, m, relu ? 1 : 0);
      finish([y, null], o);
    },
    activationBackward(activation, y, g, d, db, n, m) {
      const o = [stage(y, false), stage(g, false), stage(d, false), db === null ? 0 : stage(db, false)];
      const kernel = activation === 'relu' ? k.reluBackwardSums : activation === 'tanh' ? k.tanhBackwardSums : k.sigmoidBackwardSums;
      kernel(o[0], o[1], o[2], o[3], n, m);
      finish([null, null, d, db], o);
    },
    columnSums(g, db, n, m) {
      const o = [stage(g, false), stage(db, false)];
      k.columnSums(o[0], o[1], n, m);
      finish([null, db], o);
    },
    addInto(acc, x) {
      const o = [stage(acc, false), stage(x, false)];
      k.addInto(o[0], o[1], acc.length);
      finish([acc, null], o);
    },
    allFinite(x) {
      const o = [stage(x, false)];
      const ok = k.allFinite(o[0], x.length) === 1;
      finish([null], o);
      return ok;
    },
    maxAbs(arrays) {
      const n = arrays[0].length;
      let m = 0;
      for (let i = 0; i < arrays.length; i += 4) {
        const o = [0, 0, 0, 0];
        for (let j = 0; j < 4 && i + j < arrays.length; j++) {
          if (arrays[i + j].length !== n) throw new RangeError(`maxAbs: expected arrays of one length, got ${arrays[i + j].length} and ${n}`);
          o[j] = stage(arrays[i + j], false);
        }
        const a = k.maxAbs(o[0], o[1], o[2], o[3], n);
        finish([], o);
        // NaN from any call wins, as in one pass
        m = m !== m || a !== a ? NaN : Math.max(m, a);
      }
      return m;
    },
    ...convKernels,
  };

  return {
    name: options.name ?? 'wasm',
    threads,
    parallelThreshold,
    relaxedSimd: relaxed,
    kernels,
    arena,
    allocate: (n, zero) => (shared ? arena.allocate(n, zero) : new Float32Array(n)),
    release: (a) => arena.freeView(a),
    matmul(a, b, out, m, kk, n, transA, transB) {
      // an empty sum: the tiles would write nothing, and `out` is overwritten whatever it held
      if (kk === 0) {
        out.fill(0, 0, m * n);
        return;
      }
      const mp = Math.ceil(m / 4) * 4, np = Math.ceil(n / 8) * 8;
      // the packed panels live in one block kept between calls, grown when a larger product comes
      if (mp * kk + kk * np > packFloats) {
        if (packOffset >= 0) arena.release(packOffset);
        packFloats = mp * kk + kk * np;
        packOffset = arena.take(packFloats);
        if (packOffset < 0) throw new RangeError(`wasm backend: expected room for ${packFloats} floats in its memory, got none (at most 1 GiB)`);
      }
      const offAp = packOffset, offBp = packOffset + mp * kk * 4;
      const o = [stage(m * kk === a.length ? a : a.subarray(0, m * kk), false), stage(kk * n === b.length ? b : b.subarray(0, kk * n), false), stage(out.length === m * n ? out : out.subarray(0, m * n), false)];
      k.packA(o[0], offAp, m, kk, transA ? 1 : 0);
      const panels = np / 8;
      const splittable = workers.length > 0 && m * n * kk >= parallelThreshold && panels >= 2 && workers[0].ready();
      const key = splittable ? `matmul ${m} ${kk} ${n} ${transA ? 1 : 0}${transB ? 1 : 0}` : '', t0 = splittable ? performance.now() : 0;
      const twoThreads = splittable && policy.split(key);
      if (twoThreads) {
        // this thread packs and multiplies the first share of the column panels, the worker the rest
        const split = Math.ceil(panels / 2);
        ctl.set([offAp, offBp, o[2], m, kk, n, split, panels], 2);
        ctl[11] = o[1];
        ctl[12] = transB ? 1 : 0;
        start(0);
        k.packB(o[1], offBp, kk, n, transB ? 1 : 0, 0, split);
        k.tiles(offAp, offBp, o[2], m, kk, n, 0, split);
        waitWhile(ctl, 10, 0);
      } else {
        k.packB(o[1], offBp, kk, n, transB ? 1 : 0, 0, panels);
        k.tiles(offAp, offBp, o[2], m, kk, n, 0, panels);
      }
      if (splittable) policy.note(key, twoThreads, performance.now() - t0);
      finish([null, null, out.length === m * n ? out : out.subarray(0, m * n)], o);
    },
    threadsReady() {
      return 1 + workers.filter((w) => w.ready()).length;
    },
    get recurrentExactPairs() {
      return exactPairs;
    },
    dispose() {
      ctl[1] = -1;
      Atomics.add(ctl, 0, 1);
      Atomics.notify(ctl, 0);
      for (const w of workers) w.terminate();
      workers.length = 0;
    },
  };
}

registerBackendFactory('wasm', () => createWasmBackend());
