// Every task of `compare-schedules --task` on a few batches: tiny subsets, one epoch. MNIST, CIFAR-10 and IMDB
// train on small folders written here in their official formats; the Fashion-MNIST tasks on Debian's copy
// (skipped, with the reason, where dataset-fashion-mnist is not installed).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  compareImageSchedules, SCHEDULE_TASKS, SCHEDULE_TASK_NAMES, BiLSTMClassifier, findFashionMnist, CIFAR10_FILES, CIFAR10_RECORD_BYTES,
  Generator, Tensor, manualSeed, type ImageComparison,
} from '../../src/index.js';
import { removeAtExit } from '../helpers/cleanup.js';

const tmp = mkdtempSync(join(tmpdir(), 'lrlab-tasks-'));
const g = new Generator(11);

function idx(shape: number[], values: ArrayLike<number>): Buffer {
  const head = Buffer.alloc(4 + 4 * shape.length);
  head[2] = 0x08;
  head[3] = shape.length;
  shape.forEach((s, i) => head.writeUInt32BE(s, 4 + 4 * i));
  return Buffer.concat([head, Buffer.from(Uint8Array.from(values))]);
}
const mnistDir = join(tmp, 'mnist');
mkdirSync(mnistDir);
for (const [prefix, n] of [['train', 40], ['t10k', 12]] as const) {
  const labels = Array.from({ length: n }, (_, i) => i % 10);
  writeFileSync(join(mnistDir, `${prefix}-images-idx3-ubyte`), idx([n, 28, 28], Array.from({ length: n * 784 }, () => g.randint(256))));
  writeFileSync(join(mnistDir, `${prefix}-labels-idx1-ubyte`), idx([n], labels));
}
const cifarDir = join(tmp, 'cifar');
mkdirSync(cifarDir);
CIFAR10_FILES.forEach((f, b) => {
  const buf = Buffer.alloc(4 * CIFAR10_RECORD_BYTES);
  for (let r = 0; r < 4; r++) {
    buf[r * CIFAR10_RECORD_BYTES] = (4 * b + r) % 10;
    for (let p = 1; p < CIFAR10_RECORD_BYTES; p++) buf[r * CIFAR10_RECORD_BYTES + p] = g.randint(256);
  }
  writeFileSync(join(cifarDir, f), buf);
});
const imdbDir = join(tmp, 'imdb');
for (const split of ['train', 'test']) {
  for (const label of ['pos', 'neg']) {
    mkdirSync(join(imdbDir, 'aclImdb', split, label), { recursive: true });
    for (let i = 0; i < 8; i++) writeFileSync(join(imdbDir, 'aclImdb', split, label, `${i}_${label === 'pos' ? 9 : 1}.txt`), label === 'pos' ? `A wonderful film ${i}, loved it.` : `A dreadful film ${i}; hated it.`);
  }
}

/** What every task's comparison must hold, whatever it learned in one epoch. */
function checkShape(r: ImageComparison, task: string, schedules: string[], classes: number): void {
  assert.is(r.task, task);
  assert.equal(r.runs.map((x) => x.name), schedules);
  for (const run of r.runs) {
    assert.is(run.trainLoss.length, 1);
    assert.ok(Number.isFinite(run.trainLoss[0]), `${task} ${run.name}: a finite loss`);
    assert.ok(run.testAccuracy[0] >= 0 && run.testAccuracy[0] <= 1);
    assert.is(run.confusion.length, classes);
    assert.is(run.confusion.flat().reduce((a, b) => a + b, 0), r.settings.testSize);
  }
  assert.is(r.summaries.length, schedules.length);
  assert.is(r.classes.length, classes);
}

