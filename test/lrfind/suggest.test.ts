import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  steepest, valley, minimum, slide, suggestLr, rangeTest, makeBlobs, Sequential, Linear, ReLU, SGD, crossEntropy, manualSeed,
} from '../../src/index.js';
import { fixture } from '../helpers/assert.js';

const f = fixture<{ series: Record<string, number[]>; steepest: { series: string; lrs: number[]; index: number; lr: number }[] }>('lrfind.json');
const test = suite('lr suggestions');

for (const c of f.steepest) {
  test(`steepest on '${c.series}' is argmax(-np.gradient(savgol_filter(losses, 11, 2))) as SciPy computes it`, () => {
    const s = steepest(c.lrs, f.series[c.series]);
    assert.is(s.index, c.index);
    assert.is(s.lr, c.lr);
  });
}

const lrs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((i) => 10 ** (-6 + i / 2));

test('minimum: a tenth of the lr at the lowest loss', () => {
  const losses = [5, 4, 3, 2, 1, 0.5, 0.7, 2, 5, 9];
  const m = minimum(lrs, losses);
  assert.is(m.index, 5);
  assert.is(m.lr, lrs[5] / 10);
});

test('valley: the longest decreasing run, a little past its middle (fastai)', () => {
  // decreasing run from index 0 to 5 (length 6): start = 5 - 6 = -1, sections = 2, index = -1 + 2 + 1 = 2
  const v = valley(lrs, [5, 4, 3, 2, 1, 0.5, 0.7, 2, 5, 9]);
  assert.is(v.index, 2);
  assert.is(v.lr, lrs[2]);
});

test('slide: walks back from the end until the gradient stops changing (fastai)', () => {
  const losses = [1, 1, 1, 1, 1, 0.99, 0.98, 0.97, 2, 4, 8, 16, 32, 64, 128, 256];
  const s = slide(losses.map((_, i) => 10 ** (-5 + i * 0.25)), losses, { lrDiff: 3, thresh: 0.02 });
  assert.ok(s.index <= 7, `index ${s.index}`);
});

test('suggestLr reports all four, their spread in decades, and warns on short, noisy or edge curves', () => {
  const { rangeTest: curve } = f.series;
  const curveLrs = Array.from({ length: curve.length }, (_, i) => 10 ** (-5 + (4 * i) / (curve.length - 1)));
  const s = suggestLr(curveLrs, curve);
  assert.is(s.lr, s.suggestions.steepest.lr);
  assert.equal(Object.keys(s.suggestions), ['steepest', 'valley', 'minimum', 'slide']);
  const values = Object.values(s.suggestions).map((x) => x.lr);
  assert.is(s.spreadDecades, Math.log10(Math.max(...values) / Math.min(...values)));
  assert.is(s.agree, s.spreadDecades <= 1);
  const short = suggestLr(lrs, [5, 4, 3, 2, 1, 0.5, 0.7, 2, 5, 9]);
  assert.ok(short.warnings.some((w) => /only 10 points: the curve is too short/.test(w)));
  const noisy = suggestLr(curveLrs.slice(0, 40), Array.from({ length: 40 }, (_, i) => 2 - i / 40 + (i % 2 ? 0.5 : -0.5)));
  assert.ok(noisy.warnings.some((w) => /the curve is noisy/.test(w)), JSON.stringify(noisy.warnings));
});

test('NaN at the end is dropped with a warning; constant or too few losses are errors', () => {
  const s = suggestLr(lrs, [5, 4, 3, 2, 1, 0.5, 0.7, 2, NaN, NaN]);
  assert.ok(s.warnings.some((w) => /the loss became NaN at point 8; the 2 point\(s\) from there on were dropped/.test(w)));
  assert.throws(() => suggestLr(lrs, new Array(10).fill(0.3)), /suggestLr: the losses are constant \(0.3\)/);
  assert.throws(() => suggestLr(lrs, [1, 2, NaN, 4, 5, 6, 7, 8, 9, 10]), /suggestLr: expected at least 5 finite losses, got 2/);
  assert.throws(() => suggestLr([1, 2], [1]), /suggestLr: expected lrs and losses of the same length, got 2 and 1/);
  assert.throws(() => steepest([1, 2, 3], [1, NaN, 3]), /steepest: expected at least 4 points, got 3|steepest: expected finite losses/);
  assert.throws(() => minimum([1, -2], [1, 2]), /minimum: expected positive learning rates, got -2 at index 1/);
});

test.run();

const divergence = suite('lr suggestions never lie past divergence');

const argmin = (v: ArrayLike<number>) => Array.from(v).indexOf(Math.min(...Array.from(v)));

