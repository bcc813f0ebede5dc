import type { Module } from '../nn/module.js';
import { Tensor } from '../tensor/tensor.js';
import { concat } from '../autograd/ops/index-ops.js';
import { NonFiniteInputError } from '../tensor/finite.js';
import { mseLoss, crossEntropy, bceWithLogits } from '../nn/losses.js';
import { Adam } from '../optim/adam.js';
import { SGD } from '../optim/sgd.js';
import { AdamW } from '../optim/adamw.js';
import { RMSprop } from '../optim/rmsprop.js';
import type { Optimizer } from '../optim/optimizer.js';
import { manualSeed, Generator } from '../tensor/random.js';
import { fit, NonFiniteLossError, type History } from '../train/fit.js';
import { EarlyStopping } from '../train/callbacks.js';
import { valKey, type MetricSpec } from '../train/scoring.js';
import { DynamicsRecorder, analyzeDynamics, type DynamicsAnalysis, type DynamicsRecord } from '../train/dynamics.js';
import { StepLR } from '../schedulers/decay.js';
import { CosineAnnealingLR } from '../schedulers/cosine.js';
import { ReduceLROnPlateau } from '../schedulers/plateau.js';
import { OneCycleLR } from '../schedulers/cyclic.js';
import type { AnyOptimizer } from '../schedulers/scheduler.js';
import { rangeTest, type RangeTestResult } from './range-test.js';
import { suggestLr, type LrSuggestion, type Suggestion } from './suggest.js';
import { lrSweep, logspace, type LrSweepRow } from './sweep.js';
import { recommend, type Recommendation } from './recommend.js';
import { meanStd, pairedDifference, type PairedDifference } from './stats.js';
import { formatNumber, formatLr, describe } from '../format/number.js';
import { checkOptionsObject, checkFunction } from '../format/check.js';

/** What the finder is fitting: class labels, numbers from features, or the next value of a series. */
export type Task = 'regression' | 'classification' | 'series';

/** A loss: predictions and targets to a scalar tensor. */
export type LossFn = (prediction: Tensor, target: Tensor) => Tensor;

/** The optimizers the finder builds by name (SGD with momentum 0.9). */
export type OptimizerName = 'adam' | 'adamw' | 'sgd' | 'rmsprop';

/** Builds an optimizer for a fresh model's parameters at an lr. */
export type OptimizerFactory = (params: Tensor[], lr: number) => Optimizer<{ lr: number }>;

/** Inputs and targets: x [n, ...] of any rank >= 2, y [n] class indices or [n, ...]. */
export interface Dataset {
  x: Tensor;
  y: Tensor;
}

/** Tensors, or a function returning the batches (read once, in order, and joined into tensors). */
export type DataSource = Dataset | (() => Iterable<Dataset>);

/** The stage options of the finder, shared by `findLr` and the series pipeline; every field has a default. */
export interface FinderConfig {
  batchSize: number;
  /** 'adam' (default), 'adamw', 'sgd' (momentum 0.9) or 'rmsprop'. */
  optimizer: OptimizerName;
  /** Your current lr: the baseline of the long runs. Default 1e-3. */
  baselineLr: number;
  /**
   * Which lr trains as 'optimized': 'steepest' (the steepest descent of the smoothed range-test loss, default; the
   * validation run only checks it) or 'validated' (whichever candidate did best in the validation run, which may
   * be the baseline).
   */
  choose: 'steepest' | 'validated';
  /** The first seed: initialization and batch order. */
  seed: number;
  /**
   * Seeds of the validation run and the long runs (seed, seed + 1, ...): each seed trains the baseline and the
   * found rate from the same initialization, so their difference is paired. Default 3.
   */
  seeds: number;
  /** The range test; `seeds` > 1 repeats it from fresh models to give each rule's spread. */
  rangeTest: { startLr: number; endLr: number; numIter: number; smoothing: number; divergeTh: number; seeds: number };
  /** The systematic sweep: `num` log-spaced lrs, `epochs` each. */
  sweep: { num: number; epochs: number };
  /** Short runs comparing the candidate lrs before the long training. */
  validation: { epochs: number };
  /** The long runs: baseline and found lr, early stopping on the validation loss. */
  training: { epochs: number; patience: number };
  /**
   * The schedule both long runs use, starting from their own lr: 'constant' (default), 'step' (×gamma every
   * stepSize epochs), 'cosine' (to etaMin over the epochs), 'plateau' (×factor after `patience` epochs without a
   * better validation loss) or 'onecycle' (per batch, peaking at the run's lr).
   */
  schedule: { type: 'constant' | 'step' | 'cosine' | 'plateau' | 'onecycle'; stepSize: number; gamma: number; etaMin: number; patience: number; factor: number };
}

/** The finder's defaults: Adam, batch 32, a 100-step range test from 1e-5 to 1e-1, 3 seeds. */
export const DEFAULT_FINDER_CONFIG: FinderConfig = {
  batchSize: 32,
  optimizer: 'adam',
  baselineLr: 1e-3,
  choose: 'steepest',
  seed: 42,
  seeds: 3,
  rangeTest: { startLr: 1e-5, endLr: 1e-1, numIter: 100, smoothing: 0.95, divergeTh: 5, seeds: 1 },
  sweep: { num: 12, epochs: 2 },
  validation: { epochs: 10 },
  training: { epochs: 100, patience: 10 },
  schedule: { type: 'constant', stepSize: 10, gamma: 0.1, etaMin: 0, patience: 5, factor: 0.5 },
};

