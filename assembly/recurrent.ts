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

// ---- the same functions on two lanes (f64x2): every branch computed and the lane's own selected, so each lane
// gets the scalar function's bits. exp2 and tanh2 take lanes of the common range (|x| < 708 for exp, finite for
// tanh) and fall back to the scalar functions otherwise.
//
// Their constants are loaded from a table at fixed addresses: V8 builds a v128 constant anew at each use with
// several instructions, where a load is one (fdlibm's exp on two lanes went from 10.9 to 7.5 ns an element).

const F64 = memory.data<f64>([
  0.0, 0.0, 1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 6.0, 6.0, 0.5, 0.5, -0.5, -0.5, -1.0, -1.0, -2.0, -2.0, -0.25, -0.25,
  20.0, 20.0, 56.0, 56.0, INV_LN2, INV_LN2, LN2_HI, LN2_HI, LN2_LO, LN2_LO, 2.718281828459045, 2.718281828459045,
  6755399441055744.0, 6755399441055744.0,
  // fdlibm exp's P1..P5
  1.66666666666666019037e-01, 1.66666666666666019037e-01, -2.77777777770155933842e-03, -2.77777777770155933842e-03,
  6.61375632143793436117e-05, 6.61375632143793436117e-05, -1.65339022054652515390e-06, -1.65339022054652515390e-06,
  4.13813679705723846039e-08, 4.13813679705723846039e-08,
  // fdlibm expm1's Q1..Q5
  -3.33333333333331316428e-02, -3.33333333333331316428e-02, 1.58730158725481460165e-03, 1.58730158725481460165e-03,
  -7.93650757867487942473e-05, -7.93650757867487942473e-05, 4.00821782732936239552e-06, 4.00821782732936239552e-06,
  -2.01099218183624371326e-07, -2.01099218183624371326e-07,
]);
const ZERO = 0, ONE = 1, TWO = 2, THREE = 3, SIX = 4, HALF = 5, M_HALF = 6, M_ONE = 7, M_TWO = 8, M_QUARTER = 9;
const TWENTY = 10, FIFTY_SIX = 11, INV_LN2_2 = 12, LN2_HI_2 = 13, LN2_LO_2 = 14, E = 15, ROUND_MAGIC = 16;
const P1 = 17, P2 = 18, P3 = 19, P4 = 20, P5 = 21, Q1 = 22, Q2 = 23, Q3 = 24, Q4 = 25, Q5 = 26;

/** High words, in both 64-bit lanes. */
const I64 = memory.data<i64>([
  0x7fffffff, 0x7fffffff, 1023, 1023, 0x3FD62E42, 0x3FD62E42, 0x3FF0A2B2, 0x3FF0A2B2, 0x40862000, 0x40862000,
  0x3E300000, 0x3E300000, 0x3FF00000, 0x3FF00000, 0x40360000, 0x40360000, 0x7ff00000, 0x7ff00000,
]);
const ABS_MASK = 0, BIAS = 1, HALF_LN2_HIGH = 2, LN2_3_2_HIGH = 3, EXP_BIG_HIGH = 4, TINY_HIGH = 5, ONE_HIGH = 6;
const TANH_ONE_HIGH = 7, INF_HIGH = 8;

/** Constant i of the f64 table, in both lanes. */
// @ts-ignore: decorator
@inline function f64c(i: i32): v128 {
  return v128.load(F64 + (<usize>i << 4));
}

/** Constant i of the i64 table, in both lanes. */
// @ts-ignore: decorator
@inline function i64c(i: i32): v128 {
  return v128.load(I64 + (<usize>i << 4));
}

// @ts-ignore: decorator
@inline function select(mask: v128, a: v128, b: v128): v128 {
  return v128.bitselect(a, b, mask);
}

/** The high word of |x| in each 64-bit lane. */
// @ts-ignore: decorator
@inline function absHigh(x: v128): v128 {
  return v128.and(i64x2.shr_u(x, 32), i64c(ABS_MASK));
}

/** 2^k for integer-valued lanes k in [-1022, 1023]: k + 1.5 * 2^52 holds k in its low bits, then shifted into the exponent. */
// @ts-ignore: decorator
@inline function pow2(k: v128): v128 {
  return i64x2.shl(i64x2.add(f64x2.add(k, f64c(ROUND_MAGIC)), i64c(BIAS)), 52);
}

/** fdlibm's argument reduction k (0 for |x| <= ln2 / 2, ±1 up to 1.5 ln2, else round(x / ln2) away from 0). */
// @ts-ignore: decorator
@inline function reduction(x: v128, hx: v128): v128 {
  const neg = f64x2.lt(x, f64c(ZERO));
  const big = i64x2.gt_s(hx, i64c(HALF_LN2_HIGH));
  const mid = v128.and(big, i64x2.lt_s(hx, i64c(LN2_3_2_HIGH)));
  const k = f64x2.trunc(f64x2.add(f64x2.mul(f64c(INV_LN2_2), x), select(neg, f64c(M_HALF), f64c(HALF))));
  return v128.and(select(mid, select(neg, f64c(M_ONE), f64c(ONE)), k), big);
}

