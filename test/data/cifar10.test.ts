// CIFAR-10's binary batches: small files written here in the official format (1 label byte + 3072 pixel bytes per
// record, six batches), read back, split and standardized per channel; truncated and malformed batches refused.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCifar10, parseCifar10Batch, CIFAR10_FILES, CIFAR10_RECORD_BYTES, Generator } from '../../src/index.js';
import { removeAtExit } from '../helpers/cleanup.js';

const tmp = mkdtempSync(join(tmpdir(), 'lrlab-cifar-'));

/** A batch of `n` records: label (first + r) % 10; channel c of record r is the constant 10 * c + r % 7. */
function batch(n: number, first: number): Buffer {
  const buf = Buffer.alloc(n * CIFAR10_RECORD_BYTES);
  for (let r = 0; r < n; r++) {
    const o = r * CIFAR10_RECORD_BYTES;
    buf[o] = (first + r) % 10;
    for (let c = 0; c < 3; c++) buf.fill(10 * c + (r % 7), o + 1 + c * 1024, o + 1 + (c + 1) * 1024);
  }
  return buf;
}

/** Six batches of 4 records each (20 training, 4 test), in `dir`. */
function writeSet(dir: string, edit?: (name: string, b: Buffer) => Buffer): void {
  mkdirSync(dir, { recursive: true });
  CIFAR10_FILES.forEach((f, i) => writeFileSync(join(dir, f), edit ? edit(f, batch(4, 4 * i)) : batch(4, 4 * i)));
}

const good = join(tmp, 'good'), nested = join(tmp, 'unpacked');
writeSet(good);
writeSet(join(nested, 'cifar-10-batches-bin'));

const read = suite('loadCifar10 reads the official binary batches');
read('records come back as [n, 3, 32, 32] images with their labels, training batches in order', () => {
  const d = loadCifar10(good, { normalize: 'none', shuffle: false });
  assert.equal(d.train.x.shape, [20, 3, 32, 32]);
  assert.equal(d.test.x.shape, [4, 3, 32, 32]);
  assert.equal([...d.train.y.data], Array.from({ length: 20 }, (_, r) => r % 10));
  assert.equal([...d.test.y.data], [0, 1, 2, 3]);
  // record 9 of training (batch 3, record 1): red 1, green 11, blue 21, every pixel
  const plane = 1024, at = 9 * 3 * plane;
  assert.equal([d.train.x.data[at], d.train.x.data[at + plane + 500], d.train.x.data[at + 2 * plane + 1023]], [1, 11, 21]);
  assert.equal(d.classes[3], 'cat');
});
read('the folder the archive unpacks into is found too', () => {
  const d = loadCifar10(nested, { shuffle: false, normalize: 'none' });
  assert.equal(d.dir, join(nested, 'cifar-10-batches-bin'));
  assert.equal(d.train.x.shape[0], 20);
});
read('standardization is per channel, from the training subset only', () => {
  const d = loadCifar10(good, { trainSize: 12, validationSize: 4, generator: new Generator(3) });
  for (let c = 0; c < 3; c++) {
    let s = 0, s2 = 0;
    for (let r = 0; r < 12; r++) for (let i = 0; i < 1024; i++) {
      const v = d.train.x.data[(r * 3 + c) * 1024 + i];
      s += v;
      s2 += v * v;
    }
    const m = s / (12 * 1024);
    assert.ok(Math.abs(m) < 1e-5, `channel ${c} mean ${m}`);
    assert.ok(Math.abs(s2 / (12 * 1024) - m * m - 1) < 1e-3, `channel ${c} variance`);
  }
  assert.ok(d.mean[2] > d.mean[1] && d.mean[1] > d.mean[0], 'blue > green > red in these files');
  assert.equal(d.valid!.x.shape, [4, 3, 32, 32]);
});
read('the same generator seed gives the same subset and split', () => {
  const a = loadCifar10(good, { trainSize: 8, validationSize: 4, generator: new Generator(5) });
  const b = loadCifar10(good, { trainSize: 8, validationSize: 4, generator: new Generator(5) });
  const c = loadCifar10(good, { trainSize: 8, validationSize: 4, generator: new Generator(6) });
  assert.equal([...a.train.y.data], [...b.train.y.data]);
  assert.equal([...a.valid!.y.data], [...b.valid!.y.data]);
  assert.not.equal([...a.train.x.data.subarray(0, 3072 * 8)], [...c.train.x.data.subarray(0, 3072 * 8)]);
});

const bad = suite('loadCifar10 refuses a wrong folder, truncated and malformed batches, returning nothing');
bad('a folder without the batches names the expected layout', () => {
  const empty = join(tmp, 'empty');
  mkdirSync(empty);
  assert.throws(() => loadCifar10(empty), /loadCifar10: expected the CIFAR-10 binary batches \(data_batch_1.bin, .*test_batch.bin\) in .*empty or in its cifar-10-batches-bin folder, got none of data_batch_1.bin/);
  assert.throws(() => loadCifar10(join(tmp, 'nowhere')), /got no directory/);
  assert.throws(() => loadCifar10(''), /loadCifar10: expected a directory path, got an empty string/);
});
bad('a truncated batch is refused by name, with its byte count', () => {
  const dir = join(tmp, 'truncated');
  writeSet(dir, (f, b) => (f === 'data_batch_4.bin' ? b.subarray(0, b.length - 100) : b));
  assert.throws(() => loadCifar10(dir), /loadCifar10: parseCifar10Batch: expected whole records of 3073 bytes \(1 label \+ 3072 pixels\) in .*data_batch_4.bin, got 12192 bytes \(3 records and 2973 bytes over/);
});
bad('a label outside 0-9 is refused (CIFAR-100 batches have two label bytes)', () => {
  const dir = join(tmp, 'labels');
  writeSet(dir, (f, b) => {
    if (f === 'test_batch.bin') b[2 * CIFAR10_RECORD_BYTES] = 17;
    return b;
  });
  assert.throws(() => loadCifar10(dir), /expected labels in \[0, 10\), got 17 in record 2 of .*test_batch.bin/);
});
bad('parseCifar10Batch refuses empty bytes and other kinds', () => {
  assert.throws(() => parseCifar10Batch(new Uint8Array(0)), /got 0 bytes/);
  assert.throws(() => parseCifar10Batch('abc' as never), /parseCifar10Batch: expected a Uint8Array \(or Buffer\), got string/);
  const one = parseCifar10Batch(batch(1, 7));
  assert.equal([...one.labels], [7]);
  assert.is(one.pixels.length, 3072);
});
bad('bad options are named before any file is read', () => {
  assert.throws(() => loadCifar10(good, { trainSize: 30 }), /loadCifar10: expected trainSize to be an integer in \[0, 20\], got 30/);
  assert.throws(() => loadCifar10(good, { validationSize: -1 }), /expected validationSize to be an integer in \[0, 20\], got -1/);
  assert.throws(() => loadCifar10(good, { normalize: 'zscore' as never }), /expected normalize 'standard', 'unit' or 'none', got 'zscore'/);
  assert.throws(() => loadCifar10(good, { trainsize: 3 } as never), /loadCifar10: expected options among .*, got unknown trainsize/);
});

read.run();
bad.run();
removeAtExit(tmp);
