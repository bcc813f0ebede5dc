import type { Tensor } from '../../tensor/tensor.js';
import { broadcastShapes, checkShape, formatShape, normalizeDim, sameShape, sizeOf, type Shape } from '../../tensor/shape.js';
import { record } from '../engine.js';
import { expectTensor, indexMap, reduceTo } from './broadcast.js';
import { alloc } from '../../tensor/pool.js';

/** Same values in a new shape; one length may be -1 (inferred). */
export function reshape(a: Tensor, shape: Shape): Tensor {
  const x = expectTensor('reshape', a);
  const target = [...shape];
  const free = target.indexOf(-1);
  if (free !== -1 && target.indexOf(-1, free + 1) === -1) {
    const rest = sizeOf(target.filter((_, i) => i !== free));
    if (rest === 0 || x.size % rest !== 0) {
      throw new RangeError(`reshape: cannot reshape ${formatShape(x.shape)} into ${formatShape(shape)}`);
    }
    target[free] = x.size / rest;
  }
  checkShape('reshape', target);
  if (sizeOf(target) !== x.size) {
    throw new RangeError(`reshape: cannot reshape ${formatShape(x.shape)} (${x.size} values) into ${formatShape(shape)}`);
  }
  // row-major order is unchanged, so values and gradient pass through as they are
  return record('reshape', x.data, target, [x], (g) => [g]);
}

/** Swaps two dimensions (copying into row-major order). */
export function transpose(a: Tensor, dim0 = -2, dim1 = -1): Tensor {
  const x = expectTensor('transpose', a);
  if (x.ndim < 2 && dim0 === -2 && dim1 === -1) return reshape(x, x.shape);
  const d0 = normalizeDim('transpose', dim0, x.ndim), d1 = normalizeDim('transpose', dim1, x.ndim);
  const shape = [...x.shape];
  shape[d0] = x.shape[d1];
  shape[d1] = x.shape[d0];
  const X = x.data, y = alloc(X.length);
  // [outer, a, mid, b, inner] -> [outer, b, mid, a, inner]: rows of `inner` values move whole (a recurrent layer's
  // [seq, batch, features] <-> [batch, seq, features] copies rows of features)
  const lo = Math.min(d0, d1), hi = Math.max(d0, d1), dims = [1, x.shape[lo], 1, x.shape[hi], 1];
  x.shape.forEach((n, i) => { if (i < lo) dims[0] *= n; else if (i > lo && i < hi) dims[2] *= n; else if (i > hi) dims[4] *= n; });
  if (lo !== hi) swapBlocks(X, y, dims, false);
  else y.set(X);
  // the transpose of a transpose is the identity: route each gradient back to where its value came from
  return record('transpose', y, shape, [x], (g) => {
    const d = alloc(g.length);
    if (lo !== hi) swapBlocks(g, d, dims, true);
    else d.set(g);
    return [d];
  });
}

/** Copies src [outer, a, mid, b, inner] to dst [outer, b, mid, a, inner] (or back, with `inverse`), row by row. */
function swapBlocks(src: Float32Array, dst: Float32Array, [outer, a, mid, b, inner]: number[], inverse: boolean): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < a; i++) {
      for (let m = 0; m < mid; m++) {
        for (let j = 0; j < b; j++) {
          const at = (((o * a + i) * mid + m) * b + j) * inner, to = (((o * b + j) * mid + m) * a + i) * inner;
          if (inverse) for (let r = 0; r < inner; r++) dst[at + r] = src[to + r];
          else for (let r = 0; r < inner; r++) dst[to + r] = src[at + r];
        }
      }
    }
  }
}

/** Broadcasts to a larger shape with NumPy rules (`torch.Tensor.expand`, copying). */
export function expand(a: Tensor, shape: Shape): Tensor {
  const x = expectTensor('expand', a);
  checkShape('expand', shape);
  const target = broadcastShapes('expand', x.shape, shape);
  if (!sameShape(target, shape)) {
    throw new RangeError(`expand: cannot broadcast ${formatShape(x.shape)} to ${formatShape(shape)}`);
  }
  const map = indexMap(x.shape, target), X = x.data;
  if (map === null) return reshape(x, target);
  const y = alloc(map.length);
  for (let i = 0; i < y.length; i++) y[i] = X[map[i]];
  // each input element was copied to many places: its gradient is the sum over them
  return record('expand', y, target, [x], (g) => [reduceTo(g, map, X.length)]);
}

/** Inserts a length-1 dimension at `dim`. */
export function unsqueeze(a: Tensor, dim: number): Tensor {
  const x = expectTensor('unsqueeze', a);
  const d = normalizeDim('unsqueeze', dim, x.ndim + 1);
  const shape = [...x.shape];
  shape.splice(d, 0, 1);
  return reshape(x, shape);
}
