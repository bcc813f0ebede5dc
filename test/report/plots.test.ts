// The report's plots: the same colour for the same series everywhere, labelled markers, readable lr axes, the
// smoothing the rule uses, and the range test of a user's own model plotted in one call.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPipeline, renderSvg, PLOTS, plotRangeTest, rangeTest, Sequential, Linear, ReLU, SGD, manualSeed, randn, type PipelineResult } from '../../src/index.js';

const test = suite('report plots');
const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
let r: PipelineResult;
const svgs: Record<string, string> = {};

test.before(async () => {
  const series = Float32Array.from({ length: 300 }, (_, t) => 5 + Math.sin(t / 6) + (t % 4) * 0.1);
  r = runPipeline({ series, config: { window: 10, hidden: [16], rangeTest: { numIter: 40 }, sweep: { num: 3, epochs: 1 }, validation: { epochs: 1 }, training: { epochs: 4, patience: 3 }, schedule: { type: 'onecycle' } } });
  for (const [name, spec] of Object.entries(PLOTS)) svgs[name] = await renderSvg(spec(r));
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
    assert.ok(lrLabels.length >= 1, t.join(' | '));
    assert.is(new Set(lrLabels).size, lrLabels.length, `duplicate lr ticks: ${lrLabels.join(' ')}`);
    assert.not.ok(lrLabels.some((l) => /^0e/.test(l)), lrLabels.join(' '));
  }
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
