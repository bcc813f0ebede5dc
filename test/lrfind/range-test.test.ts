import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  rangeTest, lrSweep, logspace, Sequential, Linear, ReLU, Adam, SGD, manualSeed, syntheticTimeSeries, temporalSplit,
  fitStandardizer, slidingWindows, mseLoss, crossEntropy, Tensor, toJSONValue, makeBlobs, Conv2d, Flatten, randn, Generator,
  zeros,
} from '../../src/index.js';
import { assertClose } from '../helpers/assert.js';

function smallData() {
  const { values } = syntheticTimeSeries({ length: 300 });
  const { train } = temporalSplit(values, 0.8);
  const z = fitStandardizer(train);
  return { train: slidingWindows(z.transform(train), 10), valid: slidingWindows(z.transform(values.slice(train.length - 10)), 10) };
}
const makeModel = () => new Sequential(new Linear(10, 16), new ReLU(), new Linear(16, 1));
const snapshot = (m: Sequential, o: { stateDict(): unknown }) => JSON.stringify(toJSONValue({ m: m.stateDict(), o: o.stateDict() }));

const test = suite('rangeTest');

test('the lr list is exactly startLr (endLr / startLr)^(i / (N - 1)), or linear', () => {
  const { train } = smallData();
  manualSeed(1);
  const model = makeModel();
  const opt = new Adam(model.parameters());
  const r = rangeTest(model, { x: train.x, y: train.y, optimizer: opt, startLr: 1e-4, endLr: 1e-1, numIter: 10 });
  assert.is(r.lrs.length, 10);
  r.lrs.forEach((lr, i) => assert.is(lr, 1e-4 * 1000 ** (i / 9)));
  assert.is(r.lrs[0], 1e-4);
  assertClose(r.lrs[9], 1e-1, { rtol: 1e-15 });
  const lin = rangeTest(model, { x: train.x, y: train.y, optimizer: opt, startLr: 0.01, endLr: 0.05, numIter: 5, stepMode: 'linear' });
  assertClose(lin.lrs, [0.01, 0.02, 0.03, 0.04, 0.05], { rtol: 1e-15 });
  const byEpochs = rangeTest(model, { x: train.x, y: train.y, optimizer: opt, epochs: 2, batchSize: 32 });
  assert.is(byEpochs.iterations, 2 * Math.ceil(train.x.shape[0] / 32));
});

test('model and optimizer come back bit for bit: after a full sweep, after divergence, after a throw', () => {
  const { train } = smallData();
  manualSeed(2);
  const model = makeModel();
  const opt = new Adam(model.parameters(), { lr: 3e-4 });
  // a few real steps first, so the optimizer has state worth restoring
  for (let i = 0; i < 3; i++) {
    opt.zeroGrad();
    mseLoss(model.forward(train.x), train.y).backward();
    opt.step();
  }
  const before = snapshot(model, opt);
  rangeTest(model, { x: train.x, y: train.y, optimizer: opt, numIter: 20 });
  assert.is(snapshot(model, opt), before);
  const diverged = rangeTest(model, { x: train.x, y: train.y, optimizer: opt, startLr: 1e-3, endLr: 1e4, numIter: 200 });
  assert.ok(diverged.stopReason === 'diverged' || diverged.stopReason === 'non-finite loss', diverged.stopReason);
  assert.is(snapshot(model, opt), before);
  let calls = 0;
  const failing = (p: Tensor, t: Tensor) => {
    if (++calls === 5) throw new Error('loss exploded (simulated)');
    return mseLoss(p, t);
  };
  assert.throws(() => rangeTest(model, { x: train.x, y: train.y, optimizer: opt, numIter: 20, loss: failing }), /simulated/);
  assert.is(snapshot(model, opt), before);
  assert.is(opt.paramGroups[0].lr, 3e-4);
});

