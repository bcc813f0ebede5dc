import { checkFunction, checkInteger } from '../format/check.js';
/**
 * Buffer reuse for training loops. Ops take their output and gradient buffers from `alloc`; inside
 * `reuseBuffers(fn)`, every buffer allocated is handed back when `fn` returns and given out again, zeroed, to the
 * next request of the same length. A training step repeats the same shapes, so after its first step a loop wrapped
 * in `reuseBuffers` creates no new typed arrays. Outside any `reuseBuffers`, `alloc` is just `new Float32Array`.
 *
 * The rule that makes it safe: tensors made inside `fn` must not be used after it returns (read what you need, such
 * as `loss.item()`, inside). A tensor `fn` returns is kept: its buffer is not recycled.
 */

type Typed = Float32Array | Float64Array | Int32Array;

const free = {
  f32: new Map<number, Float32Array[]>(),
  f64: new Map<number, Float64Array[]>(),
  i32: new Map<number, Int32Array[]>(),
};
const scopes: Typed[][] = [];
let reused = 0;
let created = 0;

function take<T extends Typed>(pool: Map<number, T[]>, n: number, make: (n: number) => T): T {
  if (scopes.length === 0) return make(n);
  let buf = pool.get(n)?.pop();
  if (buf === undefined) {
    buf = make(n);
    created++;
  } else {
    buf.fill(0);
    reused++;
  }
  scopes[scopes.length - 1].push(buf);
  return buf;
}

/** A zeroed Float32Array of length n (from the pool inside `reuseBuffers`). */
export function alloc(n: number): Float32Array {
  checkInteger('alloc', 'n', n, 0, 2 ** 31 - 1);
  return take(free.f32, n, (k) => new Float32Array(k));
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
  const mine: Typed[] = [];
  scopes.push(mine);
  let result: T;
  try {
    result = fn();
  } finally {
    scopes.pop();
  }
  const keep = ArrayBuffer.isView(result) ? result : (result as { data?: unknown } | undefined)?.data;
  for (const buf of mine) {
    if (buf === keep) {
      // returned to the caller: it belongs to the enclosing scope now, if there is one
      scopes[scopes.length - 1]?.push(buf);
      continue;
    }
    const pool = (buf instanceof Float32Array ? free.f32 : buf instanceof Float64Array ? free.f64 : free.i32) as Map<number, Typed[]>;
    let list = pool.get(buf.length);
    if (list === undefined) pool.set(buf.length, (list = []));
    list.push(buf);
  }
  return result;
}

/** Counters of the pool since the process started: buffers created inside scopes, and buffers reused. */
export function poolStats(): { created: number; reused: number; pooled: number } {
  let pooled = 0;
  for (const pool of Object.values(free)) for (const list of pool.values()) pooled += list.length;
  return { created, reused, pooled };
}
