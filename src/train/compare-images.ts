import type { Tensor } from '../tensor/tensor.js';
import { manualSeed, Generator } from '../tensor/random.js';
import { Sequential, Linear, ReLU } from '../nn/layers.js';
import { Conv2d, MaxPool2d, Flatten } from '../nn/conv.js';
import { crossEntropy } from '../nn/losses.js';
import { Adam } from '../optim/adam.js';
import { StepLR } from '../schedulers/decay.js';
import { ScheduleLR, ExponentialDecay } from '../schedulers/keras.js';
import { OneCycleLR } from '../schedulers/cyclic.js';
import { CosineAnnealingWarmRestarts } from '../schedulers/cosine.js';
import { AdaptiveLR, type AdaptiveDecision, type AdaptiveLROptions } from '../schedulers/adaptive.js';
import type { AnyOptimizer } from '../schedulers/scheduler.js';
import { loadFashionMnist, type FashionMnist } from '../data/idx.js';
import type { Callback, Logs, TrainingContext } from './callback.js';
import { evaluateClassifier } from './classify.js';
import { fit } from './fit.js';

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

/** The schedules the image comparison can run. */
export type ImageScheduleName = 'constant' | 'step' | 'exponential' | 'adaptive' | 'onecycle' | 'cosine-restarts';

/** What one schedule's run measured, per epoch and overall. */
export interface ImageScheduleRun {
  name: ImageScheduleName;
  /** How the schedule was set up, in words. */
  description: string;
  /** Per epoch: mean training loss, validation loss and accuracy, test accuracy and top-5 accuracy, lr at its start. */
  trainLoss: number[];
  valLoss: number[];
  valAccuracy: number[];
  testAccuracy: number[];
  testTop5: number[];
  lr: number[];
  /** The lr at every batch (the lr profile). */
  batchLr: number[];
  /** Training seconds of each epoch (evaluation excluded). */
  epochSeconds: number[];
  finalTestAccuracy: number;
  bestTestAccuracy: number;
  bestEpoch: number;
  /** Epochs and training seconds until the test accuracy first reached the target, or null. */
  epochsToTarget: number | null;
  secondsToTarget: number | null;
  /** The final model's test confusion matrix (rows: true class). */
  confusion: number[][];
  /** AdaptiveLR's logged decisions (adaptive run only). */
  decisions: AdaptiveDecision[] | null;
}

/** The whole image comparison: the settings and each run. */
export interface ImageComparison {
  task: 'fashion-mnist';
  settings: { epochs: number; batchSize: number; lr: number; seed: number; trainSize: number; validationSize: number; testSize: number; target: number; backend?: string; adaptiveEvery: number };
  classes: readonly string[];
  runs: ImageScheduleRun[];
}

/** Options of `compareImageSchedules`. */
export interface ImageComparisonOptions {
  /** Epochs per schedule (the budget). Default 3. */
  epochs?: number;
  /** Default 64. */
  batchSize?: number;
  /** Adam's initial lr. Default 1e-3. */
  lr?: number;
  /** Seed of initialization, shuffling and the data split. Default 42. */
  seed?: number;
  /** Training examples (after the validation split). Default all 54,000. */
  trainSize?: number;
  /** Examples held out of the training set for validation. Default 6,000. */
  validationSize?: number;
  /** Test examples. Default all 10,000. */
  testSize?: number;
  /** Test accuracy whose first crossing is timed. Default 0.89. */
  target?: number;
  /** Which schedules to run. Default constant, step, exponential, adaptive; add 'onecycle' and 'cosine-restarts'. */
  schedules?: ImageScheduleName[];
  /** AdaptiveLR observes the training loss and validation accuracy this many times per epoch. Default 4. */
  adaptiveChecksPerEpoch?: number;
  adaptive?: AdaptiveLROptions;
  /** Where the Fashion-MNIST files are (default: Debian's dataset-fashion-mnist), or the data already loaded. */
  dir?: string;
  data?: FashionMnist;
  /** Called after every epoch of every run (progress). */
  onEpoch?: (run: ImageScheduleName, epoch: number, logs: { trainLoss: number; valAccuracy: number; testAccuracy: number; lr: number }) => void;
}

/** The schedules `compareImageSchedules` runs unless told otherwise: constant, step, exponential and adaptive. */
export const DEFAULT_IMAGE_SCHEDULES: ImageScheduleName[] = ['constant', 'step', 'exponential', 'adaptive'];
const ALL_SCHEDULES: ImageScheduleName[] = [...DEFAULT_IMAGE_SCHEDULES, 'onecycle', 'cosine-restarts'];
const OPTION_NAMES = ['epochs', 'batchSize', 'lr', 'seed', 'trainSize', 'validationSize', 'testSize', 'target', 'schedules', 'adaptiveChecksPerEpoch', 'adaptive', 'dir', 'data', 'onEpoch'];