function exp2(x: v128): v128 {
  const hx = absHigh(x);
  if (v128.any_true(i64x2.ge_s(hx, i64c(EXP_BIG_HIGH)))) {
    return f64x2.replace_lane(f64x2.splat(fdlibmExp(f64x2.extract_lane(x, 0))), 1, fdlibmExp(f64x2.extract_lane(x, 1)));
  }
  const k = reduction(x, hx);
  const hi = f64x2.sub(x, f64x2.mul(k, f64c(LN2_HI_2))), lo = f64x2.mul(k, f64c(LN2_LO_2));
  const r = f64x2.sub(hi, lo), t = f64x2.mul(r, r);
  let p = f64x2.add(f64c(P4), f64x2.mul(t, f64c(P5)));
  p = f64x2.add(f64c(P3), f64x2.mul(t, p));
  p = f64x2.add(f64c(P2), f64x2.mul(t, p));
  p = f64x2.add(f64c(P1), f64x2.mul(t, p));
  const c = f64x2.sub(r, f64x2.mul(t, p));
  const k0 = f64x2.eq(k, f64c(ZERO));
  const q = f64x2.div(f64x2.mul(r, c), select(k0, f64x2.sub(c, f64c(TWO)), f64x2.sub(f64c(TWO), c)));
  // k = 0: 1 - ((x c)/(c - 2) - x); else (1 - ((lo - (x c)/(2 - c)) - hi)) 2^k
  let y = select(k0, f64x2.sub(f64c(ONE), f64x2.sub(q, r)), f64x2.mul(f64x2.sub(f64c(ONE), f64x2.sub(f64x2.sub(lo, q), hi)), pow2(k)));
  y = select(f64x2.eq(x, f64c(ONE)), f64c(E), y);
  return select(i64x2.lt_s(hx, i64c(TINY_HIGH)), f64x2.add(f64c(ONE), x), y);
}

/** expm1 on lanes in tanh's use: u > -2 or u >= 2, so k is never 1 (fdlibm's early -1 for u < -56 ln2 is not taken). */
function expm1For2(u: v128): v128 {
  const k = reduction(u, absHigh(u));
  const hi = f64x2.sub(u, f64x2.mul(k, f64c(LN2_HI_2))), lo = f64x2.mul(k, f64c(LN2_LO_2));
  const x = f64x2.sub(hi, lo), c = f64x2.sub(f64x2.sub(hi, x), lo);
  const hfx = f64x2.mul(f64c(HALF), x), hxs = f64x2.mul(x, hfx);
  let p = f64x2.add(f64c(Q4), f64x2.mul(hxs, f64c(Q5)));
  p = f64x2.add(f64c(Q3), f64x2.mul(hxs, p));
  p = f64x2.add(f64c(Q2), f64x2.mul(hxs, p));
  p = f64x2.add(f64c(Q1), f64x2.mul(hxs, p));
  const r1 = f64x2.add(f64c(ONE), f64x2.mul(hxs, p));
  const t = f64x2.sub(f64c(THREE), f64x2.mul(r1, hfx));
  const e = f64x2.mul(hxs, f64x2.div(f64x2.sub(r1, t), f64x2.sub(f64c(SIX), f64x2.mul(x, t))));
  const r0 = f64x2.sub(x, f64x2.sub(f64x2.mul(x, e), hxs));
  const e2 = f64x2.sub(f64x2.sub(f64x2.mul(x, f64x2.sub(e, c)), c), hxs);
  const twopk = pow2(k), twomk = pow2(f64x2.neg(k)), xe = f64x2.sub(e2, x);
  const rm1 = f64x2.sub(f64x2.mul(f64c(HALF), f64x2.sub(x, e2)), f64c(HALF));
  const rb = f64x2.sub(f64x2.mul(f64x2.sub(f64c(ONE), xe), twopk), f64c(ONE));
  const rc = f64x2.mul(f64x2.sub(f64x2.sub(f64c(ONE), twomk), xe), twopk);
  const rd = f64x2.mul(f64x2.add(f64x2.sub(x, f64x2.add(e2, twomk)), f64c(ONE)), twopk);
  let y = select(f64x2.lt(k, f64c(TWENTY)), rc, rd);
  y = select(v128.or(f64x2.le(k, f64c(M_TWO)), f64x2.gt(k, f64c(FIFTY_SIX))), rb, y);
  y = select(f64x2.eq(k, f64c(M_ONE)), rm1, y);
  return select(f64x2.eq(k, f64c(ZERO)), r0, y);
}

function tanh2(x: v128): v128 {
  const hx = absHigh(x);
  if (v128.any_true(i64x2.ge_s(hx, i64c(INF_HIGH)))) {
    return f64x2.replace_lane(f64x2.splat(fdlibmTanh(f64x2.extract_lane(x, 0))), 1, fdlibmTanh(f64x2.extract_lane(x, 1)));
  }
  const ax = f64x2.abs(x);
  const ge1 = i64x2.ge_s(hx, i64c(ONE_HIGH));
  // |x| >= 1: 1 - 2/(expm1(2|x|) + 2); else -t/(t + 2) with t = expm1(-2|x|)
  const t = expm1For2(select(ge1, f64x2.mul(f64c(TWO), ax), f64x2.mul(f64c(M_TWO), ax)));
  const q = f64x2.div(select(ge1, f64c(TWO), f64x2.neg(t)), f64x2.add(t, f64c(TWO)));
  let z = select(ge1, f64x2.sub(f64c(ONE), q), q);
  z = select(i64x2.ge_s(hx, i64c(TANH_ONE_HIGH)), f64c(ONE), z);
  z = select(f64x2.lt(x, f64c(ZERO)), f64x2.neg(z), z);
  return select(i64x2.lt_s(hx, i64c(TINY_HIGH)), x, z);
}

