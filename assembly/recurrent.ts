// The recurrent layers' sequence kernels: one call runs an LSTM or GRU direction over every time step, forward or
// backward. Each step packs h_{t-1} and multiplies it by the recurrent weights, packed once per call, with the
// matmul's own packA and tiles (so the product has the matmul's bits), then applies the cell in double precision with
// fdlibm's exp, expm1 and tanh, the functions behind V8's Math.exp and Math.tanh: the results are the bits of the
// JavaScript cell the cpu backend runs (src/autograd/ops/lstm.ts, gru.ts), operation for operation.
import { packA, packB, tiles } from './gemm';

// ---- fdlibm (FreeBSD msun, as ported in V8's src/base/ieee754.cc): exp, expm1, tanh, bit for bit

// @ts-ignore: decorator
@inline function highWord(x: f64): u32 {
  return <u32>(reinterpret<u64>(x) >> 32);
}

// @ts-ignore: decorator
@inline function fromHighWord(h: u32): f64 {
  return reinterpret<f64>(<u64>h << 32);
}

const LN2_HI: f64 = 6.93147180369123816490e-01;
const LN2_LO: f64 = 1.90821492927058770002e-10;
const INV_LN2: f64 = 1.44269504088896338700e+00;

/** e^x as V8's Math.exp computes it (fdlibm's __ieee754_exp). */
export function fdlibmExp(x: f64): f64 {
  let hx = highWord(x);
  const xsb = <i32>((hx >> 31) & 1);
  hx &= 0x7fffffff;
  let hi: f64 = 0, lo: f64 = 0, k: i32 = 0;
  if (hx >= 0x40862E42) {
    if (hx >= 0x7ff00000) return x != x ? x + x : xsb == 0 ? x : 0.0;
    if (x > 7.09782712893383973096e+02) return Infinity;
    if (x < -7.45133219101941108420e+02) return 0.0;
  }
  if (hx > 0x3FD62E42) {
    if (hx < 0x3FF0A2B2) {
      if (x == 1.0) return 2.718281828459045;
      hi = x - (xsb ? -LN2_HI : LN2_HI);
      lo = xsb ? -LN2_LO : LN2_LO;
      k = 1 - xsb - xsb;
    } else {
      k = <i32>(INV_LN2 * x + (xsb ? -0.5 : 0.5));
      const t = <f64>k;
      hi = x - t * LN2_HI;
      lo = t * LN2_LO;
    }
    x = hi - lo;
  } else if (hx < 0x3E300000) {
    return 1.0 + x;
  }
  const t = x * x;
  const c = x - t * (1.66666666666666019037e-01 + t * (-2.77777777770155933842e-03 + t * (6.61375632143793436117e-05 + t * (-1.65339022054652515390e-06 + t * 4.13813679705723846039e-08))));
  if (k == 0) return 1.0 - ((x * c) / (c - 2.0) - x);
  const y = 1.0 - ((lo - (x * c) / (2.0 - c)) - hi);
  if (k >= -1021) {
    if (k == 1024) return y * 2.0 * 8.988465674311579539e307;
    return y * fromHighWord(<u32>(0x3FF00000 + (k << 20)));
  }
  return y * fromHighWord(<u32>(0x3FF00000 + ((k + 1000) << 20))) * 9.33263618503218878990e-302;
}

