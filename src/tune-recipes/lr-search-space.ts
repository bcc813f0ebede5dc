// From the finder to the tuner: a range test's curve becomes the lr range of a study, and the four rules' rates
// become its first trials, so that the sampler starts where the curve points and explores around it.
import type { RangeTestResult } from '../lrfind/range-test.js';
import { suggestLr, type LrSuggestion, type Suggestion } from '../lrfind/suggest.js';
import { checkFinite, checkNumbers, checkOptionsObject, checkRecord } from '../format/check.js';
import { describe, formatLr, formatNumber } from '../format/number.js';
import { distributionToString, sameDistribution } from '../tune/distributions.js';
import type { Study } from '../tune/study.js';
import type { FloatDistribution } from '../tune/types.js';

/** One rate to try first: the lr and the rule(s) that suggested it ('steepest', or 'valley+minimum' when two agree). */
export interface LrCandidate {
  lr: number;
  rule: string;
}

/** The lr search range read from a range test, and the rules' rates to enqueue as the first trials. */
export interface LrSearchSpace {
  low: number;
  high: number;
  /** Always true: lrs are searched on a log scale, as the range test sweeps them. */
  log: true;
  /** The rules' rates inside [low, high], deduplicated, in the order steepest, valley, minimum, slide. */
  enqueue: LrCandidate[];
  /** How the bounds were read from the curve, in one sentence. */
  reason: string;
}

/** Options of `lrSearchSpace`. */
export interface LrSearchSpaceOptions {
  /** `suggestLr` on the same curve, if already computed. Default: computed from the result's losses and smoothed losses. */
  suggestion?: LrSuggestion;
  /** How many decades `low` lies below the curve's fall start (and below the lowest rule rate). Default 1. */
  margin?: number;
}

/** What counts as "clearly" on a smoothed curve: a tenth of the fall from the starting level to the minimum. */
const CLEAR = 0.1;
/** Rates closer than this (in decades) are one trial: the default range test steps 0.04 decades per point. */
const SAME_RATE_DECADES = 0.05;
const ORDER: Suggestion['method'][] = ['steepest', 'valley', 'minimum', 'slide'];

/** x rounded to 3 significant digits towards the inside of the range: up for a lower bound, down for an upper one. */
function roundInward(x: number, direction: 'up' | 'down'): number {
  const r = Number(x.toPrecision(3));
  if (direction === 'up' ? r >= x : r <= x) return r;
  const unit = 10 ** (Math.floor(Math.log10(x)) - 2);
  const next = Number(((direction === 'up' ? Math.ceil(x / unit) : Math.floor(x / unit)) * unit).toPrecision(3));
  // the division can land a hair on the wrong side; then the value itself is the bound
  return (direction === 'up' ? next >= x : next <= x) ? next : x;
}

function checkResult(fn: string, result: RangeTestResult): void {
  checkRecord(fn, 'a range-test result { lrs, losses, smoothedLosses, stopReason }', result, ['lrs', 'losses', 'smoothedLosses', 'stopReason']);
  const { lrs, losses, smoothedLosses: s } = result;
  checkNumbers(fn, 'lrs', lrs);
  checkNumbers(fn, 'losses', losses);
  checkNumbers(fn, 'smoothedLosses', s);
  if (lrs.length !== losses.length || lrs.length !== s.length) {
    throw new RangeError(`${fn}: expected lrs, losses and smoothedLosses of the same length, got ${lrs.length}, ${losses.length} and ${s.length}`);
  }
  if (lrs.length < 5) throw new RangeError(`${fn}: expected a curve of at least 5 points, got ${lrs.length}`);
  for (let i = 0; i < lrs.length; i++) {
    if (!Number.isFinite(losses[i]) || !Number.isFinite(s[i])) throw new RangeError(`${fn}: expected finite losses, got ${describe(losses[i])} (smoothed ${describe(s[i])}) at index ${i}`);
    if (!(lrs[i] > 0) || !Number.isFinite(lrs[i]) || (i > 0 && !(lrs[i] > lrs[i - 1]))) {
      throw new RangeError(`${fn}: expected finite, positive, increasing lrs, got ${describe(lrs[i])} at index ${i}${i > 0 ? ` after ${describe(lrs[i - 1])}` : ''}`);
    }
  }
}

/** The divergence lr `suggestLr` reports, when its result carries one (undefined: it has no such field). */
function reportedDivergence(s: LrSuggestion): { lr: number | null } | undefined {
  if (!('divergenceLr' in s)) return undefined;
  const lr = (s as { divergenceLr?: unknown }).divergenceLr;
  return { lr: typeof lr === 'number' && Number.isFinite(lr) && lr > 0 ? lr : null };
}

