import { formatLr, formatNumber } from '../format/number.js';
import { checkRecord } from '../format/check.js';
import type { PairedDifference } from './stats.js';

/** The evidence one pipeline run has about its learning rates, as `recommend` weighs it. */
export interface RecommendationEvidence {
  /** The four range-test rules' lrs and how many decades they span. */
  rules: { lrs: Record<string, number>; spreadDecades: number };
  /** The sweep's best lr (lowest final validation loss). */
  sweepBestLr: number;
  /** The short validation run: each candidate's best validation loss, `valLoss` (or `valMse`; NaN when it diverged). */
  candidates: { name: string; lr: number; valLoss?: number; valMse?: number }[];
  /** The rate the long run trained, and why it was chosen. */
  trained: { name: string; lr: number; reason: string };
  /**
   * The long runs: the validation loss (`baselineLoss` / `trainedLoss`, or `baselineMse` / `trainedMse`) of your
   * current rate (the baseline) and of the trained rate, means over the seeds; with several seeds, `paired` holds
   * the per-seed relative gains and their 95% interval, and `diverged` how many seeds of each run diverged.
   */
  longRuns: {
    baselineLr: number;
    baselineLoss?: number;
    trainedLoss?: number;
    baselineMse?: number;
    trainedMse?: number;
    /** The loss's name in the sentence. Default 'MSE'. */
    lossName?: string;
    paired?: PairedDifference;
    diverged?: { baseline: number; trained: number; of: number };
  };
}

/** What the report recommends: one rate, how sure, and the evidence in one sentence. */
export interface Recommendation {
  /** The rate to use. */
  lr: number;
  /** Where it came from: a candidate's name ('steepest', 'valley', 'sweep best') or 'baseline' (keep yours). */
  source: string;
  /** True when the answer is to keep the current rate (the baseline). */
  keepCurrent: boolean;
  /** 'high' when every piece of evidence points the same way, 'moderate' when most does, 'low' otherwise. */
  confidence: 'high' | 'moderate' | 'low';
  /** The recommendation in one sentence, with the evidence that decided it. */
  sentence: string;
}

/** A gain under 1% of the validation MSE is within the noise of one seed, so it does not justify a change. */
const MIN_GAIN = 0.01;

function ordinal(n: number): string {
  return ['1st', '2nd', '3rd'][n - 1] ?? `${n}th`;
}

/**
 * Weighs a run's evidence into one recommendation: the long runs decide whether the trained rate beats the current
 * one by at least 1%; if not, the answer is to keep the current rate. With several seeds (`longRuns.paired`) the
 * mean paired gain must reach 1% and its 95% interval lie above 0, so a gain inside the seed-to-seed noise keeps
 * your rate. Confidence counts the supporting evidence: the trained rate ranking first in the validation run, the
 * sweep's best lying within one decade of it, and the four rules agreeing within one decade. With one seed, all
 * three: high; two: moderate; fewer: low. With several, the interval lying wholly above 1% stands for a third.
 */
