// 2-D convolution as WebAssembly SIMD kernels: forward (bias and ReLU fused), and the input, weight and bias
// gradients, image by image, without an im2col buffer.
//
// The trick that makes it direct: each image is copied into a zero-padded plane of width WP = W + 2·PW, and the output
// is computed on the padded width, at positions q = oy·WP + ox for ox < WP (columns ox >= OW are computed and thrown
// away). Then the window element p = (c, ky, kx) of output q is pad[delta[p] + q] with delta[p] = c·HP·WP + ky·DH·WP +
// kx·DW: for a fixed p, 8 neighbouring outputs read 8 neighbouring floats, which is exactly a row of the matrix B
// in the product Y (O x Q) = W (O x CK) · B (CK x Q). The 4 x 8 SIMD tiles of assembly/gemm.ts read those rows straight
// from the padded image through the delta table; only W is packed. Every output adds its products in the order
// p = 0, 1, ..., CK - 1, as the im2col product does, so the results are the same bits as im2col then matmul.
//
// With a stride (SH, SW) > 1, neighbouring outputs read floats SW apart. So the padded plane is stored in SH·SW phases:
// phase (a, b) holds the rows ≡ a (mod SH) and columns ≡ b (mod SW), an HQ x WQ plane (HQ = ⌈HP / SH⌉, WQ = ⌈WP / SW⌉).
// Window element (c, ky, kx) of output (oy, ox) reads padded row oy·SH + ky·DH, that is row oy + ⌊ky·DH / SH⌋ of phase
// a = ky·DH mod SH (and likewise for columns): with q = oy·WQ + ox, it is pad[delta[p] + q] again, and the same tiles
// read it. Stride 1 is the one phase, HQ = HP and WQ = WP.
import { packA, transpose4x8 } from './gemm';

// The geometry of the call (set by setGeometry; each thread's instance has its own globals)
let C = 0, H = 0, W = 0, O = 0, KH = 0, KW = 0, PH = 0, PW = 0, DH = 0, DW = 0;
let SH = 0, SW = 0, HP = 0, WP = 0, HQ = 0, WQ = 0, OH = 0, OW = 0, CK = 0, CK4 = 0, CKP = 0, O4 = 0, QP = 0, PANELS = 0, PADLEN = 0;
// byte offsets of the scratch parts from the scratch block's start
let sDb: usize = 0, sAp: usize = 0, sApT: usize = 0, sPad: usize = 0, sDpad: usize = 0, sTmp: usize = 0, sDcols: usize = 0;
let sBpk: usize = 0, sApk: usize = 0, sDwp: usize = 0, sDelta: usize = 0, sEnd: usize = 0;

// @ts-ignore: decorator
@inline
function up(n: i32, m: i32): i32 {
  return (n + m - 1) / m * m;
}

// `stride` is SH << 16 | SW (the kernels that a worker thread runs take at most 20 arguments)
function setGeometry(c: i32, h: i32, wd: i32, o: i32, kh: i32, kw: i32, ph: i32, pw: i32, dh: i32, dw: i32, stride: i32): void {
  C = c; H = h; W = wd; O = o; KH = kh; KW = kw; PH = ph; PW = pw; DH = dh; DW = dw; SH = stride >> 16; SW = stride & 0xffff;
  HP = h + 2 * ph; WP = wd + 2 * pw;
  HQ = (HP + SH - 1) / SH; WQ = (WP + SW - 1) / SW;
  OH = (HP - dh * (kh - 1) - 1) / SH + 1; OW = (WP - dw * (kw - 1) - 1) / SW + 1;
  CK = c * kh * kw; CK4 = up(CK, 4); CKP = up(CK, 8); O4 = up(o, 4);
  PANELS = (OH * WQ + 7) >> 3; QP = PANELS << 3;
  let deltaMax = 0;
  for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) deltaMax = max(deltaMax, delta(c - 1, ky, kx));
  PADLEN = up(max(c * SH * SW * HQ * WQ, deltaMax + QP) + QP, 4); // room for the zero row the delta table's unused entries read
  let at: usize = 0;
  sDb = at; at += <usize>O4 * 8;
  sAp = at; at += <usize>O4 * <usize>CK * 4;
  sApT = at; at += <usize>CK4 * <usize>O * 4;
  sPad = at; at += <usize>PADLEN * 4;
  sDpad = at; at += <usize>PADLEN * 4;
  sTmp = at; at += <usize>O4 * <usize>QP * 4;
  sDcols = at; at += <usize>CK4 * <usize>QP * 4;
  sBpk = at; at += <usize>CKP * <usize>QP * 4;
  sApk = at; at += <usize>O4 * <usize>QP * 4;
  sDwp = at; at += <usize>O4 * <usize>CKP * 4;
  sDelta = at; at += <usize>CKP * 4;
  sEnd = at;
}