test('divergence stops the sweep once the smoothed loss passes divergeTh x the best', () => {
  const { train } = smallData();
  manualSeed(3);
  const model = makeModel();
  const r = rangeTest(model, { x: train.x, y: train.y, optimizer: new SGD(model.parameters()), startLr: 1e-3, endLr: 10, numIter: 300, divergeTh: 4 });
  assert.is(r.stopReason, 'diverged');
  assert.ok(r.iterations < 300);
  assert.ok(r.smoothedLosses[r.smoothedLosses.length - 1] > 4 * r.bestLoss);
  let best = Infinity;
  r.smoothedLosses.slice(0, -1).forEach((s) => {
    best = Math.min(best, s);
    assert.ok(s <= 4 * best, 'stopped late');
  });
});

test('smoothing is the bias-corrected EMA of the recorded losses (hand recurrence)', () => {
  const { train } = smallData();
  manualSeed(4);
  const model = makeModel();
  const beta = 0.9;
  const r = rangeTest(model, { x: train.x, y: train.y, optimizer: new Adam(model.parameters()), numIter: 15, smoothing: beta });
  assert.is(r.smoothedLosses[0], r.losses[0]); // (1 - β) l0 / (1 - β) = l0
  let avg = 0;
  r.losses.forEach((l, i) => {
    avg = beta * avg + (1 - beta) * l;
    assertClose(r.smoothedLosses[i], avg / (1 - beta ** (i + 1)), { rtol: 1e-12 });
  });
  const best = Math.min(...r.smoothedLosses);
  assert.is(r.bestLoss, best);
  assert.is(r.bestLr, r.lrs[r.smoothedLosses.indexOf(best)]);
});

test('validation losses and gradient accumulation', () => {
  const { train, valid } = smallData();
  manualSeed(5);
  const model = makeModel();
  const opt = new Adam(model.parameters());
  const v = rangeTest(model, { x: train.x, y: train.y, optimizer: opt, numIter: 5, validationData: valid });
  assert.is(v.losses.length, 5);
  const acc = rangeTest(model, { x: train.x, y: train.y, optimizer: opt, epochs: 1, batchSize: 16, accumulationSteps: 2 });
  assert.is(acc.iterations, Math.ceil(train.x.shape[0] / 16 / 2));
});

test('a classifier: Linear layers, crossEntropy and [n] integer class indices; restored bit for bit', () => {
  const { x, y } = makeBlobs({ nSamples: 120, centers: 3, seed: 1 });
  manualSeed(6);
  const model = new Sequential(new Linear(2, 8), new ReLU(), new Linear(8, 3));
  const opt = new SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
  const before = snapshot(model, opt);
  const r = rangeTest(model, { x, y, optimizer: opt, loss: crossEntropy, startLr: 1e-4, endLr: 1, numIter: 30 });
  assert.ok(r.iterations >= 2, `${r.iterations} iterations`);
  // the first loss is a cross-entropy of near-uniform logits over 3 classes: about ln 3
  assert.ok(r.losses[0] > 0.3 && r.losses[0] < 5, `first loss ${r.losses[0]}`);
  assert.ok(Math.min(...r.losses) < r.losses[0], 'the loss fell somewhere in the sweep');
  assert.is(snapshot(model, opt), before);
  // class indices as a column [n, 1] go through too
  const col = rangeTest(model, { x, y: y.reshape([120, 1]), optimizer: opt, loss: crossEntropy, startLr: 1e-4, endLr: 1, numIter: 30 });
  assert.equal(col.losses, r.losses);
  assert.is(snapshot(model, opt), before);
});

