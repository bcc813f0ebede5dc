import { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { defaultGenerator, type Generator } from '../tensor/random.js';
import { reshape, transpose } from '../autograd/ops/view.js';
import { max } from '../autograd/ops/reduce.js';
import { Module } from '../nn/module.js';
import { checkOptionsObject } from '../format/check.js';
import { Sequential, Linear, ReLU } from '../nn/layers.js';
import { Conv2d, MaxPool2d, Flatten } from '../nn/conv.js';
import { LSTM } from '../nn/recurrent.js';
import { Embedding } from '../nn/embedding.js';
import { resnet18, smallResnet } from '../nn/resnet.js';
import { loadFashionMnist } from '../data/idx.js';
import { loadMnist } from '../data/mnist.js';
import { loadCifar10 } from '../data/cifar10.js';
import { loadImdb, encodeImdb } from '../data/imdb.js';
import type { AugmentOptions } from '../data/augment.js';

/**
 * The small CNN of the image-schedule experiment (a "simple CNN" for MNIST-sized images, sized to train on a CPU):
 * conv 3x3 (1→16, padding 1), ReLU, max-pool 2, conv 3x3 (16→32, padding 1), ReLU, max-pool 2, flatten,
 * linear 1568→128, ReLU, linear 128→10. About 206k parameters.
 */
export function fashionMnistCnn(): Sequential {
  return new Sequential(
    new Conv2d(1, 16, 3, { padding: 1 }), new ReLU(), new MaxPool2d(2),
    new Conv2d(16, 32, 3, { padding: 1 }), new ReLU(), new MaxPool2d(2),
    new Flatten(), new Linear(32 * 7 * 7, 128), new ReLU(), new Linear(128, 10),
  );
}

/** Options of `BiLSTMClassifier`. */
export interface BiLSTMClassifierOptions {
  /** Features per step (ignored with `embedding`). */
  inputSize?: number;
  /** Hidden units per direction. Default 64. */
  hiddenSize?: number;
  numClasses: number;
  /** Look token indices up in an `Embedding(num, dim, { paddingIdx })` first. */
  embedding?: { num: number; dim: number; paddingIdx?: number };
  /**
   * How the sequence becomes one vector: 'last' (default), the final hidden state of each direction (each has read
   * the whole sequence); 'max', the maximum over time of the outputs (Conneau et al., 2017), which padding at the
   * end of a text leaves alone.
   */
  pool?: 'last' | 'max';
  generator?: Generator;
}

/**
 * A bidirectional LSTM classifier: optionally an `Embedding`, a one-layer batch-first `LSTM` with
 * `bidirectional: true`, the two directions pooled into [batch, 2 * hidden], and a `Linear` head. Takes
 * [batch, steps, features] (a [batch, 1, rows, cols] image is read row by row as rows steps of cols features) or,
 * with an embedding, token indices [batch, steps]. Parameter names: `embedding.weight`, `lstm.weight_ih_l0`, ...,
 * `lstm.weight_ih_l0_reverse`, ..., `head.weight`, `head.bias`.
 */
export class BiLSTMClassifier extends Module {
  readonly embedding: Embedding | null;
  readonly lstm: LSTM;
  readonly head: Linear;
  readonly pool: 'last' | 'max';

  constructor(options: BiLSTMClassifierOptions) {
    super();
    const o = checkOptionsObject<BiLSTMClassifierOptions>('BiLSTMClassifier', options, ['inputSize', 'hiddenSize', 'numClasses', 'embedding', 'pool', 'generator']);
    const { hiddenSize = 64, numClasses, pool = 'last', generator = defaultGenerator } = o;
    if (!Number.isInteger(numClasses) || numClasses < 2) throw new RangeError(`BiLSTMClassifier: expected numClasses to be an integer >= 2, got ${numClasses}`);
    if (pool !== 'last' && pool !== 'max') throw new RangeError(`BiLSTMClassifier: expected pool 'last' or 'max', got '${pool}'`);
    this.pool = pool;
    const e = o.embedding;
    this.embedding = e === undefined ? null : this.registerModule('embedding', new Embedding(e.num, e.dim, { paddingIdx: e.paddingIdx, generator }));
    const inputSize = e === undefined ? o.inputSize : e.dim;
    if (!Number.isInteger(inputSize) || (inputSize as number) < 1) throw new RangeError(`BiLSTMClassifier: expected inputSize to be a positive integer (or an embedding), got ${inputSize}`);
    this.lstm = this.registerModule('lstm', new LSTM(inputSize as number, hiddenSize, { batchFirst: true, bidirectional: true, generator }));
    this.head = this.registerModule('head', new Linear(2 * hiddenSize, numClasses, { generator }));
  }

  forward(x: Tensor): Tensor {
    let seq = x;
    if (this.embedding !== null) {
      if (x.ndim !== 2) throw new RangeError(`BiLSTMClassifier.forward: expected token indices [batch, steps], got ${formatShape(x.shape)}`);
      seq = this.embedding.forward(x);
    } else if (x.ndim === 4 && x.shape[1] === 1) {
      seq = reshape(x, [x.shape[0], x.shape[2], x.shape[3]]);
    }
    const [output, [h]] = this.lstm.forward(seq);
    // h: [2, batch, hidden], the forward direction's state after the last step and the backward one's after the first
    const pooled = this.pool === 'max' ? max(output, 1) : reshape(transpose(h, 0, 1), [seq.shape[0], 2 * this.lstm.hiddenSize]);
    return this.head.forward(pooled);
  }
}

/** The data of a classification task: inputs and class indices for training, validation and test. */
export interface TaskData {
  train: { x: Tensor; y: Tensor };
  valid: { x: Tensor; y: Tensor } | null;
  test: { x: Tensor; y: Tensor };
  classes: readonly string[];
}

/** What a task's loader is given. */
export interface TaskLoadOptions {
  /** The data folder (`--data`); required where the data is not installed. */
  dir?: string;
  trainSize?: number;
  validationSize: number;
  testSize?: number;
  /** Draws the subsets and the split (the same for every seed of a comparison). */
  generator: Generator;
}

/** The tasks `lrlab compare-schedules --task` knows. */
export type ScheduleTaskName = 'fashion-mnist' | 'mnist' | 'cifar10' | 'fashion-mnist-resnet' | 'sequence' | 'imdb';

/** A task: its data, its model, its defaults, and the augmentation of its training images. */
export interface ScheduleTask {
  name: ScheduleTaskName;
  /** The data in words. */
  data: string;
  /** The model in words. */
  model: string;
  /** True when `dir` must be given (the data is not installed here). */
  needsDir: boolean;
  /** Examples held out of the training set for validation, by default. */
  validationSize: number;
  /** Augmentation of the training inputs, redrawn every epoch; null for none. */
  augment: Omit<AugmentOptions, 'generator' | 'out'> | null;
  load(options: TaskLoadOptions): TaskData;
  /** A fresh model, initialized from the global generator (seeded by the caller). */
  build(): Module;
}

const IMDB_VOCAB = 20000, IMDB_LENGTH = 200;

/** The tasks, by name: the adaptive-schedule experiment's three (MNIST, CIFAR-10, IMDB) and three on Fashion-MNIST. */
export const SCHEDULE_TASKS: Readonly<Record<ScheduleTaskName, ScheduleTask>> = {
  'fashion-mnist': {
    name: 'fashion-mnist', data: 'Fashion-MNIST', model: 'a small CNN (conv 16 and 32 channels, max-pooling, a 128-unit layer)', needsDir: false, validationSize: 6000, augment: null,
    load: (o) => loadFashionMnist(o.dir, { trainSize: o.trainSize, validationSize: o.validationSize, testSize: o.testSize, generator: o.generator }),
    build: fashionMnistCnn,
  },
  mnist: {
    name: 'mnist', data: 'MNIST', model: 'a small CNN (conv 16 and 32 channels, max-pooling, a 128-unit layer)', needsDir: true, validationSize: 6000, augment: null,
    load: (o) => loadMnist(o.dir as string, { trainSize: o.trainSize, validationSize: o.validationSize, testSize: o.testSize, generator: o.generator }),
    build: fashionMnistCnn,
  },
  cifar10: {
    name: 'cifar10', data: 'CIFAR-10', model: 'ResNet-18 with the CIFAR stem (3x3 stride-1 conv1, no max pool)', needsDir: true, validationSize: 5000,
    augment: { padding: 4, flip: 0.5 },
    load: (o) => loadCifar10(o.dir as string, { trainSize: o.trainSize, validationSize: o.validationSize, testSize: o.testSize, generator: o.generator }),
    build: () => resnet18({ numClasses: 10, stem: 'cifar' }),
  },
  'fashion-mnist-resnet': {
    name: 'fashion-mnist-resnet', data: 'Fashion-MNIST', model: 'a small ResNet (three stages of one BasicBlock, 16, 32 and 64 channels)', needsDir: false, validationSize: 6000, augment: null,
    load: (o) => loadFashionMnist(o.dir, { trainSize: o.trainSize, validationSize: o.validationSize, testSize: o.testSize, generator: o.generator }),
    build: () => smallResnet({ numClasses: 10, inChannels: 1 }),
  },
  sequence: {
    name: 'sequence', data: 'Fashion-MNIST read row by row (28 steps of 28 pixels)', model: 'a bidirectional LSTM (64 units each way, final states of both directions, a linear head)', needsDir: false, validationSize: 6000, augment: null,
    load: (o) => loadFashionMnist(o.dir, { trainSize: o.trainSize, validationSize: o.validationSize, testSize: o.testSize, generator: o.generator }),
    build: () => new BiLSTMClassifier({ inputSize: 28, hiddenSize: 64, numClasses: 10 }),
  },
  imdb: {
    name: 'imdb', data: `IMDB reviews (basic_english tokens, the ${IMDB_VOCAB} most frequent, ${IMDB_LENGTH} per review)`, model: 'Embedding (64) and a bidirectional LSTM (64 units each way, max over time, a linear head)', needsDir: true, validationSize: 2500, augment: null,
    load: (o) => {
      const imdb = loadImdb(o.dir as string, { trainSize: o.trainSize === undefined ? undefined : o.trainSize + o.validationSize, testSize: o.testSize, generator: o.generator });
      return encodeImdb(imdb, { vocabSize: IMDB_VOCAB, maxLength: IMDB_LENGTH, validationSize: o.validationSize });
    },
    build: () => new BiLSTMClassifier({ embedding: { num: IMDB_VOCAB, dim: 64, paddingIdx: 0 }, hiddenSize: 64, numClasses: 2, pool: 'max' }),
  },
};

/** The task names, in the order `--help` lists them. */
export const SCHEDULE_TASK_NAMES = Object.keys(SCHEDULE_TASKS) as ScheduleTaskName[];
