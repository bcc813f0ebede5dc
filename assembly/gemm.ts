// lrlab's WebAssembly SIMD matrix-multiply kernel (AssemblyScript). Built by scripts/build-wasm.mjs into
// src/tensor/backends/fast/gemm-wasm.ts; the memory is imported (and shared between worker threads).
//
// C (m x n) = op(A) (m x k) · op(B) (k x n), all float32 row-major at byte offsets into memory. The work is the
// classic one of BLIS/GotoBLAS: pack A into 4-row panels and B into 8-column panels so the micro-kernel reads both
// contiguously, then compute 4 x 8 tiles of C with eight f32x4 accumulators.

/** Packs rows [i0, i0 + 4) of op(A) into ap as [k][4] (rows past m are zero). transA: A is stored k x m. */
export function packA(a: usize, ap: usize, m: i32, k: i32, transA: i32): void {
  for (let i0 = 0; i0 < m; i0 += 4) {
    const dst = ap + <usize>(i0 >> 2) * <usize>k * 16;
    for (let p = 0; p < k; p++) {
      for (let r = 0; r < 4; r++) {
        const i = i0 + r;
        let v: f32 = 0;
        if (i < m) v = transA ? load<f32>(a + (<usize>p * <usize>m + <usize>i) * 4) : load<f32>(a + (<usize>i * <usize>k + <usize>p) * 4);
        store<f32>(dst + (<usize>p * 4 + <usize>r) * 4, v);
      }
    }
  }
}

/** Packs op(B) into bp as panels of 8 columns, each [k][8] (columns past n are zero). transB: B is stored n x k. */
export function packB(b: usize, bp: usize, k: i32, n: i32, transB: i32): void {
  for (let j0 = 0; j0 < n; j0 += 8) {
    const dst = bp + <usize>(j0 >> 3) * <usize>k * 32;
    for (let p = 0; p < k; p++) {
      for (let c = 0; c < 8; c++) {
        const j = j0 + c;
        let v: f32 = 0;
        if (j < n) v = transB ? load<f32>(b + (<usize>j * <usize>k + <usize>p) * 4) : load<f32>(b + (<usize>p * <usize>n + <usize>j) * 4);
        store<f32>(dst + (<usize>p * 8 + <usize>c) * 4, v);
      }
    }
  }
}

/** Computes the tiles of C for the column panels [panel0, panel1), from packed A and B. */
export function tiles(ap: usize, bp: usize, c: usize, m: i32, k: i32, n: i32, panel0: i32, panel1: i32): void {
  for (let jp = panel0; jp < panel1; jp++) {
    const bpanel = bp + <usize>jp * <usize>k * 32;
    const j0 = jp << 3;
    for (let i0 = 0; i0 < m; i0 += 4) {
      let pa = ap + <usize>(i0 >> 2) * <usize>k * 16;
      let pb = bpanel;
      let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
      let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
      for (let p = 0; p < k; p++) {
        const b0 = v128.load(pb), b1 = v128.load(pb, 16);
        const a0 = v128.load32_splat(pa), a1 = v128.load32_splat(pa, 4), a2 = v128.load32_splat(pa, 8), a3 = v128.load32_splat(pa, 12);
        c00 = f32x4.add(c00, f32x4.mul(a0, b0));
        c01 = f32x4.add(c01, f32x4.mul(a0, b1));
        c10 = f32x4.add(c10, f32x4.mul(a1, b0));
        c11 = f32x4.add(c11, f32x4.mul(a1, b1));
        c20 = f32x4.add(c20, f32x4.mul(a2, b0));
        c21 = f32x4.add(c21, f32x4.mul(a2, b1));
        c30 = f32x4.add(c30, f32x4.mul(a3, b0));
        c31 = f32x4.add(c31, f32x4.mul(a3, b1));
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
