import { Tensor } from '../tensor/tensor.js';
import { Generator, defaultGenerator } from '../tensor/random.js';
import { formatShape } from '../tensor/shape.js';
import { checkOptionsObject, checkNumbers, checkInteger, checkRecord } from '../format/check.js';
import { describe } from '../format/number.js';

/** Inputs [n, window] and next-value targets [n, 1]. */
export interface WindowedData {
  x: Tensor;
  y: Tensor;
}

/**
 * Sliding windows: example i is values[i .. i + window) and its target values[i + window] (the built-in job:
 * window 20, one-step-ahead regression). A series of length L gives L - window examples, x shaped [n, window], or
 * [n, window, 1] with `{ sequence: true }` (one feature per time step, as a batch-first LSTM takes them).
 */
export function slidingWindows(values: ArrayLike<number>, window = 20, options: { sequence?: boolean } = {}): WindowedData {
  checkNumbers('slidingWindows', 'values', values);
  checkInteger('slidingWindows', 'window', window, 1);
  options = checkOptionsObject('slidingWindows', options, ['sequence']);
  if (!Number.isInteger(window) || window < 1) throw new RangeError(`slidingWindows: expected a positive integer window, got ${window}`);
  const n = values.length - window;
  if (n < 1) {
    throw new RangeError(`slidingWindows: expected a series longer than the window (${window}), got ${values.length} values`);
  }
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new RangeError(`slidingWindows: expected finite values, got ${values[i]} at index ${i}`);
  }
  const x = new Float32Array(n * window), y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < window; j++) x[i * window + j] = values[i + j];
    y[i] = values[i + window];
  }
  return { x: new Tensor(x, options.sequence === true ? [n, window, 1] : [n, window]), y: new Tensor(y, [n, 1]) };
}

/**
 * Splits a series in time order: the first `trainFraction` for training, the rest for validation (no shuffling
 * across the split, so validation is always the future of training).
 */
export function temporalSplit(values: Float32Array, trainFraction = 0.8): { train: Float32Array; valid: Float32Array } {
  checkNumbers('temporalSplit', 'values', values);
  if (typeof trainFraction !== 'number') throw new TypeError(`temporalSplit: expected trainFraction to be a number, got ${describe(trainFraction)}`);
  if (!(trainFraction > 0 && trainFraction < 1)) {
    throw new RangeError(`temporalSplit: expected trainFraction in (0, 1), got ${trainFraction}`);
  }
  const cut = Math.round(values.length * trainFraction);
  if (cut < 1 || cut >= values.length) {
    throw new RangeError(`temporalSplit: a series of ${values.length} values leaves an empty part at fraction ${trainFraction}`);
  }
  return { train: values.slice(0, cut), valid: values.slice(cut) };
}

/** A standardization fitted on one part of the data and applied to any: z = (x - mean) / std. */
export interface Standardizer {
  mean: number;
  std: number;
  transform(values: Float32Array): Float32Array;
  inverse(values: Float32Array): Float32Array;
}

/** Fits mean and standard deviation on `values` (the training part only, so nothing leaks from validation). */
export function fitStandardizer(values: ArrayLike<number>): Standardizer {
  checkNumbers('fitStandardizer', 'values', values, 1);
  if (values.length < 2) throw new RangeError(`fitStandardizer: expected at least 2 values, got ${values.length}`);
  let mean = 0;
  for (let i = 0; i < values.length; i++) mean += values[i];
  mean /= values.length;
  let variance = 0;
  for (let i = 0; i < values.length; i++) variance += (values[i] - mean) ** 2;
  const std = Math.sqrt(variance / values.length);
  if (!(std > 0)) throw new RangeError('fitStandardizer: expected values that vary, got a constant series (std 0)');
  return {
    mean,
    std,
    transform: (v) => v.map((x) => (x - mean) / std),
    inverse: (v) => v.map((z) => z * std + mean),
  };
}

/** One mini-batch: rows of x and y, each keeping the shape of its data after the first dimension. */
export interface Batch {
  x: Tensor;
  y: Tensor;
}

/** Options of `batches`. */
export interface BatchOptions {
  batchSize?: number;
  /** Shuffle the order of examples each call (seeded). Default true. */
  shuffle?: boolean;
  generator?: Generator;
  /** Drop a last batch smaller than batchSize. Default false (Keras and PyTorch keep it). */
  dropLast?: boolean;
  /**
   * Where to keep the batch buffers, keyed by batch size. Pass the same map to every call (as `fit` does once per
   * epoch) and only the first call allocates; the map must only ever see data of one shape.
   */
  buffers?: Map<number, Batch>;
}

/**
 * Mini-batches of (x, y) rows, shuffled by the seeded generator. x is [n, ...] of any rank >= 1 (windows
 * [n, window], sequences [n, steps, features], images [n, c, h, w]); y is [n, ...] too, so float targets
 * [n, outputs] and class indices [n] both work. A batch is [size, ...] with the rest of each shape kept. The batch
 * buffers are allocated once per distinct batch size and refilled in place, so a training loop allocates no new
 * arrays per batch; a batch is valid until the iterator moves on. The arguments are checked at the call, before the
 * first batch is asked for.
 */
