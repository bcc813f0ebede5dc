import { formatLr, formatNumber } from '../format/number.js';
import { checkRecord } from '../format/check.js';

/** The evidence one pipeline run has about its learning rates, as `recommend` weighs it. */
export interface RecommendationEvidence {
  /** The four range-test rules' lrs and how many decades they span. */
  rules: { lrs: Record<string, number>; spreadDecades: number };
  /** The sweep's best lr (lowest final validation loss). */
  sweepBestLr: number;
  /** The short validation run: each candidate's best validation MSE (NaN when it diverged). */
  candidates: { name: string; lr: number; valMse: number }[];
  /** The rate the long run trained, and why it was chosen. */
  trained: { name: string; lr: number; reason: string };
  /** The long runs' validation MSEs: the user's current rate (the baseline) and the trained rate. */
  longRuns: { baselineLr: number; baselineMse: number; trainedMse: number };
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
 * one by at least 1%; if not, the answer is to keep the current rate. Confidence counts the supporting evidence:
 * the trained rate ranking first in the validation run, the sweep's best lying within one decade of it, and the
 * four rules agreeing within one decade. All three: high; two: moderate; fewer: low.
 */
export function recommend(e: RecommendationEvidence): Recommendation {
  checkRecord('recommend', 'the evidence { rules, sweepBestLr, candidates, trained, longRuns }', e, ['rules', 'sweepBestLr', 'candidates', 'trained', 'longRuns']);
  const { trained, longRuns } = e;
  const gain = (longRuns.baselineMse - longRuns.trainedMse) / Math.abs(longRuns.baselineMse);
  const finite = e.candidates.filter((c) => Number.isFinite(c.valMse)).sort((a, b) => a.valMse - b.valMse);
  const rank = finite.findIndex((c) => c.lr === trained.lr) + 1;
  const ranked = rank > 0 ? `ranked ${ordinal(rank)} of ${e.candidates.length} in the validation run` : `diverged in the validation run`;
  const sweepNear = Math.abs(Math.log10(e.sweepBestLr / trained.lr)) <= 1;
  const rulesAgree = e.rules.spreadDecades <= 1;
  const spread = `the four rules ${rulesAgree ? 'agree within' : 'span'} ${formatNumber(e.rules.spreadDecades, 2)} decades`;
  const sweep = `the sweep's best ${formatLr(e.sweepBestLr)} is ${sweepNear ? 'within' : 'over'} a decade ${sweepNear ? 'of it' : 'away'}`;
  const change = Number.isFinite(gain) ? `${formatNumber(Math.abs(gain) * 100, 2)}% ${gain >= 0 ? 'lower' : 'higher'}` : 'a non-finite';
  const sameAsBaseline = trained.lr === longRuns.baselineLr;
  if (sameAsBaseline || !(gain >= MIN_GAIN)) {
    const best = finite[0];
    const strong = sameAsBaseline || gain < 0 || !Number.isFinite(gain);
    const why = sameAsBaseline
      ? `the ${trained.name} choice was your current rate itself (${trained.reason})`
      : `the ${trained.name} rate ${formatLr(trained.lr)} trained to a ${change} validation MSE than yours in the long run (a change needs ${MIN_GAIN * 100}%), ${ranked}, ${sweep} and ${spread}`;
    const hint = best !== undefined && best.lr !== longRuns.baselineLr && best.lr !== trained.lr ? ` (the validation run favoured the ${best.name} rate ${formatLr(best.lr)}: try it with "choose": "validated")` : '';
    return {
      lr: longRuns.baselineLr, source: 'baseline', keepCurrent: true, confidence: strong ? 'high' : 'moderate',
      sentence: `Keep your current rate ${formatLr(longRuns.baselineLr)}: ${why}${hint}.`,
    };
  }
  const support = [rank === 1, sweepNear, rulesAgree].filter(Boolean).length;
  const confidence = support === 3 ? 'high' : support === 2 ? 'moderate' : 'low';
  const sure = { high: 'fairly sure', moderate: 'moderately sure', low: 'not sure' }[confidence];
  return {
    lr: trained.lr, source: trained.name, keepCurrent: false, confidence,
    sentence: `Use ${formatLr(trained.lr)} (the ${trained.name} rate), ${sure}: it trained to a ${change} validation MSE than your current ${formatLr(longRuns.baselineLr)}, ${ranked}, ${sweep} and ${spread}.`,
  };
}