test('images [n, c, h, w] through a Conv2d, and sequences [n, steps, features]; restored bit for bit', () => {
  const g = new Generator(8);
  const images = randn([24, 1, 5, 5], { generator: g }), labels = Float32Array.from({ length: 24 }, (_, i) => i % 2);
  manualSeed(7);
  const cnn = new Sequential(new Conv2d(1, 2, 3), new ReLU(), new Flatten(), new Linear(18, 2));
  const adam = new Adam(cnn.parameters());
  const before = snapshot(cnn, adam);
  const r = rangeTest(cnn, { x: images, y: new Tensor(labels, [24]), optimizer: adam, loss: crossEntropy, numIter: 8, batchSize: 8 });
  assert.is(r.iterations, 8);
  assert.is(snapshot(cnn, adam), before);
  const sequences = randn([20, 4, 3], { generator: g }), targets = randn([20, 1], { generator: g });
  const flat = new Sequential(new Flatten(), new Linear(12, 1));
  const sgd = new SGD(flat.parameters(), { lr: 0.01 });
  const seqBefore = snapshot(flat, sgd);
  const s = rangeTest(flat, { x: sequences, y: targets, optimizer: sgd, numIter: 6, batchSize: 5 });
  assert.is(s.iterations, 6);
  assert.is(snapshot(flat, sgd), seqBefore);
});

test('mismatched or unusable x and y are rejected with both shapes named', () => {
  const model = makeModel();
  const optimizer = new Adam(model.parameters());
  assert.throws(() => rangeTest(model, { x: zeros([10, 10]), y: zeros([9, 1]), optimizer }), /rangeTest: expected x \[n, \.\.\.\] of rank >= 2 and y \[n\] or \[n, \.\.\.\] with the same n > 0, got x \[10,10\] and y \[9,1\]/);
  assert.throws(() => rangeTest(model, { x: zeros([10]), y: zeros([10]), optimizer }), /got x \[10\] and y \[10\]/);
  assert.throws(() => rangeTest(model, { x: zeros([0, 10]), y: zeros([0]), optimizer }), /got x \[0,10\] and y \[0\]/);
  assert.throws(() => rangeTest(model, { x: [[1]] as never, y: zeros([1]), optimizer }), /rangeTest: expected x and y to be Tensors, got x \[\[1\]\] and y a Tensor/);
});

test('bad options are rejected', () => {
  const { train } = smallData();
  const model = makeModel();
  const opt = new Adam(model.parameters());
  const base = { x: train.x, y: train.y, optimizer: opt };
  assert.throws(() => rangeTest(model, { ...base, startLr: 1, endLr: 0.1 }), /rangeTest: expected 0 < startLr < endLr, got 1 and 0.1/);
  assert.throws(() => rangeTest(model, { ...base, numIter: 1 }), /rangeTest: expected at least 2 iterations, got 1/);
  assert.throws(() => rangeTest(model, { ...base, smoothing: 1 }), /rangeTest: expected smoothing in \[0, 1\), got 1/);
  assert.throws(() => rangeTest(model, { ...base, stepMode: 'log' as never }), /rangeTest: expected stepMode 'exp' or 'linear', got 'log'/);
});

test.run();

const sweep = suite('lrSweep');

sweep('logspace is numpy.logspace', () => {
  assertClose(logspace(1e-5, 1e-1, 5), [1e-5, 1e-4, 1e-3, 1e-2, 1e-1], { rtol: 1e-14 });
  assert.is(logspace(1e-5, 1e-1, 100).length, 100);
});

sweep('a fresh model per lr from the same seed: equal lrs give equal rows; a diverging lr is marked', () => {
  const { train, valid } = smallData();
  const r = lrSweep({ makeModel, makeOptimizer: (p, lr) => new SGD(p, { lr }), x: train.x, y: train.y, validationData: valid, lrs: [1e-2, 1e-2, 1e6], epochs: 1 });
  assert.equal(r.rows[0], r.rows[1]);
  assert.ok(r.rows[2].diverged);
  assert.ok(Number.isNaN(r.rows[2].trainLoss));
  assert.is(r.bestIndex, 0);
  assert.throws(() => lrSweep({ makeModel, x: train.x, y: train.y, lrs: [-1] }), /lrSweep: expected positive finite learning rates, got \[-1\]/);
});

sweep.run();
