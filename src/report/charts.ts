import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { savgolFilter } from '../lrfind/savgol.js';
import { gradient } from '../lrfind/gradient.js';
import { formatLr, describe } from '../format/number.js';
import { suggestLr, type LrSuggestion } from '../lrfind/suggest.js';
import type { RangeTestResult } from '../lrfind/range-test.js';
import { writeFileAtomic } from '../io/atomic.js';
import type { PipelineResult, RunSummary } from '../lrfind/pipeline.js';
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
 * axis, with the suggested lr (and, given a `suggestLr` result, every rule's lr) marked and labelled.
 */
export function rangeTestSpec(rt: Pick<RangeTestResult, 'lrs' | 'losses'>, suggestion?: LrSuggestion, title = 'Range test: loss against learning rate'): TopLevelSpec {
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
      { data: { values: rows }, mark: { type: 'line' }, encoding: { x: logLr, y: { field: 'loss', type: 'quantitative', title: 'training loss', scale: { zero: false } }, color: { field: 'series', type: 'nominal', title: null, scale: seriesColor(w, p) } } },
      ...marks,
    ],
  } as TopLevelSpec;
}

/** Loss against lr from the pipeline's range test, with the four rules marked. */
export function lrVsLossSpec(r: PipelineResult): TopLevelSpec {
  return rangeTestSpec(r.rangeTest, r.suggestion);
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
export function discoverySpec(r: PipelineResult): TopLevelSpec {
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
        { data: { values: top }, mark: 'line', encoding: { x: logLr, y: { field: 'value', type: 'quantitative', title: 'loss', scale: { zero: false } }, color: { field: 'series', type: 'nominal', title: null, scale: seriesColor(w, p) } } },
        ...marker(steep, `steepest descent ${formatLr(steep)}`, '#d62728'),
      ] },
      { width: WIDTH, height: 140, layer: [
        { data: { values: bottom }, mark: { type: 'line', color: '#2ca02c' }, encoding: { x: logLr, y: { field: 'value', type: 'quantitative', title: '-gradient of the smoothed loss' } } },
        ...marker(steep, `max -gradient at ${formatLr(steep)}`, '#d62728'),
      ] },
    ],
  } as TopLevelSpec;
}

/** The sweep: final training and validation loss of a short run at each lr. */
export function sweepSpec(r: PipelineResult): TopLevelSpec {
  const rows = r.sweep.rows.filter((x) => !x.diverged).flatMap((x) => [{ lr: x.lr, loss: x.trainLoss, split: 'training' }, { lr: x.lr, loss: x.valLoss, split: 'validation' }]);
  return {
    title: `Sweep: ${r.sweep.rows.length} fresh models, ${r.config.sweep.epochs} epoch(s) each`, width: WIDTH, height: HEIGHT,
    data: { values: rows }, mark: { type: 'line', point: true },
    encoding: { x: logLr, y: { field: 'loss', type: 'quantitative', scale: { type: 'log' }, title: 'final loss (standardized)' }, color: { field: 'split', type: 'nominal', title: null } },
  } as TopLevelSpec;
}

const runs = (r: PipelineResult): RunSummary[] => [r.baseline, r.optimized];

/**
 * The lr axis of the dynamics chart: logarithmic while every lr is positive (a schedule spans decades), else
 * linear in plain numbers; never a zero tick printed as 0e+0, and with one lr throughout, that lr as the only tick.
 */
function lrAxis(values: number[]): object {
  const lo = Math.min(...values), hi = Math.max(...values);
  if (lo === hi) return { field: 'value', type: 'quantitative', title: 'lr', scale: { domain: [lo * 0.5 || -1, hi * 1.5 || 1] }, axis: { values: [lo], format: '.3~e' } };
  if (lo > 0) return { field: 'value', type: 'quantitative', title: 'lr', scale: { type: 'log' }, axis: { format: '.0e', labelOverlap: true } };
  return { field: 'value', type: 'quantitative', title: 'lr', axis: { format: '~g', tickCount: 4 } };
}

/** Training dynamics: batch loss and lr over the batches of both runs, with each run's classification. */
export function dynamicsSpec(r: PipelineResult): TopLevelSpec {
  const label = (s: RunSummary) => `${s.name} (lr ${formatLr(s.lr)}, ${s.analysis.classification})`;
  const loss = runs(r).flatMap((s) => s.dynamics.batchLoss.map((v, i) => ({ batch: i, value: v, run: label(s) })));
  const lr = runs(r).flatMap((s) => s.dynamics.lr.map((v, i) => ({ batch: i, value: v, run: label(s) })));
  return {
    title: 'Training dynamics: batch loss and learning rate',
    vconcat: [
      { width: WIDTH, height: 200, data: { values: loss }, mark: { type: 'line', strokeWidth: 0.7, opacity: 0.8 }, encoding: { x: { field: 'batch', type: 'quantitative' }, y: { field: 'value', type: 'quantitative', scale: { type: 'log' }, title: 'batch MSE' }, color: { field: 'run', type: 'nominal', title: null } } },
            { width: WIDTH, height: 100, data: { values: lr }, mark: 'line', encoding: { x: { field: 'batch', type: 'quantitative' }, y: lrAxis(lr.map((d) => d.value)), color: { field: 'run', type: 'nominal', title: null } } },
    ],
  } as TopLevelSpec;
}

