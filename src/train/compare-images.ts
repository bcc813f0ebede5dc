import { Tensor } from '../tensor/tensor.js';
import { manualSeed, Generator } from '../tensor/random.js';
import { crossEntropy } from '../nn/losses.js';
import { Adam } from '../optim/adam.js';
import { StepLR } from '../schedulers/decay.js';
import { ScheduleLR, ExponentialDecay } from '../schedulers/keras.js';
import { OneCycleLR } from '../schedulers/cyclic.js';
import { CosineAnnealingWarmRestarts } from '../schedulers/cosine.js';
import { AdaptiveLR, type AdaptiveDecision, type AdaptiveLROptions } from '../schedulers/adaptive.js';
import type { AnyOptimizer } from '../schedulers/scheduler.js';
import { augmentImages } from '../data/augment.js';
import { summarize, timeTo, type ScheduleSummary } from './seed-summary.js';
import { SCHEDULE_TASKS, SCHEDULE_TASK_NAMES, type ScheduleTaskName, type TaskData } from './schedule-tasks.js';
import type { Callback, Logs, TrainingContext } from './callback.js';
import { evaluateClassifier } from './classify.js';
import { fit } from './fit.js';

export { fashionMnistCnn } from './schedule-tasks.js';
export type { ScheduleSummary, OverSeeds } from './seed-summary.js';

/** The schedules the image comparison can run. */
export type ImageScheduleName = 'constant' | 'step' | 'exponential' | 'adaptive' | 'onecycle' | 'cosine-restarts';

/** What one schedule's run from one seed measured, per epoch and overall. */
export interface ImageScheduleRun {
  name: ImageScheduleName;
  /** The seed of the run's initialization, shuffling and augmentation. */
  seed: number;
  /** How the schedule was set up, in words. */
  description: string;
  /** Per epoch: mean training loss, validation loss and accuracy, test accuracy and top-k accuracy, lr at its start. */
  trainLoss: number[];
  valLoss: number[];
  valAccuracy: number[];
  testAccuracy: number[];
  /** Test top-k accuracy per epoch, k = `settings.topK` (5, or the number of classes when fewer). */
  testTop5: number[];
  lr: number[];
  /** The lr at every batch (the lr profile). */
  batchLr: number[];
  /** Training seconds of each epoch (evaluation excluded). */
  epochSeconds: number[];
  finalTestAccuracy: number;
  bestTestAccuracy: number;
  bestEpoch: number;
  /** Epochs and training seconds until the test accuracy first reached `settings.target`, or null. */
  epochsToTarget: number | null;
  secondsToTarget: number | null;
  /** The final model's test confusion matrix (rows: true class). */
  confusion: number[][];
  /** AdaptiveLR's logged decisions (adaptive runs only). */
  decisions: AdaptiveDecision[] | null;
}

/** The whole comparison: the settings, each run (every schedule from every seed) and the summary per schedule. */
export interface ImageComparison {
  task: ScheduleTaskName;
  settings: {
    epochs: number; batchSize: number; lr: number; seed: number; seeds: number[]; trainSize: number; validationSize: number; testSize: number;
    /** The test accuracy timed: given, or `targetFraction` of the best any run reached. */
    target: number;
    /** The fraction of the best accuracy that set the target, or null when the target was given. */
    targetFraction: number | null;
    topK: number; backend?: string; adaptiveEvery: number;
    /** The data, the model and the augmentation in words. */
    data: string; model: string; augment: string | null;
  };
  classes: readonly string[];
  runs: ImageScheduleRun[];
  summaries: ScheduleSummary[];
}

