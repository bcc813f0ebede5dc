// The report's plots: the same colour for the same series everywhere, labelled markers, readable lr axes, the
// smoothing the rule uses, and the range test of a user's own model plotted in one call; every plot drawn for a
// series (MSE in the series' units) and for a tiny classification problem (cross-entropy and accuracy).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPipeline, renderSvg, PLOTS, plotRangeTest, rangeTest, Sequential, Linear, ReLU, SGD, manualSeed, randn, makeBlobs, type PipelineResult } from '../../src/index.js';
import { findLr, type FindLrResult } from '../../src/lrfind/find-lr.js';

const test = suite('report plots');
// the labels a reader sees: Vega keeps the labels its overlap rule hides, at opacity 0
const texts = (svg: string) => [...svg.matchAll(/<text([^>]*)>([^<]*)<\/text>/g)].filter((m) => !/opacity="0"/.test(m[1])).map((m) => m[2]);
const linePaths = (svg: string) => [...svg.matchAll(/aria-roledescription="line mark" d="([^"]*)"/g)].map((m) => m[1]);
let r: PipelineResult;
let c: FindLrResult;
const svgs: Record<string, string> = {};
const classSvgs: Record<string, string> = {};

test.before(async () => {
  const series = Float32Array.from({ length: 300 }, (_, t) => 5 + Math.sin(t / 6) + (t % 4) * 0.1);
  r = runPipeline({ series, config: { window: 10, hidden: [16], rangeTest: { numIter: 40 }, sweep: { num: 3, epochs: 1 }, validation: { epochs: 1 }, training: { epochs: 4, patience: 3 }, schedule: { type: 'onecycle' } } });
  for (const [name, spec] of Object.entries(PLOTS)) svgs[name] = await renderSvg(spec(r));
  const { x, y } = makeBlobs({ nSamples: 120, centers: 3, clusterStd: 2, seed: 1 });
  c = findLr({
    makeModel: () => new Sequential(new Linear(2, 8), new ReLU(), new Linear(8, 3)),
    train: { x: x.slice(0, 0, 90), y: y.slice(0, 0, 90) }, valid: { x: x.slice(0, 90), y: y.slice(0, 90) }, targetMetric: 0.8,
    config: { seeds: 2, rangeTest: { numIter: 20, seeds: 2 }, sweep: { num: 3, epochs: 1 }, validation: { epochs: 1 }, training: { epochs: 3, patience: 2 } },
  });
  for (const [name, spec] of Object.entries(PLOTS)) classSvgs[name] = await renderSvg(spec(c));
});

test('every plot of PLOTS renders for a series and for a classification result, the new ones included', () => {
  for (const name of ['grad-norm.svg', 'distributions.svg', 'metric.svg', 'seeds.svg']) assert.ok(name in PLOTS, name);
  assert.is(c.task, 'classification');
  for (const name of Object.keys(PLOTS)) {
    assert.match(svgs[name], /^<svg/, name);
    assert.match(classSvgs[name], /^<svg/, name);
  }
});

test('loss axes name the loss and its units: the series\' units for the long runs, standardized for the range test and sweep', () => {
  assert.is.not(r.data.lossScale, 1);
  assert.ok(texts(svgs['before-after.svg']).includes('MSE (series\' units)'));
  assert.ok(texts(svgs['dynamics.svg']).includes('batch MSE (series\' units)'));
  assert.ok(texts(svgs['sweep.svg']).includes('final MSE (standardized, unscaled)'));
  assert.ok(texts(svgs['lr-vs-loss.svg']).includes('training MSE (standardized, unscaled)'));
  assert.ok(texts(svgs['seeds.svg']).includes('best validation MSE (series\' units)'));
  assert.is(c.data.lossScale, 1);
  assert.ok(texts(classSvgs['before-after.svg']).includes('cross-entropy'));
  assert.ok(texts(classSvgs['dynamics.svg']).includes('batch cross-entropy'));
  assert.ok(texts(classSvgs['sweep.svg']).includes('final cross-entropy'));
  assert.ok(texts(classSvgs['lr-vs-loss.svg']).includes('training cross-entropy'));
  for (const [name, svg] of Object.entries(classSvgs)) assert.not.ok(texts(svg).some((t) => /MSE|standardized/.test(t)), `${name}: ${texts(svg).join(' | ')}`);
});

test('raw and smoothed loss have the same colours in the range-test and discovery charts', () => {
  const scaleOf = (spec: any) => (spec.layer ?? spec.vconcat[0].layer)[0].encoding.color.scale;
  const a = scaleOf(PLOTS['lr-vs-loss.svg'](r)), b = scaleOf(PLOTS['discovery.svg'](r));
  assert.equal(a, b);
  assert.equal(a.domain, ['raw loss', 'Savitzky-Golay smoothed (11, 2)']);
  for (const name of ['lr-vs-loss.svg', 'discovery.svg']) for (const colour of a.range) assert.ok(svgs[name].includes(`stroke="${colour}"`), `${name} draws no line in ${colour}`);
});

