import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, constants as zlibConstants } from 'node:zlib';
import { splitImages, checkImageSplitOptions, type ImageSet, type ImageSplitOptions, type RawImages } from './image-split.js';

export type { ImageSet } from './image-split.js';

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

/** Options of `loadFashionMnist` (and `loadMnist`): see `ImageSplitOptions`. */
export type FashionMnistOptions = ImageSplitOptions;

/** What `loadFashionMnist` (and `loadMnist`) returns: images [n, 1, 28, 28] or [n, 784], labels [n]. */
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

/** The four IDX files' names, as MNIST and Fashion-MNIST ship them (each may be gzipped, with `.gz`). */
export const MNIST_FILES: readonly string[] = Object.values(FILES);

function readPair(fn: string, dir: string, images: string, labels: string, classes: number): RawImages & { shape: number[] } {
  const path = (f: string) => (existsSync(join(dir, f)) ? join(dir, f) : join(dir, `${f}.gz`));
  const im = loadIdx(path(images)), lb = loadIdx(path(labels));
  if (!(im.data instanceof Uint8Array) || im.shape.length !== 3) {
    throw new RangeError(`${fn}: expected ${images} to hold unsigned bytes of shape [n, rows, cols], got shape [${im.shape}]`);
  }
  if (!(lb.data instanceof Uint8Array) || lb.shape.length !== 1 || lb.shape[0] !== im.shape[0]) {
    throw new RangeError(`${fn}: expected ${labels} to hold ${im.shape[0]} unsigned-byte labels, got shape [${lb.shape}]`);
  }
  const bad = lb.data.findIndex((v) => v >= classes);
  if (bad !== -1) throw new RangeError(`${fn}: expected labels in [0, ${classes}), got ${lb.data[bad]} at index ${bad} of ${labels}`);
  return { pixels: im.data, labels: lb.data, shape: im.shape };
}

/**
 * Reads the four IDX files of an MNIST-like set in `dir` (already found) and splits them (see `splitImages`);
 * every file is read and checked before anything is returned. Errors name `fn`.
 */
export function loadIdxImageFolder(fn: string, dir: string, classes: readonly string[], options: ImageSplitOptions): FashionMnist {
  const train = readPair(fn, dir, FILES.trainImages, FILES.trainLabels, classes.length);
  const test = readPair(fn, dir, FILES.testImages, FILES.testLabels, classes.length);
  if (train.shape[1] !== test.shape[1] || train.shape[2] !== test.shape[2]) {
    throw new RangeError(`${fn}: expected training and test images of one size, got [${train.shape.slice(1)}] and [${test.shape.slice(1)}]`);
  }
  const s = splitImages(fn, train, test, [1, train.shape[1], train.shape[2]], options);
  return { train: s.train, valid: s.valid, test: s.test, classes, mean: s.mean[0], std: s.std[0], dir };
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
  checkImageSplitOptions('loadFashionMnist', options);
  const found = findFashionMnist(dir);
  if (found === null) {
    const where = dir === undefined ? `${DEBIAN_FASHION_MNIST_DIR} (install the Debian package dataset-fashion-mnist, or pass the directory)` : `${dir} (or install the Debian package dataset-fashion-mnist and pass no directory)`;
    throw new Error(`loadFashionMnist: expected the four Fashion-MNIST files (${Object.values(FILES).join(', ')}, optionally .gz) in ${where}, got none or only some`);
  }
  return loadIdxImageFolder('loadFashionMnist', found, FASHION_MNIST_CLASSES, options);
}
