// The report's recommendation: which rate to use and how sure, weighing the rules, the sweep, the validation run
// and the long runs; "keep your current rate" when the found one does not clearly win.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { recommend, type RecommendationEvidence } from '../../src/index.js';

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
  assert.match(r.sentence, /a non-finite validation MSE/);
});

test.run();
