import { checkFunction, checkInteger } from '../format/check.js';
/**
 * Buffer reuse for training loops. Ops take their output and gradient buffers from `alloc`; inside
 * `reuseBuffers(fn)`, every buffer allocated is handed back when `fn` returns and given out again, zeroed, to the
 * next request of the same length. A training step repeats the same shapes, so after its first step a loop wrapped
 * in `reuseBuffers` creates no new typed arrays. Outside any `reuseBuffers`, `alloc` is just `new Float32Array`.
 *
 * The rule that makes it safe: tensors made inside `fn` must not be used after it returns (read what you need, such
 * as `loss.item()`, inside). A tensor `fn` returns is kept: its buffer is not recycled.
 *
 * Float32 buffers come from the active backend's storage when it has one (the wasm backend's memory, where its
 * kernels use them in place), else they are ordinary Float32Arrays.
 */
import { getBackend, type Backend } from './backends/backend.js';

type Typed = Float32Array | Float64Array | Int32Array;

type Pool = Map<number, Typed[]>;

const free = {
  f64: new Map<number, Float64Array[]>(),
  i32: new Map<number, Int32Array[]>(),
};
// float32 buffers by the storage they live in: ordinary arrays (null), or each backend with storage of its own, so a
// buffer made on one backend is not handed to another whose kernels would have to copy it at every use
const f32 = new Map<Backend | null, Map<number, Float32Array[]>>();
const scopes: { buf: Typed; pool: Pool }[][] = [];
let reused = 0;
let created = 0;

// Outside reuseBuffers, on a backend that can take storage back early (`Backend.release`): the float32 buffers
// `alloc` handed out since the last `takeAllocated()`. `record` gives them to the op that allocated them, and
// `backward` takes those allocated during it, so that the storage of a graph it consumed comes back at once.
let allocated: Float32Array[] = [];
/** Buffers of the reuseBuffers pool (the pool recycles them; never released otherwise). */
const pooled = new WeakSet<Typed>();
/** Buffers shared outside the tensors that own them (`toNdarray`): never released early. */
const shared = new WeakSet<Float32Array>();

function take<T extends Typed>(pool: Map<number, T[]>, n: number, make: (n: number) => T, zero = true): T {
  if (scopes.length === 0) return make(n);
  let buf = pool.get(n)?.pop();
  if (buf === undefined) {
    buf = make(n);
    pooled.add(buf);
    created++;
  } else {
    if (zero) buf.fill(0);
    reused++;
  }
  scopes[scopes.length - 1].push({ buf, pool: pool as Pool });
  return buf;
}

function f32Pool(): Map<number, Float32Array[]> {
  const backend = getBackend();
  const key = backend.allocate === undefined ? null : backend;
  let pool = f32.get(key);
  if (pool === undefined) f32.set(key, (pool = new Map()));
  return pool;
}

/** A zeroed Float32Array of length n in the active backend's storage (not pooled): a tensor's own buffer. */
export function allocStorage(n: number, zero = true): Float32Array {
  const backend = getBackend();
  return backend.allocate === undefined ? new Float32Array(n) : backend.allocate(n, zero);
}

/**
 * A zeroed Float32Array of length n (from the pool inside `reuseBuffers`): the buffers of ops. Outside
 * reuseBuffers, on a backend with `release`, a buffer belongs to the next op that records its output, and goes back
 * to the backend when `backward()` consumes that op's graph: make arrays of your own with `new Float32Array`.
 */
export function alloc(n: number): Float32Array {
  checkInteger('alloc', 'n', n, 0, 2 ** 31 - 1);
  return opBuffer(n, true);
}

function opBuffer(n: number, zero: boolean): Float32Array {
  if (scopes.length > 0) return take(f32Pool(), n, allocStorage, zero);
  const buf = allocStorage(n, zero);
  if (getBackend().release !== undefined) {
    // a list nobody takes (alloc called outside ops) must not keep its buffers from the garbage collector
    if (allocated.length >= 4096) allocated = [];
    allocated.push(buf);
  }
  return buf;
}