/** Options of `compareImageSchedules`. */
export interface ImageComparisonOptions {
  /** The task: data and model (see `SCHEDULE_TASKS`). Default 'fashion-mnist'. */
  task?: ScheduleTaskName;
  /** Epochs per schedule (the budget). Default 3. */
  epochs?: number;
  /** Default 64. */
  batchSize?: number;
  /** Adam's initial lr. Default 1e-3. */
  lr?: number;
  /** The first seed, and the seed of the data split and subsets. Default 42. */
  seed?: number;
  /** Seeds per schedule: seed, seed + 1, ...; every schedule runs from the same K initializations. Default 1. */
  seeds?: number;
  /** Training examples (after the validation split). Default all. */
  trainSize?: number;
  /** Examples held out of the training set for validation. Default the task's (6,000 of Fashion-MNIST's 60,000). */
  validationSize?: number;
  /** Test examples. Default all. */
  testSize?: number;
  /** A test accuracy whose first crossing is timed. Default: `targetFraction` of the best any run reached. */
  target?: number;
  /** The target as a fraction of the best test accuracy any run reached, when `target` is not given. Default 0.98. */
  targetFraction?: number;
  /** Which schedules to run. Default constant, step, exponential, adaptive; add 'onecycle' and 'cosine-restarts'. */
  schedules?: ImageScheduleName[];
  /** AdaptiveLR observes the training loss and validation accuracy this many times per epoch. Default 4. */
  adaptiveChecksPerEpoch?: number;
  adaptive?: AdaptiveLROptions;
  /** Where the task's files are (Fashion-MNIST: default Debian's dataset-fashion-mnist), or the data already loaded. */
  dir?: string;
  data?: TaskData;
  /** Called after every epoch of every run (progress). */
  onEpoch?: (run: ImageScheduleName, epoch: number, logs: { trainLoss: number; valAccuracy: number; testAccuracy: number; lr: number; seed: number }) => void;
}

/** The schedules `compareImageSchedules` runs unless told otherwise: constant, step, exponential and adaptive. */
export const DEFAULT_IMAGE_SCHEDULES: ImageScheduleName[] = ['constant', 'step', 'exponential', 'adaptive'];
const ALL_SCHEDULES: ImageScheduleName[] = [...DEFAULT_IMAGE_SCHEDULES, 'onecycle', 'cosine-restarts'];
const OPTION_NAMES = ['task', 'epochs', 'batchSize', 'lr', 'seed', 'seeds', 'trainSize', 'validationSize', 'testSize', 'target', 'targetFraction', 'schedules', 'adaptiveChecksPerEpoch', 'adaptive', 'dir', 'data', 'onEpoch'];

/**
 * Feeds AdaptiveLR `checks` times per epoch with the mean training loss since its last observation and the
 * validation accuracy (real-time feedback from both loss and accuracy). Evaluation time is recorded so the
 * run's training time can exclude it.
 */
class AdaptiveFeedback implements Callback {
  /** Milliseconds of validation checks in each epoch so far. */
  readonly evalMs: number[] = [];
  private sum = 0;
  private count = 0;
  constructor(private readonly scheduler: AdaptiveLR, private readonly every: number, private readonly valid: { x: Tensor; y: Tensor }) {}

  onEpochBegin(): void {
    this.evalMs.push(0);
  }

  onBatchEnd(batch: number, logs: Logs, ctx: TrainingContext): void {
    this.sum += logs.loss;
    this.count++;
    if ((batch + 1) % this.every !== 0 && batch + 1 !== ctx.batchesPerEpoch) return;
    const started = performance.now();
    const { accuracy } = evaluateClassifier(ctx.model, this.valid.x, this.valid.y, { batchSize: 100 });
    this.scheduler.step(this.sum / this.count, accuracy);
    this.sum = this.count = 0;
    this.evalMs[this.evalMs.length - 1] += performance.now() - started;
  }
}

/** Evaluates validation and test sets after every epoch. */
class EpochEvaluation implements Callback {
  readonly rows: { valLoss: number; valAccuracy: number; testAccuracy: number; testTop5: number; confusion: number[][] }[] = [];
  evalMs = 0;
  constructor(private readonly data: TaskData, private readonly k: number, private readonly onEpoch?: (epoch: number, logs: Logs) => void) {}

  onEpochEnd(epoch: number, logs: Logs, ctx: TrainingContext): void {
    const started = performance.now();
    const v = evaluateClassifier(ctx.model, this.data.valid!.x, this.data.valid!.y, { batchSize: 100 });
    const t = evaluateClassifier(ctx.model, this.data.test.x, this.data.test.y, { batchSize: 100, k: this.k });
    this.rows.push({ valLoss: v.loss, valAccuracy: v.accuracy, testAccuracy: t.accuracy, testTop5: t.topKAccuracy, confusion: t.confusion });
    this.evalMs += performance.now() - started;
    this.onEpoch?.(epoch, { ...logs, valAccuracy: v.accuracy, testAccuracy: t.accuracy });
  }
}

/** Redraws the augmented training images from the clean ones at the start of every epoch (into fit's own `x`). */
class EpochAugmentation implements Callback {
  constructor(private readonly clean: Tensor, private readonly out: Tensor, private readonly options: { padding?: number; flip?: number }, private readonly generator: Generator) {}

