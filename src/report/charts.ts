import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { savgolFilter } from '../lrfind/savgol.js';
import { gradient } from '../lrfind/gradient.js';
import { formatLr, formatNumber, describe } from '../format/number.js';
import { suggestLr, type LrSuggestion } from '../lrfind/suggest.js';
import type { RangeTestResult } from '../lrfind/range-test.js';
import { writeFileAtomic } from '../io/atomic.js';
import type { FindLrResult, RunSummary } from '../lrfind/find-lr.js';
import type { Moments } from '../train/dynamics.js';
import { checkRecord, checkNumbers } from '../format/check.js';

/** Renders a Vega-Lite spec to an SVG string with Vega's headless renderer. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  checkRecord('renderSvg', 'a Vega-Lite spec', spec);
  if (!('mark' in spec) && !('layer' in spec) && !('vconcat' in spec) && !('hconcat' in spec) && !('concat' in spec) && !('facet' in spec) && !('repeat' in spec)) throw new TypeError(`renderSvg: expected a Vega-Lite spec (with mark, layer or a concat), got ${describe(spec)}`);
  const config = { legend: { labelLimit: 400 }, font: 'DejaVu Sans, Helvetica, Arial, sans-serif' };
  const view = new vega.View(vega.parse(compile({ ...spec, config: { ...config, ...(spec as { config?: object }).config } } as TopLevelSpec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const WIDTH = 560, HEIGHT = 260;
const logLr = { field: 'lr', type: 'quantitative' as const, scale: { type: 'log' as const }, title: 'learning rate', axis: { format: '.0e' } };

// one colour per series in every chart, so raw and smoothed never swap between two plots
const RAW = 'raw loss', SG = (w: number, p: number) => `Savitzky-Golay smoothed (${w}, ${p})`;
const seriesColor = (w: number, p: number) => ({ domain: [RAW, SG(w, p)], range: ['#9e9e9e', '#1f77b4'] });

/** The Savitzky-Golay window and polyorder the steepest-descent rule uses on a curve of `n` points. */
function savgolWindow(n: number): [number, number] {
  const w = Math.min(11, n % 2 === 1 ? n : n - 1);
  return [w, Math.min(2, w - 1)];
}

/** A marked lr: a dashed rule with its label at the top of the chart. */
function marker(lr: number, label: string, color: string, dy = 0): object[] {
  const values = [{ lr, label }];
  return [
    { data: { values }, mark: { type: 'rule', color, strokeDash: [4, 3] }, encoding: { x: { field: 'lr', type: 'quantitative' } } },
    { data: { values }, mark: { type: 'text', align: 'left', baseline: 'top', dx: 4, y: 4 + dy, color }, encoding: { x: { field: 'lr', type: 'quantitative' }, text: { field: 'label' } } },
  ];
}

/**
 * The range-test chart: raw loss and the Savitzky-Golay smoothing the steepest-descent rule uses, on a log lr
 * axis, with the suggested lr (and, given a `suggestLr` result, every rule's lr) marked and labelled; `yTitle` names
 * the loss and its units.
 */
export function rangeTestSpec(rt: Pick<RangeTestResult, 'lrs' | 'losses'>, suggestion?: LrSuggestion, title = 'Range test: loss against learning rate', yTitle = 'training loss'): TopLevelSpec {
  checkRecord('rangeTestSpec', 'a rangeTest result', rt, ['lrs', 'losses']);
  checkNumbers('rangeTestSpec', 'lrs', rt.lrs);
  checkNumbers('rangeTestSpec', 'losses', rt.losses);
  const n = rt.losses.length;
  if (n < 3) throw new RangeError(`rangeTestSpec: expected a range test of at least 3 points, got ${n}`);
  const [w, p] = savgolWindow(n);
  const smooth = savgolFilter(rt.losses, w, p);
  const rows = rt.lrs.flatMap((lr, i) => [{ lr, loss: rt.losses[i], series: RAW }, { lr, loss: smooth[i], series: SG(w, p) }]);
  const marks = suggestion === undefined ? [] : [
    ...marker(suggestion.lr, `steepest ${formatLr(suggestion.lr)}`, '#d62728'),
    ...Object.values(suggestion.suggestions).filter((x) => x.method !== 'steepest').flatMap((x, k) => marker(x.lr, `${x.method} ${formatLr(x.lr)}`, '#7f7f7f', 16 * (k + 1))),
  ];
  return {
    title, width: WIDTH, height: HEIGHT,
    layer: [
      { data: { values: rows }, mark: { type: 'line' }, encoding: { x: logLr, y: { field: 'loss', type: 'quantitative', title: yTitle, scale: { zero: false } }, color: { field: 'series', type: 'nominal', title: null, scale: seriesColor(w, p) } } },
      ...marks,
    ],
  } as TopLevelSpec;
}

