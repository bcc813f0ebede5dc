import type { Tensor } from '../../tensor/tensor.js';
import { formatShape } from '../../tensor/shape.js';
import { getBackend, type ConvGeometry, type FastKernels } from '../../tensor/backends/backend.js';
import { alloc } from '../../tensor/pool.js';
import { record } from '../engine.js';
import { describe, expectTensor } from './broadcast.js';

/** A length that may differ along height and width: one number for both, or [height, width]. */
export type Size2 = number | [number, number];

/** Options of `conv2d`, as `torch.nn.functional.conv2d`. */
export interface Conv2dOptions {
  /** Step between windows. Default 1. */
  stride?: Size2;
  /** Zeros added on each side. Default 0. */
  padding?: Size2;
  /** Spacing between kernel elements. Default 1. */
  dilation?: Size2;
  /**
   * Apply ReLU to the output in the same op (default 'none'): `Sequential` fuses Conv2d + ReLU this way. Equals
   * `relu(conv2d(x, w, b))` bit for bit.
   */
  activation?: 'none' | 'relu';
}

/** Reads a `Size2` option as [height, width], each an integer >= `min`. */
export function pair(op: string, name: string, v: unknown, min: number): [number, number] {
  const p = typeof v === 'number' ? [v, v] : v;
  if (!Array.isArray(p) || p.length !== 2 || p.some((x) => typeof x !== 'number')) {
    throw new TypeError(`${op}: expected ${name} to be a number or [height, width], got ${describe(v)}`);
  }
  if (!p.every((x) => Number.isInteger(x) && x >= min)) {
    throw new RangeError(`${op}: expected ${name} to be integers >= ${min}, got ${JSON.stringify(v)}`);
  }
  return p as [number, number];
}

/** The geometry of a 2-D sliding window over [N, C, H, W]: output size and where each window starts. */
export interface Window2d {
  n: number; c: number; h: number; w: number;
  kh: number; kw: number; sh: number; sw: number; ph: number; pw: number; dh: number; dw: number;
  oh: number; ow: number;
}

/** Checks a 4-d input against a (dilated) kernel and returns the window geometry, with PyTorch's output size. */
export function window2d(op: string, x: Tensor, kernel: [number, number], o: { stride: [number, number]; padding: [number, number]; dilation: [number, number] }): Window2d {
  if (x.ndim !== 4) throw new RangeError(`${op}: expected a 4-d input [N, C, H, W], got ${formatShape(x.shape)}`);
  const [n, c, h, w] = x.shape, [kh, kw] = kernel, [sh, sw] = o.stride, [ph, pw] = o.padding, [dh, dw] = o.dilation;
  const ekh = dh * (kh - 1) + 1, ekw = dw * (kw - 1) + 1; // the kernel's extent once dilated
  if (h + 2 * ph < ekh || w + 2 * pw < ekw) {
    throw new RangeError(`${op}: expected a padded input of at least ${ekh}x${ekw} (the kernel), got ${h + 2 * ph}x${w + 2 * pw} from input ${formatShape(x.shape)} and padding [${ph},${pw}]`);
  }
  return { n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh: Math.floor((h + 2 * ph - ekh) / sh) + 1, ow: Math.floor((w + 2 * pw - ekw) / sw) + 1 };
}

/**
 * im2col, transposed: one row per kernel element (c, ky, kx), one column per output position (n, oy, ox), zeros
 * where the window reaches into the padding. cols is [C·KH·KW, N·OH·OW], so the convolution is one matmul W · cols;
 * the inner loop runs along an output row, reading the input with a fixed stride (no per-element bounds checks).
 */