/** Merges `partial` into `base`, rejecting unknown keys and wrong kinds with one clear line naming the key. */
export function mergeConfig<T extends object>(base: T, partial: unknown): T {
  const merge = (b0: Record<string, unknown>, over: unknown, path: string): Record<string, unknown> => {
    if (over === null || typeof over !== 'object' || Array.isArray(over)) throw new TypeError(`config: expected ${path || 'the config'} to be an object, got ${describe(over)}`);
    const out: Record<string, unknown> = { ...b0 };
    for (const [k, v] of Object.entries(over)) {
      const where = path ? `${path}.${k}` : k;
      if (!(k in b0)) throw new RangeError(`config: unknown key '${where}' (known: ${Object.keys(b0).join(', ')})`);
      const b = b0[k];
      if (b !== null && typeof b === 'object' && !Array.isArray(b)) out[k] = merge(b as Record<string, unknown>, v, where);
      else if (Array.isArray(b)) {
        if (!Array.isArray(v) || v.length === 0 || !v.every((n) => Number.isInteger(n) && n > 0)) throw new TypeError(`config: expected '${where}' to be a non-empty list of positive integers, got ${describe(v)}`);
        out[k] = v;
      } else if (typeof v !== typeof b) throw new TypeError(`config: expected '${where}' to be a ${typeof b}, got ${describe(v)}`);
      else out[k] = v;
    }
    return out;
  };
  return merge(base as unknown as Record<string, unknown>, partial, '') as unknown as T;
}

/** Checks every value of a merged finder config, so that a bad one is named by its key before any work. */
export function checkFinderConfig<C extends FinderConfig>(c: C): C {
  if (!['adam', 'adamw', 'sgd', 'rmsprop'].includes(c.optimizer)) throw new RangeError(`config: expected 'optimizer' to be adam, adamw, sgd or rmsprop, got '${c.optimizer}'`);
  const positiveInts: [string, number][] = [['batchSize', c.batchSize], ['seeds', c.seeds], ['rangeTest.numIter', c.rangeTest.numIter], ['rangeTest.seeds', c.rangeTest.seeds], ['sweep.num', c.sweep.num], ['sweep.epochs', c.sweep.epochs], ['validation.epochs', c.validation.epochs], ['training.epochs', c.training.epochs]];
  for (const [k, v] of positiveInts) if (!Number.isInteger(v) || v < 1) throw new RangeError(`config: expected '${k}' to be a positive integer, got ${describe(v)}`);
  if (!['constant', 'step', 'cosine', 'plateau', 'onecycle'].includes(c.schedule.type)) {
    throw new RangeError(`config: expected 'schedule.type' to be constant, step, cosine, plateau or onecycle, got '${c.schedule.type}'`);
  }
  if (c.choose !== 'steepest' && c.choose !== 'validated') throw new RangeError(`config: expected 'choose' to be 'steepest' or 'validated', got '${c.choose}'`);
  const check = (ok: boolean, key: string, what: string, v: unknown) => {
    if (!ok) throw new RangeError(`config: expected '${key}' to be ${what}, got ${describe(v)}`);
  };
  const finite = (v: number) => Number.isFinite(v);
  const r = c.rangeTest, s = c.schedule;
  check(c.seeds <= 100, 'seeds', 'at most 100', c.seeds);
  check(r.seeds <= 100, 'rangeTest.seeds', 'at most 100', r.seeds);
  check(finite(c.baselineLr) && c.baselineLr > 0, 'baselineLr', 'a finite number > 0', c.baselineLr);
  check(Number.isSafeInteger(c.seed), 'seed', 'an integer', c.seed);
  check(finite(r.startLr) && r.startLr > 0, 'rangeTest.startLr', 'a finite number > 0', r.startLr);
  check(finite(r.endLr) && r.endLr > r.startLr, 'rangeTest.endLr', `a finite number > rangeTest.startLr (${describe(r.startLr)})`, r.endLr);
  check(r.numIter >= 5, 'rangeTest.numIter', 'at least 5 (the rules need 5 points; 20 or more for a trustworthy curve)', r.numIter);
  check(finite(r.smoothing) && r.smoothing >= 0 && r.smoothing < 1, 'rangeTest.smoothing', 'in [0, 1)', r.smoothing);
  check(finite(r.divergeTh) && r.divergeTh > 1, 'rangeTest.divergeTh', 'a finite number > 1', r.divergeTh);
  check(Number.isInteger(s.stepSize) && s.stepSize >= 1, 'schedule.stepSize', 'a positive integer', s.stepSize);
  check(finite(s.gamma) && s.gamma > 0, 'schedule.gamma', 'a finite number > 0', s.gamma);
  check(finite(s.etaMin) && s.etaMin >= 0, 'schedule.etaMin', 'a finite number >= 0', s.etaMin);
  check(Number.isInteger(s.patience) && s.patience >= 0, 'schedule.patience', 'a non-negative integer', s.patience);
  check(finite(s.factor) && s.factor > 0 && s.factor < 1, 'schedule.factor', 'in (0, 1)', s.factor);
  check(Number.isInteger(c.training.patience) && c.training.patience >= 0, 'training.patience', 'a non-negative integer', c.training.patience);
  return c;
}

/** Merges a user's partial finder config into the defaults and checks it (see `FinderConfig`). */
export function resolveFinderConfig(partial: unknown = {}): FinderConfig {
  return checkFinderConfig(mergeConfig(DEFAULT_FINDER_CONFIG, partial));
}

/** One seed of a long run: the validation loss and metric of the weights kept, and when it reached the target. */
export interface SeedResult {
  seed: number;
  /** Lowest validation loss over the epochs (the weights early stopping keeps), in display units; NaN if diverged. */
  valLoss: number;
  /** The task's metric at that epoch (accuracy or R²), or null when there is none. */
  valMetric: number | null;
  epochsRun: number;
  /** The first epoch (1-based) at which the validation loss or metric reached the target, null if never or unset. */
  epochsToTarget: number | null;
  diverged: boolean;
}

