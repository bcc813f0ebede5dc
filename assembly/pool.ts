// Max pooling over 2 x 2 windows with stride 2 (no padding) as WebAssembly SIMD kernels, four outputs at a time and
// branch-free. The rule is src/autograd/ops/pool.ts's: a later candidate wins only when strictly greater, or when it
// is the first NaN; the backward finds the winner again from x and y (the first candidate equal to the maximum, or the
// first NaN when the maximum is NaN), so no index array is kept.

// where a later candidate c replaces the best so far: c > best, or c is NaN and best is not
// @ts-ignore: decorator
@inline
function wins(c: v128, best: v128): v128 {
  return v128.or(f32x4.gt(c, best), v128.and(f32x4.ne(c, c), f32x4.eq(best, best)));
}

// where candidate c is the maximum m: equal, or both NaN
// @ts-ignore: decorator
@inline
function isMax(c: v128, m: v128): v128 {
  return v128.or(f32x4.eq(c, m), v128.and(f32x4.ne(c, c), f32x4.ne(m, m)));
}

// @ts-ignore: decorator
@inline
function scalarMax(x: usize, i: usize, w: usize): f32 {
  let best = load<f32>(x + i * 4);
  let v = load<f32>(x + (i + 1) * 4);
  if (v > best || (v != v && best == best)) best = v;
  v = load<f32>(x + (i + w) * 4);
  if (v > best || (v != v && best == best)) best = v;
  v = load<f32>(x + (i + w + 1) * 4);
  if (v > best || (v != v && best == best)) best = v;
  return best;
}

/** y [planes, h/2, w/2] = the maximum of each 2 x 2 window of x [planes, h, w] (odd last rows and columns unused). */
export function maxPool2x2(x: usize, y: usize, planes: i32, h: i32, w: i32): void {
  const oh = h >> 1, ow = w >> 1, ow4 = ow & ~3;
  let o: usize = 0;
  for (let plane = 0; plane < planes; plane++) {
    for (let oy = 0; oy < oh; oy++) {
      const row = <usize>plane * <usize>h * <usize>w + <usize>(2 * oy) * <usize>w;
      const r0 = x + row * 4, r1 = r0 + <usize>w * 4;
      let ox = 0;
      for (; ox < ow4; ox += 4, o += 4) {
        const a = v128.load(r0 + <usize>ox * 8), b = v128.load(r0 + <usize>ox * 8, 16);
        const c = v128.load(r1 + <usize>ox * 8), d = v128.load(r1 + <usize>ox * 8, 16);
        // the candidates in row-major order: top-left, top-right, bottom-left, bottom-right
        let best = v128.shuffle<f32>(a, b, 0, 2, 4, 6);
        const c1 = v128.shuffle<f32>(a, b, 1, 3, 5, 7), c2 = v128.shuffle<f32>(c, d, 0, 2, 4, 6), c3 = v128.shuffle<f32>(c, d, 1, 3, 5, 7);
        best = v128.bitselect(c1, best, wins(c1, best));
        best = v128.bitselect(c2, best, wins(c2, best));
        best = v128.bitselect(c3, best, wins(c3, best));
        v128.store(y + o * 4, best);
      }
      for (; ox < ow; ox++, o++) store<f32>(y + o * 4, scalarMax(x, row + <usize>(2 * ox), <usize>w));
    }
  }
}

/**
 * dx [planes, h, w] = the gradient of maxPool2x2: each window's gy goes to its winning element (0 + gy, as the
 * readable loop's `dx[at] += gy` from zero), 0 to the others; the odd last rows and columns are left as they are.
 */
export function maxPool2x2Backward(x: usize, y: usize, gy: usize, dx: usize, planes: i32, h: i32, w: i32): void {
  const oh = h >> 1, ow = w >> 1, ow4 = ow & ~3, zero = f32x4.splat(0);
  let o: usize = 0;
  for (let plane = 0; plane < planes; plane++) {
    for (let oy = 0; oy < oh; oy++) {
      const row = <usize>plane * <usize>h * <usize>w + <usize>(2 * oy) * <usize>w;
      const r0 = x + row * 4, r1 = r0 + <usize>w * 4, d0 = dx + row * 4, d1 = d0 + <usize>w * 4;
      let ox = 0;
      for (; ox < ow4; ox += 4, o += 4) {
        const a = v128.load(r0 + <usize>ox * 8), b = v128.load(r0 + <usize>ox * 8, 16);
        const c = v128.load(r1 + <usize>ox * 8), d = v128.load(r1 + <usize>ox * 8, 16);
        const m = v128.load(y + o * 4), g = v128.load(gy + o * 4);
        const c0 = v128.shuffle<f32>(a, b, 0, 2, 4, 6), c1 = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
        const c2 = v128.shuffle<f32>(c, d, 0, 2, 4, 6), c3 = v128.shuffle<f32>(c, d, 1, 3, 5, 7);
        // the first candidate that is the maximum wins
        const w0 = isMax(c0, m);
        let taken = w0;
        const w1 = v128.andnot(isMax(c1, m), taken);
        taken = v128.or(taken, w1);
        const w2 = v128.andnot(isMax(c2, m), taken);
        taken = v128.or(taken, w2);
        const w3 = v128.andnot(isMax(c3, m), taken);
        const g0 = f32x4.add(zero, v128.and(g, w0)), g1 = f32x4.add(zero, v128.and(g, w1));
        const g2 = f32x4.add(zero, v128.and(g, w2)), g3 = f32x4.add(zero, v128.and(g, w3));
        v128.store(d0 + <usize>ox * 8, v128.shuffle<f32>(g0, g1, 0, 4, 1, 5));
        v128.store(d0 + <usize>ox * 8, v128.shuffle<f32>(g0, g1, 2, 6, 3, 7), 16);
        v128.store(d1 + <usize>ox * 8, v128.shuffle<f32>(g2, g3, 0, 4, 1, 5));
        v128.store(d1 + <usize>ox * 8, v128.shuffle<f32>(g2, g3, 2, 6, 3, 7), 16);
      }
      for (; ox < ow; ox++, o++) {
        const i = row + <usize>(2 * ox), m = load<f32>(y + o * 4), g = load<f32>(gy + o * 4);
        const v0 = load<f32>(x + i * 4), v1 = load<f32>(x + (i + 1) * 4), v2 = load<f32>(x + (i + <usize>w) * 4), v3 = load<f32>(x + (i + <usize>w + 1) * 4);
        const mNaN = m != m;
        const is0 = v0 == m || (mNaN && v0 != v0), is1 = !is0 && (v1 == m || (mNaN && v1 != v1));
        const is2 = !is0 && !is1 && (v2 == m || (mNaN && v2 != v2)), is3 = !is0 && !is1 && !is2;
        store<f32>(dx + i * 4, is0 ? 0 + g : 0);
        store<f32>(dx + (i + 1) * 4, is1 ? 0 + g : 0);
        store<f32>(dx + (i + <usize>w) * 4, is2 ? 0 + g : 0);
        store<f32>(dx + (i + <usize>w + 1) * 4, is3 ? 0 + g : 0);
      }
    }
  }
}