// @ts-ignore: decorator
@inline function sigma2(x: v128): v128 {
  return f64x2.div(f64c(ONE), f64x2.add(f64c(ONE), exp2(f64x2.neg(x))));
}

// ---- the same cells, fast, with the exact bits checked (the default path for pairs of lanes). σ and tanh in double
// from one exp without branches: e^r by Taylor's polynomial of degree 12 on |r| <= ln2/2 (Estrin's scheme, for a
// short dependency chain) times 2^k. Measured over 36M points in [-40, 40], σ is within 6.7e-16 of fdlibm's,
// relatively (its exp's relative error carries over), tanh within 3.9e-16 absolutely (Taylor's remainder is under
// 1.7e-16 relative, the arithmetic adds a few ulps); EPS = 1e-14 bounds both with room. Each stored float v is
// then checked: if v - d and v + d round to the same float, where d bounds the distance from the value the exact
// cell computes (EPS carried through the cell's arithmetic, plus its roundings on both sides), that float is the
// exact cell's. A pair of lanes that fails a check (a value within d of a float rounding boundary, or a tanh near
// 0), or with an argument outside [-40, 40] or not finite, is computed again by the exact functions above. The
// stored bits are the exact cell's either way.

const EPS: f64 = 1e-14;
const FAST = memory.data<f64>([
  // 1/n! for n = 0..12
  1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 1.0 / 6.0, 1.0 / 6.0, 1.0 / 24.0, 1.0 / 24.0, 1.0 / 120.0, 1.0 / 120.0,
  1.0 / 720.0, 1.0 / 720.0, 1.0 / 5040.0, 1.0 / 5040.0, 1.0 / 40320.0, 1.0 / 40320.0, 1.0 / 362880.0, 1.0 / 362880.0,
  1.0 / 3628800.0, 1.0 / 3628800.0, 1.0 / 39916800.0, 1.0 / 39916800.0, 1.0 / 479001600.0, 1.0 / 479001600.0,
  40.0, 40.0, EPS, EPS, EPS + 8.881784197001252e-16, EPS + 8.881784197001252e-16, // 8.88e-16 = 2^-50
]);
const FAST_RANGE = 13, FAST_EPS = 14, FAST_EPS_ROUND = 15;

/** 1/n!, or the fast path's constants from FAST_RANGE on, in both lanes. */
// @ts-ignore: decorator
@inline function fastc(i: i32): v128 {
  return v128.load(FAST + (<usize>i << 4));
}

// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, x: v128): v128 {
  return f64x2.add(a, f64x2.mul(b, x));
}

/** e^x for |x| <= 80, without branches (see above). */
// @ts-ignore: decorator
@inline function expFast(x: v128): v128 {
  const k = f64x2.nearest(f64x2.mul(x, f64c(INV_LN2_2)));
  const r = f64x2.sub(f64x2.sub(x, f64x2.mul(k, f64c(LN2_HI_2))), f64x2.mul(k, f64c(LN2_LO_2)));
  const r2 = f64x2.mul(r, r), r4 = f64x2.mul(r2, r2), r8 = f64x2.mul(r4, r4);
  const p01 = madd(fastc(0), fastc(1), r), p23 = madd(fastc(2), fastc(3), r), p45 = madd(fastc(4), fastc(5), r), p67 = madd(fastc(6), fastc(7), r);
  const p89 = madd(fastc(8), fastc(9), r), p1011 = madd(fastc(10), fastc(11), r);
  const p03 = madd(p01, p23, r2), p47 = madd(p45, p67, r2), p811 = madd(p89, p1011, r2);
  const p07 = madd(p03, p47, r4), p812 = madd(p811, fastc(12), r4);
  return f64x2.mul(madd(p07, p812, r8), pow2(k));
}

// @ts-ignore: decorator
@inline function sigmaFast(x: v128): v128 {
  return f64x2.div(f64c(ONE), f64x2.add(f64c(ONE), expFast(f64x2.neg(x))));
}

/** tanh(x) = sign(x) (1 - 2 / (e^{2|x|} + 1)). */
// @ts-ignore: decorator
@inline function tanhFast(x: v128): v128 {
  const z = f64x2.sub(f64c(ONE), f64x2.div(f64c(TWO), f64x2.add(expFast(f64x2.mul(f64c(TWO), f64x2.abs(x))), f64c(ONE))));
  return v128.or(z, v128.and(x, i64x2.splat(0x8000000000000000)));
}

/** All-ones in the low two 32-bit lanes where v - d and v + d round to the same float (the high lanes compare 0 with 0). */
// @ts-ignore: decorator
@inline function sameFloat(v: v128, d: v128): v128 {
  return i32x4.eq(f32x4.demote_f64x2_zero(f64x2.sub(v, d)), f32x4.demote_f64x2_zero(f64x2.add(v, d)));
}

/** All-ones in lanes whose |x| <= 40 (false for NaN). */
// @ts-ignore: decorator
@inline function inRange(x: v128): v128 {
  return f64x2.le(f64x2.abs(x), fastc(FAST_RANGE));
}

/**
 * One pair of an LSTM cell's lanes the fast way (see above), stored; false, with the stores to be redone exactly,
 * when a check fails. ip, fp, gp, op: the gates' pre-activations; cp: c_{t-1}.
 */
