import { Tensor, type TensorLike } from '../../tensor/tensor.js';
import { broadcastIndex, broadcastShapes, sizeOf, type Shape } from '../../tensor/shape.js';
import { alloc } from '../../tensor/pool.js';

/** Accepts a Tensor or a number (a 0-d constant); anything else is a TypeError naming `op`. */
export function toTensor(op: string, x: TensorLike): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x === 'number') {
    const data = alloc(1);
    data[0] = x;
    return new Tensor(data, []);
  }
  throw new TypeError(`${op}: expected a Tensor or a number, got ${describe(x)}`);
}

/** Checks that `x` is a Tensor (ops that take no numbers). */
export function expectTensor(op: string, x: unknown, what = 'input'): Tensor {
  if (x instanceof Tensor) return x;
  throw new TypeError(`${op}: expected ${what} to be a Tensor, got ${describe(x)}`);
}

/** A short description of a value of the wrong kind, for error messages. */
export function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'object') return (x as object).constructor?.name ?? 'an object';
  return `${typeof x} ${String(x)}`;
}

// Index maps depend only on the pair of shapes, so training loops that repeat shapes build each map once.
const mapCache = new Map<string, Int32Array | null>();
const MAX_CACHED = 512;

/** `broadcastIndex`, cached per pair of shapes. */
export function indexMap(inShape: Shape, outShape: Shape): Int32Array | null {
  const key = `${inShape.join(',')}|${outShape.join(',')}`;
  let map = mapCache.get(key);
  if (map === undefined) {
    map = broadcastIndex(inShape, outShape);
    if (mapCache.size >= MAX_CACHED) mapCache.clear();
    mapCache.set(key, map);
  }
  return map;
}

/** How two operands of an elementwise op line up: the output shape and each operand's index map. */
export interface BroadcastPlan {
  shape: number[];
  size: number;
  a: Int32Array | null;
  b: Int32Array | null;
}

/** The broadcast plan of two operand shapes (throws `op: cannot broadcast ...`). */
export function plan(op: string, a: Shape, b: Shape): BroadcastPlan {
  const shape = broadcastShapes(op, a, b);
  return { shape, size: sizeOf(shape), a: indexMap(a, shape), b: indexMap(b, shape) };
}

/**
 * Sums a gradient over the dimensions an operand was broadcast along, back to the operand's `size` elements:
 * the chain rule for a value that was used many times. With the identity map the gradient passes through.
 */
export function reduceTo(g: Float32Array, map: Int32Array | null, size: number): Float32Array {
  if (map === null) return g;
  const out = alloc(size);
  for (let i = 0; i < g.length; i++) out[map[i]] += g[i];
  return out;
}
