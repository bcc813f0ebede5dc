import { Tensor } from '../tensor/tensor.js';
import { manualSeed, Generator } from '../tensor/random.js';
import type { Module } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import { Adam } from '../optim/adam.js';
import { kFold, timeSeriesSplit, type Fold } from '../data/kfold.js';
import { fit, type FitOptions } from './fit.js';
import { predict } from './predict.js';
import { resolveScoring, type Scoring } from './scoring.js';
import { bceWithLogits } from '../nn/losses.js';
import { checkRecord } from '../format/check.js';

/** Options of `crossValidate`. */
export interface CrossValidateOptions {
  /** Builds a fresh model; called after seeding, so every fold starts from the same initialization. */
  makeModel: () => Module;
  /** Builds the optimizer for a fold's model. Default Adam at lr 1e-3. */
  makeOptimizer?: (params: Tensor[]) => Optimizer<{ lr: number }>;
  x: Tensor;
  y: Tensor;
  /** Number of folds. Default 5. */
  k?: number;
  /** 'kfold' (scikit-learn's KFold, optionally shuffled) or 'timeseries' (expanding windows). Default 'kfold'. */
  split?: 'kfold' | 'timeseries';
  shuffle?: boolean;
  epochs: number;
  batchSize?: number;
  seed?: number;
  /** Passed through to `fit` for every fold (a loss, callbacks, a scheduler factory is not shared across folds). */
  fitOptions?: Pick<FitOptions, 'loss' | 'clipNorm'>;
  /**
   * Also score each held-out fold with a metric, higher better, as scikit-learn's scoring strings ('accuracy',
   * 'f1_macro', 'r2', 'neg_mse', ...) or `(yTrue, yPred) => number`: the result then has `foldScores`.
   */
  scoring?: Scoring;
}

/** Each fold's final validation loss, and their mean and standard deviation; with `scoring`, each fold's score. */
export interface CrossValidationResult {
  foldLosses: number[];
  mean: number;
  std: number;
  folds: Fold[];
  /** Each held-out fold's score (with `scoring`), on the model's predictions in eval mode. */
  foldScores?: number[];
  /** Wall-clock seconds of each fold's training, and of its scoring (as scikit-learn's fit_time and score_time). */
  fitTimes: number[];
  scoreTimes: number[];
}

/** The mean and the population standard deviation (numpy's default, which scikit-learn's cv_results_ uses). */
export function meanStd(values: readonly number[]): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return { mean, std: Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length) };
}

/** The rows `index` of t ([n, ...] of any rank), copied in that order. */
export function takeRows(t: Tensor, index: readonly number[]): Tensor {
  const width = t.size / t.shape[0];
  const data = new Float32Array(index.length * width);
  index.forEach((r, i) => data.set(t.data.subarray(r * width, (r + 1) * width), i * width));
  return new Tensor(data, [index.length, ...t.shape.slice(1)]);
}

/**
 * k-fold cross-validation, as scikit-learn's `cross_validate` with a fresh model per fold (same seed, same
 * initialization): train on k - 1 folds, score the held-out fold by its final validation loss, and by `scoring`
 * when given. For time series,
 * `split: 'timeseries'` keeps every validation fold in the future of its training data.
 */
export function crossValidate(options: CrossValidateOptions): CrossValidationResult {
  checkRecord('crossValidate', 'an options object', options, ['makeModel']);
  const { makeModel, x, y, k = 5, split = 'kfold', epochs, batchSize = 32, seed = 42 } = options;
  if (typeof makeModel !== 'function') throw new TypeError('crossValidate: expected makeModel to be a function');
  if (!(x?.ndim >= 2) || !(y?.ndim === 1 || y?.ndim === 2) || x.shape[0] !== y.shape[0]) {
    throw new RangeError(`crossValidate: expected x [n, features] and y [n, outputs] with the same n, got [${x?.shape}] and [${y?.shape}] (x may be [n, ...] of any rank >= 2, y may be [n] class indices)`);
  }
  const n = x.shape[0];
  const folds = split === 'timeseries' ? timeSeriesSplit(n, k) : kFold(n, k, { shuffle: options.shuffle ?? false, generator: new Generator(seed) });
  const makeOptimizer = options.makeOptimizer ?? ((p: Tensor[]) => new Adam(p, { lr: 1e-3 }) as unknown as Optimizer<{ lr: number }>);
  const loss = options.fitOptions?.loss;
  const scorer = options.scoring === undefined ? null : resolveScoring('crossValidate', options.scoring, loss === bceWithLogits ? 0 : undefined);
  const foldLosses: number[] = [], foldScores: number[] = [], fitTimes: number[] = [], scoreTimes: number[] = [];
  for (const fold of folds) {
    const started = performance.now();
    manualSeed(seed);
    const model = makeModel();
    const valid = { x: takeRows(x, fold.valid), y: takeRows(y, fold.valid) };
    const h = fit(model, {
      x: takeRows(x, fold.train), y: takeRows(y, fold.train), validationData: valid,
      optimizer: makeOptimizer(model.parameters()), epochs, batchSize, generator: new Generator(seed), progress: false, ...options.fitOptions,
    });
    foldLosses.push(h.valLoss[h.valLoss.length - 1]);
    const scoring = performance.now();
    fitTimes.push((scoring - started) / 1000);
    if (scorer !== null) foldScores.push(scorer(valid.y, predict(model, valid.x)));
    scoreTimes.push((performance.now() - scoring) / 1000);
  }
  const { mean, std } = meanStd(foldLosses);
  return { foldLosses, mean, std, folds, fitTimes, scoreTimes, ...(scorer === null ? {} : { foldScores }) };
}