/** Before and after: training and validation MSE per epoch of the baseline and the found lr. */
export function beforeAfterSpec(r: PipelineResult): TopLevelSpec {
  const rows = runs(r).flatMap((s) => s.history.loss.flatMap((v, e) => [
    { epoch: e + 1, mse: v, run: `${s.name} (lr ${formatLr(s.lr)})`, split: 'training' },
    { epoch: e + 1, mse: s.history.valLoss[e], run: `${s.name} (lr ${formatLr(s.lr)})`, split: 'validation' },
  ]));
  return {
    title: 'Before and after: MSE per epoch', width: WIDTH, height: HEIGHT, data: { values: rows }, mark: 'line',
    encoding: { x: { field: 'epoch', type: 'quantitative' }, y: { field: 'mse', type: 'quantitative', scale: { type: 'log' }, title: 'MSE' }, color: { field: 'run', type: 'nominal', title: null }, strokeDash: { field: 'split', type: 'nominal', title: null } },
  } as TopLevelSpec;
}

/** Training speed: wall-clock time and epochs to convergence of each run. */
export function speedSpec(r: PipelineResult): TopLevelSpec {
  const rows = runs(r).map((s) => ({ run: `${s.name} (lr ${formatLr(s.lr)})`, seconds: s.trainingTimeMs / 1000, epochs: s.analysis.convergenceEpoch ?? s.epochsRun }));
  const bar = (field: string, title: string) => ({ width: 260, height: 120, mark: 'bar', encoding: { y: { field: 'run', type: 'nominal', title: null, axis: { labelLimit: 300 } }, x: { field, type: 'quantitative', title }, color: { field: 'run', type: 'nominal', legend: null } } });
  return { title: 'Training speed', data: { values: rows }, hconcat: [bar('seconds', 'training time (s)'), bar('epochs', 'epochs to convergence')] } as TopLevelSpec;
}

/** Every plot of the report, by file name. */
export const PLOTS: Record<string, (r: PipelineResult) => TopLevelSpec> = {
  'lr-vs-loss.svg': lrVsLossSpec,
  'discovery.svg': discoverySpec,
  'sweep.svg': sweepSpec,
  'dynamics.svg': dynamicsSpec,
  'before-after.svg': beforeAfterSpec,
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

/** Training and validation loss per epoch of every schedule (solid: training, dashed: validation). */
export function scheduleLossSpec(runs: ScheduleCurves[], lossTitle = 'loss'): TopLevelSpec {
  checkCurves('scheduleLossSpec', runs);
  const rows = runs.flatMap((r) => r.trainLoss.flatMap((v, e) => [
    { epoch: e + 1, loss: v, schedule: r.name, split: 'training' },
    ...(r.valLoss[e] === undefined ? [] : [{ epoch: e + 1, loss: r.valLoss[e], schedule: r.name, split: 'validation' }]),
  ]));
  return {
    title: 'Loss per epoch', width: WIDTH, height: HEIGHT, data: { values: rows }, mark: { type: 'line', point: true },
    encoding: { x: { field: 'epoch', type: 'quantitative', axis: { tickMinStep: 1 } }, y: { field: 'loss', type: 'quantitative', scale: { type: 'log' }, title: lossTitle }, color: { field: 'schedule', type: 'nominal', title: null }, strokeDash: { field: 'split', type: 'nominal', title: null } },
  } as TopLevelSpec;
}

/** Validation and test accuracy per epoch of every schedule, with the target accuracy as a rule. */
export function scheduleAccuracySpec(runs: ScheduleCurves[], target?: number): TopLevelSpec {
  checkCurves('scheduleAccuracySpec', runs);
  const rows = runs.flatMap((r) => (r.testAccuracy ?? []).flatMap((v, e) => [
    { epoch: e + 1, accuracy: v, schedule: r.name, split: 'test' },
    ...(r.valAccuracy?.[e] === undefined ? [] : [{ epoch: e + 1, accuracy: r.valAccuracy[e], schedule: r.name, split: 'validation' }]),
  ]));
  const layers: object[] = [{ data: { values: rows }, mark: { type: 'line', point: true }, encoding: { x: { field: 'epoch', type: 'quantitative', axis: { tickMinStep: 1 } }, y: { field: 'accuracy', type: 'quantitative', scale: { zero: false }, axis: { format: '.1%' } }, color: { field: 'schedule', type: 'nominal', title: null }, strokeDash: { field: 'split', type: 'nominal', title: null } } }];
  if (target !== undefined) layers.push({ data: { values: [{ accuracy: target }] }, mark: { type: 'rule', color: '#888', strokeDash: [4, 3] }, encoding: { y: { field: 'accuracy', type: 'quantitative' } } });
  return { title: 'Accuracy per epoch', width: WIDTH, height: HEIGHT, layer: layers } as TopLevelSpec;
}

/** The lr profile of every schedule: per batch where recorded (at most 500 points each), else per epoch. */
export function scheduleLrSpec(runs: ScheduleCurves[]): TopLevelSpec {
  checkCurves('scheduleLrSpec', runs);
  const rows = runs.flatMap((r) => {
    if (r.batchLr === undefined || r.batchLr.length === 0) return r.lr.map((v, e) => ({ epoch: e, lr: v, schedule: r.name }));
    const per = r.batchLr.length / r.lr.length, stride = Math.max(1, Math.ceil(r.batchLr.length / 500));
    const out: { epoch: number; lr: number; schedule: string }[] = [];
    for (let i = 0; i < r.batchLr.length; i += stride) out.push({ epoch: i / per, lr: r.batchLr[i], schedule: r.name });
    return out;
  });
  return {
    title: 'Learning-rate profile', width: WIDTH, height: 200, data: { values: rows }, mark: { type: 'line', interpolate: 'step-after' },
    encoding: { x: { field: 'epoch', type: 'quantitative', title: 'epoch' }, y: { field: 'lr', type: 'quantitative', scale: { type: 'log' }, title: 'learning rate', axis: { format: '.0e' } }, color: { field: 'schedule', type: 'nominal', title: null } },
  } as TopLevelSpec;
}
