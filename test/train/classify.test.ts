// Classification measures: accuracy, top-k accuracy, the confusion matrix, batched prediction.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { tensor, randn, manualSeed, Sequential, Linear, Dropout, BatchNorm1d, predict, accuracy, topKAccuracy, confusionMatrix, argmax, evaluateClassifier, crossEntropy, noGrad } from '../../src/index.js';
import { assertClose } from '../helpers/assert.js';

// three examples, four classes; the target's rank in each row: 1st, 3rd, 2nd
const logits = tensor([[5, 1, 0, 2], [0.5, 3, 1, 2], [1, 4, 3, 0]]);
const targets = [0, 2, 2];

const measures = suite('accuracy, top-k accuracy and the confusion matrix');
measures('accuracy (the metrics\' one) counts rows whose largest logit is the target; top-k rows whose target ranks within k', () => {
  assert.is(accuracy(targets, logits), 1 / 3);
  assert.is(topKAccuracy(targets, logits, 2), 2 / 3);
  assert.is(topKAccuracy(tensor(targets), logits, 3), 1);
  assert.is(topKAccuracy(targets, logits, 4), 1);
});
measures('a tie ranks the lower class index first, as torch.topk does', () => {
  const tied = tensor([[1, 2, 2, 0]]);
  assert.is(topKAccuracy([1], tied, 1), 1);
  assert.is(topKAccuracy([2], tied, 1), 0);
  assert.is(topKAccuracy([2], tied, 2), 1);
  assert.equal([...argmax(tied)], [1]);
});
measures('the confusion matrix has true classes as rows and predictions as columns', () => {
  const m = confusionMatrix(targets, logits);
  assert.equal(m, [[1, 0, 0, 0], [0, 0, 0, 0], [0, 2, 0, 0], [0, 0, 0, 0]]);
  assert.equal(confusionMatrix([0, 1, 0], [0, 1, 1], 2), [[1, 1], [0, 1]]);
  const total = m.flat().reduce((a, b) => a + b, 0);
  assert.is(total, 3);
});
measures('bad input: shapes, class indices out of range, k, kinds', () => {
  assert.throws(() => topKAccuracy([0], tensor([1, 2])), /topKAccuracy: expected logits \[n, classes\], got \[2\]/);
  assert.throws(() => topKAccuracy([0, 1], logits), /topKAccuracy: expected 3 class indices \(one per row of the logits\), got 2/);
  assert.throws(() => topKAccuracy([0, 4, 1], logits), /expected class indices in \[0, 4\), got 4 at index 1/);
  assert.throws(() => topKAccuracy([0, 1.5, 1], logits), /got 1.5 at index 1/);
  assert.throws(() => topKAccuracy(targets, logits, 5), /expected k to be an integer in \[1, 4\], got 5/);
  assert.throws(() => topKAccuracy(targets, logits, NaN), /got NaN/);
  assert.throws(() => confusionMatrix([0], [0, 1], 2), /expected as many targets as predictions, got 1 and 2/);
  assert.throws(() => confusionMatrix([0, 1], [0, 3], 2), /expected predictions in \[0, 2\), got 3 at index 1/);
  assert.throws(() => confusionMatrix([0, 1], [0, 1]), /expected numClasses to be a positive integer/);
  assert.throws(() => topKAccuracy('abc' as never, logits), /expected class indices \(Tensor or array\), got string/);
});

const batched = suite('predict and evaluateClassifier run in batches, in eval mode');
batched('batches of any size give the outputs of one big forward pass, and the model\'s mode comes back', () => {
  manualSeed(4);
  const model = new Sequential(new Linear(6, 8), new BatchNorm1d(8), new Dropout(0.5), new Linear(8, 3));
  noGrad(() => model.forward(randn([16, 6]))); // running statistics away from their start
  const x = randn([23, 6]);
  model.eval();
  const whole = noGrad(() => model.forward(x)).data.slice();
  model.train();
  for (const batchSize of [1, 5, 23, 100]) assertClose(predict(model, x, { batchSize }), whole, { atol: 1e-6 }, `batchSize ${batchSize}`);
  assert.ok(model.training, 'train mode restored');
  assert.is(model.layers[1].training, true);
});
batched('evaluateClassifier gives the loss, accuracy, top-k and confusion matrix of the same logits', () => {
  manualSeed(5);
  const model = new Sequential(new Linear(4, 5));
  const x = randn([30, 4]);
  const y = tensor(Array.from({ length: 30 }, (_, i) => i % 5));
  const r = evaluateClassifier(model, x, y, { batchSize: 7, k: 2 });
  const logitsAll = predict(model, x);
  assertClose(r.loss, noGrad(() => crossEntropy(logitsAll, y).item()), { rtol: 1e-6 }, 'loss');
  assert.is(r.accuracy, accuracy(y, logitsAll));
  assert.is(r.topKAccuracy, topKAccuracy(y, logitsAll, 2));
  assert.is(r.k, 2);
  assert.is(r.confusion.flat().reduce((a, b) => a + b, 0), 30);
  assert.is(r.confusion.reduce((s, row, i) => s + row[i], 0) / 30, r.accuracy);
});
batched('bad input: empty data and bad batch sizes', () => {
  const model = new Sequential(new Linear(2, 2));
  assert.throws(() => predict(model, randn([0, 2])), /predict: expected x \[n, \.\.\.\] with n >= 1 and rank >= 2, got \[0,2\]/);
  assert.throws(() => predict(model, randn([3, 2]), { batchSize: 0 }), /predict: expected batchSize to be a positive integer, got 0/);
});

measures.run();
batched.run();

const training = suite('fit on images with class indices');
training('fit takes [n, C, H, W] inputs and [n] class targets with crossEntropy, and the loss falls', async () => {
  const { Conv2d, Flatten, ReLU: R, Adam, fit, Generator: G, Tensor: T, batches } = await import('../../src/index.js');
  manualSeed(6);
  const g = new G(6);
  const n = 64, x = new Float32Array(n * 36), y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 2;
    for (let p = 0; p < 36; p++) x[i * 36 + p] = g.normal(0, 0.5) + (y[i] === 1 && p < 18 ? 1 : 0); // class 1: a bright top half
  }
  const data = { x: new T(x, [n, 1, 6, 6]), y: new T(y, [n]) };
  const first = [...batches(data, { batchSize: 16, shuffle: false })][0];
  assert.equal([...first.x.shape], [16, 1, 6, 6]);
  assert.equal([...first.y.shape], [16]);
  const model = new Sequential(new Conv2d(1, 2, 3), new R(), new Flatten(), new Linear(32, 2));
  const h = fit(model, { ...data, optimizer: new Adam(model.parameters(), { lr: 1e-2 }), epochs: 8, batchSize: 16, loss: crossEntropy, progress: false, generator: new G(1) });
  assert.ok(h.loss[7] < h.loss[0] / 2, `loss ${h.loss[0]} -> ${h.loss[7]}`);
  assert.ok(accuracy(data.y, predict(model, data.x)) > 0.9);
});
training.run();
