// IDX files (the MNIST family's format) and Fashion-MNIST: small files written here for the format and its errors;
// the real dataset where Debian's dataset-fashion-mnist is installed (skipped, with the reason, where it is not).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync, deflateRawSync, crc32 } from 'node:zlib';
import { loadIdx, parseIdx, loadFashionMnist, findFashionMnist, Generator } from '../../src/index.js';
import { removeAtExit } from '../helpers/cleanup.js';

/** The bytes of an IDX file: magic 00 00 type ndim, big-endian dims, big-endian values. */
function idx(type: number, shape: number[], values: number[]): Buffer {
  const width = { 0x08: 1, 0x09: 1, 0x0b: 2, 0x0c: 4, 0x0d: 4, 0x0e: 8 }[type]!;
  const buf = Buffer.alloc(4 + 4 * shape.length + values.length * width);
  buf[2] = type;
  buf[3] = shape.length;
  shape.forEach((s, i) => buf.writeUInt32BE(s, 4 + 4 * i));
  const o = 4 + 4 * shape.length;
  values.forEach((v, i) => {
    if (type === 0x08) buf.writeUInt8(v, o + i);
    else if (type === 0x09) buf.writeInt8(v, o + i);
    else if (type === 0x0b) buf.writeInt16BE(v, o + 2 * i);
    else if (type === 0x0c) buf.writeInt32BE(v, o + 4 * i);
    else if (type === 0x0d) buf.writeFloatBE(v, o + 4 * i);
    else buf.writeDoubleBE(v, o + 8 * i);
  });
  return buf;
}

const tmp = mkdtempSync(join(tmpdir(), 'lrlab-idx-'));

/** A miniature Fashion-MNIST: n training and m test images of 2x3 pixels, pixel = 10 * label + position. */
function miniDataset(dir: string, n: number, m: number, options: { gzip?: boolean; badLabel?: boolean } = {}): void {
  mkdirSync(dir, { recursive: true });
  const write = (name: string, buf: Buffer) => writeFileSync(join(dir, options.gzip ? `${name}.gz` : name), options.gzip ? gzipSync(buf) : buf);
  for (const [prefix, count] of [['train', n], ['t10k', m]] as const) {
    const labels = Array.from({ length: count }, (_, i) => (i * 7) % 10);
    if (options.badLabel && prefix === 'train') labels[3] = 12;
    write(`${prefix}-images-idx3-ubyte`, idx(0x08, [count, 2, 3], labels.flatMap((l) => [0, 1, 2, 3, 4, 5].map((p) => 10 * l + p))));
    write(`${prefix}-labels-idx1-ubyte`, idx(0x08, [count], labels));
  }
}