// @ts-ignore: decorator
@inline function lstmPairFast(ip: v128, fp: v128, gp: v128, op: v128, cp: v128, acts: usize, g0: i32, H: i32, j: i32, tanhC: usize, hOff: i32, cOut: usize, cRow: i32, out: usize): bool {
  const args = v128.and(v128.and(inRange(ip), inRange(fp)), v128.and(inRange(gp), inRange(op)));
  const iv = sigmaFast(ip), fv = sigmaFast(fp), gv = tanhFast(gp), ov = sigmaFast(op);
  const cv = f64x2.add(f64x2.mul(fv, cp), f64x2.mul(iv, gv));
  const tc = tanhFast(cv);
  const h = f64x2.mul(ov, tc);
  // distances from the exact cell's values: σ's EPS relative, tanh's absolute; c = f c' + i g: EPS (f |c'| + 2i) and
  // the roundings of the products and the sum on both sides; tanh(c) moves no more than c does; h = o tanh(c)
  const e = fastc(FAST_EPS), er = fastc(FAST_EPS_ROUND);
  const dc = f64x2.mul(er, f64x2.add(f64x2.mul(fv, f64x2.abs(cp)), f64x2.add(iv, iv)));
  const dtc = f64x2.add(dc, e), dh = f64x2.add(f64x2.mul(ov, dtc), f64x2.mul(er, f64x2.abs(h)));
  let ok = v128.and(args, inRange(cv));
  ok = v128.and(ok, v128.and(sameFloat(iv, f64x2.mul(e, iv)), sameFloat(fv, f64x2.mul(e, fv))));
  ok = v128.and(ok, v128.and(sameFloat(gv, e), sameFloat(ov, f64x2.mul(e, ov))));
  ok = v128.and(ok, v128.and(sameFloat(cv, dc), v128.and(sameFloat(tc, dtc), sameFloat(h, dh))));
  if (!i32x4.all_true(ok)) return false; // any lane of any check: the masks mix 64- and 32-bit lanes
  st2(acts, g0 + j, iv); st2(acts, g0 + H + j, fv); st2(acts, g0 + 2 * H + j, gv); st2(acts, g0 + 3 * H + j, ov);
  st2(tanhC, hOff + j, tc);
  st2(cOut, cRow + j, cv);
  st2(out, hOff + j, h);
  return true;
}

/**
 * One pair of a GRU cell's lanes the fast way, stored; false when a check fails. xr, xz, xn: the input side's gates;
 * hr, hz, hn: the hidden side's (bias included); hp: h_{t-1}.
 */
// @ts-ignore: decorator
@inline function gruPairFast(xr: v128, xz: v128, xn: v128, hr: v128, hz: v128, hn: v128, hp: v128, acts: usize, g0: i32, H: i32, j: i32, out: usize, hOff: i32): bool {
  const rp = f64x2.add(xr, hr), zp = f64x2.add(xz, hz);
  const rv = sigmaFast(rp), zv = sigmaFast(zp);
  const np = f64x2.add(xn, f64x2.mul(rv, hn));
  const nv = tanhFast(np);
  const h = f64x2.add(f64x2.mul(f64x2.sub(f64c(ONE), zv), nv), f64x2.mul(zv, hp));
  // r and z: EPS relative; n's argument xn + r hn: EPS r |hn| and the roundings of the product and the sum on both
  // sides, then tanh's EPS; h = (1 - z) n + z h': EPS z (|n| + |h'|), n's distance, and the roundings
  const e = fastc(FAST_EPS), er = fastc(FAST_EPS_ROUND);
  const an = f64x2.abs(nv);
  const dn = f64x2.add(f64x2.mul(er, f64x2.add(f64x2.mul(rv, f64x2.abs(hn)), f64x2.abs(np))), e);
  const dh = f64x2.add(dn, f64x2.mul(er, f64x2.add(f64x2.add(an, f64x2.abs(h)), f64x2.mul(zv, f64x2.add(an, f64x2.abs(hp))))));
  let ok = v128.and(v128.and(inRange(rp), inRange(zp)), inRange(np));
  ok = v128.and(ok, v128.and(sameFloat(rv, f64x2.mul(e, rv)), sameFloat(zv, f64x2.mul(e, zv))));
  ok = v128.and(ok, v128.and(sameFloat(nv, dn), sameFloat(h, dh)));
  if (!i32x4.all_true(ok)) return false;
  st2(acts, g0 + j, rv); st2(acts, g0 + H + j, zv); st2(acts, g0 + 2 * H + j, nv);
  st2(out, hOff + j, h);
  return true;
}

/** Two floats at p + 4i, widened to double. */
// @ts-ignore: decorator
@inline function ld2(p: usize, i: i32): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(p + (<usize>i << 2)));
}

/** Two doubles rounded to float and stored at p + 4i. */
// @ts-ignore: decorator
@inline function st2(p: usize, i: i32, v: v128): void {
  v128.store64_lane(p + (<usize>i << 2), f32x4.demote_f64x2_zero(v), 0);
}

