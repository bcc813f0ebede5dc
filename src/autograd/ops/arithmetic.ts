import type { Tensor, TensorLike } from '../../tensor/tensor.js';
import { record } from '../engine.js';
import { plan, reduceTo, toTensor } from './broadcast.js';
import { alloc } from '../../tensor/pool.js';

const f = Math.fround;

/** a + b with NumPy broadcasting. */
export function add(a: TensorLike, b: TensorLike): Tensor {
  const x = toTensor('add', a), y = toTensor('add', b);
  const p = plan('add', x.shape, y.shape), ia = p.a, ib = p.b, X = x.data, Y = y.data;
  const out = alloc(p.size);
  for (let i = 0; i < out.length; i++) out[i] = X[ia === null ? i : ia[i]] + Y[ib === null ? i : ib[i]];
  // d(a+b)/da = 1, d(a+b)/db = 1: the gradient passes through, summed over broadcast dimensions
  return record('add', out, p.shape, [x, y], (g) => [reduceTo(g, ia, X.length), reduceTo(g, ib, Y.length)]);
}

/** a - b with NumPy broadcasting. */
export function sub(a: TensorLike, b: TensorLike): Tensor {
  const x = toTensor('sub', a), y = toTensor('sub', b);
  const p = plan('sub', x.shape, y.shape), ia = p.a, ib = p.b, X = x.data, Y = y.data;
  const out = alloc(p.size);
  for (let i = 0; i < out.length; i++) out[i] = X[ia === null ? i : ia[i]] - Y[ib === null ? i : ib[i]];
  // d(a-b)/da = 1, d(a-b)/db = -1
  return record('sub', out, p.shape, [x, y], (g) => [
    reduceTo(g, ia, X.length),
    y.requiresGrad ? reduceTo(scaled(g, -1), ib, Y.length) : null,
  ]);
}

/** a * b elementwise with NumPy broadcasting. */
export function mul(a: TensorLike, b: TensorLike): Tensor {
  const x = toTensor('mul', a), y = toTensor('mul', b);
  const p = plan('mul', x.shape, y.shape), ia = p.a, ib = p.b, X = x.data, Y = y.data;
  const out = alloc(p.size);
  for (let i = 0; i < out.length; i++) out[i] = X[ia === null ? i : ia[i]] * Y[ib === null ? i : ib[i]];
  // d(a*b)/da = b, d(a*b)/db = a
  return record('mul', out, p.shape, [x, y], (g) => [
    x.requiresGrad ? reduceTo(timesGathered(g, Y, ib), ia, X.length) : null,
    y.requiresGrad ? reduceTo(timesGathered(g, X, ia), ib, Y.length) : null,
  ]);
}

/** a / b elementwise with NumPy broadcasting. */
export function div(a: TensorLike, b: TensorLike): Tensor {
  const x = toTensor('div', a), y = toTensor('div', b);
  const p = plan('div', x.shape, y.shape), ia = p.a, ib = p.b, X = x.data, Y = y.data;
  const out = alloc(p.size);
  for (let i = 0; i < out.length; i++) out[i] = X[ia === null ? i : ia[i]] / Y[ib === null ? i : ib[i]];
  // d(a/b)/da = 1/b, d(a/b)/db = -a/b^2, computed as PyTorch does: -g * ((a / b) / b)
  return record('div', out, p.shape, [x, y], (g) => {
    let ga: Float32Array | null = null, gb: Float32Array | null = null;
    if (x.requiresGrad) {
      ga = alloc(g.length);
      for (let i = 0; i < g.length; i++) ga[i] = g[i] / Y[ib === null ? i : ib[i]];
      ga = reduceTo(ga, ia, X.length);
    }
    if (y.requiresGrad) {
      gb = alloc(g.length);
      for (let i = 0; i < g.length; i++) {
        const yi = Y[ib === null ? i : ib[i]];
        gb[i] = -g[i] * f(f(X[ia === null ? i : ia[i]] / yi) / yi);
      }
      gb = reduceTo(gb, ib, Y.length);
    }
    return [ga, gb];
  });
}

/** -a. */
export function neg(a: Tensor): Tensor {
  const x = toTensor('neg', a);
  // d(-a)/da = -1
  return record('neg', scaled(x.data, -1), x.shape, [x], (g) => [scaled(g, -1)]);
}

/** a ** b elementwise with NumPy broadcasting; a number exponent is a constant. */
export function pow(a: TensorLike, b: TensorLike): Tensor {
  const x = toTensor('pow', a), y = toTensor('pow', b);
  const p = plan('pow', x.shape, y.shape), ia = p.a, ib = p.b, X = x.data, Y = y.data;
  const out = alloc(p.size);
  for (let i = 0; i < out.length; i++) out[i] = Math.pow(X[ia === null ? i : ia[i]], Y[ib === null ? i : ib[i]]);
  return record('pow', out, p.shape, [x, y], (g) => {
    let ga: Float32Array | null = null, gb: Float32Array | null = null;
    if (x.requiresGrad) {
      // d(a^b)/da = b * a^(b-1); zero where b == 0, as in PyTorch
      ga = alloc(g.length);
      for (let i = 0; i < g.length; i++) {
        const e = Y[ib === null ? i : ib[i]];
        ga[i] = e === 0 ? 0 : g[i] * f(e * f(Math.pow(X[ia === null ? i : ia[i]], e - 1)));
      }
      ga = reduceTo(ga, ia, X.length);
    }
    if (y.requiresGrad) {
      // d(a^b)/db = a^b * ln(a); PyTorch masks a == 0 (where b >= 0) to 0 instead of 0 * -inf
      gb = alloc(g.length);
      for (let i = 0; i < g.length; i++) {
        const base = X[ia === null ? i : ia[i]];
        gb[i] = base === 0 && Y[ib === null ? i : ib[i]] >= 0 ? 0 : g[i] * f(out[i] * f(Math.log(base)));
      }
      gb = reduceTo(gb, ib, Y.length);
    }
    return [ga, gb];
  });
}

function scaled(v: Float32Array, s: number): Float32Array {
  const out = alloc(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i] * s;
  return out;
}

/** g[i] * v[map[i]]: the gradient times the other operand, read through its broadcast map. */
function timesGathered(g: Float32Array, v: Float32Array, map: Int32Array | null): Float32Array {
  const out = alloc(g.length);
  for (let i = 0; i < g.length; i++) out[i] = g[i] * v[map === null ? i : map[i]];
  return out;
}
