import { Tensor, type NestedArray } from '../../tensor/tensor.js';
import { formatShape, normalizeDim, sizeOf, stridesOf } from '../../tensor/shape.js';
import { record } from '../engine.js';
import { describe, expectTensor } from './broadcast.js';
import { unsqueeze } from './view.js';
import { tensor } from '../../tensor/creation.js';
import { alloc, allocInt32, giveBack } from '../../tensor/pool.js';

/**
 * Elements `start` (inclusive) to `end` (exclusive) along `dim`, like `x.narrow` / Python slicing with step 1.
 * Negative indices count from the end; out-of-range bounds are clamped as in Python.
 */
export function slice(a: Tensor, dim: number, start: number, end?: number): Tensor {
  const x = expectTensor('slice', a);
  const d = normalizeDim('slice', dim, x.ndim), len = x.shape[d];
  if (!Number.isInteger(start) || (end !== undefined && !Number.isInteger(end))) {
    throw new TypeError(`slice: expected integer bounds, got start ${start}, end ${end}`);
  }
  const clamp = (i: number) => Math.min(len, Math.max(0, i < 0 ? i + len : i));
  const s = clamp(start), e = Math.max(s, clamp(end ?? len));
  const shape = [...x.shape];
  shape[d] = e - s;
  // view the tensor as [outer, len, inner] and copy the rows s..e of the middle axis
  const outer = sizeOf(x.shape.slice(0, d)), inner = sizeOf(x.shape.slice(d + 1)), X = x.data;
  const width = (e - s) * inner, y = alloc(outer * width);
  for (let o = 0; o < outer; o++) y.set(X.subarray(o * len * inner + s * inner, o * len * inner + e * inner), o * width);
  // the gradient lands back in the sliced rows; the rest of the input got no use, so zero
  return record('slice', y, shape, [x], (g) => {
    const dx = alloc(X.length);
    for (let o = 0; o < outer; o++) dx.set(g.subarray(o * width, (o + 1) * width), o * len * inner + s * inner);
    return [dx];
  });
}

/** Joins tensors along an existing dimension (`torch.cat`); all other lengths must agree. */
export function concat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) {
    throw new RangeError(`concat: expected a non-empty array of tensors, got ${describe(tensors)}`);
  }
  const xs = tensors.map((t, i) => expectTensor('concat', t, `tensors[${i}]`));
  const first = xs[0], d = normalizeDim('concat', dim, first.ndim);
  for (const t of xs) {
    const ok = t.ndim === first.ndim && t.shape.every((s, i) => i === d || s === first.shape[i]);
    if (!ok) {
      throw new RangeError(`concat: expected shapes matching ${formatShape(first.shape)} except in dim ${d}, got ${formatShape(t.shape)}`);
    }
  }
  const outer = sizeOf(first.shape.slice(0, d)), inner = sizeOf(first.shape.slice(d + 1));
  const total = xs.reduce((n, t) => n + t.shape[d], 0);
  const shape = [...first.shape];
  shape[d] = total;
  const y = alloc(outer * total * inner);
  const widths = xs.map((t) => t.shape[d] * inner);
  for (let o = 0, off = 0; o < outer; o++) {
    for (let t = 0; t < xs.length; t++) {
      y.set(xs[t].data.subarray(o * widths[t], (o + 1) * widths[t]), off);
      off += widths[t];
    }
  }
  // each input receives the rows of the gradient it filled
  return record('concat', y, shape, xs, (g) => {
    const grads = xs.map((t) => (t.requiresGrad ? alloc(t.size) : null));
    for (let o = 0, off = 0; o < outer; o++) {
      for (let t = 0; t < xs.length; t++) {
        grads[t]?.set(g.subarray(off, off + widths[t]), o * widths[t]);
        off += widths[t];
      }
    }
    return grads;
  });
}

/** Joins same-shaped tensors along a new dimension (`torch.stack`), composed as unsqueeze + concat. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) {
    throw new RangeError(`stack: expected a non-empty array of tensors, got ${describe(tensors)}`);
  }
  const xs = tensors.map((t, i) => expectTensor('stack', t, `tensors[${i}]`));
  for (const t of xs) {
    if (t.ndim !== xs[0].ndim || t.shape.some((s, i) => s !== xs[0].shape[i])) {
      throw new RangeError(`stack: expected every tensor of shape ${formatShape(xs[0].shape)}, got ${formatShape(t.shape)}`);
    }
  }
  const d = normalizeDim('stack', dim, xs[0].ndim + 1);
  return concat(xs.map((t) => unsqueeze(t, d)), d);
}

/**
 * `out[i][j] = x[index[i][j]][j]` for dim 0 (and so on for other dims), like `torch.gather`. `index` has the same
 * number of dimensions as `x`, integer values within `x`'s length along `dim`, and no larger lengths elsewhere.
 */
export function gather(a: Tensor, dim: number, index: Tensor | NestedArray): Tensor {
  const x = expectTensor('gather', a);
  const idx = index instanceof Tensor ? index : tensor(index);
  const d = normalizeDim('gather', dim, x.ndim);
  if (idx.ndim !== x.ndim || idx.shape.some((s, i) => i !== d && s > x.shape[i])) {
    throw new RangeError(
      `gather: expected an index with ${x.ndim} dims no longer than ${formatShape(x.shape)} outside dim ${d}, got ${formatShape(idx.shape)}`,
    );
  }
  const I = idx.data, X = x.data, len = x.shape[d];
  const xStrides = stridesOf(x.shape), iStrides = stridesOf(idx.shape);
  const source = allocInt32(I.length);
  for (let i = 0; i < I.length; i++) {
    const v = I[i];
    if (!Number.isInteger(v)) throw new TypeError(`gather: expected integer indices, got ${v} at position ${i}`);
    if (v < 0 || v >= len) throw new RangeError(`gather: index ${v} is out of range for dim ${d} of length ${len}`);
    // decompose i into the index tensor's coordinates and rebuild the input offset, with v along dim
    let rest = i, offset = 0;
    for (let k = 0; k < idx.ndim; k++) {
      const c = Math.floor(rest / iStrides[k]);
      rest -= c * iStrides[k];
      offset += (k === d ? v : c) * xStrides[k];
    }
    source[i] = offset;
  }
  const y = alloc(I.length);
  for (let i = 0; i < y.length; i++) y[i] = X[source[i]];
  // an index made here from an array is held by nothing once read into `source`
  if (idx !== index) giveBack(I);
  // scatter-add: an element picked twice gets both gradients
  return record('gather', y, idx.shape, [x], (g) => {
    const dx = alloc(X.length);
    for (let i = 0; i < g.length; i++) dx[source[i]] += g[i];
    return [dx];
  });
}