test('markers are labelled with their rule and lr, and the range-test chart shows the rule\'s own smoothing', () => {
  const lrVsLoss = texts(svgs['lr-vs-loss.svg']), discovery = texts(svgs['discovery.svg']);
  for (const m of Object.values(r.suggestion.suggestions)) assert.ok(lrVsLoss.some((t) => t.startsWith(`${m.method} `)), m.method);
  assert.ok(discovery.some((t) => /^steepest descent \d/.test(t)));
  assert.ok(lrVsLoss.includes('Savitzky-Golay smoothed (11, 2)'));
  assert.not.ok(lrVsLoss.some((t) => /EMA/.test(t)));
});

test('the dynamics chart\'s lr axis has distinct labels and no 0e+0, for a constant lr and for one-cycle', async () => {
  const constant = { ...r, optimized: { ...r.optimized, dynamics: { ...r.optimized.dynamics, lr: r.optimized.dynamics.lr.map(() => 1e-3) } }, baseline: { ...r.baseline, dynamics: { ...r.baseline.dynamics, lr: r.baseline.dynamics.lr.map(() => 1e-3) } } };
  for (const result of [r, constant]) {
    const svg = await renderSvg(PLOTS['dynamics.svg'](result as PipelineResult));
    const t = texts(svg);
    const lrLabels = t.slice(t.lastIndexOf('batch') + 1, t.indexOf('lr', t.lastIndexOf('batch')));
    assert.ok(lrLabels.includes('1e-3'), lrLabels.join(' '));
    assert.ok(lrLabels.length >= 1, t.join(' | '));
    assert.is(new Set(lrLabels).size, lrLabels.length, `duplicate lr ticks: ${lrLabels.join(' ')}`);
    assert.not.ok(lrLabels.some((l) => /^0e/.test(l)), lrLabels.join(' '));
  }
});

test('the dynamics chart shows the 1e-3 tick of a 1e-3 baseline, and the trained run\'s own constant lr, for any trained lr', async () => {
  assert.is(c.baseline.lr, 1e-3);
  for (const [lr, own] of [[2e-4, '2e-4'], [3e-3, '3e-3'], [2e-2, '2e-2'], [5e-2, '5e-2'], [3e-1, '3e-1']] as const) {
    const result = { ...c, optimized: { ...c.optimized, lr, dynamics: { ...c.optimized.dynamics, lr: c.optimized.dynamics.lr.map(() => lr) } } };
    const t = texts(await renderSvg(PLOTS['dynamics.svg'](result)));
    const lrLabels = t.slice(t.lastIndexOf('batch') + 1, t.indexOf('lr', t.lastIndexOf('batch')));
    assert.ok(lrLabels.includes('1e-3') && lrLabels.includes(own), `trained at ${own}: ${lrLabels.join(' ')}`);
    assert.is(new Set(lrLabels).size, lrLabels.length, `duplicate lr ticks: ${lrLabels.join(' ')}`);
  }
});

test('the gradient-norm chart draws both runs per batch on a log axis, and says how many norms it could not draw', async () => {
  const svg = classSvgs['grad-norm.svg'];
  assert.ok(texts(svg).includes('total gradient norm'));
  assert.match(svg, /Y-axis titled 'total gradient norm' for a log scale/);
  const paths = linePaths(svg);
  assert.is(paths.length, 2);
  assert.is(paths[0].split('L').length, c.baseline.dynamics.gradNorm.length);
  const zeroed = { ...c, baseline: { ...c.baseline, dynamics: { ...c.baseline.dynamics, gradNorm: [0, NaN, ...c.baseline.dynamics.gradNorm.slice(2)] } } };
  assert.ok(texts(await renderSvg(PLOTS['grad-norm.svg'](zeroed))).some((t) => t.includes('2 zero or non-finite norm(s) not drawn')));
});

test('the distributions chart gives features and labels a panel each: the batch mean as a line in a mean ± std band', () => {
  for (const [svg, result, labels] of [[classSvgs['distributions.svg'], c, 'labels (class index)'], [svgs['distributions.svg'], r, 'labels (targets)']] as const) {
    const t = texts(svg);
    assert.ok(t.includes('features') && t.includes(labels), t.join(' | '));
    assert.is([...svg.matchAll(/aria-roledescription="area mark"/g)].length, 2);
    const means = linePaths(svg);
    assert.is(means.length, 2);
    assert.is(means[0].split('L').length, result.baseline.dynamics.features.length);
    assert.is(means[1].split('L').length, result.baseline.dynamics.labels.length);
  }
});