/**
 * Feeds AdaptiveLR `checks` times per epoch with the mean training loss since its last observation and the
 * validation accuracy (real-time feedback from both loss and accuracy). Evaluation time is recorded so the
 * run's training time can exclude it.
 */
class AdaptiveFeedback implements Callback {
  evalMs = 0;
  private sum = 0;
  private count = 0;
  constructor(private readonly scheduler: AdaptiveLR, private readonly every: number, private readonly valid: { x: Tensor; y: Tensor }) {}

  onBatchEnd(batch: number, logs: Logs, ctx: TrainingContext): void {
    this.sum += logs.loss;
    this.count++;
    if ((batch + 1) % this.every !== 0 && batch + 1 !== ctx.batchesPerEpoch) return;
    const started = performance.now();
    const { accuracy } = evaluateClassifier(ctx.model, this.valid.x, this.valid.y, { batchSize: 500 });
    this.scheduler.step(this.sum / this.count, accuracy);
    this.sum = this.count = 0;
    this.evalMs += performance.now() - started;
  }
}

/** Evaluates validation and test sets after every epoch. */
class EpochEvaluation implements Callback {
  readonly rows: { valLoss: number; valAccuracy: number; testAccuracy: number; testTop5: number; confusion: number[][] }[] = [];
  evalMs = 0;
  constructor(private readonly data: FashionMnist, private readonly onEpoch?: (epoch: number, logs: Logs) => void) {}

  onEpochEnd(epoch: number, logs: Logs, ctx: TrainingContext): void {
    const started = performance.now();
    const v = evaluateClassifier(ctx.model, this.data.valid!.x, this.data.valid!.y, { batchSize: 500 });
    const t = evaluateClassifier(ctx.model, this.data.test.x, this.data.test.y, { batchSize: 500, k: 5 });
    this.rows.push({ valLoss: v.loss, valAccuracy: v.accuracy, testAccuracy: t.accuracy, testTop5: t.topKAccuracy, confusion: t.confusion });
    this.evalMs += performance.now() - started;
    this.onEpoch?.(epoch, { ...logs, valAccuracy: v.accuracy, testAccuracy: t.accuracy });
  }
}

/**
 * The adaptive-schedule experiment on Fashion-MNIST: the same small CNN (`fashionMnistCnn`), seed and data split
 * trained with Adam (lr 1e-3, batch 64) under each schedule, for the same budget of epochs:
 *
 * - constant: lr 1e-3 throughout;
 * - step: ×0.1 after each fifth of the batches (×0.1 every 10 of 50 epochs, scaled to the budget);
 * - exponential: Keras's ExponentialDecay with rate 0.96, its decay steps scaled so the whole budget decays as
 *   much as 50 epochs of 938 steps with decay_steps 10,000 do (×0.826);
 * - adaptive: `AdaptiveLR` fed the mean training loss and the validation accuracy several times per epoch;
 * - optionally OneCycle (max lr 3e-3) and cosine annealing with warm restarts (a cycle per epoch).
 *
 * After every epoch it measures validation loss and accuracy and test accuracy (top-1 and top-5); time to the
 * target accuracy counts training time only.
 */
