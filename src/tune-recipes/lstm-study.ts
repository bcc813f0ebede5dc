// The tuned LSTM forecaster, end to end: a study over the LSTM's hyperparameters (TPE, median pruning on the
// validation loss each epoch), the best model saved, the study's report, the best configuration retrained and
// compared with a tuned MLP and the naive last-value forecast on validation and test data.
// The space, the sampler (TPE seeded 42), the pruner and the saved files follow seed 002's study.
import { checkOptionsObject, checkInteger, checkRecord, checkNumbers, checkFinite, checkFunction } from '../format/check.js';
import { describe } from '../format/number.js';
import { existsSync } from 'node:fs';
import { makeDirs } from '../io/output-dir.js';
import { join } from 'node:path';
import { Tensor } from '../tensor/tensor.js';
import { Generator } from '../tensor/random.js';
import { syntheticTimeSeries } from '../data/synthetic.js';
import { slidingWindows, fitStandardizer, type WindowedData, type Standardizer } from '../data/windows.js';
import { Sequential, Linear, ReLU } from '../nn/layers.js';
import { LSTMForecaster } from '../nn/forecaster.js';
import { Module, type StateDict } from '../nn/module.js';
import { saveModel } from '../nn/serialize.js';
import { Adam } from '../optim/adam.js';
import { AdamW } from '../optim/adamw.js';
import { fit, evaluate } from '../train/fit.js';
import type { Callback } from '../train/callback.js';
import { PruningCallback } from '../train/pruning-callback.js';
import { failDiverged } from './divergence.js';
import { writeFileAtomic } from '../io/atomic.js';
import { createStudy, type Study } from '../tune/study.js';
import type { Trial } from '../tune/trial.js';
import type { TrialEpoch } from './forecast.js';
import type { FrozenTrial, ParamValue } from '../tune/types.js';
import type { Storage } from '../tune/storage/base.js';
import { TPESampler } from '../tune/samplers/tpe.js';
import { MedianPruner } from '../tune/pruners/median.js';
import { writeStudyReport } from '../tune/report.js';

/**
 * The LSTM search space: choices for categorical parameters, [low, high] for numeric ones. Each key names its
 * trial parameter, but for `learningRate`, whose parameter is `lr` (as in `lrlab tune`).
 */
export interface LstmSearchSpace {
  hiddenSize: number[];
  numLayers: [number, number];
  /** The range of the parameter `lr`, on a log scale. */
  learningRate: [number, number];
  dropout: [number, number];
  /** Log scale. */
  weightDecay: [number, number];
  batchSize: number[];
  optimizer: ('Adam' | 'AdamW')[];
}

/** The tuned LSTM's search space: hidden size, layers 1..4, lr and weight decay on log scales, dropout, batch size, optimizer. */
export const LSTM_SEARCH_SPACE: Readonly<LstmSearchSpace> = Object.freeze({
  hiddenSize: [32, 64, 128, 256],
  numLayers: [1, 4],
  learningRate: [1e-5, 1e-1],
  dropout: [0.1, 0.5],
  weightDecay: [1e-6, 1e-3],
  batchSize: [16, 32, 64, 128],
  optimizer: ['Adam', 'AdamW'],
}) as LstmSearchSpace;

