// The elementwise work around a linear layer's product, as WebAssembly SIMD kernels: the bias added to every row
// (with ReLU after it when asked), and each activation's backward fused with the bias gradient. They mirror the
// readable loops of src/autograd/ops/linear.ts and activation.ts, in the same float32 order, so both give the same
// bits.

/** y[i, j] = y[i, j] + b[j] over n rows of m columns; then y = max(0, y) (0 for NaN and -0, as `y > 0 ? y : 0`) when relu. */
export function biasRelu(y: usize, b: usize, n: i32, m: i32, relu: i32): void {
  const zero = f32x4.splat(0);
  const m4 = m & ~3;
  for (let i = 0; i < n; i++) {
    const row = y + <usize>i * <usize>m * 4;
    let j = 0;
    for (; j < m4; j += 4) {
      const at = row + <usize>j * 4;
      let v = v128.load(at);
      if (b != 0) v = f32x4.add(v, v128.load(b + <usize>j * 4));
      if (relu) v = v128.and(v, f32x4.gt(v, zero));
      v128.store(at, v);
    }
    for (; j < m; j++) {
      const at = row + <usize>j * 4;
      let v = load<f32>(at);
      if (b != 0) v += load<f32>(b + <usize>j * 4);
      if (relu) v = v > 0 ? v : 0;
      store<f32>(at, v);
    }
  }
}

// The activations' backward from their outputs y, as the readable loops write them: ReLU g where y > 0, else 0;
// tanh g (1 - y y); sigmoid (g (1 - y)) y, each operation rounded to float32.
const RELU = 0, TANH = 1, SIGMOID = 2;

// @ts-ignore: decorator
@inline
function backwardLanes(kind: i32, y: v128, g: v128): v128 {
  if (kind == RELU) return v128.and(g, f32x4.gt(y, f32x4.splat(0)));
  if (kind == TANH) return f32x4.mul(g, f32x4.sub(f32x4.splat(1), f32x4.mul(y, y)));
  return f32x4.mul(f32x4.mul(g, f32x4.sub(f32x4.splat(1), y)), y);
}

// @ts-ignore: decorator
@inline
function backwardLane(kind: i32, y: f32, g: f32): f32 {
  if (kind == RELU) return y > 0 ? g : 0;
  if (kind == TANH) return g * (1 - y * y);
  return g * (1 - y) * y;
}

/**
 * d = act'(y) g over n rows of m columns, and, when db is not 0, the bias gradient in the same pass: db[j] = the sum
 * over rows of d[i, j], adding rows in order as columnSums does (db is overwritten).
 */
// @ts-ignore: decorator
@inline
function activationBackward(kind: i32, y: usize, g: usize, d: usize, db: usize, n: i32, m: i32): void {
  const m4 = m & ~3;
  if (db != 0) memory.fill(db, 0, <usize>m * 4);
  for (let i = 0; i < n; i++) {
    const row = <usize>i * <usize>m * 4;
    let j = 0;
    for (; j < m4; j += 4) {
      const at = row + <usize>j * 4;
      const v = backwardLanes(kind, v128.load(y + at), v128.load(g + at));
      v128.store(d + at, v);
      if (db != 0) v128.store(db + <usize>j * 4, f32x4.add(v128.load(db + <usize>j * 4), v));
    }
    for (; j < m; j++) {
      const at = row + <usize>j * 4;
      const v = backwardLane(kind, load<f32>(y + at), load<f32>(g + at));
      store<f32>(d + at, v);
      if (db != 0) store<f32>(db + <usize>j * 4, load<f32>(db + <usize>j * 4) + v);
    }
  }
}

/** ReLU's backward (d = g where y > 0, else 0) and, when db is not 0, the bias gradient in the same pass. */
export function reluBackwardSums(y: usize, g: usize, d: usize, db: usize, n: i32, m: i32): void {
  activationBackward(RELU, y, g, d, db, n, m);
}

/** tanh's backward (d = g (1 - y²)) and, when db is not 0, the bias gradient in the same pass. */
export function tanhBackwardSums(y: usize, g: usize, d: usize, db: usize, n: i32, m: i32): void {
  activationBackward(TANH, y, g, d, db, n, m);
}

/** sigmoid's backward (d = g (1 - y) y) and, when db is not 0, the bias gradient in the same pass. */
export function sigmoidBackwardSums(y: usize, g: usize, d: usize, db: usize, n: i32, m: i32): void {
  activationBackward(SIGMOID, y, g, d, db, n, m);
}

