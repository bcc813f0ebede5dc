// The report's recommendation: which rate to use and how sure, weighing the rules, the sweep, the validation run
// and the long runs; "keep your current rate" when the found one does not clearly win.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { recommend, pairedDifference, reportHtml, type RecommendationEvidence } from '../../src/index.js';

const test = suite('recommend');

const evidence = (over: Partial<RecommendationEvidence> & { trainedMse?: number } = {}): RecommendationEvidence => ({
  rules: { lrs: { steepest: 4e-3, valley: 2e-3, minimum: 1e-2, slide: 3e-3 }, spreadDecades: 0.7 },
  sweepBestLr: 5e-3,
  candidates: [{ name: 'steepest', lr: 4e-3, valMse: 20 }, { name: 'valley', lr: 2e-3, valMse: 21 }, { name: 'sweep best', lr: 5e-3, valMse: 22 }, { name: 'baseline', lr: 1e-3, valMse: 25 }],
  trained: { name: 'steepest', lr: 4e-3, reason: 'the steepest descent' },
  longRuns: { baselineLr: 1e-3, baselineMse: 30, trainedMse: over.trainedMse ?? 24 },
  ...over,
});

test('a rate that wins the long run, ranks first, sits near the sweep best and has agreeing rules is recommended with high confidence', () => {
  const r = recommend(evidence());
  assert.is(r.lr, 4e-3);
  assert.is(r.keepCurrent, false);
  assert.is(r.confidence, 'high');
  assert.is(r.sentence, "Use 4e-3 (the steepest rate), fairly sure: it trained to a 20% lower validation MSE than your current 1e-3, ranked 1st of 4 in the validation run, the sweep's best 5e-3 is within a decade of it and the four rules agree within 0.7 decades.");
  assert.is(r.sentence.split('. ').length, 1, 'one sentence');
});

test('confidence falls with each piece of evidence against the rate', () => {
  const third = evidence({ candidates: [{ name: 'steepest', lr: 4e-3, valMse: 23 }, { name: 'valley', lr: 2e-3, valMse: 21 }, { name: 'sweep best', lr: 5e-3, valMse: 22 }, { name: 'baseline', lr: 1e-3, valMse: 25 }] });
  const r1 = recommend(third);
  assert.is(r1.confidence, 'moderate');
  assert.match(r1.sentence, /ranked 3rd of 4 in the validation run/);
  const r2 = recommend({ ...third, rules: { lrs: {}, spreadDecades: 2.5 } });
  assert.is(r2.confidence, 'low');
  assert.match(r2.sentence, /not sure: .* the four rules span 2.5 decades/);
});

