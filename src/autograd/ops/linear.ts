import type { Tensor } from '../../tensor/tensor.js';
import { formatShape } from '../../tensor/shape.js';
import { getBackend } from '../../tensor/backends/backend.js';
import { alloc, allocOverwritten } from '../../tensor/pool.js';
import { record } from '../engine.js';
import { expectTensor } from './broadcast.js';

/** The activation `linear` can apply in the same pass: none, or one of nn's elementwise modules. */
export type LinearActivation = 'none' | 'relu' | 'tanh' | 'sigmoid';

/** Options of `linear`. */
export interface LinearOpOptions {
  /** Apply this activation to the output in the same op (default 'none'): `Sequential` fuses Linear + ReLU this way. */
  activation?: LinearActivation;
}

const ACTIVATIONS: readonly LinearActivation[] = ['none', 'relu', 'tanh', 'sigmoid'];

/**
 * y = act(x Wᵀ + b) for x [N, in], W [out, in], b [out]: `torch.nn.functional.linear`, fused, with an optional
 * activation. It equals `act(add(matmul(x, transpose(W)), b))` bit for bit (a test checks it), but reads W
 * transposed in place instead of copying it and adds the bias and applies the activation in one pass.
 * Backward: g' = g · act'(y) (relu: g where y > 0; tanh: g (1 - y²); sigmoid: g (1 - y) y), then
 * dx = g' W, dW = g'ᵀ x (both through the backend, no copies), db = column sums of g'.
 */
export function linear(input: Tensor, weight: Tensor, bias: Tensor | null = null, options: LinearOpOptions = {}): Tensor {
  const x = expectTensor('linear', input, 'input'), w = expectTensor('linear', weight, 'weight');
  if (x.ndim !== 2 || w.ndim !== 2 || x.shape[1] !== w.shape[1]) {
    throw new RangeError(`linear: expected input [N, in] and weight [out, in] with the same in, got ${formatShape(x.shape)} and ${formatShape(w.shape)}`);
  }
  const [n, k] = x.shape, m = w.shape[0];
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== m)) {
    throw new RangeError(`linear: expected bias of shape [${m}], got ${formatShape(bias.shape)}`);
  }
  const activation = options.activation ?? 'none';
  if (!ACTIVATIONS.includes(activation)) {
    throw new RangeError(`linear: expected activation ${ACTIVATIONS.map((a) => `'${a}'`).join(', ')}, got ${JSON.stringify(activation)}`);
  }
  const backend = getBackend(), fast = backend.kernels;
  // (a product overwrites its output: a buffer handed out again need not be zeroed first)
  const y = allocOverwritten(n * m);
  backend.matmul(x.data, w.data, y, n, k, m, false, true);
  if (fast !== undefined) {
    // (with no bias and no ReLU there is nothing for this pass to do)
    if (bias !== null || activation === 'relu') fast.biasRelu(y, bias === null ? null : bias.data, n, m, activation === 'relu');
  } else {
    if (bias !== null) {
      const B = bias.data;
      for (let i = 0; i < n; i++) for (let j = 0, o = i * m; j < m; j++) y[o + j] += B[j];
    }
    if (activation === 'relu') for (let i = 0; i < y.length; i++) y[i] = y[i] > 0 ? y[i] : 0;
  }
  // the same expressions as the tanh and sigmoid ops, so the fused op gives their bits (Math's functions in double,
  // rounded to float32 on the store; a float32 approximation in the kernels would not give those bits)
  if (activation === 'tanh') for (let i = 0; i < y.length; i++) y[i] = Math.tanh(y[i]);
  else if (activation === 'sigmoid') for (let i = 0; i < y.length; i++) y[i] = 1 / (1 + Math.exp(-y[i]));
  const inputs = bias === null ? [x, w] : [x, w, bias];
  return record(activation === 'none' ? 'linear' : `linear+${activation}`, y, [n, m], inputs, (gOut) => {
    // the gradient at the product's output: through the activation first
    let g = gOut;
    let db: Float32Array | null = null;
    const wantDb = bias !== null && bias.requiresGrad;
    if (activation !== 'none') {
      g = alloc(n * m);
      if (fast !== undefined) {
        // the fast path sums the bias gradient in the same pass
        fast.activationBackward(activation, y, gOut, g, wantDb ? (db = alloc(m)) : null, n, m);
      } else if (activation === 'relu') {
        // relu'(0) = 0, as PyTorch takes it at the kink
        for (let i = 0; i < g.length; i++) g[i] = y[i] > 0 ? gOut[i] : 0;
      } else if (activation === 'tanh') {
        for (let i = 0; i < g.length; i++) g[i] = gOut[i] * Math.fround(1 - Math.fround(y[i] * y[i]));
      } else {
        for (let i = 0; i < g.length; i++) g[i] = Math.fround(gOut[i] * Math.fround(1 - y[i])) * y[i];
      }
    }
    let dx: Float32Array | null = null, dw: Float32Array | null = null;
    if (x.requiresGrad) {
      dx = allocOverwritten(n * k);
      backend.matmul(g, w.data, dx, n, m, k, false, false); // (n x m)(m x k)
    }
    if (w.requiresGrad) {
      dw = allocOverwritten(m * k);
      backend.matmul(g, x.data, dw, m, n, k, true, false); // (m x n)(n x k), g read transposed
    }
    if (wantDb && db === null) {
      db = alloc(m);
      if (fast !== undefined) fast.columnSums(g, db, n, m);
      else for (let i = 0; i < n; i++) for (let j = 0, o = i * m; j < m; j++) db[j] += g[o + j];
    }
    return bias === null ? [dx, dw] : [dx, dw, db];
  });
}