/** db[j] = sum over rows i of g[i, j], adding rows in order (db is overwritten). */
export function columnSums(g: usize, db: usize, n: i32, m: i32): void {
  const m4 = m & ~3;
  memory.fill(db, 0, <usize>m * 4);
  for (let i = 0; i < n; i++) {
    const row = g + <usize>i * <usize>m * 4;
    let j = 0;
    for (; j < m4; j += 4) v128.store(db + <usize>j * 4, f32x4.add(v128.load(db + <usize>j * 4), v128.load(row + <usize>j * 4)));
    for (; j < m; j++) store<f32>(db + <usize>j * 4, load<f32>(db + <usize>j * 4) + load<f32>(row + <usize>j * 4));
  }
}

/** 1 when every one of `len` floats is finite, else 0 (x - x is 0 only for finite x). */
export function allFinite(x: usize, len: i32): i32 {
  const len4 = len & ~3;
  let acc = f32x4.splat(0), acc1 = f32x4.splat(0);
  let i = 0;
  // two running sums, so each add waits on one from two steps back
  for (; i + 8 <= len4; i += 8) {
    const v = v128.load(x + <usize>i * 4), w = v128.load(x + <usize>i * 4, 16);
    acc = f32x4.add(acc, f32x4.sub(v, v));
    acc1 = f32x4.add(acc1, f32x4.sub(w, w));
  }
  acc = f32x4.add(acc, acc1);
  for (; i < len4; i += 4) {
    const v = v128.load(x + <usize>i * 4);
    acc = f32x4.add(acc, f32x4.sub(v, v));
  }
  let s: f32 = 0;
  for (; i < len; i++) {
    const v = load<f32>(x + <usize>i * 4);
    s += v - v;
  }
  return i32(f32x4.extract_lane(acc, 0) == 0 && f32x4.extract_lane(acc, 1) == 0 && f32x4.extract_lane(acc, 2) == 0 && f32x4.extract_lane(acc, 3) == 0 && s == 0);
}

/**
 * The largest |x[i]| over `len` floats: NaN if any is NaN, Infinity if any is infinite. Compared as integers: a
 * float's magnitude bits (sign cleared) order as its magnitude does, with every NaN above Infinity, so the largest
 * of them, read back as a float, is the answer, NaN included (two instructions per four floats).
 */
// @ts-ignore: decorator
@inline
function maxAbsOne(x: usize, len: i32): f32 {
  const len16 = len & ~15, mask = i32x4.splat(0x7fffffff);
  let acc = i32x4.splat(0), acc1 = acc, acc2 = acc, acc3 = acc;
  let i = 0;
  // four running maxima, so each waits on one from four steps back, not on the last
  for (; i < len16; i += 16) {
    const at = x + <usize>i * 4;
    acc = i32x4.max_s(acc, v128.and(v128.load(at), mask));
    acc1 = i32x4.max_s(acc1, v128.and(v128.load(at, 16), mask));
    acc2 = i32x4.max_s(acc2, v128.and(v128.load(at, 32), mask));
    acc3 = i32x4.max_s(acc3, v128.and(v128.load(at, 48), mask));
  }
  acc = i32x4.max_s(i32x4.max_s(acc, acc1), i32x4.max_s(acc2, acc3));
  let s = max(max(i32x4.extract_lane(acc, 0), i32x4.extract_lane(acc, 1)), max(i32x4.extract_lane(acc, 2), i32x4.extract_lane(acc, 3)));
  for (; i < len; i++) s = max(s, load<i32>(x + <usize>i * 4) & 0x7fffffff);
  return reinterpret<f32>(s);
}

/** The largest magnitude over up to four arrays of `len` floats (offset 0: none); NaN if any value is NaN. */
export function maxAbs(x0: usize, x1: usize, x2: usize, x3: usize, len: i32): f32 {
  let s = maxAbsOne(x0, len);
  // f32 max carries NaN through
  if (x1 != 0) s = max(s, maxAbsOne(x1, len));
  if (x2 != 0) s = max(s, maxAbsOne(x2, len));
  if (x3 != 0) s = max(s, maxAbsOne(x3, len));
  return s;
}

/** acc[i] = acc[i] + x[i] over `len` floats (gradient accumulation). */
export function addInto(acc: usize, x: usize, len: i32): void {
  const len4 = len & ~3;
  let i = 0;
  for (; i < len4; i += 4) {
    const at = <usize>i * 4;
    v128.store(acc + at, f32x4.add(v128.load(acc + at), v128.load(x + at)));
  }
  for (; i < len; i++) {
    const at = <usize>i * 4;
    store<f32>(acc + at, load<f32>(acc + at) + load<f32>(x + at));
  }
}
