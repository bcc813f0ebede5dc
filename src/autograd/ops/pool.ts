import type { Tensor } from '../../tensor/tensor.js';
import { alloc, allocInt32 } from '../../tensor/pool.js';
import { getBackend } from '../../tensor/backends/backend.js';
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
  const fast = getBackend().kernels;
  if (fast?.maxPool2x2 !== undefined && fast.maxPool2x2Backward !== undefined && kh === 2 && kw === 2 && sh === 2 && sw === 2 && ph === 0 && pw === 0) {
    // the backend's SIMD kernels: the backward finds each window's winner again from x and y, so no index array
    const y = alloc(n * c * oh * ow);
    fast.maxPool2x2(X, y, n * c, h, w);
    return record('maxPool2d', y, [n, c, oh, ow], [input], (gy) => {
      const dx = alloc(X.length);
      fast.maxPool2x2Backward!(X, y, gy, dx, n * c, h, w);
      return [dx];
    });
  }
  const y = alloc(n * c * oh * ow), arg = allocInt32(y.length);
  if (kh === 2 && kw === 2 && sh === 2 && sw === 2 && ph === 0 && pw === 0) maxPool2x2(X, g, y, arg);
  else for (let plane = 0, o = 0; plane < n * c; plane++) {
    const base = plane * h * w;
    for (let oy = 0; oy < oh; oy++) {
      const ys = Math.max(oy * sh - ph, 0), ye = Math.min(oy * sh - ph + kh, h);
      for (let ox = 0; ox < ow; ox++, o++) {
        const xs = Math.max(ox * sw - pw, 0), xe = Math.min(ox * sw - pw + kw, w);
        let at = base + ys * w + xs, best = X[at];
        for (let iy = ys; iy < ye; iy++) {
          for (let i = base + iy * w + xs, e = base + iy * w + xe; i < e; i++) {
            const v = X[i];
            if (v > best || (v !== v && best === best)) { // strictly greater keeps the first maximum; NaN wins
              best = v;
              at = i;
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

/** The common 2x2, stride-2 case without padding: the same rule (first maximum, NaN wins), without the clipping. */
function maxPool2x2(X: Float32Array, g: Window2d, y: Float32Array, arg: Int32Array): void {
  const { n, c, h, w, oh, ow } = g;
  for (let plane = 0, o = 0; plane < n * c; plane++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0, i = plane * h * w + 2 * oy * w; ox < ow; ox++, o++, i += 2) {
        // the four candidates in row-major order; a later one wins only when strictly greater (or the first NaN)
        let best = X[i], at = i, v = X[i + 1];
        if (v > best || (v !== v && best === best)) { best = v; at = i + 1; }
        v = X[i + w];
        if (v > best || (v !== v && best === best)) { best = v; at = i + w; }
        v = X[i + w + 1];
        if (v > best || (v !== v && best === best)) { best = v; at = i + w + 1; }
        y[o] = best;
        arg[o] = at;
      }
    }
  }
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
  // the window of output o, clipped to the input: rows ys..ye, columns xs..xe
  const win = (oy: number, ox: number) => [Math.max(oy * sh - ph, 0), Math.min(oy * sh - ph + kh, h), Math.max(ox * sw - pw, 0), Math.min(ox * sw - pw + kw, w)];
  const windows = Array.from({ length: oh * ow }, (_, o) => win(Math.floor(o / ow), o % ow));
  const area = oh * ow;
  for (let plane = 0, o = 0; plane < n * c; plane++) {
    const base = plane * h * w;
    for (let q = 0; q < area; q++, o++) {
      const [ys, ye, xs, xe] = windows[q];
      let s = 0;
      for (let iy = ys; iy < ye; iy++) for (let ix = xs; ix < xe; ix++) s += X[base + iy * w + ix];
      y[o] = s / divisor[q];
    }
  }
  // d mean / d x_i = 1 / divisor for every element of the window
  return record('avgPool2d', y, [n, c, oh, ow], [input], (gy) => {
    const dx = alloc(X.length);
    for (let plane = 0, o = 0; plane < n * c; plane++) {
      const base = plane * h * w;
      for (let q = 0; q < area; q++, o++) {
        const [ys, ye, xs, xe] = windows[q], share = gy[o] / divisor[q];
        for (let iy = ys; iy < ye; iy++) for (let ix = xs; ix < xe; ix++) dx[base + iy * w + ix] += share;
      }
    }
    return [dx];
  });
}
