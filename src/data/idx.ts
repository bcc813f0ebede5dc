import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, constants as zlibConstants } from 'node:zlib';
import { Tensor } from '../tensor/tensor.js';
import { defaultGenerator, type Generator } from '../tensor/random.js';

/** The typed array an IDX file's element type reads into. */
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** An IDX file: its dimensions and its values in row-major order. */
export interface IdxArray {
  shape: number[];
  data: IdxData;
}

// IDX type codes (the third byte of the magic number): name, bytes per element, typed array, big-endian reader
const TYPES: Record<number, [string, number, (n: number) => IdxData, (v: DataView, o: number) => number]> = {
  0x08: ['unsigned byte', 1, (n) => new Uint8Array(n), (v, o) => v.getUint8(o)],
  0x09: ['signed byte', 1, (n) => new Int8Array(n), (v, o) => v.getInt8(o)],
  0x0b: ['short', 2, (n) => new Int16Array(n), (v, o) => v.getInt16(o)],
  0x0c: ['int', 4, (n) => new Int32Array(n), (v, o) => v.getInt32(o)],
  0x0d: ['float', 4, (n) => new Float32Array(n), (v, o) => v.getFloat32(o)],
  0x0e: ['double', 8, (n) => new Float64Array(n), (v, o) => v.getFloat64(o)],
};

/** The most bytes an IDX file may hold once decompressed (2^31 - 1, about 2 GiB; EMNIST's largest is 0.55 GB). */
export const MAX_IDX_BYTES = 2 ** 31 - 1;

const isGzip = (b: Uint8Array) => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/** Runs zlib, turning its errors into one naming `source`; a stream longer than `limit` returns null. */
function gunzip(gz: Uint8Array, source: string, options: { limit: number; partial?: boolean }): Uint8Array | null {
  try {
    return gunzipSync(gz, { maxOutputLength: options.limit, finishFlush: options.partial ? zlibConstants.Z_SYNC_FLUSH : zlibConstants.Z_FINISH });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return null;
    throw new RangeError(`loadIdx: expected a complete gzip stream in ${source}, got a corrupt or truncated one (${(err as Error).message})`);
  }
}

/**
 * The first `want` bytes of a gzip stream (fewer if it is shorter), inflating a prefix of it that doubles until it
 * yields them. Deflate turns n bytes into at most about 1032n, so the cost follows the prefix, not the stream: half a
 * megabyte at most for the first 512 bytes, which hold the IDX header of any file without a long gzip name field.
 */
function gunzipHead(gz: Uint8Array, want: number, source: string): Uint8Array {
  for (let n = 512; ; n *= 2) {
    const head = gunzip(gz.subarray(0, n), source, { limit: Math.min(1032 * n + 1024, MAX_IDX_BYTES), partial: n < gz.length });
    if (head === null) throw new RangeError(`loadIdx: expected a gzip stream in ${source}, got one that inflates beyond deflate's limit`);
    if (head.length >= want || n >= gz.length) return head.subarray(0, want);
  }
}