/** One long training run over the seeds, summarized as the results table needs. */
export interface RunSummary {
  name: string;
  lr: number;
  /** Epochs of the first seed's run (early stopping). */
  epochsRun: number;
  /** Wall-clock time of the first seed's run. */
  trainingTimeMs: number;
  /** Mean over the seeds of the kept weights' validation loss, in display units (the series' units for MSE). */
  finalValLoss: number;
  /** Sample standard deviation of that loss over the seeds (0 with one seed). */
  valLossStd: number;
  /** `finalValLoss` when the loss is the MSE (regression and series), under its earlier name. */
  finalValMse?: number;
  /** The first seed's validation loss after its last epoch. */
  lastEpochValLoss: number;
  /** `lastEpochValLoss` when the loss is the MSE. */
  lastEpochValMse?: number;
  /** Mean over the seeds of the task's metric at the kept epoch (accuracy or R²); null without a metric. */
  finalValMetric: number | null;
  valMetricStd: number | null;
  /** Every seed's figures, paired with the other long run by seed. */
  seeds: SeedResult[];
  /** The first seed's dynamics (losses in display units). */
  analysis: DynamicsAnalysis;
  history: Pick<History, 'loss' | 'valLoss' | 'lr' | 'timeMs'> & { valMetric: number[] };
  dynamics: Pick<DynamicsRecord, 'batchLoss' | 'lr' | 'gradNorm' | 'features' | 'labels'>;
}

/** A learning rate tried in the validation run. */
export interface Candidate {
  name: string;
  lr: number;
  /** Mean over the seeds of the best validation loss in the short run, display units (NaN if any seed diverged). */
  valLoss: number;
  /** `valLoss` when the loss is the MSE. */
  valMse?: number;
  /** Each seed's best validation loss (NaN where it diverged). */
  seeds: number[];
}

/** What a range test over several seeds says about each rule: its lr per seed and their spread in decades. */
export interface RuleSpread {
  method: Suggestion['method'];
  lrs: number[];
  spreadDecades: number;
}

/** Everything one finder run measured: what `results.json` holds. */
export interface FindLrResult<C extends FinderConfig = FinderConfig> {
  config: C;
  task: Task;
  /** The headline metric beside the loss: accuracy for classification, R² for regression and series. */
  metric: { name: string; higherIsBetter: boolean };
  /** The loss's name in the report ('MSE', 'cross-entropy', 'binary cross-entropy' or 'loss'). */
  lossName: string;
  /** A one-line description of the model (given, or its class and parameter count). */
  model: string;
  data: {
    source: string;
    /** What the data is, in one line for the report. */
    description: string;
    trainExamples: number;
    validExamples: number;
    /** Losses in the report are the training loss times this (the target's variance for a standardized MSE). */
    lossScale: number;
    /** The series pipeline's counts, present for series. */
    points?: number;
    usedPoints?: number;
    trainWindows?: number;
    validWindows?: number;
    mseScale?: number;
  };
  rangeTest: RangeTestResult;
  suggestion: LrSuggestion;
  /** With `rangeTest.seeds` > 1: each rule's lr over the seeds. */
  rangeTestSeeds: { seeds: number[]; rules: RuleSpread[] } | null;
  sweep: { rows: LrSweepRow[]; bestLr: number };
  validation: { candidates: Candidate[]; chosen: Candidate; warnings: string[]; seeds: number[] };
  /** The rate the long run trained (`optimized`), which candidate it is, and why it was chosen. */
  trained: { name: string; lr: number; reason: string };
  /** The paired comparison of the long runs over the seeds: relative gain of the trained rate per seed. */
  comparisonOverSeeds: PairedDifference | null;
  /** Which rate to use, weighing the rules, the sweep, the validation run and the long runs. */
  recommendation: Recommendation;
  baseline: RunSummary;
  optimized: RunSummary;
  /** The target of "epochs to target", when one was set. */
  target: { kind: 'loss' | 'metric'; value: number } | null;
  timingsMs: Record<string, number>;
}

/**
 * The result so far, as `onPartial` gives it while the finder runs: the fields known at that point, and the stage
 * under way with what it has measured yet (the range test's steps, the sweep's rows, the validation runs' losses
 * of the seeds done, a long run's epochs of its first seed).
 */
export interface FindLrPartial extends Partial<Omit<FindLrResult, 'rangeTest' | 'sweep' | 'validation' | 'baseline' | 'optimized'>> {
  rangeTest?: Pick<RangeTestResult, 'lrs' | 'losses' | 'smoothedLosses' | 'iterations'> & Partial<RangeTestResult>;
  sweep?: { rows: LrSweepRow[]; bestLr?: number };
  validation?: { candidates: Candidate[]; seeds: number[]; chosen?: Candidate; warnings?: string[] };
  baseline?: Pick<RunSummary, 'name' | 'lr' | 'seeds'> & { history: Pick<RunSummary['history'], 'loss' | 'valLoss' | 'valMetric'> } & Partial<RunSummary>;
  optimized?: FindLrPartial['baseline'];
}

/** The stages the finder reports progress for. */
export type Stage = 'data' | 'range test' | 'sweep' | 'validation' | 'baseline' | 'trained' | 'report';

/** Options of `findLr`. */
export interface FindLrOptions {
  /** Builds a fresh model; called after `manualSeed(seed)`, so a seed always gives the same initialization. */
  makeModel: () => Module;
  /** Training data: tensors, or a function returning batches (read once and joined). */
  train: DataSource;
  /** Validation data: what the sweep, the validation run, early stopping and the comparison are measured on. */
  valid: DataSource;
  /** Default: detected from the targets (class indices [n] or one-hot rows [n, C] read as classification). */
  task?: Task;
  /** Default: `crossEntropy` for classification, `mseLoss` otherwise. */
  loss?: LossFn;
  /** More metrics logged in the long runs, besides the task's own (accuracy or R²). */
  metrics?: MetricSpec[];
  /** A name (see `FinderConfig.optimizer`) or a factory; default `config.optimizer`. */
  optimizer?: OptimizerName | OptimizerFactory;
  /** Your current lr, the baseline; default `config.baselineLr` (1e-3). */
  currentLr?: number;
  /** The stage options (see `FinderConfig`), partially given. */
  config?: Partial<FinderConfig> | Record<string, unknown>;
  /** Report the epochs each long run needs to reach this validation loss (display units). */
  targetLoss?: number;
  /** Report the epochs each long run needs to reach this validation metric (accuracy or R²). */
  targetMetric?: number;
  /** Multiply losses by this in the report (e.g. a standardized target's variance, to get its units). Default 1. */
  lossScale?: number;
  /** Where the data came from, for the report. */
  source?: string;
  /** The data in one line, for the report. */
  dataDescription?: string;
  /** The model in one line, for the report. */
  modelName?: string;
  onStage?: (stage: Stage, detail: string) => void;
  onProgress?: (stage: Stage, done: number, total: number) => void;
  /**
   * Called with the result so far at each step of the range test, each lr of the sweep, each short run of the
   * validation run and each epoch of a long run's first seed, and last with the whole result (what `lrlab find
   * --live` writes for the dashboard). The object is the finder's own, growing as it runs: read it during the
   * call, copy what you keep. Without it, nothing of this is built.
   */
  onPartial?: (partial: FindLrPartial) => void;
}