const tasks = suite('every compare-schedules task trains on a few batches');
tasks('the task list is the issue\'s: fashion-mnist, mnist, cifar10, fashion-mnist-resnet, sequence, imdb', () => {
  assert.equal(SCHEDULE_TASK_NAMES, ['fashion-mnist', 'mnist', 'cifar10', 'fashion-mnist-resnet', 'sequence', 'imdb']);
  assert.equal(SCHEDULE_TASK_NAMES.filter((t) => SCHEDULE_TASKS[t].needsDir), ['mnist', 'cifar10', 'imdb']);
});
tasks('mnist: the small CNN on a folder of IDX files', () => {
  const r = compareImageSchedules({ task: 'mnist', dir: mnistDir, trainSize: 24, validationSize: 8, testSize: 12, epochs: 1, batchSize: 8, schedules: ['constant', 'step'] });
  checkShape(r, 'mnist', ['constant', 'step'], 10);
  assert.is(r.settings.trainSize, 24);
  assert.is(r.runs[0].batchLr.length, 3);
});
tasks('cifar10: ResNet-18 with the CIFAR stem on the binary batches, its training images augmented every epoch', () => {
  const r = compareImageSchedules({ task: 'cifar10', dir: cifarDir, trainSize: 8, validationSize: 4, testSize: 4, epochs: 1, batchSize: 4, schedules: ['constant'] });
  checkShape(r, 'cifar10', ['constant'], 10);
  assert.match(r.settings.augment!, /random crop with 4-pixel padding and horizontal flip/);
  assert.match(r.settings.model, /ResNet-18/);
});
tasks('cifar10: augmentation trains on a copy, leaving the data given unchanged', () => {
  const x = new Tensor(Float32Array.from({ length: 8 * 3072 }, () => g.normal()), [8, 3, 32, 32]);
  const small = (n: number) => ({ x: new Tensor(x.data.slice(0, n * 3072), [n, 3, 32, 32]), y: new Tensor(Float32Array.from({ length: n }, (_, i) => i % 10), [n]) });
  const data = { train: { x, y: new Tensor(Float32Array.from({ length: 8 }, (_, i) => i), [8]) }, valid: small(2), test: small(2), classes: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'] };
  const before = x.data.slice();
  compareImageSchedules({ task: 'cifar10', data, epochs: 1, batchSize: 4, schedules: ['constant'] });
  assert.equal([...x.data], [...before]);
});
tasks('imdb: Embedding and a bidirectional LSTM on a miniature aclImdb folder', () => {
  const r = compareImageSchedules({ task: 'imdb', dir: imdbDir, trainSize: 8, validationSize: 4, testSize: 6, epochs: 1, batchSize: 4, schedules: ['constant', 'exponential'] });
  checkShape(r, 'imdb', ['constant', 'exponential'], 2);
  assert.is(r.settings.topK, 2, 'top-k is cut to the two classes');
});
tasks('a task that needs its files says so before any work', () => {
  for (const task of ['mnist', 'cifar10', 'imdb'] as const) assert.throws(() => compareImageSchedules({ task }), new RegExp(`compareImageSchedules: expected dir \\(the .*\\) for task '${task}', got none`));
  assert.throws(() => compareImageSchedules({ task: 'cifar100' as never }), /expected task among fashion-mnist, mnist, cifar10, fashion-mnist-resnet, sequence, imdb, got 'cifar100'/);
  assert.throws(() => compareImageSchedules({ task: 'cifar10', dir: mnistDir }), /loadCifar10: expected the CIFAR-10 binary batches/);
});

const models = suite('BiLSTMClassifier');
models('reads an image row by row, or token indices through its embedding, and names its parameters as PyTorch', () => {
  manualSeed(1);
  const rows = new BiLSTMClassifier({ inputSize: 28, hiddenSize: 8, numClasses: 10 });
  assert.equal(rows.forward(new Tensor(new Float32Array(3 * 784), [3, 1, 28, 28])).shape, [3, 10]);
  const text = new BiLSTMClassifier({ embedding: { num: 50, dim: 6, paddingIdx: 0 }, hiddenSize: 4, numClasses: 2, pool: 'max' });
  assert.equal(text.forward(new Tensor(Float32Array.from([1, 2, 3, 0, 4, 5, 0, 0]), [2, 4])).shape, [2, 2]);
  assert.equal(Object.keys(text.stateDict()), ['embedding.weight', 'lstm.weight_ih_l0', 'lstm.weight_hh_l0', 'lstm.bias_ih_l0', 'lstm.bias_hh_l0', 'lstm.weight_ih_l0_reverse', 'lstm.weight_hh_l0_reverse', 'lstm.bias_ih_l0_reverse', 'lstm.bias_hh_l0_reverse', 'head.weight', 'head.bias']);
  assert.throws(() => text.forward(new Tensor(new Float32Array(8), [2, 2, 2])), /BiLSTMClassifier.forward: expected token indices \[batch, steps\], got \[2, ?2, ?2\]/);
  assert.throws(() => new BiLSTMClassifier({ numClasses: 2 }), /expected inputSize to be a positive integer \(or an embedding\), got undefined/);
  assert.throws(() => new BiLSTMClassifier({ inputSize: 3, numClasses: 2, pool: 'mean' as never }), /expected pool 'last' or 'max', got 'mean'/);
});
models('with pool \'last\' the two directions\' final states decide: the output depends on the first and the last step', () => {
  manualSeed(2);
  const m = new BiLSTMClassifier({ inputSize: 2, hiddenSize: 3, numClasses: 2 });
  const base = Float32Array.from({ length: 10 }, (_, i) => Math.sin(i));
  const out = (d: Float32Array) => [...m.forward(new Tensor(d, [1, 5, 2])).data];
  const first = base.slice(), last = base.slice();
  first[0] += 1;
  last[9] += 1;
  assert.not.equal(out(first), out(base));
  assert.not.equal(out(last), out(base));
});

const fashion = findFashionMnist() === null ? null : suite('the Fashion-MNIST tasks (Debian\'s dataset-fashion-mnist)');
if (fashion === null) {
  console.log('  skipped the fashion-mnist, fashion-mnist-resnet and sequence task tests: Debian\'s dataset-fashion-mnist is not installed');
} else {
  for (const [task, classes] of [['fashion-mnist', 10], ['fashion-mnist-resnet', 10], ['sequence', 10]] as const) {
    fashion(`${task}: ${SCHEDULE_TASKS[task].model}, one epoch of a few batches`, () => {
      const r = compareImageSchedules({ task, trainSize: 32, validationSize: 16, testSize: 16, epochs: 1, batchSize: 16, schedules: ['constant', 'adaptive'] });
      checkShape(r, task, ['constant', 'adaptive'], classes);
      assert.ok(r.runs[1].decisions !== null && r.runs[1].decisions.length > 0);
    });
  }
}

tasks.run();
models.run();
fashion?.run();
removeAtExit(tmp);
