// The tuning problem `lrlab tune` solves: the forecasting MLP on a series (the built-in one or a user's), with lr
// (log scale), depth and hidden sizes, batch size, optimizer and weight decay searched, and the best validation MSE
// as the objective. Each epoch's validation MSE is reported, so a pruner can stop poor trials early; a run that
// diverges fails its trial (failReason) and the study goes on.
import { checkOptionsObject, checkInteger, checkRecord, checkFunction } from '../format/check.js';
import { describe } from '../format/number.js';
import { prepareSeries } from '../data/windows.js';
import { Linear, ReLU, Sequential } from '../nn/layers.js';
import { Adam } from '../optim/adam.js';
import { AdamW } from '../optim/adamw.js';
import { SGD } from '../optim/sgd.js';
import { manualSeed } from '../tensor/random.js';
import { fit, type History } from '../train/fit.js';
import type { Logs } from '../train/callback.js';
import { PruningCallback } from '../train/pruning-callback.js';
import { failDiverged } from './divergence.js';
import type { Trial } from '../tune/trial.js';

/** The optimizers the forecasting search can pick from. */
export type ForecastOptimizer = 'adam' | 'adamw' | 'sgd';

/** The search space of the forecasting MLP, and the fixed training settings of every trial. */
export interface ForecastSpace {
  /** Learning rate, searched on a log scale. */
  lr: { low: number; high: number };
  /** Number of hidden layers. */
  layers: { low: number; high: number };
  /** Width of each hidden layer (one choice per layer: the parameters units0, units1, ...). */
  units: number[];
  batchSize: number[];
  optimizer: ForecastOptimizer[];
  /** Weight decay, searched on a log scale. */
  weightDecay: { low: number; high: number };
  /** Epochs per trial (fixed). */
  epochs: number;
  /** Input window (fixed). */
  window: number;
}

/** The default space, after the LSTM study the tuner was written for (lr 1e-5..1e-1 log, sizes 16..128, Adam/AdamW, decay 1e-6..1e-3), plus SGD. */
export const DEFAULT_FORECAST_SPACE: ForecastSpace = {
  lr: { low: 1e-5, high: 1e-1 },
  layers: { low: 1, high: 3 },
  units: [16, 32, 64, 128],
  batchSize: [16, 32, 64, 128],
  optimizer: ['adam', 'adamw', 'sgd'],
  weightDecay: { low: 1e-6, high: 1e-3 },
  epochs: 20,
  window: 20,
};

function range(key: string, v: unknown, integer: boolean): { low: number; high: number } {
  const o = v as { low?: unknown; high?: unknown };
  const ok = (x: unknown) => typeof x === 'number' && Number.isFinite(x) && (!integer || Number.isInteger(x));
  if (v === null || typeof v !== 'object' || !ok(o.low) || !ok(o.high) || (o.low as number) > (o.high as number)) {
    throw new RangeError(`config: expected ${key} to be { "low": ${integer ? 'integer' : 'number'}, "high": ${integer ? 'integer' : 'number'} } with low <= high, got ${JSON.stringify(v)}`);
  }
  return { low: o.low as number, high: o.high as number };
}

function list<T>(key: string, v: unknown, check: (x: unknown) => boolean, what: string): T[] {
  if (!Array.isArray(v) || v.length === 0 || !v.every(check)) throw new RangeError(`config: expected ${key} to be a non-empty list of ${what}, got ${JSON.stringify(v)}`);
  return v as T[];
}

/**
 * One epoch of a tuning trial, for progress output: the epoch counted from 1 of `epochs`, and the validation MSE
 * after it in the units the study's values are in (`'series'`: the series' own units; `'standardized'`: after
 * standardizing with the training part's mean and deviation).
 */
export interface TrialEpoch {
  trial: number;
  epoch: number;
  epochs: number;
  valMse: number;
  units: 'series' | 'standardized';
}

/** Options of `forecastObjective`. */
export interface ForecastObjectiveOptions {
  /** Initialization and shuffling are seeded with seed + trial number. Default 42. */
  seed?: number;
  /** Called after each epoch of each trial (progress output). */
  onEpoch?: (e: TrialEpoch) => void;
  /**
   * Name the layer widths units_0, units_1, ... as studies made before the parameters were named in camelCase
   * (units0, units1, ...) did: a study resumed with its earlier names stays one search space for its sampler.
   * See `usesLegacyUnitNames`. Default false.
   */
  legacyParamNames?: boolean;
}

/** Whether a study's trials name the layer widths units_0, units_1, ... (a study of lrlab tune made before camelCase names). */
export function usesLegacyUnitNames(trials: readonly { params: Record<string, unknown> }[]): boolean {
  return trials.some((t) => Object.keys(t.params).some((k) => /^units_\d+$/.test(k)));
}

/** The widths of the hidden layers a trial's parameters describe, in layer order (units0, ... or units_0, ...). */
export function forecastHiddenSizes(params: Record<string, unknown>): unknown[] {
  return Object.keys(params).map((k) => /^units_?(\d+)$/.exec(k)).filter((m) => m !== null).sort((a, b) => Number(a[1]) - Number(b[1])).map((m) => params[m.input]);
}

const positiveInt = (x: unknown) => typeof x === 'number' && Number.isInteger(x) && x >= 1;

