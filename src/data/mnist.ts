import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MNIST_FILES, loadIdxImageFolder, type FashionMnist, type FashionMnistOptions } from './idx.js';
import { checkImageSplitOptions } from './image-split.js';

/** MNIST's ten classes, by label: the digits. */
export const MNIST_CLASSES: readonly string[] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/**
 * Loads MNIST (LeCun, Bottou, Bengio and Haffner, 1998: 28x28 grey handwritten digits, 60,000 for training and
 * 10,000 for testing) from `dir`, which holds the four IDX files as yann.lecun.com and torchvision's `MNIST/raw`
 * ship them (`train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`,
 * `t10k-labels-idx1-ubyte`, each optionally gzipped as `.gz`), through the IDX reader (`loadIdx`). Subsets,
 * validation split, seeded shuffling and normalization as `loadFashionMnist`; every file is read and checked
 * before anything is returned, so a truncated or malformed file is an error naming it, and no data.
 */
export function loadMnist(dir: string, options: FashionMnistOptions = {}): FashionMnist {
  if (typeof dir !== 'string' || dir === '') throw new TypeError(`loadMnist: expected a directory path, got ${dir === '' ? 'an empty string' : typeof dir}`);
  checkImageSplitOptions('loadMnist', options);
  const isDir = existsSync(dir) && statSync(dir).isDirectory();
  const missing = MNIST_FILES.filter((f) => !existsSync(join(dir, f)) && !existsSync(join(dir, `${f}.gz`)));
  if (!isDir || missing.length > 0) {
    throw new Error(`loadMnist: expected a directory holding the four MNIST IDX files (${MNIST_FILES.join(', ')}, each optionally .gz), got ${!isDir ? `no directory at ${dir}` : `${dir} without ${missing.join(', ')}`}`);
  }
  return loadIdxImageFolder('loadMnist', dir, MNIST_CLASSES, options);
}