/** Floats of scratch one thread needs for a convolution of this geometry. */
export function convScratchFloats(c: i32, h: i32, wd: i32, o: i32, kh: i32, kw: i32, ph: i32, pw: i32, dh: i32, dw: i32, stride: i32): i32 {
  setGeometry(c, h, wd, o, kh, kw, ph, pw, dh, dw, stride);
  return <i32>(sEnd >> 2);
}

// Where window element (c, ky, kx) of output 0 is in the phased, padded image (in floats).
// @ts-ignore: decorator
@inline
function delta(c: i32, ky: i32, kx: i32): i32 {
  const y = ky * DH, x = kx * DW;
  return ((c * SH * SW + (y % SH) * SW + x % SW) * HQ + y / SH) * WQ + x / SW;
}

// The delta table (byte offsets of each window element's row in the padded image); entries CK..CKP-1 point at the
// zero row after the image.
function fillDelta(s: usize): void {
  let p = 0;
  for (let c = 0; c < C; c++) {
    for (let ky = 0; ky < KH; ky++) {
      for (let kx = 0; kx < KW; kx++, p++) store<i32>(s + sDelta + <usize>p * 4, delta(c, ky, kx) * 4);
    }
  }
  for (; p < CKP; p++) store<i32>(s + sDelta + <usize>p * 4, (PADLEN - QP) * 4);
}

// c + a·b per lane: fused in the relaxed-SIMD build, as in gemm.ts
// @ts-ignore: decorator
@inline
function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/**
 * One 4 x 8 tile: rows from the packed A panel ([k][4]), columns from B rows (8 floats each) at b + table[p], or at
 * b + p·stride when table is 0; k steps in order; written to c (row stride ldc bytes), or added to what c holds when acc.
 */
// @ts-ignore: decorator
@inline
function tile(a: usize, b: usize, table: usize, stride: usize, k: i32, c: usize, ldc: usize, acc: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  if (acc) {
    c00 = v128.load(c); c01 = v128.load(c, 16);
    c10 = v128.load(c + ldc); c11 = v128.load(c + ldc, 16);
    c20 = v128.load(c + 2 * ldc); c21 = v128.load(c + 2 * ldc, 16);
    c30 = v128.load(c + 3 * ldc); c31 = v128.load(c + 3 * ldc, 16);
  }
  let pa = a, pt = table, ps = b;
  const end = a + <usize>k * 16;
  for (; pa < end; pa += 16, pt += 4, ps += stride) {
    const pb = table != 0 ? b + <usize>load<i32>(pt) : ps;
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let av = v128.load32_splat(pa);
    c00 = madd(av, b0, c00);
    c01 = madd(av, b1, c01);
    av = v128.load32_splat(pa, 4);
    c10 = madd(av, b0, c10);
    c11 = madd(av, b1, c11);
    av = v128.load32_splat(pa, 8);
    c20 = madd(av, b0, c20);
    c21 = madd(av, b1, c21);
    av = v128.load32_splat(pa, 12);
    c30 = madd(av, b0, c30);
    c31 = madd(av, b1, c31);
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c + ldc, c10); v128.store(c + ldc, c11, 16);
  v128.store(c + 2 * ldc, c20); v128.store(c + 2 * ldc, c21, 16);
  v128.store(c + 3 * ldc, c30); v128.store(c + 3 * ldc, c31, 16);
}

