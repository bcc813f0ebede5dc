// lrlab's WebAssembly SIMD matrix-multiply kernel (AssemblyScript). Built with the other kernels by
// scripts/build-wasm.mjs into src/tensor/backends/fast/kernels-wasm.ts; the memory is imported (and shared between
// worker threads).
//
// C (m x n) = op(A) (m x k) · op(B) (k x n), all float32 row-major at byte offsets into memory. The work is the
// classic one of BLIS/GotoBLAS: pack A into 4-row panels and B into 8-column panels so the micro-kernel reads both
// contiguously, then compute 4 x 8 tiles of C with eight f32x4 accumulators. The tiles are computed block by block
// over k (KC) and over rows (MC), so the slice of packed A in use stays in L2 and the slice of a B panel in L1;
// each entry of C still adds its products in order p = 0, 1, ..., k - 1 (a block starts from the sum so far).

const KC = 512;
const MC = 32;

/** Packs op(A) into ap as 4-row panels, each [k][4] (rows past m are zero). transA: A is stored k x m. */
export function packA(a: usize, ap: usize, m: i32, k: i32, transA: i32): void {
  for (let i0 = 0; i0 < m; i0 += 4) {
    const dst = ap + <usize>(i0 >> 2) * <usize>k * 16;
    let p = 0;
    if (i0 + 4 <= m) {
      if (transA) {
        // the 4 rows of the panel are 4 contiguous floats of each row p of A
        for (; p < k; p++) v128.store(dst + <usize>p * 16, v128.load(a + (<usize>p * <usize>m + <usize>i0) * 4));
      } else {
        // 4 x 4 blocks: 4 floats from each of the 4 rows, transposed into 4 steps of p
        const r0 = a + <usize>i0 * <usize>k * 4, r1 = r0 + <usize>k * 4, r2 = r1 + <usize>k * 4, r3 = r2 + <usize>k * 4;
        for (; p + 4 <= k; p += 4) {
          const at = <usize>p * 4;
          transpose4(v128.load(r0 + at), v128.load(r1 + at), v128.load(r2 + at), v128.load(r3 + at), dst + <usize>p * 16);
        }
      }
    }
    for (; p < k; p++) {
      for (let r = 0; r < 4; r++) {
        const i = i0 + r;
        let v: f32 = 0;
        if (i < m) v = transA ? load<f32>(a + (<usize>p * <usize>m + <usize>i) * 4) : load<f32>(a + (<usize>i * <usize>k + <usize>p) * 4);
        store<f32>(dst + (<usize>p * 4 + <usize>r) * 4, v);
      }
    }
  }
}

/**
 * Packs the column panels [panel0, panel1) of op(B) into bp, each panel 8 columns as [k][8] (columns past n are
 * zero). transB: B is stored n x k. (Each thread of a split product packs the panels it multiplies.)
 */
export function packB(b: usize, bp: usize, k: i32, n: i32, transB: i32, panel0: i32, panel1: i32): void {
  for (let j0 = panel0 << 3, end = min(n, panel1 << 3); j0 < end; j0 += 8) {
    const dst = bp + <usize>(j0 >> 3) * <usize>k * 32;
    let p = 0;
    if (j0 + 8 <= n) {
      if (!transB) {
        // 8 contiguous floats of each row p of B
        for (; p < k; p++) {
          const src = b + (<usize>p * <usize>n + <usize>j0) * 4;
          v128.store(dst + <usize>p * 32, v128.load(src));
          v128.store(dst + <usize>p * 32, v128.load(src, 16), 16);
        }
      } else {
        // columns j0..j0+7 of op(B) are rows of B: 4 x 4 blocks transposed, for the low and the high 4 columns
        const r0 = b + <usize>j0 * <usize>k * 4, kb = <usize>k * 4;
        for (; p + 4 <= k; p += 4) {
          const at = <usize>p * 4;
          transpose4x8(
            v128.load(r0 + at), v128.load(r0 + kb + at), v128.load(r0 + 2 * kb + at), v128.load(r0 + 3 * kb + at),
            v128.load(r0 + 4 * kb + at), v128.load(r0 + 5 * kb + at), v128.load(r0 + 6 * kb + at), v128.load(r0 + 7 * kb + at),
            dst + <usize>p * 32,
          );
        }
      }
    }
    for (; p < k; p++) {
      for (let c = 0; c < 8; c++) {
        const j = j0 + c;
        let v: f32 = 0;
        if (j < n) v = transB ? load<f32>(b + (<usize>j * <usize>k + <usize>p) * 4) : load<f32>(b + (<usize>p * <usize>n + <usize>j) * 4);
        store<f32>(dst + (<usize>p * 8 + <usize>c) * 4, v);
      }
    }
  }
}

// Rows x0..x3 (4 floats each, steps p..p+3) become 4 steps of 4 rows, stored 16 bytes apart.
// @ts-ignore: decorator
@inline
function transpose4(x0: v128, x1: v128, x2: v128, x3: v128, dst: usize): void {
  const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5);
  const t2 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7), t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<f64>(t0, t1, 0, 2));
  v128.store(dst, v128.shuffle<f64>(t0, t1, 1, 3), 16);
  v128.store(dst, v128.shuffle<f64>(t2, t3, 0, 2), 32);
  v128.store(dst, v128.shuffle<f64>(t2, t3, 1, 3), 48);
}