/** A run's name and lr, as every chart's legend shows it. */
const runLabel = (s: RunSummary) => `${s.name} (lr ${formatLr(s.lr)})`;
const runs = (r: FindLrResult): RunSummary[] => [r.baseline, r.optimized];
const batchAxis = { field: 'batch', type: 'quantitative' as const, axis: { tickMinStep: 1 } };
const seedNote = (r: FindLrResult) => (r.baseline.seeds?.length > 1 ? ', first seed' : '');

/**
 * The axis title of a loss: its name and its units. The long runs' losses are reported in display units (the
 * training loss times `lossScale`: the series' own units for a series); the range test and the sweep are in the
 * units the model trained on.
 */
function lossTitle(r: FindLrResult, what: string, units: 'display' | 'training'): string {
  const name = `${what} ${r.lossName}`.trim(), scale = r.data.lossScale;
  if (scale === 1) return name;
  if (units === 'training') return `${name} (${r.task === 'series' ? 'standardized' : 'training units'}, unscaled)`;
  return `${name} (${r.task === 'series' ? 'series\' units' : `scaled × ${formatNumber(scale)}`})`;
}

/** A horizontal dashed line at `value` of the y field `field`, labelled at its left end. */
function targetRule(field: string, value: number, label: string): object[] {
  const values = [{ [field]: value, label }];
  return [
    { data: { values }, mark: { type: 'rule', color: '#555', strokeDash: [4, 3] }, encoding: { y: { field, type: 'quantitative' } } },
    { data: { values }, mark: { type: 'text', align: 'left', baseline: 'bottom', x: 4, dy: -2, color: '#555' }, encoding: { y: { field, type: 'quantitative' }, text: { field: 'label' } } },
  ];
}

/**
 * Loss against lr from the finder's range test, with the four rules marked; with a range test over several seeds,
 * a strip below on the same lr axis gives each rule's lr per seed (a tick each) and their range (a bar).
 */
export function lrVsLossSpec(r: FindLrResult): TopLevelSpec {
  const { title, ...chart } = rangeTestSpec(r.rangeTest, r.suggestion, undefined, lossTitle(r, 'training', 'training')) as { title: string };
  if (r.rangeTestSeeds === null || r.rangeTestSeeds === undefined) return { title, ...chart } as TopLevelSpec;
  const n = r.rangeTestSeeds.seeds.length;
  const rows = r.rangeTestSeeds.rules.map((rule) => {
    const lrs = rule.lrs.filter((lr) => Number.isFinite(lr) && lr > 0);
    const [lo, hi] = extent(lrs), failed = rule.lrs.length - lrs.length;
    const range = lrs.length === 0 ? 'no suggestion' : lo === hi ? formatLr(lo) : `${formatLr(lo)} to ${formatLr(hi)}`;
    return { method: rule.method, lrs, lo, hi, label: `${rule.method}: ${range}${failed ? ` (${failed} seed(s) without one)` : ''}` };
  });
  const order = rows.map((x) => x.label);
  const y = { field: 'label', type: 'nominal', sort: order, title: null, axis: { labelLimit: 300 } };
  const color = { field: 'method', type: 'nominal', legend: null, scale: { domain: rows.map((x) => x.method), range: rows.map((x) => (x.method === 'steepest' ? '#d62728' : '#7f7f7f')) } };
  const strip = {
    width: WIDTH, height: 18 * rows.length, title: { text: `Each rule's lr over ${n} range tests (seeds ${r.rangeTestSeeds.seeds.join(', ')})`, fontSize: 11, anchor: 'start' },
    layer: [
      { data: { values: rows.filter((x) => x.lrs.length > 0) }, mark: { type: 'rule', strokeWidth: 3, opacity: 0.5 }, encoding: { x: { ...logLr, field: 'lo' }, x2: { field: 'hi' }, y, color } },
      { data: { values: rows.flatMap((x) => x.lrs.map((lr) => ({ lr, label: x.label, method: x.method }))) }, mark: { type: 'tick', thickness: 2 }, encoding: { x: logLr, y, color } },
    ],
  };
  return { title, vconcat: [chart, strip], resolve: { scale: { x: 'shared', color: 'independent' } } } as TopLevelSpec;
}

