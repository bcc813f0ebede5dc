import { Tensor } from '../tensor/tensor.js';
import { defaultGenerator, type Generator } from '../tensor/random.js';

/** Images [n, c, h, w] (or [n, c * h * w] flattened) and their class indices [n]. */
export interface ImageSet {
  x: Tensor;
  y: Tensor;
}

/** Options every image reader takes: subsets, the validation split, normalization, seeded shuffling. */
export interface ImageSplitOptions {
  /** Examples kept from the training images (a seeded random subset when shuffling). Default all. */
  trainSize?: number;
  /** Examples kept from the test images (the first ones; the test set is never shuffled). Default all. */
  testSize?: number;
  /** Examples moved from the (shuffled) training set into a validation set. Default 0 (no validation set). */
  validationSize?: number;
  /**
   * 'standard' (default): pixels / 255 standardized with the training subset's mean and std per channel;
   * 'unit': pixels / 255; 'none': raw 0-255 values.
   */
  normalize?: 'standard' | 'unit' | 'none';
  /** Shuffle the training set before taking subsets (seeded). Default true. */
  shuffle?: boolean;
  generator?: Generator;
  /** Images as [n, c * h * w] rows instead of [n, c, h, w]. Default false. */
  flatten?: boolean;
}

/** Uint8 pixels of `n` images laid out [n, c, h, w], and one label byte per image. */
export interface RawImages {
  pixels: Uint8Array;
  labels: Uint8Array;
}

/** A split image data set, its per-channel statistics (of pixels / 255) and where it came from. */
export interface SplitImages {
  train: ImageSet;
  valid: ImageSet | null;
  test: ImageSet;
  /** Per channel: the mean and std 'standard' normalization used, else 0 and 1. */
  mean: number[];
  std: number[];
}

const OPTIONS = ['trainSize', 'testSize', 'validationSize', 'normalize', 'shuffle', 'generator', 'flatten'];

function checkSize(fn: string, name: string, v: unknown, max: number, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`${fn}: expected ${name} to be an integer in [0, ${max}], got ${v}`);
  return v;
}

/** Checks the options of an image reader before any file is read (unknown names, kinds, normalize). */
export function checkImageSplitOptions(fn: string, options: unknown, extra: readonly string[] = []): ImageSplitOptions {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new TypeError(`${fn}: expected an options object, got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}`);
  const unknown = Object.keys(options).filter((k) => !OPTIONS.includes(k) && !extra.includes(k));
  if (unknown.length > 0) throw new RangeError(`${fn}: expected options among ${[...OPTIONS, ...extra].join(', ')}, got unknown ${unknown.join(', ')}`);
  const o = options as ImageSplitOptions;
  if (o.normalize !== undefined && !['standard', 'unit', 'none'].includes(o.normalize)) throw new RangeError(`${fn}: expected normalize 'standard', 'unit' or 'none', got '${o.normalize}'`);
  return o;
}

/**
 * Shuffles the training images with the seeded generator, splits off the validation set (the last
 * `validationSize` of the shuffled order) and the training subset (the first `trainSize`), keeps the first
 * `testSize` test images, and converts all to float tensors, standardized per channel with the training subset's
 * statistics only (nothing about validation or test leaks into the inputs).
 */
export function splitImages(fn: string, train: RawImages, test: RawImages, shape: readonly [number, number, number], options: ImageSplitOptions): SplitImages {
  const [channels, h, w] = shape, plane = h * w, pixels = channels * plane;
  const nTrain = train.labels.length, nTest = test.labels.length;
  const normalize = options.normalize ?? 'standard';
  const validationSize = checkSize(fn, 'validationSize', options.validationSize, nTrain, 0);
  const trainSize = checkSize(fn, 'trainSize', options.trainSize, nTrain - validationSize, nTrain - validationSize);
  const testSize = checkSize(fn, 'testSize', options.testSize, nTest, nTest);
  const order = (options.shuffle ?? true) ? (options.generator ?? defaultGenerator).permutation(nTrain) : Array.from({ length: nTrain }, (_, i) => i);

  const mean = new Array<number>(channels).fill(0), std = new Array<number>(channels).fill(1);
  if (normalize === 'standard') {
    for (let c = 0; c < channels; c++) {
      let s = 0, s2 = 0;
      for (let r = 0; r < trainSize; r++) {
        const src = train.pixels.subarray(order[r] * pixels + c * plane, order[r] * pixels + (c + 1) * plane);
        for (let i = 0; i < plane; i++) {
          const v = src[i] / 255;
          s += v;
          s2 += v * v;
        }
      }
      const count = trainSize * plane;
      mean[c] = count > 0 ? s / count : 0;
      std[c] = count > 1 ? Math.sqrt(Math.max(0, s2 / count - mean[c] * mean[c])) || 1 : 1;
    }
  }
  const scale = normalize === 'none' ? 1 : 1 / 255;
  const shapeOf = (n: number) => (options.flatten ? [n, pixels] : [n, channels, h, w]);
  const take = (set: RawImages, rows: number[]): ImageSet => {
    const x = new Float32Array(rows.length * pixels), y = new Float32Array(rows.length);
    for (let r = 0; r < rows.length; r++) {
      const src = rows[r], from = set.pixels.subarray(src * pixels, (src + 1) * pixels);
      for (let c = 0; c < channels; c++) {
        const m = mean[c], sd = std[c], o = c * plane;
        for (let i = 0; i < plane; i++) x[r * pixels + o + i] = (from[o + i] * scale - m) / sd;
      }
      y[r] = set.labels[src];
    }
    return { x: new Tensor(x, shapeOf(rows.length)), y: new Tensor(y, [rows.length]) };
  };
  return {
    train: take(train, order.slice(0, trainSize)),
    valid: validationSize > 0 ? take(train, order.slice(nTrain - validationSize)) : null,
    test: take(test, Array.from({ length: testSize }, (_, i) => i)),
    mean,
    std,
  };
}
