import type { Tensor } from '../../tensor/tensor.js';
import { broadcastShapes, checkShape, formatShape, normalizeDim, sameShape, sizeOf, stridesOf, stridedOffsets, type Shape } from '../../tensor/shape.js';
import { record } from '../engine.js';
import { expectTensor, indexMap, reduceTo } from './broadcast.js';
import { alloc, allocInt32 } from '../../tensor/pool.js';

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
  const perm = permutation(x.shape, d0, d1);
  const X = x.data, y = alloc(X.length);
  for (let i = 0; i < y.length; i++) y[i] = X[perm[i]];
  // the transpose of a transpose is the identity: route each gradient back to where its value came from
  return record('transpose', y, shape, [x], (g) => {
    const d = alloc(g.length);
    for (let i = 0; i < g.length; i++) d[perm[i]] = g[i];
    return [d];
  });
}

/** For each element of the transposed tensor, the flat index it is read from in the original. */
function permutation(shape: Shape, d0: number, d1: number): Int32Array {
  const inStrides = stridesOf(shape);
  const outShape = [...shape];
  outShape[d0] = shape[d1];
  outShape[d1] = shape[d0];
  const strides = [...inStrides];
  strides[d0] = inStrides[d1];
  strides[d1] = inStrides[d0];
  return stridedOffsets(outShape, strides, allocInt32(sizeOf(shape)));
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
