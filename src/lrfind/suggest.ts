import { savgolFilter } from './savgol.js';
import { formatNumber, formatLr, describe } from '../format/number.js';
import { gradient } from './gradient.js';
import { checkOptionsObject, checkNumbers, checkPair } from '../format/check.js';

/** One suggested learning rate: the rule, the lr, and the point of the curve it came from. */
export interface Suggestion {
  method: 'steepest' | 'valley' | 'minimum' | 'slide';
  lr: number;
  index: number;
}

function check(fn: string, lrs: ArrayLike<number>, losses: ArrayLike<number>, min = 2): void {
  if (lrs?.length !== losses?.length) throw new RangeError(`${fn}: expected lrs and losses of the same length, got ${lrs?.length} and ${losses?.length}`);
  if (losses.length < min) throw new RangeError(`${fn}: expected at least ${min} points, got ${losses.length}`);
  for (let i = 0; i < losses.length; i++) {
    if (!Number.isFinite(losses[i])) throw new RangeError(`${fn}: expected finite losses, got ${losses[i]} at index ${i}`);
    if (!(lrs[i] > 0)) throw new RangeError(`${fn}: expected positive learning rates, got ${lrs[i]} at index ${i}`);
  }
}

/** Whether the losses are flat to 1e-12 of their size: no rule has a descent to find then. */
function isConstant(losses: ArrayLike<number>): boolean {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < losses.length; i++) {
    if (losses[i] < lo) lo = losses[i];
    if (losses[i] > hi) hi = losses[i];
  }
  return hi - lo <= 1e-12 * Math.max(1, Math.abs(hi));
}

function checkDescent(fn: string, losses: ArrayLike<number>): void {
  if (isConstant(losses)) throw new RangeError(`${fn}: the losses are constant (${losses[0]}); there is no descent to find`);
}

function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

/**
 * The steepest-descent rule: the lr where the loss falls fastest, `lrs[argmax(-gradient(savgol_filter(losses, 11, 2)))]`
 * (unit spacing, as `np.gradient(smoothed)` without spacing). A curve shorter than the window uses the longest odd window
 * that fits. Constant losses are an error (every point would tie).
 */
export function steepest(lrs: ArrayLike<number>, losses: ArrayLike<number>, options: { windowLength?: number; polyorder?: number } = {}): Suggestion {
  checkPair('steepest', lrs, losses);
  options = checkOptionsObject('steepest', options, ['windowLength', 'polyorder']);
  const polyorder = options.polyorder ?? 2;
  check('steepest', lrs, losses, polyorder + 2);
  checkDescent('steepest', losses);
  let w = options.windowLength ?? 11;
  if (w > losses.length) w = losses.length % 2 === 1 ? losses.length : losses.length - 1;
  const g = gradient(savgolFilter(losses, w, Math.min(polyorder, w - 1)));
  const index = argmax(g.map((v) => -v));
  return { method: 'steepest', lr: lrs[index], index };
}

/**
 * fastai's valley rule: the longest run of decreasing loss (longest decreasing subsequence), and the lr a little
 * past the middle of it (index start + 1/3 + 1/6 of its length). Constant losses are an error (no run falls).
 */
export function valley(lrs: ArrayLike<number>, losses: ArrayLike<number>): Suggestion {
  checkPair('valley', lrs, losses);
  check('valley', lrs, losses);
  checkDescent('valley', losses);
  const n = losses.length;
  const lds = new Array<number>(n).fill(1);
  let maxStart = 0, maxEnd = 0;
  for (let i = 1; i < n; i++) {
    for (let j = 0; j < i; j++) {
      if (losses[i] < losses[j] && lds[i] < lds[j] + 1) lds[i] = lds[j] + 1;
      if (lds[maxEnd] < lds[i]) {
        maxEnd = i;
        maxStart = maxEnd - lds[maxEnd];
      }
    }
  }
  const sections = (maxEnd - maxStart) / 3;
  const index = Math.max(0, Math.min(n - 1, maxStart + Math.trunc(sections) + Math.trunc(sections / 2)));
  return { method: 'valley', lr: lrs[index], index };
}

