import { Tensor } from '../tensor/tensor.js';
import { Generator } from '../tensor/random.js';

/** Options of `makeBlobs`, scikit-learn's `make_blobs` in camelCase. */
export interface MakeBlobsOptions {
  /** Examples in all. Default 100. */
  nSamples?: number;
  /** Features per example. Default 2. */
  nFeatures?: number;
  /** Number of classes, one Gaussian blob each. Default 3. */
  centers?: number;
  /** Standard deviation of every blob. Default 1. */
  clusterStd?: number;
  /** Centers are drawn uniformly in this box, per feature. Default [-10, 10]. */
  centerBox?: [number, number];
  /** Shuffle the examples (else they come class by class). Default true. */
  shuffle?: boolean;
  /** Seed of a fresh generator. Default 0. */
  seed?: number;
}

/** A labelled data set: inputs [n, features], class indices [n] (as `crossEntropy` and the metrics take them). */
export interface ClassificationData {
  x: Tensor;
  y: Tensor;
  /** The blob centers [classes, features]. */
  centers: Tensor;
}

function positiveInt(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`makeBlobs: expected ${name} to be a positive integer, got ${v}`);
}

/**
 * A seeded classification data set of Gaussian blobs, as scikit-learn's `make_blobs`: class k's centre is drawn
 * uniformly in `centerBox`, its examples are centre + clusterStd · N(0, 1); the n examples are split as evenly as
 * possible (the first n mod centers classes get one more), then shuffled. Same seed, same data (lrlab's generator,
 * so the values differ from scikit-learn's for the same seed).
 */
export function makeBlobs(options: MakeBlobsOptions = {}): ClassificationData {
  const { nSamples = 100, nFeatures = 2, centers = 3, clusterStd = 1, centerBox = [-10, 10], shuffle = true, seed = 0 } = options;
  positiveInt('nSamples', nSamples);
  positiveInt('nFeatures', nFeatures);
  positiveInt('centers', centers);
  if (!(clusterStd >= 0) || !Number.isFinite(clusterStd)) throw new RangeError(`makeBlobs: expected clusterStd to be a finite number >= 0, got ${clusterStd}`);
  if (!Array.isArray(centerBox) || centerBox.length !== 2 || !centerBox.every(Number.isFinite) || !(centerBox[0] < centerBox[1])) {
    throw new RangeError(`makeBlobs: expected centerBox [low, high] with low < high, got ${JSON.stringify(centerBox)}`);
  }
  const g = new Generator(seed);
  const c = new Float32Array(centers * nFeatures);
  for (let i = 0; i < c.length; i++) c[i] = g.uniform(centerBox[0], centerBox[1]);
  const x = new Float32Array(nSamples * nFeatures), y = new Float32Array(nSamples);
  let row = 0;
  for (let k = 0; k < centers; k++) {
    const count = Math.floor(nSamples / centers) + (k < nSamples % centers ? 1 : 0);
    for (let r = 0; r < count; r++, row++) {
      y[row] = k;
      for (let j = 0; j < nFeatures; j++) x[row * nFeatures + j] = c[k * nFeatures + j] + clusterStd * g.normal();
    }
  }
  if (!shuffle) return { x: new Tensor(x, [nSamples, nFeatures]), y: new Tensor(y, [nSamples]), centers: new Tensor(c, [centers, nFeatures]) };
  const order = g.permutation(nSamples);
  const xs = new Float32Array(x.length), ys = new Float32Array(nSamples);
  order.forEach((src, i) => {
    ys[i] = y[src];
    xs.set(x.subarray(src * nFeatures, (src + 1) * nFeatures), i * nFeatures);
  });
  return { x: new Tensor(xs, [nSamples, nFeatures]), y: new Tensor(ys, [nSamples]), centers: new Tensor(c, [centers, nFeatures]) };
}
