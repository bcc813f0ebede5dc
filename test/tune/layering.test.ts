// The tuner engine (study, trial, distributions, samplers, pruners, storage, importance, plots) stands apart from
// its uses: nothing under src/tune/ imports the model, training or range-test code, nor the recipes built on the
// engine (src/tune-recipes/), so the engine can be read, tested and bundled on its own.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const src = fileURLToPath(new URL('../../src', import.meta.url));
const FORBIDDEN = ['nn', 'optim', 'train', 'lrfind', 'data', 'tune-recipes'];
const test = suite('tuner layering');

function files(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Every module a file names: static imports and re-exports, `import(...)`, and `import type`. */
function specifiers(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/\b(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)) found.push(m[1]);
  return found;
}

/** The top folder under src/ that a relative specifier of `file` lands in, or null for a package. */
function folderOf(file: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  return relative(src, resolve(dirname(file), spec)).split(sep)[0];
}

test('no file under src/tune/ imports from nn, optim, train, lrfind, data or the recipes', () => {
  const engine = files(join(src, 'tune'));
  assert.ok(engine.length > 20, `expected the engine's files, got ${engine.length}`);
  const bad: string[] = [];
  for (const file of engine) {
    for (const spec of specifiers(readFileSync(file, 'utf8'))) {
      const folder = folderOf(file, spec);
      if (folder !== null && FORBIDDEN.includes(folder)) bad.push(`${relative(src, file)} imports '${spec}'`);
    }
  }
  assert.equal(bad, [], `the engine imports its uses:\n${bad.join('\n')}`);
});

test('the check sees an import of a forbidden folder', () => {
  const file = join(src, 'tune', 'study.ts');
  assert.is(folderOf(file, specifiers("import { fit } from '../train/fit.js';")[0]), 'train');
  assert.is(folderOf(file, specifiers("const m = await import('../tune-recipes/forecast.js');")[0]), 'tune-recipes');
  assert.is(folderOf(join(src, 'tune', 'samplers', 'tpe.ts'), specifiers("export { x } from '../../nn/layers.js';")[0]), 'nn');
  assert.is(folderOf(file, specifiers("import type { Trial } from './trial.js';")[0]), 'tune');
});

test.run();