const FIND_LR_OPTIONS = ['makeModel', 'train', 'valid', 'task', 'loss', 'metrics', 'optimizer', 'currentLr', 'config', 'targetLoss', 'targetMetric', 'lossScale', 'source', 'dataDescription', 'modelName', 'onStage', 'onProgress', 'onPartial'];
// the names a PyTorch or Keras user guesses first, and what they are here
const GUESSES: Record<string, string> = { model: 'makeModel (a function returning a fresh model)', val: 'valid', validation: 'valid', validationData: 'valid', valData: 'valid', test: 'valid', trainData: 'train', lr: 'currentLr', baselineLr: 'currentLr (or config.baselineLr)', seeds: 'config.seeds', epochs: 'config.training.epochs' };

/** Builds one of the finder's optimizers by name. */
export function makeOptimizer(kind: OptimizerName, params: Tensor[], lr: number): Optimizer<{ lr: number }> {
  switch (kind) {
    case 'sgd': return new SGD(params, { lr, momentum: 0.9 }) as unknown as Optimizer<{ lr: number }>;
    case 'adamw': return new AdamW(params, { lr }) as unknown as Optimizer<{ lr: number }>;
    case 'rmsprop': return new RMSprop(params, { lr }) as unknown as Optimizer<{ lr: number }>;
    default: return new Adam(params, { lr }) as unknown as Optimizer<{ lr: number }>;
  }
}

function makeSchedule(config: FinderConfig, optimizer: Optimizer<{ lr: number }>, batchesPerEpoch: number): { scheduler?: { step(...a: any[]): unknown }; interval: 'epoch' | 'batch' } {
  const s = config.schedule, o = optimizer as unknown as AnyOptimizer;
  switch (s.type) {
    case 'step': return { scheduler: new StepLR(o, { stepSize: s.stepSize, gamma: s.gamma }), interval: 'epoch' };
    case 'cosine': return { scheduler: new CosineAnnealingLR(o, { tMax: config.training.epochs, etaMin: s.etaMin }), interval: 'epoch' };
    case 'plateau': return { scheduler: new ReduceLROnPlateau(o, { patience: s.patience, factor: s.factor }), interval: 'epoch' };
    case 'onecycle': return { scheduler: new OneCycleLR(o, { maxLr: optimizer.paramGroups[0].lr, totalSteps: config.training.epochs * batchesPerEpoch }), interval: 'batch' };
    default: return { interval: 'epoch' };
  }
}

/** Reads a data source into tensors, checking the shapes a model and a loss will need. */
function readData(what: 'train' | 'valid', source: unknown): Dataset {
  let data = source as Dataset;
  if (typeof source === 'function') {
    const parts: Dataset[] = [];
    for (const b of (source as () => Iterable<Dataset>)()) {
      if (!(b?.x instanceof Tensor) || !(b?.y instanceof Tensor)) throw new TypeError(`findLr: expected ${what}() to yield batches { x, y } of tensors, got ${describe(b)}`);
      // the batches source may refill the same buffers (as `batches` does): keep copies
      parts.push({ x: new Tensor(b.x.data.slice(), b.x.shape), y: new Tensor(b.y.data.slice(), b.y.shape) });
    }
    if (parts.length === 0) throw new RangeError(`findLr: expected ${what}() to yield at least one batch, got none`);
    data = parts.length === 1 ? parts[0] : { x: concat(parts.map((p) => p.x), 0), y: concat(parts.map((p) => p.y), 0) };
  } else if (Array.isArray(source) && source.length === 2 && source[0] instanceof Tensor) {
    throw new TypeError(`findLr: expected ${what} to be { x, y } (or a function returning batches), got an array [x, y]: write ${what}: { x, y }`);
  }
  if (data === null || typeof data !== 'object' || !(data.x instanceof Tensor) || !(data.y instanceof Tensor)) {
    throw new TypeError(`findLr: expected ${what} to be { x, y } of tensors (or a function returning such batches), got ${describe(source)}`);
  }
  const { x, y } = data;
  if (x.ndim < 2 || y.ndim < 1 || x.shape[0] !== y.shape[0]) {
    throw new RangeError(`findLr: expected ${what}.x [n, ...] (rank 2 or more) and ${what}.y [n] or [n, ...] with the same n, got [${x.shape}] and [${y.shape}]`);
  }
  if (x.shape[0] === 0) throw new RangeError(`findLr: expected ${what} to hold at least one example, got 0`);
  for (const [name, t] of [['x', x], ['y', y]] as const) {
    const bad = t.data.findIndex((v) => !Number.isFinite(v));
    if (bad !== -1) throw new RangeError(`findLr: expected finite values in ${what}.${name}, got ${t.data[bad]} at flat index ${bad}`);
  }
  return { x, y };
}

