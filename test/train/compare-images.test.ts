// The image schedule comparison on a miniature data set of random 28x28 images (the real run needs Fashion-MNIST
// and minutes; its figures are in the README): structure, determinism, the schedules' lr profiles, the adaptive
// rule's log, the report and its charts, and bad options.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareImageSchedules, writeScheduleReport, fashionMnistCnn, Generator, Tensor, compareSchedules, pairedDifference, imageComparisonMarkdown, scheduleAccuracySpec, scheduleLossSpec, scheduleLrSpec, renderSvg, type FashionMnist } from '../../src/index.js';
import { removeAtExit } from '../helpers/cleanup.js';

function miniature(n: number, seed: number) {
  const g = new Generator(seed);
  const x = new Float32Array(n * 784), y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 10;
    // a class-dependent bright patch, so there is something to learn
    for (let p = 0; p < 784; p++) x[i * 784 + p] = g.normal(0, 0.3) + (Math.floor(p / 78.4) === y[i] ? 1 : 0);
  }
  return { x: new Tensor(x, [n, 1, 28, 28]), y: new Tensor(y, [n]) };
}
const data: FashionMnist = { train: miniature(48, 1), valid: miniature(20, 2), test: miniature(20, 3), classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], mean: 0, std: 1, dir: 'memory' };
const tmp = mkdtempSync(join(tmpdir(), 'lrlab-cmp-'));

