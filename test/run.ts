// Runs every uvu suite under test/ in one process and ends with one line: `N passed, N failed[, N skipped]`.
// Usage: npm test [-- filter]   (filter: a substring of the test file paths)
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';

type Result = [errors: string | true, passed: number, skipped: number, total: number];
type Runner = () => Promise<Result>;
const g = globalThis as unknown as { UVU_DEFER: number; UVU_INDEX: number; UVU_QUEUE: (string | Runner | null)[][] };

const root = fileURLToPath(new URL('.', import.meta.url));
const filter = process.argv[2] ?? '';

function collect(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'fixtures' ? [] : collect(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

g.UVU_DEFER = 1;
const uvu = await import('uvu');
const files = collect(root).filter((f) => relative(root, f).includes(filter));
files.forEach((file, i) => {
  g.UVU_INDEX = i;
  g.UVU_QUEUE.push([relative(root, file)]);
});
for (let i = 0; i < files.length; i++) {
  g.UVU_INDEX = i;
  await import(pathToFileURL(files[i]).href);
}

let passed = 0, total = 0, skipped = 0;
for (const group of g.UVU_QUEUE) {
  for (let i = 1; i < group.length; i++) {
    const run = group[i] as Runner;
    group[i] = async () => {
      const result = await run();
      passed += result[1];
      skipped += result[2];
      total += result[3];
      return result;
    };
  }
}
await uvu.exec(false);
const failed = total - passed;
if (files.length === 0 || total === 0) {
  console.log(`no tests found under test/ matching '${filter}'`);
  process.exitCode = 1;
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
if (failed > 0) process.exitCode = 1;
