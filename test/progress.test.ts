// Progress a user sees: a line per stage and per step off a terminal too (nothing with --quiet), and a series of a
// million rows cut to its last maxPoints values, said in the progress output and the report.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig, runPipeline, reportMarkdown, REPORT_FILES } from '../src/index.js';
import { runCli } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'lrlab-progress-'));
const SMALL = { window: 10, hidden: [16], rangeTest: { numIter: 30 }, sweep: { num: 3, epochs: 1 }, validation: { epochs: 1 }, training: { epochs: 3, patience: 2 } };
const test = suite('progress and big series');

const run = runCli;

test('off a terminal every stage prints its first and last step and a summary line; --quiet prints nothing', async () => {
  const csv = join(dir, 's.csv');
  writeFileSync(csv, ['t,v', ...Array.from({ length: 300 }, (_, t) => `${t},${(Math.sin(t / 5) + (t % 3)).toFixed(3)}`)].join('\n'));
  writeFileSync(join(dir, 'cfg.json'), JSON.stringify(SMALL));
  // CI set: the output a log file or a pipe gets, even when these tests run in a terminal
  const ci = process.env.CI;
  process.env.CI = '1';
  let r;
  try {
    r = await run(['find', '--data', csv, '--config', join(dir, 'cfg.json'), '--out', join(dir, 'out')]);
  } finally {
    if (ci === undefined) delete process.env.CI;
    else process.env.CI = ci;
  }
  assert.is(r.code, 0, r.err);
  // 4 candidates and 3 epochs per long run, each over the 3 seeds
  for (const line of ['data       read', 'range test 1/30', 'range test 30/30', 'sweep      1/3', 'sweep      3/3', 'validation 1/12', 'validation 12/12', 'baseline   1/9', 'baseline   9/9', 'trained    1/9', `report     writing ${REPORT_FILES.length} files`]) {
    assert.ok(r.err.includes(line), `missing '${line}' in:\n${r.err}`);
  }
  assert.not.match(r.err, /\r|\x1b\[/, 'no terminal control characters off a terminal');
  const quiet = await run(['find', '--data', csv, '--config', join(dir, 'cfg.json'), '--out', join(dir, 'out'), '--quiet']);
  assert.is(quiet.code, 0);
  assert.is(quiet.err, '');
});

test('a million-point series is cut to its last maxPoints values, and the report says so', () => {
  assert.is(resolveConfig({}).maxPoints, 20000);
  assert.throws(() => resolveConfig({ maxPoints: 10 }), /config: expected 'maxPoints' to be at least 3 windows \(60\), got 10/);
  const series = Float32Array.from({ length: 1_000_000 }, (_, t) => Math.sin(t / 7) + (t % 5));
  const notes: string[] = [];
  const r = runPipeline({ series, config: { ...SMALL, maxPoints: 2000 }, onStage: (s, d) => notes.push(`${s} ${d}`) });
  assert.is(r.data.points, 1_000_000);
  assert.is(r.data.usedPoints, 2000);
  assert.ok(notes.includes('data the series has 1000000 points; using its last 2000 ("maxPoints" in --config) so the job finishes in minutes'), notes.join('\n'));
  assert.match(reportMarkdown(r), /1000000 points \(the last 2000 used, "maxPoints"\)/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