function im2col(X: Float32Array, g: Window2d, cols: Float32Array, backward = false): void {
  const { n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow } = g;
  const rows = n * oh * ow;
  for (let ch = 0, r = 0; ch < c; ch++) {
    for (let ky = 0; ky < kh; ky++) {
      for (let kx = 0; kx < kw; kx++, r++) {
        // the output columns whose input column ix = ox·sw - pw + kx·dw lies inside the image
        const shift = kx * dw - pw;
        const ox0 = Math.max(0, Math.ceil(-shift / sw)), ox1 = Math.min(ow, Math.floor((w - 1 - shift) / sw) + 1);
        for (let b = 0; b < n; b++) {
          const plane = (b * c + ch) * h * w;
          for (let oy = 0; oy < oh; oy++) {
            const iy = oy * sh - ph + ky * dh;
            if (iy < 0 || iy >= h) continue; // padding: the buffer is already zero
            const dst = r * rows + (b * oh + oy) * ow, src = plane + iy * w + shift;
            // backward = col2im, the adjoint: add each column's gradient back where its value was read
            if (backward) for (let ox = ox0; ox < ox1; ox++) X[src + ox * sw] += cols[dst + ox];
            else for (let ox = ox0; ox < ox1; ox++) cols[dst + ox] = X[src + ox * sw];
          }
        }
      }
    }
  }
}

/**
 * 2-D convolution (cross-correlation, as every framework computes it) of x [N, C, H, W] with weight
 * [O, C, KH, KW] and an optional bias [O], giving [N, O, OH, OW] with OH = ⌊(H + 2p - d(KH - 1) - 1) / s⌋ + 1.
 * Computed as im2col then one matmul through the active backend: Y [O, N·OH·OW] = W · cols, or, where the backend has
 * a convolution kernel (the wasm backend), image by image without the im2col buffer, in the same order.
 * Backward: dW = dY · colsᵀ, dcols = Wᵀ · dY (col2im back to dx), db = sums of dY. With `activation: 'relu'`,
 * max(0, y) in the same op, and dY masked by y > 0 in its backward. Matches `torch.nn.functional.conv2d` (groups = 1).
 */
export function conv2d(input: Tensor, weight: Tensor, bias: Tensor | null = null, options: Conv2dOptions = {}): Tensor {
  const op = 'conv2d';
  const x = expectTensor(op, input, 'input'), wt = expectTensor(op, weight, 'weight');
  if (wt.ndim !== 4) throw new RangeError(`${op}: expected a 4-d weight [out, in, kh, kw], got ${formatShape(wt.shape)}`);
  if (x.ndim === 4 && x.shape[1] !== wt.shape[1]) {
    throw new RangeError(`${op}: expected input with ${wt.shape[1]} channels (weight ${formatShape(wt.shape)}), got ${formatShape(x.shape)}`);
  }
  const [oc, , kh, kw] = wt.shape;
  if (bias !== null && (expectTensor(op, bias, 'bias').ndim !== 1 || bias.shape[0] !== oc)) {
    throw new RangeError(`${op}: expected bias of shape [${oc}], got ${formatShape(bias.shape)}`);
  }
  const activation = options.activation ?? 'none';
  if (activation !== 'none' && activation !== 'relu') throw new RangeError(`${op}: expected activation 'none' or 'relu', got ${JSON.stringify(activation)}`);
  const g = window2d(op, x, [kh, kw], {
    stride: pair(op, 'stride', options.stride ?? 1, 1),
    padding: pair(op, 'padding', options.padding ?? 0, 0),
    dilation: pair(op, 'dilation', options.dilation ?? 1, 1),
  });
  const relu = activation === 'relu';
  const fast = getBackend().kernels;
  if (fast?.conv2d !== undefined && fast.conv2dBackward !== undefined) {
    return conv2dKernel(fast, x, wt, bias, g, oc, relu);
  }
  return conv2dIm2col(x, wt, bias, g, oc, relu);
}