export function batches(data: WindowedData, options: BatchOptions = {}): IterableIterator<Batch> {
  if (data instanceof Tensor) {
    // torch's TensorDataset(x, y) and Keras's fit(x, y) take the two tensors apart; here they travel together
    if (options instanceof Tensor) throw new TypeError('batches: expected batches({ x, y }, options), got batches(x, y) with two tensors');
    throw new TypeError('batches: expected data { x, y }, got a Tensor (write batches({ x, y }, options))');
  }
  checkRecord('batches', 'data { x, y }', data, ['x', 'y']);
  for (const k of ['x', 'y'] as const) {
    if (!(data[k] instanceof Tensor)) throw new TypeError(`batches: expected data.${k} to be a Tensor, got ${describe(data[k])}`);
  }
  options = checkOptionsObject('batches', options, ['batchSize', 'shuffle', 'generator', 'dropLast', 'buffers']);
  const { batchSize = 32, shuffle = true, dropLast = false } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batches: expected a positive integer batchSize, got ${describe(batchSize)}`);
  if (options.buffers !== undefined && !(options.buffers instanceof Map)) throw new TypeError(`batches: expected buffers to be a Map, got ${describe(options.buffers)}`);
  if (data.x.ndim < 1 || data.y.ndim < 1) {
    throw new RangeError(`batches: expected x and y with a first dimension of examples, got ${formatShape(data.x.shape)} and ${formatShape(data.y.shape)}`);
  }
  const n = data.x.shape[0];
  if (data.y.shape[0] !== n) throw new RangeError(`batches: expected x and y with the same number of rows, got ${n} and ${data.y.shape[0]}`);
  if (n === 0) throw new RangeError('batches: expected at least one example, got 0');
  return batchStream(data, n, batchSize, shuffle, dropLast, options);
}

/** The batches themselves, once `batches` has checked its arguments (a generator runs nothing until iterated). */
function* batchStream(data: WindowedData, n: number, batchSize: number, shuffle: boolean, dropLast: boolean, options: BatchOptions): IterableIterator<Batch> {
  // one example is a contiguous block of `width` values in row-major order, whatever the rank
  const xRest = data.x.shape.slice(1), yRest = data.y.shape.slice(1);
  const width = data.x.size / n, yWidth = data.y.size / n;
  const order = shuffle ? (options.generator ?? defaultGenerator).permutation(n) : Array.from({ length: n }, (_, i) => i);
  const cache = options.buffers ?? new Map<number, Batch>();
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    if (size < batchSize && dropLast) break;
    let b = cache.get(size);
    if (b === undefined || b.x.size !== size * width || b.y.size !== size * yWidth) {
      b = { x: new Tensor(new Float32Array(size * width), [size, ...xRest]), y: new Tensor(new Float32Array(size * yWidth), [size, ...yRest]) };
      cache.set(size, b);
    }
    const X = data.x.data, Y = data.y.data, bx = b.x.data, by = b.y.data;
    for (let r = 0; r < size; r++) {
      const src = order[start + r];
      // plain loops rather than set(subarray(...)): a subarray is a new typed-array object per row
      for (let j = 0, from = src * width, to = r * width; j < width; j++) bx[to + j] = X[from + j];
      for (let j = 0, from = src * yWidth, to = r * yWidth; j < yWidth; j++) by[to + j] = Y[from + j];
    }
    yield b;
  }
}

/** A series prepared for one-step-ahead training: windows on each side of a temporal split, standardized. */
export interface PreparedSeries {
  train: WindowedData;
  valid: WindowedData;
  scaler: Standardizer;
  /** Multiply an MSE in standardized units by this to get it in the series' units. */
  mseScale: number;
}

/**
 * The standard preparation: a temporal split, a standardization fitted on the training part only, and sliding
 * windows on each side. Validation windows may start in the training part (their inputs are the past); their
 * targets all lie in the future of training.
 */
export function prepareSeries(values: Float32Array, options: { window?: number; trainFraction?: number } = {}): PreparedSeries {
  checkNumbers('prepareSeries', 'values', values);
  options = checkOptionsObject('prepareSeries', options, ['window', 'trainFraction']);
  const { window = 20, trainFraction = 0.8 } = options;
  const { train } = temporalSplit(values, trainFraction);
  const scaler = fitStandardizer(train);
  const prepared: PreparedSeries = {
    train: slidingWindows(scaler.transform(train), window),
    valid: slidingWindows(scaler.transform(values.slice(train.length - window)), window),
    scaler,
    mseScale: scaler.std * scaler.std,
  };
  return guardNames(prepared);
}

/**
 * The names a user guesses first for the validation part (`val`, as in Keras's logs; `validation`; `test`), as
 * getters that throw naming `valid`, where reading them would otherwise give undefined and silently train without
 * validation. Not enumerable, so spreading, printing and comparing the result see only its four fields.
 */
function guardNames(prepared: PreparedSeries): PreparedSeries {
  for (const name of ['val', 'validation', 'test']) {
    const hint = name === 'test' ? '; prepareSeries makes no test split' : '';
    Object.defineProperty(prepared, name, {
      get() {
        throw new TypeError(`prepareSeries: the validation windows are \`valid\` (got \`${name}\`${hint})`);
      },
      enumerable: false,
    });
  }
  return prepared;
}
