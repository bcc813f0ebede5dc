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
import { DynamicsRecorder, type DynamicsAnalysis } from './dynamics.js';

/** Seed 000's data: windows of 20 over the synthetic series, 80/20 in time, standardized on the training part. */
export type SeedData = Pick<PreparedSeries, 'train' | 'valid' | 'mseScale'>;

/** Seed 000's series prepared for training (see `prepareSeries`). */
export function seed000Data(window = 20): SeedData {
  return prepareSeries(syntheticTimeSeries().values, { window });
}

/** Seed 000's model: 20-128-64-32-1 with ReLU. */
export function seed000Model(window = 20): Sequential {
  return new Sequential(new Linear(window, 128), new ReLU(), new Linear(128, 64), new ReLU(), new Linear(64, 32), new ReLU(), new Linear(32, 1));
}

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
 * Seed 003's comparison on seed 000's series: Adam from lr 1e-3 with a constant rate, step decay (×0.1 every 10
 * epochs), exponential decay (×0.96 every 10,000 steps, Keras's form) and the AdaptiveLR heuristic (fed the
 * validation loss once per epoch), all from the same seed and initialization.
 */
export function compareSchedules(options: { epochs?: number; seed?: number; lr?: number; adaptive?: AdaptiveLROptions } = {}): ScheduleComparisonRow[] {
  const { epochs = 50, seed = 42, lr = 1e-3 } = options;
  const data = seed000Data();
  const setups: [string, (opt: AnyOptimizer) => { step(...a: any[]): unknown } | undefined, 'epoch' | 'batch'][] = [
    ['constant', () => undefined, 'epoch'],
    ['step (x0.1 every 10 epochs)', (o) => new StepLR(o, { stepSize: 10, gamma: 0.1 }), 'epoch'],
    ['exponential (x0.96 every 10k steps)', (o) => new ScheduleLR(o, { schedule: new ExponentialDecay({ initialLearningRate: lr, decaySteps: 10000, decayRate: 0.96 }) }), 'batch'],
    ['adaptive (AdaptiveLR)', (o) => new AdaptiveLR(o, { window: 1, increaseAfter: 2, plateauPatience: 3, cooldown: 2, ...options.adaptive }), 'epoch'],
  ];
  return setups.map(([name, make, interval]) => {
    manualSeed(seed);
    const model = seed000Model();
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