/**
 * The lr search range of a study, read from a range test, and the rules' rates as its first trials. On the smoothed
 * losses S (the range test's bias-corrected EMA), with m the index of their minimum and P = max(S[0..m]) the level
 * the curve starts from, the fall F = P - S[m]:
 *
 *     the curve must fall clearly:  F >= 0.1 |P|                          (else a RangeError: no range to read)
 *     fall start f:  1 + the last i < m with S[i] >= S[m] + 0.9 F        (it leaves its starting level for good)
 *     divergence d:  the first i > m with S[i] >= S[m] + 0.1 F           (it climbs back a tenth of the fall)
 *     low  = min(lr[f], the lowest rule rate) / 10^margin,  high = lr[d]  (lr[last] when it never diverges)
 *
 * both clipped to the tested range and rounded inward to 3 significant digits (so the printed range is the range).
 * Why these: below the fall start the lr is too small to matter, and a decade of margin keeps the fall's onset,
 * which the EMA reports late (by about 1 / (1 - beta) = 20 points, 0.8 decades of the default test), inside the
 * range; past the divergence the loss only rises, so `high` never goes beyond it (the same lag can put d late on a
 * sharp blow-up; trials up there diverge fast and teach the sampler to stay below). The last point before a
 * non-finite loss is the divergence when S never rose clearly. The fall start is found walking back from the
 * minimum, so noise on the flat start of the curve does not move it. When the suggestion carries `divergenceLr`
 * (`suggestLr` finds it by the same rule, and from a range test's stop), that rate is d's instead (null: none).
 *
 * The rules (steepest, valley, minimum, slide, from `suggestLr`) inside [low, high] are the rates to enqueue;
 * rates less than 0.05 decades apart (a point of the default test) are one trial, named after both rules.
 */
export function lrSearchSpace(result: RangeTestResult, options: LrSearchSpaceOptions = {}): LrSearchSpace {
  const fn = 'lrSearchSpace';
  checkResult(fn, result);
  options = checkOptionsObject(fn, options, ['suggestion', 'margin']);
  const margin = options.margin ?? 1;
  checkFinite(fn, 'margin', margin, 0);
  if (options.suggestion !== undefined) {
    checkRecord(fn, 'a suggestion (the result of suggestLr)', options.suggestion, ['suggestions']);
    checkRecord(fn, 'suggestion.suggestions to map the rules to their { lr }', options.suggestion.suggestions);
  }
  const lrs = result.lrs, S = result.smoothedLosses, n = lrs.length;

  let m = 0;
  for (let i = 1; i < n; i++) if (S[i] < S[m]) m = i;
  let P = S[0];
  for (let i = 1; i < m; i++) if (S[i] > P) P = S[i];
  const fall = P - S[m];
  if (!(fall > 0) || fall < CLEAR * Math.abs(P)) {
    throw new RangeError(
      `${fn}: expected a smoothed loss that falls clearly (by at least ${CLEAR * 100}% of its starting level) before it rises, got a fall from ${formatNumber(P)} to ${formatNumber(S[m])} at lr ${formatLr(lrs[m])}: ` +
      `the loss did not fall clearly anywhere in [${formatLr(lrs[0])}, ${formatLr(lrs[n - 1])}], so no range can be read from the curve (start the test at a smaller lr, or check the data and the model)`,
    );
  }
  let f = m;
  while (f > 0 && S[f - 1] < S[m] + (1 - CLEAR) * fall) f--;

  const suggestion = options.suggestion ?? suggestLr(lrs, result.losses, { smoothed: S });
  let high: number, highWhy: string;
  const reported = reportedDivergence(suggestion);
  let d = -1;
  if (reported === undefined) for (let i = m + 1; i < n && d === -1; i++) if (S[i] >= S[m] + CLEAR * fall) d = i;
  if (reported?.lr != null) {
    high = Math.min(reported.lr, lrs[n - 1]);
    highWhy = `the divergence point (${formatLr(reported.lr)})`;
  } else if (d !== -1) {
    high = lrs[d];
    highWhy = `the divergence point (${formatLr(lrs[d])})`;
  } else if (result.stopReason === 'non-finite loss') {
    high = lrs[n - 1];
    highWhy = `the last lr before the loss became non-finite (${formatLr(lrs[n - 1])})`;
  } else {
    high = lrs[n - 1];
    highWhy = `the end of the tested range (${formatLr(lrs[n - 1])}), as the curve did not diverge`;
  }

  const rules = ORDER.map((method) => suggestion.suggestions[method]).filter((s): s is Suggestion => typeof s?.lr === 'number' && s.lr > 0);
  const lowestRule = rules.reduce<Suggestion | null>((a, s) => (a === null || s.lr < a.lr ? s : a), null);
  const anchor = lowestRule !== null && lowestRule.lr < lrs[f] ? { lr: lowestRule.lr, what: `the ${lowestRule.method} rate` } : { lr: lrs[f], what: 'the fall start' };
  const clipped = anchor.lr / 10 ** margin < lrs[0];
  const low = roundInward(clipped ? lrs[0] : anchor.lr / 10 ** margin, 'up');
  high = roundInward(high, 'down');
  if (!(low < high)) {
    throw new RangeError(`${fn}: expected the divergence point above the lower bound, got low ${formatLr(low)} >= high ${formatLr(high)} (fall start ${formatLr(lrs[f])}, high from ${highWhy})`);
  }

  const enqueue: LrCandidate[] = [];
  const outside: string[] = [];
  for (const s of rules) {
    if (s.lr < low || s.lr > high) {
      outside.push(`${s.method} ${formatLr(s.lr)}`);
      continue;
    }
    const same = enqueue.find((c) => Math.abs(Math.log10(c.lr / s.lr)) < SAME_RATE_DECADES);
    if (same) same.rule += `+${s.method}`;
    else enqueue.push({ lr: s.lr, rule: s.method });
  }
  const decades = margin === 1 ? 'a decade' : `${formatNumber(margin)} decades`;
  const reason = `the smoothed loss falls from ${formatNumber(P)} to ${formatNumber(S[m])} (at ${formatLr(lrs[m])}), starting at ${formatLr(lrs[f])}; ` +
    `low is ${decades} below ${anchor.what} (${formatLr(anchor.lr)})${clipped ? ', clipped to the start of the test' : ''}, high is ${highWhy}` +
    (outside.length ? `; outside the range, not enqueued: ${outside.join(', ')}` : '');
  return { low, high, log: true, enqueue, reason };
}

