import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { steepest, valley, minimum, slide, suggestLr } from '../../src/index.js';
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
