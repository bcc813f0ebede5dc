// Metrics as plain functions (scikit-learn parity) and as `metrics` in fit / evaluate, monitored by callbacks and
// fed to AdaptiveLR.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  accuracy, precision, recall, f1, r2, mae, mse, rmse, tensor, Tensor, fit, evaluate, predict, makeBlobs, Sequential,
  Linear, ReLU, Adam, SGD, manualSeed, Generator, crossEntropy, bceWithLogits, EarlyStopping, ModelCheckpoint,
  ReduceLROnPlateauCallback, AdaptiveLR, METRIC_NAMES, type Callback, type Average,
} from '../../src/index.js';
import { assertClose } from '../helpers/assert.js';

interface Case {
  name: string;
  yTrue: number[] | number[][];
  yPred: number[] | number[][];
  expected: Record<string, any>;
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/metrics.json', import.meta.url), 'utf8')) as { classification: Case[]; regression: Case[] };
const asTensor = (v: number[] | number[][]) => tensor(v as any);

const parity = suite('metrics match scikit-learn (test/fixtures/metrics.json)');

for (const c of fixture.classification) {
  parity(`classification, ${c.name}: accuracy and every average of precision, recall and f1`, () => {
    for (const [form, t, p] of [['Tensors', asTensor(c.yTrue), asTensor(c.yPred)], ['arrays', c.yTrue, c.yPred]] as const) {
      assertClose(accuracy(t, p), c.expected.accuracy, { atol: 1e-12, rtol: 0 }, `${form} accuracy`);
      for (const average of ['binary', 'macro', 'micro', 'weighted'] as Average[]) {
        if (c.expected[average] === undefined) continue;
        for (const [name, fn] of [['precision', precision], ['recall', recall], ['f1', f1]] as const) {
          assertClose(fn(t, p, { average }), c.expected[average][name], { atol: 1e-12, rtol: 0 }, `${form} ${name} ${average}`);
        }
      }
    }
  });
}

for (const c of fixture.regression) {
  parity(`regression, ${c.name}: r2, mae, mse, rmse`, () => {
    const fns = { r2, mae, mse, rmse };
    for (const [name, fn] of Object.entries(fns)) {
      // the inputs are float32 values; both sides sum in float64
      assertClose(fn(asTensor(c.yTrue), asTensor(c.yPred)), c.expected[name], { atol: 1e-9, rtol: 1e-9 }, name);
      assertClose(fn(c.yTrue, c.yPred), c.expected[name], { atol: 1e-9, rtol: 1e-9 }, `${name} (arrays)`);
    }
  });
}

parity.run();

const hand = suite('metrics by hand');

hand('a 3-class example worked out by hand', () => {
  //            yTrue: 0 0 1 1 2 2      yPred: 0 1 1 1 0 2
  // class 0: tp 1, fp 1 (row 4), fn 1 (row 1) -> precision 1/2, recall 1/2, f1 2/4 = 1/2
  // class 1: tp 2, fp 1 (row 1), fn 0        -> precision 2/3, recall 1,   f1 4/5
  // class 2: tp 1, fp 0,         fn 1 (row 4) -> precision 1,   recall 1/2, f1 2/3
  // accuracy 4/6; macro precision (1/2 + 2/3 + 1)/3 = 13/18; micro = accuracy; supports 2, 2, 2 -> weighted = macro
  const t = [0, 0, 1, 1, 2, 2], p = [0, 1, 1, 1, 0, 2];
  assertClose(accuracy(t, p), 4 / 6, { atol: 1e-15 });
  assertClose(precision(t, p, { average: 'macro' }), 13 / 18, { atol: 1e-15 });
  assertClose(recall(t, p, { average: 'macro' }), (1 / 2 + 1 + 1 / 2) / 3, { atol: 1e-15 });
  assertClose(f1(t, p, { average: 'macro' }), (1 / 2 + 4 / 5 + 2 / 3) / 3, { atol: 1e-15 });
  assertClose(f1(t, p, { average: 'micro' }), 4 / 6, { atol: 1e-15 });
  assertClose(f1(t, p, { average: 'weighted' }), f1(t, p, { average: 'macro' }), { atol: 1e-15 });
  // one-hot yTrue and score rows give the same as labels
  const oneHot = t.map((k) => [0, 1, 2].map((j) => (j === k ? 1 : 0)));
  const scores = p.map((k) => [0, 1, 2].map((j) => (j === k ? 2.5 : -1)));
  assert.is(accuracy(oneHot, scores), accuracy(t, p));
});

hand('one score per example is cut at 0.5, or at the threshold given (0 for logits)', () => {
  const t = [0, 1, 1, 0];
  assert.is(accuracy(t, [[0.2], [0.7], [0.4], [0.6]]), 0.5); // 0 1 0 1
  assert.is(accuracy(t, [-1.2, 0.3, 2, -0.1], { threshold: 0 }), 1);
  // integer scores are labels already
  assert.is(accuracy([0, 1, 2], [0, 1, 1]), 2 / 3);
  // binary precision of class posLabel 0 instead of 1: predicted 0 at rows 0, 2 (true 0, 1)
  assert.is(precision([0, 1, 1, 0], [0, 1, 0, 1], { posLabel: 0 }), 1 / 2);
});

hand('regression by hand: r2 = 1 - SS_res / SS_tot', () => {
  // yTrue 1 2 3 (mean 2, SS_tot 2), yPred 1 2 4 (SS_res 1) -> r2 1/2; mae 1/3; mse 1/3; rmse sqrt(1/3)
  assert.is(r2([1, 2, 3], [1, 2, 4]), 0.5);
  assertClose(mae([1, 2, 3], [1, 2, 4]), 1 / 3, { atol: 1e-15 });
  assertClose(mse([1, 2, 3], [1, 2, 4]), 1 / 3, { atol: 1e-15 });
  assertClose(rmse([1, 2, 3], [1, 2, 4]), Math.sqrt(1 / 3), { atol: 1e-15 });
  assert.is(r2([2, 2], [2, 2]), 1);
  // [n] and [n, 1] are the same thing
  assert.is(mae(tensor([1, 2, 3]), tensor([[1], [2], [4]])), mae([1, 2, 3], [1, 2, 4]));
});

hand('bad input is named: shapes, empty, non-finite, non-integer labels, multiclass under binary, bad options', () => {
  assert.throws(() => accuracy([0, 1], [0]), /accuracy: expected yTrue and yPred with the same number of examples, got \[2\] and \[1\]/);
  assert.throws(() => accuracy([], []), /accuracy: expected at least one example, got 0/);
  assert.throws(() => r2([1, 2], [1, NaN]), /r2: expected finite values in yPred, got NaN at index 1/);
  assert.throws(() => mae([[1, 2], [3, 4]], [1, 2]), /mae: expected yTrue and yPred of the same shape, got \[2,2\] and \[2\]/);
  assert.throws(() => accuracy([0.5, 1], [0, 1]), (e: Error) => e instanceof TypeError && /accuracy: expected integer class labels in yTrue \(or one-hot rows\), got 0.5/.test(e.message));
  assert.throws(() => f1([0, 1, 2], [0, 1, 2]), /f1: expected binary labels with posLabel 1 for average 'binary' \(use average 'macro', 'micro' or 'weighted' for multiclass\), got classes 0, 1, 2/);
  assert.throws(() => recall([0, 1], [0, 1], { average: 'samples' as any }), /recall: expected average 'binary', 'macro', 'micro' or 'weighted', got "samples"/);
  assert.throws(() => accuracy([0, 1], [0.3, 0.6], { threshold: NaN }), /accuracy: expected a finite threshold, got NaN/);
  assert.throws(() => accuracy('01' as any, [0, 1]), (e: Error) => e instanceof TypeError && /accuracy: expected yTrue as a Tensor or an array of numbers, got string/.test(e.message));
  assert.throws(() => accuracy(tensor([[[1]]]), [0]), /accuracy: expected yTrue of shape \[n\] or \[n, k\], got \[1,1,1\]/);
});

hand.run();

// three well-separated blobs; a linear model learns them within a few epochs
function blobsData() {
  const all = makeBlobs({ nSamples: 150, centers: 3, clusterStd: 2, seed: 3 });
  const cut = (t: Tensor, a: number, b: number) => new Tensor(t.data.slice(a * (t.size / 150), b * (t.size / 150)), [b - a, ...t.shape.slice(1)]);
  return { train: { x: cut(all.x, 0, 100), y: cut(all.y, 0, 100) }, valid: { x: cut(all.x, 100, 150), y: cut(all.y, 100, 150) } };
}
const classifier = (seed: number) => {
  manualSeed(seed);
  return new Sequential(new Linear(2, 16), new ReLU(), new Linear(16, 3));
};

const inFit = suite('metrics in fit and evaluate');

inFit('history holds each metric per epoch; the validation values are the metric of predict() on the validation data', () => {
  const { train, valid } = blobsData();
  const model = classifier(1);
  function precisionMacro(t: Tensor, p: Tensor) {
    return precision(t, p, { average: 'macro' });
  }
  const h = fit(model, { x: train.x, y: train.y, validationData: valid, loss: crossEntropy, metrics: ['accuracy', 'f1_macro', precisionMacro], optimizer: new Adam(model.parameters(), { lr: 1e-2 }), epochs: 5, batchSize: 20, generator: new Generator(2), progress: false });
  assert.equal(Object.keys(h.metrics), ['accuracy', 'f1Macro', 'precisionMacro']);
  assert.is(h.valMetrics.precisionMacro[4], precision(valid.y, predict(model, valid.x), { average: 'macro' }));
  assert.is(h.metrics.accuracy.length, 5);
  assert.is(h.valMetrics.f1Macro.length, 5);
  const pred = predict(model, valid.x);
  assert.is(h.valMetrics.accuracy[4], accuracy(valid.y, pred));
  assert.is(h.valMetrics.f1Macro[4], f1(valid.y, pred, { average: 'macro' }));
  assert.ok(h.valMetrics.accuracy[4] > 0.9, `validation accuracy ${h.valMetrics.accuracy[4]}`);
  const e = evaluate(model, valid.x, valid.y, { loss: crossEntropy, metrics: ['accuracy', 'recall_weighted'] });
  assert.is(e.loss, evaluate(model, valid.x, valid.y, crossEntropy));
  assert.is(e.loss, h.valLoss[4]);
  assert.is(e.accuracy, h.valMetrics.accuracy[4]);
  assert.is(e.recallWeighted, recall(valid.y, pred, { average: 'weighted' }));
});

inFit("a training epoch's metric is computed on the batches' predictions as they were trained on", () => {
  // one batch holding every example, no shuffle: epoch 1's training accuracy is that of the initial model
  const { train } = blobsData();
  const model = classifier(2);
  const before = accuracy(train.y, predict(model, train.x));
  const h = fit(model, { x: train.x, y: train.y, loss: crossEntropy, metrics: ['accuracy'], optimizer: new SGD(model.parameters(), { lr: 0.1 }), epochs: 2, batchSize: 100, shuffle: false, progress: false });
  assert.is(h.metrics.accuracy[0], before);
  assert.is(h.valMetrics.accuracy, undefined);
});

inFit('an epoch stopped part-way scores only the batches it trained on', () => {
  const { train } = blobsData();
  const model = classifier(9);
  const initial = predict(model, train.x);
  // stop after the first batch of 40: its predictions were made by the initial weights, on rows 0..39
  const stopper: Callback = { onBatchEnd: (_b, _l, ctx) => void (ctx.stopTraining = true) };
  const h = fit(model, { x: train.x, y: train.y, loss: crossEntropy, metrics: ['accuracy'], optimizer: new SGD(model.parameters(), { lr: 0.1 }), epochs: 3, batchSize: 40, shuffle: false, callbacks: [stopper], progress: false });
  const first40 = (t: Tensor) => new Tensor(t.data.slice(0, 40 * (t.size / t.shape[0])), [40, ...t.shape.slice(1)]);
  assert.equal(h.metrics.accuracy, [accuracy(first40(train.y), first40(initial))]);
});

inFit('with bceWithLogits, one logit per example is cut at 0', () => {
  const blobs = makeBlobs({ nSamples: 60, centers: 2, seed: 4 });
  const y = new Tensor(blobs.y.data, [60, 1]);
  manualSeed(3);
  const model = new Sequential(new Linear(2, 1));
  const h = fit(model, { x: blobs.x, y, loss: bceWithLogits, metrics: ['accuracy'], validationData: { x: blobs.x, y }, optimizer: new Adam(model.parameters(), { lr: 0.05 }), epochs: 3, progress: false });
  assert.is(h.valMetrics.accuracy[2], accuracy(y, predict(model, blobs.x), { threshold: 0 }));
});

inFit("callbacks monitor metrics: 'val_accuracy' reads as valAccuracy with mode max; ModelCheckpoint keeps the best", () => {
  const dir = mkdtempSync(join(tmpdir(), 'lrlab-metrics-'));
  try {
    const { train, valid } = blobsData();
    const model = classifier(5);
    const stop = new EarlyStopping({ monitor: 'val_accuracy', patience: 2 });
    const ckpt = new ModelCheckpoint({ path: join(dir, 'best-{epoch}.json'), monitor: 'val_accuracy', saveBestOnly: true });
    const plateau = new ReduceLROnPlateauCallback({ monitor: 'val_accuracy', patience: 0, factor: 0.5, minDelta: 0 });
    assert.is(stop.monitor, 'valAccuracy');
    assert.is(stop.mode, 'max');
    assert.is(ckpt.mode, 'max');
    assert.is(new EarlyStopping({ monitor: 'val_mae' }).mode, 'min');
    assert.is(new EarlyStopping({ monitor: 'valR2' }).mode, 'max');
    const opt = new SGD(model.parameters(), { lr: 0.05 });
    const h = fit(model, { x: train.x, y: train.y, validationData: valid, loss: crossEntropy, metrics: ['accuracy'], optimizer: opt, epochs: 30, batchSize: 10, callbacks: [stop, ckpt, plateau], generator: new Generator(1), progress: false });
    const acc = h.valMetrics.accuracy;
    // the checkpoints are the epochs where the validation accuracy reached a new maximum
    const records = acc.flatMap((a, i) => (a > Math.max(-Infinity, ...acc.slice(0, i)) ? [`best-${i + 1}.json`] : []));
    assert.equal(ckpt.saved.map((p) => p.split('/').pop()), records);
    assert.is(stop.best, Math.max(...acc));
    if (h.epochsRun < 30) assert.match(h.stopReason!, /EarlyStopping: valAccuracy did not improve for 2 epoch\(s\)/);
    // ReduceLROnPlateau (patience 0, mode max) halves the lr after every epoch that sets no new maximum
    const newMax = (i: number) => acc[i] > Math.max(-Infinity, ...acc.slice(0, i));
    for (let i = 1; i < acc.length; i++) assertClose(h.lr[i], h.lr[i - 1] * (newMax(i - 1) ? 1 : 0.5), { rtol: 1e-12 }, `lr at epoch ${i + 1}`);
    assert.ok(acc.some((_, i) => i > 0 && !newMax(i)), `no epoch without a new maximum: ${acc}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

inFit('AdaptiveLR receives the monitored metric as its second signal, per epoch and per batch', () => {
  const { train, valid } = blobsData();
  const model = classifier(6);
  const opt = new Adam(model.parameters(), { lr: 1e-2 });
  const adaptive = new AdaptiveLR(opt, { window: 2 });
  const h = fit(model, { x: train.x, y: train.y, validationData: valid, loss: crossEntropy, metrics: ['accuracy', 'f1_macro'], scheduler: adaptive, optimizer: opt, epochs: 4, progress: false });
  assert.equal(adaptive.decisions.map((d) => d.metric), h.valMetrics.accuracy);
  assert.equal(adaptive.decisions.map((d) => d.loss), h.valLoss);
  // per batch: the batch's accuracy; a batch of all 100 examples without shuffling is the training accuracy
  const model2 = classifier(6);
  const opt2 = new Adam(model2.parameters(), { lr: 1e-2 });
  const perBatch = new AdaptiveLR(opt2, { window: 2 });
  const h2 = fit(model2, { x: train.x, y: train.y, loss: crossEntropy, metrics: ['accuracy'], scheduler: perBatch, schedulerInterval: 'batch', optimizer: opt2, epochs: 3, batchSize: 100, shuffle: false, progress: false });
  assert.equal(perBatch.decisions.map((d) => d.metric), h2.metrics.accuracy);
  // a metric that improves downwards (an error rate, by its name) needs metricMode 'min'
  function errorRate(t: Tensor, p: Tensor) {
    return 1 - accuracy(t, p);
  }
  const model3 = classifier(6);
  const opt3 = new Adam(model3.parameters());
  assert.throws(() => fit(model3, { x: train.x, y: train.y, loss: crossEntropy, metrics: [errorRate], scheduler: new AdaptiveLR(opt3), optimizer: opt3, epochs: 1, progress: false }), /fit: expected AdaptiveLR's metricMode to match errorRate, which improves when it goes down; got metricMode 'max' \(construct AdaptiveLR with metricMode: 'min'\)/);
  const minMode = new AdaptiveLR(opt3, { metricMode: 'min' });
  const h3 = fit(model3, { x: train.x, y: train.y, loss: crossEntropy, metrics: ['accuracy', errorRate], schedulerMetric: 'errorRate', scheduler: minMode, optimizer: opt3, epochs: 2, progress: false });
  assert.equal(minMode.decisions.map((d) => d.metric), h3.metrics.errorRate);
});

inFit('after the first epoch, a step with metrics and a per-batch AdaptiveLR creates no Float32Array', () => {
  const Original = globalThis.Float32Array;
  let created = 0, inStep = false, steps = 0;
  const counter = new Proxy(Original, { construct(target, args) { if (inStep) created++; return Reflect.construct(target, args); } });
  let epochNow = 0;
  const probe: Callback = {
    onEpochBegin: (e) => void (epochNow = e),
    onBatchBegin: () => { if (epochNow >= 1) { inStep = true; steps++; globalThis.Float32Array = counter; } },
    onBatchEnd: () => { inStep = false; globalThis.Float32Array = Original; },
  };
  const { train } = blobsData();
  const model = classifier(7);
  const opt = new Adam(model.parameters(), { lr: 1e-2 });
  try {
    fit(model, { x: train.x, y: train.y, loss: crossEntropy, metrics: ['accuracy', 'f1_macro'], scheduler: new AdaptiveLR(opt), schedulerInterval: 'batch', optimizer: opt, epochs: 3, batchSize: 32, callbacks: [probe], progress: false });
  } finally {
    globalThis.Float32Array = Original;
  }
  assert.is(steps, 8);
  assert.is(created, 0, `${created} new Float32Array(...) calls in ${steps} steps`);
});

inFit('bad metrics options are named before any training', () => {
  const { train } = blobsData();
  const model = classifier(8);
  const before = model.parameters().map((p) => Array.from(p.data));
  const opt = new Adam(model.parameters());
  const base = { x: train.x, y: train.y, loss: crossEntropy, optimizer: opt, epochs: 1, progress: false };
  assert.throws(() => fit(model, { ...base, metrics: ['acuracy'] }), new RegExp(`fit: expected a metric among ${METRIC_NAMES.join(', ')}, got "acuracy"`));
  assert.throws(() => fit(model, { ...base, metrics: [(t: Tensor, p: Tensor) => t.size + p.size] }), /fit: expected a named metric function \(its name is its log key\), got an anonymous function/);
  assert.throws(() => fit(model, { ...base, metrics: ['accuracy', accuracy] }), /fit: expected each metric once, got "accuracy" twice/);
  assert.throws(() => fit(model, { ...base, metrics: 'accuracy' as any }), (e: Error) => e instanceof TypeError && /fit: expected metrics to be an array, got string/.test(e.message));
  assert.throws(() => fit(model, { ...base, metrics: ['accuracy'], schedulerMetric: 'valAccuracy', scheduler: new AdaptiveLR(opt) }), /fit: expected schedulerMetric among the metric logs \(accuracy\), got "valAccuracy"/);
  // metrics that cannot apply fail before the first step: binary f1 on 3 classes, mae on class scores
  assert.throws(() => fit(model, { ...base, metrics: ['f1'] }), /fit: expected metric 'f1' to apply to the model's outputs \[64,3\] and targets \[100\], got: f1: expected binary labels/);
  assert.throws(() => fit(model, { ...base, metrics: ['mae'] }), /fit: expected metric 'mae' to apply to the model's outputs \[64,3\] and targets \[100\], got: mae: expected yTrue and yPred of the same shape, got \[64\] and \[64,3\]/);
  assert.throws(() => evaluate(model, train.x, train.y, { loss: crossEntropy, metrics: [42 as any] }), (e: Error) => e instanceof TypeError && /evaluate: expected a metric name or function, got number/.test(e.message));
  assert.equal(model.parameters().map((p) => Array.from(p.data)), before);
});

inFit.run();