/** Options of `tuneLstm`. */
export interface TuneLstmOptions {
  /** The series. Default: the built-in synthetic series. */
  values?: Float32Array;
  /** Where the series came from, for the results. Default 'the built-in series'. */
  source?: string;
  /** Window length. Default 20. */
  window?: number;
  /** Fractions of the series for training and validation, in time order; the rest is the test part. Default 0.7, 0.15. */
  trainFraction?: number;
  validFraction?: number;
  /** Trials of the LSTM study. Default 50. */
  nTrials?: number;
  /** Seconds after which no new LSTM trial starts. Default none. */
  timeout?: number;
  /** Trials run at once (see `study.optimize`). Default 1. */
  nJobs?: number;
  /** Storage of the LSTM study (a URL or a Storage). Default: in memory. */
  storage?: string | Storage;
  /** Default 'lstm_optimization'. */
  studyName?: string;
  /** Epochs per trial, each followed by a validation loss report (and a pruning check). Default 20. */
  epochs?: number;
  /** Epochs of the final retraining of each best configuration. Default: `epochs`. */
  retrainEpochs?: number;
  /** Trials of the MLP study. Default: `nTrials`. */
  mlpTrials?: number;
  /** Seeds the samplers (TPE seed), the models' initialization and the shuffling. Default 42. */
  seed?: number;
  /** Narrows or changes the search space (quick runs, tests). Default: `LSTM_SEARCH_SPACE`. */
  space?: Partial<LstmSearchSpace>;
  /** Folder for the files; none are written without it. */
  outDir?: string;
  /** Progress lines. Default: none. */
  log?: (line: string) => void;
  /** Called after each epoch of each trial of both studies (progress output); the MSE is in standardized units. */
  onEpoch?: (e: TrialEpoch & { study: 'lstm' | 'mlp' }) => void;
}

/** One row of the final comparison; errors are MSEs in the series' units. */
export interface ForecastComparisonRow {
  model: string;
  validMse: number;
  testMse: number;
}

/** What `tuneLstm` returns. */
export interface TuneLstmResult {
  study: Study;
  mlpStudy: Study;
  /** The best LSTM trial (its value is the best validation MSE in standardized units). */
  bestTrial: FrozenTrial;
  /** LSTM (retrained), MLP (retrained) and naive last value, on validation and test. */
  comparison: ForecastComparisonRow[];
  /** Files written into `outDir` (paths relative to it). */
  files: string[];
}

/** The split, standardized data the study trains and evaluates on. */
export interface ForecastData {
  train: WindowedData;
  valid: WindowedData;
  test: WindowedData;
  scaler: Standardizer;
  /** MSE in standardized units times this is MSE in the series' units. */
  mseScale: number;
}

/**
 * Splits a series in time order into training, validation and test parts, standardizes all three with the training
 * part's mean and deviation, and makes windows [n, window, 1]. Validation and test windows may start in the part
 * before them (their inputs are the past); their targets lie in their own part.
 */
export function forecastData(values: Float32Array, options: { window?: number; trainFraction?: number; validFraction?: number } = {}): ForecastData {
  checkNumbers('forecastData', 'values', values);
  checkOptionsObject('forecastData', options, ['window', 'trainFraction', 'validFraction']);
  if (options.window !== undefined) checkInteger('forecastData', 'window', options.window, 1, 2 ** 31 - 1);
  for (const k of ['trainFraction', 'validFraction'] as const) if (options[k] !== undefined) checkFinite('forecastData', k, options[k], 0, 1);
  if (!(values instanceof Float32Array)) values = Float32Array.from(values as ArrayLike<number>);
  const { window = 20, trainFraction = 0.7, validFraction = 0.15 } = options;
  if (!(trainFraction > 0 && validFraction > 0 && trainFraction + validFraction < 1)) {
    throw new RangeError(`forecastData: expected positive fractions with trainFraction + validFraction < 1, got ${trainFraction} and ${validFraction}`);
  }
  const a = Math.round(values.length * trainFraction), b = Math.round(values.length * (trainFraction + validFraction));
  if (a <= window || b - a < 1 || values.length - b < 1) {
    throw new RangeError(`forecastData: expected a series long enough for window ${window} and three parts, got ${values.length} values`);
  }
  const scaler = fitStandardizer(values.subarray(0, a));
  const z = scaler.transform(values);
  const windows = (start: number, end: number) => slidingWindows(z.subarray(Math.max(0, start - window), end), window, { sequence: true });
  return { train: windows(window, a), valid: windows(a, b), test: windows(b, values.length), scaler, mseScale: scaler.std * scaler.std };
}