/** The convolution through the backend's kernels: no im2col buffer, no re-layout, bias and ReLU in the same pass. */
function conv2dKernel(fast: FastKernels, x: Tensor, wt: Tensor, bias: Tensor | null, g: Window2d, oc: number, relu: boolean): Tensor {
  const geometry: ConvGeometry = { n: g.n, c: g.c, h: g.h, w: g.w, o: oc, kh: g.kh, kw: g.kw, sh: g.sh, sw: g.sw, ph: g.ph, pw: g.pw, dh: g.dh, dw: g.dw };
  const y = alloc(g.n * oc * g.oh * g.ow);
  fast.conv2d!(x.data, wt.data, bias === null ? null : bias.data, y, geometry, relu);
  const inputs = bias === null ? [x, wt] : [x, wt, bias];
  return record(relu ? 'conv2d+relu' : 'conv2d', y, [g.n, oc, g.oh, g.ow], inputs, (gy) => {
    const dx = x.requiresGrad ? alloc(x.size) : null, dw = wt.requiresGrad ? alloc(wt.size) : null;
    const db = bias !== null && bias.requiresGrad ? alloc(oc) : null;
    // d relu / d y = 1 where y > 0, else 0: the kernel masks dY with the output it keeps
    fast.conv2dBackward!(x.data, wt.data, relu ? y : null, gy, dx, dw, db, geometry);
    return bias === null ? [dx, dw] : [dx, dw, db];
  });
}

/** The convolution as im2col then one matmul through the active backend, the ReLU in the copy out. */
function conv2dIm2col(x: Tensor, wt: Tensor, bias: Tensor | null, g: Window2d, oc: number, relu: boolean): Tensor {
  const op = relu ? 'conv2d+relu' : 'conv2d';
  const { kh, kw } = g;
  const rows = g.n * g.oh * g.ow, ck = g.c * kh * kw, area = g.oh * g.ow;
  const backend = getBackend();
  const cols = alloc(ck * rows);
  im2col(x.data, g, cols);
  const yt = alloc(oc * rows);
  backend.matmul(wt.data, cols, yt, oc, ck, rows, false, false); // (oc x ck)(ck x rows)
  // yt is [O, N·OH·OW]: copy each image's planes into NCHW and add the bias
  const y = alloc(rows * oc), B = bias?.data;
  for (let b = 0; b < g.n; b++) {
    for (let o = 0; o < oc; o++) {
      const dst = (b * oc + o) * area, src = o * rows + b * area, bo = B === undefined ? 0 : B[o];
      for (let p = 0; p < area; p++) y[dst + p] = yt[src + p] + bo;
      if (relu) for (let p = dst; p < dst + area; p++) y[p] = y[p] > 0 ? y[p] : 0;
    }
  }
  const inputs = bias === null ? [x, wt] : [x, wt, bias];
  return record(op, y, [g.n, oc, g.oh, g.ow], inputs, (gy) => {
    const gt = alloc(oc * rows); // dY back in the [O, N·OH·OW] layout (masked by y > 0 after a fused ReLU)
    for (let b = 0; b < g.n; b++) {
      for (let o = 0; o < oc; o++) {
        const src = (b * oc + o) * area, dst = o * rows + b * area;
        if (relu) for (let p = 0; p < area; p++) gt[dst + p] = y[src + p] > 0 ? gy[src + p] : 0;
        else gt.set(gy.subarray(src, src + area), dst);
      }
    }
    let dx: Float32Array | null = null, dw: Float32Array | null = null, db: Float32Array | null = null;
    if (x.requiresGrad) {
      const dcols = alloc(ck * rows);
      backend.matmul(wt.data, gt, dcols, ck, oc, rows, true, false); // (ck x oc)(oc x rows), W read transposed
      im2col((dx = alloc(x.size)), g, dcols, true);
    }
    if (wt.requiresGrad) {
      dw = alloc(oc * ck);
      backend.matmul(gt, cols, dw, oc, rows, ck, false, true); // (oc x rows)(rows x ck), cols read transposed
    }
    if (bias !== null && bias.requiresGrad) {
      db = alloc(oc);
      for (let o = 0; o < oc; o++) {
        let s = 0;
        for (let r = o * rows, e = r + rows; r < e; r++) s += gt[r];
        db[o] = s;
      }
    }
    return bias === null ? [dx, dw] : [dx, dw, db];
  });
}