// Whether some kernel element reads phase `phase` of a dimension with stride `stride`, kernel size k and dilation d
// (a 1 x 1 kernel with stride 2 reads one phase of four).
// @ts-ignore: decorator
@inline
function phaseRead(phase: i32, stride: i32, k: i32, d: i32): bool {
  for (let i = 0; i < k; i++) if ((i * d) % stride == phase) return true;
  return false;
}

// Copies image `img` of x into the interior of the phased, padded plane at pad (whose border stays zero; phases no
// kernel element reads are left out), or, with out, that interior back into image `img` of x.
function padCopy(x: usize, img: i32, pad: usize, out: bool): void {
  for (let c = 0; c < C; c++) {
    const image = x + <usize>(img * C + c) * <usize>(H * W) * 4;
    for (let iy = 0; iy < H; iy++) {
      const py = iy + PH, row = image + <usize>(iy * W) * 4;
      if (!out && !phaseRead(py % SH, SH, KH, DH)) continue;
      for (let b = 0; b < SW; b++) {
        // the columns ix of this row in phase b: (ix + PW) mod SW = b, at column (ix + PW) / SW of the phase
        const ix0 = (b - PW % SW + SW) % SW;
        if (ix0 >= W || (!out && !phaseRead(b, SW, KW, DW))) continue;
        const phase = pad + <usize>((((c * SH + py % SH) * SW + b) * HQ + py / SH) * WQ + (ix0 + PW) / SW) * 4;
        const n = (W - ix0 + SW - 1) / SW;
        if (SW == 1) {
          if (out) memory.copy(row, phase, <usize>n * 4);
          else memory.copy(phase, row, <usize>n * 4);
        } else {
          for (let i = 0; i < n; i++) {
            const at = row + <usize>(ix0 + i * SW) * 4, to = phase + <usize>i * 4;
            if (out) store<f32>(at, load<f32>(to));
            else store<f32>(to, load<f32>(at));
          }
        }
      }
    }
  }
}

/**
 * y [N, O, OH, OW] = conv(x [N, C, H, W], w [O, C, KH, KW]) + b (b = 0: no bias; 0 is added then, as the readable
 * loop adds it), then max(0, y) when relu (0 for NaN and -0, as `y > 0 ? y : 0`), for images n0..n1-1.
 */
export function convForward(x: usize, w: usize, b: usize, y: usize, s: usize, n0: i32, n1: i32, c: i32, h: i32, wd: i32, o: i32, kh: i32, kw: i32, ph: i32, pw: i32, dh: i32, dw: i32, stride: i32, relu: i32): void {
  setGeometry(c, h, wd, o, kh, kw, ph, pw, dh, dw, stride);
  packA(w, s + sAp, O, CK, 0);
  fillDelta(s);
  memory.fill(s + sPad, 0, <usize>PADLEN * 4);
  const pad = s + sPad, tmp = s + sTmp, ldc = <usize>QP * 4, area = OH * OW;
  const zero = f32x4.splat(0), ow4 = OW & ~3;
  for (let img = n0; img < n1; img++) {
    padCopy(x, img, pad, false);
    for (let i0 = 0; i0 < O4; i0 += 4) {
      const panel = s + sAp + <usize>(i0 >> 2) * <usize>CK * 16, out = tmp + <usize>i0 * ldc;
      for (let jp = 0; jp < PANELS; jp++) tile(panel, pad + <usize>jp * 32, s + sDelta, 0, CK, out + <usize>jp * 32, ldc, false);
    }
    // keep the OW real columns of each row, with the bias and ReLU
    for (let oc = 0; oc < O; oc++) {
      const bias: f32 = b == 0 ? 0 : load<f32>(b + <usize>oc * 4), bv = f32x4.splat(bias);
      const dst0 = y + <usize>(img * O + oc) * <usize>area * 4, src0 = tmp + <usize>oc * ldc;
      for (let oy = 0; oy < OH; oy++) {
        const dst = dst0 + <usize>(oy * OW) * 4, src = src0 + <usize>(oy * WQ) * 4;
        let ox = 0;
        for (; ox < ow4; ox += 4) {
          let v = f32x4.add(v128.load(src + <usize>ox * 4), bv);
          if (relu) v = v128.and(v, f32x4.gt(v, zero));
          v128.store(dst + <usize>ox * 4, v);
        }
        for (; ox < OW; ox++) {
          let v = load<f32>(src + <usize>ox * 4) + bias;
          if (relu) v = v > 0 ? v : 0;
          store<f32>(dst + <usize>ox * 4, v);
        }
      }
    }
  }
}


