// savgolFilter and gradient against SciPy / NumPy (test/fixtures/lrfind.json, from generate.py).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { savgolFilter, gradient, type SavgolMode } from '../../src/index.js';
import { assertClose, fixture } from '../helpers/assert.js';

interface LrfindFixture {
  series: Record<string, number[]>;
  savgol: { series: string; windowLength: number; polyorder: number; deriv: number; mode: SavgolMode; cval: number; output: number[] }[];
  gradient: { series: string; x: number[] | null | 'log10lrs'; edgeOrder: 1 | 2; output: number[] }[];
  steepest: { series: string; lrs: number[]; index: number; lr: number }[];
}

const f = fixture<LrfindFixture>('lrfind.json');
const test = suite('savgolFilter and gradient match SciPy and NumPy');

// double precision on both sides; the edge fits solve small least-squares systems by different methods
const TOL = { atol: 1e-10, rtol: 1e-9 };

for (const c of f.savgol) {
  test(`savgol ${c.series} (n=${f.series[c.series].length}) window ${c.windowLength} order ${c.polyorder} deriv ${c.deriv} mode ${c.mode}`, () => {
    const y = savgolFilter(f.series[c.series], c.windowLength, c.polyorder, { deriv: c.deriv, mode: c.mode, cval: c.cval });
    assertClose(y, c.output, TOL, 'savgol');
  });
}

for (const c of f.gradient) {
  const label = c.x === null ? 'unit spacing' : c.x === 'log10lrs' ? 'x = log10(lr)' : 'uneven x';
  test(`gradient ${c.series} ${label} edgeOrder ${c.edgeOrder}`, () => {
    const y = f.series[c.series];
    const x = c.x === 'log10lrs' ? Array.from({ length: y.length }, (_, i) => -5 + (4 * i) / (y.length - 1)) : c.x ?? undefined;
    assertClose(gradient(y, x, { edgeOrder: c.edgeOrder }), c.output, { atol: 1e-9, rtol: 1e-9 }, 'gradient');
  });
}

test('errors: window longer than the data (interp), polyorder too high, bad mode, NaN', () => {
  assert.throws(() => savgolFilter([1, 2, 3], 5, 2), /savgolFilter: with mode 'interp', windowLength must be <= the data length \(3\), got 5/);
  assert.throws(() => savgolFilter([1, 2, 3, 4, 5], 3, 3), /savgolFilter: polyorder must be less than windowLength, got polyorder 3 and windowLength 3/);
  assert.throws(() => savgolFilter([1, 2, 3], 3, 1, { mode: 'reflect' as never }), /expected mode 'interp', 'nearest', 'mirror', 'constant' or 'wrap', got 'reflect'/);
  assert.throws(() => savgolFilter([1, NaN, 3], 3, 1), /savgolFilter: expected finite values, got NaN at index 1/);
  assert.throws(() => savgolFilter([], 3, 1), /savgolFilter: expected a non-empty array/);
  assert.throws(() => gradient([1]), /gradient: expected at least 2 values for edgeOrder 1, got 1/);
  assert.throws(() => gradient([1, 2, 3], [1, 2]), /gradient: expected x with 3 values \(one per y\), got 2/);
});

test('a hand value: smoothing a straight line with any window returns it unchanged', () => {
  const line = Array.from({ length: 15 }, (_, i) => 2 * i + 1);
  assertClose(savgolFilter(line, 7, 2), line, { atol: 1e-12 });
  assertClose(savgolFilter(line, 7, 2, { deriv: 1 }), new Array(15).fill(2), { atol: 1e-12 });
});

test.run();
