import type { Tensor } from '../../tensor/tensor.js';
import { record } from '../engine.js';
import { expectTensor } from './broadcast.js';
import { alloc } from '../../tensor/pool.js';

/** max(0, x) elementwise. */
export function relu(a: Tensor): Tensor {
  const x = expectTensor('relu', a), X = x.data, y = alloc(X.length);
  for (let i = 0; i < X.length; i++) y[i] = X[i] > 0 ? X[i] : 0;
  // d relu/dx = 1 for x > 0, else 0; at the kink x = 0 PyTorch takes 0, and so do we
  return record('relu', y, x.shape, [x], (g) => {
    const d = alloc(g.length);
    for (let i = 0; i < g.length; i++) d[i] = y[i] > 0 ? g[i] : 0;
    return [d];
  });
}

/** x for x > 0, negativeSlope * x otherwise (PyTorch's default slope 0.01). */
export function leakyRelu(a: Tensor, negativeSlope = 0.01): Tensor {
  const x = expectTensor('leakyRelu', a), X = x.data, y = alloc(X.length);
  if (typeof negativeSlope !== 'number' || !Number.isFinite(negativeSlope)) {
    throw new TypeError(`leakyRelu: expected a finite negativeSlope, got ${negativeSlope}`);
  }
  for (let i = 0; i < X.length; i++) y[i] = X[i] > 0 ? X[i] : X[i] * negativeSlope;
  // d/dx = 1 for x > 0, negativeSlope otherwise
  return record('leakyRelu', y, x.shape, [x], (g) => {
    const d = alloc(g.length);
    for (let i = 0; i < g.length; i++) d[i] = X[i] > 0 ? g[i] : g[i] * negativeSlope;
    return [d];
  });
}

/** Options of `softplus`, as `torch.nn.functional.softplus`. */
export interface SoftplusOptions {
  /** Sharpness: softplus(x) = log(1 + e^(beta x)) / beta. Default 1. */
  beta?: number;
  /** Above beta * x > threshold the function is taken as linear, for stability. Default 20. */
  threshold?: number;
}

/** log(1 + e^(beta x)) / beta elementwise, linear above the threshold; matches torch.nn.functional.softplus. */
export function softplus(a: Tensor, options: SoftplusOptions = {}): Tensor {
  const x = expectTensor('softplus', a), X = x.data, y = alloc(X.length);
  const beta = options.beta ?? 1, threshold = options.threshold ?? 20;
  if (!(beta > 0)) throw new RangeError(`softplus: expected beta > 0, got ${beta}`);
  for (let i = 0; i < X.length; i++) {
    const bx = X[i] * beta;
    y[i] = bx > threshold ? X[i] : Math.log1p(Math.exp(bx)) / beta;
  }
  // d/dx = e^(beta x) / (1 + e^(beta x)) = sigmoid(beta x), and 1 in the linear region
  return record('softplus', y, x.shape, [x], (g) => {
    const d = alloc(g.length);
    for (let i = 0; i < g.length; i++) {
      const bx = X[i] * beta;
      d[i] = bx > threshold ? g[i] : g[i] / (1 + Math.exp(-bx));
    }
    return [d];
  });
}