divergence('a classifier whose range test diverges: every rule lies before the smoothed minimum, below the divergence', () => {
  // the case of the issue: SGD with momentum from 1e-6 to 10 stops as 'diverged' at 5.2 with the last loss in the
  // hundreds; Savitzky-Golay smoothing of that spike rang into a dip just before it, so the steepest rule answered
  // the last point (5.2) and advised widening the range, while the valley rule's 5.6e-3 was right
  const { x, y } = makeBlobs({ nSamples: 200, centers: 2, seed: 2, clusterStd: 3 });
  manualSeed(2);
  const model = new Sequential(new Linear(2, 4), new ReLU(), new Linear(4, 2));
  const optimizer = new SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  const r = rangeTest(model, { x, y, optimizer, loss: crossEntropy, startLr: 1e-6, endLr: 10, numIter: 100, batchSize: 16 });
  assert.is(r.stopReason, 'diverged');
  const s = suggestLr(r.lrs, r.losses, { smoothed: r.smoothedLosses, stopReason: r.stopReason });
  assert.ok(s.divergenceLr !== null && s.divergenceIndex !== null, 'a divergence was found');
  assert.is(s.divergenceLr, r.lrs[s.divergenceIndex!]);
  const lowest = argmin(r.smoothedLosses);
  assert.ok(s.divergenceIndex! > lowest, `divergence at ${s.divergenceIndex}, smoothed minimum at ${lowest}`);
  for (const rule of Object.values(s.suggestions)) {
    assert.ok(rule.lr < s.divergenceLr!, `${rule.method} ${rule.lr} is not below the divergence at ${s.divergenceLr}`);
    assert.ok(rule.index <= lowest, `${rule.method} at point ${rule.index}, past the smoothed minimum at ${lowest}`);
  }
  assert.is(s.lr, s.suggestions.steepest.lr);
  assert.not.ok(s.warnings.some((w) => /widen startLr/.test(w)), JSON.stringify(s.warnings));
});

// a curve with known parts: a plateau at 1, a fall to 0.2 centred at 1e-3 (point 20), a floor, then a blow-up
const spikeLrs = Array.from({ length: 45 }, (_, i) => 10 ** (-6 + i * 0.15));
const spikeLosses = spikeLrs.map((lr, i) => (i < 40 ? 1 - 0.8 / (1 + Math.exp(-(Math.log10(lr) + 3) * 4)) : [0.6, 3, 40, 600, 9000][i - 40]));

divergence('on raw losses with a spike at the end, the rules read only the part before the divergence', () => {
  const s = suggestLr(spikeLrs, spikeLosses);
  assert.ok(s.divergenceIndex !== null && s.divergenceIndex <= 40 && s.divergenceIndex > 30, `divergence at ${s.divergenceIndex}`);
  // the steepest fall of the sigmoid is at lr 1e-3 (point 20): the rule finds it within a point
  assert.ok(Math.abs(s.suggestions.steepest.index - 20) <= 1, `steepest at ${s.suggestions.steepest.index}`);
  for (const rule of Object.values(s.suggestions)) assert.ok(rule.lr < s.divergenceLr!, `${rule.method} ${rule.lr}`);
  // the rule alone on the whole curve is thrown off by the spike (this is what suggestLr no longer does)
  assert.ok(steepest(spikeLrs, spikeLosses).index > 30);
});

// losses that fall faster and faster (1 - (i/20)^2) up to point 20, then blow up: the steepest descent is the last
// point before the blow-up, whatever the rule is fed
const edgeLrs = Array.from({ length: 25 }, (_, i) => 10 ** (-5 + i * 0.2));
const edgeLosses = edgeLrs.map((_, i) => (i <= 20 ? 1.5 - (i / 20) ** 2 : [2, 20, 200, 2000][i - 21]));

divergence('a steepest descent at the edge of the part before divergence is warned about as such, naming the stop', () => {
  const stopped = suggestLr(edgeLrs, edgeLosses, { smoothed: edgeLosses, stopReason: 'diverged' });
  assert.is(stopped.divergenceIndex, 21);
  assert.is(stopped.suggestions.steepest.index, 20);
  assert.ok(stopped.warnings.some((w) => /^the range test stopped on divergence at 1\.58e-1; the steepest descent is at the edge of the part before it/.test(w)), JSON.stringify(stopped.warnings));
  assert.not.ok(stopped.warnings.some((w) => /widen/.test(w)));
  const found = suggestLr(edgeLrs, edgeLosses, { smoothed: edgeLosses });
  assert.ok(found.warnings.some((w) => /^the loss diverges from 1\.58e-1 \(point 21\); the steepest descent is at the edge of the part before it/.test(w)), JSON.stringify(found.warnings));
  assert.throws(() => suggestLr(edgeLrs, edgeLosses, { stopReason: 'exploded' as never }), /suggestLr: expected stopReason 'completed', 'diverged' or 'non-finite loss', got 'exploded'/);
});