/** The study-level attribute that records the range `enqueueLrTrials` set up, so later workers join it consistently. */
const ATTR = 'lrSearchSpace';

/**
 * Enqueues the rates of an `lrSearchSpace` as a study's next trials (Optuna's `enqueue_trial`, one per rate,
 * `{ [paramName]: lr }` with `{ lrRule: rule }` as the enqueued user attributes) and records the range on the study
 * (the study user attribute `lrSearchSpace`). The objective must suggest the parameter with the same range:
 * `trial.suggestFloat('lr', space.low, space.high, { log: true })`. Returns the candidates enqueued now.
 *
 * A study joined a second time with the same range (another worker) gets nothing enqueued again (returns []). A
 * study that already searches `paramName` in another range (its earlier trials, or the range recorded by an earlier
 * call) is an error that says so: its trials would mix two ranges, and its waiting trials may lie outside this one.
 */
export async function enqueueLrTrials(study: Study, space: LrSearchSpace, options: { paramName?: string } = {}): Promise<LrCandidate[]> {
  const fn = 'enqueueLrTrials';
  checkRecord(fn, 'a study (from createStudy)', study, ['studyName', 'trials']);
  if (typeof (study as { enqueueTrial?: unknown }).enqueueTrial !== 'function') throw new TypeError(`${fn}: expected a study (from createStudy), got ${describe(study)}`);
  checkRecord(fn, 'an lr search space (the result of lrSearchSpace)', space, ['low', 'high', 'enqueue']);
  options = checkOptionsObject(fn, options, ['paramName']);
  const paramName = options.paramName ?? 'lr';
  if (typeof paramName !== 'string' || paramName === '') throw new TypeError(`${fn}: expected paramName to be a non-empty string, got ${describe(paramName)}`);
  checkFinite(fn, 'low', space.low, Number.MIN_VALUE);
  checkFinite(fn, 'high', space.high, space.low);
  if (!Array.isArray(space.enqueue) || !space.enqueue.every((c) => typeof c?.lr === 'number' && c.lr >= space.low && c.lr <= space.high && typeof c.rule === 'string')) {
    throw new RangeError(`${fn}: expected enqueue to be a list of { lr, rule } with lr in [${space.low}, ${space.high}], got ${describe(space.enqueue)}`);
  }
  const wanted: FloatDistribution = { type: 'float', low: space.low, high: space.high, log: true, step: null };
  await study.refresh();
  const recorded = (await study.userAttrs())[ATTR] as { paramName?: string; low?: number; high?: number } | undefined;
  const range = (low: number, high: number) => `[${formatLr(low)}, ${formatLr(high)}] log`;
  const conflict = (what: string) => new RangeError(
    `${fn}: expected study '${study.studyName}' to search '${paramName}' in ${range(space.low, space.high)} as the range test found, got ${what}; ` +
    'a study keeps one range: give this one another name, or join the study with the range it has',
  );
  if (recorded?.paramName === paramName) {
    if (recorded.low !== space.low || recorded.high !== space.high) throw conflict(`${range(recorded.low!, recorded.high!)} set up by an earlier range test`);
    return [];
  }
  const previous = [...study.trials].reverse().find((t) => t.distributions[paramName] !== undefined)?.distributions[paramName];
  if (previous !== undefined && !sameDistribution(previous, wanted)) {
    throw conflict(`${previous.type === 'float' && previous.log ? range(previous.low, previous.high) : distributionToString(previous)} in its earlier trials`);
  }
  await study.setUserAttr(ATTR, { paramName, low: space.low, high: space.high, log: true, enqueue: space.enqueue });
  for (const c of space.enqueue) await study.enqueueTrial({ [paramName]: c.lr }, { lrRule: c.rule });
  return space.enqueue.map((c) => ({ ...c }));
}