/** The MSE of the naive forecast, each window's last value, in standardized units. */
export function naiveLastValueMse(d: WindowedData): number {
  checkRecord('naiveLastValueMse', 'windows { x, y }', d, ['x', 'y']);
  if (!(d.x instanceof Tensor) || !(d.y instanceof Tensor) || d.x.ndim < 2 || d.x.shape[0] === 0 || d.y.size !== d.x.shape[0]) {
    throw new RangeError(`naiveLastValueMse: expected x [n, window, ...] and y [n] tensors with n >= 1, got ${d.x instanceof Tensor ? `[${d.x.shape.join(', ')}]` : describe(d.x)} and ${d.y instanceof Tensor ? `[${d.y.shape.join(', ')}]` : describe(d.y)}`);
  }
  const [n, w] = d.x.shape;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const e = d.x.data[i * w + w - 1] - d.y.data[i];
    s += e * e;
  }
  return s / n;
}

type Params = Record<string, ParamValue>;

/**
 * The names the study's parameters had before they were named in camelCase, as `lrlab tune`'s: a study stored
 * then (SQLite, PostgreSQL) keeps them when it resumes, so that its sampler sees one search space.
 */
const LEGACY_NAMES: Record<string, string> = { hiddenSize: 'hidden_size', numLayers: 'num_layers', lr: 'learning_rate', weightDecay: 'weight_decay', batchSize: 'batch_size' };

/** A parameter by its camelCase name, or by its earlier name in a trial of a study from before. */
const param = (params: Params, name: string): ParamValue => params[name] ?? params[LEGACY_NAMES[name] ?? name];

/** Whether a study's trials use the earlier snake_case names (hidden_size, learning_rate, ...). */
function usesLegacyNames(trials: readonly FrozenTrial[]): boolean {
  const legacy = Object.values(LEGACY_NAMES);
  return trials.some((t) => Object.keys(t.params).some((k) => legacy.includes(k)));
}

/**
 * The model a trial's parameters describe: the LSTM forecaster (hiddenSize, numLayers, dropout), or the MLP
 * (20-128-64-32-1, ReLU) on the flattened window. The earlier names (hidden_size, num_layers) are read too.
 */
export function buildForecaster(kind: 'lstm' | 'mlp', params: Params, window: number, seed: number): Module {
  if (kind !== 'lstm' && kind !== 'mlp') throw new TypeError(`buildForecaster: expected kind 'lstm' or 'mlp', got ${describe(kind)}`);
  checkRecord('buildForecaster', 'params', params);
  if (kind === 'lstm') {
    const missing = ['hiddenSize', 'numLayers', 'dropout'].filter((k) => param(params, k) === undefined);
    if (missing.length > 0) throw new TypeError(`buildForecaster: expected params with hiddenSize, numLayers, dropout, got one without ${missing.join(', ')}`);
  }
  checkInteger('buildForecaster', 'window', window, 1, 2 ** 31 - 1);
  checkInteger('buildForecaster', 'seed', seed, -Number.MAX_SAFE_INTEGER);
  const generator = new Generator(seed);
  if (kind === 'lstm') {
    return new LSTMForecaster(1, param(params, 'hiddenSize') as number, param(params, 'numLayers') as number, params.dropout as number, 1, { generator });
  }
  return new Sequential(new Flatten(), new Linear(window, 128, { generator }), new ReLU(), new Linear(128, 64, { generator }), new ReLU(), new Linear(64, 32, { generator }), new ReLU(), new Linear(32, 1, { generator }));
}

/** [n, window, 1] to [n, window] for the MLP. */
class Flatten extends Module {
  forward(x: Tensor): Tensor {
    return x.ndim === 2 ? x : x.reshape([x.shape[0], -1]);
  }
}

interface TrainOutcome {
  bestValue: number;
  bestEpoch: number;
  bestState: StateDict;
  model: Module;
  /** The first epoch whose validation MSE was not finite (a diverged run), if any. */
  nonFinite?: { epoch: number; value: number };
}

