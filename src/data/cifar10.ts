import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { splitImages, checkImageSplitOptions, type ImageSet, type ImageSplitOptions, type RawImages } from './image-split.js';

/** CIFAR-10's ten classes, by label (the order of `batches.meta.txt`). */
export const CIFAR10_CLASSES: readonly string[] = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

/** The six files of the official binary version (`cifar-10-binary.tar.gz`), training batches first. */
export const CIFAR10_FILES: readonly string[] = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin'];

/** Bytes of one record: a label byte, then 1024 red, 1024 green and 1024 blue pixels, each plane row-major. */
export const CIFAR10_RECORD_BYTES = 1 + 3 * 32 * 32;

/** Options of `loadCifar10`: see `ImageSplitOptions`. */
export type Cifar10Options = ImageSplitOptions;

/** What `loadCifar10` returns: images [n, 3, 32, 32] (or [n, 3072]), labels [n], per-channel statistics. */
export interface Cifar10 {
  train: ImageSet;
  valid: ImageSet | null;
  test: ImageSet;
  classes: readonly string[];
  /** Per channel (red, green, blue): the mean and std 'standard' normalization used (of pixels / 255). */
  mean: number[];
  std: number[];
  /** The directory the batches were read from. */
  dir: string;
}

/**
 * One binary batch's bytes as pixels and labels: `n` records of `CIFAR10_RECORD_BYTES`. A length that is no
 * whole number of records (a truncated file), or a label outside 0-9, is an error naming `source`.
 */
export function parseCifar10Batch(bytes: Uint8Array, source = 'CIFAR-10 batch'): RawImages {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`parseCifar10Batch: expected a Uint8Array (or Buffer), got ${typeof bytes}`);
  const n = Math.floor(bytes.length / CIFAR10_RECORD_BYTES);
  if (bytes.length === 0 || bytes.length % CIFAR10_RECORD_BYTES !== 0) {
    throw new RangeError(`parseCifar10Batch: expected whole records of ${CIFAR10_RECORD_BYTES} bytes (1 label + 3072 pixels) in ${source}, got ${bytes.length} bytes (${n} records and ${bytes.length - n * CIFAR10_RECORD_BYTES} bytes over: truncated or not a CIFAR-10 binary batch?)`);
  }
  const pixels = new Uint8Array(n * (CIFAR10_RECORD_BYTES - 1)), labels = new Uint8Array(n);
  for (let r = 0; r < n; r++) {
    const o = r * CIFAR10_RECORD_BYTES, label = bytes[o];
    if (label >= CIFAR10_CLASSES.length) throw new RangeError(`parseCifar10Batch: expected labels in [0, 10), got ${label} in record ${r} of ${source} (not a CIFAR-10 binary batch? CIFAR-100's records have two label bytes)`);
    labels[r] = label;
    pixels.set(bytes.subarray(o + 1, o + CIFAR10_RECORD_BYTES), r * (CIFAR10_RECORD_BYTES - 1));
  }
  return { pixels, labels };
}

/** The folder holding the six batches: `dir` itself, or its `cifar-10-batches-bin` (where the archive unpacks). */
function findBatches(dir: string): string | null {
  for (const d of [dir, join(dir, 'cifar-10-batches-bin')]) if (CIFAR10_FILES.every((f) => existsSync(join(d, f)))) return d;
  return null;
}

function concat(parts: RawImages[]): RawImages {
  const pixels = new Uint8Array(parts.reduce((a, p) => a + p.pixels.length, 0)), labels = new Uint8Array(parts.reduce((a, p) => a + p.labels.length, 0));
  let po = 0, lo = 0;
  for (const p of parts) {
    pixels.set(p.pixels, po);
    labels.set(p.labels, lo);
    po += p.pixels.length;
    lo += p.labels.length;
  }
  return { pixels, labels };
}

/**
 * Loads CIFAR-10 (Krizhevsky, 2009: 32x32 colour images in ten classes, 50,000 for training and 10,000 for
 * testing) from the official binary batches: `dir` holds `data_batch_1.bin` ... `data_batch_5.bin` and
 * `test_batch.bin`, or is the folder `cifar-10-binary.tar.gz` unpacks into (they are then in its
 * `cifar-10-batches-bin`). Images are [n, 3, 32, 32] in torchvision's channel order; subsets, validation split,
 * seeded shuffling and per-channel standardization as `splitImages`. Every batch is read and checked before
 * anything is returned: a truncated or malformed batch is an error naming it, and no data.
 */
export function loadCifar10(dir: string, options: Cifar10Options = {}): Cifar10 {
  if (typeof dir !== 'string' || dir === '') throw new TypeError(`loadCifar10: expected a directory path, got ${dir === '' ? 'an empty string' : typeof dir}`);
  checkImageSplitOptions('loadCifar10', options);
  const found = existsSync(dir) && statSync(dir).isDirectory() ? findBatches(dir) : null;
  if (found === null) {
    const missing = existsSync(dir) ? CIFAR10_FILES.filter((f) => !existsSync(join(dir, f))) : [];
    throw new Error(`loadCifar10: expected the CIFAR-10 binary batches (${CIFAR10_FILES.join(', ')}) in ${dir} or in its cifar-10-batches-bin folder, got ${existsSync(dir) ? `none of ${missing.join(', ')}` : 'no directory'} (the binary version, cifar-10-binary.tar.gz, not the Python pickles)`);
  }
  const read = (f: string) => {
    try {
      return parseCifar10Batch(readFileSync(join(found, f)), join(found, f));
    } catch (err) {
      throw new RangeError(`loadCifar10: ${(err as Error).message}`);
    }
  };
  const train = concat(CIFAR10_FILES.slice(0, 5).map(read)), test = read(CIFAR10_FILES[5]);
  const s = splitImages('loadCifar10', train, test, [3, 32, 32], options);
  return { ...s, classes: CIFAR10_CLASSES, dir: found };
}