/**
 * True when the targets read as classes: class indices [n] (non-negative whole numbers, as `crossEntropy` takes
 * them), or one-hot rows [n, C]. Targets [n, 1] stay regression (`mseLoss`'s shape) unless the loss or task says.
 */
function classTargets(y: Tensor): boolean {
  if (y.ndim === 1) {
    for (let i = 0; i < y.data.length; i++) if (!Number.isInteger(y.data[i]) || y.data[i] < 0) return false;
    return true;
  }
  if (y.ndim !== 2 || y.shape[1] < 2) return false;
  const c = y.shape[1];
  for (let i = 0; i < y.shape[0]; i++) {
    let ones = 0;
    for (let j = 0; j < c; j++) {
      const v = y.data[i * c + j];
      if (v === 1) ones++;
      else if (v !== 0) return false;
    }
    if (ones !== 1) return false;
  }
  return true;
}

function lossNameOf(loss: LossFn): string {
  if (loss === mseLoss) return 'MSE';
  if (loss === crossEntropy) return 'cross-entropy';
  if (loss === bceWithLogits) return 'binary cross-entropy';
  return loss.name ? `loss (${loss.name})` : 'loss';
}

function describeModel(model: Module): string {
  const n = model.parameters().reduce((s, p) => s + p.size, 0);
  return `${model.constructor.name} with ${n.toLocaleString('en-US')} parameters`;
}

/** First epoch (1-based) whose value reaches the target, or null. */
function epochsTo(values: number[], target: number, higherIsBetter: boolean): number | null {
  const i = values.findIndex((v) => (higherIsBetter ? v >= target : v <= target));
  return i === -1 ? null : i + 1;
}

/**
 * The whole learning-rate job for any model and data: a range test and its four rules, a systematic sweep of
 * fresh models, a short validation run of the candidates (the steepest-descent lr, the valley lr, the sweep's best
 * and your current lr) over `config.seeds` seeds, then your current lr and the found one (`config.choose`) trained
 * side by side with early stopping, paired by seed (same seed, same initialization, same batch order), and one
 * recommendation whose confidence comes from the paired differences' 95% interval. What Keras users do with
 * `LRFinder` callbacks and PyTorch users with torch-lr-finder plus hand-written comparison runs, in one call;
 * `writeReport` renders the result.
 *
 *     const result = findLr({ makeModel: () => new Sequential(new Linear(4, 16), new ReLU(), new Linear(16, 3)),
 *       train: { x, y }, valid: { x: xv, y: yv } });   // y: class indices [n], so accuracy is reported
 */
export function findLr(options: FindLrOptions): FindLrResult {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new TypeError(`findLr: expected an options object { makeModel, train, valid, ... }, got ${describe(options)}`);
  for (const k of Object.keys(options)) {
    if (!FIND_LR_OPTIONS.includes(k)) throw new RangeError(`findLr: unknown option '${k}'${GUESSES[k] ? ` (did you mean ${GUESSES[k]}?)` : ''} (known: ${FIND_LR_OPTIONS.join(', ')})`);
  }
  checkFunction('findLr', 'makeModel (a function returning a fresh model)', options.makeModel);
  for (const k of ['train', 'valid'] as const) if (options[k] === undefined) throw new TypeError(`findLr: expected ${k} data { x, y }, got undefined`);
  if (options.onStage !== undefined) checkFunction('findLr', 'onStage', options.onStage);
  if (options.onProgress !== undefined) checkFunction('findLr', 'onProgress', options.onProgress);
  if (options.onPartial !== undefined) checkFunction('findLr', 'onPartial', options.onPartial);
  if (options.loss !== undefined) checkFunction('findLr', 'loss', options.loss);
  if (options.task !== undefined && !['regression', 'classification', 'series'].includes(options.task)) throw new RangeError(`findLr: expected task 'regression', 'classification' or 'series', got ${describe(options.task)}`);
  if (options.optimizer !== undefined && typeof options.optimizer !== 'function' && !['adam', 'adamw', 'sgd', 'rmsprop'].includes(options.optimizer)) {
    throw new RangeError(`findLr: expected optimizer 'adam', 'adamw', 'sgd', 'rmsprop' or a function (params, lr) => optimizer, got ${describe(options.optimizer)}`);
  }
  for (const k of ['currentLr', 'lossScale'] as const) {
    const v = options[k];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)) throw new RangeError(`findLr: expected ${k} to be a finite number > 0, got ${describe(v)}`);
  }
  for (const k of ['targetLoss', 'targetMetric'] as const) {
    const v = options[k];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v))) throw new RangeError(`findLr: expected ${k} to be a finite number, got ${describe(v)}`);
  }
  if (options.targetLoss !== undefined && options.targetMetric !== undefined) throw new RangeError('findLr: expected one of targetLoss and targetMetric, got both');
  for (const k of ['source', 'dataDescription', 'modelName'] as const) if (options[k] !== undefined && typeof options[k] !== 'string') throw new TypeError(`findLr: expected ${k} to be a string, got ${describe(options[k])}`);
  const config = resolveFinderConfig({ ...(options.config ?? {}), ...(options.currentLr !== undefined ? { baselineLr: options.currentLr } : {}) });
  return runFinder(config, options);
}