/** fastai's minimum rule: one tenth of the lr at the lowest loss. */
export function minimum(lrs: ArrayLike<number>, losses: ArrayLike<number>): Suggestion {
  checkPair('minimum', lrs, losses);
  check('minimum', lrs, losses, 1);
  const index = argmax(Array.from(losses, (v) => -v));
  return { method: 'minimum', lr: lrs[index] / 10, index };
}

/**
 * fastai's slide rule: walking back from the end, the first lr where the loss gradient at two points `lrDiff`
 * apart differs by at most `thresh`, that is, where the curve has flattened before the blow-up. Constant losses are
 * an error (the walk would stop at an arbitrary point).
 */
export function slide(lrs: ArrayLike<number>, losses: ArrayLike<number>, options: { lrDiff?: number; thresh?: number; adjustValue?: number } = {}): Suggestion {
  checkPair('slide', lrs, losses);
  options = checkOptionsObject('slide', options, ['lrDiff', 'thresh', 'adjustValue']);
  check('slide', lrs, losses);
  checkDescent('slide', losses);
  const { lrDiff = 15, thresh = 0.005, adjustValue = 1 } = options;
  const n = losses.length;
  const g = gradient(losses);
  let r = n - 1, l = r - Math.min(lrDiff, n - 1);
  let index = l;
  while (l >= 0 && Math.abs(g[r] - g[l]) > thresh) {
    index = l;
    r -= 1;
    l -= 1;
  }
  index = Math.max(0, index);
  return { method: 'slide', lr: lrs[index] * adjustValue, index };
}

/** The suggestions for one range-test curve, how much they agree, where the loss diverges, and what to distrust. */
export interface LrSuggestion {
  /** The headline lr: the steepest-descent rule's. */
  lr: number;
  suggestions: Record<Suggestion['method'], Suggestion>;
  /** How many decades the four suggestions span: log10(max / min). */
  spreadDecades: number;
  /** True when the suggestions lie within one decade of each other. */
  agree: boolean;
  /** The lr at which the loss starts to diverge (every suggestion lies below it), or null when it does not. */
  divergenceLr: number | null;
  /** The point of `divergenceLr` in the given lrs, or null. */
  divergenceIndex: number | null;
  /** Reasons not to trust the answer (a short curve, a noisy one, a truncated one). */
  warnings: string[];
}

/** Options of `suggestLr`. */
export interface SuggestLrOptions {
  /** The range test's smoothed losses, which the fastai rules read (else they read the raw losses). */
  smoothed?: ArrayLike<number>;
  /** The range test's `stopReason`: a run that stopped on divergence diverged at its last point at the latest. */
  stopReason?: 'completed' | 'diverged' | 'non-finite loss';
}

/**
 * The first point after the trend's lowest value T[m] where T has climbed back by more than `rise` above it; -1 when
 * it never does. m is the global minimum, so a bump on the plateau before the fall is not taken for divergence.
 */
function risePoint(T: ArrayLike<number>, m: number, rise: number): number {
  for (let i = m + 1; i < T.length; i++) if (T[i] > T[m] + rise) return i;
  return -1;
}

/** The centred running median over `w` points (fewer at the ends): a trend that a spike neither pulls nor rings. */
function runningMedian(x: ArrayLike<number>, w: number): number[] {
  const h = Math.floor(w / 2), out: number[] = [];
  for (let i = 0; i < x.length; i++) {
    const win = Array.prototype.slice.call(x, Math.max(0, i - h), Math.min(x.length, i + h + 1)) as number[];
    win.sort((a, b) => a - b);
    const k = win.length >> 1;
    out.push(win.length % 2 === 1 ? win[k] : (win[k - 1] + win[k]) / 2);
  }
  return out;
}

