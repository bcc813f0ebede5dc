import { checkInteger, checkOptionsObject } from '../format/check.js';
/** Edge handling of `savgolFilter`, SciPy's modes. */
export type SavgolMode = 'interp' | 'nearest' | 'mirror' | 'constant' | 'wrap';

/** Options of `savgolFilter`, as `scipy.signal.savgol_filter`. */
export interface SavgolOptions {
  /** Order of the derivative to compute. Default 0 (smoothing). */
  deriv?: number;
  /** Sample spacing, for derivatives. Default 1. */
  delta?: number;
  /** Edge handling, as SciPy. Default 'interp' (fit a polynomial to the first and last windows). */
  mode?: SavgolMode;
  /** Value outside the data for mode 'constant'. Default 0. */
  cval?: number;
}

/** Solves the small dense system M z = b by Gaussian elimination with partial pivoting (M is overwritten). */
function solve(M: number[][], b: number[]): number[] {
  const n = b.length;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
    [M[c], M[p]] = [M[p], M[c]];
    [b[c], b[p]] = [b[p], b[c]];
    for (let r = c + 1; r < n; r++) {
      const f = M[r][c] / M[c][c];
      for (let k = c; k < n; k++) M[r][k] -= f * M[c][k];
      b[r] -= f * b[c];
    }
  }
  const z = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r];
    for (let k = r + 1; k < n; k++) s -= M[r][k] * z[k];
    z[r] = s / M[r][r];
  }
  return z;
}

function factorial(n: number): number {
  let f = 1;
  for (let i = 2; i <= n; i++) f *= i;
  return f;
}

/**
 * The Savitzky-Golay convolution coefficients, as `scipy.signal.savgol_coeffs(..., use='conv')`: the minimum-norm
 * least-squares solution of A c = e_deriv · deriv! / delta^deriv, where A[i][k] = x_k^i over the window's
 * (reversed) positions x_k centred on the middle (half-integers for an even window).
 */
export function savgolCoeffs(windowLength: number, polyorder: number, deriv = 0, delta = 1): Float64Array {
  checkInteger('savgolCoeffs', 'windowLength', windowLength, 1, 10001);
  checkInteger('savgolCoeffs', 'polyorder', polyorder, 0, windowLength - 1);
  const half = Math.floor(windowLength / 2);
  const pos = windowLength % 2 === 0 ? half - 0.5 : half;
  const xs = Array.from({ length: windowLength }, (_, k) => -pos + (windowLength - 1 - k));
  const out = new Float64Array(windowLength);
  if (deriv > polyorder) return out;
  const A = Array.from({ length: polyorder + 1 }, (_, i) => xs.map((x) => x ** i));
  const AAt = A.map((ri) => A.map((rj) => ri.reduce((s, v, k) => s + v * rj[k], 0)));
  const y = new Array<number>(polyorder + 1).fill(0);
  y[deriv] = factorial(deriv) / delta ** deriv;
  const z = solve(AAt, y);
  for (let k = 0; k < windowLength; k++) {
    let s = 0;
    for (let i = 0; i <= polyorder; i++) s += A[i][k] * z[i];
    out[k] = s;
  }
  return out;
}

/** The index that `mode` reads for position i of data of length n (SciPy ndimage's extension rules). */
function extend(i: number, n: number, mode: SavgolMode): number {
  if (i >= 0 && i < n) return i;
  switch (mode) {
    case 'nearest':
      return i < 0 ? 0 : n - 1;
    case 'wrap':
      return ((i % n) + n) % n;
    case 'mirror': {
      if (n === 1) return 0;
      const period = 2 * (n - 1);
      const j = ((i % period) + period) % period;
      return j < n ? j : period - j;
    }
    default:
      return -1; // constant: read cval
  }
}