/**
 * Trains one configuration: the optimizer and batch size from `params`, `epochs` epochs with the validation MSE
 * after each. With a trial, a `PruningCallback` reports each loss and asks the pruner; a pruned trial throws
 * `TrialPruned`. Keeps the weights of the epoch with the lowest validation loss (as the tuned LSTM's trainer keeps
 * its best).
 */
async function trainConfig(kind: 'lstm' | 'mlp', params: Params, data: ForecastData, epochs: number, seed: number, trial?: Trial, onEpoch?: (e: TrialEpoch) => void): Promise<TrainOutcome> {
  const model = buildForecaster(kind, params, data.train.x.shape[1], seed);
  const Opt = params.optimizer === 'AdamW' ? AdamW : Adam;
  const optimizer = new Opt(model.parameters(), { lr: param(params, 'lr') as number, weightDecay: param(params, 'weightDecay') as number });
  const generator = new Generator(seed + 1);
  let best: TrainOutcome = { bestValue: Infinity, bestEpoch: -1, bestState: model.stateDict(), model };
  let nonFinite: TrainOutcome['nonFinite'];
  const keepBest: Callback = {
    onEpochEnd: (epoch, logs) => {
      if (!Number.isFinite(logs.valLoss)) nonFinite ??= { epoch, value: logs.valLoss };
      if (logs.valLoss < best.bestValue) best = { bestValue: logs.valLoss, bestEpoch: epoch, bestState: model.stateDict(), model };
      if (trial !== undefined) onEpoch?.({ trial: trial.number, epoch: epoch + 1, epochs, valMse: logs.valLoss, units: 'standardized' });
    },
  };
  fit(model, {
    x: data.train.x, y: data.train.y, validationData: data.valid, optimizer, epochs, batchSize: param(params, 'batchSize') as number, generator, progress: false,
    callbacks: trial === undefined ? [keepBest] : [keepBest, new PruningCallback(trial, { monitor: 'valLoss' })],
  });
  await new Promise((r) => setImmediate(r)); // let other jobs run between trials
  return { ...best, nonFinite };
}

/**
 * A trial's training: its outcome, or NaN when the run diverged (the trial then fails with `userAttrs.failReason`,
 * and the study goes on); a validation MSE that is not finite at some epoch is a diverged run too.
 */
async function trainTrial(kind: 'lstm' | 'mlp', params: Params, data: ForecastData, epochs: number, seed: number, trial: Trial, onEpoch?: (e: TrialEpoch) => void): Promise<TrainOutcome | number> {
  let r: TrainOutcome;
  try {
    r = await trainConfig(kind, params, data, epochs, seed, trial, onEpoch);
  } catch (error) {
    return failDiverged(trial, error);
  }
  if (r.nonFinite !== undefined) {
    trial.setUserAttr('failReason', `training diverged: the validation MSE became ${r.nonFinite.value} at epoch ${r.nonFinite.epoch + 1}`);
    return NaN;
  }
  return r;
}

/** The LSTM's parameters, in camelCase (or, for a study begun with them, the earlier names: `legacy`). */
function suggestLstm(trial: Trial, s: LstmSearchSpace, legacy = false): Params {
  const name = (k: string) => (legacy ? LEGACY_NAMES[k] ?? k : k);
  return {
    [name('hiddenSize')]: trial.suggestCategorical(name('hiddenSize'), s.hiddenSize),
    [name('numLayers')]: trial.suggestInt(name('numLayers'), s.numLayers[0], s.numLayers[1]),
    [name('lr')]: trial.suggestFloat(name('lr'), s.learningRate[0], s.learningRate[1], { log: true }),
    dropout: trial.suggestFloat('dropout', s.dropout[0], s.dropout[1]),
    [name('weightDecay')]: trial.suggestFloat(name('weightDecay'), s.weightDecay[0], s.weightDecay[1], { log: true }),
    [name('batchSize')]: trial.suggestCategorical(name('batchSize'), s.batchSize),
    optimizer: trial.suggestCategorical('optimizer', s.optimizer),
  };
}

