// fit, evaluate and batches on inputs of any rank >= 2 and on class-index targets.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { availableBackends, backendLabel, withBackend } from '../helpers/backends.js';
import {
  fit, evaluate, batches, crossValidate, Module, Sequential, Linear, ReLU, Adam, SGD, Tensor, Generator, manualSeed,
  crossEntropy, mseLoss, reshape, mean, zeros, full, tensor, type Callback,
} from '../../src/index.js';

/** Class indices [n] as one-hot rows [n, c]. */
function oneHot(y: Tensor, c: number): Tensor {
  const out = new Float32Array(y.size * c);
  for (let i = 0; i < y.size; i++) out[i * c + y.data[i]] = 1;
  return new Tensor(out, [y.size, c]);
}

/** [n, c, h, w] -> [n, c*h*w], what a CNN's head does before its Linear layers. */
class Flatten extends Module {
  forward(x: Tensor): Tensor {
    return reshape(x, [x.shape[0], -1]);
  }
}

/** [n, steps, features] -> [n, features]: the mean over time, standing in for a recurrent layer's summary. */
class MeanOverTime extends Module {
  forward(x: Tensor): Tensor {
    return mean(x, 1);
  }
}

/**
 * Images [n, 1, 4, 4] of 3 classes: class k lights up row k (value 1 plus noise), everything else is noise.
 * Labels are [n] class indices as floats, as crossEntropy takes them.
 */
function images(n: number, seed: number) {
  const g = new Generator(seed);
  const x = new Float32Array(n * 16), y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const k = g.randint(3);
    y[i] = k;
    for (let j = 0; j < 16; j++) x[i * 16 + j] = 0.3 * g.normal() + (Math.floor(j / 4) === k ? 1 : 0);
  }
  return { x: new Tensor(x, [n, 1, 4, 4]), y: new Tensor(y, [n]) };
}

/** Sequences [n, 5, 3] whose target [n, 1] is the sum of the time-averaged features. */
function sequences(n: number, seed: number) {
  const g = new Generator(seed);
  const x = new Float32Array(n * 15), y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < 15; j++) s += (x[i * 15 + j] = g.normal());
    y[i] = s / 5;
  }
  return { x: new Tensor(x, [n, 5, 3]), y: new Tensor(y, [n, 1]) };
}

const cnn = (seed: number) => {
  manualSeed(seed);
  return new Sequential(new Flatten(), new Linear(16, 8), new ReLU(), new Linear(8, 3));
};

const test = suite('fit on any rank');