/** e^x - 1 as V8's Math.expm1 computes it (fdlibm's expm1). */
function fdlibmExpm1(x: f64): f64 {
  let hx = highWord(x);
  const xsb = hx & 0x80000000;
  hx &= 0x7fffffff;
  let hi: f64, lo: f64, k: i32, c: f64 = 0;
  if (hx >= 0x4043687A) {
    if (hx >= 0x40862E42) {
      if (hx >= 0x7ff00000) return x != x ? x + x : xsb == 0 ? x : -1.0;
      if (x > 7.09782712893383973096e+02) return Infinity;
    }
    if (xsb != 0) return -1.0;
  }
  if (hx > 0x3FD62E42) {
    if (hx < 0x3FF0A2B2) {
      if (xsb == 0) { hi = x - LN2_HI; lo = LN2_LO; k = 1; } else { hi = x + LN2_HI; lo = -LN2_LO; k = -1; }
    } else {
      k = <i32>(INV_LN2 * x + (xsb == 0 ? 0.5 : -0.5));
      const t = <f64>k;
      hi = x - t * LN2_HI;
      lo = t * LN2_LO;
    }
    x = hi - lo;
    c = (hi - x) - lo;
  } else if (hx < 0x3C900000) {
    return x;
  } else {
    k = 0;
  }
  const hfx = 0.5 * x, hxs = x * hfx;
  const r1 = 1.0 + hxs * (-3.33333333333331316428e-02 + hxs * (1.58730158725481460165e-03 + hxs * (-7.93650757867487942473e-05 + hxs * (4.00821782732936239552e-06 + hxs * -2.01099218183624371326e-07))));
  let t = 3.0 - r1 * hfx;
  let e = hxs * ((r1 - t) / (6.0 - x * t));
  if (k == 0) return x - (x * e - hxs);
  const twopk = fromHighWord(<u32>(0x3FF00000 + (k << 20)));
  e = x * (e - c) - c;
  e -= hxs;
  if (k == -1) return 0.5 * (x - e) - 0.5;
  if (k == 1) return x < -0.25 ? -2.0 * (e - (x + 0.5)) : 1.0 + 2.0 * (x - e);
  let y: f64;
  if (k <= -2 || k > 56) {
    y = 1.0 - (e - x);
    y = k == 1024 ? y * 2.0 * 8.98846567431157953865e+307 : y * twopk;
    return y - 1.0;
  }
  if (k < 20) {
    t = fromHighWord(<u32>(0x3FF00000 - (0x200000 >> k)));
    y = (t - (e - x)) * twopk;
  } else {
    t = fromHighWord(<u32>((0x3FF - k) << 20));
    y = x - (e + t);
    y += 1.0;
    y = y * twopk;
  }
  return y;
}

/** tanh(x) as V8's Math.tanh computes it (fdlibm's tanh). */
export function fdlibmTanh(x: f64): f64 {
  const jx = <i32>highWord(x), ix = jx & 0x7fffffff;
  let z: f64;
  if (ix >= 0x7ff00000) return jx >= 0 ? 1.0 / x + 1.0 : 1.0 / x - 1.0;
  if (ix < 0x40360000) {
    if (ix < 0x3E300000) return x;
    if (ix >= 0x3FF00000) {
      const t = fdlibmExpm1(2.0 * abs(x));
      z = 1.0 - 2.0 / (t + 2.0);
    } else {
      const t = fdlibmExpm1(-2.0 * abs(x));
      z = -t / (t + 2.0);
    }
  } else {
    z = 1.0;
  }
  return jx >= 0 ? z : -z;
}

// @ts-ignore: decorator
@inline function sigma(x: f64): f64 {
  return 1.0 / (1.0 + fdlibmExp(-x));
}