// @ts-ignore: decorator
@inline function bias2(bias: usize, i: i32): v128 {
  return bias == 0 ? f64x2.splat(0) : ld2(bias, i);
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

// ---- float32 approximations (the `approximate` option): four lanes, no branches. exp as Cephes' expf (a degree-6
// polynomial after reducing by ln 2, relative error about 2e-7); sigmoid(x) = 1 / (1 + exp(-x)) and
// tanh(x) = sign(x) (1 - 2 / (exp(2|x|) + 1)), both within 2e-7 of the exact value (absolute; a test bounds it).

const F32 = memory.data<f32>([
  -87.0, -87.0, -87.0, -87.0, 88.0, 88.0, 88.0, 88.0, 1.44269504088896341, 1.44269504088896341, 1.44269504088896341, 1.44269504088896341,
  0.693359375, 0.693359375, 0.693359375, 0.693359375, -2.12194440e-4, -2.12194440e-4, -2.12194440e-4, -2.12194440e-4,
  1.9875691500e-4, 1.9875691500e-4, 1.9875691500e-4, 1.9875691500e-4, 1.3981999507e-3, 1.3981999507e-3, 1.3981999507e-3, 1.3981999507e-3,
  8.3334519073e-3, 8.3334519073e-3, 8.3334519073e-3, 8.3334519073e-3, 4.1665795894e-2, 4.1665795894e-2, 4.1665795894e-2, 4.1665795894e-2,
  1.6666665459e-1, 1.6666665459e-1, 1.6666665459e-1, 1.6666665459e-1, 5.0000001201e-1, 5.0000001201e-1, 5.0000001201e-1, 5.0000001201e-1,
  1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 2.0,
]);
const EXPF_MIN = 0, EXPF_MAX = 1, LOG2E_4 = 2, EXPF_C1 = 3, EXPF_C2 = 4, EXPF_P0 = 5, EXPF_P1 = 6, EXPF_P2 = 7, EXPF_P3 = 8;
const EXPF_P4 = 9, EXPF_P5 = 10, ONE_4 = 11, TWO_4 = 12;

/** Constant i of the f32 table, in all four lanes (loaded, as the f64 constants, for V8's sake). */
// @ts-ignore: decorator
@inline function f32c(i: i32): v128 {
  return v128.load(F32 + (<usize>i << 4));
}

// @ts-ignore: decorator
@inline function expf4(x: v128): v128 {
  x = f32x4.min(f32x4.max(x, f32c(EXPF_MIN)), f32c(EXPF_MAX));
  const n = f32x4.nearest(f32x4.mul(x, f32c(LOG2E_4)));
  const r = f32x4.sub(f32x4.sub(x, f32x4.mul(n, f32c(EXPF_C1))), f32x4.mul(n, f32c(EXPF_C2)));
  let p = f32x4.add(f32c(EXPF_P1), f32x4.mul(f32c(EXPF_P0), r));
  p = f32x4.add(f32c(EXPF_P2), f32x4.mul(p, r));
  p = f32x4.add(f32c(EXPF_P3), f32x4.mul(p, r));
  p = f32x4.add(f32c(EXPF_P4), f32x4.mul(p, r));
  p = f32x4.add(f32c(EXPF_P5), f32x4.mul(p, r));
  const y = f32x4.add(f32x4.add(f32x4.mul(p, f32x4.mul(r, r)), r), f32c(ONE_4));
  return f32x4.mul(y, i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23));
}

// @ts-ignore: decorator
@inline function sigmoid4(x: v128): v128 {
  return f32x4.div(f32c(ONE_4), f32x4.add(f32c(ONE_4), expf4(f32x4.neg(x))));
}

// @ts-ignore: decorator
@inline function tanh4(x: v128): v128 {
  const t = f32x4.sub(f32c(ONE_4), f32x4.div(f32c(TWO_4), f32x4.add(expf4(f32x4.mul(f32c(TWO_4), f32x4.abs(x))), f32c(ONE_4))));
  return v128.or(t, v128.and(x, i32x4.splat(0x80000000)));
}