  onEpochBegin(): void {
    augmentImages(this.clean, { ...this.options, generator: this.generator, out: this.out });
  }
}

function checkPositiveInteger(name: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new RangeError(`compareImageSchedules: expected ${name} to be a positive integer, got ${v}`);
}

/**
 * The adaptive-schedule experiment on one task (`SCHEDULE_TASKS`: Fashion-MNIST's small CNN by default; MNIST,
 * CIFAR-10's ResNet-18, a small ResNet, a bidirectional LSTM over image rows, IMDB's embedding and bidirectional
 * LSTM): the same model, seeds and data split trained with Adam (lr 1e-3, batch 64) under each schedule, for the
 * same budget of epochs:
 *
 * - constant: lr 1e-3 throughout;
 * - step: ×0.1 after each fifth of the batches (×0.1 every 10 of 50 epochs, scaled to the budget);
 * - exponential: Keras's ExponentialDecay with rate 0.96, its decay steps scaled so the whole budget decays as
 *   much as 50 epochs of 938 steps with decay_steps 10,000 do (×0.826); with `epochs: 50` the step schedule cuts
 *   every 10 epochs as the document's does;
 * - adaptive: `AdaptiveLR` fed the mean training loss and the validation accuracy several times per epoch;
 * - optionally OneCycle (max lr 3e-3) and cosine annealing with warm restarts (a cycle per epoch).
 *
 * With `seeds: K` every schedule runs from seeds seed, ..., seed + K - 1 (initialization, shuffling and augmentation;
 * the data split stays that of `seed`), and each summary compares it with constant seed by seed. After every epoch
 * it measures validation loss and accuracy and test accuracy; time to the target accuracy counts training time only.
 */