/**
 * As `alloc`, for an op whose kernel writes every element before anything reads it: a buffer handed out again (by
 * the pool, or by a backend that keeps its blocks) is not zeroed first (the recurrent kernels' outputs and saved
 * activations, megabytes a step).
 */
export function allocOverwritten(n: number): Float32Array {
  return opBuffer(n, false);
}

/**
 * Gives `buf` back to the backend now, outside reuseBuffers, on a backend with `release`, and takes it off the
 * list of buffers the next recorded op would own (it must not be given back twice). Whether it went back.
 */
export function giveBack(buf: Float32Array): boolean {
  const backend = getBackend();
  if (scopes.length > 0 || backend.release === undefined || !releasable(buf)) return false;
  const at = allocated.lastIndexOf(buf);
  if (at >= 0) allocated.splice(at, 1);
  return backend.release(buf);
}

/**
 * Gives back at once buffers an op allocated for its backward when no graph records the op (under noGrad, or with
 * no input that needs a gradient): nothing else would, before the garbage collector (an LSTM's saved gates in a
 * loop of predictions).
 */
export function discard(bufs: readonly Float32Array[]): void {
  for (const b of bufs) giveBack(b);
}

/** The buffers `alloc` handed out outside reuseBuffers since the last call (see `Backend.release`). */
export function takeAllocated(): Float32Array[] {
  if (allocated.length === 0) return allocated;
  const taken = allocated;
  allocated = [];
  return taken;
}

/** Whether a reuseBuffers scope is running (its buffers go back to the pool when it ends). */
export function inReuseScope(): boolean {
  return scopes.length > 0;
}

/** Marks a buffer shared outside its tensors (an ndarray over it): its storage is never given back early. */
export function markShared(a: Float32Array): void {
  shared.add(a);
}

/** Whether a buffer may be given back early: neither the pool's nor shared beyond its tensors. */
export function releasable(a: Float32Array): boolean {
  return !pooled.has(a) && !shared.has(a);
}

/** A zeroed Float64Array of length n (accumulators of reductions). */
export function alloc64(n: number): Float64Array {
  return take(free.f64, n, (k) => new Float64Array(k));
}

/** A zeroed Int32Array of length n (argmax indices). */
export function allocInt32(n: number): Int32Array {
  return take(free.i32, n, (k) => new Int32Array(k));
}

/**
 * Runs `fn` and recycles every buffer ops allocated during it (except a tensor's buffer, or a buffer, that `fn`
 * returns).
 * Scopes nest: an inner scope recycles its own buffers when it ends.
 */
export function reuseBuffers<T>(fn: () => T): T {
  checkFunction('reuseBuffers', 'its argument', fn);
  const mine: { buf: Typed; pool: Pool }[] = [];
  scopes.push(mine);
  let result: T;
  try {
    result = fn();
  } finally {
    scopes.pop();
  }
  const keep = ArrayBuffer.isView(result) ? result : (result as { data?: unknown } | undefined)?.data;
  for (const entry of mine) {
    const { buf, pool } = entry;
    if (buf === keep) {
      // returned to the caller: it belongs to the enclosing scope now, if there is one
      scopes[scopes.length - 1]?.push(entry);
      continue;
    }
    let list = pool.get(buf.length);
    if (list === undefined) pool.set(buf.length, (list = []));
    list.push(buf);
  }
  return result;
}

/** Counters of the pool since the process started: buffers created inside scopes, and buffers reused. */
export function poolStats(): { created: number; reused: number; pooled: number } {
  let pooled = 0;
  for (const pool of [...Object.values(free), ...f32.values()]) for (const list of (pool as Pool).values()) pooled += list.length;
  return { created, reused, pooled };
}
