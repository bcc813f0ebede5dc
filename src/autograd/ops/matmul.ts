import type { Tensor } from '../../tensor/tensor.js';
import { formatShape } from '../../tensor/shape.js';
import { getBackend } from '../../tensor/backends/backend.js';
import '../../tensor/backends/cpu.js';
import '../../tensor/backends/gpujs.js';
import '../../tensor/backends/fast/wasm.js';
import { record } from '../engine.js';
import { expectTensor } from './broadcast.js';
import { alloc } from '../../tensor/pool.js';

/**
 * Matrix product of two 2-D tensors: (m x k)(k x n) -> (m x n), through the active backend.
 * Backward: dA = dC · B^T and dB = A^T · dC, both through the backend's transposed variants (no copies).
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  const x = expectTensor('matmul', a, 'the left operand'), y = expectTensor('matmul', b, 'the right operand');
  if (x.ndim !== 2 || y.ndim !== 2) {
    throw new RangeError(`matmul: expected 2-D tensors, got ${formatShape(x.shape)} and ${formatShape(y.shape)}`);
  }
  const [m, k] = x.shape, [k2, n] = y.shape;
  if (k !== k2) {
    throw new RangeError(
      `matmul: inner dimensions must agree, got ${formatShape(x.shape)} and ${formatShape(y.shape)} (${k} != ${k2})`,
    );
  }
  const backend = getBackend();
  const out = alloc(m * n);
  backend.matmul(x.data, y.data, out, m, k, n, false, false);
  return record('matmul', out, [m, n], [x, y], (g) => {
    let ga: Float32Array | null = null, gb: Float32Array | null = null;
    if (x.requiresGrad) {
      ga = alloc(m * k);
      backend.matmul(g, y.data, ga, m, n, k, false, true); // (m x n)(n x k)
    }
    if (y.requiresGrad) {
      gb = alloc(k * n);
      backend.matmul(x.data, g, gb, k, m, n, true, false); // (k x m)(m x n)
    }
    return [ga, gb];
  });
}