export function compareImageSchedules(options: ImageComparisonOptions = {}): ImageComparison {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`compareImageSchedules: expected an options object, got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}`);
  }
  const unknown = Object.keys(options).filter((k) => !OPTION_NAMES.includes(k));
  if (unknown.length > 0) throw new RangeError(`compareImageSchedules: expected options among ${OPTION_NAMES.join(', ')}, got unknown ${unknown.join(', ')}`);
  const { task: taskName = 'fashion-mnist', epochs = 3, batchSize = 64, lr = 1e-3, seed = 42, seeds: seedCount = 1, targetFraction = 0.98, adaptiveChecksPerEpoch = 4 } = options;
  const schedules = options.schedules ?? DEFAULT_IMAGE_SCHEDULES;
  if (!SCHEDULE_TASK_NAMES.includes(taskName)) throw new RangeError(`compareImageSchedules: expected task among ${SCHEDULE_TASK_NAMES.join(', ')}, got '${taskName}'`);
  const task = SCHEDULE_TASKS[taskName];
  checkPositiveInteger('epochs', epochs);
  checkPositiveInteger('batchSize', batchSize);
  checkPositiveInteger('seeds', seedCount);
  if (!Number.isSafeInteger(seed)) throw new RangeError(`compareImageSchedules: expected seed to be a safe integer, got ${seed}`);
  if (typeof lr !== 'number' || !(lr > 0) || !Number.isFinite(lr)) throw new RangeError(`compareImageSchedules: expected lr > 0, got ${lr}`);
  if (options.target !== undefined && !(options.target > 0 && options.target <= 1)) throw new RangeError(`compareImageSchedules: expected target in (0, 1], got ${options.target}`);
  if (!(targetFraction > 0 && targetFraction <= 1)) throw new RangeError(`compareImageSchedules: expected targetFraction in (0, 1], got ${targetFraction}`);
  checkPositiveInteger('adaptiveChecksPerEpoch', adaptiveChecksPerEpoch);
  if (!Array.isArray(schedules) || schedules.length === 0) throw new RangeError(`compareImageSchedules: expected schedules to be a non-empty list, got ${Array.isArray(schedules) ? 'an empty one' : typeof schedules}`);
  for (const s of schedules) if (!ALL_SCHEDULES.includes(s)) throw new RangeError(`compareImageSchedules: expected schedules among ${ALL_SCHEDULES.join(', ')}, got '${s}'`);
  if (new Set(schedules).size !== schedules.length) throw new RangeError(`compareImageSchedules: expected each schedule once, got ${schedules.join(', ')}`);
  if (options.data === undefined && task.needsDir && options.dir === undefined) throw new RangeError(`compareImageSchedules: expected dir (the ${task.data} files) for task '${taskName}', got none`);
  const data = options.data ?? task.load({
    dir: options.dir, trainSize: options.trainSize, validationSize: options.validationSize ?? task.validationSize, testSize: options.testSize, generator: new Generator(seed),
  });
  if (data.valid === null) throw new RangeError('compareImageSchedules: expected data with a validation set (validationSize > 0), got none');
  const n = data.train.x.shape[0];
  const perEpoch = Math.ceil(n / batchSize), total = perEpoch * epochs;
  const every = Math.max(1, Math.round(perEpoch / adaptiveChecksPerEpoch));
  const topK = Math.min(5, data.classes.length);
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

  const seedList = Array.from({ length: seedCount }, (_, k) => seed + k);
  // the clean training inputs stay as loaded; an augmented task trains on a copy redrawn every epoch
  const trainX = task.augment === null ? data.train.x : new Tensor(new Float32Array(data.train.x.size), data.train.x.shape);
  const run = (name: ImageScheduleName, runSeed: number): ImageScheduleRun => {
    manualSeed(runSeed);
    const model = task.build();
    const optimizer = new Adam(model.parameters(), { lr });
    const [description, make] = setups[name];
    const evaluation = new EpochEvaluation(data, topK, (e, logs) => options.onEpoch?.(name, e, { trainLoss: logs.loss, valAccuracy: logs.valAccuracy, testAccuracy: logs.testAccuracy, lr: logs.lr, seed: runSeed }));
    const callbacks: Callback[] = [evaluation];
    let adaptive: AdaptiveLR | null = null, feedback: AdaptiveFeedback | null = null;
    if (name === 'adaptive') {
      adaptive = new AdaptiveLR(optimizer as unknown as AnyOptimizer, { window: 1, increaseAfter: 2, plateauPatience: 3, cooldown: 1, ...options.adaptive });
      feedback = new AdaptiveFeedback(adaptive, every, data.valid!);
      callbacks.unshift(feedback);
    }
    // a generator of its own, so that augmenting leaves the shuffling order of the seed as it is without augmentation
    if (task.augment !== null) callbacks.unshift(new EpochAugmentation(data.train.x, trainX, task.augment, new Generator(runSeed ^ 0x5eed)));
    const h = fit(model, {
      x: trainX, y: data.train.y, optimizer, epochs, batchSize, loss: (p, t) => crossEntropy(p, t),
      scheduler: make(optimizer as unknown as AnyOptimizer), schedulerInterval: 'batch',
      generator: new Generator(runSeed), callbacks, progress: false, recordBatches: true,
    });
    const rows = evaluation.rows;
    // fit's epoch time includes AdaptiveLR's validation checks (they run inside the epoch): take each epoch's out
    const epochSeconds = h.timeMs.map((ms, e) => (ms - (feedback === null ? 0 : feedback.evalMs[e])) / 1000);
    const test = rows.map((r) => r.testAccuracy);
    const best = test.indexOf(Math.max(...test));
    return {
      name, seed: runSeed, description,
      trainLoss: h.loss, valLoss: rows.map((r) => r.valLoss), valAccuracy: rows.map((r) => r.valAccuracy), testAccuracy: test,
      testTop5: rows.map((r) => r.testTop5), lr: h.lr, batchLr: h.batchLr, epochSeconds,
      finalTestAccuracy: test[test.length - 1], bestTestAccuracy: test[best], bestEpoch: best + 1,
      epochsToTarget: null, secondsToTarget: null,
      confusion: rows[rows.length - 1].confusion,
      decisions: adaptive === null ? null : adaptive.decisions,
    };
  };
  const runs = seedList.flatMap((s) => schedules.map((name) => run(name, s)));
  const bestReached = Math.max(...runs.map((r) => r.bestTestAccuracy));
  const target = options.target ?? targetFraction * bestReached;
  for (const r of runs) timeTo(r, target);
  return {
    task: taskName,
    settings: {
      epochs, batchSize, lr, seed, seeds: seedList, trainSize: n, validationSize: data.valid.x.shape[0], testSize: data.test.x.shape[0],
      target, targetFraction: options.target === undefined ? targetFraction : null, topK, adaptiveEvery: every,
      data: task.data, model: task.model, augment: task.augment === null ? null : `random crop with ${task.augment.padding ?? 0}-pixel padding and horizontal flip (p ${task.augment.flip ?? 0}), redrawn every epoch`,
    },
    classes: data.classes,
    runs,
    summaries: summarize(runs, schedules, seedList),
  };
}
