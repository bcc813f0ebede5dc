import { checkOptionsObject, checkBoolean } from '../../format/check.js';
import type { Tensor } from '../../tensor/tensor.js';
import { formatShape } from '../../tensor/shape.js';
import { getBackend } from '../../tensor/backends/backend.js';
import { alloc, allocOverwritten, discard } from '../../tensor/pool.js';
import { isGradEnabled, record } from '../engine.js';
import { expectTensor } from './broadcast.js';

/** Options of `lstmSequence`. */
export interface SequenceOptions {
  /** Walk the sequence from its last step to its first (the backward direction of a bidirectional layer). */
  reverse?: boolean;
  /**
   * σ and tanh as float32 approximations, each within 2e-7 of the exact value (absolute), on backends whose
   * recurrent kernels have them (wasm; elsewhere the exact functions run). Default false: the exact functions,
   * computed in double precision.
   */
  approximate?: boolean;
}

const sigma = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * One direction of one LSTM layer over a whole sequence, fused: the recurrence and the cell in one op with a
 * hand-written backward (backpropagation through time). `xProj` is the input projection of every step,
 * x_t W_ihᵀ + b_ih, computed beforehand in one matmul, shaped [T * B, 4H] (time-major). Each step adds
 * h_{t-1} W_hhᵀ + b_hh and applies the cell, gates in PyTorch's order i, f, g, o:
 *
 *     i = σ(·), f = σ(·), g = tanh(·), o = σ(·);   c_t = f ⊙ c_{t-1} + i ⊙ g;   h_t = o ⊙ tanh(c_t)
 *
 * Returns one tensor [T + 1, B, H]: rows 0..T-1 are h_t at each time index, row T is the final cell state c.
 * (One output keeps the engine single-output; the layer slices it.) Equal to the composed ops (a test checks).
 */
