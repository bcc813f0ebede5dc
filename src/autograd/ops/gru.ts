import { checkOptionsObject, checkBoolean } from '../../format/check.js';
import type { Tensor } from '../../tensor/tensor.js';
import { formatShape } from '../../tensor/shape.js';
import { getBackend } from '../../tensor/backends/backend.js';
import { alloc, allocOverwritten, discard } from '../../tensor/pool.js';
import { isGradEnabled, record } from '../engine.js';
import { expectTensor } from './broadcast.js';
import type { SequenceOptions } from './lstm.js';

const sigma = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * One direction of one GRU layer over a whole sequence, fused, with a hand-written backward through time.
 * `xProj` = x_t W_ihᵀ + b_ih for every step, [T * B, 3H] time-major; each step computes a = h_{t-1} W_hhᵀ + b_hh
 * and, in PyTorch's gate order r, z, n:
 *
 *     r = σ(x_r + a_r),  z = σ(x_z + a_z),  n = tanh(x_n + r ⊙ a_n),  h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}
 *
 * (r multiplies the hidden projection including its bias, as `torch.nn.GRU` does). Returns h_t for every time index,
 * [T, B, H]. Equal to the composed ops (a test checks).
 */
export function gruSequence(xProj: Tensor, wHh: Tensor, bHh: Tensor | null, h0: Tensor, options: SequenceOptions = {}): Tensor {
  checkOptionsObject('gruSequence', options, ['reverse', 'approximate']);
  if (options.reverse !== undefined) checkBoolean('gruSequence', 'reverse', options.reverse);
  if (options.approximate !== undefined) checkBoolean('gruSequence', 'approximate', options.approximate);
  for (const [name, t] of [['xProj', xProj], ['wHh', wHh], ['h0', h0]] as const) expectTensor('gruSequence', t, name);
  if (bHh !== null) expectTensor('gruSequence', bHh, 'bHh');
  const H = wHh.shape[1], G = 3 * H, B = h0.shape[0];
  const T = xProj.shape[0] / B;
  if (wHh.ndim !== 2 || wHh.shape[0] !== G || xProj.ndim !== 2 || xProj.shape[1] !== G || !Number.isInteger(T) || T < 1
    || h0.ndim !== 2 || h0.shape[1] !== H || (bHh !== null && (bHh.ndim !== 1 || bHh.shape[0] !== G))) {
    throw new RangeError(`gruSequence: expected xProj [T*B, 3H], wHh [3H, H], bHh [3H], h0 [B, H], got ${formatShape(xProj.shape)}, ${formatShape(wHh.shape)}, ${bHh === null ? 'null' : formatShape(bHh.shape)}, ${formatShape(h0.shape)}`);
  }
  const reverse = options.reverse === true;
  const backend = getBackend();
  const X = xProj.data, W = wHh.data, bias = bHh === null ? null : bHh.data;
  const BH = B * H, BG = B * G;
  // the kernel and the loop write every element of these before reading it
  const out = allocOverwritten(T * BH);
  // saved by time t: r, z, n; the hidden projection a (with its bias); h_{t-1}
  const acts = allocOverwritten(T * BG), hid = allocOverwritten(T * BG), hPrev = allocOverwritten(T * BH);
  // the backend's whole-sequence kernel where it has one (the same bits as this loop on that backend)
  const fast = backend.kernels?.recurrent;
  let hp = h0.data, hpOff = 0;
  if (fast !== undefined) fast.gruForward(X, W, bias, h0.data, out, acts, hid, hPrev, B, H, T, reverse, options.approximate === true);
  for (let s = 0; s < T && fast === undefined; s++) {
    const t = reverse ? T - 1 - s : s;
    const tBH = t * BH, tBG = t * BG;
    hPrev.set(hp.subarray(hpOff, hpOff + BH), tBH);
    const a = hid.subarray(tBG, tBG + BG);
    backend.matmul(hPrev.subarray(tBH, tBH + BH), W, a, B, H, G, false, true);
    for (let b = 0; b < B; b++) {
      const g0 = tBG + b * G, h0ff = tBH + b * H;
      for (let j = 0; j < H; j++) {
        if (bias !== null) { hid[g0 + j] += bias[j]; hid[g0 + H + j] += bias[H + j]; hid[g0 + 2 * H + j] += bias[2 * H + j]; }
        const r = sigma(X[g0 + j] + hid[g0 + j]);
        const z = sigma(X[g0 + H + j] + hid[g0 + H + j]);
        const n = Math.tanh(X[g0 + 2 * H + j] + r * hid[g0 + 2 * H + j]);
        acts[g0 + j] = r; acts[g0 + H + j] = z; acts[g0 + 2 * H + j] = n;
        out[h0ff + j] = (1 - z) * n + z * hPrev[h0ff + j];
      }
    }
    hp = out; hpOff = tBH;
  }
  const inputs = bHh === null ? [xProj, wHh, h0] : [xProj, wHh, bHh, h0];
  // what the backward would read, given back at once when no graph records this op
  if (!isGradEnabled() || !inputs.some((t) => t.requiresGrad)) discard([acts, hid, hPrev]);
  return record('gruSequence', out, [T, B, H], inputs, (gOut) => {
    const dX = allocOverwritten(T * BG), dA = allocOverwritten(T * BG); // dL/d(x-side gates), dL/d(hidden projection a): written whole
    let dh = alloc(BH), dhNext = alloc(BH);
    if (fast !== undefined) fast.gruBackward(gOut, W, acts, hid, hPrev, dX, dA, dh, B, H, T, reverse);
    for (let s = T - 1; s >= 0 && fast === undefined; s--) {
      const t = reverse ? T - 1 - s : s;
      const tBH = t * BH, tBG = t * BG;
      for (let k = 0; k < BH; k++) dh[k] += gOut[tBH + k];
      for (let b = 0; b < B; b++) {
        const g0 = tBG + b * G, h0ff = tBH + b * H, k0 = b * H;
        for (let j = 0; j < H; j++) {
          const r = acts[g0 + j], z = acts[g0 + H + j], n = acts[g0 + 2 * H + j], dhj = dh[k0 + j];
          // h = (1 - z) n + z h': dh/dn = 1 - z, dh/dz = h' - n, dh/dh' = z
          const dnPre = dhj * (1 - z) * (1 - n * n);
          const dzPre = dhj * (hPrev[h0ff + j] - n) * z * (1 - z);
          const drPre = dnPre * hid[g0 + 2 * H + j] * r * (1 - r);
          dX[g0 + j] = drPre; dX[g0 + H + j] = dzPre; dX[g0 + 2 * H + j] = dnPre;
          dA[g0 + j] = drPre; dA[g0 + H + j] = dzPre; dA[g0 + 2 * H + j] = dnPre * r;
          dh[k0 + j] = dhj * z; // the direct path to h_{t-1}
        }
      }
      // plus the path through a = h_{t-1} W_hhᵀ: dA_t W_hh
      backend.matmul(dA.subarray(tBG, tBG + BG), W, dhNext, B, G, H, false, false);
      for (let k = 0; k < BH; k++) dhNext[k] += dh[k];
      const swap = dh; dh = dhNext; dhNext = swap;
    }
    let dW: Float32Array | null = null, db: Float32Array | null = null;
    if (wHh.requiresGrad) {
      dW = allocOverwritten(G * H);
      backend.matmul(dA, hPrev, dW, G, T * B, H, true, false);
    }
    if (bHh !== null && bHh.requiresGrad) {
      db = alloc(G);
      if (backend.kernels !== undefined) backend.kernels.columnSums(dA, db, T * B, G);
      else for (let r = 0; r < T * B; r++) for (let j = 0, o = r * G; j < G; j++) db[j] += dA[o + j];
    }
    const dx = xProj.requiresGrad ? dX : null, dh0 = h0.requiresGrad ? dh : null;
    return bHh === null ? [dx, dW, dh0] : [dx, dW, db, dh0];
  });
}