/** The element type, shape and byte counts an IDX header announces (errors name `source`). */
function readHeader(head: Uint8Array, source: string) {
  if (head.length < 4) throw new RangeError(`loadIdx: expected at least a 4-byte header in ${source}, got ${head.length} bytes`);
  const type = TYPES[head[2]];
  if (head[0] !== 0 || head[1] !== 0 || type === undefined || head[3] === 0) {
    const magic = [...head.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new RangeError(`loadIdx: expected an IDX magic number 00 00 <type 08-0e> <ndim>, got ${magic} in ${source} (not an IDX file?)`);
  }
  const ndim = head[3], headerBytes = 4 + 4 * ndim;
  if (head.length < headerBytes) throw new RangeError(`loadIdx: expected a ${headerBytes}-byte header for ${ndim} dimensions in ${source}, got ${head.length} bytes (truncated file?)`);
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const shape: number[] = [];
  for (let d = 0; d < ndim; d++) shape.push(view.getUint32(4 + 4 * d));
  const count = shape.reduce((a, b) => a * b, 1);
  return { type, shape, count, headerBytes, expected: headerBytes + count * type[1] };
}

/**
 * Parses the bytes of an IDX file (the MNIST family's format): a magic number 0x00 0x00 `type` `ndim`, `ndim`
 * big-endian uint32 dimensions, then the values, big-endian. Gzipped bytes (magic 0x1f 0x8b) are decompressed
 * first, and never past the size the header announces (at most `MAX_IDX_BYTES`), so a decompression bomb costs
 * no more than the file it claims to be. A wrong magic number, a truncated header or body, or trailing bytes are
 * errors naming `source`.
 */
export function parseIdx(bytes: Uint8Array, source = 'IDX data'): IdxArray {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`parseIdx: expected a Uint8Array (or Buffer), got ${typeof bytes}`);
  const gz = isGzip(bytes);
  // the header's longest form: 4 bytes, then 4 per dimension, at most 255 dimensions
  const { type: [name, width, make, read], shape, count, headerBytes, expected } = readHeader(gz ? gunzipHead(bytes, 4 + 4 * 255, source) : bytes, source);
  if (expected > MAX_IDX_BYTES) {
    throw new RangeError(`loadIdx: expected at most ${MAX_IDX_BYTES} bytes of IDX data in ${source}, got a header announcing ${expected} (${count} ${name} values of shape [${shape}])`);
  }
  let raw = bytes;
  if (gz) {
    // zlib stops as soon as the output passes the announced size, so the rest of a longer stream is never inflated
    const inflated = gunzip(bytes, source, { limit: expected });
    if (inflated === null) {
      throw new RangeError(`loadIdx: expected ${expected} bytes for ${count} ${name} values of shape [${shape}] in ${source}, as its header announces, got a gzip stream that inflates to more (trailing bytes, or a decompression bomb: stopped at ${expected})`);
    }
    raw = inflated;
  }
  if (raw.length !== expected) {
    throw new RangeError(`loadIdx: expected ${expected} bytes for ${count} ${name} values of shape [${shape}] in ${source}, got ${raw.length}${raw.length < expected ? ' (truncated file?)' : ' (trailing bytes)'}`);
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const data = make(count);
  if (width === 1) data.set(raw.subarray(headerBytes, expected));
  else for (let i = 0; i < count; i++) data[i] = read(view, headerBytes + i * width);
  return { shape, data };
}

/** Reads an IDX file, gzipped or not (see `parseIdx`). */
export function loadIdx(path: string): IdxArray {
  if (typeof path !== 'string') throw new TypeError(`loadIdx: expected a file path, got ${typeof path}`);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new Error(`loadIdx: cannot read ${path}: ${(err as Error).message}`);
  }
  return parseIdx(bytes, path);
}

/** Fashion-MNIST's ten classes, by label. */
export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] as const;

/** Where Debian's `dataset-fashion-mnist` package installs the four files. */
export const DEBIAN_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** Images [n, 1, 28, 28] (or [n, 784] flattened) and their class indices [n]. */
export interface ImageSet {
  x: Tensor;
  y: Tensor;
}

/** Options of `loadFashionMnist`. */
export interface FashionMnistOptions {
  /** Examples kept from the 60,000 training images (a seeded random subset when shuffling). Default all. */
  trainSize?: number;
  /** Examples kept from the 10,000 test images (the first ones; the test set is never shuffled). Default all. */
  testSize?: number;
  /** Examples moved from the (shuffled) training set into a validation set. Default 0 (no validation set). */
  validationSize?: number;
  /**
   * 'standard' (default): pixels / 255 standardized with the training subset's mean and std; 'unit': pixels / 255;
   * 'none': raw 0-255 values.
   */
  normalize?: 'standard' | 'unit' | 'none';
  /** Shuffle the training set before taking subsets (seeded). Default true. */
  shuffle?: boolean;
  generator?: Generator;
  /** Images as [n, 784] rows instead of [n, 1, 28, 28]. Default false. */
  flatten?: boolean;
}

/** What `loadFashionMnist` returns. */
export interface FashionMnist {
  train: ImageSet;
  valid: ImageSet | null;
  test: ImageSet;
  classes: readonly string[];
  /** The mean and std used by 'standard' normalization (of pixels / 255), else 0 and 1. */
  mean: number;
  std: number;
  /** The directory the files were read from. */
  dir: string;
}

const FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
};

/** The directory holding the four Fashion-MNIST files: `dir` when given, else Debian's, else null. */
export function findFashionMnist(dir?: string): string | null {
  if (dir !== undefined && typeof dir !== 'string') throw new TypeError(`findFashionMnist: expected a directory path, got ${dir === null ? 'null' : typeof dir}`);
  const has = (d: string) => Object.values(FILES).every((f) => existsSync(join(d, f)) || existsSync(join(d, `${f}.gz`)));
  if (dir !== undefined) return has(dir) ? dir : null;
  return has(DEBIAN_FASHION_MNIST_DIR) ? DEBIAN_FASHION_MNIST_DIR : null;
}