test('the metric chart plots accuracy or R² per epoch with a metric target, and says so when a run has no metric', async () => {
  const t = texts(classSvgs['metric.svg']);
  assert.ok(t.includes('validation accuracy') && t.includes('target accuracy 80%'), t.join(' | '));
  assert.is(linePaths(classSvgs['metric.svg']).length, 2);
  assert.ok(texts(svgs['metric.svg']).includes('validation R²'));
  assert.not.ok(texts(svgs['metric.svg']).some((x) => x.startsWith('target')));
  const none = { ...c, optimized: { ...c.optimized, history: { ...c.optimized.history, valMetric: [] } } };
  assert.ok(texts(await renderSvg(PLOTS['metric.svg'](none))).some((x) => x.includes(`no accuracy recorded for ${c.optimized.name}`)));
  const neither = { ...none, baseline: { ...c.baseline, history: { ...c.baseline.history, valMetric: [] } } };
  assert.ok(texts(await renderSvg(PLOTS['metric.svg'](neither))).some((x) => x.includes(`no accuracy recorded for baseline and ${c.optimized.name}`)));
  const early = { ...r, baseline: { ...r.baseline, history: { ...r.baseline.history, valMetric: [-80, ...r.baseline.history.valMetric.slice(1)] } } };
  const svg = await renderSvg(PLOTS['metric.svg'](early));
  assert.ok(texts(svg).some((x) => x.endsWith('1 value(s) below -1 cut off')), texts(svg).join(' | '));
  assert.match(svg, /Y-axis titled 'validation R²' for a linear scale with values from (-|−)1\.0 /);
});

test('a loss target is a labelled rule on the before-after chart, and a metric target is not', async () => {
  const withLoss = { ...c, target: { kind: 'loss' as const, value: 0.5 } };
  assert.ok(texts(await renderSvg(PLOTS['before-after.svg'](withLoss))).includes('target validation cross-entropy 0.5'));
  assert.not.ok(texts(classSvgs['before-after.svg']).some((x) => x.startsWith('target')));
});

test('the seeds chart draws one line per seed from the baseline to the trained rate, with the paired difference', async () => {
  for (const [svg, result] of [[classSvgs['seeds.svg'], c], [svgs['seeds.svg'], r]] as const) {
    const lines = linePaths(svg);
    assert.is(lines.length, result.config.seeds);
    assert.is(lines.length, result.baseline.seeds.length);
    for (const d of lines) assert.match(d, /^M[^L]+L[^L]+$/);
    const paired = result.comparisonOverSeeds;
    assert.ok(paired !== null);
    assert.ok(texts(svg).some((x) => x.endsWith(`lower loss on ${paired!.wins} of ${paired!.n} seeds`)), texts(svg).join(' | '));
  }
  const seeds = c.optimized.seeds.map((x, i) => (i === 1 ? { ...x, valLoss: NaN, diverged: true } : x));
  const diverged = { ...c, optimized: { ...c.optimized, seeds }, comparisonOverSeeds: null };
  const svg = await renderSvg(PLOTS['seeds.svg'](diverged));
  assert.is(linePaths(svg).filter((d) => d.includes('L')).length, c.config.seeds - 1);
  assert.ok(texts(svg).some((x) => x.includes(`diverged, not drawn: seed ${seeds[1].seed} of ${c.optimized.name}`)));
  assert.ok(texts(svg).includes('no paired comparison (a seed diverged or has no loss)'));
});

test('with a range test over seeds, a strip under the range-test chart gives each rule\'s lr per seed', () => {
  assert.ok(c.rangeTestSeeds !== null);
  const t = texts(classSvgs['lr-vs-loss.svg']);
  assert.ok(t.includes('Each rule\'s lr over 2 range tests (seeds 42, 43)'), t.join(' | '));
  for (const rule of c.rangeTestSeeds!.rules) assert.ok(t.some((x) => x.startsWith(`${rule.method}: `)), rule.method);
  const ticks = [...classSvgs['lr-vs-loss.svg'].matchAll(/aria-roledescription="tick"/g)].length;
  assert.is(ticks, c.rangeTestSeeds!.rules.reduce((n, rule) => n + rule.lrs.filter(Number.isFinite).length, 0));
  assert.is(r.rangeTestSeeds, null);
  assert.not.ok(texts(svgs['lr-vs-loss.svg']).some((x) => x.startsWith('Each rule')));
});

test('plotRangeTest plots a user\'s own range test in one call, and writes it when given a path', async () => {
  manualSeed(0);
  const model = new Sequential(new Linear(3, 8), new ReLU(), new Linear(8, 1));
  const x = randn([64, 3]);
  const result = rangeTest(model, { x, y: x.sum(1, true), optimizer: new SGD(model.parameters()), startLr: 1e-4, endLr: 1, numIter: 30, batchSize: 16 });
  const dir = mkdtempSync(join(tmpdir(), 'lrlab-plot-'));
  try {
    const svg = await plotRangeTest(result, { path: join(dir, 'range.svg') });
    assert.match(svg, /^<svg/);
    assert.ok(texts(svg).some((t) => t.startsWith('steepest ')));
    assert.is(readFileSync(join(dir, 'range.svg'), 'utf8'), svg);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  await assert.not.throws(async () => plotRangeTest(result));
  try {
    await plotRangeTest({ lrs: [1], losses: [] } as never);
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, /plotRangeTest: expected a rangeTest result with lrs and losses of the same length/);
  }
  try {
    await plotRangeTest(result, { file: 'x.svg' } as never);
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, /plotRangeTest: unknown option 'file'/);
  }
});

test.run();
