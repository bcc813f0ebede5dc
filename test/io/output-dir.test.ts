// checkOutputDir: the output-folder rule every command and report writer applies before any work.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkOutputDir } from '../../src/io/output-dir.js';

const test = suite('checkOutputDir: new, empty or lrlab\'s own folder, writable, named as given');
const root = realpathSync(mkdtempSync(join(tmpdir(), 'lrlab-output-dir-')));
const REPORT = ['report.md', 'a.svg'];

test('a new, an empty and an earlier report\'s folder pass (lrlab\'s temporary leftovers too), and the path to write is returned', () => {
  assert.is(checkOutputDir(join(root, 'new', 'deeper'), 'x'), join(root, 'new', 'deeper'));
  const earlier = join(root, 'earlier');
  mkdirSync(earlier);
  for (const n of ['report.md', 'a.svg', '.report.md.4242.1700000000000.tmp', '.sub.old-1700000000000-4242-ab-0', '.DS_Store']) writeFileSync(join(earlier, n), 'x');
  assert.is(checkOutputDir(earlier, 'x', REPORT), earlier);
  assert.equal(readdirSync(root).sort(), ['earlier'], 'the write probe is gone and nothing was created');
});

test('any other file refuses the folder, hidden ones too (a .git beside the report is the user\'s); the hint appears where overwrite is possible', () => {
  const mine = join(root, 'mine');
  mkdirSync(mine);
  writeFileSync(join(mine, 'report.md'), 'x');
  mkdirSync(join(mine, '.git'));
  assert.throws(() => checkOutputDir(mine, 'lrlab: --out', REPORT), (e: Error) => e.message === `lrlab: --out: '${mine}' holds other files (.git); choose a new or empty directory, or a previous report's`);
  assert.throws(() => checkOutputDir(mine, 'lrlab: --out', REPORT, { overwrite: undefined }), (e: Error) => e.message.endsWith("or a previous report's, or pass --overwrite to replace it and delete them"));
  assert.throws(() => checkOutputDir(mine, 'writeStudyReport', REPORT, { overwrite: false }), (e: Error) => e.message.endsWith('or pass overwrite: true to replace it and delete them'));
  assert.is(checkOutputDir(mine, 'x', REPORT, { overwrite: true }), mine);
  for (let i = 0; i < 5; i++) writeFileSync(join(mine, `f${i}`), 'x');
  assert.throws(() => checkOutputDir(mine, 'x', REPORT), /holds other files \(\.git, f0, f1, \.\.\.\)/);
});

test('a symbolic link is followed (the folder it points to is checked and returned); a link to nothing is refused', () => {
  const real = join(root, 'real');
  mkdirSync(real);
  symlinkSync(real, join(root, 'link'));
  assert.is(checkOutputDir(join(root, 'link'), 'x'), real);
  writeFileSync(join(real, 'thesis.txt'), 'x');
  assert.throws(() => checkOutputDir(join(root, 'link'), 'x'), /^x: '.*link' holds other files \(thesis\.txt\)/);
  symlinkSync(join(root, 'nowhere'), join(root, 'dangling'));
  assert.throws(() => checkOutputDir(join(root, 'dangling'), 'x'), (e: Error) => e.message === `x: '${join(root, 'dangling')}' is a symbolic link to '${join(root, 'nowhere')}', which does not exist`);
});

test('a file, a path under a file and /proc are refused by the path given', () => {
  const file = join(root, 'a-file');
  writeFileSync(file, 'x');
  assert.throws(() => checkOutputDir(file, 'x'), (e: Error) => e.message === `x: '${file}' is a file, not a directory`);
  assert.throws(() => checkOutputDir(join(file, 'sub'), 'x'), (e: Error) => e.message === `x: cannot create '${join(file, 'sub')}': '${file}' is a file`);
  assert.throws(() => checkOutputDir('/proc/lrlab-y', 'x'), (e: Error) => e.message === "x: cannot write into '/proc/lrlab-y' (ENOENT in '/proc')");
  assert.throws(() => checkOutputDir('  ', 'x'), (e: Error) => e instanceof TypeError && e.message === 'x: expected a directory path, got "  "');
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