const format = suite('loadIdx reads IDX files, gzipped or not');
format('every element type reads back with its shape, big-endian', () => {
  const cases: [number, number[]][] = [[0x08, [0, 7, 255]], [0x09, [-128, 3, 127]], [0x0b, [-300, 2, 30000]], [0x0c, [-70000, 1, 2 ** 30]], [0x0d, [1.5, -2.25, 0]], [0x0e, [Math.PI, -1e100, 2]]];
  for (const [type, values] of cases) {
    const r = parseIdx(idx(type, [1, 3], values));
    assert.equal(r.shape, [1, 3]);
    assert.equal([...r.data], values, `type 0x${type.toString(16)}`);
  }
});
format('a gzipped file and a plain one give the same array', () => {
  const raw = idx(0x08, [2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
  writeFileSync(join(tmp, 'a.idx'), raw);
  writeFileSync(join(tmp, 'a.idx.gz'), gzipSync(raw));
  const a = loadIdx(join(tmp, 'a.idx')), b = loadIdx(join(tmp, 'a.idx.gz'));
  assert.equal(a.shape, [2, 2, 2]);
  assert.ok(a.data instanceof Uint8Array);
  assert.equal([...b.data], [...a.data]);
});

const bad = suite('loadIdx: corrupt or truncated files give clear errors');
bad('a wrong magic number says it is not an IDX file', () => {
  assert.throws(() => parseIdx(Buffer.from('PK\x03\x04 hello', 'latin1'), 'x.zip'), /loadIdx: expected an IDX magic number 00 00 <type 08-0e> <ndim>, got 50 4b 03 04 in x.zip/);
  assert.throws(() => parseIdx(Buffer.from([0, 0, 0x0a, 1, 0, 0, 0, 1, 0])), /got 00 00 0a 01/);
});
bad('a truncated body, a truncated header and trailing bytes are named', () => {
  const full = idx(0x08, [3, 4], Array.from({ length: 12 }, (_, i) => i));
  assert.throws(() => parseIdx(full.subarray(0, full.length - 5), 'f'), /expected 24 bytes for 12 unsigned byte values of shape \[3,4\] in f, got 19 \(truncated file\?\)/);
  assert.throws(() => parseIdx(full.subarray(0, 7)), /expected a 12-byte header for 2 dimensions in IDX data, got 7 bytes/);
  assert.throws(() => parseIdx(full.subarray(0, 2)), /expected at least a 4-byte header/);
  assert.throws(() => parseIdx(Buffer.concat([full, Buffer.from([1])])), /got 25 \(trailing bytes\)/);
});
bad('a truncated or corrupt gzip stream is reported as such', () => {
  const gz = gzipSync(idx(0x08, [100], Array.from({ length: 100 }, (_, i) => i)));
  assert.throws(() => parseIdx(gz.subarray(0, gz.length - 10), 'cut.gz'), /loadIdx: expected a complete gzip stream in cut.gz, got a corrupt or truncated one/);
  const flipped = Buffer.from(gz);
  flipped[12] ^= 0xff;
  assert.throws(() => parseIdx(flipped), /corrupt or truncated/);
});
bad('a gzip stream that inflates past the size its header announces stops there (a decompression bomb)', () => {
  // gzip members may be concatenated: ten announced bytes, then 256 members of 1 MiB of zeros each (about 1 kB
  // compressed): 260 kB on disk, 256 MiB once inflated. Inflating it all took seconds and the memory; now zlib
  // stops at the 18 bytes the header announces.
  const zeros = gzipSync(Buffer.alloc(1 << 20));
  const bomb = Buffer.concat([gzipSync(idx(0x08, [10], Array.from({ length: 10 }, (_, i) => i))), ...Array.from({ length: 256 }, () => zeros)]);
  assert.throws(() => parseIdx(bomb, 'bomb.gz'), (e: Error) => e instanceof RangeError && /^loadIdx: expected 18 bytes for 10 unsigned byte values of shape \[10\] in bomb.gz, as its header announces, got a gzip stream that inflates to more \(trailing bytes, or a decompression bomb: stopped at 18\)$/.test(e.message));
});
bad('a header announcing more than MAX_IDX_BYTES is refused before anything is inflated', () => {
  const huge = gzipSync(Buffer.concat([idx(0x08, [65536, 65536], []), Buffer.alloc(100)]));
  assert.throws(() => parseIdx(huge, 'huge.gz'), /^loadIdx: expected at most 2147483647 bytes of IDX data in huge.gz, got a header announcing 4294967308 \(4294967296 unsigned byte values of shape \[65536,65536\]\)$/);
  assert.throws(() => parseIdx(idx(0x0e, [1 << 14, 1 << 14], [])), /got a header announcing 2147483660 \(268435456 double values/);
});
bad('a gzip header with a long file name field still reads (the header is found by inflating a growing prefix)', () => {
  // RFC 1952: ID1 ID2 CM=8 FLG=FNAME, MTIME (4), XFL, OS, the name ending in 0, the deflate data, CRC32, ISIZE
  const raw = idx(0x0c, [2, 3], [1, -2, 3, -4, 5, 2 ** 30]);
  const name = Buffer.alloc(20000, 0x61);
  const tail = Buffer.alloc(8);
  tail.writeUInt32LE(crc32(raw), 0);
  tail.writeUInt32LE(raw.length, 4);
  const gz = Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 8, 0, 0, 0, 0, 0, 3]), name, Buffer.from([0]), deflateRawSync(raw), tail]);
  const r = parseIdx(gz);
  assert.equal(r.shape, [2, 3]);
  assert.equal([...r.data], [1, -2, 3, -4, 5, 2 ** 30]);
  assert.throws(() => parseIdx(gz.subarray(0, gz.length - 3)), /expected a complete gzip stream in IDX data, got a corrupt or truncated one/);
});
bad('a missing file and a wrong argument kind', () => {
  assert.throws(() => loadIdx(join(tmp, 'nope.idx')), /loadIdx: cannot read .*nope.idx: ENOENT/);
  assert.throws(() => loadIdx(3 as never), /loadIdx: expected a file path, got number/);
});