test('batches keep the shape after the first dimension and visit every example once', () => {
  const { x, y } = images(10, 1);
  const seen: number[] = [];
  for (const b of batches({ x, y }, { batchSize: 4, generator: new Generator(3) })) {
    assert.equal(b.x.shape.slice(1), [1, 4, 4]);
    assert.is(b.y.ndim, 1);
    assert.is(b.x.shape[0], b.y.shape[0]);
    for (let r = 0; r < b.x.shape[0]; r++) {
      // find the source row by its first value: rows are copied whole, so the label must match too
      const src = Array.from({ length: 10 }, (_, i) => i).find((i) => x.data[i * 16] === b.x.data[r * 16] && x.data[i * 16 + 15] === b.x.data[r * 16 + 15])!;
      assert.equal(Array.from(b.x.data.subarray(r * 16, (r + 1) * 16)), Array.from(x.data.subarray(src * 16, (src + 1) * 16)));
      assert.is(b.y.data[r], y.data[src]);
      seen.push(src);
    }
  }
  assert.equal(seen.sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test('a CNN-shaped input [n, c, h, w] with class indices [n] trains under crossEntropy, deterministically', () => {
  const train = images(96, 2), valid = images(48, 3);
  const run = () => {
    const model = cnn(4);
    const h = fit(model, { x: train.x, y: train.y, validationData: valid, loss: crossEntropy, optimizer: new Adam(model.parameters(), { lr: 1e-2 }), epochs: 6, batchSize: 16, generator: new Generator(5), progress: false });
    return { h, model };
  };
  const a = run(), b = run();
  assert.equal(a.h.loss, b.h.loss);
  assert.ok(a.h.loss[5] < a.h.loss[0] / 2, JSON.stringify(a.h.loss));
  assert.is(evaluate(a.model, valid.x, valid.y, crossEntropy), a.h.valLoss[5]);
  // a chunked evaluation (chunks of 5 rows) gives the same mean up to float32 rounding
  const chunked = evaluate(a.model, valid.x, valid.y, crossEntropy, 5);
  assert.ok(Math.abs(chunked - a.h.valLoss[5]) < 1e-6, `${chunked} vs ${a.h.valLoss[5]}`);
});

test('a sequence input [n, steps, features] with float targets [n, 1] trains under mseLoss', () => {
  const { x, y } = sequences(64, 6);
  manualSeed(7);
  const model = new Sequential(new MeanOverTime(), new Linear(3, 1));
  const h = fit(model, { x, y, optimizer: new SGD(model.parameters(), { lr: 0.2 }), epochs: 20, batchSize: 8, generator: new Generator(1), progress: false });
  assert.ok(h.loss[19] < 1e-3 && h.loss[19] < h.loss[0] / 100, JSON.stringify(h.loss));
});

test('crossValidate takes the same shapes (images and class indices)', () => {
  const { x, y } = images(30, 8);
  const r = crossValidate({ makeModel: () => cnn(1), x, y, k: 3, epochs: 2, batchSize: 10, fitOptions: { loss: crossEntropy } });
  assert.is(r.foldLosses.length, 3);
  assert.ok(r.foldLosses.every((l) => Number.isFinite(l) && l > 0));
});

for (const backend of availableBackends().filter((b) => b !== 'gpu')) test(`after the first epoch, a training step creates no Float32Array (MLP under MSE, CNN under crossEntropy; ${backendLabel(backend)})`, () => withBackend(backend, () => {
  const Original = globalThis.Float32Array;
  const count = (run: (probe: Callback) => void) => {
    let created = 0, steps = 0, counting = false;
    const counter = new Proxy(Original, { construct(target, args) { if (counting) created++; return Reflect.construct(target, args); } });
    // counting covers every batch of epochs 2 and 3: zeroGrad, forward, loss, backward, step, the callbacks
    const probe: Callback = {
      onBatchBegin: () => { if (counting) steps++; },
      onEpochBegin: (epoch) => { counting = epoch >= 1; globalThis.Float32Array = counting ? counter : Original; },
      onBatchEnd: () => {},
      onTrainEnd: () => { counting = false; globalThis.Float32Array = Original; },
    };
    try {
      run(probe);
    } finally {
      globalThis.Float32Array = Original;
    }
    return { created, steps };
  };
  const { x, y } = images(40, 9);
  const c = count((probe) => {
    const model = cnn(2);
    fit(model, { x, y, loss: crossEntropy, optimizer: new Adam(model.parameters()), epochs: 3, batchSize: 16, callbacks: [probe], progress: false });
  });
  assert.ok(c.steps === 6, `counted ${c.steps} steps`);
  assert.is(c.created, 0, `${c.created} new Float32Array(...) calls in ${c.steps} steps`);
  const s = sequences(40, 10);
  const m = count((probe) => {
    manualSeed(3);
    const model = new Sequential(new Flatten(), new Linear(15, 8), new ReLU(), new Linear(8, 1));
    fit(model, { x: s.x, y: s.y, optimizer: new Adam(model.parameters()), epochs: 3, batchSize: 16, callbacks: [probe], progress: false });
  });
  assert.is(m.created, 0, `${m.created} new Float32Array(...) calls in ${m.steps} steps`);
}));

test('bad shapes name fit and both shapes; a failure leaves the weights as they were', () => {
  const model = cnn(1);
  const before = model.parameters().map((p) => Array.from(p.data));
  const opt = new Adam(model.parameters());
  const { x, y } = images(8, 1);
  assert.throws(() => fit(model, { x: zeros([8]), y, optimizer: opt, epochs: 1 }), /fit: expected training x \[n, features\] and y \[n, outputs\] with the same n, got \[8\] and \[8\] \(x may be \[n, \.\.\.\] of any rank >= 2/);
  assert.throws(() => fit(model, { x, y: zeros([7]), loss: crossEntropy, optimizer: opt, epochs: 1 }), /fit: expected training x .* got \[8,1,4,4\] and \[7\]/);
  assert.throws(() => fit(model, { x, y: zeros([8, 2, 2]), optimizer: opt, epochs: 1 }), /fit: expected training x .* got \[8,1,4,4\] and \[8,2,2\]/);
  assert.throws(() => fit(model, { x, y, optimizer: opt, epochs: 1 }), /fit: expected training y \[n, outputs\] for mseLoss \(class indices \[n\] need loss: crossEntropy\), got x \[8,1,4,4\] and y \[8\]/);
  assert.throws(() => fit(model, { x, y: full([8, 3], -1), loss: crossEntropy, optimizer: opt, epochs: 1 }), /fit: expected training y \[n, C\] of class probabilities \(>= 0\) for crossEntropy, got -1 at row 0/);
  assert.throws(() => fit(model, { x, y: tensor([0, 1, 2, 0.5, 0, 1, 2, 0]), loss: crossEntropy, optimizer: opt, epochs: 1 }), /fit: expected training y of non-negative integer class indices for crossEntropy, got 0.5 at row 3/);
  assert.throws(() => fit(model, { x, y, loss: crossEntropy, validationData: { x: zeros([4, 16]), y: zeros([3]) }, optimizer: opt, epochs: 1 }), /fit: expected validation x .* got \[4,16\] and \[3\]/);
  assert.throws(() => evaluate(model, x, zeros([5]), crossEntropy), /evaluate: expected x .* got \[8,1,4,4\] and \[5\]/);
  assert.equal(model.parameters().map((p) => Array.from(p.data)), before);
  // class indices [n, 1] and one-hot rows [n, C] train a classifier as class indices [n] do
  const three = images(8, 3);
  for (const target of [new Tensor(three.y.data, [8, 1]), oneHot(three.y, 3)]) {
    manualSeed(4);
    const m = cnn(3);
    const h = fit(m, { x: three.x, y: target, loss: crossEntropy, metrics: ['accuracy'], optimizer: new Adam(m.parameters()), epochs: 2, batchSize: 4, progress: false });
    assert.is(h.loss.length, 2);
    assert.ok(h.metrics.accuracy.every((a) => a >= 0 && a <= 1));
  }
  // mseLoss still takes [n, 1] against a model with one output
  const reg = sequences(8, 2);
  assert.ok(Number.isFinite(evaluate(new Sequential(new Flatten(), new Linear(15, 1)), reg.x, reg.y, mseLoss)));
});

test.run();