divergence("a range test that stopped on 'diverged' or 'non-finite loss' diverged at its last point at the latest", () => {
  // a curve still falling at its last recorded point: no rise to find, so the stop itself is the divergence
  const falling = edgeLosses.slice(0, 21), lrs = edgeLrs.slice(0, 21);
  for (const stopReason of ['diverged', 'non-finite loss'] as const) {
    const s = suggestLr(lrs, falling, { smoothed: falling, stopReason });
    assert.is(s.divergenceIndex, 20, stopReason);
    assert.is(s.divergenceLr, lrs[20]);
    for (const rule of Object.values(s.suggestions)) assert.ok(rule.lr < lrs[20], `${stopReason}: ${rule.method} ${rule.lr}`);
  }
  const completed = suggestLr(lrs, falling, { smoothed: falling, stopReason: 'completed' });
  assert.is(completed.divergenceIndex, null);
  assert.is(completed.divergenceLr, null);
  // a non-finite loss in the given losses is the divergence point when no rise comes before it
  const withNaN = [...falling, NaN, NaN];
  const s = suggestLr(edgeLrs.slice(0, 23), withNaN, { smoothed: withNaN });
  assert.is(s.divergenceIndex, 21);
  assert.is(s.divergenceLr, edgeLrs[21]);
});

divergence('a curve without divergence: no divergence point, and the rules answer as they do alone', () => {
  const { rangeTest: curve } = f.series;
  const curveLrs = Array.from({ length: curve.length }, (_, i) => 10 ** (-5 + (4 * i) / (curve.length - 1)));
  const s = suggestLr(curveLrs, curve);
  assert.is(s.divergenceLr, null);
  assert.is(s.divergenceIndex, null);
  assert.equal(s.suggestions, { steepest: steepest(curveLrs, curve), valley: valley(curveLrs, curve), minimum: minimum(curveLrs, curve), slide: slide(curveLrs, curve) });
});

divergence.run();

const noDescent = suite('lr suggestions: no descent, no answer');

noDescent('suggestLr on steadily rising losses says the loss never falls', () => {
  const rising = lrs.map((_, i) => 0.5 + i * 0.1);
  assert.throws(() => suggestLr(lrs, rising), /suggestLr: the loss never falls.*no rate can be suggested/);
  // noise on the rise does not make a descent of it
  const noisy = Array.from({ length: 40 }, (_, i) => 0.5 + i * 0.05 + (i % 2 ? 0.02 : -0.02));
  const noisyLrs = noisy.map((_, i) => 10 ** (-6 + i / 8));
  assert.throws(() => suggestLr(noisyLrs, noisy), /suggestLr: the loss never falls/);
  assert.throws(() => suggestLr(noisyLrs, noisy, { smoothed: noisy.map((_, i) => 0.5 + i * 0.05) }), /suggestLr: the loss never falls/);
});

noDescent('a plateau whose only fall is within its noise, and a fall of a few points before a blow-up, have no answer', () => {
  const plateau = Array.from({ length: 40 }, (_, i) => 1 + 0.01 * Math.sin(i * 2.1) + (i % 2 ? 0.05 : -0.05));
  const plateauLrs = plateau.map((_, i) => 10 ** (-6 + i / 8));
  assert.throws(() => suggestLr(plateauLrs, plateau), /suggestLr: the loss never falls: its smoothed trend falls by [\d.e-]+, within the noise \([\d.e-]+\); no rate can be suggested/);
  // five points, the last of them where the range test stopped on divergence: four points before it are too few
  assert.throws(() => suggestLr(lrs.slice(0, 5), [5, 4, 3, 2, 1], { stopReason: 'diverged' }), /suggestLr: the loss never falls for long: it diverges from 3\.16e-4 \(point 4\), after only 4 points; no rate can be suggested/);
  assert.is(suggestLr(lrs.slice(0, 5), [5, 4, 3, 2, 1], { stopReason: 'completed' }).divergenceLr, null);
});

noDescent('steepest, valley and slide on constant losses are errors, not an arbitrary point', () => {
  const flat = new Array(20).fill(0.7);
  const flatLrs = flat.map((_, i) => 10 ** (-5 + i / 5));
  assert.throws(() => steepest(flatLrs, flat), /steepest: the losses are constant \(0\.7\); there is no descent to find/);
  assert.throws(() => valley(flatLrs, flat), /valley: the losses are constant \(0\.7\); there is no descent to find/);
  assert.throws(() => slide(flatLrs, flat), /slide: the losses are constant \(0\.7\); there is no descent to find/);
  // a curve that is nearly but not exactly flat still has an answer
  assert.is(steepest(flatLrs, flat.map((v, i) => v - i * 1e-3)).method, 'steepest');
});

noDescent.run();
