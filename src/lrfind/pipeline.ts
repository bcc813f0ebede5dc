import { syntheticTimeSeries } from '../data/synthetic.js';
import { prepareSeries } from '../data/windows.js';
import type { Module } from '../nn/module.js';
import { describe } from '../format/number.js';
import { checkOptionsObject, checkFunction } from '../format/check.js';
import { DEFAULT_FINDER_CONFIG, mergeConfig, checkFinderConfig, runFinder, type FinderConfig, type FindLrResult, type FindLrPartial, type Stage } from './find-lr.js';
import { buildModel, parseModelSpec, describeModelSpec } from './models.js';

export type { Stage, RunSummary, Candidate, FindLrPartial } from './find-lr.js';

/** Everything the series pipeline can be told: the finder's stages, and the series' window and model. */
export interface PipelineConfig extends FinderConfig {
  /** Sliding-window length. Default 20. */
  window: number;
  /** Hidden layer widths of the ReLU MLP. Default [128, 64, 32]. */
  hidden: number[];
  trainFraction: number;
  /**
   * Longer series are cut to their last `maxPoints` values (said in the progress output and the report), so a
   * million-row file finishes in minutes. Default 20000.
   */
  maxPoints: number;
}

// The defaults follow the source documents (their window, model, split, optimizer, lr bounds and baseline).
/** The pipeline's defaults: windows of 20, a 20-128-64-32-1 ReLU MLP, Adam, an 80/20 temporal split, 3 seeds. */
export const DEFAULT_CONFIG: PipelineConfig = {
  window: 20,
  hidden: [128, 64, 32],
  trainFraction: 0.8,
  maxPoints: 20000,
  ...DEFAULT_FINDER_CONFIG,
};

/** Merges a user's partial config into the defaults, rejecting unknown keys and wrong kinds with one clear line. */
export function resolveConfig(partial: unknown = {}): PipelineConfig {
  const c = checkFinderConfig(mergeConfig(DEFAULT_CONFIG, partial));
  const check = (ok: boolean, key: string, what: string, v: unknown) => {
    if (!ok) throw new RangeError(`config: expected '${key}' to be ${what}, got ${describe(v)}`);
  };
  for (const [k, v] of [['window', c.window], ['maxPoints', c.maxPoints]] as const) check(Number.isInteger(v) && v >= 1, k, 'a positive integer', v);
  check(Number.isFinite(c.trainFraction) && c.trainFraction > 0 && c.trainFraction < 1, 'trainFraction', 'in (0, 1)', c.trainFraction);
  check(c.window <= 10000, 'window', 'at most 10000', c.window);
  check(c.maxPoints >= 3 * c.window, 'maxPoints', `at least 3 windows (${3 * c.window})`, c.maxPoints);
  check(c.hidden.every((h) => h <= 4096), 'hidden', 'widths of at most 4096', c.hidden);
  return c;
}

/** Everything one pipeline run measured: what `results.json` holds (see `FindLrResult`). */
export type PipelineResult = FindLrResult<PipelineConfig>;

/**
 * The whole learning-rate job on a series: windows and a temporal split standardized on the training part, then
 * `findLr` on them (a range test and its suggestions, the systematic sweep, a short validation run of the
 * candidates, and the baseline and the found lr trained side by side over the seeds), with the losses reported in
 * the series' units. The model is the config's ReLU MLP (`hidden`), or `model`: 'mlp:128,64', 'lstm:64',
 * 'lstm:64x2' (an `LSTMForecaster` over the windows), or a function returning a fresh model.
 */
export function runPipeline(options: { series?: Float32Array; source?: string; config?: unknown; model?: string | (() => Module); targetLoss?: number; targetMetric?: number; onStage?: (stage: Stage, detail: string) => void; onProgress?: (stage: Stage, done: number, total: number) => void; onPartial?: (partial: FindLrPartial) => void } = {}): PipelineResult {
  options = checkOptionsObject('runPipeline', options, ['series', 'source', 'config', 'model', 'targetLoss', 'targetMetric', 'onStage', 'onProgress', 'onPartial']);
  if (options.onStage !== undefined) checkFunction('runPipeline', 'onStage', options.onStage);
  if (options.onProgress !== undefined) checkFunction('runPipeline', 'onProgress', options.onProgress);
  if (options.onPartial !== undefined) checkFunction('runPipeline', 'onPartial', options.onPartial);
  if (options.source !== undefined && typeof options.source !== 'string') throw new TypeError(`runPipeline: expected source to be a string, got ${describe(options.source)}`);
  const config = resolveConfig(options.config ?? {});
  const note = options.onStage ?? (() => {});
  const { window } = config;
  const spec = typeof options.model === 'function' ? null : parseModelSpec('runPipeline', options.model ?? `mlp:${config.hidden.join(',')}`, 'series');

  const given = options.series ?? syntheticTimeSeries().values;
  if (!(given instanceof Float32Array)) throw new TypeError(`runPipeline: expected series to be a Float32Array, got ${describe(given)}`);
  if (given.length < window * 3) {
    throw new RangeError(`runPipeline: expected a series of at least ${window * 3} values for window ${window} (training and validation windows), got ${given.length}`);
  }
  const values = given.length > config.maxPoints ? given.subarray(given.length - config.maxPoints) : given;
  if (values !== given) note('data', `the series has ${given.length} points; using its last ${values.length} ("maxPoints" in --config) so the job finishes in minutes`);
  const { train, valid, mseScale } = prepareSeries(values, { window, trainFraction: config.trainFraction });
  const makeModel = typeof options.model === 'function' ? options.model : () => buildModel(spec!, { inputShape: [window], outputs: 1 });
  const modelName = spec === null ? undefined : describeModelSpec(spec, { inputShape: [window], outputs: 1 });
  const description = `${given.length} points${values.length < given.length ? ` (the last ${values.length} used, "maxPoints")` : ''}, ${train.x.shape[0]} training and ${valid.x.shape[0]} validation windows of ${window}, an ${Math.round(config.trainFraction * 100)}/${Math.round((1 - config.trainFraction) * 100)} temporal split standardized on the training part`;
  const r = runFinder(config, {
    makeModel, train, valid, task: 'series', lossScale: mseScale, source: options.source ?? 'the built-in synthetic series', dataDescription: description, modelName,
    targetLoss: options.targetLoss, targetMetric: options.targetMetric, onStage: options.onStage, onProgress: options.onProgress, onPartial: options.onPartial,
  });
  r.data = { ...r.data, points: given.length, usedPoints: values.length, trainWindows: train.x.shape[0], validWindows: valid.x.shape[0], mseScale };
  return r;
}
