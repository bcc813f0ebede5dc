import type { Tensor } from '../../tensor/tensor.js';
import { formatShape } from '../../tensor/shape.js';
import { alloc, allocInt32 } from '../../tensor/pool.js';
import { record } from '../engine.js';
import { expectTensor } from './broadcast.js';
import { describe } from '../../format/number.js';
import { reshape } from './view.js';

/** An adaptive pool's output size: one number for both, or [height, width] where null keeps the input's length. */
export type AdaptiveSize2 = number | [number | null, number | null];

/** Reads an `AdaptiveSize2` as [height, width] (null kept), each an integer >= 1. */
export function adaptiveSize(op: string, v: unknown): [number | null, number | null] {
  const p = typeof v === 'number' ? [v, v] : v;
  if (!Array.isArray(p) || p.length !== 2 || p.some((x) => x !== null && typeof x !== 'number')) {
    throw new TypeError(`${op}: expected outputSize to be a number or [height, width] (null keeps the input's), got ${describe(v)}`);
  }
  if (!p.every((x) => x === null || (Number.isInteger(x) && x >= 1 && x <= 2 ** 24))) {
    throw new RangeError(`${op}: expected outputSize to be integers in [1, 2^24] (or null), got ${describe(v)}`);
  }
  return p as [number | null, number | null];
}

/**
 * Window bounds along one axis of length `len` pooled to `out`: window i covers [floor(i·len/out),
 * ceil((i+1)·len/out)), PyTorch's start_index / end_index, so windows may overlap by one when out does not divide len.
 */
function bounds(len: number, out: number): Int32Array {
  const b = allocInt32(2 * out);
  for (let i = 0; i < out; i++) {
    b[2 * i] = Math.floor((i * len) / out);
    b[2 * i + 1] = Math.floor(((i + 1) * len + out - 1) / out);
  }
  return b;
}

/**
 * The mean of each adaptive window of x [N, C, H, W] (or [C, H, W]), to an output of `outputSize`: window (i, j) spans
 * rows [floor(iH/oh), ceil((i+1)H/oh)) and columns likewise, so `outputSize` 1 is the global average. Backward: each
 * element of a window receives the output's gradient / the window's area (twice where windows overlap). Matches
 * `torch.nn.functional.adaptive_avg_pool2d`.
 */
export function adaptiveAvgPool2d(input: Tensor, outputSize: AdaptiveSize2): Tensor {
  const x = expectTensor('adaptiveAvgPool2d', input);
  const size = adaptiveSize('adaptiveAvgPool2d', outputSize);
  if (x.ndim === 3) return reshape(adaptiveAvgPool2d(reshape(x, [1, ...x.shape]), size), [x.shape[0], size[0] ?? x.shape[1], size[1] ?? x.shape[2]]);
  if (x.ndim !== 4 || x.shape[2] === 0 || x.shape[3] === 0) {
    throw new RangeError(`adaptiveAvgPool2d: expected input [N, C, H, W] or [C, H, W] with H, W >= 1, got ${formatShape(x.shape)}`);
  }
  const [n, c, h, w] = x.shape, oh = size[0] ?? h, ow = size[1] ?? w;
  const rows = bounds(h, oh), cols = bounds(w, ow), X = x.data;
  const y = alloc(n * c * oh * ow);
  for (let plane = 0, o = 0; plane < n * c; plane++) {
    const base = plane * h * w;
    for (let i = 0; i < oh; i++) {
      const ys = rows[2 * i], ye = rows[2 * i + 1];
      for (let j = 0; j < ow; j++, o++) {
        const xs = cols[2 * j], xe = cols[2 * j + 1];
        let s = 0;
        for (let iy = ys; iy < ye; iy++) for (let ix = base + iy * w + xs, e = base + iy * w + xe; ix < e; ix++) s += X[ix];
        y[o] = s / ((ye - ys) * (xe - xs));
      }
    }
  }
  // d mean / d x_k = 1 / area for every element k of the window
  return record('adaptiveAvgPool2d', y, [n, c, oh, ow], [x], (gy) => {
    const dx = alloc(X.length);
    for (let plane = 0, o = 0; plane < n * c; plane++) {
      const base = plane * h * w;
      for (let i = 0; i < oh; i++) {
        const ys = rows[2 * i], ye = rows[2 * i + 1];
        for (let j = 0; j < ow; j++, o++) {
          const xs = cols[2 * j], xe = cols[2 * j + 1], share = gy[o] / ((ye - ys) * (xe - xs));
          for (let iy = ys; iy < ye; iy++) for (let ix = base + iy * w + xs, e = base + iy * w + xe; ix < e; ix++) dx[ix] += share;
        }
      }
    }
    return [dx];
  });
}
