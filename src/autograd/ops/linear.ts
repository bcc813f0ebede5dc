import type { Tensor } from '../../tensor/tensor.js';
import { formatShape } from '../../tensor/shape.js';
import { getBackend } from '../../tensor/backends/backend.js';
import { alloc } from '../../tensor/pool.js';
import { record } from '../engine.js';
import { expectTensor } from './broadcast.js';

/**
 * y = x Wᵀ + b for x [N, in], W [out, in], b [out]: `torch.nn.functional.linear`, fused. It equals
 * `add(matmul(x, transpose(W)), b)` (a test checks both), but reads W transposed in place instead of copying it and
 * adds the bias in the same pass, which the benchmarks show pays at the built-in model's shapes.
 * Backward: dx = g W, dW = gᵀ x (both through the backend, no copies), db = column sums of g.
 */
export function linear(input: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  const x = expectTensor('linear', input, 'input'), w = expectTensor('linear', weight, 'weight');
  if (x.ndim !== 2 || w.ndim !== 2 || x.shape[1] !== w.shape[1]) {
    throw new RangeError(`linear: expected input [N, in] and weight [out, in] with the same in, got ${formatShape(x.shape)} and ${formatShape(w.shape)}`);
  }
  const [n, k] = x.shape, m = w.shape[0];
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== m)) {
    throw new RangeError(`linear: expected bias of shape [${m}], got ${formatShape(bias.shape)}`);
  }
  const backend = getBackend();
  const y = alloc(n * m);
  backend.matmul(x.data, w.data, y, n, k, m, false, true);
  if (bias !== null) {
    const B = bias.data;
    for (let i = 0; i < n; i++) for (let j = 0, o = i * m; j < m; j++) y[o + j] += B[j];
  }
  const inputs = bias === null ? [x, w] : [x, w, bias];
  return record('linear', y, [n, m], inputs, (g) => {
    let dx: Float32Array | null = null, dw: Float32Array | null = null, db: Float32Array | null = null;
    if (x.requiresGrad) {
      dx = alloc(n * k);
      backend.matmul(g, w.data, dx, n, m, k, false, false); // (n x m)(m x k)
    }
    if (w.requiresGrad) {
      dw = alloc(m * k);
      backend.matmul(g, x.data, dw, m, n, k, true, false); // (m x n)(n x k), g read transposed
    }
    if (bias !== null && bias.requiresGrad) {
      db = alloc(m);
      for (let i = 0; i < n; i++) for (let j = 0, o = i * m; j < m; j++) db[j] += g[o + j];
    }
    return bias === null ? [dx, dw] : [dx, dw, db];
  });
}
