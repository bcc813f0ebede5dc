// MNIST through the IDX reader: a miniature copy written here in the IDX format (plain and gzipped), read back with
// loadMnist; a wrong folder names the four files, a truncated or malformed file is refused with nothing returned.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadMnist, MNIST_CLASSES, Generator } from '../../src/index.js';
import { removeAtExit } from '../helpers/cleanup.js';

/** An unsigned-byte IDX file: magic 00 00 08 ndim, big-endian dims, the bytes. */
function idx(shape: number[], values: number[]): Buffer {
  const head = Buffer.alloc(4 + 4 * shape.length);
  head[2] = 0x08;
  head[3] = shape.length;
  shape.forEach((s, i) => head.writeUInt32BE(s, 4 + 4 * i));
  return Buffer.concat([head, Buffer.from(values)]);
}

const tmp = mkdtempSync(join(tmpdir(), 'lrlab-mnist-'));

/** n training and m test digits of 4x4 pixels: pixel p of image i is 16 * label + p. */
function writeMnist(dir: string, n: number, m: number, options: { gzip?: boolean; cut?: string; label?: number } = {}): void {
  mkdirSync(dir, { recursive: true });
  for (const [prefix, count] of [['train', n], ['t10k', m]] as const) {
    const labels = Array.from({ length: count }, (_, i) => (i * 3) % 10);
    if (options.label !== undefined && prefix === 't10k') labels[1] = options.label;
    const files: [string, Buffer][] = [
      [`${prefix}-images-idx3-ubyte`, idx([count, 4, 4], labels.flatMap((l) => Array.from({ length: 16 }, (_, p) => (16 * l + p) % 256)))],
      [`${prefix}-labels-idx1-ubyte`, idx([count], labels)],
    ];
    for (const [name, buf] of files) {
      const bytes = options.cut === name ? buf.subarray(0, buf.length - 3) : buf;
      writeFileSync(join(dir, options.gzip ? `${name}.gz` : name), options.gzip ? gzipSync(bytes) : bytes);
    }
  }
}

const plain = join(tmp, 'plain'), gz = join(tmp, 'gz');
writeMnist(plain, 20, 6);
writeMnist(gz, 20, 6, { gzip: true });

const read = suite('loadMnist reads the four IDX files, gzipped or not');
read('images and labels come back in order, the same from plain and gzipped files', () => {
  const a = loadMnist(plain, { normalize: 'none', shuffle: false });
  const b = loadMnist(gz, { normalize: 'none', shuffle: false });
  assert.equal(a.train.x.shape, [20, 1, 4, 4]);
  assert.equal([...a.train.y.data], Array.from({ length: 20 }, (_, i) => (i * 3) % 10));
  assert.equal([...a.train.x.data.subarray(16, 19)], [48, 49, 50], 'image 1 has label 3: 16 * 3 + p');
  assert.equal([...b.train.x.data], [...a.train.x.data]);
  assert.equal([...b.test.y.data], [...a.test.y.data]);
  assert.equal(a.classes, MNIST_CLASSES);
});
read('subsets, the validation split and standardization follow the generator', () => {
  const a = loadMnist(plain, { trainSize: 10, validationSize: 5, testSize: 3, generator: new Generator(1) });
  const b = loadMnist(plain, { trainSize: 10, validationSize: 5, testSize: 3, generator: new Generator(1) });
  assert.equal([...a.train.x.data], [...b.train.x.data]);
  assert.equal(a.valid!.x.shape, [5, 1, 4, 4]);
  assert.equal(a.test.x.shape, [3, 1, 4, 4]);
  const mean = a.train.x.data.reduce((s, v) => s + v, 0) / a.train.x.size;
  assert.ok(Math.abs(mean) < 1e-5, `standardized mean ${mean}`);
});

const bad = suite('loadMnist: wrong folders, truncated and malformed files');
bad('a folder missing files names the four expected files and which are missing', () => {
  const partial = join(tmp, 'partial');
  writeMnist(partial, 4, 2);
  rmSync(join(partial, 't10k-labels-idx1-ubyte'));
  assert.throws(() => loadMnist(partial), /loadMnist: expected a directory holding the four MNIST IDX files \(train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each optionally .gz\), got .*partial without t10k-labels-idx1-ubyte/);
  assert.throws(() => loadMnist(join(tmp, 'none')), /got no directory at/);
  assert.throws(() => loadMnist(undefined as never), /loadMnist: expected a directory path, got undefined/);
});
bad('a truncated file is refused by name, plain or gzipped', () => {
  const cut = join(tmp, 'cut');
  writeMnist(cut, 8, 4, { cut: 'train-images-idx3-ubyte' });
  assert.throws(() => loadMnist(cut), /loadIdx: expected 144 bytes for 128 unsigned byte values of shape \[8,4,4\] in .*train-images-idx3-ubyte, got 141 \(truncated file\?\)/);
  const cutGz = join(tmp, 'cut-gz');
  writeMnist(cutGz, 8, 4, { gzip: true, cut: 't10k-labels-idx1-ubyte' });
  assert.throws(() => loadMnist(cutGz), /t10k-labels-idx1-ubyte.gz, got 9 \(truncated file\?\)/);
});
bad('a label outside 0-9 is refused with its index and file', () => {
  const dir = join(tmp, 'label');
  writeMnist(dir, 8, 4, { label: 11 });
  assert.throws(() => loadMnist(dir), /loadMnist: expected labels in \[0, 10\), got 11 at index 1 of t10k-labels-idx1-ubyte/);
});
bad('unknown options are named', () => {
  assert.throws(() => loadMnist(plain, { size: 3 } as never), /loadMnist: expected options among .*, got unknown size/);
});

read.run();
bad.run();
removeAtExit(tmp);