/** The first index of the lowest of T[0..end). */
function lowest(T: ArrayLike<number>, end: number): number {
  let m = 0;
  for (let i = 1; i < end; i++) if (T[i] < T[m]) m = i;
  return m;
}

/**
 * All four rules on one range-test curve, with how much they agree, where the loss diverges, and warnings when the
 * curve is too short or too noisy to trust. `smoothed` (the range test's smoothed losses), when given, feeds the
 * fastai rules, which were designed for smoothed curves; the steepest rule always smooths the raw losses itself.
 *
 * No rule answers past divergence. On the trend T, the centred running median of the losses over 11 points (a
 * third of the curve when that is fewer: it does not lag as the range test's moving average does, whose first
 * points are single batches, and a spike neither pulls it nor makes it ring as it does a Savitzky-Golay fit), with
 * m the lowest point of T and `noise` the robust standard deviation of losses - T (1.4826 x the median absolute
 * residual), the divergence point d is the first of:
 *
 * - the first point after m where T exceeds T[m] + max(0.1 (max T[0..m] - T[m]), noise): the loss has climbed back
 *   by a tenth of its fall (a tenth of the fall, not a factor of T[m]: a loss falling to near 0 would otherwise
 *   "diverge" on every ripple of its floor), and by more than the noise;
 * - the first non-finite loss (the points from there on are dropped with a warning);
 * - the last point, when `stopReason` says the range test stopped on divergence ('non-finite loss': the loss after
 *   the last recorded step was not recorded, so that step's lr stands for it).
 *
 * The four rules then read only the points before d, so each suggestion lies below `divergenceLr` (for increasing
 * lrs, as a range test's are). Without a divergence they read the whole curve and answer exactly as the rules alone
 * do.
 *
 * Constant losses are an error, and so is a loss that never falls (T is lowest at the first point, its fall is
 * within the noise, or fewer than 5 points precede the divergence): no rate can be suggested from them.
 */
