import type { Tensor } from '../../tensor/tensor.js';
import { alloc, allocInt32 } from '../../tensor/pool.js';
import { record } from '../engine.js';
import { expectTensor } from './broadcast.js';
import { pair, window2d, type Size2, type Window2d } from './conv.js';

/** Options of `maxPool2d` and `avgPool2d`, as `torch.nn.functional`'s. */
export interface Pool2dOptions {
  /** Step between windows. Default: the kernel size. */
  stride?: Size2;
  /** Padding on each side (at most half the kernel). Default 0. */
  padding?: Size2;
}

function poolWindow(op: string, input: Tensor, kernelSize: Size2, options: Pool2dOptions): Window2d {
  const x = expectTensor(op, input);
  const kernel = pair(op, 'kernelSize', kernelSize, 1);
  const padding = pair(op, 'padding', options.padding ?? 0, 0);
  if (padding[0] > kernel[0] / 2 || padding[1] > kernel[1] / 2) {
    throw new RangeError(`${op}: expected padding at most half the kernel ${JSON.stringify(kernel)}, got ${JSON.stringify(padding)}`);
  }
  return window2d(op, x, kernel, { stride: pair(op, 'stride', options.stride ?? kernel, 1), padding, dilation: [1, 1] });
}

/**
 * The maximum of each window of x [N, C, H, W] (padding counts as -∞). Backward: each output's gradient goes to
 * the element that was the maximum, the first in row-major order on ties, as PyTorch's CPU kernel does; NaN wins.
 * Matches `torch.nn.functional.max_pool2d` (no dilation, floor mode).
 */
export function maxPool2d(input: Tensor, kernelSize: Size2, options: Pool2dOptions = {}): Tensor {
  const g = poolWindow('maxPool2d', input, kernelSize, options);
  const { n, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow } = g, X = input.data;
  const y = alloc(n * c * oh * ow), arg = allocInt32(y.length);
  for (let plane = 0, o = 0; plane < n * c; plane++) {
    const base = plane * h * w;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++, o++) {
        let best = -Infinity, at = -1;
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh - ph + ky;
          if (iy < 0 || iy >= h) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * sw - pw + kx;
            if (ix < 0 || ix >= w) continue;
            const v = X[base + iy * w + ix];
            if (at === -1 || v > best || (Number.isNaN(v) && !Number.isNaN(best))) {
              best = v;
              at = base + iy * w + ix;
            }
          }
        }
        y[o] = best;
        arg[o] = at;
      }
    }
  }
  // d max / d x_i = 1 for the winning element, 0 for the rest; overlapping windows may pick one element twice
  return record('maxPool2d', y, [n, c, oh, ow], [input], (gy) => {
    const dx = alloc(X.length);
    for (let o = 0; o < gy.length; o++) dx[arg[o]] += gy[o];
    return [dx];
  });
}

/**
 * The mean of each window of x [N, C, H, W]. With `countIncludePad` (default true, as PyTorch) padded zeros count
 * in the divisor; otherwise only the input elements in the window do. Backward: each element of a window receives
 * the output's gradient / divisor. Matches `torch.nn.functional.avg_pool2d` (floor mode).
 */
export function avgPool2d(input: Tensor, kernelSize: Size2, options: Pool2dOptions & { countIncludePad?: boolean } = {}): Tensor {
  const g = poolWindow('avgPool2d', input, kernelSize, options);
  const { n, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow } = g, X = input.data;
  const includePad = options.countIncludePad ?? true;
  const y = alloc(n * c * oh * ow), divisor = alloc(oh * ow);
  for (let oy = 0, o = 0; oy < oh; oy++) {
    for (let ox = 0; ox < ow; ox++, o++) {
      // PyTorch's divisor: the window clipped to the padded input, or to the input itself without countIncludePad
      const y0 = oy * sh - ph, x0 = ox * sw - pw;
      const y1 = Math.min(y0 + kh, h + ph), x1 = Math.min(x0 + kw, w + pw);
      divisor[o] = includePad ? (y1 - y0) * (x1 - x0) : (Math.min(y1, h) - Math.max(y0, 0)) * (Math.min(x1, w) - Math.max(x0, 0));
    }
  }
  const visit = (fn: (o: number, i: number) => void) => {
    for (let plane = 0, o = 0; plane < n * c; plane++) {
      const base = plane * h * w;
      for (let oy = 0; oy < oh; oy++) {
        const ys = Math.max(oy * sh - ph, 0), ye = Math.min(oy * sh - ph + kh, h);
        for (let ox = 0; ox < ow; ox++, o++) {
          const xs = Math.max(ox * sw - pw, 0), xe = Math.min(ox * sw - pw + kw, w);
          for (let iy = ys; iy < ye; iy++) for (let ix = xs; ix < xe; ix++) fn(o, base + iy * w + ix);
        }
      }
    }
  };
  const area = oh * ow;
  visit((o, i) => (y[o] += X[i]));
  for (let o = 0; o < y.length; o++) y[o] /= divisor[o % area];
  // d mean / d x_i = 1 / divisor for every element of the window
  return record('avgPool2d', y, [n, c, oh, ow], [input], (gy) => {
    const dx = alloc(X.length);
    visit((o, i) => (dx[i] += gy[o] / divisor[o % area]));
    return [dx];
  });
}
