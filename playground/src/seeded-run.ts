// One seeded training run, shared by the playground page and the Node test that checks the page reproduces it
// bit for bit: the built-in series, a small MLP, Adam, a few epochs on the cpu backend.
import { Linear, ReLU, Sequential, Adam, fit, manualSeed, prepareSeries, syntheticTimeSeries, useBackend, Generator } from '../../src/index.js';

export interface SeededRun {
  losses: number[];
  firstWeights: number[];
}

/** Trains a 20-16-1 ReLU MLP for `epochs` epochs with Adam (lr 1e-3) from seed 7 and returns the epoch losses. */
export function seededRun(epochs = 3): SeededRun {
  useBackend('cpu');
  const data = prepareSeries(syntheticTimeSeries({ length: 400 }).values, { window: 20 });
  manualSeed(7);
  const model = new Sequential(new Linear(20, 16), new ReLU(), new Linear(16, 1));
  const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
  const history = fit(model, { x: data.train.x, y: data.train.y, optimizer, epochs, batchSize: 32, generator: new Generator(7), progress: false });
  return { losses: history.loss, firstWeights: Array.from(model.parameters()[0].data.subarray(0, 8)) };
}