test('a found rate 0.4% worse than the current one in the long run means: keep your current rate', () => {
  const r = recommend(evidence({ trainedMse: 30.12 }));
  assert.is(r.keepCurrent, true);
  assert.is(r.lr, 1e-3);
  assert.is(r.source, 'baseline');
  assert.match(r.sentence, /^Keep your current rate 1e-3: the steepest rate 4e-3 trained to a 0.4% higher validation MSE than yours in the long run \(a change needs 1%\), ranked 1st of 4 in the validation run, the sweep's best 5e-3 is within a decade of it and the four rules agree within 0.7 decades\.$/);
});

test('a gain under 1% is not worth a change, and a candidate the validation run favoured is pointed to', () => {
  const r = recommend(evidence({ trainedMse: 29.8, candidates: [{ name: 'steepest', lr: 4e-3, valMse: 23 }, { name: 'valley', lr: 2e-3, valMse: 21 }, { name: 'baseline', lr: 1e-3, valMse: 25 }] }));
  assert.is(r.keepCurrent, true);
  assert.is(r.confidence, 'moderate');
  assert.match(r.sentence, /0.67% lower .* \(a change needs 1%\)/);
  assert.match(r.sentence, /the validation run favoured the valley rate 2e-3: try it with "choose": "validated"/);
});

test('when the trained rate is the baseline itself, the answer is to keep it', () => {
  const r = recommend(evidence({ trained: { name: 'baseline', lr: 1e-3, reason: 'the lowest validation MSE' }, trainedMse: 30 }));
  assert.is(r.keepCurrent, true);
  assert.match(r.sentence, /the baseline choice was your current rate itself \(the lowest validation MSE\)/);
});

test('a diverged long run (NaN) never recommends the rate', () => {
  const r = recommend(evidence({ trainedMse: NaN }));
  assert.is(r.keepCurrent, true);
  assert.match(r.sentence, /trained to a non-finite validation MSE/);
  assert.not.match(r.sentence, /a a /);
});

test('a sweep best equal to the trained rate is called the same rate, not "within a decade of it"', () => {
  const r = recommend(evidence({ sweepBestLr: 4e-3 }));
  assert.match(r.sentence, /the sweep's best is the same rate and/);
});

test('several seeds: a gain inside the seed-to-seed noise keeps your rate, and says so', () => {
  // mean 2.7%, but 0.2% and 5% among the seeds: t(0.975, 2) = 4.3027 makes the interval reach below 0
  const paired = pairedDifference([0.053, 0.024, 0.002]);
  assert.ok(paired.low < 0);
  const r = recommend(evidence({ longRuns: { baselineLr: 1e-3, baselineLoss: 0.41, trainedLoss: 0.4, lossName: 'cross-entropy', paired } }));
  assert.is(r.keepCurrent, true);
  assert.is(r.confidence, 'moderate', 'the interval reaches past 1%: a change may yet pay');
  assert.match(r.sentence, /trained to a 2.6% lower validation cross-entropy than yours on average over 3 seeds \(better in 3 of 3; 95% interval of the gain -3.7% to 9%\) in the long runs: the interval reaches 0, so the gain is within the seed-to-seed noise/);
});

test('several seeds: an interval wholly above 1% recommends the rate, with the paired evidence in the sentence', () => {
  const paired = pairedDifference([0.05, 0.04, 0.045]);
  const r = recommend(evidence({ longRuns: { baselineLr: 1e-3, baselineLoss: 30, trainedLoss: 28.6, paired } }));
  assert.is(r.keepCurrent, false);
  assert.is(r.confidence, 'high');
  assert.match(r.sentence, /^Use 4e-3 \(the steepest rate\), fairly sure: it trained to a 4.5% lower validation MSE than your current 1e-3 on average over 3 seeds \(better in 3 of 3; 95% interval of the gain 3.3% to 5.7%\)/);
  // a narrow win (interval above 0 but not above 1%) lowers the confidence a step
  const narrow = recommend(evidence({ longRuns: { baselineLr: 1e-3, baselineLoss: 30, trainedLoss: 29.4, paired: pairedDifference([0.02, 0.015, 0.025]) } }));
  assert.is(narrow.keepCurrent, false);
  assert.is(narrow.confidence, 'moderate');
});

test('several seeds: a rate that diverged in a long run is never recommended', () => {
  const r = recommend(evidence({ longRuns: { baselineLr: 1e-3, baselineLoss: 30, trainedLoss: NaN, diverged: { baseline: 0, trained: 1, of: 3 } } }));
  assert.is(r.keepCurrent, true);
  assert.match(r.sentence, /the steepest rate 4e-3 diverged in 1 of 3 long runs/);
});

test('your current rate diverging where the found one trained recommends the found one', () => {
  const r = recommend(evidence({ longRuns: { baselineLr: 1e-3, baselineLoss: NaN, trainedLoss: 28, diverged: { baseline: 3, trained: 0, of: 3 } } }));
  assert.is(r.keepCurrent, false);
  assert.is(r.confidence, 'high');
  assert.match(r.sentence, /^Use 4e-3 \(the steepest rate\): your current 1e-3 diverged in 3 of 3 long runs, while it trained to a validation MSE of 28 in every one/);
});

test('report.html joins soft-wrapped lines into one paragraph, and list items into one list', () => {
  const html = reportHtml('# T\n\nA sentence that is\nwrapped in the source.\n\n- one\n- two\n', {});
  assert.match(html, /<p>A sentence that is wrapped in the source.<\/p>/);
  assert.match(html, /<ul><li>one<\/li><li>two<\/li><\/ul>/);
});

test.run();
