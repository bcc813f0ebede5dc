// writeDirAtomic: a directory replaced as a set, also while other processes replace it at the same time.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { writeDirAtomic } from '../../src/io/atomic-dir.js';
import { mountTmpfs } from './tmpfs.js';

const test = suite('writeDirAtomic: the whole old set or the whole new one');
const root = mkdtempSync(join(tmpdir(), 'lrlab-atomic-dir-'));

test('a new directory appears whole, a rewrite replaces every file, a failure keeps the old set', async () => {
  const dir = join(root, 'one', 'report');
  await writeDirAtomic(dir, (write) => ['a', 'b', 'c'].forEach((n) => write(n, `v1 ${n}`)));
  assert.equal(readdirSync(dir).sort(), ['a', 'b', 'c']);
  const names = ['a', 'b', 'c', 'd'];
  await writeDirAtomic(dir, (write) => ['a', 'd'].forEach((n) => write(n, `v2 ${n}`)), { replaces: names });
  const kept = readdirSync(join(root, 'one')).filter((n) => n.startsWith('.report.old-'));
  assert.is(kept.length, 1, 'the replaced set is kept aside for readers still reading it');
  assert.equal(readdirSync(join(root, 'one', kept[0])).sort(), ['a', 'b', 'c']);
  await writeDirAtomic(dir, (write) => ['a', 'd'].forEach((n) => write(n, `v2 ${n}`)), { keepOldMs: 0, replaces: names });
  assert.equal(readdirSync(dir).sort(), ['a', 'd']);
  assert.is(readFileSync(join(dir, 'a'), 'utf8'), 'v2 a');
  await writeDirAtomic(dir, (write) => {
    write('a', 'v3 a');
    throw new Error('disk full, say');
  }).then(() => assert.unreachable('should fail'), (e: Error) => assert.is(e.message, 'disk full, say'));
  assert.equal(readdirSync(dir).sort(), ['a', 'd']);
  assert.is(readFileSync(join(dir, 'a'), 'utf8'), 'v2 a');
  assert.equal(readdirSync(join(root, 'one')), ['report'], 'with keepOldMs 0 the replaced sets are gone, and no new sibling is left');
});

test('bad names and a path that is a file are refused, and nothing is left behind', async () => {
  const dir = join(root, 'two');
  mkdirSync(dir);
  await writeDirAtomic(join(dir, 'r'), (write) => write('../escape', 'x')).then(() => assert.unreachable('should fail'), (e: Error) => assert.match(e.message, /writeDirAtomic: expected a plain file name, got '..\/escape'/));
  writeFileSync(join(dir, 'f'), 'x');
  await writeDirAtomic(join(dir, 'f'), () => undefined).then(() => assert.unreachable('should fail'), (e: Error) => assert.match(e.message, /expected a directory path, got the file/));
  assert.equal(readdirSync(dir), ['f']);
});

test('two processes replacing one directory 25 times each: every listing a reader takes is one whole set', async () => {
  const dir = join(root, 'race');
  const module = pathToFileURL(fileURLToPath(new URL('../../src/io/atomic-dir.ts', import.meta.url))).href;
  // writer w, round i: files a, b, c and, on odd rounds, d
  const script = `const { writeDirAtomic } = await import(${JSON.stringify(module)});
    const w = process.argv[1];
    for (let i = 0; i < 25; i++) await writeDirAtomic(${JSON.stringify(dir)}, (write) => { for (const n of i % 2 ? ['a', 'b', 'c', 'd'] : ['a', 'b', 'c']) write(n, w + ' ' + i); }, { replaces: ['d'] });`;
  const children = [0, 1].map((w) => spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, String(w)], { stdio: ['ignore', 'ignore', 'pipe'] }));
  const errors: string[] = [];
  const done = children.map((c) => new Promise<number>((resolve) => {
    c.stderr.on('data', (d) => errors.push(String(d)));
    c.on('exit', (code) => resolve(code ?? -1));
  }));
  let running = children.length, listings = 0;
  done.forEach((p) => p.then(() => running--));
  const whole = new Set(['a,b,c', 'a,b,c,d']);
  while (running > 0) {
    let names: string[] = [];
    try {
      names = readdirSync(dir).sort();
    } catch {
      // not there yet, or between the two renames of a swap
    }
    if (names.length > 0) {
      listings++;
      assert.ok(whole.has(names.join(',')), `a reader saw a partial set: ${names.join(',')}`);
    }
    await new Promise((r) => setImmediate(r));
  }
  assert.equal(await Promise.all(done), [0, 0], errors.join('\n'));
  assert.ok(listings > 0, 'the reader saw the directory at least once');
  assert.ok(whole.has(readdirSync(dir).sort().join(',')));
  const last = readFileSync(join(dir, 'a'), 'utf8');
  for (const n of readdirSync(dir)) assert.is(readFileSync(join(dir, n), 'utf8'), last, 'the final set comes from one writer');
  assert.equal(readdirSync(root).filter((n) => n.startsWith('.')), [], 'the writers removed the sets they replaced when they exited');
  await writeDirAtomic(dir, (write) => write('a', 'last'), { keepOldMs: 0, replaces: ['b', 'c', 'd'] });
  assert.equal(readdirSync(root).filter((n) => n.startsWith('.')), []);
  assert.ok(existsSync(dir));
});