/**
 * The range test of your own model as an SVG in one call: `await plotRangeTest(rangeTest(model, {...}))` gives the
 * chart (raw and smoothed loss, the suggestions marked); with `path` it is also written there (atomically).
 */
export async function plotRangeTest(result: RangeTestResult, options: { suggestion?: LrSuggestion; path?: string; title?: string } = {}): Promise<string> {
  if (result === null || typeof result !== 'object' || !Array.isArray(result.lrs) || !Array.isArray(result.losses) || result.lrs.length !== result.losses.length) {
    throw new TypeError(`plotRangeTest: expected a rangeTest result with lrs and losses of the same length, got ${describe(result)}`);
  }
  if (options === null || typeof options !== 'object') throw new TypeError(`plotRangeTest: expected an options object, got ${describe(options)}`);
  for (const k of Object.keys(options)) if (!['suggestion', 'path', 'title'].includes(k)) throw new RangeError(`plotRangeTest: unknown option '${k}' (known: suggestion, path, title)`);
  if (options.path !== undefined && (typeof options.path !== 'string' || options.path === '')) throw new TypeError(`plotRangeTest: expected path to be a file path, got ${describe(options.path)}`);
  const suggestion = options.suggestion ?? (result.losses.length >= 5 ? suggestLr(result.lrs, result.losses, { smoothed: result.smoothedLosses }) : undefined);
  const svg = await renderSvg(rangeTestSpec(result, suggestion, options.title));
  if (options.path !== undefined) writeFileAtomic(options.path, svg);
  return svg;
}

/** The discovery plot: raw and Savitzky-Golay-smoothed loss, and the negative gradient whose peak is chosen. */
export function discoverySpec(r: FindLrResult): TopLevelSpec {
  const { lrs, losses } = r.rangeTest;
  const [w, p] = savgolWindow(losses.length);
  const smooth = savgolFilter(losses, w, p);
  const slope = gradient(smooth);
  const top = lrs.flatMap((lr, i) => [{ lr, value: losses[i], series: RAW }, { lr, value: smooth[i], series: SG(w, p) }]);
  const bottom = lrs.map((lr, i) => ({ lr, value: -slope[i] }));
  const steep = r.suggestion.suggestions.steepest.lr;
  return {
    title: 'Discovery: steepest descent of the smoothed loss',
    vconcat: [
      { width: WIDTH, height: 200, layer: [
        { data: { values: top }, mark: 'line', encoding: { x: logLr, y: { field: 'value', type: 'quantitative', title: lossTitle(r, 'training', 'training'), scale: { zero: false } }, color: { field: 'series', type: 'nominal', title: null, scale: seriesColor(w, p) } } },
        ...marker(steep, `steepest descent ${formatLr(steep)}`, '#d62728'),
      ] },
      { width: WIDTH, height: 140, layer: [
        { data: { values: bottom }, mark: { type: 'line', color: '#2ca02c' }, encoding: { x: logLr, y: { field: 'value', type: 'quantitative', title: '-gradient of the smoothed loss' } } },
        ...marker(steep, `max -gradient at ${formatLr(steep)}`, '#d62728'),
      ] },
    ],
  } as TopLevelSpec;
}