/**
 * The gradients of convForward for images n0..n1-1, from gy [N, O, OH, OW] (masked by y > 0 first when y is not 0:
 * the fused ReLU): dx (when not 0) for each image; into the scratch, this range's dW [O4, CKP] (flags bit 0) and its
 * bias gradient as float64 sums (flags bit 1), which convGradSum writes out.
 */
export function convBackward(x: usize, w: usize, y: usize, gy: usize, dx: usize, s: usize, n0: i32, n1: i32, c: i32, h: i32, wd: i32, o: i32, kh: i32, kw: i32, ph: i32, pw: i32, dh: i32, dw: i32, stride: i32, flags: i32): void {
  setGeometry(c, h, wd, o, kh, kw, ph, pw, dh, dw, stride);
  const needDw = (flags & 1) != 0, needDb = (flags & 2) != 0;
  fillDelta(s);
  const ldc = <usize>QP * 4, area = OH * OW, ow4 = OW & ~3;
  const dyp = s + sTmp, pad = s + sPad, dpad = s + sDpad, zero = f32x4.splat(0);
  memory.fill(dyp, 0, <usize>O4 * ldc);
  memory.fill(s + sDb, 0, <usize>O4 * 8);
  if (dx != 0) {
    packA(w, s + sApT, CK, O, 1); // Wᵀ (CK x O) in 4-row panels
    memory.fill(dpad, 0, <usize>PADLEN * 4);
  }
  if (needDw) {
    memory.fill(pad, 0, <usize>PADLEN * 4);
  }
  for (let img = n0; img < n1; img++) {
    // dY on the padded width (the thrown-away columns stay 0), through the ReLU mask; the bias gradient's sums
    for (let oc = 0; oc < O; oc++) {
      const at0 = <usize>(img * O + oc) * <usize>area * 4, dst0 = dyp + <usize>oc * ldc;
      let s0 = f64x2.splat(0), s1 = f64x2.splat(0), t: f64 = 0;
      for (let oy = 0; oy < OH; oy++) {
        const at = at0 + <usize>(oy * OW) * 4, dst = dst0 + <usize>(oy * WQ) * 4;
        let ox = 0;
        for (; ox < ow4; ox += 4) {
          let v = v128.load(gy + at + <usize>ox * 4);
          if (y != 0) v = v128.and(v, f32x4.gt(v128.load(y + at + <usize>ox * 4), zero));
          v128.store(dst + <usize>ox * 4, v);
          s0 = f64x2.add(s0, f64x2.promote_low_f32x4(v));
          s1 = f64x2.add(s1, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)));
        }
        for (; ox < OW; ox++) {
          let v = load<f32>(gy + at + <usize>ox * 4);
          if (y != 0) v = load<f32>(y + at + <usize>ox * 4) > 0 ? v : 0;
          store<f32>(dst + <usize>ox * 4, v);
          t += <f64>v;
        }
      }
      if (needDb) {
        const sum = f64x2.add(s0, s1);
        const d = s + sDb + <usize>oc * 8;
        store<f64>(d, load<f64>(d) + (f64x2.extract_lane(sum, 0) + f64x2.extract_lane(sum, 1) + t));
      }
    }
    if (dx != 0) {
      // dcols (CK x QP) = Wᵀ · dY, then added back where each window element was read (col2im), p in order
      const dcols = s + sDcols;
      for (let i0 = 0; i0 < CK4; i0 += 4) {
        const panel = s + sApT + <usize>(i0 >> 2) * <usize>O * 16, out = dcols + <usize>i0 * ldc;
        for (let jp = 0; jp < PANELS; jp++) tile(panel, dyp + <usize>jp * 32, 0, ldc, O, out + <usize>jp * 32, ldc, false);
      }
      for (let p = 0; p < CK; p++) {
        const src = dcols + <usize>p * ldc, dst = dpad + <usize>load<i32>(s + sDelta + <usize>p * 4);
        for (let q = 0; q < QP; q += 4) v128.store(dst + <usize>q * 4, f32x4.add(v128.load(dst + <usize>q * 4), v128.load(src + <usize>q * 4)));
      }
      padCopy(dx, img, dpad, true);
      memory.fill(dpad, 0, <usize>PADLEN * 4);
    }
    if (needDw) {
      // dW (O x CK) += dY (O x QP) · Bᵀ, B the window rows of this image: dY in 4-row panels, B's rows in 8-column panels
      padCopy(x, img, pad, false);
      packA(dyp, s + sApk, O4, QP, 0);
      const bpk = s + sBpk, dl = s + sDelta;
      for (let pp = 0; pp < CKP; pp += 8) {
        const r0 = pad + <usize>load<i32>(dl + <usize>pp * 4), r1 = pad + <usize>load<i32>(dl + <usize>pp * 4, 4);
        const r2 = pad + <usize>load<i32>(dl + <usize>pp * 4, 8), r3 = pad + <usize>load<i32>(dl + <usize>pp * 4, 12);
        const r4 = pad + <usize>load<i32>(dl + <usize>pp * 4, 16), r5 = pad + <usize>load<i32>(dl + <usize>pp * 4, 20);
        const r6 = pad + <usize>load<i32>(dl + <usize>pp * 4, 24), r7 = pad + <usize>load<i32>(dl + <usize>pp * 4, 28);
        const dst = bpk + <usize>pp * ldc;
        for (let q = 0; q < QP; q += 4) {
          const at = <usize>q * 4;
          transpose4x8(v128.load(r0 + at), v128.load(r1 + at), v128.load(r2 + at), v128.load(r3 + at), v128.load(r4 + at), v128.load(r5 + at), v128.load(r6 + at), v128.load(r7 + at), dst + at * 8);
        }
      }
      const dwp = s + sDwp, ldw = <usize>CKP * 4;
      for (let i0 = 0; i0 < O4; i0 += 4) {
        const panel = s + sApk + <usize>(i0 >> 2) * <usize>QP * 16, out = dwp + <usize>i0 * ldw;
        for (let pp = 0; pp < CKP; pp += 8) tile(panel, bpk + <usize>pp * ldc, 0, 32, QP, out + <usize>pp * 4, ldw, img > n0);
      }
    }
  }
}