const fashion = suite('loadFashionMnist on a miniature copy: subsets, normalization, seeded shuffling, errors');
const mini = join(tmp, 'mini'), miniGz = join(tmp, 'mini-gz');
miniDataset(mini, 20, 6);
miniDataset(miniGz, 20, 6, { gzip: true });
fashion('the four files load as [n, 1, rows, cols] images and [n] labels; gzipped files the same', () => {
  const a = loadFashionMnist(mini, { normalize: 'none', shuffle: false });
  const b = loadFashionMnist(miniGz, { normalize: 'none', shuffle: false });
  assert.equal([...a.train.x.shape], [20, 1, 2, 3]);
  assert.equal([...a.test.y.shape], [6]);
  assert.equal([...a.train.x.data.subarray(6, 12)], [70, 71, 72, 73, 74, 75], 'row 1 has label 7');
  assert.equal([...a.train.y.data.subarray(0, 3)], [0, 7, 4]);
  assert.equal([...b.train.x.data], [...a.train.x.data]);
  assert.is(a.valid, null);
  assert.is(a.classes[9], 'Ankle boot');
});
fashion('subsets and a validation set come from one seeded permutation, disjoint, and repeat with the seed', () => {
  const a = loadFashionMnist(mini, { trainSize: 8, validationSize: 5, testSize: 4, normalize: 'none', generator: new Generator(1), flatten: true });
  const b = loadFashionMnist(mini, { trainSize: 8, validationSize: 5, testSize: 4, normalize: 'none', generator: new Generator(1), flatten: true });
  assert.equal([...a.train.x.shape], [8, 6]);
  assert.equal([...a.valid!.y.shape], [5]);
  assert.equal([...a.test.y.data], [0, 7, 4, 1], 'the test set keeps its order');
  assert.equal([...a.train.x.data], [...b.train.x.data]);
  // each image's first pixel identifies its row: 10 * label is shared, so compare whole rows
  const rows = (s: { x: { data: Float32Array } }, n: number) => Array.from({ length: n }, (_, r) => [...s.x.data.subarray(r * 6, r * 6 + 6)].join());
  const order = loadFashionMnist(mini, { normalize: 'none', generator: new Generator(1), flatten: true });
  const permuted = rows(order.train, 20);
  assert.equal(rows(a.train, 8), permuted.slice(0, 8));
  assert.equal(rows(a.valid!, 5), permuted.slice(15));
  const c = loadFashionMnist(mini, { trainSize: 8, normalize: 'none', generator: new Generator(2), flatten: true });
  assert.not.equal(rows(c.train, 8), rows(a.train, 8), 'another seed, another subset');
});
fashion('standard normalization uses the training subset\'s mean and std of pixels / 255', () => {
  const d = loadFashionMnist(mini, { trainSize: 10, generator: new Generator(3) });
  let s = 0, s2 = 0;
  for (const v of d.train.x.data) { s += v; s2 += v * v; }
  const n = d.train.x.size;
  assert.ok(Math.abs(s / n) < 1e-5, `mean ${s / n}`);
  assert.ok(Math.abs(s2 / n - 1) < 1e-4, `variance ${s2 / n}`);
  const u = loadFashionMnist(mini, { normalize: 'unit', shuffle: false });
  assert.is(u.train.x.data[7], Math.fround(71 / 255));
  assert.ok(Math.abs(d.test.x.data[0] - (0 - d.mean) / d.std) < 1e-6, 'the test set uses the training statistics');
});
fashion('labels out of range are refused and nothing is returned', () => {
  const dir = join(tmp, 'bad-label');
  miniDataset(dir, 10, 4, { badLabel: true });
  assert.throws(() => loadFashionMnist(dir), /loadFashionMnist: expected labels in \[0, 10\), got 12 at index 3 of train-labels-idx1-ubyte/);
});
fashion('a truncated image file is refused', () => {
  const dir = join(tmp, 'cut');
  miniDataset(dir, 10, 4);
  const raw = idx(0x08, [10, 2, 3], Array.from({ length: 60 }, () => 1));
  writeFileSync(join(dir, 'train-images-idx3-ubyte'), raw.subarray(0, 40));
  assert.throws(() => loadFashionMnist(dir), /train-images-idx3-ubyte, got 40 \(truncated file\?\)/);
});
fashion('a missing directory names the Debian package; bad options are refused', () => {
  assert.throws(() => loadFashionMnist(join(tmp, 'empty')), /loadFashionMnist: expected the four Fashion-MNIST files \(train-images-idx3-ubyte, .*\) in .*empty \(or install the Debian package dataset-fashion-mnist/);
  assert.throws(() => loadFashionMnist(mini, { trainSize: 30 }), /expected trainSize to be an integer in \[0, 20\], got 30/);
  assert.throws(() => loadFashionMnist(mini, { validationSize: 5, trainSize: 16 }), /in \[0, 15\], got 16/);
  assert.throws(() => loadFashionMnist(mini, { testSize: 1.5 }), /testSize/);
  assert.throws(() => loadFashionMnist(mini, { normalize: 'minmax' as never }), /expected normalize 'standard', 'unit' or 'none', got 'minmax'/);
});

const real = suite('the real Fashion-MNIST (Debian\'s dataset-fashion-mnist)');
const installed = findFashionMnist();
if (installed === null) {
  console.log('  real Fashion-MNIST tests skipped: the Debian package dataset-fashion-mnist is not installed');
  real.skip('the installed files load with the published sizes and a balanced test set', () => {});
} else {
  real('the installed files load with the published sizes and a balanced test set', () => {
    const d = loadFashionMnist(undefined, { trainSize: 500, testSize: 10000 });
    assert.equal([...d.train.x.shape], [500, 1, 28, 28]);
    assert.equal([...d.test.x.shape], [10000, 1, 28, 28]);
    const counts = new Array(10).fill(0);
    for (const v of d.test.y.data) counts[v]++;
    assert.equal(counts, new Array(10).fill(1000), 'Fashion-MNIST\'s test set has 1,000 images per class');
    assert.ok(d.mean > 0.2 && d.mean < 0.4, `pixel mean ${d.mean}`);
  });
}

format.run();
bad.run();
fashion.run();
real.run();
removeAtExit(tmp);
