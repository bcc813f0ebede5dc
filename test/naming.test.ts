// Users have no seeds: user-facing text (README, docs, --help, TSDoc, reports, error messages) names the thing itself.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as lrlab from '../src/index.js';
import { main } from '../src/cli/main.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const SEED = /seed[ _-]?0\d\d|seed000/i;
const test = suite('user-facing names');

function files(dir: string, ext: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p, ext) : p.endsWith(ext) ? [p] : [];
  });
}

test('README and docs never mention the seeds', () => {
  for (const f of [join(root, 'README.md'), ...files(join(root, 'docs'), '.md')]) {
    const text = readFileSync(f, 'utf8');
    const hit = text.split('\n').findIndex((l) => SEED.test(l));
    assert.is(hit, -1, `${f}:${hit + 1}`);
    // also across a line break ("seed\n  000's")
    assert.not.match(text.replace(/\s+/g, ' '), SEED, f);
  }
});

test('TSDoc comments and string literals in src never mention the seeds (plain // comments may say where a default came from)', () => {
  for (const f of files(join(root, 'src'), '.ts')) {
    const text = readFileSync(f, 'utf8');
    const docs = text.match(/\/\*\*[\s\S]*?\*\//g) ?? [];
    const strings = text.split('\n').filter((l) => !/^\s*\/\//.test(l) && !/@deprecated/.test(l)).join('\n').match(/(['`])(?:(?!\1)[^\\\n]|\\.)*\1/g) ?? [];
    for (const d of [...docs.filter((d) => !/@deprecated/.test(d)), ...strings]) assert.not.match(d, SEED, `${f}: ${d.slice(0, 80)}`);
  }
});

test('--help names the built-in series, not a seed', async () => {
  let out = '';
  await main(['--help'], (s) => (out += s));
  assert.match(out, /built-in/);
  assert.not.match(out, SEED);
});

test('builtInData and builtInModel replace seed000Data and seed000Model, which remain as deprecated aliases', () => {
  assert.is(lrlab.seed000Data, lrlab.builtInData);
  assert.is(lrlab.seed000Model, lrlab.builtInModel);
  const data = lrlab.builtInData(10);
  assert.equal(data.train.x.shape[1], 10);
  assert.equal(lrlab.builtInModel().stateDict()['0.weight'].shape, [128, 20]);
  assert.throws(() => lrlab.builtInData(0), /builtInData: expected window to be an integer in \[1, 1000\], got 0/);
  assert.throws(() => lrlab.builtInModel('20' as any), /builtInModel: expected window to be a number, got "20"/);
  const dts = readFileSync(join(root, 'src/train/compare.ts'), 'utf8');
  assert.match(dts, /@deprecated Renamed `builtInData`/);
});

test.run();
