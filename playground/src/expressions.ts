// The Autograd panel's expressions over the leaves w [1, 3], x [3, 1] and b [1, 1] (no DOM here, so Node tests can
// compute what the page must show).
import type { Tensor } from '../../src/index.js';

/** By the label the panel's menu shows; each returns a scalar. */
export const EXPRESSIONS: Record<string, (v: Record<string, Tensor>) => Tensor> = {
  'relu(w · x + b) summed': ({ w, x, b }) => w.matmul(x).add(b).relu().sum(),
  'mean((w · x − 1)²)': ({ w, x }) => w.matmul(x).sub(1).pow(2).mean(),
  'sigmoid(w · x) · tanh(b)': ({ w, x, b }) => w.matmul(x).sigmoid().mul(b.tanh()).sum(),
};
