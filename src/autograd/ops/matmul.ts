import type { Tensor } from '../../tensor/tensor.js';
import { broadcastShapes, formatShape, sizeOf } from '../../tensor/shape.js';
import { getBackend } from '../../tensor/backends/backend.js';
import '../../tensor/backends/cpu.js';
import '../../tensor/backends/gpujs.js';
import '../../tensor/backends/fast/wasm.js';
import { alloc, allocOverwritten } from '../../tensor/pool.js';
import { record } from '../engine.js';
import { expectTensor, indexMap } from './broadcast.js';
import { reshape } from './view.js';

/**
 * Matrix product with `torch.matmul`'s rules: (m x k)(k x n) -> (m x n) through the active backend; a 1-D operand
 * is a row (left) or a column (right) vector whose dimension is dropped from the result; leading dimensions are
 * batch dimensions, broadcast with NumPy rules. Backward: dA = dC · Bᵀ and dB = Aᵀ · dC through the backend's
 * transposed variants (no copies), summed over broadcast batches.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  const x = expectTensor('matmul', a, 'the left operand'), y = expectTensor('matmul', b, 'the right operand');
  if (x.ndim === 0 || y.ndim === 0) throw new RangeError(`matmul: expected tensors with at least 1 dimension, got ${formatShape(x.shape)} and ${formatShape(y.shape)}`);
  if (x.ndim === 1 || y.ndim === 1) {
    // vectors become 1-row or 1-column matrices, and that dimension is dropped from the result
    const xm = x.ndim === 1 ? reshape(x, [1, x.shape[0]]) : x;
    const ym = y.ndim === 1 ? reshape(y, [y.shape[0], 1]) : y;
    const out = matmul(xm, ym);
    const shape = [...out.shape];
    if (y.ndim === 1) shape.splice(shape.length - 1, 1);
    if (x.ndim === 1) shape.splice(shape.length - (y.ndim === 1 ? 1 : 2), 1);
    return reshape(out, shape);
  }
  const [m, k] = x.shape.slice(-2), [k2, n] = y.shape.slice(-2);
  if (k !== k2) {
    throw new RangeError(`matmul: inner dimensions must agree, got ${formatShape(x.shape)} and ${formatShape(y.shape)} (${k} != ${k2})`);
  }
  const xBatch = x.shape.slice(0, -2), yBatch = y.shape.slice(0, -2);
  const batch = broadcastShapes('matmul', xBatch, yBatch);
  const count = sizeOf(batch);
  // which matrix of each operand every output matrix uses (null: the identity)
  const xi = indexMap(xBatch, batch), yi = indexMap(yBatch, batch);
  const backend = getBackend();
  // (each product overwrites its share of the output: a buffer handed out again need not be zeroed first)
  const out = allocOverwritten(count * m * n);
  const X = x.data, Y = y.data;
  for (let q = 0; q < count; q++) {
    const xo = (xi === null ? q : xi[q]) * m * k, yo = (yi === null ? q : yi[q]) * k * n;
    backend.matmul(count === 1 ? X : X.subarray(xo, xo + m * k), count === 1 ? Y : Y.subarray(yo, yo + k * n), count === 1 ? out : out.subarray(q * m * n, (q + 1) * m * n), m, k, n, false, false);
  }
  return record('matmul', out, [...batch, m, n], [x, y], (g) => {
    let ga: Float32Array | null = null, gb: Float32Array | null = null;
    if (count === 1) {
      if (x.requiresGrad) backend.matmul(g, Y, (ga = allocOverwritten(m * k)), m, n, k, false, true); // (m x n)(n x k)
      if (y.requiresGrad) backend.matmul(X, g, (gb = allocOverwritten(k * n)), k, m, n, true, false); // (k x m)(m x n)
      return [ga, gb];
    }
    // per output matrix, added into the operand matrix it came from (broadcast batches receive several)
    const tmpA = x.requiresGrad ? allocOverwritten(m * k) : null, tmpB = y.requiresGrad ? allocOverwritten(k * n) : null;
    if (tmpA) ga = alloc(X.length);
    if (tmpB) gb = alloc(Y.length);
    for (let q = 0; q < count; q++) {
      const gq = g.subarray(q * m * n, (q + 1) * m * n);
      const xo = (xi === null ? q : xi[q]) * m * k, yo = (yi === null ? q : yi[q]) * k * n;
      if (tmpA && ga) {
        backend.matmul(gq, Y.subarray(yo, yo + k * n), tmpA, m, n, k, false, true);
        for (let i = 0; i < tmpA.length; i++) ga[xo + i] += tmpA[i];
      }
      if (tmpB && gb) {
        backend.matmul(X.subarray(xo, xo + m * k), gq, tmpB, k, m, n, true, false);
        for (let i = 0; i < tmpB.length; i++) gb[yo + i] += tmpB[i];
      }
    }
    return [ga, gb];
  });
}