function readPair(dir: string, images: string, labels: string): { images: IdxArray; labels: IdxArray } {
  const path = (f: string) => (existsSync(join(dir, f)) ? join(dir, f) : join(dir, `${f}.gz`));
  const im = loadIdx(path(images)), lb = loadIdx(path(labels));
  if (!(im.data instanceof Uint8Array) || im.shape.length !== 3) {
    throw new RangeError(`loadFashionMnist: expected ${images} to hold unsigned bytes of shape [n, rows, cols], got shape [${im.shape}]`);
  }
  if (!(lb.data instanceof Uint8Array) || lb.shape.length !== 1 || lb.shape[0] !== im.shape[0]) {
    throw new RangeError(`loadFashionMnist: expected ${labels} to hold ${im.shape[0]} unsigned-byte labels, got shape [${lb.shape}]`);
  }
  const bad = lb.data.findIndex((v) => v >= FASHION_MNIST_CLASSES.length);
  if (bad !== -1) throw new RangeError(`loadFashionMnist: expected labels in [0, ${FASHION_MNIST_CLASSES.length}), got ${lb.data[bad]} at index ${bad} of ${labels}`);
  return { images: im, labels: lb };
}

function checkSize(name: string, v: number | undefined, max: number, fallback: number): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`loadFashionMnist: expected ${name} to be an integer in [0, ${max}], got ${v}`);
  return v;
}

/**
 * Loads Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017: 28x28 grey images of clothing in ten classes, 60,000 for
 * training and 10,000 for testing) from `dir`, or from where Debian's `dataset-fashion-mnist` package installs it.
 * Files may be gzipped or not. The training set is shuffled with the seeded generator, then split into the training
 * subset and a validation set; the test set keeps its order. Every file is read and checked before anything is
 * returned, so a bad file gives an error and no data.
 */
export function loadFashionMnist(dir?: string, options: FashionMnistOptions = {}): FashionMnist {
  if (dir !== undefined && typeof dir !== 'string') throw new TypeError(`loadFashionMnist: expected a directory path, got ${typeof dir}`);
  const found = findFashionMnist(dir);
  if (found === null) {
    const where = dir === undefined ? `${DEBIAN_FASHION_MNIST_DIR} (install the Debian package dataset-fashion-mnist, or pass the directory)` : `${dir} (or install the Debian package dataset-fashion-mnist and pass no directory)`;
    throw new Error(`loadFashionMnist: expected the four Fashion-MNIST files (${Object.values(FILES).join(', ')}, optionally .gz) in ${where}, got none or only some`);
  }
  const normalize = options.normalize ?? 'standard';
  if (!['standard', 'unit', 'none'].includes(normalize)) throw new RangeError(`loadFashionMnist: expected normalize 'standard', 'unit' or 'none', got '${normalize}'`);
  const train = readPair(found, FILES.trainImages, FILES.trainLabels);
  const test = readPair(found, FILES.testImages, FILES.testLabels);
  const nTrain = train.images.shape[0];
  const validationSize = checkSize('validationSize', options.validationSize, nTrain, 0);
  const trainSize = checkSize('trainSize', options.trainSize, nTrain - validationSize, nTrain - validationSize);
  const testSize = checkSize('testSize', options.testSize, test.images.shape[0], test.images.shape[0]);
  const order = (options.shuffle ?? true) ? (options.generator ?? defaultGenerator).permutation(nTrain) : Array.from({ length: nTrain }, (_, i) => i);
  const pixels = train.images.shape[1] * train.images.shape[2];

  let mean = 0, std = 1;
  if (normalize === 'standard') {
    // statistics of the training subset only, so nothing about validation or test leaks into the inputs
    let s = 0, s2 = 0;
    for (let r = 0; r < trainSize; r++) {
      const src = train.images.data.subarray(order[r] * pixels, (order[r] + 1) * pixels);
      for (let i = 0; i < pixels; i++) {
        const v = src[i] / 255;
        s += v;
        s2 += v * v;
      }
    }
    const count = trainSize * pixels;
    mean = count > 0 ? s / count : 0;
    std = count > 1 ? Math.sqrt(Math.max(0, s2 / count - mean * mean)) || 1 : 1;
  }
  const scale = normalize === 'none' ? 1 : 1 / 255;
  const shapeOf = (n: number) => (options.flatten ? [n, pixels] : [n, 1, train.images.shape[1], train.images.shape[2]]);
  const take = (set: { images: IdxArray; labels: IdxArray }, rows: number[]): ImageSet => {
    const x = new Float32Array(rows.length * pixels), y = new Float32Array(rows.length);
    rows.forEach((src, r) => {
      const from = set.images.data.subarray(src * pixels, (src + 1) * pixels);
      for (let i = 0; i < pixels; i++) x[r * pixels + i] = (from[i] * scale - mean) / std;
      y[r] = set.labels.data[src];
    });
    return { x: new Tensor(x, shapeOf(rows.length)), y: new Tensor(y, [rows.length]) };
  };
  return {
    train: take(train, order.slice(0, trainSize)),
    valid: validationSize > 0 ? take(train, order.slice(nTrain - validationSize)) : null,
    test: take(test, Array.from({ length: testSize }, (_, i) => i)),
    classes: FASHION_MNIST_CLASSES,
    mean,
    std,
    dir: found,
  };
}
