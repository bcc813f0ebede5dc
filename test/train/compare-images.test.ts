// The image schedule comparison on a miniature data set of random 28x28 images (the real run needs Fashion-MNIST
// and minutes; its figures are in the README): structure, determinism, the schedules' lr profiles, the adaptive
// rule's log, the report and its charts, and bad options.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareImageSchedules, writeScheduleReport, fashionMnistCnn, Generator, Tensor, compareSchedules, type FashionMnist } from '../../src/index.js';

function miniature(n: number, seed: number) {
  const g = new Generator(seed);
  const x = new Float32Array(n * 784), y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 10;
    // a class-dependent bright patch, so there is something to learn
    for (let p = 0; p < 784; p++) x[i * 784 + p] = g.normal(0, 0.3) + (Math.floor(p / 78.4) === y[i] ? 1 : 0);
  }
  return { x: new Tensor(x, [n, 1, 28, 28]), y: new Tensor(y, [n]) };
}
const data: FashionMnist = { train: miniature(48, 1), valid: miniature(20, 2), test: miniature(20, 3), classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], mean: 0, std: 1, dir: 'memory' };
const tmp = mkdtempSync(join(tmpdir(), 'lrlab-cmp-'));

const cmp = suite('compareImageSchedules on a miniature data set');
const result = compareImageSchedules({ data, epochs: 2, batchSize: 8, schedules: ['constant', 'step', 'exponential', 'adaptive', 'onecycle', 'cosine-restarts'], target: 0.2 });
cmp('every schedule reports per-epoch loss, accuracy and lr, and the lr profile of every batch', () => {
  assert.equal(result.runs.map((r) => r.name), ['constant', 'step', 'exponential', 'adaptive', 'onecycle', 'cosine-restarts']);
  for (const r of result.runs) {
    for (const series of [r.trainLoss, r.valLoss, r.valAccuracy, r.testAccuracy, r.testTop5, r.lr, r.epochSeconds]) assert.is(series.length, 2, r.name);
    assert.is(r.batchLr.length, 12, `${r.name}: 6 batches x 2 epochs`);
    assert.ok(r.testAccuracy.every((a) => a >= 0 && a <= 1));
    assert.ok(r.testTop5.every((a, e) => a >= r.testAccuracy[e]), 'top-5 is at least top-1');
    assert.is(r.bestTestAccuracy, Math.max(...r.testAccuracy));
    assert.is(r.confusion.flat().reduce((a, b) => a + b, 0), 20);
    if (r.epochsToTarget !== null) assert.ok(r.testAccuracy[r.epochsToTarget - 1] >= 0.2 && r.secondsToTarget! > 0);
  }
  assert.is(result.settings.trainSize, 48);
});
cmp('the schedules shape the lr as documented: constant stays, step cuts x0.1 after a fifth, exponential decays smoothly', () => {
  const lr = Object.fromEntries(result.runs.map((r) => [r.name, r.batchLr]));
  assert.ok(lr.constant.every((v) => v === 1e-3));
  // 12 batches, a fifth is 2: 1e-3 for two batches, then 1e-4, ...
  assert.ok(Math.abs(lr.step[0] - 1e-3) < 1e-12 && Math.abs(lr.step[2] - 1e-4) < 1e-12 && Math.abs(lr.step[4] - 1e-5) < 1e-13);
  for (let i = 1; i < 12; i++) assert.ok(lr.exponential[i] < lr.exponential[i - 1]);
  assert.ok(Math.abs(lr.exponential[11] / 1e-3 - 0.96 ** ((11 * 50 * 938) / (10000 * 12))) < 1e-9, 'x0.96 per scaled decay step');
  assert.ok(Math.max(...lr.onecycle) > 2.9e-3, 'OneCycle rises to 3x the base lr');
  assert.ok(lr['cosine-restarts'][6] === 1e-3 && lr['cosine-restarts'][5] < 1e-3, 'restarts at each epoch');
});
cmp('AdaptiveLR receives loss and validation accuracy at every check and logs each decision', () => {
  const adaptive = result.runs.find((r) => r.name === 'adaptive')!;
  // about four checks per epoch in whole batches: 6 batches, a check every 2 (round(6 / 4)), so 3 per epoch
  assert.is(result.settings.adaptiveEvery, 2);
  assert.ok(adaptive.decisions !== null && adaptive.decisions.length === 6, 'three checks per epoch, two epochs');
  for (const d of adaptive.decisions!) {
    assert.ok(d.metric !== null && d.metric >= 0 && d.metric <= 1, 'validation accuracy is the second signal');
    assert.ok(['increase', 'decrease', 'hold'].includes(d.action) && d.reason.length > 0);
  }
  assert.is(result.runs.find((r) => r.name === 'constant')!.decisions, null);
});
cmp('the same seed gives the same run; every run starts from the same initialization', () => {
  const again = compareImageSchedules({ data, epochs: 1, batchSize: 8, schedules: ['constant', 'step'] });
  const first = compareImageSchedules({ data, epochs: 1, batchSize: 8, schedules: ['constant'] });
  assert.equal(again.runs[0].trainLoss, first.runs[0].trainLoss);
  // the step schedule's first fifth runs at the same lr as constant from the same weights and order
  assert.is(again.runs[0].batchLr[0], again.runs[1].batchLr[0]);
  assert.is(fashionMnistCnn().parameters().reduce((n, p) => n + p.size, 0), 16 * 9 + 16 + 32 * 144 + 32 + 1568 * 128 + 128 + 1290);
});
cmp('the report holds the accuracy, loss and lr charts, the tables and AdaptiveLR\'s decisions', async () => {
  const dir = join(tmp, 'images');
  const files = await writeScheduleReport(dir, result);
  assert.equal(files, ['accuracy.svg', 'loss.svg', 'lr.svg', 'results.json', 'report.md', 'report.html']);
  for (const f of ['accuracy.svg', 'loss.svg', 'lr.svg']) assert.match(readFileSync(join(dir, f), 'utf8'), /^<svg/);
  const md = readFileSync(join(dir, 'report.md'), 'utf8');
  assert.match(md, /\| schedule \| final test accuracy \| best \| test top-5 \| epochs to target \|/);
  assert.match(md, /## AdaptiveLR's decisions/);
  assert.match(md, /## Confusion matrix of the best run/);
  assert.equal(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')).runs.length, 6);
});
cmp('the time-series comparison gets the same loss and lr charts', async () => {
  const rows = compareSchedules({ epochs: 1 });
  assert.ok(rows.every((r) => r.trainLoss.length === 1 && r.valLoss.length === 1));
  const dir = join(tmp, 'series');
  assert.equal(await writeScheduleReport(dir, rows), ['loss.svg', 'lr.svg', 'results.json', 'report.md', 'report.html']);
  assert.match(readFileSync(join(dir, 'report.md'), 'utf8'), /final val MSE/);
});
cmp('bad options are refused before any training', () => {
  assert.throws(() => compareImageSchedules({ data, epochs: 0 }), /compareImageSchedules: expected epochs to be a positive integer, got 0/);
  assert.throws(() => compareImageSchedules({ data, schedules: ['cosine' as never] }), /expected schedules among constant, step, exponential, adaptive, onecycle, cosine-restarts, got 'cosine'/);
  assert.throws(() => compareImageSchedules({ data, lr: NaN }), /expected lr > 0, got NaN/);
  assert.throws(() => compareImageSchedules({ data, target: 1.5 }), /expected target in \(0, 1\], got 1.5/);
  assert.throws(() => compareImageSchedules({ data: { ...data, valid: null } }), /expected data with a validation set/);
  assert.throws(() => compareImageSchedules({ dir: join(tmp, 'nowhere') }), /dataset-fashion-mnist/);
  assert.throws(() => compareImageSchedules({ data, epoch: 2 } as never), /compareImageSchedules: expected options among .*, got unknown epoch/);
  assert.throws(() => compareImageSchedules(null as never), /expected an options object, got null/);
  assert.not.ok(existsSync(join(tmp, 'nowhere')));
});

cmp.run();
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