/** The stages, on a resolved config (`findLr` checks the options; the series pipeline passes its own config). */
export function runFinder<C extends FinderConfig>(config: C, options: FindLrOptions): FindLrResult<C> {
  const note = options.onStage ?? (() => {});
  const progress = options.onProgress ?? (() => {});
  const timings: Record<string, number> = {};
  const time = <T>(name: string, fn: () => T): T => {
    const t0 = performance.now();
    const out = fn();
    timings[name] = performance.now() - t0;
    return out;
  };
  const { seed, batchSize } = config;
  const train = readData('train', options.train), valid = readData('valid', options.valid);
  if (train.x.shape.slice(1).join() !== valid.x.shape.slice(1).join()) throw new RangeError(`findLr: expected train.x and valid.x with the same example shape, got [${train.x.shape}] and [${valid.x.shape}]`);
  if (train.y.shape.slice(1).join() !== valid.y.shape.slice(1).join()) throw new RangeError(`findLr: expected train.y and valid.y with the same target shape, got [${train.y.shape}] and [${valid.y.shape}]`);

  const task: Task = options.task ?? (options.loss === crossEntropy || options.loss === bceWithLogits || (options.loss === undefined && classTargets(train.y)) ? 'classification' : 'regression');
  const loss: LossFn = options.loss ?? (task === 'classification' ? crossEntropy : mseLoss);
  if (task === 'classification' && loss === crossEntropy && train.y.ndim === 1) {
    const classes = new Set(train.y.data);
    if (classes.size < 2) throw new RangeError(`findLr: expected at least two classes in train.y, got only class ${[...classes][0]}`);
  }
  // both headline metrics grow as the model improves: accuracy, and R² (1 - MSE / variance of the targets)
  const metric = { name: task === 'classification' ? 'accuracy' : 'r2', higherIsBetter: true };
  const metricKey = metric.name;
  const lossScale = options.lossScale ?? 1;
  const lossName = lossNameOf(loss);
  const makeOpt: OptimizerFactory = typeof options.optimizer === 'function' ? options.optimizer : (p, lr) => makeOptimizer((options.optimizer as OptimizerName | undefined) ?? config.optimizer, p, lr);
  const fresh = (s: number): Module => {
    manualSeed(s);
    const model = options.makeModel();
    if (typeof (model as Module | undefined)?.forward !== 'function' || typeof model.parameters !== 'function') throw new TypeError(`findLr: expected makeModel() to return a model (a Module), got ${describe(model)}`);
    if (model.parameters().length === 0) throw new RangeError(`findLr: expected makeModel() to return a model with parameters, got ${model.constructor.name} with none (are its layers registered? assign them as fields of a Module or with registerModule)`);
    return model;
  };
  const probe = fresh(seed);
  const modelName = options.modelName ?? describeModel(probe);
  const n = train.x.shape[0];
  note('data', options.dataDescription ?? `${n} training and ${valid.x.shape[0]} validation examples, ${task}`);
  const target = options.targetLoss !== undefined ? { kind: 'loss' as const, value: options.targetLoss } : options.targetMetric !== undefined ? { kind: 'metric' as const, value: options.targetMetric } : null;
  // the result so far, for onPartial (a live view): built only when asked for
  const sharing = options.onPartial !== undefined;
  const sofar: FindLrPartial = {};
  const share = (fields: FindLrPartial) => {
    Object.assign(sofar, fields);
    options.onPartial!({ ...sofar });
  };
  if (sharing) {
    share({
      config, task, metric: { name: metric.name, higherIsBetter: metric.higherIsBetter }, lossName, model: modelName, target,
      data: { source: options.source ?? 'the data given', description: options.dataDescription ?? `${n} training and ${valid.x.shape[0]} validation examples`, trainExamples: n, validExamples: valid.x.shape[0], lossScale },
    });
  }

  // the range test, once per range-test seed; the first seed's curve is the one the rules and plots use
  const rtSeeds = Array.from({ length: config.rangeTest.seeds }, (_, i) => seed + i);
  const tests = time('rangeTest', () => rtSeeds.map((s, k) => {
    // the first seed's model is the one built to describe the model: the generator stands where fresh(s) leaves it
    const model = k === 0 ? probe : fresh(s);
    const { seeds: _unused, ...rtOptions } = config.rangeTest;
    const curve = { lrs: [] as number[], losses: [] as number[], smoothedLosses: [] as number[], iterations: 0 };
    return rangeTest(model, { x: train.x, y: train.y, loss, optimizer: makeOpt(model.parameters(), config.baselineLr), batchSize, seed: s, ...rtOptions, onStep: (i, total, step) => {
      progress('range test', k * total + i, total * rtSeeds.length);
      if (sharing && k === 0) {
        curve.lrs.push(step.lr);
        curve.losses.push(step.loss);
        curve.smoothedLosses.push(step.smoothedLoss);
        curve.iterations = i;
        share({ rangeTest: curve });
      }
    } });
  }));
  const rt = tests[0];
  if (rt.iterations < 5) {
    throw new RangeError(`findLr: the range test diverged after ${rt.iterations} step(s) at lr ${formatLr(rt.lrs[rt.lrs.length - 1] ?? config.rangeTest.startLr)}; start lower (rangeTest.startLr) or check the data's scale`);
  }
  const suggest = (r: RangeTestResult) => suggestLr(r.lrs, r.losses, { smoothed: r.smoothedLosses, stopReason: r.stopReason });
  const suggestion = suggest(rt);
  let rangeTestSeeds: FindLrResult['rangeTestSeeds'] = null;
  if (tests.length > 1) {
    const all = tests.map((r) => (r.iterations >= 5 ? suggest(r) : null));
    const rules = (Object.keys(suggestion.suggestions) as Suggestion['method'][]).map((method): RuleSpread => {
      const lrs = all.map((s) => (s === null ? NaN : s.suggestions[method].lr));
      const ok = lrs.filter(Number.isFinite);
      return { method, lrs, spreadDecades: ok.length ? Math.log10(Math.max(...ok) / Math.min(...ok)) : NaN };
    });
    rangeTestSeeds = { seeds: rtSeeds, rules };
  }
  if (sharing) share({ rangeTest: rt, suggestion, rangeTestSeeds });
  note('range test', `${rt.iterations} steps from ${formatLr(config.rangeTest.startLr)} to ${formatLr(config.rangeTest.endLr)} (${rt.stopReason}); steepest descent at ${formatLr(suggestion.lr)}`);

  const sweepLrs = logspace(config.rangeTest.startLr, config.rangeTest.endLr, config.sweep.num);
  const shortRuns = (lrs: number[], epochs: number, s: number, onResult: (i: number, row: LrSweepRow) => void) =>
    lrSweep({ makeModel: options.makeModel, makeOptimizer: makeOpt, loss, x: train.x, y: train.y, validationData: valid, lrs, epochs, batchSize, seed: s, onResult: (r, i) => onResult(i, r) });
  const sweepRows: LrSweepRow[] = [];
  const sweep = time('sweep', () => shortRuns(sweepLrs, config.sweep.epochs, seed, (i, row) => {
    progress('sweep', i + 1, sweepLrs.length);
    if (!sharing) return;
    sweepRows.push(row);
    share({ sweep: { rows: sweepRows } });
  }));
  if (sharing) share({ sweep: { rows: sweep.rows, bestLr: sweep.bestLr } });
  note('sweep', `${sweep.rows.length} lrs x ${config.sweep.epochs} epoch(s); best ${formatLr(sweep.bestLr)}`);

  const seeds = Array.from({ length: config.seeds }, (_, i) => seed + i);
  const proposals: [string, number][] = [['steepest', suggestion.suggestions.steepest.lr], ['valley', suggestion.suggestions.valley.lr], ['sweep best', sweep.bestLr], ['baseline', config.baselineLr]];
  const isMse = loss === mseLoss;
  // each candidate's losses over the seeds run so far (for onPartial)
  const tried = proposals.map((): number[] => []);
  const candidates = time('validation', () => {
    const perSeed = seeds.map((s, k) => shortRuns(proposals.map(([, lr]) => lr), config.validation.epochs, s, (i, row) => {
      progress('validation', k * proposals.length + i + 1, proposals.length * seeds.length);
      if (!sharing) return;
      tried[i].push(row.diverged ? NaN : (row.bestValLoss as number) * lossScale);
      const sofarCandidates = proposals.flatMap(([name, lr], j): Candidate[] => (tried[j].length === 0 ? [] : [{ name, lr, valLoss: tried[j].every(Number.isFinite) ? meanStd(tried[j]).mean : NaN, seeds: tried[j] }]));
      share({ validation: { candidates: sofarCandidates, seeds: seeds.slice(0, k + 1) } });
    }).rows);
    return proposals.map(([name], i): Candidate => {
      const values = perSeed.map((rows) => (rows[i].diverged ? NaN : (rows[i].bestValLoss as number) * lossScale));
      const valLoss = values.every(Number.isFinite) ? meanStd(values).mean : NaN;
      return { name, lr: proposals[i][1], valLoss, ...(isMse ? { valMse: valLoss } : {}), seeds: values };
    });
  });
  const base = candidates[candidates.length - 1];
  const best = candidates.filter((c) => Number.isFinite(c.valLoss)).reduce((a, b) => (b.valLoss < a.valLoss ? b : a), base);
  const chosen = config.choose === 'validated' ? best : candidates[0];
  const validationWarnings: string[] = [];
  if (!(chosen.valLoss <= base.valLoss)) {
    validationWarnings.push(`in the ${config.validation.epochs}-epoch validation run the ${chosen.name} lr ${formatLr(chosen.lr)} reached ${formatNumber(chosen.valLoss)}, the baseline ${formatNumber(base.valLoss)}`);
  }
  if (sharing) share({ validation: { candidates, chosen, warnings: validationWarnings, seeds } });
  note('validation', `${candidates.map((c) => `${c.name} ${formatLr(c.lr)}: ${formatNumber(c.valLoss)}`).join(', ')}${seeds.length > 1 ? ` (mean of ${seeds.length} seeds)` : ''}; training ${chosen.name}`);

  const metrics = [metricKey, ...(options.metrics ?? [])];
  const batchesPerEpoch = Math.ceil(n / batchSize);
  const longRuns = (name: string, stage: 'baseline' | 'trained', lr: number): RunSummary => {
    const results: SeedResult[] = [];
    // the first seed's epochs so far, in display units (for onPartial)
    const sofarHistory = { loss: [] as number[], valLoss: [] as number[], valMetric: [] as number[] };
    const shareRun = () => share({ [stage === 'baseline' ? 'baseline' : 'optimized']: { name, lr, history: sofarHistory, seeds: results } });
    let first: Omit<RunSummary, 'finalValLoss' | 'valLossStd' | 'finalValMetric' | 'valMetricStd' | 'seeds'> | null = null;
    seeds.forEach((s, k) => {
      const model = fresh(s);
      const recorder = k === 0 ? new DynamicsRecorder() : null;
      const started = performance.now();
      const optimizer = makeOpt(model.parameters(), lr);
      const { scheduler, interval } = makeSchedule(config, optimizer, batchesPerEpoch);
      let h: History, diverged = false;
      try {
        h = fit(model, {
          x: train.x, y: train.y, loss, metrics, validationData: valid, optimizer, scheduler, schedulerInterval: interval,
          epochs: config.training.epochs, batchSize, generator: new Generator(s), progress: false,
          callbacks: [...(recorder ? [recorder] : []), new EarlyStopping({ patience: config.training.patience, restoreBestWeights: true }), { onEpochEnd: (e: number, logs: Record<string, number>) => {
            progress(stage, k * config.training.epochs + e + 1, config.training.epochs * seeds.length);
            if (!sharing || k !== 0) return;
            sofarHistory.loss.push(logs.loss * lossScale);
            if (logs.valLoss !== undefined) sofarHistory.valLoss.push(logs.valLoss * lossScale);
            if (logs[valKey(metricKey)] !== undefined) sofarHistory.valMetric.push(logs[valKey(metricKey)]);
            shareRun();
          } }],
        });
      } catch (err) {
        // a non-finite loss in training, or activations that overflowed on the validation data: the run diverged
        if (err instanceof NonFiniteLossError) h = err.history;
        else if (err instanceof NonFiniteInputError) h = { loss: [], valLoss: [], lr: [], timeMs: [], batchLoss: [], batchLr: [], metrics: {}, valMetrics: {}, epochsRun: 0, stopReason: err.message };
        else throw err;
        diverged = true;
      }
      const trainingTimeMs = performance.now() - started;
      const valLosses = h.valLoss.map((v) => v * lossScale);
      const valMetric = h.valMetrics[metricKey] ?? [];
      const bestEpoch = valLosses.reduce((bi, v, i) => (v < valLosses[bi] ? i : bi), 0);
      const seedResult: SeedResult = {
        seed: s,
        valLoss: diverged || valLosses.length === 0 ? NaN : valLosses[bestEpoch],
        valMetric: diverged || valMetric.length === 0 ? null : valMetric[bestEpoch],
        epochsRun: h.epochsRun,
        epochsToTarget: target === null ? null : target.kind === 'loss' ? epochsTo(valLosses, target.value, false) : epochsTo(valMetric, target.value, metric.higherIsBetter),
        diverged,
      };
      results.push(seedResult);
      if (sharing) shareRun();
      if (recorder !== null) {
        const scaled = (v: number[]) => v.map((x) => x * lossScale);
        const last = valLosses.length ? valLosses[valLosses.length - 1] : NaN;
        first = {
          name, lr, epochsRun: h.epochsRun, trainingTimeMs,
          lastEpochValLoss: last, ...(isMse ? { lastEpochValMse: last } : {}),
          // a run that diverged in its first epoch has no epoch to analyze: oscillatory, nothing measured
          analysis: h.loss.length === 0
            ? { classification: 'oscillatory', oscillationIndex: NaN, relativeNoise: NaN, lossVariance: NaN, convergenceEpoch: null, monitored: 'valLoss' }
            : analyzeDynamics({ batchLoss: scaled(recorder.record.batchLoss), epochLoss: scaled(h.loss), valLoss: valLosses }),
          history: { loss: scaled(h.loss), valLoss: valLosses, lr: h.lr, timeMs: h.timeMs, valMetric: [...valMetric] },
          dynamics: { batchLoss: scaled(recorder.record.batchLoss), lr: recorder.record.lr, gradNorm: recorder.record.gradNorm, features: recorder.record.features, labels: recorder.record.labels },
        };
      }
    });
    const losses = results.map((r) => r.valLoss);
    const lossStats = losses.every(Number.isFinite) ? meanStd(losses) : { mean: NaN, std: NaN };
    const metricValues = results.map((r) => r.valMetric);
    const metricStats = metricValues.every((v): v is number => v !== null && Number.isFinite(v)) ? meanStd(metricValues) : null;
    return {
      ...(first as unknown as RunSummary),
      finalValLoss: lossStats.mean, valLossStd: lossStats.std, ...(isMse ? { finalValMse: lossStats.mean } : {}),
      finalValMetric: metricStats?.mean ?? null, valMetricStd: metricStats?.std ?? null,
      seeds: results,
    };
  };
  const describeRun = (r: RunSummary) => `${r.seeds.length > 1 ? `mean of ${r.seeds.length} seeds: ` : ''}validation ${lossName} ${formatNumber(r.finalValLoss)}${r.finalValMetric === null ? '' : `, ${metric.name} ${formatNumber(r.finalValMetric)}`}`;
  const baseline = time('baseline', () => longRuns('baseline', 'baseline', config.baselineLr));
  if (sharing) share({ baseline });
  note('baseline', `lr ${formatLr(config.baselineLr)}: ${baseline.epochsRun} epochs; ${describeRun(baseline)}`);
  const trainedName = `trained (${chosen.name})`;
  const optimized = chosen.lr === config.baselineLr ? { ...baseline, name: trainedName } : time('trained', () => longRuns(trainedName, 'trained', chosen.lr));
  note('trained', `${chosen.name} lr ${formatLr(chosen.lr)}: ${optimized.epochsRun} epochs; ${describeRun(optimized)}`);

  // the paired relative gain per seed: (baseline loss - trained loss) / |baseline loss|
  const gains = baseline.seeds.map((b, i) => (b.valLoss - optimized.seeds[i].valLoss) / Math.abs(b.valLoss));
  const comparisonOverSeeds = gains.every(Number.isFinite) ? pairedDifference(gains) : null;
  const trained = {
    name: chosen.name, lr: chosen.lr,
    reason: config.choose === 'validated'
      ? `the lowest validation ${lossName} of the ${candidates.length} candidates in the ${config.validation.epochs}-epoch validation run, as "choose": "validated" asks`
      : 'the steepest descent of the Savitzky-Golay-smoothed range-test loss, as "choose": "steepest" (the default) asks',
  };
  const recommendation = recommend({
    rules: { lrs: Object.fromEntries(Object.values(suggestion.suggestions).map((x) => [x.method, x.lr])), spreadDecades: suggestion.spreadDecades },
    sweepBestLr: sweep.bestLr, candidates: candidates.map((c) => ({ name: c.name, lr: c.lr, valLoss: c.valLoss })), trained,
    longRuns: {
      baselineLr: config.baselineLr, baselineLoss: baseline.finalValLoss, trainedLoss: optimized.finalValLoss, lossName,
      paired: comparisonOverSeeds ?? undefined,
      diverged: { baseline: baseline.seeds.filter((r) => r.diverged).length, trained: optimized.seeds.filter((r) => r.diverged).length, of: seeds.length },
    },
  });

  const result: FindLrResult<C> = {
    config, task, metric: { name: metric.name, higherIsBetter: metric.higherIsBetter }, lossName, model: modelName,
    data: { source: options.source ?? 'the data given', description: options.dataDescription ?? `${n} training and ${valid.x.shape[0]} validation examples`, trainExamples: n, validExamples: valid.x.shape[0], lossScale },
    rangeTest: rt, suggestion, rangeTestSeeds, sweep: { rows: sweep.rows, bestLr: sweep.bestLr },
    validation: { candidates, chosen, warnings: validationWarnings, seeds }, trained, comparisonOverSeeds, recommendation, baseline, optimized, target, timingsMs: timings,
  };
  if (sharing) share(result);
  return result;
}