// @ts-ignore: decorator
@inline function ld(p: usize, i: i32): f64 {
  return <f64>load<f32>(p + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline function st(p: usize, i: i32, v: f64): void {
  store<f32>(p + (<usize>i << 2), <f32>v);
}

// @ts-ignore: decorator
@inline function biasAt(bias: usize, i: i32): f64 {
  return bias == 0 ? 0.0 : ld(bias, i);
}

/**
 * An LSTM direction over T steps (gates i, f, g, o). x: [T*B, 4H] input projections; w: [4H, H]; bias: [4H] or 0;
 * h0, c0: [B, H]; out: [T+1, B, H] (h_t by time index, then the last c); saved for the backward by time index:
 * acts [T, B, 4H] (the activated gates), hPrev and cPrev [T, B, H], tanhC [T, B, H]. Scratch: wp (4H*H rounded up to
 * panels), ap (B rounded to 4, times H), pre [B, 4H].
 */
export function lstmForward(x: usize, w: usize, bias: usize, h0: usize, c0: usize, out: usize, acts: usize, hPrev: usize, cPrev: usize, tanhC: usize, wp: usize, ap: usize, pre: usize, B: i32, H: i32, T: i32, reverse: i32): void {
  const G = 4 * H, BH = B * H, BG = B * G, panels = (G + 7) >> 3;
  packB(w, wp, H, G, 1, 0, panels);
  let hp = h0, cp = c0;
  const cOut = out + (<usize>(T * BH) << 2);
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    const tBH = t * BH, tBG = t * BG;
    const hAt = hPrev + (<usize>tBH << 2), cAt = cPrev + (<usize>tBH << 2);
    memory.copy(hAt, hp, <usize>BH << 2);
    memory.copy(cAt, cp, <usize>BH << 2);
    packA(hAt, ap, B, H, 0);
    tiles(ap, wp, pre, B, H, G, 0, panels);
    for (let b = 0; b < B; b++) {
      const g0 = tBG + b * G, p0 = b * G, hOff = tBH + b * H, cRow = b * H;
      for (let j = 0; j < H; j++) {
        const i = sigma(ld(x, g0 + j) + ld(pre, p0 + j) + biasAt(bias, j));
        const f = sigma(ld(x, g0 + H + j) + ld(pre, p0 + H + j) + biasAt(bias, H + j));
        const g = fdlibmTanh(ld(x, g0 + 2 * H + j) + ld(pre, p0 + 2 * H + j) + biasAt(bias, 2 * H + j));
        const o = sigma(ld(x, g0 + 3 * H + j) + ld(pre, p0 + 3 * H + j) + biasAt(bias, 3 * H + j));
        const c = f * ld(cPrev, hOff + j) + i * g;
        const tc = fdlibmTanh(c);
        st(acts, g0 + j, i); st(acts, g0 + H + j, f); st(acts, g0 + 2 * H + j, g); st(acts, g0 + 3 * H + j, o);
        st(tanhC, hOff + j, tc);
        st(cOut, cRow + j, c);
        st(out, hOff + j, o * tc);
      }
    }
    hp = out + (<usize>tBH << 2);
    cp = cOut;
  }
}

/**
 * The LSTM direction's backpropagation through time. gOut: [T+1, B, H] (dL/dh_t by time index, then dL/dc_T);
 * writes dGates [T, B, 4H] (dL/d pre-activation gates) and dh, dc [B, H] (dL/dh0, dL/dc0; dh zero on entry).
 * Scratch: dhNext [B, H], wp (the 4H x H weights packed), ap (B rounded to 4, times 4H).
 */
export function lstmBackward(gOut: usize, w: usize, acts: usize, cPrev: usize, tanhC: usize, dGates: usize, dh: usize, dc: usize, dhNext: usize, wp: usize, ap: usize, B: i32, H: i32, T: i32, reverse: i32): void {
  const G = 4 * H, BH = B * H, BG = B * G, panels = (H + 7) >> 3;
  packB(w, wp, G, H, 0, 0, panels);
  memory.copy(dc, gOut + (<usize>(T * BH) << 2), <usize>BH << 2);
  let cur = dh, next = dhNext;
  for (let s = T - 1; s >= 0; s--) {
    const t = reverse ? T - 1 - s : s;
    const tBH = t * BH, tBG = t * BG;
    for (let k = 0; k < BH; k++) store<f32>(cur + (<usize>k << 2), load<f32>(cur + (<usize>k << 2)) + load<f32>(gOut + (<usize>(tBH + k) << 2)));
    for (let b = 0; b < B; b++) {
      const g0 = tBG + b * G, hOff = tBH + b * H, k0 = b * H;
      for (let j = 0; j < H; j++) {
        const i = ld(acts, g0 + j), f = ld(acts, g0 + H + j), g = ld(acts, g0 + 2 * H + j), o = ld(acts, g0 + 3 * H + j);
        const tc = ld(tanhC, hOff + j), dhj = ld(cur, k0 + j);
        const dcj = ld(dc, k0 + j) + dhj * o * (1.0 - tc * tc);
        st(dGates, g0 + j, dcj * g * i * (1.0 - i));
        st(dGates, g0 + H + j, dcj * ld(cPrev, hOff + j) * f * (1.0 - f));
        st(dGates, g0 + 2 * H + j, dcj * i * (1.0 - g * g));
        st(dGates, g0 + 3 * H + j, dhj * tc * o * (1.0 - o));
        st(dc, k0 + j, dcj * f);
      }
    }
    packA(dGates + (<usize>tBG << 2), ap, B, G, 0);
    tiles(ap, wp, next, B, G, H, 0, panels);
    const swap = cur; cur = next; next = swap;
  }
  if (cur != dh) memory.copy(dh, cur, <usize>BH << 2);
}

/**
 * A GRU direction over T steps (gates r, z, n). x: [T*B, 3H]; w: [3H, H]; bias: [3H] or 0; h0: [B, H]; out: [T, B, H];
 * saved by time index: acts [T, B, 3H] (r, z, n), hid [T, B, 3H] (h_{t-1} W_hhᵀ + b_hh), hPrev [T, B, H].
 * Scratch: wp, ap as for the LSTM.
 */
export function gruForward(x: usize, w: usize, bias: usize, h0: usize, out: usize, acts: usize, hid: usize, hPrev: usize, wp: usize, ap: usize, B: i32, H: i32, T: i32, reverse: i32): void {
  const G = 3 * H, BH = B * H, BG = B * G, panels = (G + 7) >> 3;
  packB(w, wp, H, G, 1, 0, panels);
  let hp = h0;
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    const tBH = t * BH, tBG = t * BG;
    const hAt = hPrev + (<usize>tBH << 2);
    memory.copy(hAt, hp, <usize>BH << 2);
    packA(hAt, ap, B, H, 0);
    tiles(ap, wp, hid + (<usize>tBG << 2), B, H, G, 0, panels);
    for (let b = 0; b < B; b++) {
      const g0 = tBG + b * G, hOff = tBH + b * H;
      for (let j = 0; j < H; j++) {
        if (bias != 0) {
          // float32 sums stored, as the JavaScript cell stores them
          store<f32>(hid + (<usize>(g0 + j) << 2), load<f32>(hid + (<usize>(g0 + j) << 2)) + load<f32>(bias + (<usize>j << 2)));
          store<f32>(hid + (<usize>(g0 + H + j) << 2), load<f32>(hid + (<usize>(g0 + H + j) << 2)) + load<f32>(bias + (<usize>(H + j) << 2)));
          store<f32>(hid + (<usize>(g0 + 2 * H + j) << 2), load<f32>(hid + (<usize>(g0 + 2 * H + j) << 2)) + load<f32>(bias + (<usize>(2 * H + j) << 2)));
        }
        const r = sigma(ld(x, g0 + j) + ld(hid, g0 + j));
        const z = sigma(ld(x, g0 + H + j) + ld(hid, g0 + H + j));
        const n = fdlibmTanh(ld(x, g0 + 2 * H + j) + r * ld(hid, g0 + 2 * H + j));
        st(acts, g0 + j, r); st(acts, g0 + H + j, z); st(acts, g0 + 2 * H + j, n);
        st(out, hOff + j, (1.0 - z) * n + z * ld(hPrev, hOff + j));
      }
    }
    hp = out + (<usize>tBH << 2);
  }
}

