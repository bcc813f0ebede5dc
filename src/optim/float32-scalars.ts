// torch's LBFGS computes with float32 tensors and float64 Python floats side by side; these are its rules and its
// float32 reductions, so that lbfgs.ts and strong-wolfe.ts can follow its code line by line.

/**
 * A 0-dim float32 tensor of torch's LBFGS code (a dot product, a max, and what is computed from them). torch's
 * line search mixes these with Python floats (float64: losses, step lengths while no tensor has touched them), and
 * the kind decides the rounding: arithmetic with a tensor rounds to float32, a Python float meeting a tensor is
 * first rounded to float32 (in comparisons too), and `float / tensor` is `tensor.reciprocal() * float`. A plain
 * number here is a Python float; `F32` is a tensor.
 */
export class F32 {
  readonly v: number;
  constructor(v: number) {
    this.v = Math.fround(v);
  }
}

/** A Python float (number) or a 0-dim float32 tensor (F32). */
export type Num = number | F32;

const f = Math.fround;
const value = (a: Num): number => (a instanceof F32 ? a.v : a);
const either = (a: Num, b: Num) => a instanceof F32 || b instanceof F32;

/** Python's a + b, a - b, a * b, a / b with torch's promotion. */
export const add = (a: Num, b: Num): Num => (either(a, b) ? new F32(f(value(a)) + f(value(b))) : (a as number) + (b as number));
export const sub = (a: Num, b: Num): Num => (either(a, b) ? new F32(f(value(a)) - f(value(b))) : (a as number) - (b as number));
export const mul = (a: Num, b: Num): Num => (either(a, b) ? new F32(f(value(a)) * f(value(b))) : (a as number) * (b as number));
export function div(a: Num, b: Num): Num {
  if (!(a instanceof F32) && b instanceof F32) return new F32(f(1 / b.v) * f(a)); // Tensor.__rtruediv__
  return either(a, b) ? new F32(f(value(a)) / f(value(b))) : (a as number) / (b as number);
}
export const abs = (a: Num): Num => (a instanceof F32 ? new F32(Math.abs(a.v)) : Math.abs(a));
/** a < b, a <= b, ... : in float32 when either side is a tensor. */
export const lt = (a: Num, b: Num): boolean => (either(a, b) ? f(value(a)) < f(value(b)) : (a as number) < (b as number));
export const le = (a: Num, b: Num): boolean => (either(a, b) ? f(value(a)) <= f(value(b)) : (a as number) <= (b as number));
export const gt = (a: Num, b: Num): boolean => lt(b, a);
export const ge = (a: Num, b: Num): boolean => le(b, a);
/** Python's max(a, b) and min(a, b): the first argument unless the second is strictly beyond it (kind kept). */
export const pyMax = (a: Num, b: Num): Num => (gt(b, a) ? b : a);
export const pyMin = (a: Num, b: Num): Num => (lt(b, a) ? b : a);
/** The number a Num holds (a tensor's float32 value, or the float64). */
export const numberOf = value;

/**
 * x·y in float32 as torch computes it here (the BLAS sdot it calls): float32 products summed in float64, rounded
 * once. From 32 values on, that BLAS's vector kernel sums in another order, a few ulp away.
 */
export function dot(x: Float32Array, y: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += f(x[i] * y[i]);
  return f(s);
}

/** max |x_i| (exact in any order; NaN if any is NaN). */
export function maxAbs(x: Float32Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    const a = Math.abs(x[i]);
    if (a !== a) return NaN;
    if (a > m) m = a;
  }
  return m;
}

/**
 * ‖x‖₁ in float32 in the order of torch's sum kernel, for fewer than 32 values: below 8, four running sums (of x_k,
 * x_{k+4}, ...) with the values left over added to the first, then the four added in order; from 8, eight running
 * sums over whole groups of 8, the values left over summed in order and added to the first, then the eight added
 * in order. From 32 values on torch also runs four such vectors side by side, a few ulp away.
 */
export function sumAbs(x: Float32Array): number {
  const lanes = x.length < 8 ? 4 : 8, whole = Math.floor(x.length / lanes) * lanes;
  const partial = new Array<number>(lanes).fill(0);
  for (let i = 0; i < whole; i++) partial[i % lanes] = f(partial[i % lanes] + Math.abs(x[i]));
  let rest = lanes === 4 ? partial[0] : 0;
  for (let i = whole; i < x.length; i++) rest = f(rest + Math.abs(x[i]));
  partial[0] = lanes === 4 ? rest : f(partial[0] + rest);
  let s = partial[0];
  for (let k = 1; k < lanes; k++) s = f(s + partial[k]);
  return s;
}
