import { savgolFilter } from './savgol.js';
import { formatNumber } from '../format/number.js';
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

function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

/**
 * The steepest-descent rule: the lr where the loss falls fastest, `lrs[argmax(-gradient(savgol_filter(losses, 11, 2)))]`
 * (unit spacing, as `np.gradient(smoothed)` without spacing). A curve shorter than the window uses the longest odd window
 * that fits.
 */
export function steepest(lrs: ArrayLike<number>, losses: ArrayLike<number>, options: { windowLength?: number; polyorder?: number } = {}): Suggestion {
  checkPair('steepest', lrs, losses);
  options = checkOptionsObject('steepest', options, ['windowLength', 'polyorder']);
  const polyorder = options.polyorder ?? 2;
  check('steepest', lrs, losses, polyorder + 2);
  let w = options.windowLength ?? 11;
  if (w > losses.length) w = losses.length % 2 === 1 ? losses.length : losses.length - 1;
  const g = gradient(savgolFilter(losses, w, Math.min(polyorder, w - 1)));
  const index = argmax(g.map((v) => -v));
  return { method: 'steepest', lr: lrs[index], index };
}

/**
 * fastai's valley rule: the longest run of decreasing loss (longest decreasing subsequence), and the lr a little
 * past the middle of it (index start + 1/3 + 1/6 of its length).
 */
export function valley(lrs: ArrayLike<number>, losses: ArrayLike<number>): Suggestion {
  checkPair('valley', lrs, losses);
  check('valley', lrs, losses);
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
 * apart differs by at most `thresh`, that is, where the curve has flattened before the blow-up.
 */
export function slide(lrs: ArrayLike<number>, losses: ArrayLike<number>, options: { lrDiff?: number; thresh?: number; adjustValue?: number } = {}): Suggestion {
  checkPair('slide', lrs, losses);
  options = checkOptionsObject('slide', options, ['lrDiff', 'thresh', 'adjustValue']);
  check('slide', lrs, losses);
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

/** The suggestions for one range-test curve, how much they agree, and what to distrust. */
export interface LrSuggestion {
  /** The headline lr: the steepest-descent rule's. */
  lr: number;
  suggestions: Record<Suggestion['method'], Suggestion>;
  /** How many decades the four suggestions span: log10(max / min). */
  spreadDecades: number;
  /** True when the suggestions lie within one decade of each other. */
  agree: boolean;
  /** Reasons not to trust the answer (a short curve, a noisy one, a truncated one). */
  warnings: string[];
}

/**
 * All four rules on one range-test curve, with how much they agree and warnings when the curve is too short or
 * too noisy to trust. `smoothed` (the range test's smoothed losses), when given, feeds the fastai rules, which
 * were designed for smoothed curves; the steepest rule always smooths the raw losses itself.
 * Non-finite losses at the end (a diverged run) are dropped with a warning; constant losses are an error.
 */
export function suggestLr(lrs: ArrayLike<number>, losses: ArrayLike<number>, options: { smoothed?: ArrayLike<number> } = {}): LrSuggestion {
  checkPair('suggestLr', lrs, losses);
  options = checkOptionsObject('suggestLr', options, ['smoothed']);
  if (options.smoothed !== undefined) checkNumbers('suggestLr', 'smoothed', options.smoothed);
  const warnings: string[] = [];
  if (lrs?.length !== losses?.length) throw new RangeError(`suggestLr: expected lrs and losses of the same length, got ${lrs?.length} and ${losses?.length}`);
  let n = Array.from(losses).findIndex((v) => !Number.isFinite(v));
  if (n === -1) n = losses.length;
  else warnings.push(`the loss became ${losses[n]} at point ${n}; the ${losses.length - n} point(s) from there on were dropped`);
  if (n < 5) throw new RangeError(`suggestLr: expected at least 5 finite losses, got ${n}`);
  const L = Array.from(losses).slice(0, n), R = Array.from(lrs).slice(0, n);
  const S = options.smoothed ? Array.from(options.smoothed).slice(0, n) : L;
  const lo = Math.min(...L), hi = Math.max(...L);
  if (hi - lo <= 1e-12 * Math.max(1, Math.abs(hi))) {
    throw new RangeError(`suggestLr: the losses are constant (${hi}); the learning rate had no visible effect, so no rate can be suggested (widen the range or check the data)`);
  }
  if (n < 20) warnings.push(`only ${n} points: the curve is too short for a trustworthy answer (use at least 20 iterations)`);
  const s = steepest(R, L);
  const suggestions = { steepest: s, valley: valley(R, S), minimum: minimum(R, S), slide: slide(R, S) };
  if (n >= 11) {
    const smooth = savgolFilter(L, 11, 2);
    let sq = 0;
    for (let i = 0; i < n; i++) sq += (L[i] - smooth[i]) ** 2;
    const noise = Math.sqrt(sq / n) / (Math.max(...smooth) - Math.min(...smooth) || 1);
    if (noise > 0.25) warnings.push(`the curve is noisy (residual ${(noise * 100).toFixed(0)}% of its range): more iterations, a larger batch or smoothing would help`);
  }
  if (s.index === 0 || s.index === n - 1) warnings.push('the steepest descent is at the edge of the range: widen startLr / endLr');
  const values = Object.values(suggestions).map((x) => x.lr);
  const spreadDecades = Math.log10(Math.max(...values) / Math.min(...values));
  const agree = spreadDecades <= 1;
  if (!agree) warnings.push(`the suggestions span ${formatNumber(spreadDecades, 2)} decades; compare them in a short validation run`);
  return { lr: s.lr, suggestions, spreadDecades, agree, warnings };
}