const cmp = suite('compareImageSchedules on a miniature data set');
const result = compareImageSchedules({ data, epochs: 2, batchSize: 8, schedules: ['constant', 'step', 'exponential', 'adaptive', 'onecycle', 'cosine-restarts'], target: 0.2 });
cmp('every schedule reports per-epoch loss, accuracy and lr, and the lr profile of every batch', () => {
  assert.equal(result.runs.map((r) => r.name), ['constant', 'step', 'exponential', 'adaptive', 'onecycle', 'cosine-restarts']);
  for (const r of result.runs) {
    for (const series of [r.trainLoss, r.valLoss, r.valAccuracy, r.testAccuracy, r.testTop5, r.lr, r.epochSeconds]) assert.is(series.length, 2, r.name);
    assert.is(r.batchLr.length, 12, `${r.name}: 6 batches x 2 epochs`);
    assert.ok(r.testAccuracy.every((a) => a >= 0 && a <= 1));
    assert.ok(r.testTop5.every((a, e) => a >= r.testAccuracy[e]), 'top-5 is at least top-1');
    assert.is(r.bestTestAccuracy, Math.max(...r.testAccuracy));
    assert.is(r.confusion.flat().reduce((a, b) => a + b, 0), 20);
    if (r.epochsToTarget !== null) assert.ok(r.testAccuracy[r.epochsToTarget - 1] >= 0.2 && r.secondsToTarget! > 0);
  }
  assert.is(result.settings.trainSize, 48);
});
cmp('the schedules shape the lr as documented: constant stays, step cuts x0.1 after a fifth, exponential decays smoothly', () => {
  const lr = Object.fromEntries(result.runs.map((r) => [r.name, r.batchLr]));
  assert.ok(lr.constant.every((v) => v === 1e-3));
  // 12 batches, a fifth is 2: 1e-3 for two batches, then 1e-4, ...
  assert.ok(Math.abs(lr.step[0] - 1e-3) < 1e-12 && Math.abs(lr.step[2] - 1e-4) < 1e-12 && Math.abs(lr.step[4] - 1e-5) < 1e-13);
  for (let i = 1; i < 12; i++) assert.ok(lr.exponential[i] < lr.exponential[i - 1]);
  assert.ok(Math.abs(lr.exponential[11] / 1e-3 - 0.96 ** ((11 * 50 * 938) / (10000 * 12))) < 1e-9, 'x0.96 per scaled decay step');
  assert.ok(Math.max(...lr.onecycle) > 2.9e-3, 'OneCycle rises to 3x the base lr');
  assert.ok(lr['cosine-restarts'][6] === 1e-3 && lr['cosine-restarts'][5] < 1e-3, 'restarts at each epoch');
});
cmp('AdaptiveLR receives loss and validation accuracy at every check and logs each decision', () => {
  const adaptive = result.runs.find((r) => r.name === 'adaptive')!;
  // about four checks per epoch in whole batches: 6 batches, a check every 2 (round(6 / 4)), so 3 per epoch
  assert.is(result.settings.adaptiveEvery, 2);
  assert.ok(adaptive.decisions !== null && adaptive.decisions.length === 6, 'three checks per epoch, two epochs');
  for (const d of adaptive.decisions!) {
    assert.ok(d.metric !== null && d.metric >= 0 && d.metric <= 1, 'validation accuracy is the second signal');
    assert.ok(['increase', 'decrease', 'hold'].includes(d.action) && d.reason.length > 0);
  }
  assert.is(result.runs.find((r) => r.name === 'constant')!.decisions, null);
});
cmp('the same seed gives the same run; every run starts from the same initialization', () => {
  const again = compareImageSchedules({ data, epochs: 1, batchSize: 8, schedules: ['constant', 'step'] });
  const first = compareImageSchedules({ data, epochs: 1, batchSize: 8, schedules: ['constant'] });
  assert.equal(again.runs[0].trainLoss, first.runs[0].trainLoss);
  // the step schedule's first fifth runs at the same lr as constant from the same weights and order
  assert.is(again.runs[0].batchLr[0], again.runs[1].batchLr[0]);
  assert.is(fashionMnistCnn().parameters().reduce((n, p) => n + p.size, 0), 16 * 9 + 16 + 32 * 144 + 32 + 1568 * 128 + 128 + 1290);
});
cmp('the report holds the accuracy, loss and lr charts, the tables and AdaptiveLR\'s decisions', async () => {
  const dir = join(tmp, 'images');
  const files = await writeScheduleReport(dir, result);
  assert.equal(files, ['accuracy.svg', 'loss.svg', 'lr.svg', 'results.json', 'report.md', 'report.html']);
  for (const f of ['accuracy.svg', 'loss.svg', 'lr.svg']) assert.match(readFileSync(join(dir, f), 'utf8'), /^<svg/);
  const md = readFileSync(join(dir, 'report.md'), 'utf8');
  assert.match(md, /\| schedule \| final test accuracy \| best \| test top-5 \| epochs to target \|/);
  assert.match(md, /## AdaptiveLR's decisions/);
  assert.match(md, /## Confusion matrix of the best run/);
  assert.equal(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')).runs.length, 6);
});
cmp('the time-series comparison gets the same loss and lr charts', async () => {
  const rows = compareSchedules({ epochs: 1 });
  assert.ok(rows.every((r) => r.trainLoss.length === 1 && r.valLoss.length === 1));
  const dir = join(tmp, 'series');
  assert.equal(await writeScheduleReport(dir, rows), ['loss.svg', 'lr.svg', 'results.json', 'report.md', 'report.html']);
  assert.match(readFileSync(join(dir, 'report.md'), 'utf8'), /final val MSE/);
});
cmp('bad options are refused before any training', () => {
  assert.throws(() => compareImageSchedules({ data, epochs: 0 }), /compareImageSchedules: expected epochs to be a positive integer, got 0/);
  assert.throws(() => compareImageSchedules({ data, schedules: ['cosine' as never] }), /expected schedules among constant, step, exponential, adaptive, onecycle, cosine-restarts, got 'cosine'/);
  assert.throws(() => compareImageSchedules({ data, lr: NaN }), /expected lr > 0, got NaN/);
  assert.throws(() => compareImageSchedules({ data, target: 1.5 }), /expected target in \(0, 1\], got 1.5/);
  assert.throws(() => compareImageSchedules({ data: { ...data, valid: null } }), /expected data with a validation set/);
  assert.throws(() => compareImageSchedules({ dir: join(tmp, 'nowhere') }), /dataset-fashion-mnist/);
  assert.throws(() => compareImageSchedules({ data, epoch: 2 } as never), /compareImageSchedules: expected options among .*, got unknown epoch/);
  assert.throws(() => compareImageSchedules(null as never), /expected an options object, got null/);
  assert.not.ok(existsSync(join(tmp, 'nowhere')));
});

const seeds = suite('compareImageSchedules over seeds');
const many = compareImageSchedules({ data, epochs: 2, batchSize: 8, seeds: 3, seed: 7, schedules: ['constant', 'step', 'adaptive'] });
seeds('every schedule runs from the same seeds, and seed 7 of three is seed 7 alone', () => {
  assert.equal(many.settings.seeds, [7, 8, 9]);
  assert.equal(many.runs.map((r) => `${r.name} ${r.seed}`), ['constant 7', 'step 7', 'adaptive 7', 'constant 8', 'step 8', 'adaptive 8', 'constant 9', 'step 9', 'adaptive 9']);
  const alone = compareImageSchedules({ data, epochs: 2, batchSize: 8, seed: 7, schedules: ['constant'] });
  assert.equal(many.runs[0].trainLoss, alone.runs[0].trainLoss);
  assert.not.equal(many.runs[3].trainLoss, many.runs[0].trainLoss, 'another seed, another run');
});
seeds('the summary gives mean and spread, and the paired comparison with constant is each seed\'s difference', () => {
  const step = many.summaries.find((m) => m.name === 'step')!;
  const of = (name: string) => many.runs.filter((r) => r.name === name);
  assert.equal(step.finalAccuracy.values, of('step').map((r) => r.finalTestAccuracy));
  const d = of('step').map((r, i) => r.finalTestAccuracy - of('constant')[i].finalTestAccuracy);
  assert.equal(step.vsConstant!.final, pairedDifference(d));
  assert.is(many.summaries.find((m) => m.name === 'constant')!.vsConstant, null);
  const verdict = step.vsConstant!.verdict;
  const f = step.vsConstant!.final;
  if (f.differences.every((v) => v === 0)) assert.match(verdict, /the same as constant's on all 3 seeds/);
  else if (f.low > 0 || f.high < 0) assert.match(verdict, /: supported/);
  else assert.match(verdict, /not supported \(the interval contains 0\)/);
});
seeds('the target is 0.98 of the best accuracy reached unless given, and times every run to it', () => {
  const best = Math.max(...many.runs.map((r) => r.bestTestAccuracy));
  assert.ok(Math.abs(many.settings.target - 0.98 * best) < 1e-12);
  assert.is(many.settings.targetFraction, 0.98);
  for (const r of many.runs) {
    const hit = r.testAccuracy.findIndex((a) => a >= many.settings.target);
    assert.is(r.epochsToTarget, hit === -1 ? null : hit + 1);
  }
  assert.ok(many.runs.some((r) => r.epochsToTarget !== null), 'the best run reaches 0.98 of its own best');
  assert.is(result.settings.targetFraction, null, 'a given target');
  assert.is(result.settings.target, 0.2);
});
seeds('the report gives the spread, the paired intervals and which differences the seeds support', () => {
  const md = imageComparisonMarkdown(many);
  assert.match(md, /\| schedule \| final test accuracy \(mean ± sd\) \| best \(mean ± sd\) \|/);
  assert.match(md, /## Against constant, seed by seed/);
  assert.match(md, /\| step \| [+-]\d+\.\d\d \| [+-]\d+\.\d\d to [+-]\d+\.\d\d \| \d of 3 \|/);
  assert.match(md, /- \*\*adaptive\*\*: final accuracy/);
  assert.match(md, /Target accuracy: \d+\.\d\d% \(0.98 of the best test accuracy reached/);
  assert.match(md, /## Per epoch \(mean over 3 seeds\)/);
});
seeds('one seed says it makes no claim', () => {
  const one = compareImageSchedules({ data, epochs: 1, batchSize: 8, schedules: ['constant', 'step'] });
  assert.match(one.summaries[1].vsConstant!.verdict, /on one seed: no interval, no claim/);
  assert.ok(Number.isNaN(one.summaries[1].vsConstant!.final.halfWidth));
});
seeds('bad seed options are refused', () => {
  assert.throws(() => compareImageSchedules({ data, seeds: 0 }), /compareImageSchedules: expected seeds to be a positive integer, got 0/);
  assert.throws(() => compareImageSchedules({ data, targetFraction: 0 }), /expected targetFraction in \(0, 1\], got 0/);
  assert.throws(() => compareImageSchedules({ data, schedules: ['step', 'step'] }), /expected each schedule once, got step, step/);
  assert.throws(() => compareImageSchedules({ data, schedules: [] }), /expected schedules to be a non-empty list, got an empty one/);
});

const charts = suite('the comparison charts: legends draw the line styles');
const curves = [{ name: 'constant', trainLoss: [1, 0.5], valLoss: [1.1, 0.6], lr: [1e-3, 1e-3], testAccuracy: [0.5, 0.6], valAccuracy: [0.4, 0.55] }, { name: 'step', trainLoss: [1, 0.4], valLoss: [1.2, 0.7], lr: [1e-3, 1e-4], testAccuracy: [0.5, 0.7], valAccuracy: [0.45, 0.6] }];
charts('accuracy and loss: solid and dashed lines with stroke symbols in the legend; the points in a layer of their own', () => {
  for (const spec of [scheduleAccuracySpec(curves, 0.6), scheduleLossSpec(curves)] as any[]) {
    const [lines, points] = spec.layer;
    assert.is(lines.mark.type, 'line');
    assert.is(lines.mark.point, undefined, 'a point on the line would make the legend symbols dots');
    assert.is(lines.encoding.strokeDash.legend.symbolType, 'stroke');
    assert.equal(lines.encoding.strokeDash.scale.range, [[1, 0], [6, 3]], 'solid, then dashed');
    assert.is(points.mark.type, 'point');
    assert.is(points.encoding.strokeDash, undefined);
  }
});
charts('the rendered accuracy legend has a solid and a dashed line, not two dots', async () => {
  const svg = await renderSvg(scheduleAccuracySpec(curves));
  const legend = svg.slice(svg.indexOf('role-legend'));
  assert.match(legend, /test/);
  assert.match(legend, /validation/);
  assert.match(legend, /stroke-dasharray="6,3"/);
});
charts('the lr profile: every schedule on one chart, each with its own dash', () => {
  const spec = scheduleLrSpec([...curves, { name: 'exponential', trainLoss: [1, 1], valLoss: [1, 1], lr: [1e-3, 9e-4] }]) as any;
  assert.equal(spec.encoding.strokeDash.scale.domain, ['constant', 'step', 'exponential']);
  const dashes = spec.encoding.strokeDash.scale.range.map(String);
  assert.is(new Set(dashes).size, 3);
  assert.equal([...new Set(spec.data.values.map((r: { schedule: string }) => r.schedule))], ['constant', 'step', 'exponential']);
});

cmp.run();
seeds.run();
charts.run();
removeAtExit(tmp);