export function recommend(e: RecommendationEvidence): Recommendation {
  checkRecord('recommend', 'the evidence { rules, sweepBestLr, candidates, trained, longRuns }', e, ['rules', 'sweepBestLr', 'candidates', 'trained', 'longRuns']);
  const { trained, longRuns } = e;
  const lossName = longRuns.lossName ?? 'MSE';
  const baselineLoss = longRuns.baselineLoss ?? longRuns.baselineMse ?? NaN;
  const trainedLoss = longRuns.trainedLoss ?? longRuns.trainedMse ?? NaN;
  const paired = longRuns.paired !== undefined && longRuns.paired.n > 1 ? longRuns.paired : null;
  const gain = paired ? paired.mean : (baselineLoss - trainedLoss) / Math.abs(baselineLoss);
  const valOf = (c: { valLoss?: number; valMse?: number }) => c.valLoss ?? c.valMse ?? NaN;
  const finite = e.candidates.filter((c) => Number.isFinite(valOf(c))).sort((a, b) => valOf(a) - valOf(b));
  const rank = finite.findIndex((c) => c.lr === trained.lr) + 1;
  const ranked = rank > 0 ? `ranked ${ordinal(rank)} of ${e.candidates.length} in the validation run` : `diverged in the validation run`;
  const sweepDecades = Math.abs(Math.log10(e.sweepBestLr / trained.lr));
  const sweepNear = sweepDecades <= 1;
  const rulesAgree = e.rules.spreadDecades <= 1;
  const spread = `the four rules ${rulesAgree ? 'agree within' : 'span'} ${formatNumber(e.rules.spreadDecades, 2)} decades`;
  const sweep = sweepDecades < 0.01
    ? `the sweep's best is the same rate`
    : `the sweep's best ${formatLr(e.sweepBestLr)} is ${sweepNear ? 'within' : 'over'} a decade ${sweepNear ? 'of it' : 'away'}`;
  const pct = (v: number) => `${formatNumber(Math.abs(v) * 100, 2)}%`;
  const change = Number.isFinite(gain) ? `${pct(gain)} ${gain >= 0 ? 'lower' : 'higher'}` : 'non-finite';
  // with several seeds, the sentence gives the paired evidence: wins, the mean gain and its 95% interval
  const overSeeds = (p: PairedDifference, whom: string) =>
    `a ${change} validation ${lossName} than ${whom} on average over ${p.n} seeds (better in ${p.wins} of ${p.n}; 95% interval of the gain ${formatNumber(p.low * 100, 2)}% to ${formatNumber(p.high * 100, 2)}%)`;
  const diverged = longRuns.diverged;
  const sameAsBaseline = trained.lr === longRuns.baselineLr;
  // your rate diverged where the found one trained: that settles it, whatever the averages say
  if (!sameAsBaseline && diverged !== undefined && diverged.baseline > 0 && diverged.trained === 0 && Number.isFinite(trainedLoss)) {
    const runs = `${diverged.baseline} of ${diverged.of} long run${diverged.of > 1 ? 's' : ''}`;
    return {
      lr: trained.lr, source: trained.name, keepCurrent: false, confidence: diverged.baseline === diverged.of ? 'high' : 'moderate',
      sentence: `Use ${formatLr(trained.lr)} (the ${trained.name} rate): your current ${formatLr(longRuns.baselineLr)} diverged in ${runs}, while it trained to a validation ${lossName} of ${formatNumber(trainedLoss)} in every one, ${ranked}, ${sweep} and ${spread}.`,
    };
  }
  // one seed: a 1% gain decides; several: the interval must lie above 0 as well (the gain is not seed noise)
  const clear = paired ? gain >= MIN_GAIN && paired.low > 0 : gain >= MIN_GAIN;
  if (sameAsBaseline || !clear) {
    const best = finite[0];
    let why: string;
    let strong: boolean;
    if (sameAsBaseline) {
      why = `the ${trained.name} choice was your current rate itself (${trained.reason})`;
      strong = true;
    } else if (diverged !== undefined && diverged.trained > 0) {
      why = `the ${trained.name} rate ${formatLr(trained.lr)} diverged in ${diverged.trained} of ${diverged.of} long run${diverged.of > 1 ? 's' : ''}, ${ranked}, ${sweep} and ${spread}`;
      strong = true;
    } else if (paired) {
      const noise = gain >= MIN_GAIN ? `: the interval reaches 0, so the gain is within the seed-to-seed noise (more seeds would tell)` : ` (a change needs ${MIN_GAIN * 100}% and an interval above 0)`;
      why = `the ${trained.name} rate ${formatLr(trained.lr)} trained to ${overSeeds(paired, 'yours')} in the long runs${noise}, ${ranked}, ${sweep} and ${spread}`;
      // sure to keep when even the interval's top is under the 1% that would justify a change
      strong = paired.high < MIN_GAIN;
    } else {
      why = `the ${trained.name} rate ${formatLr(trained.lr)} trained to a ${change} validation ${lossName} than yours in the long run (a change needs ${MIN_GAIN * 100}%), ${ranked}, ${sweep} and ${spread}`;
      strong = gain < 0 || !Number.isFinite(gain);
    }
    const hint = best !== undefined && best.lr !== longRuns.baselineLr && best.lr !== trained.lr ? ` (the validation run favoured the ${best.name} rate ${formatLr(best.lr)}: try it with "choose": "validated")` : '';
    return {
      lr: longRuns.baselineLr, source: 'baseline', keepCurrent: true, confidence: strong ? 'high' : 'moderate',
      sentence: `Keep your current rate ${formatLr(longRuns.baselineLr)}: ${why}${hint}.`,
    };
  }
  const support = [rank === 1, sweepNear, rulesAgree].filter(Boolean).length;
  // several seeds: an interval wholly above 1% counts as one more piece of support, a narrow win (above 0 only) as none
  const confidence = paired
    ? (paired.low >= MIN_GAIN ? (support >= 2 ? 'high' : 'moderate') : support >= 2 ? 'moderate' : 'low')
    : support === 3 ? 'high' : support === 2 ? 'moderate' : 'low';
  const sure = { high: 'fairly sure', moderate: 'moderately sure', low: 'not sure' }[confidence];
  const evidence = paired ? `it trained to ${overSeeds(paired, `your current ${formatLr(longRuns.baselineLr)}`)}` : `it trained to a ${change} validation ${lossName} than your current ${formatLr(longRuns.baselineLr)}`;
  return {
    lr: trained.lr, source: trained.name, keepCurrent: false, confidence,
    sentence: `Use ${formatLr(trained.lr)} (the ${trained.name} rate), ${sure}: ${evidence}, ${ranked}, ${sweep} and ${spread}.`,
  };
}
