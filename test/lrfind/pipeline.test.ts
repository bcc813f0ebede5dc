// The main job end to end: `lrlab demo` on the built-in data, its report files and plots, `lrlab find` on a CSV, and
// the failures a user can cause. The demo run takes about 20 seconds.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { main } from '../../src/cli/main.js';
import { formatNumber, formatLr } from '../../src/format/number.js';
import { resolveConfig, runPipeline, PLOTS, REPORT_FILES, writeReport, reportMarkdown, saveModel, Sequential, Linear, type PipelineResult } from '../../src/index.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'lrlab-pipeline-'));
const SMALL = { hidden: [16], rangeTest: { numIter: 30 }, sweep: { num: 3, epochs: 1 }, validation: { epochs: 1 }, training: { epochs: 3, patience: 2 } };

const run = runCli;

const test = suite('lrlab demo: the built-in job end to end');
let demo: { code: number; out: string; err: string };
const demoDir = join(dir, 'demo');

test.before(async () => {
  demo = await run(['demo', '--out', demoDir, '--quiet']);
});

test('exits 0 and prints the found lr and the results table', () => {
  assert.is(demo.code, 0, demo.err);
  assert.match(demo.out, /^\n(Use \d[.\d]*e-\d \(the steepest rate\), (fairly|moderately|not) sure|Keep your current rate 1e-3): [^\n]+\.\n/);
  assert.match(demo.out, /\ntrained: \d[.\d]*e-\d, the steepest rate, chosen as the steepest descent/);
  assert.match(demo.out, /Final validation MSE \(mean of 3 seeds\)\s+\d[\d.e-]*\s+\d[\d.e-]*/);
});

test('writes results.json, report.md, report.html and every plot, with no temporary files', () => {
  const files = readdirSync(demoDir).sort();
  assert.equal(files, [...REPORT_FILES].sort());
  for (const plot of ['before-after.svg', 'discovery.svg', 'dynamics.svg', 'lr-vs-loss.svg', 'speed.svg', 'sweep.svg']) assert.ok(files.includes(plot), plot);
  const md = readFileSync(join(demoDir, 'report.md'), 'utf8');
  assert.match(md, /\| Final validation MSE \(mean of 3 seeds\) \| \d[\d.e-]* \| \d[\d.e-]* \|/);
  const html = readFileSync(join(demoDir, 'report.html'), 'utf8');
  assert.is((html.match(/<svg/g) ?? []).length, Object.keys(PLOTS).length);
});

test("on the built-in data the found lr trains to a lower validation MSE than the 1e-3 baseline (seed 42)", () => {
  const r = JSON.parse(readFileSync(join(demoDir, 'results.json'), 'utf8')) as PipelineResult;
  assert.is(r.baseline.lr, 1e-3);
  assert.is(r.optimized.lr, r.suggestion.lr);
  // the JSON names the rate trained, why, and the recommendation that weighed every stage
  assert.equal(r.trained.lr, r.optimized.lr);
  assert.is(r.trained.name, 'steepest');
  assert.match(r.trained.reason, /steepest descent/);
  assert.is(r.recommendation.lr, r.recommendation.keepCurrent ? r.baseline.lr : r.trained.lr);
  const md = readFileSync(join(demoDir, 'report.md'), 'utf8');
  assert.ok(md.includes(`**${r.recommendation.sentence}**`));
  assert.match(md, /\| Metric \| Baseline \| Trained \(steepest\) \| Change \|/);
  assert.not.equal(r.optimized.lr, r.baseline.lr);
  // the demo's verdict rests on 3 seeds, paired: the JSON holds each seed's figures and the paired gains
  assert.is(r.task, 'series');
  assert.equal(r.metric, { name: 'r2', higherIsBetter: true });
  assert.equal(r.baseline.seeds.map((x) => x.seed), [42, 43, 44]);
  assert.equal(r.optimized.seeds.map((x) => x.seed), [42, 43, 44]);
  assert.is(r.baseline.finalValMse, r.baseline.finalValLoss);
  assert.ok(Math.abs(r.baseline.finalValLoss - r.baseline.seeds.reduce((a, x) => a + x.valLoss, 0) / 3) < 1e-9);
  const gains = r.baseline.seeds.map((b, i) => (b.valLoss - r.optimized.seeds[i].valLoss) / b.valLoss);
  assert.equal(r.comparisonOverSeeds!.differences, gains);
  assert.match(r.recommendation.sentence, /on average over 3 seeds \(better in [0-3] of 3; 95% interval of the gain -?[\d.]+% to -?[\d.]+%\)/);
  // the figures come from this run: the table equals the runs' own numbers
  const row = (r as any).comparison.find((c: { metric: string }) => c.metric === 'Final validation MSE (mean of 3 seeds)');
  assert.is(row.baseline, formatNumber(r.baseline.finalValLoss));
  assert.is(r.rangeTest.lrs.length, 100);
});

