import { syntheticTimeSeries } from '../data/synthetic.js';
import { prepareSeries, type PreparedSeries } from '../data/windows.js';
import { Sequential, Linear, ReLU } from '../nn/layers.js';
import { Adam } from '../optim/adam.js';
import { manualSeed, Generator } from '../tensor/random.js';
import { StepLR } from '../schedulers/decay.js';
import { ScheduleLR, ExponentialDecay } from '../schedulers/keras.js';
import { AdaptiveLR, type AdaptiveLROptions } from '../schedulers/adaptive.js';
import type { AnyOptimizer } from '../schedulers/scheduler.js';
import { fit } from './fit.js';
import { describe } from '../format/number.js';
import { DynamicsRecorder, type DynamicsAnalysis } from './dynamics.js';
import { checkOptionsObject, checkInteger } from '../format/check.js';

// The built-in data and model are seed 000's: its synthetic series, windows of 20, an 80/20 split, 20-128-64-32-1.

/** The built-in data: windows over the built-in synthetic series, 80/20 in time, standardized on the training part. */
export type BuiltInData = Pick<PreparedSeries, 'train' | 'valid' | 'mseScale'>;

/** @deprecated Renamed `BuiltInData`; this alias goes in the next release. */
export type SeedData = BuiltInData;

function checkWindow(fn: string, window: unknown): number {
  if (typeof window !== 'number') throw new TypeError(`${fn}: expected window to be a number, got ${describe(window)}`);
  if (!Number.isInteger(window) || window < 1 || window > 1000) throw new RangeError(`${fn}: expected window to be an integer in [1, 1000], got ${describe(window)}`);
  return window;
}

/** The built-in synthetic series prepared for training with windows of `window` (default 20; see `prepareSeries`). */
export function builtInData(window = 20): BuiltInData {
  return prepareSeries(syntheticTimeSeries().values, { window: checkWindow('builtInData', window) });
}

/** The built-in model: a `window`-128-64-32-1 MLP with ReLU (default window 20). */
export function builtInModel(window = 20): Sequential {
  checkWindow('builtInModel', window);
  return new Sequential(new Linear(window, 128), new ReLU(), new Linear(128, 64), new ReLU(), new Linear(64, 32), new ReLU(), new Linear(32, 1));
}

/** @deprecated Renamed `builtInData`; this alias goes in the next release. */
export const seed000Data: (window?: number) => BuiltInData = builtInData;

/** @deprecated Renamed `builtInModel`; this alias goes in the next release. */
export const seed000Model: (window?: number) => Sequential = builtInModel;

/** One schedule of the comparison and what its run measured. */
export interface ScheduleComparisonRow {
  name: string;
  /** Validation MSE after the last epoch, in the series' units. */
  finalValMse: number;
  bestValMse: number;
  analysis: DynamicsAnalysis;
  /** lr in force each epoch. */
  lr: number[];
  /** Training and validation MSE of each epoch, in the series' units. */
  trainLoss: number[];
  valLoss: number[];
  timeMs: number;
}

/**
 * Schedules compared on the built-in series: Adam from lr 1e-3 with a constant rate, step decay (×0.1 every 10
 * epochs), exponential decay (×0.96 every 10,000 steps, Keras's form) and the AdaptiveLR heuristic (fed the
 * validation loss once per epoch), all from the same seed and initialization.
 */
export function compareSchedules(options: { epochs?: number; seed?: number; lr?: number; adaptive?: AdaptiveLROptions } = {}): ScheduleComparisonRow[] {
  options = checkOptionsObject('compareSchedules', options, ['epochs', 'seed', 'lr', 'adaptive']);
  if (options.epochs !== undefined) checkInteger('compareSchedules', 'epochs', options.epochs, 1, 100000);
  if (options.seed !== undefined) checkInteger('compareSchedules', 'seed', options.seed, Number.MIN_SAFE_INTEGER);
  if (options.lr !== undefined && (typeof options.lr !== 'number' || !(options.lr > 0) || !Number.isFinite(options.lr))) throw new RangeError(`compareSchedules: expected lr to be a finite number > 0, got ${describe(options.lr)}`);
  const { epochs = 50, seed = 42, lr = 1e-3 } = options;
  const data = builtInData();
  const setups: [string, (opt: AnyOptimizer) => { step(...a: any[]): unknown } | undefined, 'epoch' | 'batch'][] = [
    ['constant', () => undefined, 'epoch'],
    ['step (x0.1 every 10 epochs)', (o) => new StepLR(o, { stepSize: 10, gamma: 0.1 }), 'epoch'],
    ['exponential (x0.96 every 10k steps)', (o) => new ScheduleLR(o, { schedule: new ExponentialDecay({ initialLearningRate: lr, decaySteps: 10000, decayRate: 0.96 }) }), 'batch'],
    ['adaptive (AdaptiveLR)', (o) => new AdaptiveLR(o, { window: 1, increaseAfter: 2, plateauPatience: 3, cooldown: 2, ...options.adaptive }), 'epoch'],
  ];
  return setups.map(([name, make, interval]) => {
    manualSeed(seed);
    const model = builtInModel();
    const optimizer = new Adam(model.parameters(), { lr });
    const recorder = new DynamicsRecorder();
    const started = performance.now();
    const h = fit(model, {
      x: data.train.x, y: data.train.y, validationData: data.valid, optimizer, epochs,
      scheduler: make(optimizer as unknown as AnyOptimizer), schedulerInterval: interval,
      generator: new Generator(seed), callbacks: [recorder], progress: false,
    });
    return {
      name,
      finalValMse: h.valLoss[h.valLoss.length - 1] * data.mseScale,
      bestValMse: Math.min(...h.valLoss) * data.mseScale,
      analysis: recorder.analyze(),
      lr: h.lr,
      trainLoss: h.loss.map((v) => v * data.mseScale),
      valLoss: h.valLoss.map((v) => v * data.mseScale),
      timeMs: performance.now() - started,
    };
  });
}
