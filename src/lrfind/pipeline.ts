import { syntheticTimeSeries } from '../data/synthetic.js';
import { prepareSeries } from '../data/windows.js';
import { Sequential, Linear, ReLU } from '../nn/layers.js';
import type { Module } from '../nn/module.js';
import { Adam } from '../optim/adam.js';
import { SGD } from '../optim/sgd.js';
import { AdamW } from '../optim/adamw.js';
import { RMSprop } from '../optim/rmsprop.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { Tensor } from '../tensor/tensor.js';
import { manualSeed, Generator } from '../tensor/random.js';
import { fit, type History } from '../train/fit.js';
import { EarlyStopping } from '../train/callbacks.js';
import { DynamicsRecorder, analyzeDynamics, type DynamicsAnalysis, type DynamicsRecord } from '../train/dynamics.js';
import { rangeTest, type RangeTestResult } from './range-test.js';
import { suggestLr, type LrSuggestion } from './suggest.js';
import { lrSweep, logspace, type LrSweepRow } from './sweep.js';
import { recommend, type Recommendation } from './recommend.js';
import { StepLR } from '../schedulers/decay.js';
import { CosineAnnealingLR } from '../schedulers/cosine.js';
import { ReduceLROnPlateau } from '../schedulers/plateau.js';
import { OneCycleLR } from '../schedulers/cyclic.js';
import type { AnyOptimizer } from '../schedulers/scheduler.js';
import { formatNumber, formatLr, describe } from '../format/number.js';
import { checkOptionsObject, checkFunction } from '../format/check.js';

