// Python's math.log(x, base), to the bit, for Hyperband's bracket count. CPython divides the C library's log(x) by
// log(base); glibc's log is correctly rounded in practice, V8's Math.log is not always (Math.log(3) is one ulp
// below), and floor(log(243) / log(3)) then differs (5 against Python's 4). So the natural log here is computed
// in 200-bit fixed point and rounded once to the nearest double.

const BITS = 200n;
const ONE = 1n << BITS;

/** atanh(z) for a fixed-point z in [0, 1/3): z + z^3/3 + z^5/5 + ... until the terms vanish. */
function atanhFixed(z: bigint): bigint {
  const z2 = (z * z) >> BITS;
  let term = z, sum = 0n;
  for (let k = 1n; term !== 0n; k += 2n) {
    sum += term / k;
    term = (term * z2) >> BITS;
  }
  return sum;
}

const LN2 = 2n * atanhFixed(ONE / 3n); // ln 2 = 2 atanh(1/3)

/** The natural log of a finite x > 0, correctly rounded: x = y * 2^e with y in [1, 2), ln x = e ln 2 + 2 atanh((y - 1) / (y + 1)). */
export function lnCorrectlyRounded(x: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0), lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e = -1074;
  if (biased !== 0) {
    mant |= 1n << 52n;
    e = biased - 1075;
  }
  const len = mant.toString(2).length;
  const Y = mant << (BITS - BigInt(len - 1)); // y in [1, 2), fixed point
  const z = ((Y - ONE) << BITS) / (Y + ONE);
  // Number(bigint) rounds to the nearest double; dividing by 2^200 is then exact
  return Number(BigInt(e + len - 1) * LN2 + 2n * atanhFixed(z)) / 2 ** 200;
}

/** Python's math.log(x, base): log(x) / log(base) with both logs correctly rounded. */
export function pythonLog(x: number, base: number): number {
  return lnCorrectlyRounded(x) / lnCorrectlyRounded(base);
}