test('every SVG renders to PNG, and each plot shows its series', () => {
  const expected: Record<string, string[]> = {
    'lr-vs-loss.svg': ['raw loss', 'Savitzky-Golay smoothed (11, 2)', 'steepest ', 'valley ', 'minimum ', 'slide '],
    'discovery.svg': ['Savitzky-Golay smoothed (11, 2)', '-gradient', 'steepest descent '],
    'sweep.svg': ['training', 'validation'],
    'dynamics.svg': ['baseline (lr 1e-3', 'trained (steepest) (lr', 'MSE'],
    'before-after.svg': ['baseline', 'trained (steepest)', 'epoch'],
    'speed.svg': ['training time (s)', 'epochs to convergence'],
  };
  for (const [file, labels] of Object.entries(expected)) {
    const svg = readFileSync(join(demoDir, file), 'utf8');
    for (const l of labels) assert.ok(svg.includes(l.replace(/&/g, '&amp;')), `${file} lacks '${l}'`);
    const png = new Resvg(svg, { background: 'white' }).render();
    assert.ok(png.width > 300 && png.height > 100, `${file} rendered ${png.width}x${png.height}`);
    const pixels = png.pixels;
    let dark = 0;
    for (let i = 0; i < pixels.length; i += 4) if (pixels[i] < 128) dark++;
    assert.ok(dark > 500, `${file} rendered almost blank (${dark} dark pixels)`);
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();

const find = suite('lrlab find and bad input');
const fdir = mkdtempSync(join(tmpdir(), 'lrlab-find-'));

find('find runs the pipeline on a CSV column with a config file', async () => {
  const csv = join(fdir, 'sales.csv');
  const rows = Array.from({ length: 240 }, (_, t) => `2024-${t},${(50 + 10 * Math.sin(t / 7) + (t % 5)).toFixed(3)}`);
  writeFileSync(csv, ['day,sales', ...rows].join('\n'));
  const cfg = join(fdir, 'cfg.json');
  writeFileSync(cfg, JSON.stringify({ ...SMALL, window: 10, schedule: { type: 'step', stepSize: 1, gamma: 0.5 } }));
  const r = await run(['find', '--data', csv, '--column', 'sales', '--config', cfg, '--out', join(fdir, 'out'), '--quiet']);
  assert.is(r.code, 0, r.err);
  const result = JSON.parse(readFileSync(join(fdir, 'out', 'results.json'), 'utf8'));
  assert.is(result.data.points, 240);
  assert.is(result.config.window, 10);
  assert.match(result.data.source, /sales.csv, column sales/);
  // the configured schedule drove both long runs: the lr halves every epoch
  assert.equal(result.baseline.history.lr, [1e-3, 5e-4, 2.5e-4].slice(0, result.baseline.history.lr.length));
});

find('a missing column, an unreadable file, a bad config or a series shorter than the window: one line, exit 2', async () => {
  const csv = join(fdir, 'sales.csv');
  let r = await run(['find', '--data', csv, '--column', 'revenue', '--quiet']);
  assert.is(r.code, 2);
  assert.match(r.err, /^lrlab: parseCsvSeries: expected a column named 'revenue' in '.*sales.csv', got columns 'day', 'sales' \(numeric: 'sales'\)\n$/);
  r = await run(['find', '--data', join(fdir, 'nope.csv'), '--quiet']);
  assert.is(r.code, 2);
  assert.match(r.err, /lrlab: loadCsvSeries: cannot read/);
  writeFileSync(join(fdir, 'bad.json'), '{"windw": 5}');
  r = await run(['demo', '--config', join(fdir, 'bad.json'), '--quiet', '--out', join(fdir, 'x')]);
  assert.is(r.code, 2);
  assert.match(r.err, /lrlab: config: unknown key 'windw' \(known: window, hidden/);
  assert.not.ok(existsSync(join(fdir, 'x')));
  writeFileSync(join(fdir, 'short.csv'), 'v\n' + Array.from({ length: 30 }, (_, i) => i).join('\n'));
  r = await run(['find', '--data', join(fdir, 'short.csv'), '--quiet', '--out', join(fdir, 'y')]);
  assert.is(r.code, 1);
  assert.match(r.err, /lrlab: runPipeline: expected a series of at least 60 values for window 20/);
  r = await run(['find', '--quiet']);
  assert.match(r.err, /lrlab: find needs --data FILE.csv/);
  r = await run(['demo', '--backend', 'tpu']);
  assert.is(r.code, 2);
  assert.match(r.err, /lrlab: --backend: useBackend: expected one of cpu.*, got 'tpu'/);
});

find('every schedule type drives both long runs', () => {
  const series = Float32Array.from({ length: 240 }, (_, t) => 50 + 10 * Math.sin(t / 7) + (t % 5));
  for (const type of ['cosine', 'plateau', 'onecycle'] as const) {
    const r = runPipeline({ series, config: { ...SMALL, window: 10, schedule: { type } } });
    assert.ok(r.baseline.history.lr.length >= 1);
    if (type === 'onecycle') assert.ok(r.baseline.dynamics.lr[0] < r.baseline.lr, 'one-cycle starts below its peak');
    if (type === 'cosine') assert.ok(r.baseline.history.lr[1] < r.baseline.history.lr[0]);
  }
});

find('without --column, find uses the first numeric column (a date first is skipped), with ; or tab detected', async () => {
  const rows = Array.from({ length: 240 }, (_, t) => `2024-${t};${(50 + 10 * Math.sin(t / 7) + (t % 5)).toFixed(3)}`);
  writeFileSync(join(fdir, 'semi.csv'), ['day;sales', ...rows].join('\n'));
  writeFileSync(join(fdir, 'tiny.json'), JSON.stringify({ ...SMALL, window: 10 }));
  const r = await run(['find', '--data', join(fdir, 'semi.csv'), '--config', join(fdir, 'tiny.json'), '--quiet', '--out', join(fdir, 'semi')]);
  assert.is(r.code, 0, r.err);
  const result = JSON.parse(readFileSync(join(fdir, 'semi', 'results.json'), 'utf8'));
  assert.match(result.data.source, /semi.csv, column sales$/);
  assert.is(result.data.points, 240);
  const bad = await run(['find', '--data', join(fdir, 'semi.csv'), '--separator', ',', '--quiet', '--out', join(fdir, 'semi2')]);
  assert.is(bad.code, 2);
  assert.match(bad.err, /lrlab: parseCsvSeries: expected a numeric column in '.*semi.csv', got columns 'day;sales' \(numeric: none\) \(is ';' the separator\? pass separator: ';' or --separator ';'\)/);
});

find('with "choose": "validated" the headline, the table and the JSON all name the rate that was trained', () => {
  const series = Float32Array.from({ length: 240 }, (_, t) => 50 + 10 * Math.sin(t / 7) + (t % 5));
  const r = runPipeline({ series, config: { ...SMALL, window: 10, choose: 'validated' } });
  const best = r.validation.candidates.filter((c) => Number.isFinite(c.valLoss)).sort((a, b) => a.valLoss - b.valLoss)[0];
  assert.is(r.trained.lr, best.lr);
  assert.is(r.trained.name, best.name);
  assert.is(r.optimized.lr, best.lr);
  assert.match(r.trained.reason, /lowest validation MSE of the 4 candidates/);
  const md = reportMarkdown(r);
  assert.ok(md.includes(`Trained: ${formatLr(best.lr)}, the ${best.name} rate, chosen as the lowest validation MSE`), md.slice(0, 800));
  assert.ok(md.includes(`| Learning rate | 1e-3 | ${formatLr(best.lr)} |`));
  assert.ok(md.includes(r.recommendation.sentence));
});

find('resolveConfig rejects wrong kinds and values', () => {
  assert.throws(() => resolveConfig({ hidden: [0] }), /config: expected 'hidden' to be a non-empty list of positive integers, got \[0\]/);
  assert.throws(() => resolveConfig({ sweep: { num: 'ten' } }), /config: expected 'sweep.num' to be a number, got "ten"/);
  assert.throws(() => resolveConfig({ optimizer: 'lbfgs' }), /config: expected 'optimizer' to be adam, adamw, sgd or rmsprop, got 'lbfgs'/);
  assert.throws(() => resolveConfig({ training: { epochs: 0 } }), /config: expected 'training.epochs' to be a positive integer, got 0/);
  assert.throws(() => resolveConfig({ schedule: { type: 'warm' } }), /config: expected 'schedule.type' to be constant, step, cosine, plateau or onecycle, got 'warm'/);
  assert.is(resolveConfig({ rangeTest: { numIter: 50 } }).rangeTest.startLr, 1e-5);
});

find('a report interrupted half way leaves the old report whole, or nothing, and no temporary files', async () => {
  const result = JSON.parse(readFileSync(join(fdir, 'out', 'results.json'), 'utf8')) as PipelineResult;
  const interrupt = async (target: string) => {
    const original = PLOTS['dynamics.svg'];
    PLOTS['dynamics.svg'] = () => {
      throw new Error('killed (simulated)');
    };
    try {
      await writeReport(target, result);
      return false;
    } catch {
      return true;
    } finally {
      PLOTS['dynamics.svg'] = original;
    }
  };
  const fresh = join(fdir, 'interrupted');
  assert.ok(await interrupt(fresh));
  assert.not.ok(existsSync(fresh), 'a first report cut short leaves nothing');
  const old = join(fdir, 'old-report');
  await writeReport(old, result);
  const before = Object.fromEntries(readdirSync(old).map((f) => [f, readFileSync(join(old, f), 'utf8')]));
  assert.ok(await interrupt(old));
  assert.equal(Object.fromEntries(readdirSync(old).map((f) => [f, readFileSync(join(old, f), 'utf8')])), before, 'the old report is untouched');
  assert.equal(readdirSync(fdir).filter((n) => n.startsWith('.') && !/\.old-/.test(n)), [], 'no temporary siblings');
});

find('leftovers of a killed run (a half-written sibling, a temp file, a report renamed aside) are cleaned by the next run', async () => {
  const result = JSON.parse(readFileSync(join(fdir, 'out', 'results.json'), 'utf8')) as PipelineResult;
  const target = join(fdir, 'killed');
  await writeReport(target, result);
  const dead = 2 ** 22 + 12345; // above Linux's default pid_max, so no process has it
  mkdirSync(join(fdir, `.killed.new-${dead}-1`));
  writeFileSync(join(fdir, `.killed.new-${dead}-1`, 'results.json'), '{"half');
  writeFileSync(join(target, `.results.json.${dead}.1.tmp`), 'half');
  // a run killed between its two renames: the old report aside, the target missing
  renameSync(target, join(fdir, `.killed.old-1000000000000-${dead}-ab-0`)); // stamped 2001: long past
  await writeReport(target, result);
  // the set renamed aside was put back, then replaced (and is kept aside a few seconds for readers, by design)
  assert.equal(readdirSync(fdir).filter((n) => n.startsWith('.killed.new-')), []);
  assert.equal(readdirSync(target).sort(), [...REPORT_FILES].sort());
  // saveModel names the missing directory, not a hidden temporary file
  assert.throws(() => saveModel(new Sequential(new Linear(1, 1)), join(fdir, 'nope', 'm.json')), (e: Error) => /^saveModel: cannot write '.*nope\/m.json': the directory '.*nope' does not exist$/.test(e.message) && !/\.tmp/.test(e.message));
});

find('--out is checked before any work: a file, a path under a file, /proc and a folder of other files are refused by the name given', async () => {
  const file = join(fdir, 'a-file');
  writeFileSync(file, 'x');
  let r = await run(['demo', '--out', file, '--quiet']);
  assert.is(r.code, 2);
  assert.is(r.err, `lrlab: --out: '${file}' is a file, not a directory\n`);
  r = await run(['demo', '--out', join(file, 'sub'), '--quiet']);
  assert.is(r.code, 2);
  assert.match(r.err, /^lrlab: --out: cannot create '.*a-file\/sub': '.*a-file' is a file\n$/);
  r = await run(['demo', '--out', '/proc/lrlab-report', '--quiet']);
  assert.is(r.code, 2);
  assert.match(r.err, /^lrlab: --out: cannot write into '\/proc\/lrlab-report'/);
  const mine = join(fdir, 'my-files');
  mkdirSync(mine);
  writeFileSync(join(mine, 'thesis.tex'), 'x');
  r = await run(['demo', '--out', mine, '--quiet']);
  assert.is(r.code, 2);
  assert.match(r.err, /^lrlab: --out: '.*my-files' holds other files \(thesis.tex\); choose a new or empty directory/);
  assert.not.match(r.err, /\.tmp|\.new-/);
});

find('config values that would fail inside the pipeline exit 2 naming the key; --config null is an error; --seed -1 parses', async () => {
  const cases: [unknown, RegExp][] = [
    [{ rangeTest: { startLr: 0.1, endLr: 0.01 } }, /lrlab: config: expected 'rangeTest.endLr' to be a finite number > rangeTest.startLr \(0.1\), got 0.01/],
    [{ rangeTest: { numIter: 1 } }, /lrlab: config: expected 'rangeTest.numIter' to be at least 5/],
    [{ trainFraction: 1.5 }, /lrlab: config: expected 'trainFraction' to be in \(0, 1\), got 1.5/],
    [{ schedule: { factor: 2 } }, /lrlab: config: expected 'schedule.factor' to be in \(0, 1\), got 2/],
    [null, /lrlab: --config .*cfg-bad.json must hold a JSON object of settings, got null/],
    [[1], /lrlab: --config .*cfg-bad.json must hold a JSON object of settings, got \[1\]/],
  ];
  for (const [cfg, message] of cases) {
    writeFileSync(join(fdir, 'cfg-bad.json'), JSON.stringify(cfg));
    const r = await run(['demo', '--config', join(fdir, 'cfg-bad.json'), '--quiet', '--out', join(fdir, 'never')]);
    assert.is(r.code, 2, r.err);
    assert.match(r.err, message);
    assert.not.ok(existsSync(join(fdir, 'never')));
  }
  writeFileSync(join(fdir, 'tiny.json'), JSON.stringify({ ...SMALL, window: 10 }));
  const csv = join(fdir, 'sales.csv');
  const r = await run(['find', '--data', csv, '--column', 'sales', '--config', join(fdir, 'tiny.json'), '--seed', '-1', '--quiet', '--out', join(fdir, 'neg')]);
  assert.is(r.code, 0, r.err);
  assert.is(JSON.parse(readFileSync(join(fdir, 'neg', 'results.json'), 'utf8')).config.seed, -1);
});

find.after(() => rmSync(fdir, { recursive: true, force: true }));
find.run();