// The defaults follow seed 000 (its window, model, split, optimizer, lr bounds and baseline).
/** Everything the pipeline can be told; every field has a default (see `DEFAULT_CONFIG`). */
export interface PipelineConfig {
  /** Sliding-window length. Default 20. */
  window: number;
  /** Hidden layer widths of the ReLU MLP. Default [128, 64, 32]. */
  hidden: number[];
  trainFraction: number;
  batchSize: number;
  /**
   * Longer series are cut to their last `maxPoints` values (said in the progress output and the report), so a
   * million-row file finishes in minutes. Default 20000.
   */
  maxPoints: number;
  /** 'adam' (default), 'adamw', 'sgd' or 'rmsprop'. */
  optimizer: 'adam' | 'adamw' | 'sgd' | 'rmsprop';
  baselineLr: number;
  /**
   * Which lr trains as 'optimized': 'steepest' (the steepest descent of the smoothed range-test loss, default; the validation run only checks it) or
   * 'validated' (whichever candidate did best in the validation run, which may be the baseline).
   */
  choose: 'steepest' | 'validated';
  seed: number;
  rangeTest: { startLr: number; endLr: number; numIter: number; smoothing: number; divergeTh: number };
  /** The systematic sweep: `num` log-spaced lrs, `epochs` each (`--full-sweep`: 100 and 3). */
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

/** The pipeline's defaults: windows of 20, a 20-128-64-32-1 ReLU MLP, Adam, an 80/20 temporal split. */
export const DEFAULT_CONFIG: PipelineConfig = {
  window: 20,
  hidden: [128, 64, 32],
  trainFraction: 0.8,
  batchSize: 32,
  maxPoints: 20000,
  optimizer: 'adam',
  baselineLr: 1e-3,
  choose: 'steepest',
  seed: 42,
  rangeTest: { startLr: 1e-5, endLr: 1e-1, numIter: 100, smoothing: 0.95, divergeTh: 5 },
  sweep: { num: 12, epochs: 2 },
  validation: { epochs: 10 },
  training: { epochs: 100, patience: 10 },
  schedule: { type: 'constant', stepSize: 10, gamma: 0.1, etaMin: 0, patience: 5, factor: 0.5 },
};

/** Merges a user's partial config into the defaults, rejecting unknown keys and wrong kinds with one clear line. */
export function resolveConfig(partial: unknown = {}): PipelineConfig {
  const merge = (base: Record<string, unknown>, over: unknown, path: string): Record<string, unknown> => {
    if (over === null || typeof over !== 'object' || Array.isArray(over)) throw new TypeError(`config: expected ${path || 'the config'} to be an object, got ${describe(over)}`);
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(over)) {
      const where = path ? `${path}.${k}` : k;
      if (!(k in base)) throw new RangeError(`config: unknown key '${where}' (known: ${Object.keys(base).join(', ')})`);
      const b = base[k];
      if (b !== null && typeof b === 'object' && !Array.isArray(b)) out[k] = merge(b as Record<string, unknown>, v, where);
      else if (Array.isArray(b)) {
        if (!Array.isArray(v) || v.length === 0 || !v.every((n) => Number.isInteger(n) && n > 0)) throw new TypeError(`config: expected '${where}' to be a non-empty list of positive integers, got ${describe(v)}`);
        out[k] = v;
      } else if (typeof v !== typeof b) throw new TypeError(`config: expected '${where}' to be a ${typeof b}, got ${describe(v)}`);
      else out[k] = v;
    }
    return out;
  };
  const c = merge(DEFAULT_CONFIG as unknown as Record<string, unknown>, partial, '') as unknown as PipelineConfig;
  if (!['adam', 'adamw', 'sgd', 'rmsprop'].includes(c.optimizer)) throw new RangeError(`config: expected 'optimizer' to be adam, adamw, sgd or rmsprop, got '${c.optimizer}'`);
  const positiveInts: [string, number][] = [['window', c.window], ['batchSize', c.batchSize], ['maxPoints', c.maxPoints], ['rangeTest.numIter', c.rangeTest.numIter], ['sweep.num', c.sweep.num], ['sweep.epochs', c.sweep.epochs], ['validation.epochs', c.validation.epochs], ['training.epochs', c.training.epochs]];
  for (const [k, v] of positiveInts) if (!Number.isInteger(v) || v < 1) throw new RangeError(`config: expected '${k}' to be a positive integer, got ${describe(v)}`);
  if (!['constant', 'step', 'cosine', 'plateau', 'onecycle'].includes(c.schedule.type)) {
    throw new RangeError(`config: expected 'schedule.type' to be constant, step, cosine, plateau or onecycle, got '${c.schedule.type}'`);
  }
  if (c.choose !== 'steepest' && c.choose !== 'validated') throw new RangeError(`config: expected 'choose' to be 'steepest' or 'validated', got '${c.choose}'`);
  // every value is checked here, so a bad one is named by its key before any work starts
  const check = (ok: boolean, key: string, what: string, v: unknown) => {
    if (!ok) throw new RangeError(`config: expected '${key}' to be ${what}, got ${describe(v)}`);
  };
  const finite = (v: number) => Number.isFinite(v);
  const r = c.rangeTest, s = c.schedule;
  check(finite(c.baselineLr) && c.baselineLr > 0, 'baselineLr', 'a finite number > 0', c.baselineLr);
  check(finite(c.trainFraction) && c.trainFraction > 0 && c.trainFraction < 1, 'trainFraction', 'in (0, 1)', c.trainFraction);
  check(Number.isSafeInteger(c.seed), 'seed', 'an integer', c.seed);
  check(c.window <= 10000, 'window', 'at most 10000', c.window);
  check(c.maxPoints >= 3 * c.window, 'maxPoints', `at least 3 windows (${3 * c.window})`, c.maxPoints);
  check(c.hidden.every((h) => h <= 4096), 'hidden', 'widths of at most 4096', c.hidden);
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

/** One long training run, summarized as the results table needs. */
export interface RunSummary {
  name: string;
  lr: number;
  epochsRun: number;
  trainingTimeMs: number;
  /** Validation MSE of the weights kept (early stopping restores the best), in the series' units. */
  finalValMse: number;
  /** Validation MSE after the last epoch run, in the series' units. */
  lastEpochValMse: number;
  analysis: DynamicsAnalysis;
  history: Pick<History, 'loss' | 'valLoss' | 'lr' | 'timeMs'>;
  dynamics: Pick<DynamicsRecord, 'batchLoss' | 'lr' | 'gradNorm'>;
}

/** A learning rate tried in the validation run. */
export interface Candidate {
  name: string;
  lr: number;
  /** Best validation MSE over the short run, in the series' units (NaN if it diverged). */
  valMse: number;
}

/** Everything one pipeline run measured: what `results.json` holds. */
export interface PipelineResult {
  config: PipelineConfig;
  /** `points` in the series given, `usedPoints` of them used (the last ones; fewer when over `maxPoints`). */
  data: { points: number; usedPoints: number; trainWindows: number; validWindows: number; mseScale: number; source: string };
  rangeTest: RangeTestResult;
  suggestion: LrSuggestion;
  sweep: { rows: LrSweepRow[]; bestLr: number };
  validation: { candidates: Candidate[]; chosen: Candidate; warnings: string[] };
  /** The rate the long run trained (`optimized`), which candidate it is, and why it was chosen. */
  trained: { name: string; lr: number; reason: string };
  /** Which rate to use, weighing the rules, the sweep, the validation run and the long runs. */
  recommendation: Recommendation;
  baseline: RunSummary;
  optimized: RunSummary;
  timingsMs: Record<string, number>;
}

/** The stages the pipeline reports progress for. */
export type Stage = 'data' | 'range test' | 'sweep' | 'validation' | 'baseline' | 'trained' | 'report';

function makeOptimizer(kind: PipelineConfig['optimizer'], params: Tensor[], lr: number): Optimizer<{ lr: number }> {
  switch (kind) {
    case 'sgd': return new SGD(params, { lr, momentum: 0.9 }) as unknown as Optimizer<{ lr: number }>;
    case 'adamw': return new AdamW(params, { lr }) as unknown as Optimizer<{ lr: number }>;
    case 'rmsprop': return new RMSprop(params, { lr }) as unknown as Optimizer<{ lr: number }>;
    default: return new Adam(params, { lr }) as unknown as Optimizer<{ lr: number }>;
  }
}

function makeSchedule(config: PipelineConfig, optimizer: Optimizer<{ lr: number }>, batchesPerEpoch: number): { scheduler?: { step(...a: any[]): unknown }; interval: 'epoch' | 'batch' } {
  const s = config.schedule, o = optimizer as unknown as AnyOptimizer;
  switch (s.type) {
    case 'step': return { scheduler: new StepLR(o, { stepSize: s.stepSize, gamma: s.gamma }), interval: 'epoch' };
    case 'cosine': return { scheduler: new CosineAnnealingLR(o, { tMax: config.training.epochs, etaMin: s.etaMin }), interval: 'epoch' };
    case 'plateau': return { scheduler: new ReduceLROnPlateau(o, { patience: s.patience, factor: s.factor }), interval: 'epoch' };
    case 'onecycle': return { scheduler: new OneCycleLR(o, { maxLr: optimizer.paramGroups[0].lr, totalSteps: config.training.epochs * batchesPerEpoch }), interval: 'batch' };
    default: return { interval: 'epoch' };
  }
}

/**
 * The whole learning-rate job on a series: windows and a temporal split standardized on the training part; a range
 * test and its suggestions; the systematic sweep; a short validation run of the candidates (the steepest-descent
 * lr, the valley lr, the sweep's best and the baseline); then the baseline and the found lr (`config.choose`) trained side by side
 * from the same seed and initialization with early stopping, each with its training dynamics analyzed.
 */
export function runPipeline(options: { series?: Float32Array; source?: string; config?: unknown; onStage?: (stage: Stage, detail: string) => void; onProgress?: (stage: Stage, done: number, total: number) => void } = {}): PipelineResult {
  options = checkOptionsObject('runPipeline', options, ['series', 'source', 'config', 'onStage', 'onProgress']);
  if (options.onStage !== undefined) checkFunction('runPipeline', 'onStage', options.onStage);
  if (options.onProgress !== undefined) checkFunction('runPipeline', 'onProgress', options.onProgress);
  if (options.source !== undefined && typeof options.source !== 'string') throw new TypeError(`runPipeline: expected source to be a string, got ${describe(options.source)}`);
  const config = resolveConfig(options.config ?? {});
  const note = options.onStage ?? (() => {});
  const progress = options.onProgress ?? (() => {});
  const timings: Record<string, number> = {};
  const time = <T>(name: string, fn: () => T): T => {
    const t0 = performance.now();
    const out = fn();
    timings[name] = performance.now() - t0;
    return out;
  };
  const { window, seed } = config;

  const given = options.series ?? syntheticTimeSeries().values;
  if (!(given instanceof Float32Array)) throw new TypeError(`runPipeline: expected series to be a Float32Array, got ${describe(given)}`);
  if (given.length < window * 3) {
    throw new RangeError(`runPipeline: expected a series of at least ${window * 3} values for window ${window} (training and validation windows), got ${given.length}`);
  }
  const values = given.length > config.maxPoints ? given.subarray(given.length - config.maxPoints) : given;
  if (values !== given) note('data', `the series has ${given.length} points; using its last ${values.length} ("maxPoints" in --config) so the job finishes in minutes`);
  const { train: trainData, valid: validData, mseScale } = prepareSeries(values, { window, trainFraction: config.trainFraction });
  note('data', `${values.length} points, ${trainData.x.shape[0]} training and ${validData.x.shape[0]} validation windows`);

  const makeModel = (): Module => {
    const sizes = [window, ...config.hidden];
    const layers: Module[] = [];
    for (let i = 1; i < sizes.length; i++) layers.push(new Linear(sizes[i - 1], sizes[i]), new ReLU());
    layers.push(new Linear(sizes[sizes.length - 1], 1));
    return new Sequential(...layers);
  };

  const rt = time('rangeTest', () => {
    manualSeed(seed);
    const model = makeModel();
    return rangeTest(model, { x: trainData.x, y: trainData.y, optimizer: makeOptimizer(config.optimizer, model.parameters(), config.baselineLr), batchSize: config.batchSize, seed, ...config.rangeTest, onStep: (i, n) => progress('range test', i, n) });
  });
  const suggestion = suggestLr(rt.lrs, rt.losses, { smoothed: rt.smoothedLosses });
  note('range test', `${rt.iterations} steps from ${formatLr(config.rangeTest.startLr)} to ${formatLr(config.rangeTest.endLr)} (${rt.stopReason}); steepest descent at ${formatLr(suggestion.lr)}`);

  const sweepLrs = logspace(config.rangeTest.startLr, config.rangeTest.endLr, config.sweep.num);
  const sweep = time('sweep', () =>
    lrSweep({ makeModel, makeOptimizer: (p, lr) => makeOptimizer(config.optimizer, p, lr), x: trainData.x, y: trainData.y, validationData: validData, lrs: sweepLrs, epochs: config.sweep.epochs, batchSize: config.batchSize, seed, onResult: (_r, i, n) => progress('sweep', i + 1, n) }),
  );
  note('sweep', `${sweep.rows.length} lrs x ${config.sweep.epochs} epoch(s); best ${formatLr(sweep.bestLr)}`);

  const proposals: [string, number][] = [['steepest', suggestion.suggestions.steepest.lr], ['valley', suggestion.suggestions.valley.lr], ['sweep best', sweep.bestLr], ['baseline', config.baselineLr]];
  const candidates = time('validation', () => {
    const short = lrSweep({ makeModel, makeOptimizer: (p, lr) => makeOptimizer(config.optimizer, p, lr), x: trainData.x, y: trainData.y, validationData: validData, lrs: proposals.map(([, lr]) => lr), epochs: config.validation.epochs, batchSize: config.batchSize, seed, onResult: (_r, i, n) => progress('validation', i + 1, n) });
    return short.rows.map((r, i): Candidate => ({ name: proposals[i][0], lr: r.lr, valMse: r.diverged ? NaN : (r.bestValLoss as number) * mseScale }));
  });
  const best = candidates.filter((c) => Number.isFinite(c.valMse)).reduce((a, b) => (b.valMse < a.valMse ? b : a), candidates[candidates.length - 1]);
  const chosen = config.choose === 'validated' ? best : candidates[0];
  const validationWarnings: string[] = [];
  const base = candidates[candidates.length - 1];
  if (!(chosen.valMse <= base.valMse)) {
    validationWarnings.push(`in the ${config.validation.epochs}-epoch validation run the ${chosen.name} lr ${formatLr(chosen.lr)} reached ${formatNumber(chosen.valMse)}, the baseline ${formatNumber(base.valMse)}`);
  }
  note('validation', `${candidates.map((c) => `${c.name} ${formatLr(c.lr)}: ${formatNumber(c.valMse)}`).join(', ')}; training ${chosen.name}`);

  const train_ = (name: string, lr: number): RunSummary => {
    manualSeed(seed);
    const model = makeModel();
    const recorder = new DynamicsRecorder();
    const started = performance.now();
    const optimizer = makeOptimizer(config.optimizer, model.parameters(), lr);
    const { scheduler, interval } = makeSchedule(config, optimizer, Math.ceil(trainData.x.shape[0] / config.batchSize));
    const h = fit(model, {
      x: trainData.x, y: trainData.y, validationData: validData, optimizer, scheduler, schedulerInterval: interval,
      epochs: config.training.epochs, batchSize: config.batchSize, generator: new Generator(seed), progress: false,
      callbacks: [recorder, new EarlyStopping({ patience: config.training.patience, restoreBestWeights: true }), { onEpochEnd: (e: number) => progress(name === 'baseline' ? 'baseline' : 'trained', e + 1, config.training.epochs) }],
    });
    const trainingTimeMs = performance.now() - started;
    const scaled = (v: number[]) => v.map((x) => x * mseScale);
    return {
      name, lr, epochsRun: h.epochsRun, trainingTimeMs,
      finalValMse: Math.min(...h.valLoss) * mseScale,
      lastEpochValMse: h.valLoss[h.valLoss.length - 1] * mseScale,
      // in the series' units, so the loss variance reads like seed 000's table
      analysis: analyzeDynamics({ batchLoss: scaled(recorder.record.batchLoss), epochLoss: scaled(h.loss), valLoss: scaled(h.valLoss) }),
      history: { loss: scaled(h.loss), valLoss: scaled(h.valLoss), lr: h.lr, timeMs: h.timeMs },
      dynamics: { batchLoss: scaled(recorder.record.batchLoss), lr: recorder.record.lr, gradNorm: recorder.record.gradNorm },
    };
  };
  const baseline = time('baseline', () => train_('baseline', config.baselineLr));
  note('baseline', `lr ${formatLr(config.baselineLr)}: ${baseline.epochsRun} epochs, validation MSE ${formatNumber(baseline.finalValMse)}`);
  const trainedName = `trained (${chosen.name})`;
  const optimized = chosen.lr === config.baselineLr ? { ...baseline, name: trainedName } : time('trained', () => train_(trainedName, chosen.lr));
  note('trained', `${chosen.name} lr ${formatLr(chosen.lr)}: ${optimized.epochsRun} epochs, validation MSE ${formatNumber(optimized.finalValMse)}`);

  const trained = {
    name: chosen.name, lr: chosen.lr,
    reason: config.choose === 'validated'
      ? `the lowest validation MSE of the ${candidates.length} candidates in the ${config.validation.epochs}-epoch validation run, as "choose": "validated" asks`
      : 'the steepest descent of the Savitzky-Golay-smoothed range-test loss, as "choose": "steepest" (the default) asks',
  };
  const recommendation = recommend({
    rules: { lrs: Object.fromEntries(Object.values(suggestion.suggestions).map((x) => [x.method, x.lr])), spreadDecades: suggestion.spreadDecades },
    sweepBestLr: sweep.bestLr, candidates, trained,
    longRuns: { baselineLr: config.baselineLr, baselineMse: baseline.finalValMse, trainedMse: optimized.finalValMse },
  });

  return {
    config,
    data: { points: given.length, usedPoints: values.length, trainWindows: trainData.x.shape[0], validWindows: validData.x.shape[0], mseScale, source: options.source ?? 'the built-in synthetic series' },
    rangeTest: rt, suggestion, sweep: { rows: sweep.rows, bestLr: sweep.bestLr }, validation: { candidates, chosen, warnings: validationWarnings }, trained, recommendation, baseline, optimized, timingsMs: timings,
  };
}
