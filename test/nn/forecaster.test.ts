import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  LSTMForecaster, Sequential, Tanh, Linear, slidingWindows, seed000Data, fit, evaluate, Adam, Generator, Tensor, reshape,
  saveModel, loadModel, noGrad, randn,
} from '../../src/index.js';
import { assertClose } from '../helpers/assert.js';

const test = suite('LSTMForecaster and sequence windows');

test('slidingWindows with sequence: true gives [n, window, 1] holding the same values as [n, window]', () => {
  const values = Float32Array.from({ length: 30 }, (_, i) => Math.sin(i));
  const flat = slidingWindows(values, 5), seq = slidingWindows(values, 5, { sequence: true });
  assert.equal([...seq.x.shape], [25, 5, 1]);
  assert.equal([...seq.y.shape], [25, 1]);
  assert.equal(Array.from(seq.x.data), Array.from(flat.x.data));
  assert.equal(seq.x.data[5 * 3 + 2], values[5]);
});

test('windows [batch, window] and [batch, window, 1] give the same forecast, shaped [batch, horizon]', () => {
  const m = new LSTMForecaster(1, 8, 2, 0.2, 3, { generator: new Generator(1) }).eval();
  const x = randn([4, 6], { generator: new Generator(2) });
  const a = noGrad(() => m.forward(x)), b = noGrad(() => m.forward(reshape(x, [4, 6, 1])));
  assert.equal([...a.shape], [4, 3]);
  assert.equal(Array.from(a.data), Array.from(b.data));
  assert.equal(m.namedParameters().map(([k]) => k), [
    'lstm.weight_ih_l0', 'lstm.weight_hh_l0', 'lstm.bias_ih_l0', 'lstm.bias_hh_l0',
    'lstm.weight_ih_l1', 'lstm.weight_hh_l1', 'lstm.bias_ih_l1', 'lstm.bias_hh_l1', 'head.weight', 'head.bias',
  ]);
});

test('it trains with fit inside a Sequential and lowers the loss on the built-in series', () => {
  const d = seed000Data();
  const n = 256;
  const x = new Tensor(d.train.x.data.slice(0, n * 20), [n, 20]), y = new Tensor(d.train.y.data.slice(0, n), [n, 1]);
  const model = new Sequential(new LSTMForecaster(1, 16, 1, 0, 4, { generator: new Generator(3) }), new Tanh(), new Linear(4, 1, { generator: new Generator(4) }));
  const before = evaluate(model, x, y);
  const h = fit(model, { x, y, optimizer: new Adam(model.parameters(), { lr: 1e-2 }), epochs: 4, batchSize: 32, generator: new Generator(5), progress: false });
  const after = evaluate(model, x, y);
  assert.ok(after < 0.5 * before, `loss fell from ${before} to ${after}`);
  assert.ok(h.loss[3] < h.loss[0], `epoch losses ${h.loss}`);
});

test('fit and evaluate take [n, window, 1] windows from slidingWindows and give the same losses as [n, window]', () => {
  const values = Float32Array.from({ length: 120 }, (_, i) => Math.sin(i / 5));
  const flat = slidingWindows(values, 10), seq = slidingWindows(values, 10, { sequence: true });
  const run = (x: Tensor) => {
    const m = new LSTMForecaster(1, 6, 1, 0, 1, { generator: new Generator(9) });
    const h = fit(m, { x, y: flat.y, optimizer: new Adam(m.parameters(), { lr: 1e-2 }), epochs: 2, batchSize: 16, generator: new Generator(1), progress: false });
    return [...h.loss, evaluate(m, x, flat.y)];
  };
  const a = run(seq.x), b = run(flat.x);
  assert.equal(a, b);
  assert.ok(a[1] < a[0], `epoch losses ${a}`);
});

test('a saved forecaster reloads into a fresh one and forecasts the same', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lrlab-forecaster-'));
  try {
    const a = new LSTMForecaster(1, 8, 2, 0.1, 1, { generator: new Generator(6) }).eval();
    const b = new LSTMForecaster(1, 8, 2, 0.1, 1, { generator: new Generator(7) }).eval();
    const x = randn([3, 10, 1], { generator: new Generator(8) });
    saveModel(a, join(dir, 'm.json'));
    loadModel(b, join(dir, 'm.json'));
    assertClose(noGrad(() => b.forward(x)), noGrad(() => a.forward(x)), { atol: 0, rtol: 0 }, 'forecast');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad windows and options are refused with the expected and the given shape', () => {
  const m = new LSTMForecaster(1, 4);
  assert.throws(() => m.forward(randn([2, 5, 3])), /LSTMForecaster.forward: expected windows of shape \[batch, window, 1\] or \[batch, window\], got \[2,5,3\]/);
  assert.throws(() => new LSTMForecaster(2, 4).forward(randn([2, 5])), /LSTMForecaster.forward: expected windows of shape \[batch, window, 2\], got \[2,5\]/);
  assert.throws(() => new LSTMForecaster(1, 4, 1, 0, 0), /LSTMForecaster: expected horizon to be a positive integer, got 0/);
  assert.throws(() => new LSTMForecaster(1, 4, 2, 1.5), /LSTM: expected dropout in \[0, 1\), got 1.5/);
  assert.throws(() => slidingWindows([1, 2, 3], 3, { sequence: true }), /slidingWindows: expected a series longer than the window/);
});

test.run();