export function lstmSequence(xProj: Tensor, wHh: Tensor, bHh: Tensor | null, h0: Tensor, c0: Tensor, options: SequenceOptions = {}): Tensor {
  checkOptionsObject('lstmSequence', options, ['reverse', 'approximate']);
  if (options.reverse !== undefined) checkBoolean('lstmSequence', 'reverse', options.reverse);
  if (options.approximate !== undefined) checkBoolean('lstmSequence', 'approximate', options.approximate);
  for (const [name, t] of [['xProj', xProj], ['wHh', wHh], ['h0', h0], ['c0', c0]] as const) expectTensor('lstmSequence', t, name);
  if (bHh !== null) expectTensor('lstmSequence', bHh, 'bHh');
  const H = wHh.shape[1], G = 4 * H, B = h0.shape[0];
  const T = xProj.shape[0] / B;
  if (wHh.ndim !== 2 || wHh.shape[0] !== G || xProj.ndim !== 2 || xProj.shape[1] !== G || !Number.isInteger(T) || T < 1
    || h0.ndim !== 2 || h0.shape[1] !== H || c0.ndim !== 2 || c0.shape[0] !== B || c0.shape[1] !== H
    || (bHh !== null && (bHh.ndim !== 1 || bHh.shape[0] !== G))) {
    throw new RangeError(`lstmSequence: expected xProj [T*B, 4H], wHh [4H, H], bHh [4H], h0 and c0 [B, H], got ${formatShape(xProj.shape)}, ${formatShape(wHh.shape)}, ${bHh === null ? 'null' : formatShape(bHh.shape)}, ${formatShape(h0.shape)}, ${formatShape(c0.shape)}`);
  }
  const reverse = options.reverse === true;
  const backend = getBackend();
  const X = xProj.data, W = wHh.data, bias = bHh === null ? null : bHh.data;
  const BH = B * H, BG = B * G;
  // the backend's whole-sequence kernel where it has one (the same bits as this loop on that backend)
  const fast = backend.kernels?.recurrent;
  // the kernel and the loop write every element of these before reading it
  const out = allocOverwritten((T + 1) * BH);
  // saved for the backward, indexed by time t: activated gates, h_{t-1} and c_{t-1} as that step saw them, tanh(c_t)
  const acts = allocOverwritten(T * BG), hPrev = allocOverwritten(T * BH), cPrev = allocOverwritten(T * BH), tanhC = allocOverwritten(T * BH);
  const pre = fast === undefined ? alloc(BG) : new Float32Array(0); // h_{t-1} W_hhᵀ for the loop, reused by every step
  let hp = h0.data, hpOff = 0, cp = c0.data, cpOff = 0;
  if (fast !== undefined) fast.lstmForward(X, W, bias, h0.data, c0.data, out, acts, hPrev, cPrev, tanhC, B, H, T, reverse, options.approximate === true);
  for (let s = 0; s < T && fast === undefined; s++) {
    const t = reverse ? T - 1 - s : s;
    const tBH = t * BH, tBG = t * BG;
    hPrev.set(hp.subarray(hpOff, hpOff + BH), tBH);
    cPrev.set(cp.subarray(cpOff, cpOff + BH), tBH);
    backend.matmul(hPrev.subarray(tBH, tBH + BH), W, pre, B, H, G, false, true);
    for (let b = 0; b < B; b++) {
      const g0 = tBG + b * G, p0 = b * G, h0ff = tBH + b * H;
      for (let j = 0; j < H; j++) {
        const bi = bias === null ? 0 : bias[j], bf = bias === null ? 0 : bias[H + j];
        const bg = bias === null ? 0 : bias[2 * H + j], bo = bias === null ? 0 : bias[3 * H + j];
        const i = sigma(X[g0 + j] + pre[p0 + j] + bi);
        const f = sigma(X[g0 + H + j] + pre[p0 + H + j] + bf);
        const g = Math.tanh(X[g0 + 2 * H + j] + pre[p0 + 2 * H + j] + bg);
        const o = sigma(X[g0 + 3 * H + j] + pre[p0 + 3 * H + j] + bo);
        const c = f * cPrev[h0ff + j] + i * g;
        const tc = Math.tanh(c);
        acts[g0 + j] = i; acts[g0 + H + j] = f; acts[g0 + 2 * H + j] = g; acts[g0 + 3 * H + j] = o;
        tanhC[h0ff + j] = tc;
        out[T * BH + b * H + j] = c; // the latest c; after the last step, the final state
        out[h0ff + j] = o * tc;
      }
    }
    hp = out; hpOff = tBH;
    cp = out; cpOff = T * BH;
  }
  const inputs = bHh === null ? [xProj, wHh, h0, c0] : [xProj, wHh, bHh, h0, c0];
  // what the backward would read, given back at once when no graph records this op
  if (!isGradEnabled() || !inputs.some((t) => t.requiresGrad)) discard(fast === undefined ? [acts, hPrev, cPrev, tanhC, pre] : [acts, hPrev, cPrev, tanhC]);
  return record('lstmSequence', out, [T + 1, B, H], inputs, (gOut) => {
    const dGates = allocOverwritten(T * BG); // dL/d(pre-activation gates) by time: also dL/dxProj (written whole)
    let dh = alloc(BH), dhNext = alloc(BH);
    const dc = alloc(BH);
    dc.set(gOut.subarray(T * BH, (T + 1) * BH));
    if (fast !== undefined) fast.lstmBackward(gOut, W, acts, cPrev, tanhC, dGates, dh, dc, B, H, T, reverse);
    for (let s = T - 1; s >= 0 && fast === undefined; s--) {
      const t = reverse ? T - 1 - s : s;
      const tBH = t * BH, tBG = t * BG;
      for (let k = 0; k < BH; k++) dh[k] += gOut[tBH + k];
      for (let b = 0; b < B; b++) {
        const g0 = tBG + b * G, h0ff = tBH + b * H, k0 = b * H;
        for (let j = 0; j < H; j++) {
          const i = acts[g0 + j], f = acts[g0 + H + j], g = acts[g0 + 2 * H + j], o = acts[g0 + 3 * H + j];
          const tc = tanhC[h0ff + j], dhj = dh[k0 + j];
          // h = o tanh(c): dh/do = tanh(c), dh/dc = o (1 - tanh²c); c = f c' + i g
          const dcj = dc[k0 + j] + dhj * o * (1 - tc * tc);
          dGates[g0 + j] = dcj * g * i * (1 - i);             // dσ/dx = σ (1 - σ)
          dGates[g0 + H + j] = dcj * cPrev[h0ff + j] * f * (1 - f);
          dGates[g0 + 2 * H + j] = dcj * i * (1 - g * g);     // dtanh/dx = 1 - tanh²
          dGates[g0 + 3 * H + j] = dhj * tc * o * (1 - o);
          dc[k0 + j] = dcj * f;                               // dL/dc_{t-1}
        }
      }
      // dL/dh_{t-1} through the recurrence: dGates_t W_hh
      backend.matmul(dGates.subarray(tBG, tBG + BG), W, dhNext, B, G, H, false, false);
      const swap = dh; dh = dhNext; dhNext = swap;
    }
    let dW: Float32Array | null = null, db: Float32Array | null = null;
    if (wHh.requiresGrad) {
      dW = allocOverwritten(G * H);
      backend.matmul(dGates, hPrev, dW, G, T * B, H, true, false); // every step in one matmul: dGatesᵀ h_{t-1}
    }
    if (bHh !== null && bHh.requiresGrad) {
      db = alloc(G);
      if (backend.kernels !== undefined) backend.kernels.columnSums(dGates, db, T * B, G);
      else for (let r = 0; r < T * B; r++) for (let j = 0, o = r * G; j < G; j++) db[j] += dGates[o + j];
    }
    const grads = [xProj.requiresGrad ? dGates : null, dW, db, h0.requiresGrad ? dh : null, c0.requiresGrad ? dc : null];
    return bHh === null ? [grads[0], dW, grads[3], grads[4]] : grads;
  });
}