/** The sweep: final training and validation loss of a short run at each lr (in training units). */
export function sweepSpec(r: FindLrResult): TopLevelSpec {
  const diverged = r.sweep.rows.filter((x) => x.diverged).length;
  const rows = r.sweep.rows.filter((x) => !x.diverged).flatMap((x) => [{ lr: x.lr, loss: x.trainLoss, split: 'training' }, { lr: x.lr, loss: x.valLoss, split: 'validation' }]);
  return {
    title: `Sweep: ${r.sweep.rows.length} fresh models, ${r.config.sweep.epochs} epoch(s) each${diverged ? `; ${diverged} diverged (not drawn)` : ''}`, width: WIDTH, height: HEIGHT,
    data: { values: rows }, mark: { type: 'line', point: true },
    encoding: { x: logLr, y: { field: 'loss', type: 'quantitative', scale: { type: 'log' }, title: lossTitle(r, 'final', 'training') }, color: { field: 'split', type: 'nominal', title: null } },
  } as TopLevelSpec;
}

/** Minimum and maximum of a long list (the spread operator overflows the stack on a long run's batches). */
function extent(values: number[]): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/**
 * The lr axis of the dynamics chart, given each run's lr per batch: logarithmic while every lr is positive (a
 * schedule spans decades), else linear in plain numbers; never a zero tick printed as 0e+0, and with one lr
 * throughout, that lr as the only tick. On the log axis the ticks are given, not left to Vega: the decades of the
 * domain and each constant run's own lr (Vega's own log ticks are 1-9 per decade, and hiding their overlapping
 * '.0e' labels could drop the decade the baseline sits on); a tick closer than a label's height to one already
 * kept is left out, the runs' own lrs first.
 */
function lrAxis(perRun: number[][]): object {
  const [lo, hi] = extent(perRun.flat());
  if (lo === hi) return { field: 'value', type: 'quantitative', title: 'lr', scale: { domain: [lo * 0.5 || -1, hi * 1.5 || 1] }, axis: { values: [lo], format: '.3~e' } };
  if (lo > 0) {
    const a = Math.floor(Math.log10(lo)), b = Math.ceil(Math.log10(hi));
    const own = perRun.filter((v) => v.length > 0 && v.every((x) => x === v[0])).map((v) => v[0]);
    const decades = Array.from({ length: b - a + 1 }, (_, k) => Number(`1e${a + k}`));
    // the panel is 100 px high and a label about 12 px: keep ticks 0.12 of the domain's decades apart
    const gap = 0.12 * (b - a), ticks: number[] = [];
    for (const v of [...own, ...decades]) if (ticks.every((t) => Math.abs(Math.log10(v / t)) >= gap)) ticks.push(v);
    return { field: 'value', type: 'quantitative', title: 'lr', scale: { type: 'log', domain: [decades[0], decades[decades.length - 1]] }, axis: { values: ticks.sort((x, y) => x - y), format: '.2~e' } };
  }
  return { field: 'value', type: 'quantitative', title: 'lr', axis: { format: '~g', tickCount: 4 } };
}

/** Training dynamics: batch loss and lr over the batches of both runs (first seed), with each run's classification. */
export function dynamicsSpec(r: FindLrResult): TopLevelSpec {
  const label = (s: RunSummary) => `${s.name} (lr ${formatLr(s.lr)}, ${s.analysis.classification})`;
  const loss = runs(r).flatMap((s) => s.dynamics.batchLoss.map((v, i) => ({ batch: i, value: v, run: label(s) })));
  const lr = runs(r).flatMap((s) => s.dynamics.lr.map((v, i) => ({ batch: i, value: v, run: label(s) })));
  return {
    title: `Training dynamics: batch loss and learning rate${seedNote(r)}`,
    vconcat: [
      { width: WIDTH, height: 200, data: { values: loss }, mark: { type: 'line', strokeWidth: 0.7, opacity: 0.8 }, encoding: { x: batchAxis, y: { field: 'value', type: 'quantitative', scale: { type: 'log' }, title: lossTitle(r, 'batch', 'display') }, color: { field: 'run', type: 'nominal', title: null } } },
      { width: WIDTH, height: 100, data: { values: lr }, mark: 'line', encoding: { x: batchAxis, y: lrAxis(runs(r).map((s) => s.dynamics.lr)), color: { field: 'run', type: 'nominal', title: null } } },
    ],
  } as TopLevelSpec;
}

