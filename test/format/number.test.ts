// Numbers for people: significant digits, so small values stay visible, and NaN spelled NaN in every message.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { formatNumber, formatLr, describe } from '../../src/format/number.js';
import { comparisonTable, tensor, SGD, StepLR } from '../../src/index.js';

const test = suite('number formatting');

test('small values keep three significant digits instead of rounding to 0.00', () => {
  assert.is(formatNumber(0.000123456), '0.000123');
  assert.is(formatNumber(0.012345), '0.0123');
  assert.is(formatNumber(32.649), '32.6');
  assert.is(formatNumber(1.5e-7), '1.5e-7');
  assert.is(formatNumber(123456789), '1.23e8');
  assert.is(formatNumber(0.3 + 0.6), '0.9');
  assert.is(formatNumber(2 / 3, 5), '0.66667');
});

test('learning rates read as they are written, with an exponent', () => {
  assert.is(formatLr(0.0187), '1.87e-2');
  assert.is(formatLr(1e-3), '1e-3');
  assert.is(formatLr(0.00040812), '4.08e-4');
});

test('NaN and infinities are spelled out, not printed as null', () => {
  assert.is(formatNumber(NaN), 'NaN');
  assert.is(formatNumber(-Infinity), '-Infinity');
  assert.is(describe([NaN, 1, { a: Infinity }]), '[NaN, 1, {a: Infinity}]');
  assert.is(describe('x'), '"x"');
  assert.throws(() => formatNumber(1, 0), /formatNumber: expected digits to be an integer in \[1, 21\], got 0/);
});

test('option errors of optimizers and schedulers print NaN as NaN', () => {
  const p = tensor([1], { requiresGrad: true });
  assert.throws(() => new SGD([p], { lr: NaN }), (e: Error) => /got NaN/.test(e.message) && !/null/.test(e.message));
  assert.throws(() => new StepLR(new SGD([p], { lr: 0.1 }) as any, { stepSize: 2, gamma: NaN }), (e: Error) => /got NaN/.test(e.message));
});

test('a tensor holding NaN prints NaN', () => {
  assert.is(String(tensor([NaN, 1, -Infinity])), 'Tensor([NaN,1,-Infinity], shape=[3])');
});

test('the comparison table shows small MSEs and variances with significant digits', () => {
  const run = (lr: number, mse: number, variance: number) => ({
    name: 'x', lr, epochsRun: 5, trainingTimeMs: 1234, finalValMse: mse, lastEpochValMse: mse,
    analysis: { convergenceEpoch: 3, lossVariance: variance, classification: 'smooth' }, history: { loss: [], valLoss: [], lr: [], timeMs: [] }, dynamics: { batchLoss: [], lr: [], gradNorm: [] },
  });
  const rows = comparisonTable({ baseline: run(1e-3, 0.0123, 0.000456), optimized: run(1e-2, 0.0111, 0.000307) } as any);
  const byMetric = Object.fromEntries(rows.map((r) => [r.metric, r]));
  assert.is(byMetric['Final validation MSE'].baseline, '0.0123');
  assert.is(byMetric['Final validation MSE'].optimized, '0.0111');
  assert.is(byMetric['Loss variance'].baseline, '0.000456');
  assert.is(byMetric['Loss variance'].change, '32.7% lower');
});

test.run();