function suggestMlp(trial: Trial, s: LstmSearchSpace): Params {
  return {
    lr: trial.suggestFloat('lr', s.learningRate[0], s.learningRate[1], { log: true }),
    weightDecay: trial.suggestFloat('weightDecay', s.weightDecay[0], s.weightDecay[1], { log: true }),
    batchSize: trial.suggestCategorical('batchSize', s.batchSize),
    optimizer: trial.suggestCategorical('optimizer', s.optimizer),
  };
}

function checkOptions(o: TuneLstmOptions): void {
  const fn = 'tuneLstm';
  checkOptionsObject(fn, o, ['values', 'source', 'window', 'trainFraction', 'validFraction', 'nTrials', 'timeout', 'nJobs', 'storage', 'studyName', 'epochs', 'retrainEpochs', 'mlpTrials', 'seed', 'space', 'outDir', 'log', 'onEpoch']);
  for (const k of ['trainFraction', 'validFraction', 'timeout'] as const) if (o[k] !== undefined && typeof o[k] !== 'number') throw new TypeError(`${fn}: expected ${k} to be a number, got ${describe(o[k])}`);
  for (const k of ['source', 'studyName', 'outDir'] as const) if (o[k] !== undefined && typeof o[k] !== 'string') throw new TypeError(`${fn}: expected ${k} to be a string, got ${describe(o[k])}`);
  if (o.log !== undefined) checkFunction(fn, 'log', o.log);
  if (o.onEpoch !== undefined) checkFunction(fn, 'onEpoch', o.onEpoch);
  if (o.space !== undefined && (o.space === null || typeof o.space !== 'object' || Array.isArray(o.space))) throw new TypeError(`${fn}: expected space to be an object, got ${describe(o.space)}`);
  for (const k of ['nTrials', 'nJobs', 'epochs', 'retrainEpochs', 'mlpTrials', 'window'] as const) {
    const v = o[k];
    if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 1)) throw new RangeError(`${fn}: expected ${k} to be a positive integer, got ${v}`);
  }
  if (o.timeout !== undefined && !(o.timeout > 0)) throw new RangeError(`${fn}: expected timeout to be a positive number of seconds, got ${o.timeout}`);
  if (o.seed !== undefined && !Number.isSafeInteger(o.seed)) throw new TypeError(`${fn}: expected seed to be an integer, got ${o.seed}`);
  if (o.values !== undefined && !(o.values instanceof Float32Array)) throw new TypeError(`${fn}: expected values to be a Float32Array, got ${typeof o.values}`);
  const known = Object.keys(LSTM_SEARCH_SPACE);
  for (const k of Object.keys(o.space ?? {})) if (!known.includes(k)) throw new RangeError(`${fn}: expected space keys among ${known.join(', ')}, got '${k}'`);
}

/**
 * The tuned LSTM forecaster study, end to end (Optuna's names for the study):
 * 1. an LSTM study over `LSTM_SEARCH_SPACE` with `TPESampler({ seed })` and `MedianPruner()`, each trial training
 *    `epochs` epochs and reporting its validation MSE after each (pruned trials stop there); its value is its best
 *    validation MSE, and the best trial's weights at that epoch are saved as `best-model.json` (loadable with
 *    `loadModel` into `buildForecaster('lstm', bestParams, window, seed + bestTrial.number)`);
 * 2. an MLP study (the 20-128-64-32-1 ReLU MLP; lr, weight decay, batch size, optimizer) with the same sampler
 *    and pruner;
 * 3. each best configuration retrained from its seed for `retrainEpochs`, keeping its best validation epoch, and
 *    evaluated on the test part beside the naive last-value forecast.
 * With `outDir`, writes `best-model.json`, `results.json` (every trial, the best, the comparison), `summary.md`
 * and the study's report under `study/` (history, importances, slice, parallel coordinates, ... as SVG).
 */