/**
 * Writes the weight and bias gradients (either 0: not wanted) from one or two threads' scratch (s1 0: one thread):
 * dw [O, CK] from the dW parts, db [O] from the float64 sums, the parts added in order.
 */
export function convGradSum(s0: usize, s1: usize, dw: usize, db: usize, c: i32, h: i32, wd: i32, o: i32, kh: i32, kw: i32, ph: i32, pw: i32, dh: i32, dwd: i32, stride: i32): void {
  setGeometry(c, h, wd, o, kh, kw, ph, pw, dh, dwd, stride);
  if (dw != 0) {
    for (let oc = 0; oc < O; oc++) {
      for (let p = 0; p < CK; p++) {
        const at = (<usize>oc * <usize>CKP + <usize>p) * 4;
        let v = load<f32>(s0 + sDwp + at);
        if (s1 != 0) v += load<f32>(s1 + sDwp + at);
        store<f32>(dw + (<usize>oc * <usize>CK + <usize>p) * 4, v);
      }
    }
  }
  if (db != 0) {
    for (let oc = 0; oc < O; oc++) {
      let v = load<f64>(s0 + sDb + <usize>oc * 8);
      if (s1 != 0) v += load<f64>(s1 + sDb + <usize>oc * 8);
      store<f32>(db + <usize>oc * 4, <f32>v);
    }
  }
}