/** Least-squares polynomial fit of `ys` at 0..m-1, evaluated (or its derivative) at `at` (`np.polyfit` + polyval). */
function polyfitEval(ys: ArrayLike<number>, start: number, m: number, order: number, deriv: number, at: number[]): number[] {
  const mid = (m - 1) / 2;
  const n = order + 1;
  // normal equations in centred coordinates t = x - mid keep the system well conditioned
  const M = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const b = new Array<number>(n).fill(0);
  for (let k = 0; k < m; k++) {
    const t = k - mid;
    for (let i = 0; i < n; i++) {
      b[i] += t ** i * ys[start + k];
      for (let j = 0; j < n; j++) M[i][j] += t ** (i + j);
    }
  }
  const a = solve(M, b);
  return at.map((x) => {
    const t = x - mid;
    let s = 0;
    for (let i = deriv; i < n; i++) s += (a[i] * factorial(i)) / factorial(i - deriv) * t ** (i - deriv);
    return s;
  });
}

/**
 * Savitzky-Golay smoothing (or differentiation), with SciPy's results: `scipy.signal.savgol_filter(x,
 * window_length, polyorder, deriv, delta, mode, cval)`. Each point is replaced by the value at its position of the
 * degree-`polyorder` polynomial fitted by least squares to the `windowLength` points around it, which is a
 * convolution with fixed coefficients. Mode 'interp' fits the first and last windows directly instead of extending
 * the data. Computed in double precision.
 */
export function savgolFilter(x: ArrayLike<number>, windowLength: number, polyorder: number, options: SavgolOptions = {}): Float64Array {
  const { deriv = 0, delta = 1, mode = 'interp', cval = 0 } = checkOptionsObject<SavgolOptions>('savgolFilter', options, ['deriv', 'delta', 'mode', 'cval']);
  const n = x?.length;
  if (typeof n !== 'number') throw new TypeError('savgolFilter: expected an array of numbers');
  if (!Number.isInteger(windowLength) || windowLength < 1) throw new RangeError(`savgolFilter: expected windowLength to be a positive integer, got ${windowLength}`);
  if (!Number.isInteger(polyorder) || polyorder < 0) throw new RangeError(`savgolFilter: expected polyorder to be a non-negative integer, got ${polyorder}`);
  if (polyorder >= windowLength) throw new RangeError(`savgolFilter: polyorder must be less than windowLength, got polyorder ${polyorder} and windowLength ${windowLength}`);
  if (!Number.isInteger(deriv) || deriv < 0) throw new RangeError(`savgolFilter: expected deriv to be a non-negative integer, got ${deriv}`);
  if (!['interp', 'nearest', 'mirror', 'constant', 'wrap'].includes(mode)) {
    throw new RangeError(`savgolFilter: expected mode 'interp', 'nearest', 'mirror', 'constant' or 'wrap', got '${mode}'`);
  }
  if (n === 0) throw new RangeError('savgolFilter: expected a non-empty array, got 0 values');
  if (mode === 'interp' && windowLength > n) {
    throw new RangeError(`savgolFilter: with mode 'interp', windowLength must be <= the data length (${n}), got ${windowLength}`);
  }
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(x[i])) throw new RangeError(`savgolFilter: expected finite values, got ${x[i]} at index ${i}`);
  }
  const c = savgolCoeffs(windowLength, polyorder, deriv, delta);
  // scipy.ndimage.convolve1d: the weights reversed, centred at L/2 (shifted one place for an even window)
  const half = Math.floor(windowLength / 2);
  const shift = windowLength % 2 === 0 ? half - 1 : half;
  const edgeMode: SavgolMode = mode === 'interp' ? 'constant' : mode;
  const edgeValue = mode === 'interp' ? 0 : cval;
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < windowLength; j++) {
      const k = extend(i + j - shift, n, edgeMode);
      s += c[windowLength - 1 - j] * (k === -1 ? edgeValue : x[k]);
    }
    y[i] = s;
  }
  if (mode === 'interp') {
    const scale = delta ** deriv;
    const headAt = Array.from({ length: half }, (_, i) => i);
    polyfitEval(x, 0, windowLength, polyorder, deriv, headAt).forEach((v, i) => (y[i] = v / scale));
    const tailStart = n - windowLength;
    const tailAt = Array.from({ length: half }, (_, i) => windowLength - half + i);
    polyfitEval(x, tailStart, windowLength, polyorder, deriv, tailAt).forEach((v, i) => (y[n - half + i] = v / scale));
  }
  return y;
}