// Columns 0-3 from x0..x3 and 4-7 from y0..y3, for 4 steps of p, stored as [4][8] (packB's, and the convolution's
// weight packing).
// @ts-ignore: decorator
@inline
export function transpose4x8(x0: v128, x1: v128, x2: v128, x3: v128, y0: v128, y1: v128, y2: v128, y3: v128, dst: usize): void {
  const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5);
  const t2 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7), t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
  const u0 = v128.shuffle<f32>(y0, y1, 0, 4, 1, 5), u1 = v128.shuffle<f32>(y2, y3, 0, 4, 1, 5);
  const u2 = v128.shuffle<f32>(y0, y1, 2, 6, 3, 7), u3 = v128.shuffle<f32>(y2, y3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<f64>(t0, t1, 0, 2));
  v128.store(dst, v128.shuffle<f64>(u0, u1, 0, 2), 16);
  v128.store(dst, v128.shuffle<f64>(t0, t1, 1, 3), 32);
  v128.store(dst, v128.shuffle<f64>(u0, u1, 1, 3), 48);
  v128.store(dst, v128.shuffle<f64>(t2, t3, 0, 2), 64);
  v128.store(dst, v128.shuffle<f64>(u2, u3, 0, 2), 80);
  v128.store(dst, v128.shuffle<f64>(t2, t3, 1, 3), 96);
  v128.store(dst, v128.shuffle<f64>(u2, u3, 1, 3), 112);
}

/** Computes the tiles of C for the column panels [panel0, panel1), from packed A and B, block by block over k and m. */
export function tiles(ap: usize, bp: usize, c: usize, m: i32, k: i32, n: i32, panel0: i32, panel1: i32): void {
  for (let pc = 0; pc < k; pc += KC) {
    const kc = min(KC, k - pc);
    for (let ic = 0; ic < m; ic += MC) {
      const iEnd = min(ic + MC, m);
      for (let jp = panel0; jp < panel1; jp++) {
        const bpanel = bp + (<usize>jp * <usize>k + <usize>pc) * 32;
        const j0 = jp << 3;
        for (let i0 = ic; i0 < iEnd; i0 += 4) {
          let pa = ap + (<usize>(i0 >> 2) * <usize>k + <usize>pc) * 16;
          let pb = bpanel;
          let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
          let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
          if (pc > 0) {
            // continue the sums of the earlier k blocks
            c00 = loadHalf(c, m, n, i0, j0); c01 = loadHalf(c, m, n, i0, j0 + 4);
            c10 = loadHalf(c, m, n, i0 + 1, j0); c11 = loadHalf(c, m, n, i0 + 1, j0 + 4);
            c20 = loadHalf(c, m, n, i0 + 2, j0); c21 = loadHalf(c, m, n, i0 + 2, j0 + 4);
            c30 = loadHalf(c, m, n, i0 + 3, j0); c31 = loadHalf(c, m, n, i0 + 3, j0 + 4);
          }
          for (let p = 0; p < kc; p++) {
            const b0 = v128.load(pb), b1 = v128.load(pb, 16);
            const a0 = v128.load32_splat(pa), a1 = v128.load32_splat(pa, 4), a2 = v128.load32_splat(pa, 8), a3 = v128.load32_splat(pa, 12);
            c00 = madd(a0, b0, c00);
            c01 = madd(a0, b1, c01);
            c10 = madd(a1, b0, c10);
            c11 = madd(a1, b1, c11);
            c20 = madd(a2, b0, c20);
            c21 = madd(a2, b1, c21);
            c30 = madd(a3, b0, c30);
            c31 = madd(a3, b1, c31);
            pa += 16;
            pb += 32;
          }
          storeRow(c, m, n, i0, j0, c00, c01);
          storeRow(c, m, n, i0 + 1, j0, c10, c11);
          storeRow(c, m, n, i0 + 2, j0, c20, c21);
          storeRow(c, m, n, i0 + 3, j0, c30, c31);
        }
      }
    }
  }
}

// c + a·b per lane. In the build with relaxed SIMD this is one fused multiply-add where the processor has one (the
// product is not rounded before the add: one rounding, as the reference's double-precision c + a·b has); in the
// baseline build a multiply then an add, each rounded. Either way sums differ from the reference's in the last bits.
// @ts-ignore: decorator
@inline
function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

// Four entries of row i of C from column j (zeros past the edges of C).
// @ts-ignore: decorator
@inline
function loadHalf(c: usize, m: i32, n: i32, i: i32, j: i32): v128 {
  if (i >= m) return f32x4.splat(0);
  const at = c + (<usize>i * <usize>n + <usize>j) * 4;
  if (j + 4 <= n) return v128.load(at);
  let v = f32x4.splat(0);
  if (j < n) v = f32x4.replace_lane(v, 0, load<f32>(at));
  if (j + 1 < n) v = f32x4.replace_lane(v, 1, load<f32>(at, 4));
  if (j + 2 < n) v = f32x4.replace_lane(v, 2, load<f32>(at, 8));
  return v;
}

// @ts-ignore: decorator
@inline
function storeRow(c: usize, m: i32, n: i32, i: i32, j0: i32, lo: v128, hi: v128): void {
  if (i >= m) return;
  const row = c + (<usize>i * <usize>n + <usize>j0) * 4;
  if (j0 + 8 <= n) {
    v128.store(row, lo);
    v128.store(row, hi, 16);
  } else {
    // the last panel of a width that is not a multiple of 8: store lane by lane
    const w = n - j0;
    if (w > 0) store<f32>(row, f32x4.extract_lane(lo, 0));
    if (w > 1) store<f32>(row, f32x4.extract_lane(lo, 1), 4);
    if (w > 2) store<f32>(row, f32x4.extract_lane(lo, 2), 8);
    if (w > 3) store<f32>(row, f32x4.extract_lane(lo, 3), 12);
    if (w > 4) store<f32>(row, f32x4.extract_lane(hi, 0), 16);
    if (w > 5) store<f32>(row, f32x4.extract_lane(hi, 1), 20);
    if (w > 6) store<f32>(row, f32x4.extract_lane(hi, 2), 24);
  }
}