/**
 * The GRU direction's backpropagation through time. gOut: [T, B, H]; writes dX [T, B, 3H] (dL/d x-side gates),
 * dA [T, B, 3H] (dL/d hidden projection), dh [B, H] (dL/dh0; zero on entry). Scratch: dhNext, wp, ap as for the LSTM.
 */
export function gruBackward(gOut: usize, w: usize, acts: usize, hid: usize, hPrev: usize, dX: usize, dA: usize, dh: usize, dhNext: usize, wp: usize, ap: usize, B: i32, H: i32, T: i32, reverse: i32): void {
  const G = 3 * H, BH = B * H, BG = B * G, panels = (H + 7) >> 3;
  packB(w, wp, G, H, 0, 0, panels);
  let cur = dh, next = dhNext;
  for (let s = T - 1; s >= 0; s--) {
    const t = reverse ? T - 1 - s : s;
    const tBH = t * BH, tBG = t * BG;
    for (let k = 0; k < BH; k++) store<f32>(cur + (<usize>k << 2), load<f32>(cur + (<usize>k << 2)) + load<f32>(gOut + (<usize>(tBH + k) << 2)));
    for (let b = 0; b < B; b++) {
      const g0 = tBG + b * G, hOff = tBH + b * H, k0 = b * H;
      for (let j = 0; j < H; j++) {
        const r = ld(acts, g0 + j), z = ld(acts, g0 + H + j), n = ld(acts, g0 + 2 * H + j), dhj = ld(cur, k0 + j);
        const dnPre = dhj * (1.0 - z) * (1.0 - n * n);
        const dzPre = dhj * (ld(hPrev, hOff + j) - n) * z * (1.0 - z);
        const drPre = dnPre * ld(hid, g0 + 2 * H + j) * r * (1.0 - r);
        st(dX, g0 + j, drPre); st(dX, g0 + H + j, dzPre); st(dX, g0 + 2 * H + j, dnPre);
        st(dA, g0 + j, drPre); st(dA, g0 + H + j, dzPre); st(dA, g0 + 2 * H + j, dnPre * r);
        st(cur, k0 + j, dhj * z);
      }
    }
    packA(dA + (<usize>tBG << 2), ap, B, G, 0);
    tiles(ap, wp, next, B, G, H, 0, panels);
    for (let k = 0; k < BH; k++) store<f32>(next + (<usize>k << 2), load<f32>(next + (<usize>k << 2)) + load<f32>(cur + (<usize>k << 2)));
    const swap = cur; cur = next; next = swap;
  }
  if (cur != dh) memory.copy(dh, cur, <usize>BH << 2);
}