test('a folder holding files the set does not name (hidden ones too) is refused and left as it was; overwrite: true replaces it', async () => {
  const parent = join(root, 'users');
  const dir = join(parent, 'thesis');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'thesis.txt'), 'three years of work');
  writeFileSync(join(dir, '.notes'), 'hidden, still mine');
  await writeDirAtomic(dir, (write) => write('a', 'report')).then(() => assert.unreachable('should fail'), (e: Error) => assert.match(e.message, /^writeDirAtomic: '.*users\/thesis' holds other files \(\.notes, thesis\.txt\); write into a new or empty directory, or pass overwrite: true to replace it and delete them$/));
  assert.equal(readdirSync(dir).sort(), ['.notes', 'thesis.txt']);
  assert.is(readFileSync(join(dir, 'thesis.txt'), 'utf8'), 'three years of work');
  assert.equal(readdirSync(parent), ['thesis'], 'nothing hidden beside it: no new set, no old one');
  await writeDirAtomic(dir, (write) => write('a', 'report'), { overwrite: true, keepOldMs: 0 });
  assert.equal(readdirSync(dir), ['a']);
  assert.equal(readdirSync(parent), ['thesis']);
});

test('a symbolic link is followed: the set replaces the folder it points to and the link stays; a link to nothing is refused', async () => {
  const real = join(root, 'real');
  mkdirSync(real);
  const link = join(root, 'link');
  symlinkSync(real, link);
  await writeDirAtomic(link, (write) => write('a', 'one'), { keepOldMs: 0 });
  await writeDirAtomic(link, (write) => write('a', 'two'), { keepOldMs: 0 });
  assert.ok(lstatSync(link).isSymbolicLink(), 'the link is still a link');
  assert.equal(readdirSync(real), ['a']);
  assert.is(readFileSync(join(real, 'a'), 'utf8'), 'two');
  assert.equal(readdirSync(root).filter((n) => /^\.(real|link)\./.test(n)), []);
  const dangling = join(root, 'dangling');
  symlinkSync(join(root, 'nowhere'), dangling);
  await writeDirAtomic(dangling, (write) => write('a', 'x')).then(() => assert.unreachable('should fail'), (e: Error) => assert.match(e.message, /^writeDirAtomic: '.*dangling' is a symbolic link to '.*nowhere', which does not exist$/));
  assert.ok(lstatSync(dangling).isSymbolicLink());
  assert.not.ok(existsSync(join(root, 'nowhere')));
  rmSync(dangling);
});

test('a process that replaces a set and exits leaves no .old-* beside it, even with readers given time', () => {
  const dir = join(root, 'exits');
  const module = pathToFileURL(fileURLToPath(new URL('../../src/io/atomic-dir.ts', import.meta.url))).href;
  const script = `const { writeDirAtomic } = await import(${JSON.stringify(module)});
    for (let i = 0; i < 3; i++) await writeDirAtomic(${JSON.stringify(dir)}, (write) => write('a', String(i)), { keepOldMs: 60000 });`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.is(r.status, 0, r.stderr);
  assert.is(readFileSync(join(dir, 'a'), 'utf8'), '2');
  assert.equal(readdirSync(root).filter((n) => n.startsWith('.exits.')), []);
});

test('a folder under /proc is refused at once, naming it (Node\'s recursive mkdirSync spun there forever)', () => {
  const module = pathToFileURL(fileURLToPath(new URL('../../src/io/atomic-dir.ts', import.meta.url))).href;
  const script = `const { writeDirAtomic } = await import(${JSON.stringify(module)});
    await writeDirAtomic('/proc/lrlab-missing/report', (write) => write('a', 'x')).catch((e) => process.stdout.write(e.message));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  assert.is(r.signal, null, 'it returned instead of spinning');
  assert.is(r.stdout, "writeDirAtomic: cannot create '/proc/lrlab-missing' (ENOENT)");
});

test('a full disk while writing the set (a 64 KiB tmpfs) raises ENOSPC naming the folder, and the old set stays whole', async () => {
  const disk = mountTmpfs(64, 'a real full disk needs a small tmpfs');
  if (disk === null) return;
  try {
    const dir = join(disk.dir, 'report');
    await writeDirAtomic(dir, (write) => ['a', 'b'].forEach((n) => write(n, `old ${n}`)), { keepOldMs: 0 });
    await writeDirAtomic(dir, (write) => {
      write('a', 'new a');
      write('b', 'x'.repeat(100_000));
    }, { keepOldMs: 0 }).then(() => assert.unreachable('should fail'), (e: Error & { code?: string }) => {
      assert.is(e.code, 'ENOSPC');
      assert.match(e.message, /^writeDirAtomic: cannot write '.*\/report\/b': ENOSPC, no space left on the device after \d+ of 100000 bytes; the file is left as it was$/);
    });
    assert.equal(readdirSync(dir).sort(), ['a', 'b']);
    assert.equal(['a', 'b'].map((n) => readFileSync(join(dir, n), 'utf8')), ['old a', 'old b']);
    assert.equal(readdirSync(disk.dir), ['report'], 'the half-written set is gone');
  } finally {
    disk.unmount();
  }
});

test.after(() => rmSync(root, { recursive: true, force: true, maxRetries: 5 }));
test.run();
