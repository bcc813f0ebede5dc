// writeDirAtomic: a directory replaced as a set, also while other processes replace it at the same time.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { writeDirAtomic } from '../../src/io/atomic-dir.js';

const test = suite('writeDirAtomic: the whole old set or the whole new one');
const root = mkdtempSync(join(tmpdir(), 'lrlab-atomic-dir-'));

test('a new directory appears whole, a rewrite replaces every file, a failure keeps the old set', async () => {
  const dir = join(root, 'one', 'report');
  await writeDirAtomic(dir, (write) => ['a', 'b', 'c'].forEach((n) => write(n, `v1 ${n}`)));
  assert.equal(readdirSync(dir).sort(), ['a', 'b', 'c']);
  await writeDirAtomic(dir, (write) => ['a', 'd'].forEach((n) => write(n, `v2 ${n}`)));
  const kept = readdirSync(join(root, 'one')).filter((n) => n.startsWith('.report.old-'));
  assert.is(kept.length, 1, 'the replaced set is kept aside for readers still reading it');
  assert.equal(readdirSync(join(root, 'one', kept[0])).sort(), ['a', 'b', 'c']);
  await writeDirAtomic(dir, (write) => ['a', 'd'].forEach((n) => write(n, `v2 ${n}`)), { keepOldMs: 0 });
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
    for (let i = 0; i < 25; i++) await writeDirAtomic(${JSON.stringify(dir)}, (write) => { for (const n of i % 2 ? ['a', 'b', 'c', 'd'] : ['a', 'b', 'c']) write(n, w + ' ' + i); });`;
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
  assert.ok(readdirSync(root).every((n) => n === 'race' || n === 'one' || n === 'two' || n.startsWith('.race.old-')), 'only replaced sets are kept');
  await writeDirAtomic(dir, (write) => write('a', 'last'), { keepOldMs: 0 });
  assert.equal(readdirSync(root).filter((n) => n.startsWith('.')), [], 'a later write removes them');
  assert.ok(existsSync(dir));
});

test.after(() => rmSync(root, { recursive: true, force: true, maxRetries: 5 }));
test.run();