// @ts-ignore: decorator
@inline function ld4(p: usize, i: i32): v128 {
  return v128.load(p + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline function st4(p: usize, i: i32, v: v128): void {
  v128.store(p + (<usize>i << 2), v);
}

// @ts-ignore: decorator
@inline function bias4(bias: usize, i: i32): v128 {
  return bias == 0 ? f32x4.splat(0) : ld4(bias, i);
}

/** a[k] += b[k] for n floats, four at a time (float additions: the bits of the one-at-a-time loop). */
function addInPlace(a: usize, b: usize, n: i32): void {
  let k = 0;
  for (; k + 4 <= n; k += 4) st4(a, k, f32x4.add(ld4(a, k), ld4(b, k)));
  for (; k < n; k++) store<f32>(a + (<usize>k << 2), load<f32>(a + (<usize>k << 2)) + load<f32>(b + (<usize>k << 2)));
}

/**
 * An LSTM direction over T steps (gates i, f, g, o). x: [T*B, 4H] input projections; w: [4H, H]; bias: [4H] or 0;
 * h0, c0: [B, H]; out: [T+1, B, H] (h_t by time index, then the last c); saved for the backward by time index:
 * acts [T, B, 4H] (the activated gates), hPrev and cPrev [T, B, H], tanhC [T, B, H]. Scratch: wp (4H*H rounded up to
 * panels), ap (B rounded to 4, times H), pre [B, 4H]. Only rows b0..b1 of the batch are computed: the rows are
 * independent, so two threads can each take a share, with their own scratch, and store the bits one call would.
 */
export function lstmForward(x: usize, w: usize, bias: usize, h0: usize, c0: usize, out: usize, acts: usize, hPrev: usize, cPrev: usize, tanhC: usize, wp: usize, ap: usize, pre: usize, B: i32, H: i32, T: i32, reverse: i32, approximate: i32, b0: i32, b1: i32): i32 {
  let exactPairs = 0;
  const G = 4 * H, BH = B * H, BG = B * G, panels = (G + 7) >> 3, nb = b1 - b0, rows = <usize>(b0 * H) << 2;
  packB(w, wp, H, G, 1, 0, panels);
  let hp = h0 + rows, cp = c0 + rows;
  const cOut = out + (<usize>(T * BH) << 2);
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    const tBH = t * BH, tBG = t * BG;
    const hAt = hPrev + (<usize>tBH << 2) + rows, cAt = cPrev + (<usize>tBH << 2) + rows;
    memory.copy(hAt, hp, <usize>(nb * H) << 2);
    memory.copy(cAt, cp, <usize>(nb * H) << 2);
    packA(hAt, ap, nb, H, 0);
    tiles(ap, wp, pre, nb, H, G, 0, panels);
    for (let b = b0; b < b1; b++) {
      const g0 = tBG + b * G, p0 = (b - b0) * G, hOff = tBH + b * H, cRow = b * H;
      let j = 0;
      for (; approximate != 0 && j + 4 <= H; j += 4) {
        const i = sigmoid4(f32x4.add(f32x4.add(ld4(x, g0 + j), ld4(pre, p0 + j)), bias4(bias, j)));
        const f = sigmoid4(f32x4.add(f32x4.add(ld4(x, g0 + H + j), ld4(pre, p0 + H + j)), bias4(bias, H + j)));
        const g = tanh4(f32x4.add(f32x4.add(ld4(x, g0 + 2 * H + j), ld4(pre, p0 + 2 * H + j)), bias4(bias, 2 * H + j)));
        const o = sigmoid4(f32x4.add(f32x4.add(ld4(x, g0 + 3 * H + j), ld4(pre, p0 + 3 * H + j)), bias4(bias, 3 * H + j)));
        const c = f32x4.add(f32x4.mul(f, ld4(cPrev, hOff + j)), f32x4.mul(i, g));
        const tc = tanh4(c);
        st4(acts, g0 + j, i); st4(acts, g0 + H + j, f); st4(acts, g0 + 2 * H + j, g); st4(acts, g0 + 3 * H + j, o);
        st4(tanhC, hOff + j, tc);
        st4(cOut, cRow + j, c);
        st4(out, hOff + j, f32x4.mul(o, tc));
      }
      for (; j + 2 <= H; j += 2) {
        const ip = f64x2.add(f64x2.add(ld2(x, g0 + j), ld2(pre, p0 + j)), bias2(bias, j));
        const fp = f64x2.add(f64x2.add(ld2(x, g0 + H + j), ld2(pre, p0 + H + j)), bias2(bias, H + j));
        const gp = f64x2.add(f64x2.add(ld2(x, g0 + 2 * H + j), ld2(pre, p0 + 2 * H + j)), bias2(bias, 2 * H + j));
        const op = f64x2.add(f64x2.add(ld2(x, g0 + 3 * H + j), ld2(pre, p0 + 3 * H + j)), bias2(bias, 3 * H + j));
        const cPair = ld2(cPrev, hOff + j);
        if (lstmPairFast(ip, fp, gp, op, cPair, acts, g0, H, j, tanhC, hOff, cOut, cRow, out)) continue;
        exactPairs++;
        const i = sigma2(ip), f = sigma2(fp), g = tanh2(gp), o = sigma2(op);
        const c = f64x2.add(f64x2.mul(f, cPair), f64x2.mul(i, g));
        const tc = tanh2(c);
        st2(acts, g0 + j, i); st2(acts, g0 + H + j, f); st2(acts, g0 + 2 * H + j, g); st2(acts, g0 + 3 * H + j, o);
        st2(tanhC, hOff + j, tc);
        st2(cOut, cRow + j, c);
        st2(out, hOff + j, f64x2.mul(o, tc));
      }
      for (; j < H; j++) {
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
    hp = out + (<usize>tBH << 2) + rows;
    cp = cOut + rows;
  }
  return exactPairs;
}

/**
 * The LSTM direction's backpropagation through time. gOut: [T+1, B, H] (dL/dh_t by time index, then dL/dc_T);
 * writes dGates [T, B, 4H] (dL/d pre-activation gates) and dh, dc [B, H] (dL/dh0, dL/dc0; dh zero on entry).
 * Scratch: dhNext [B, H], wp (the 4H x H weights packed), ap (B rounded to 4, times 4H). Rows b0..b1 only, as the
 * forward (dh, dc and dhNext are whole [B, H] arrays; each call touches its own rows).
 */
export function lstmBackward(gOut: usize, w: usize, acts: usize, cPrev: usize, tanhC: usize, dGates: usize, dh: usize, dc: usize, dhNext: usize, wp: usize, ap: usize, B: i32, H: i32, T: i32, reverse: i32, b0: i32, b1: i32): void {
  const G = 4 * H, BH = B * H, BG = B * G, panels = (H + 7) >> 3, nb = b1 - b0, rows = <usize>(b0 * H) << 2;
  packB(w, wp, G, H, 0, 0, panels);
  memory.copy(dc + rows, gOut + (<usize>(T * BH) << 2) + rows, <usize>(nb * H) << 2);
  let cur = dh, next = dhNext;
  for (let s = T - 1; s >= 0; s--) {
    const t = reverse ? T - 1 - s : s;
    const tBH = t * BH, tBG = t * BG;
    addInPlace(cur + rows, gOut + (<usize>tBH << 2) + rows, nb * H);
    for (let b = b0; b < b1; b++) {
      const g0 = tBG + b * G, hOff = tBH + b * H, k0 = b * H;
      let j = 0;
      for (; j + 2 <= H; j += 2) {
        // the loop below on two lanes: the same double operations, so the same bits
        const i = ld2(acts, g0 + j), f = ld2(acts, g0 + H + j), g = ld2(acts, g0 + 2 * H + j), o = ld2(acts, g0 + 3 * H + j);
        const tc = ld2(tanhC, hOff + j), dhj = ld2(cur, k0 + j);
        const dcj = f64x2.add(ld2(dc, k0 + j), f64x2.mul(f64x2.mul(dhj, o), f64x2.sub(f64c(ONE), f64x2.mul(tc, tc))));
        st2(dGates, g0 + j, f64x2.mul(f64x2.mul(f64x2.mul(dcj, g), i), f64x2.sub(f64c(ONE), i)));
        st2(dGates, g0 + H + j, f64x2.mul(f64x2.mul(f64x2.mul(dcj, ld2(cPrev, hOff + j)), f), f64x2.sub(f64c(ONE), f)));
        st2(dGates, g0 + 2 * H + j, f64x2.mul(f64x2.mul(dcj, i), f64x2.sub(f64c(ONE), f64x2.mul(g, g))));
        st2(dGates, g0 + 3 * H + j, f64x2.mul(f64x2.mul(f64x2.mul(dhj, tc), o), f64x2.sub(f64c(ONE), o)));
        st2(dc, k0 + j, f64x2.mul(dcj, f));
      }
      for (; j < H; j++) {
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
    packA(dGates + (<usize>(tBG + b0 * G) << 2), ap, nb, G, 0);
    tiles(ap, wp, next + rows, nb, G, H, 0, panels);
    const swap = cur; cur = next; next = swap;
  }
  if (cur != dh) memory.copy(dh + rows, cur + rows, <usize>(nb * H) << 2);
}

/**
 * A GRU direction over T steps (gates r, z, n). x: [T*B, 3H]; w: [3H, H]; bias: [3H] or 0; h0: [B, H]; out: [T, B, H];
 * saved by time index: acts [T, B, 3H] (r, z, n), hid [T, B, 3H] (h_{t-1} W_hhᵀ + b_hh), hPrev [T, B, H].
 * Scratch: wp, ap as for the LSTM. Rows b0..b1 only, as the LSTM's.
 */
export function gruForward(x: usize, w: usize, bias: usize, h0: usize, out: usize, acts: usize, hid: usize, hPrev: usize, wp: usize, ap: usize, B: i32, H: i32, T: i32, reverse: i32, approximate: i32, b0: i32, b1: i32): i32 {
  let exactPairs = 0;
  const G = 3 * H, BH = B * H, BG = B * G, panels = (G + 7) >> 3, nb = b1 - b0, rows = <usize>(b0 * H) << 2;
  packB(w, wp, H, G, 1, 0, panels);
  let hp = h0 + rows;
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    const tBH = t * BH, tBG = t * BG;
    const hAt = hPrev + (<usize>tBH << 2) + rows;
    memory.copy(hAt, hp, <usize>(nb * H) << 2);
    packA(hAt, ap, nb, H, 0);
    tiles(ap, wp, hid + (<usize>(tBG + b0 * G) << 2), nb, H, G, 0, panels);
    for (let b = b0; b < b1; b++) {
      const g0 = tBG + b * G, hOff = tBH + b * H;
      let j = 0;
      for (; approximate != 0 && j + 4 <= H; j += 4) {
        if (bias != 0) {
          st4(hid, g0 + j, f32x4.add(ld4(hid, g0 + j), ld4(bias, j)));
          st4(hid, g0 + H + j, f32x4.add(ld4(hid, g0 + H + j), ld4(bias, H + j)));
          st4(hid, g0 + 2 * H + j, f32x4.add(ld4(hid, g0 + 2 * H + j), ld4(bias, 2 * H + j)));
        }
        const r = sigmoid4(f32x4.add(ld4(x, g0 + j), ld4(hid, g0 + j)));
        const z = sigmoid4(f32x4.add(ld4(x, g0 + H + j), ld4(hid, g0 + H + j)));
        const n = tanh4(f32x4.add(ld4(x, g0 + 2 * H + j), f32x4.mul(r, ld4(hid, g0 + 2 * H + j))));
        st4(acts, g0 + j, r); st4(acts, g0 + H + j, z); st4(acts, g0 + 2 * H + j, n);
        st4(out, hOff + j, f32x4.add(f32x4.mul(f32x4.sub(f32c(ONE_4), z), n), f32x4.mul(z, ld4(hPrev, hOff + j))));
      }
      for (; j + 2 <= H; j += 2) {
        if (bias != 0) {
          // float32 sums stored, as the JavaScript cell stores them
          v128.store64_lane(hid + (<usize>(g0 + j) << 2), f32x4.add(v128.load64_zero(hid + (<usize>(g0 + j) << 2)), v128.load64_zero(bias + (<usize>j << 2))), 0);
          v128.store64_lane(hid + (<usize>(g0 + H + j) << 2), f32x4.add(v128.load64_zero(hid + (<usize>(g0 + H + j) << 2)), v128.load64_zero(bias + (<usize>(H + j) << 2))), 0);
          v128.store64_lane(hid + (<usize>(g0 + 2 * H + j) << 2), f32x4.add(v128.load64_zero(hid + (<usize>(g0 + 2 * H + j) << 2)), v128.load64_zero(bias + (<usize>(2 * H + j) << 2))), 0);
        }
        const xr = ld2(x, g0 + j), xz = ld2(x, g0 + H + j), xn = ld2(x, g0 + 2 * H + j);
        const hr = ld2(hid, g0 + j), hz = ld2(hid, g0 + H + j), hn = ld2(hid, g0 + 2 * H + j);
        if (gruPairFast(xr, xz, xn, hr, hz, hn, ld2(hPrev, hOff + j), acts, g0, H, j, out, hOff)) continue;
        exactPairs++;
        const r = sigma2(f64x2.add(xr, hr));
        const z = sigma2(f64x2.add(xz, hz));
        const n = tanh2(f64x2.add(xn, f64x2.mul(r, hn)));
        st2(acts, g0 + j, r); st2(acts, g0 + H + j, z); st2(acts, g0 + 2 * H + j, n);
        st2(out, hOff + j, f64x2.add(f64x2.mul(f64x2.sub(f64c(ONE), z), n), f64x2.mul(z, ld2(hPrev, hOff + j))));
      }
      for (; j < H; j++) {
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
    hp = out + (<usize>tBH << 2) + rows;
  }
  return exactPairs;
}

/**
 * The GRU direction's backpropagation through time. gOut: [T, B, H]; writes dX [T, B, 3H] (dL/d x-side gates),
 * dA [T, B, 3H] (dL/d hidden projection), dh [B, H] (dL/dh0; zero on entry). Scratch: dhNext, wp, ap as for the LSTM.
 * Rows b0..b1 only, as the LSTM's.
 */
export function gruBackward(gOut: usize, w: usize, acts: usize, hid: usize, hPrev: usize, dX: usize, dA: usize, dh: usize, dhNext: usize, wp: usize, ap: usize, B: i32, H: i32, T: i32, reverse: i32, b0: i32, b1: i32): void {
  const G = 3 * H, BH = B * H, BG = B * G, panels = (H + 7) >> 3, nb = b1 - b0, rows = <usize>(b0 * H) << 2;
  packB(w, wp, G, H, 0, 0, panels);
  let cur = dh, next = dhNext;
  for (let s = T - 1; s >= 0; s--) {
    const t = reverse ? T - 1 - s : s;
    const tBH = t * BH, tBG = t * BG;
    addInPlace(cur + rows, gOut + (<usize>tBH << 2) + rows, nb * H);
    for (let b = b0; b < b1; b++) {
      const g0 = tBG + b * G, hOff = tBH + b * H, k0 = b * H;
      let j = 0;
      for (; j + 2 <= H; j += 2) {
        // the loop below on two lanes: the same double operations, so the same bits
        const r = ld2(acts, g0 + j), z = ld2(acts, g0 + H + j), n = ld2(acts, g0 + 2 * H + j), dhj = ld2(cur, k0 + j);
        const dnPre = f64x2.mul(f64x2.mul(dhj, f64x2.sub(f64c(ONE), z)), f64x2.sub(f64c(ONE), f64x2.mul(n, n)));
        const dzPre = f64x2.mul(f64x2.mul(f64x2.mul(dhj, f64x2.sub(ld2(hPrev, hOff + j), n)), z), f64x2.sub(f64c(ONE), z));
        const drPre = f64x2.mul(f64x2.mul(f64x2.mul(dnPre, ld2(hid, g0 + 2 * H + j)), r), f64x2.sub(f64c(ONE), r));
        st2(dX, g0 + j, drPre); st2(dX, g0 + H + j, dzPre); st2(dX, g0 + 2 * H + j, dnPre);
        st2(dA, g0 + j, drPre); st2(dA, g0 + H + j, dzPre); st2(dA, g0 + 2 * H + j, f64x2.mul(dnPre, r));
        st2(cur, k0 + j, f64x2.mul(dhj, z));
      }
      for (; j < H; j++) {
        const r = ld(acts, g0 + j), z = ld(acts, g0 + H + j), n = ld(acts, g0 + 2 * H + j), dhj = ld(cur, k0 + j);
        const dnPre = dhj * (1.0 - z) * (1.0 - n * n);
        const dzPre = dhj * (ld(hPrev, hOff + j) - n) * z * (1.0 - z);
        const drPre = dnPre * ld(hid, g0 + 2 * H + j) * r * (1.0 - r);
        st(dX, g0 + j, drPre); st(dX, g0 + H + j, dzPre); st(dX, g0 + 2 * H + j, dnPre);
        st(dA, g0 + j, drPre); st(dA, g0 + H + j, dzPre); st(dA, g0 + 2 * H + j, dnPre * r);
        st(cur, k0 + j, dhj * z);
      }
    }
    packA(dA + (<usize>(tBG + b0 * G) << 2), ap, nb, G, 0);
    tiles(ap, wp, next + rows, nb, G, H, 0, panels);
    addInPlace(next + rows, cur + rows, nb * H);
    const swap = cur; cur = next; next = swap;
  }
  if (cur != dh) memory.copy(dh + rows, cur + rows, <usize>(nb * H) << 2);
}
