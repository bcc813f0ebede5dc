// Docs are code: every ```ts block of README.md and docs/*.md runs here, in order, one module per file. Where a
// ```text block follows a ```ts block, it is the output that block must print (console.log), line for line.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { format } from 'node:util';
import { spawnSync } from 'node:child_process';

const repo = fileURLToPath(new URL('..', import.meta.url));
const entry = pathToFileURL(join(repo, 'src/index.ts')).href;
const files = ['README.md', ...readdirSync(join(repo, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

interface Block {
  code: string;
  expected: string | null;
  line: number;
}

function blocks(markdown: string): Block[] {
  const out: Block[] = [];
  const re = /```(\w+)\n([\s\S]*?)```/g;
  let m: RegExpExecArray | null;
  let lastTsEnd = -1;
  while ((m = re.exec(markdown)) !== null) {
    if (m[1] === 'ts') {
      out.push({ code: m[2], expected: null, line: markdown.slice(0, m.index).split('\n').length });
      lastTsEnd = re.lastIndex;
    } else if (m[1] === 'text' && lastTsEnd !== -1 && markdown.slice(lastTsEnd, m.index).trim() === '') {
      out[out.length - 1].expected = m[2]; // a text block right after a ts block is its output
    }
  }
  return out;
}

const test = suite('docs: README and docs/ examples run and print what they show');
const dir = mkdtempSync(join(tmpdir(), 'lrlab-docs-'));

for (const file of files) {
  const markdown = readFileSync(join(repo, file), 'utf8');
  const found = blocks(markdown);
  test(`${file}: ${found.length} example(s) run and print their documented output`, async () => {
    assert.ok(found.length > 0, `${file} has no ts examples`);
    // one module: imports hoisted to the top, each block's body separated by a marker so its output can be checked
    const imports: string[] = [];
    const bodies = found.map((b, i) => {
      const lines = b.code.split('\n');
      const body = lines.filter((l) => {
        if (/^import .* from '[^']+';$/.test(l)) {
          imports.push(l.replace(/from 'lrlab'/, `from '${entry}'`));
          return false;
        }
        return true;
      });
      return `__mark(${i});\n{\n${body.join('\n')}\n}`;
    });
    const source = `${[...new Set(imports)].join('\n')}\nconst __mark = (globalThis as any).__lrlabDocsMark ?? (() => {});\n${bodies.join('\n')}\n`;
    const path = join(dir, `${file.replace(/[\/.]/g, '_')}.mts`); // .mts: an ES module wherever it is written
    writeFileSync(path, source);
    const printed: string[][] = found.map(() => []);
    let current = 0;
    const log = console.log;
    (globalThis as any).__lrlabDocsMark = (i: number) => (current = i);
    // util.format is what console.log writes (without colours): the docs show exactly what a user sees
    console.log = (...args: unknown[]) => printed[current].push(format(...args));
    try {
      await import(pathToFileURL(path).href);
    } finally {
      console.log = log;
    }
    if (file === 'docs/autograd-and-adam.md') {
      // the same module in a child process, with the real console.log writing to a pipe: what a user sees
      const child = spawnSync(process.execPath, ['--import', 'tsx', path], { cwd: repo, encoding: 'utf8' });
      assert.is(child.status, 0, child.stderr);
      assert.is(child.stdout.trimEnd(), printed.flat().join('\n').trimEnd(), 'the captured output differs from console.log\'s');
    }
    found.forEach((b, i) => {
      if (b.expected === null) return;
      assert.is(printed[i].join('\n').trimEnd(), b.expected.trimEnd(), `${file} example at line ${b.line} printed something else`);
    });
  });
}

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