/** The default space with a user's overrides (the JSON of `lrlab tune --config`), checked; unknown keys are errors. */
export function resolveForecastSpace(partial: unknown = {}): ForecastSpace {
  if (partial === null || typeof partial !== 'object' || Array.isArray(partial)) {
    throw new TypeError(`config: expected a JSON object, got ${JSON.stringify(partial)}`);
  }
  const p = partial as Record<string, unknown>;
  const known = Object.keys(DEFAULT_FORECAST_SPACE);
  for (const k of Object.keys(p)) if (!known.includes(k)) throw new RangeError(`config: expected keys ${known.join(', ')}, got an unknown key '${k}'`);
  const s = { ...DEFAULT_FORECAST_SPACE };
  if (p.lr !== undefined) s.lr = range('lr', p.lr, false);
  if (p.weightDecay !== undefined) s.weightDecay = range('weightDecay', p.weightDecay, false);
  if (p.layers !== undefined) s.layers = range('layers', p.layers, true);
  if (p.units !== undefined) s.units = list('units', p.units, positiveInt, 'positive integers');
  if (p.batchSize !== undefined) s.batchSize = list('batchSize', p.batchSize, positiveInt, 'positive integers');
  if (p.optimizer !== undefined) s.optimizer = list('optimizer', p.optimizer, (x) => x === 'adam' || x === 'adamw' || x === 'sgd', "'adam', 'adamw' or 'sgd'");
  for (const k of ['epochs', 'window'] as const) {
    if (p[k] !== undefined) {
      if (!positiveInt(p[k])) throw new RangeError(`config: expected ${k} to be a positive integer, got ${JSON.stringify(p[k])}`);
      s[k] = p[k] as number;
    }
  }
  if (s.lr.low <= 0 || s.weightDecay.low <= 0) throw new RangeError(`config: expected lr.low and weightDecay.low > 0 (both are searched on a log scale), got ${s.lr.low} and ${s.weightDecay.low}`);
  if (s.layers.low < 1) throw new RangeError(`config: expected layers.low >= 1, got ${s.layers.low}`);
  return s;
}

/**
 * The objective of `lrlab tune`: builds the MLP a trial describes (window -> units0 -> ... -> 1, ReLU; parameters
 * lr, layers, units0, units1, ..., batchSize, optimizer, weightDecay), trains it with `fit` (initialization and
 * shuffling seeded with seed + trial number), reports the validation MSE (in the series' units) after each epoch
 * through a `PruningCallback`, and returns the best of them. A pruned trial stops
 * at the epoch it was pruned. A run that diverges (a non-finite loss, step or activation, or an infinite
 * validation MSE) fails its trial with the reason in `userAttrs.failReason`; the study goes on.
 */
export function forecastObjective(series: Float32Array, space: ForecastSpace, options: ForecastObjectiveOptions = {}): (trial: Trial) => number {
  checkOptionsObject('forecastObjective', options, ['seed', 'onEpoch', 'legacyParamNames']);
  if (options.seed !== undefined) checkInteger('forecastObjective', 'seed', options.seed, -Number.MAX_SAFE_INTEGER);
  if (options.onEpoch !== undefined) checkFunction('forecastObjective', 'onEpoch', options.onEpoch);
  if (options.legacyParamNames !== undefined && typeof options.legacyParamNames !== 'boolean') throw new TypeError(`forecastObjective: expected legacyParamNames to be a boolean, got ${describe(options.legacyParamNames)}`);
  const unitsName = options.legacyParamNames ? (i: number) => `units_${i}` : (i: number) => `units${i}`;
  const onEpoch = options.onEpoch;
  checkRecord('forecastObjective', 'a search space', space, Object.keys(DEFAULT_FORECAST_SPACE));
  try {
    resolveForecastSpace(space);
  } catch (e) {
    const E = e instanceof RangeError ? RangeError : TypeError;
    throw new E(`forecastObjective: ${(e as Error).message.replace(/^config: /, '')}`);
  }
  const data = prepareSeries(series, { window: space.window });
  const seed = options.seed ?? 42;
  return (trial) => {
    const lr = trial.suggestFloat('lr', space.lr.low, space.lr.high, { log: true });
    const layers = trial.suggestInt('layers', space.layers.low, space.layers.high);
    const hidden = Array.from({ length: layers }, (_, i) => trial.suggestCategorical(unitsName(i), space.units));
    const batchSize = trial.suggestCategorical('batchSize', space.batchSize);
    const name = trial.suggestCategorical('optimizer', space.optimizer);
    const weightDecay = trial.suggestFloat('weightDecay', space.weightDecay.low, space.weightDecay.high, { log: true });
    manualSeed(seed + trial.number);
    const sizes = [space.window, ...hidden];
    const model = new Sequential(...sizes.slice(1).flatMap((n, i) => [new Linear(sizes[i], n), new ReLU()]), new Linear(sizes[sizes.length - 1], 1));
    const params = model.parameters();
    const optimizer = name === 'sgd' ? new SGD(params, { lr, momentum: 0.9, weightDecay })
      : name === 'adamw' ? new AdamW(params, { lr, weightDecay }) : new Adam(params, { lr, weightDecay });
    let history: History;
    try {
      history = fit(model, {
        x: data.train.x, y: data.train.y, validationData: data.valid, optimizer, epochs: space.epochs, batchSize, progress: false,
        callbacks: [
          // the validation MSE in the series' units (as the study's values), for the pruner
          {
            onEpochEnd: (epoch: number, logs: Logs) => {
              logs.valSeriesMse = logs.valLoss * data.mseScale;
              onEpoch?.({ trial: trial.number, epoch: epoch + 1, epochs: space.epochs, valMse: logs.valSeriesMse, units: 'series' });
            },
          },
          new PruningCallback(trial, { monitor: 'valSeriesMse' }),
        ],
      });
    } catch (error) {
      return failDiverged(trial, error);
    }
    const infinite = history.valLoss.findIndex((v) => !Number.isFinite(v));
    if (infinite !== -1) {
      trial.setUserAttr('failReason', `training diverged: the validation MSE became ${history.valLoss[infinite]} at epoch ${infinite + 1}`);
      return NaN;
    }
    return Math.min(...history.valLoss) * data.mseScale;
  };
}
