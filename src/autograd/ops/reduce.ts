import type { Tensor } from '../../tensor/tensor.js';
import { normalizeDim, sizeOf } from '../../tensor/shape.js';
import { record } from '../engine.js';
import { div } from './arithmetic.js';
import { expectTensor, indexMap } from './broadcast.js';
import { alloc, alloc64, allocInt32 } from '../../tensor/pool.js';

/** The kept-dims shape (reduced dims set to 1), the output shape, and the dims reduced. */
function reducedShapes(op: string, x: Tensor, dim: number | number[] | undefined, keepdim: boolean) {
  const dims = dim === undefined ? x.shape.map((_, i) => i) : (Array.isArray(dim) ? dim : [dim]).map((d) => normalizeDim(op, d, x.ndim));
  if (new Set(dims).size !== dims.length) throw new RangeError(`${op}: dim ${JSON.stringify(dim)} repeats a dimension`);
  const kept = x.shape.map((s, i) => (dims.includes(i) ? 1 : s));
  const shape = keepdim ? kept : x.shape.filter((_, i) => !dims.includes(i));
  return { kept, shape, count: sizeOf(x.shape) / Math.max(1, sizeOf(kept)) };
}

/** Sum over `dim` (one, several, or all when omitted), dropping the summed dims unless `keepdim`. */
export function sum(a: Tensor, dim?: number | number[], keepdim = false): Tensor {
  const x = expectTensor('sum', a);
  const { kept, shape } = reducedShapes('sum', x, dim, keepdim);
  // map[i] = which output element input element i adds into (the kept shape broadcast back onto the input)
  const map = indexMap(kept, x.shape), X = x.data;
  const acc = alloc64(sizeOf(kept));
  for (let i = 0; i < X.length; i++) acc[map === null ? i : map[i]] += X[i];
  // d(sum)/dx_i = 1: every input element receives its output's gradient
  const out = alloc(acc.length);
  for (let i = 0; i < acc.length; i++) out[i] = acc[i];
  return record('sum', out, shape, [x], (g) => {
    const d = alloc(X.length);
    for (let i = 0; i < d.length; i++) d[i] = g[map === null ? i : map[i]];
    return [d];
  });
}

/** Mean over `dim` (one, several, or all when omitted): composed as sum / count. */
export function mean(a: Tensor, dim?: number | number[], keepdim = false): Tensor {
  const x = expectTensor('mean', a);
  const { count } = reducedShapes('mean', x, dim, keepdim);
  if (x.size === 0) throw new RangeError('mean: expected a non-empty tensor, got 0 elements');
  return div(sum(x, dim, keepdim), count);
}

/**
 * Maximum over `dim`, or over all elements when omitted. NaN wins, as in PyTorch. The gradient flows to the first
 * maximal element along `dim`; for the full reduction it is shared evenly among ties (PyTorch's two behaviours).
 */
export function max(a: Tensor, dim?: number, keepdim = false): Tensor {
  const x = expectTensor('max', a);
  if (x.size === 0) throw new RangeError('max: expected a non-empty tensor, got 0 elements');
  const { kept, shape } = reducedShapes('max', x, dim, keepdim);
  const map = indexMap(kept, x.shape), X = x.data;
  const n = sizeOf(kept);
  const best = alloc(n).fill(-Infinity), arg = allocInt32(n).fill(-1);
  for (let i = 0; i < X.length; i++) {
    const o = map === null ? i : map[i];
    if (arg[o] === -1 || X[i] > best[o] || (Number.isNaN(X[i]) && !Number.isNaN(best[o]))) {
      best[o] = X[i];
      arg[o] = i;
    }
  }
  return record('max', best, shape, [x], (g) => {
    const d = alloc(X.length);
    if (dim === undefined) {
      let ties = 0;
      for (let i = 0; i < X.length; i++) if (X[i] === best[0]) ties++;
      for (let i = 0; i < X.length; i++) if (X[i] === best[0]) d[i] = g[0] / ties;
      if (ties === 0) d[arg[0]] = g[0]; // NaN maximum
    } else {
      for (let o = 0; o < n; o++) d[arg[o]] = g[o];
    }
    return [d];
  });
}