/** The total gradient norm per batch of both runs (first seed), on a log axis. */
export function gradNormSpec(r: FindLrResult): TopLevelSpec {
  const all = runs(r).flatMap((s) => (s.dynamics.gradNorm ?? []).map((v, i) => ({ batch: i, value: v, run: runLabel(s) })));
  const rows = all.filter((d) => d.value > 0 && Number.isFinite(d.value));
  const left = all.length - rows.length;
  return {
    title: `Gradient norm per batch${seedNote(r)}${all.length === 0 ? ': none recorded' : ''}${left ? `; ${left} zero or non-finite norm(s) not drawn on the log axis` : ''}`,
    width: WIDTH, height: HEIGHT, data: { values: rows }, mark: { type: 'line', strokeWidth: 0.7, opacity: 0.8 },
    encoding: { x: batchAxis, y: { field: 'value', type: 'quantitative', scale: { type: 'log' }, title: 'total gradient norm' }, color: { field: 'run', type: 'nominal', title: null } },
  } as TopLevelSpec;
}

/**
 * What the model was fed: per batch the mean of the features and of the labels, with a band of mean ± std, in two
 * panels (the baseline's first seed, in the units the model trained on).
 */
export function distributionsSpec(r: FindLrResult): TopLevelSpec {
  const s = r.baseline;
  const panel = (moments: Moments[] | undefined, title: string, color: string) => ({
    width: WIDTH, height: 140,
    data: { values: (moments ?? []).map((m, i) => ({ batch: i, mean: m.mean, low: m.mean - m.std, high: m.mean + m.std })) },
    layer: [
      { mark: { type: 'area', color, opacity: 0.25 }, encoding: { x: batchAxis, y: { field: 'low', type: 'quantitative', title, scale: { zero: false } }, y2: { field: 'high' } } },
      { mark: { type: 'line', color, strokeWidth: 1 }, encoding: { x: batchAxis, y: { field: 'mean', type: 'quantitative' } } },
    ],
  });
  const missing = [['features', s.dynamics.features], ['labels', s.dynamics.labels]].filter(([, m]) => !Array.isArray(m) || m.length === 0).map(([k]) => k);
  return {
    title: {
      text: `Batch distributions of the ${runLabel(s)} run${seedNote(r)}${missing.length ? `: no ${missing.join(' or ')} recorded` : ''}`,
      subtitle: 'line: the batch mean; band: mean ± standard deviation of all values in the batch',
    },
    vconcat: [
      panel(s.dynamics.features, 'features', '#1f77b4'),
      panel(s.dynamics.labels, r.task === 'classification' ? 'labels (class index)' : 'labels (targets)', '#ff7f0e'),
    ],
  } as TopLevelSpec;
}

/** Before and after: training and validation loss per epoch of the baseline and the found lr (first seed). */
export function beforeAfterSpec(r: FindLrResult): TopLevelSpec {
  const rows = runs(r).flatMap((s) => s.history.loss.flatMap((v, e) => [
    { epoch: e + 1, loss: v, run: runLabel(s), split: 'training' },
    ...(s.history.valLoss[e] === undefined ? [] : [{ epoch: e + 1, loss: s.history.valLoss[e], run: runLabel(s), split: 'validation' }]),
  ]));
  const target = r.target?.kind === 'loss' ? r.target.value : null;
  const drawTarget = target !== null && target > 0;
  return {
    title: `Before and after: ${r.lossName} per epoch${seedNote(r)}${target !== null && !drawTarget ? ` (the target ${formatNumber(target)} is not drawn on the log axis)` : ''}`,
    width: WIDTH, height: HEIGHT,
    layer: [
      { data: { values: rows }, mark: 'line', encoding: { x: { field: 'epoch', type: 'quantitative', axis: { tickMinStep: 1 } }, y: { field: 'loss', type: 'quantitative', scale: { type: 'log' }, title: lossTitle(r, '', 'display') }, color: { field: 'run', type: 'nominal', title: null }, strokeDash: { field: 'split', type: 'nominal', title: null } } },
      ...(drawTarget ? targetRule('loss', target, `target validation ${r.lossName} ${formatNumber(target)}`) : []),
    ],
  } as TopLevelSpec;
}