export function compareImageSchedules(options: ImageComparisonOptions = {}): ImageComparison {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`compareImageSchedules: expected an options object, got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}`);
  }
  const unknown = Object.keys(options).filter((k) => !OPTION_NAMES.includes(k));
  if (unknown.length > 0) throw new RangeError(`compareImageSchedules: expected options among ${OPTION_NAMES.join(', ')}, got unknown ${unknown.join(', ')}`);
  const { epochs = 3, batchSize = 64, lr = 1e-3, seed = 42, target = 0.89, adaptiveChecksPerEpoch = 4 } = options;
  const schedules = options.schedules ?? DEFAULT_IMAGE_SCHEDULES;
  if (!Number.isInteger(epochs) || epochs < 1) throw new RangeError(`compareImageSchedules: expected epochs to be a positive integer, got ${epochs}`);
  if (!(lr > 0) || !Number.isFinite(lr)) throw new RangeError(`compareImageSchedules: expected lr > 0, got ${lr}`);
  if (!(target > 0 && target <= 1)) throw new RangeError(`compareImageSchedules: expected target in (0, 1], got ${target}`);
  if (!Number.isInteger(adaptiveChecksPerEpoch) || adaptiveChecksPerEpoch < 1) throw new RangeError(`compareImageSchedules: expected adaptiveChecksPerEpoch to be a positive integer, got ${adaptiveChecksPerEpoch}`);
  for (const s of schedules) if (!ALL_SCHEDULES.includes(s)) throw new RangeError(`compareImageSchedules: expected schedules among ${ALL_SCHEDULES.join(', ')}, got '${s}'`);
  const data = options.data ?? loadFashionMnist(options.dir, {
    validationSize: options.validationSize ?? 6000, trainSize: options.trainSize, testSize: options.testSize, generator: new Generator(seed),
  });
  if (data.valid === null) throw new RangeError('compareImageSchedules: expected data with a validation set (validationSize > 0), got none');
  const n = data.train.x.shape[0];
  const perEpoch = Math.ceil(n / batchSize), total = perEpoch * epochs;
  const every = Math.max(1, Math.round(perEpoch / adaptiveChecksPerEpoch));
  // seed 003's plan: 50 epochs, batch 64, step decay x0.1 every 10 epochs, exponential 0.96 per 10,000 steps
  const seedSteps = 50 * Math.ceil(60000 / 64), decaySteps = (10000 * total) / seedSteps;

  const setups: Record<ImageScheduleName, [string, (o: AnyOptimizer) => { step(...a: any[]): unknown } | undefined]> = {
    constant: [`constant lr ${lr}`, () => undefined],
    step: [`x0.1 every ${Math.round(total / 5)} batches (a fifth of the budget)`, (o) => new StepLR(o, { stepSize: Math.max(1, Math.round(total / 5)), gamma: 0.1 })],
    exponential: [`x0.96 every ${Math.round(decaySteps)} batches (x0.826 over the budget)`, (o) => new ScheduleLR(o, { schedule: new ExponentialDecay({ initialLearningRate: lr, decaySteps, decayRate: 0.96 }) })],
    adaptive: [`AdaptiveLR on training loss and validation accuracy, ${adaptiveChecksPerEpoch} checks per epoch`, () => undefined],
    onecycle: [`OneCycle to max lr ${3 * lr}`, (o) => new OneCycleLR(o, { maxLr: 3 * lr, totalSteps: total + 1 })],
    'cosine-restarts': [`cosine from ${lr} to ${lr / 100}, restarting every epoch`, (o) => new CosineAnnealingWarmRestarts(o, { t0: perEpoch, etaMin: lr / 100 })],
  };

  const runs = schedules.map((name): ImageScheduleRun => {
    manualSeed(seed);
    const model = fashionMnistCnn();
    const optimizer = new Adam(model.parameters(), { lr });
    const [description, make] = setups[name];
    const evaluation = new EpochEvaluation(data, (e, logs) => options.onEpoch?.(name, e, { trainLoss: logs.loss, valAccuracy: logs.valAccuracy, testAccuracy: logs.testAccuracy, lr: logs.lr }));
    const callbacks: Callback[] = [evaluation];
    let adaptive: AdaptiveLR | null = null, feedback: AdaptiveFeedback | null = null;
    if (name === 'adaptive') {
      adaptive = new AdaptiveLR(optimizer as unknown as AnyOptimizer, { window: 1, increaseAfter: 2, plateauPatience: 3, cooldown: 1, ...options.adaptive });
      feedback = new AdaptiveFeedback(adaptive, every, data.valid!);
      callbacks.unshift(feedback);
    }
    const h = fit(model, {
      x: data.train.x, y: data.train.y, optimizer, epochs, batchSize, loss: (p, t) => crossEntropy(p, t),
      scheduler: make(optimizer as unknown as AnyOptimizer), schedulerInterval: 'batch',
      generator: new Generator(seed), callbacks, progress: false, recordBatches: true,
    });
    const rows = evaluation.rows;
    // fit's epoch time includes AdaptiveLR's validation checks (they run inside the epoch): take them out
    const checksPerEpoch = feedback === null ? 0 : feedback.evalMs / h.epochsRun;
    const epochSeconds = h.timeMs.map((ms) => (ms - checksPerEpoch) / 1000);
    const test = rows.map((r) => r.testAccuracy);
    const best = test.indexOf(Math.max(...test));
    const hit = test.findIndex((a) => a >= target);
    return {
      name, description,
      trainLoss: h.loss, valLoss: rows.map((r) => r.valLoss), valAccuracy: rows.map((r) => r.valAccuracy), testAccuracy: test,
      testTop5: rows.map((r) => r.testTop5), lr: h.lr, batchLr: h.batchLr, epochSeconds,
      finalTestAccuracy: test[test.length - 1], bestTestAccuracy: test[best], bestEpoch: best + 1,
      epochsToTarget: hit === -1 ? null : hit + 1,
      secondsToTarget: hit === -1 ? null : epochSeconds.slice(0, hit + 1).reduce((a, b) => a + b, 0),
      confusion: rows[rows.length - 1].confusion,
      decisions: adaptive === null ? null : adaptive.decisions,
    };
  });
  return {
    task: 'fashion-mnist',
    settings: { epochs, batchSize, lr, seed, trainSize: n, validationSize: data.valid.x.shape[0], testSize: data.test.x.shape[0], target, adaptiveEvery: every },
    classes: data.classes,
    runs,
  };
}