export async function tuneLstm(options: TuneLstmOptions = {}): Promise<TuneLstmResult> {
  checkOptions(options);
  const seed = options.seed ?? 42, epochs = options.epochs ?? 20, window = options.window ?? 20;
  const nTrials = options.nTrials ?? 50;
  const log = options.log ?? (() => {});
  const space: LstmSearchSpace = { ...LSTM_SEARCH_SPACE, ...options.space };
  const values = options.values ?? syntheticTimeSeries().values;
  const data = forecastData(values, { window, trainFraction: options.trainFraction, validFraction: options.validFraction });
  const out = options.outDir;
  // created a level at a time, before the study: Node's recursive mkdirSync spins forever under /proc
  if (out !== undefined) makeDirs(out, 'tuneLstm: outDir');
  const files: string[] = [];

  const study = await createStudy({
    studyName: options.studyName ?? 'lstm_optimization', direction: 'minimize', storage: options.storage, loadIfExists: true,
    sampler: new TPESampler({ seed }), pruner: new MedianPruner(),
  });
  log(`LSTM study '${study.studyName}': ${nTrials} trials of ${epochs} epochs, ${data.train.x.shape[0]} training windows; each trial's value is its best validation MSE (standardized)`);
  // a study begun before the parameters were named in camelCase keeps its names: renamed, its new trials would be
  // another search space to the sampler, which would learn nothing from the earlier ones
  const legacy = usesLegacyNames(study.trials);
  if (legacy) log(`study '${study.studyName}' names its parameters hidden_size, num_layers, learning_rate, weight_decay, batch_size as lrlab did before camelCase names (hiddenSize, numLayers, lr, weightDecay, batchSize): its new trials keep those names, so that its sampler sees one search space`);
  const onEpoch = options.onEpoch;
  // a resumed study (--storage) keeps the model file of its earlier best unless this run beats it
  const earlier = study.getTrials({ states: ['complete'] }).filter((t) => t.value !== null);
  let bestSaved = out !== undefined && existsSync(join(out, 'best-model.json')) && earlier.length > 0 ? Math.min(...earlier.map((t) => t.value as number)) : Infinity;
  let savedTrial: number | null = null;
  await study.optimize(async (trial) => {
    const params = suggestLstm(trial, space, legacy);
    const r = await trainTrial('lstm', params, data, epochs, seed + trial.number, trial, onEpoch && ((e) => onEpoch({ ...e, study: 'lstm' })));
    if (typeof r === 'number') return r;
    trial.setUserAttr('bestEpoch', r.bestEpoch);
    if (out !== undefined && r.bestValue < bestSaved) {
      bestSaved = r.bestValue;
      savedTrial = trial.number;
      r.model.loadStateDict(r.bestState);
      saveModel(r.model, join(out, 'best-model.json'));
    }
    return r.bestValue;
  }, {
    nTrials, timeout: options.timeout, nJobs: options.nJobs ?? 1,
    callbacks: [(_, t) => log(`  LSTM trial ${t.number} ${t.state}${t.value === null ? '' : ` val MSE ${t.value.toPrecision(4)} (standardized)`}${t.state === 'fail' ? ` (${String(t.userAttrs.failReason ?? t.systemAttrs.failReason)})` : ''} ${JSON.stringify(t.params)}`)],
  });
  const bestTrial = study.bestTrial;
  if (out !== undefined && existsSync(join(out, 'best-model.json'))) files.push('best-model.json');

  const mlpStudy = await createStudy({ studyName: `${study.studyName}_mlp`, direction: 'minimize', sampler: new TPESampler({ seed }), pruner: new MedianPruner() });
  await mlpStudy.optimize(async (trial) => {
    const r = await trainTrial('mlp', suggestMlp(trial, space), data, epochs, seed + trial.number, trial, onEpoch && ((e) => onEpoch({ ...e, study: 'mlp' })));
    return typeof r === 'number' ? r : r.bestValue;
  }, { nTrials: options.mlpTrials ?? nTrials, timeout: options.timeout });
  log(`MLP study: best validation MSE ${mlpStudy.bestValue.toPrecision(4)} (standardized) ${JSON.stringify(mlpStudy.bestParams)}`);

  const retrainEpochs = options.retrainEpochs ?? epochs;
  const finalRow = async (name: string, kind: 'lstm' | 'mlp', best: FrozenTrial): Promise<ForecastComparisonRow> => {
    const r = await trainConfig(kind, best.params, data, retrainEpochs, seed + best.number);
    r.model.loadStateDict(r.bestState);
    return { model: name, validMse: r.bestValue * data.mseScale, testMse: evaluate(r.model, data.test.x, data.test.y) * data.mseScale };
  };
  const comparison = [
    await finalRow('tuned LSTM', 'lstm', bestTrial),
    await finalRow('tuned MLP', 'mlp', mlpStudy.bestTrial),
    { model: 'naive last value', validMse: naiveLastValueMse(data.valid) * data.mseScale, testMse: naiveLastValueMse(data.test) * data.mseScale },
  ];
  // the comparison is returned (and written to summary.md), not logged: the command prints it once, on stdout

  if (out !== undefined) {
    const trials = study.trials;
    const count = (s: string) => trials.filter((t) => t.state === s).length;
    const results = {
      studyName: study.studyName, source: options.source ?? 'the built-in series', window, epochs, retrainEpochs, seed,
      split: { train: data.train.x.shape[0], valid: data.valid.x.shape[0], test: data.test.x.shape[0] },
      sampler: `TPESampler(seed=${seed})`, pruner: 'MedianPruner()', space,
      counts: { complete: count('complete'), pruned: count('pruned'), fail: count('fail') },
      bestTrial: { number: bestTrial.number, value: bestTrial.value, params: bestTrial.params, bestEpoch: bestTrial.userAttrs.bestEpoch ?? bestTrial.userAttrs.best_epoch, modelSeed: seed + bestTrial.number },
      bestModelFile: savedTrial === null ? 'kept from an earlier run of this study' : { trial: savedTrial, value: bestSaved },
      mlp: { bestValue: mlpStudy.bestValue, bestParams: mlpStudy.bestParams },
      comparison,
      trials: trials.map((t) => ({
        number: t.number, state: t.state, value: t.value, params: t.params, intermediateValues: Object.fromEntries(t.intermediateValues),
        ...(t.state === 'fail' ? { failReason: t.userAttrs.failReason ?? t.systemAttrs.failReason } : {}),
      })),
    };
    writeFileAtomic(join(out, 'results.json'), JSON.stringify(results, null, 1));
    files.push('results.json');
    const report = await writeStudyReport(study, join(out, 'study'), { seed });
    files.push(...report.map((f) => `study/${f}`));
    const md = [
      `# Tuned LSTM forecaster (${results.source})`, '',
      `${trials.length} trials: ${results.counts.complete} complete, ${results.counts.pruned} pruned, ${results.counts.fail} failed. Best trial ${bestTrial.number}: validation MSE ${(bestTrial.value as number).toPrecision(4)} (standardized) with ${JSON.stringify(bestTrial.params)}.`, '',
      '| model | validation MSE | test MSE |', '|---|---|---|',
      ...comparison.map((r) => `| ${r.model} | ${r.validMse.toFixed(3)} | ${r.testMse.toFixed(3)} |`), '',
      'MSE in the series\' units. The study\'s plots are in [study/report.md](study/report.md).', '',
    ].join('\n');
    writeFileAtomic(join(out, 'summary.md'), md);
    files.push('summary.md');
  }
  return { study, mlpStudy, bestTrial, comparison, files };
}
