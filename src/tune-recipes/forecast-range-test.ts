// The range test `lrlab tune --lr-from-range-test` runs before its study: one model of the search space, trained
// on the objective's own training windows while the lr sweeps the space's lr range.
import { prepareSeries } from '../data/windows.js';
import { rangeTest, type RangeTestResult } from '../lrfind/range-test.js';
import { Linear, ReLU, Sequential } from '../nn/layers.js';
import { Adam } from '../optim/adam.js';
import { AdamW } from '../optim/adamw.js';
import { SGD } from '../optim/sgd.js';
import { manualSeed } from '../tensor/random.js';
import type { ForecastSpace } from './forecast.js';

const lowerMedian = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

/**
 * A range test (`rangeTest`, 100 steps from `space.lr.low` to `space.lr.high`) of the forecasting MLP at the centre
 * of a search space: the middle depth (rounded up), the lower-median width in every layer and batch size, the
 * first optimizer listed (SGD with momentum 0.9, as the objective builds it) and the smallest weight decay, on the
 * training windows `forecastObjective` trains on, initialized with `seed`. Returns the result and the model in words.
 * The lr range it gives fits the optimizer tested best; SGD and Adam can diverge at different rates.
 */
export function forecastRangeTest(series: Float32Array, space: ForecastSpace, options: { seed?: number; numIter?: number } = {}): { result: RangeTestResult; model: string } {
  const seed = options.seed ?? 42;
  const data = prepareSeries(series, { window: space.window });
  const layers = Math.round((space.layers.low + space.layers.high) / 2);
  const width = lowerMedian(space.units), batchSize = lowerMedian(space.batchSize);
  const name = space.optimizer[0], weightDecay = space.weightDecay.low;
  manualSeed(seed);
  // the objective's MLP: window -> width -> ... -> 1, ReLU between
  const sizes = [space.window, ...Array.from({ length: layers }, () => width)];
  const model = new Sequential(...sizes.slice(1).flatMap((n, i) => [new Linear(sizes[i], n), new ReLU()]), new Linear(sizes[sizes.length - 1], 1));
  const params = model.parameters();
  const lr = space.lr.low;
  const optimizer = name === 'sgd' ? new SGD(params, { lr, momentum: 0.9, weightDecay })
    : name === 'adamw' ? new AdamW(params, { lr, weightDecay }) : new Adam(params, { lr, weightDecay });
  const result = rangeTest(model, {
    x: data.train.x, y: data.train.y, optimizer, startLr: space.lr.low, endLr: space.lr.high, numIter: options.numIter ?? 100, batchSize, seed,
  });
  return { result, model: `${sizes.join('-')}-1 MLP, ${name}, batch ${batchSize}` };
}