/** The metric's name as a reader writes it. */
const metricName = (r: FindLrResult) => (r.metric.name === 'r2' ? 'R²' : r.metric.name);

/** The validation metric (accuracy or R²) per epoch of both runs (first seed), with the target when it is a metric. */
export function metricSpec(r: FindLrResult): TopLevelSpec {
  const name = metricName(r);
  const missing = runs(r).filter((s) => (s.history.valMetric ?? []).length === 0).map((s) => s.name);
  const all = runs(r).flatMap((s) => (s.history.valMetric ?? []).map((v, e) => ({ epoch: e + 1, value: v, run: runLabel(s) })));
  const rows = all.filter((d) => Number.isFinite(d.value));
  const percent = r.metric.name === 'accuracy';
  // R² of an untrained model can be -100 and flatten every later epoch into one line: the axis stops at -1
  const below = percent ? 0 : rows.filter((d) => d.value < -1).length;
  const notes = [
    ...(missing.length ? [`no ${name} recorded for ${[...new Set(missing)].join(' and ')}`] : []),
    ...(rows.length < all.length ? [`${all.length - rows.length} non-finite value(s) not drawn`] : []),
    ...(below ? [`${below} value(s) below -1 cut off`] : []),
  ];
  return {
    title: `Validation ${name} per epoch${seedNote(r)}${notes.length ? `: ${notes.join('; ')}` : ''}`,
    width: WIDTH, height: HEIGHT,
    layer: [
      { data: { values: rows }, mark: { type: 'line', point: true, clip: true }, encoding: { x: { field: 'epoch', type: 'quantitative', axis: { tickMinStep: 1 } }, y: { field: 'value', type: 'quantitative', title: `validation ${name}`, scale: { zero: false, ...(below ? { domainMin: -1 } : {}) }, ...(percent ? { axis: { format: '.0%' } } : {}) }, color: { field: 'run', type: 'nominal', title: null } } },
      ...(r.target?.kind === 'metric' ? targetRule('value', r.target.value, `target ${name} ${percent ? `${formatNumber(r.target.value * 100)}%` : formatNumber(r.target.value)}`) : []),
    ],
  } as TopLevelSpec;
}

/**
 * The validation loss of every seed for the baseline and the trained rate, one line per seed from one to the other
 * (both arms start from the seed's initialization), so the spread between seeds reads against the difference.
 */
export function seedsSpec(r: FindLrResult): TopLevelSpec {
  const order = runs(r).map(runLabel);
  const all = runs(r).flatMap((s) => (s.seeds ?? []).map((x) => ({ run: runLabel(s), name: s.name, seed: String(x.seed), loss: x.valLoss })));
  const rows = all.filter((d) => Number.isFinite(d.loss));
  const lost = all.filter((d) => !Number.isFinite(d.loss)).map((d) => `seed ${d.seed} of ${d.name}`);
  const c = r.comparisonOverSeeds;
  const pct = (x: number) => `${formatNumber(x * 100)}%`;
  const subtitle = c === null || c === undefined
    ? 'no paired comparison (a seed diverged or has no loss)'
    : `relative gain of the trained rate per seed: mean ${pct(c.mean)}${c.n > 1 ? `, 95% interval ${pct(c.low)} to ${pct(c.high)}` : ' (one seed: no interval)'}; lower loss on ${c.wins} of ${c.n} seeds`;
  return {
    title: { text: `Validation ${r.lossName} per seed${lost.length ? `; diverged, not drawn: ${lost.join(', ')}` : ''}`, subtitle },
    width: 360, height: HEIGHT, data: { values: rows }, mark: { type: 'line', point: true },
    encoding: {
      // the run's name above its lr, so neither is cut
      x: { field: 'run', type: 'nominal', sort: order, title: null, axis: { labelAngle: 0, labelExpr: "split(replace(datum.label, ' (lr ', '\\n(lr '), '\\n')" } },
      y: { field: 'loss', type: 'quantitative', scale: { zero: false }, title: lossTitle(r, 'best validation', 'display') },
      color: { field: 'seed', type: 'nominal', title: 'seed' },
    },
  } as TopLevelSpec;
}

