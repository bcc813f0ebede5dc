import { syntheticTimeSeries } from '../data/synthetic.js';
import { slidingWindows, temporalSplit, fitStandardizer, batches } from '../data/windows.js';
import { Sequential, Linear, ReLU } from '../nn/layers.js';
import { mseLoss } from '../nn/losses.js';
import { Adam } from '../optim/adam.js';
import { manualSeed, Generator } from '../tensor/random.js';
import { noGrad } from '../autograd/engine.js';

export interface DemoOptions {
  epochs: number;
  lr: number;
  seed: number;
  out: (s: string) => void;
}

/**
 * Seed 000's setup end to end at one learning rate: the synthetic series, windows of 20, an 80/20 temporal split
 * standardized on the training part, the 20-128-64-32-1 ReLU MLP and Adam; prints train and validation MSE per
 * epoch in the series' own units. (The range-test pipeline takes over this command in a later issue.)
 */
export async function runDemo(options: DemoOptions): Promise<{ trainMse: number[]; validMse: number[] }> {
  const { epochs, lr, seed, out } = options;
  const series = syntheticTimeSeries();
  const { train, valid } = temporalSplit(series.values, 0.8);
  const scaler = fitStandardizer(train);
  const window = 20;
  const trainData = slidingWindows(scaler.transform(train), window);
  // validation windows may start in the training part: the targets are all in the future of training
  const validData = slidingWindows(scaler.transform(series.values.slice(train.length - window)), window);
  manualSeed(seed);
  const model = new Sequential(new Linear(window, 128), new ReLU(), new Linear(128, 64), new ReLU(), new Linear(64, 32), new ReLU(), new Linear(32, 1));
  const optimizer = new Adam(model.parameters(), { lr });
  const shuffle = new Generator(seed);
  const unit = scaler.std * scaler.std; // MSE in standardized units times std^2 is MSE in the series' units
  out(`lrlab demo: ${series.values.length} points, ${trainData.x.shape[0]} training windows, ${validData.x.shape[0]} validation windows, Adam lr ${lr}\n`);
  out('epoch  train MSE  valid MSE\n');
  const trainMse: number[] = [], validMse: number[] = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    let total = 0, count = 0;
    for (const batch of batches(trainData, { batchSize: 32, generator: shuffle })) {
      optimizer.zeroGrad();
      const loss = mseLoss(model.forward(batch.x), batch.y);
      loss.backward();
      optimizer.step();
      total += loss.item() * batch.x.shape[0];
      count += batch.x.shape[0];
    }
    const v = noGrad(() => mseLoss(model.forward(validData.x), validData.y).item());
    trainMse.push((total / count) * unit);
    validMse.push(v * unit);
    out(`${String(epoch).padStart(5)}  ${trainMse.at(-1)!.toFixed(2).padStart(9)}  ${validMse.at(-1)!.toFixed(2).padStart(9)}\n`);
  }
  return { trainMse, validMse };
}
