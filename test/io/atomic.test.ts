// writeFileAtomic: every byte is written or the call raises, and the target stays whole; on a real full disk and
// with writeSync made to write fewer bytes than asked.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fs, { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../../src/io/atomic.js';
import { mountTmpfs } from './tmpfs.js';

const test = suite('writeFileAtomic: the whole new file or the old one, never a cut-off one');
const root = mkdtempSync(join(tmpdir(), 'lrlab-atomic-'));

/** Runs `fn` with fs.writeSync replaced (the module's named import sees it too). */
function withWriteSync(fake: typeof fs.writeSync, fn: () => void): void {
  const real = fs.writeSync;
  fs.writeSync = fake;
  syncBuiltinESMExports();
  try {
    fn();
  } finally {
    fs.writeSync = real;
    syncBuiltinESMExports();
  }
}

test('on a nearly full disk (a 64 KiB tmpfs) a larger file raises ENOSPC and the good file stays whole', () => {
  const disk = mountTmpfs(64, 'a real short write needs a small tmpfs');
  if (disk === null) return;
  try {
    const path = join(disk.dir, 'model.json');
    const good = JSON.stringify({ weights: 'w'.repeat(30_000) });
    writeFileAtomic(path, good);
    // the kernel writes what fits (a short count from write(2)), then refuses the rest with ENOSPC
    const big = JSON.stringify({ weights: 'x'.repeat(100_000) });
    assert.throws(() => writeFileAtomic(path, big), (e: Error & { code?: string }) => e.code === 'ENOSPC' && /^writeFileAtomic: cannot write '.*model\.json': ENOSPC, no space left on the device after \d+ of 100014 bytes; the file is left as it was$/.test(e.message));
    assert.is(readFileSync(path, 'utf8'), good, 'the old file is whole');
    assert.equal(readdirSync(disk.dir), ['model.json'], 'no temporary file is left');
  } finally {
    disk.unmount();
  }
});

test('a writeSync that takes at most 1000 bytes per call still yields the whole file (the rest is written)', () => {
  const path = join(root, 'chunks.txt');
  const text = 'abcdefghij'.repeat(2_500);
  let calls = 0;
  const real = fs.writeSync;
  withWriteSync(((fd: number, buf: Uint8Array, offset?: number, length?: number) => {
    calls++;
    return real(fd, buf, offset ?? 0, Math.min(length ?? buf.length - (offset ?? 0), 1000));
  }) as typeof fs.writeSync, () => writeFileAtomic(path, text));
  const back = readFileSync(path, 'utf8');
  assert.is(back.length, text.length, 'every byte is in the file');
  assert.ok(back === text);
  assert.is(calls, 25);
});

test('a writeSync that stops taking bytes raises, naming the file and the count, and the target stays whole', () => {
  const path = join(root, 'stuck.txt');
  writeFileSync(path, 'the good old text');
  const real = fs.writeSync;
  let written = 0;
  withWriteSync(((fd: number, buf: Uint8Array, offset?: number, length?: number) => {
    if (written >= 4000) return 0;
    const n = real(fd, buf, offset ?? 0, Math.min(length ?? buf.length, 4000 - written));
    written += n;
    return n;
  }) as typeof fs.writeSync, () => {
    assert.throws(() => writeFileAtomic(path, new Uint8Array(10_000).fill(65)), (e: Error & { code?: string }) => e.code === 'EIO' && /^writeFileAtomic: cannot write '.*stuck\.txt': the file system took no more bytes after 4000 of 10000; the file is left as it was$/.test(e.message));
  });
  assert.is(readFileSync(path, 'utf8'), 'the good old text');
  assert.equal(readdirSync(root).filter((n) => n.startsWith('.')), [], 'no temporary file is left');
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