export function suggestLr(lrs: ArrayLike<number>, losses: ArrayLike<number>, options: SuggestLrOptions = {}): LrSuggestion {
  checkPair('suggestLr', lrs, losses);
  options = checkOptionsObject('suggestLr', options, ['smoothed', 'stopReason']);
  if (options.smoothed !== undefined) checkNumbers('suggestLr', 'smoothed', options.smoothed);
  const { stopReason } = options;
  if (stopReason !== undefined && stopReason !== 'completed' && stopReason !== 'diverged' && stopReason !== 'non-finite loss') {
    throw new RangeError(`suggestLr: expected stopReason 'completed', 'diverged' or 'non-finite loss', got ${typeof stopReason === 'string' ? `'${stopReason}'` : describe(stopReason)}`);
  }
  const warnings: string[] = [];
  if (lrs?.length !== losses?.length) throw new RangeError(`suggestLr: expected lrs and losses of the same length, got ${lrs?.length} and ${losses?.length}`);
  let n = Array.from(losses).findIndex((v) => !Number.isFinite(v));
  const nonFinite = n !== -1;
  if (!nonFinite) n = losses.length;
  else warnings.push(`the loss became ${losses[n]} at point ${n}; the ${losses.length - n} point(s) from there on were dropped`);
  if (n < 5) throw new RangeError(`suggestLr: expected at least 5 finite losses, got ${n}`);
  const L = Array.from(losses).slice(0, n), R = Array.from(lrs).slice(0, n);
  const S = options.smoothed ? Array.from(options.smoothed).slice(0, n) : L;
  const lo = Math.min(...L), hi = Math.max(...L);
  if (hi - lo <= 1e-12 * Math.max(1, Math.abs(hi))) {
    throw new RangeError(`suggestLr: the losses are constant (${hi}); the learning rate had no visible effect, so no rate can be suggested (widen the range or check the data)`);
  }
  if (n < 20) warnings.push(`only ${n} points: the curve is too short for a trustworthy answer (use at least 20 iterations)`);

  // 11 points as the steepest rule's window, fewer on short curves (a third of them), where 11 would flatten the fall
  const T = runningMedian(L, Math.max(3, Math.min(11, 2 * Math.floor(n / 6) + 1)));
  // the noise as a robust standard deviation (1.4826 x the median absolute residual): a divergence spike leaves
  // residuals of its own size, which would make an RMS read the blow-up as noise
  const residuals = Array.from(L, (v, i) => Math.abs(v - T[i])).sort((a, b) => a - b);
  const noise = 1.4826 * residuals[Math.floor(n / 2)];
  const m = lowest(T, n);
  let top = T[0];
  for (let i = 1; i <= m; i++) if (T[i] > top) top = T[i];
  const fall = top - T[m];
  if (m === 0 || fall <= noise) {
    const how = m === 0 ? 'its smoothed trend is lowest at the first point' : `its smoothed trend falls by ${formatNumber(fall)}, within the noise (${formatNumber(noise)})`;
    throw new RangeError(`suggestLr: the loss never falls: ${how}; no rate can be suggested (lower startLr, or check the model and data)`);
  }
  let d = risePoint(T, m, Math.max(0.1 * fall, noise));
  if (d === -1 && nonFinite) d = n;
  else if (d === -1 && (stopReason === 'diverged' || stopReason === 'non-finite loss')) d = n - 1;
  // the part the rules read: every point before the divergence (its end, between the trend's minimum and the rise,
  // is level or rising, so the steepest rule's edge fit does not mistake it for a fall)
  const end = d === -1 ? n - 1 : d - 1;
  if (end < 4) {
    throw new RangeError(`suggestLr: the loss never falls for long: it diverges from ${formatLr(lrs[d])} (point ${d}), after only ${end + 1} points; no rate can be suggested (lower startLr, or use more iterations)`);
  }
  const Lp = L.slice(0, end + 1), Rp = R.slice(0, end + 1), Sp = S.slice(0, end + 1);
  const s = steepest(Rp, Lp);
  const suggestions = { steepest: s, valley: valley(Rp, Sp), minimum: minimum(Rp, Sp), slide: slide(Rp, Sp) };
  if (n >= 11) {
    const smooth = savgolFilter(L, 11, 2);
    let sq = 0;
    for (let i = 0; i < n; i++) sq += (L[i] - smooth[i]) ** 2;
    const relative = Math.sqrt(sq / n) / (Math.max(...smooth) - Math.min(...smooth) || 1);
    if (relative > 0.25) warnings.push(`the curve is noisy (residual ${(relative * 100).toFixed(0)}% of its range): more iterations, a larger batch or smoothing would help`);
  }
  if (s.index === end && d !== -1) {
    const stopped = stopReason === 'diverged' || stopReason === 'non-finite loss' || nonFinite;
    warnings.push(`${stopped ? `the range test stopped on divergence at ${formatLr(lrs[d])}` : `the loss diverges from ${formatLr(lrs[d])} (point ${d})`}; the steepest descent is at the edge of the part before it (a lower endLr or more iterations give that part more points)`);
  } else if (s.index === 0 || s.index === n - 1) {
    warnings.push('the steepest descent is at the edge of the range: widen startLr / endLr');
  }
  const values = Object.values(suggestions).map((x) => x.lr);
  const spreadDecades = Math.log10(Math.max(...values) / Math.min(...values));
  const agree = spreadDecades <= 1;
  if (!agree) warnings.push(`the suggestions span ${formatNumber(spreadDecades, 2)} decades; compare them in a short validation run`);
  return { lr: s.lr, suggestions, spreadDecades, agree, divergenceLr: d === -1 ? null : lrs[d], divergenceIndex: d === -1 ? null : d, warnings };
}
