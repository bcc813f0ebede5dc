import type { Tensor } from '../../tensor/tensor.js';
import { record } from '../engine.js';
import { expectTensor } from './broadcast.js';
import { alloc } from '../../tensor/pool.js';

/** e^x elementwise. */
export function exp(a: Tensor): Tensor {
  const x = expectTensor('exp', a), X = x.data, y = alloc(X.length);
  for (let i = 0; i < X.length; i++) y[i] = Math.exp(X[i]);
  // d(e^x)/dx = e^x: reuse the output
  return record('exp', y, x.shape, [x], (g) => {
    const d = alloc(g.length);
    for (let i = 0; i < g.length; i++) d[i] = g[i] * y[i];
    return [d];
  });
}

/** Natural log elementwise (NaN below 0, -Infinity at 0, as in PyTorch). */
export function log(a: Tensor): Tensor {
  const x = expectTensor('log', a), X = x.data, y = alloc(X.length);
  for (let i = 0; i < X.length; i++) y[i] = Math.log(X[i]);
  // d(ln x)/dx = 1/x
  return record('log', y, x.shape, [x], (g) => {
    const d = alloc(g.length);
    for (let i = 0; i < g.length; i++) d[i] = g[i] / X[i];
    return [d];
  });
}

/** Square root elementwise. */
export function sqrt(a: Tensor): Tensor {
  const x = expectTensor('sqrt', a), X = x.data, y = alloc(X.length);
  for (let i = 0; i < X.length; i++) y[i] = Math.sqrt(X[i]);
  // d(sqrt x)/dx = 1 / (2 sqrt x)
  return record('sqrt', y, x.shape, [x], (g) => {
    const d = alloc(g.length);
    for (let i = 0; i < g.length; i++) d[i] = g[i] / Math.fround(2 * y[i]);
    return [d];
  });
}

/** |x| elementwise. */
export function abs(a: Tensor): Tensor {
  const x = expectTensor('abs', a), X = x.data, y = alloc(X.length);
  for (let i = 0; i < X.length; i++) y[i] = Math.abs(X[i]);
  // d|x|/dx = sign(x), taken as 0 at the kink x = 0 (PyTorch's choice)
  return record('abs', y, x.shape, [x], (g) => {
    const d = alloc(g.length);
    for (let i = 0; i < g.length; i++) d[i] = X[i] > 0 ? g[i] : X[i] < 0 ? -g[i] : 0;
    return [d];
  });
}

/** tanh elementwise. */
export function tanh(a: Tensor): Tensor {
  const x = expectTensor('tanh', a), X = x.data, y = alloc(X.length);
  for (let i = 0; i < X.length; i++) y[i] = Math.tanh(X[i]);
  // d(tanh x)/dx = 1 - tanh(x)^2
  return record('tanh', y, x.shape, [x], (g) => {
    const d = alloc(g.length);
    for (let i = 0; i < g.length; i++) d[i] = g[i] * Math.fround(1 - Math.fround(y[i] * y[i]));
    return [d];
  });
}

/** The logistic function 1 / (1 + e^-x) elementwise. */
export function sigmoid(a: Tensor): Tensor {
  const x = expectTensor('sigmoid', a), X = x.data, y = alloc(X.length);
  for (let i = 0; i < X.length; i++) y[i] = 1 / (1 + Math.exp(-X[i]));
  // d(sigmoid x)/dx = sigmoid(x) (1 - sigmoid(x)), written as PyTorch does: g * (1 - y) * y
  return record('sigmoid', y, x.shape, [x], (g) => {
    const d = alloc(g.length);
    for (let i = 0; i < g.length; i++) d[i] = Math.fround(g[i] * Math.fround(1 - y[i])) * y[i];
    return [d];
  });
}