/** Training speed: wall-clock time and epochs to convergence of each run. */
export function speedSpec(r: FindLrResult): TopLevelSpec {
  const rows = runs(r).map((s) => ({ run: runLabel(s), seconds: s.trainingTimeMs / 1000, epochs: s.analysis.convergenceEpoch ?? s.epochsRun }));
  const bar = (field: string, title: string) => ({ width: 260, height: 120, mark: 'bar', encoding: { y: { field: 'run', type: 'nominal', title: null, axis: { labelLimit: 300 } }, x: { field, type: 'quantitative', title }, color: { field: 'run', type: 'nominal', legend: null } } });
  return { title: 'Training speed', data: { values: rows }, hconcat: [bar('seconds', 'training time (s)'), bar('epochs', 'epochs to convergence')] } as TopLevelSpec;
}

/** Every plot of the report, by file name. */
export const PLOTS: Record<string, (r: FindLrResult) => TopLevelSpec> = {
  'lr-vs-loss.svg': lrVsLossSpec,
  'discovery.svg': discoverySpec,
  'sweep.svg': sweepSpec,
  'dynamics.svg': dynamicsSpec,
  'grad-norm.svg': gradNormSpec,
  'distributions.svg': distributionsSpec,
  'before-after.svg': beforeAfterSpec,
  'metric.svg': metricSpec,
  'seeds.svg': seedsSpec,
  'speed.svg': speedSpec,
};

/** Per-epoch curves of one schedule's run, for the schedule-comparison charts. */
export interface ScheduleCurves {
  name: string;
  trainLoss: number[];
  valLoss: number[];
  /** lr at the start of each epoch. */
  lr: number[];
  /** lr at every batch, when recorded (the lr profile). */
  batchLr?: number[];
  valAccuracy?: number[];
  testAccuracy?: number[];
}

function checkCurves(fn: string, runs: unknown): void {
  if (!Array.isArray(runs) || runs.some((r) => r === null || typeof r !== 'object' || !Array.isArray((r as ScheduleCurves).trainLoss) || !Array.isArray((r as ScheduleCurves).lr))) {
    throw new TypeError(`${fn}: expected an array of runs with trainLoss, valLoss and lr arrays, got ${runs === null ? 'null' : Array.isArray(runs) ? 'an array with another kind of entry' : typeof runs}`);
  }
}

// the legend of a dashed-line encoding draws short line segments in the line's dash (a point mark would turn them
// into dots, alike for every split), and the points sit in a layer of their own with no legend
const dashLegend = { symbolType: 'stroke', symbolStrokeWidth: 2, symbolStrokeColor: '#333', symbolSize: 300 };
const DASHES: Record<string, number[]> = { training: [1, 0], test: [1, 0], validation: [6, 3] };

/** Lines dashed by split and coloured by schedule, each point marked, with legends that show the line styles. */
function splitLines(rows: object[], x: object, y: object, splits: string[]): object[] {
  const names = [...new Set(rows.map((r) => (r as { schedule: string }).schedule))];
  const color = { field: 'schedule', type: 'nominal', title: null, sort: names, legend: { symbolType: 'stroke', symbolStrokeWidth: 2 } };
  return [
    { data: { values: rows }, mark: { type: 'line' }, encoding: { x, y, color, strokeDash: { field: 'split', type: 'nominal', title: null, scale: { domain: splits, range: splits.map((k) => DASHES[k]) }, legend: dashLegend } } },
    { data: { values: rows }, mark: { type: 'point', filled: true, size: 18 }, encoding: { x, y, color } },
  ];
}

