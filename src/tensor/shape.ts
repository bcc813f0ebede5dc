import { describe } from '../format/number.js';
/** A tensor's shape: one length per dimension, outermost first (row-major). */
export type Shape = readonly number[];

/** Number of elements of a tensor of this shape (1 for a scalar `[]`). */
export function sizeOf(shape: Shape): number {
  checkShape('sizeOf', shape);
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

/** Row-major strides: how far apart in the flat buffer two neighbours along each dimension lie. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/** `[2,3]` as it appears in error messages. */
export function formatShape(shape: Shape): string {
  if (!Array.isArray(shape)) return describe(shape);
  return `[${shape.join(',')}]`;
}

/** Whether two shapes are equal. */
export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Checks that every length is a non-negative integer; `op` names the caller in the error. */
export function checkShape(op: string, shape: Shape): void {
  if (!Array.isArray(shape)) throw new TypeError(`${op}: expected a shape (array of integers), got ${String(shape)}`);
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new RangeError(`${op}: expected a shape of non-negative integers, got ${formatShape(shape)}`);
    }
  }
  const size = shape.reduce((n, d) => n * d, 1);
  if (size > 2 ** 31 - 1) throw new RangeError(`${op}: expected at most 2147483647 elements (a Float32Array's limit), got shape ${formatShape(shape)}`);
}

/** Resolves a possibly negative dimension index (`-1` is the last) and checks its range. */
export function normalizeDim(op: string, dim: number, ndim: number): number {
  if (!Number.isInteger(dim)) throw new TypeError(`${op}: expected an integer dim, got ${dim}`);
  const d = dim < 0 ? dim + ndim : dim;
  if (d < 0 || d >= ndim) {
    throw new RangeError(`${op}: dim ${dim} is out of range for a tensor with ${ndim} dimension(s)`);
  }
  return d;
}

/**
 * The NumPy broadcast of two shapes: align on the right; each pair of lengths must be equal or contain a 1.
 * Throws `op: cannot broadcast [2,3] with [4]` otherwise.
 */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  if (typeof op !== 'string') throw new TypeError(`broadcastShapes: expected the op's name first, got ${describe(op)}`);
  checkShape(op, a);
  checkShape(op, b);
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da !== db && da !== 1 && db !== 1) {
      throw new RangeError(`${op}: cannot broadcast ${formatShape(a)} with ${formatShape(b)}`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * For every element of a tensor of shape `outShape`, the flat index of the element of a tensor of shape `inShape`
 * that broadcasts onto it; `null` when the shapes are equal (the identity map). The same map sums a gradient back
 * onto the smaller shape: `gIn[map[i]] += gOut[i]`.
 */
export function broadcastIndex(inShape: Shape, outShape: Shape): Int32Array | null {
  if (sameShape(inShape, outShape)) return null;
  const offset = outShape.length - inShape.length;
  const inStrides = stridesOf(inShape);
  // stride 0 along broadcast dimensions: every output position there reads the same input element
  const strides = outShape.map((_, i) => (i < offset || inShape[i - offset] === 1 ? 0 : inStrides[i - offset]));
  return stridedOffsets(outShape, strides, new Int32Array(sizeOf(outShape)));
}

/**
 * For every element of a tensor of shape `outShape`, in row-major order, the flat offset sum_d index_d * strides_d
 * in another buffer (written into `into`). Broadcasting (stride 0) and transposition (permuted strides) are both
 * such walks.
 */
export function stridedOffsets(outShape: Shape, strides: readonly number[], into: Int32Array): Int32Array {
  const counter = new Array<number>(outShape.length).fill(0);
  let idx = 0;
  for (let i = 0; i < into.length; i++) {
    into[i] = idx;
    for (let d = outShape.length - 1; d >= 0; d--) {
      counter[d]++;
      idx += strides[d];
      if (counter[d] < outShape[d]) break;
      idx -= strides[d] * outShape[d];
      counter[d] = 0;
    }
  }
  return into;
}