/** Training and validation loss per epoch of every schedule (solid: training, dashed: validation). */
export function scheduleLossSpec(runs: ScheduleCurves[], lossTitle = 'loss', title = 'Loss per epoch'): TopLevelSpec {
  checkCurves('scheduleLossSpec', runs);
  const rows = runs.flatMap((r) => r.trainLoss.flatMap((v, e) => [
    { epoch: e + 1, loss: v, schedule: r.name, split: 'training' },
    ...(r.valLoss[e] === undefined ? [] : [{ epoch: e + 1, loss: r.valLoss[e], schedule: r.name, split: 'validation' }]),
  ]));
  const x = { field: 'epoch', type: 'quantitative', axis: { tickMinStep: 1 } }, y = { field: 'loss', type: 'quantitative', scale: { type: 'log' }, title: lossTitle };
  return { title, width: WIDTH, height: HEIGHT, layer: splitLines(rows, x, y, ['training', 'validation']) } as TopLevelSpec;
}

/** Test (solid) and validation (dashed) accuracy per epoch of every schedule, with the target accuracy as a rule. */
export function scheduleAccuracySpec(runs: ScheduleCurves[], target?: number, title = 'Accuracy per epoch'): TopLevelSpec {
  checkCurves('scheduleAccuracySpec', runs);
  const rows = runs.flatMap((r) => (r.testAccuracy ?? []).flatMap((v, e) => [
    { epoch: e + 1, accuracy: v, schedule: r.name, split: 'test' },
    ...(r.valAccuracy?.[e] === undefined ? [] : [{ epoch: e + 1, accuracy: r.valAccuracy[e], schedule: r.name, split: 'validation' }]),
  ]));
  const x = { field: 'epoch', type: 'quantitative', axis: { tickMinStep: 1 } }, y = { field: 'accuracy', type: 'quantitative', scale: { zero: false }, axis: { format: '.1%' } };
  const layers = splitLines(rows, x, y, ['test', 'validation']);
  if (target !== undefined) layers.push(...targetRule('accuracy', target, `target ${(target * 100).toFixed(2)}%`));
  return { title, width: WIDTH, height: HEIGHT, layer: layers } as TopLevelSpec;
}

// one dash per schedule on the lr chart, so that schedules on the same lr (constant, and step before its first cut)
// stay apart where their lines overlap
const LR_DASHES = [[1, 0], [8, 4], [2, 3], [10, 3, 2, 3], [4, 2], [1, 5]];

/**
 * The lr profile of every schedule on one chart: per batch where recorded (at most 500 points each), else per
 * epoch; each schedule in its own colour and dash, the legend showing both.
 */
export function scheduleLrSpec(runs: ScheduleCurves[], title = 'Learning-rate profile'): TopLevelSpec {
  checkCurves('scheduleLrSpec', runs);
  const rows = runs.flatMap((r) => {
    if (r.batchLr === undefined || r.batchLr.length === 0) return r.lr.map((v, e) => ({ epoch: e, lr: v, schedule: r.name }));
    const per = r.batchLr.length / r.lr.length, stride = Math.max(1, Math.ceil(r.batchLr.length / 500));
    const out: { epoch: number; lr: number; schedule: string }[] = [];
    for (let i = 0; i < r.batchLr.length; i += stride) out.push({ epoch: i / per, lr: r.batchLr[i], schedule: r.name });
    return out;
  });
  const names = runs.map((r) => r.name);
  return {
    title, width: WIDTH, height: 200, data: { values: rows }, mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.5 },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch' },
      y: { field: 'lr', type: 'quantitative', scale: { type: 'log' }, title: 'learning rate', axis: { format: '.0e' } },
      color: { field: 'schedule', type: 'nominal', title: null, sort: names, legend: { symbolType: 'stroke', symbolStrokeWidth: 2, symbolSize: 300 } },
      strokeDash: { field: 'schedule', type: 'nominal', title: null, sort: names, scale: { domain: names, range: names.map((_, i) => LR_DASHES[i % LR_DASHES.length]) } },
    },
  } as TopLevelSpec;
}
