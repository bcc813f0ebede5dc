import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { savgolFilter } from '../lrfind/savgol.js';
import { gradient } from '../lrfind/gradient.js';
import type { PipelineResult, RunSummary } from '../lrfind/pipeline.js';

/** Renders a Vega-Lite spec to an SVG string with Vega's headless renderer. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
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

/** Loss against lr from the range test: raw and smoothed, with the suggested lr marked. */
export function lrVsLossSpec(r: PipelineResult): TopLevelSpec {
  const rows = r.rangeTest.lrs.flatMap((lr, i) => [
    { lr, loss: r.rangeTest.losses[i], series: 'raw loss' },
    { lr, loss: r.rangeTest.smoothedLosses[i], series: 'smoothed (EMA)' },
  ]);
  return {
    title: 'Range test: loss against learning rate', width: WIDTH, height: HEIGHT,
    layer: [
      { data: { values: rows }, mark: { type: 'line' }, encoding: { x: logLr, y: { field: 'loss', type: 'quantitative', title: 'training loss (standardized)' }, color: { field: 'series', type: 'nominal', title: null } } },
      { data: { values: [{ lr: r.suggestion.lr, label: `suggested ${r.suggestion.lr.toExponential(2)}` }] }, mark: { type: 'rule', color: '#d62728', strokeDash: [4, 3] }, encoding: { x: { field: 'lr', type: 'quantitative' } } },
      { data: { values: [{ lr: r.suggestion.lr, label: `suggested ${r.suggestion.lr.toExponential(2)}` }] }, mark: { type: 'text', align: 'left', dx: 4, dy: -110, color: '#d62728' }, encoding: { x: { field: 'lr', type: 'quantitative' }, text: { field: 'label' } } },
    ],
  } as TopLevelSpec;
}

/** Seed 000's discovery plot: raw and Savitzky-Golay-smoothed loss, and the negative gradient whose peak is chosen. */
export function discoverySpec(r: PipelineResult): TopLevelSpec {
  const { lrs, losses } = r.rangeTest;
  const w = Math.min(11, losses.length % 2 ? losses.length : losses.length - 1);
  const smooth = savgolFilter(losses, w, Math.min(2, w - 1));
  const slope = gradient(smooth);
  const top = lrs.flatMap((lr, i) => [{ lr, value: losses[i], series: 'raw loss' }, { lr, value: smooth[i], series: 'Savitzky-Golay (11, 2)' }]);
  const bottom = lrs.map((lr, i) => ({ lr, value: -slope[i] }));
  const pick = [{ lr: r.suggestion.suggestions.steepest.lr }];
  return {
    title: 'Discovery: steepest descent of the smoothed loss',
    vconcat: [
      { width: WIDTH, height: 200, layer: [
        { data: { values: top }, mark: 'line', encoding: { x: logLr, y: { field: 'value', type: 'quantitative', title: 'loss' }, color: { field: 'series', type: 'nominal', title: null } } },
        { data: { values: pick }, mark: { type: 'rule', color: '#d62728' }, encoding: { x: { field: 'lr', type: 'quantitative' } } },
      ] },
      { width: WIDTH, height: 140, layer: [
        { data: { values: bottom }, mark: { type: 'line', color: '#2ca02c' }, encoding: { x: logLr, y: { field: 'value', type: 'quantitative', title: '-gradient' } } },
        { data: { values: pick }, mark: { type: 'rule', color: '#d62728' }, encoding: { x: { field: 'lr', type: 'quantitative' } } },
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

/** Training dynamics: batch loss and lr over the batches of both runs, with each run's classification. */
export function dynamicsSpec(r: PipelineResult): TopLevelSpec {
  const label = (s: RunSummary) => `${s.name} (lr ${s.lr.toExponential(1)}, ${s.analysis.classification})`;
  const loss = runs(r).flatMap((s) => s.dynamics.batchLoss.map((v, i) => ({ batch: i, value: v, run: label(s) })));
  const lr = runs(r).flatMap((s) => s.dynamics.lr.map((v, i) => ({ batch: i, value: v, run: label(s) })));
  return {
    title: 'Training dynamics: batch loss and learning rate',
    vconcat: [
      { width: WIDTH, height: 200, data: { values: loss }, mark: { type: 'line', strokeWidth: 0.7, opacity: 0.8 }, encoding: { x: { field: 'batch', type: 'quantitative' }, y: { field: 'value', type: 'quantitative', scale: { type: 'log' }, title: 'batch MSE' }, color: { field: 'run', type: 'nominal', title: null } } },
      { width: WIDTH, height: 100, data: { values: lr }, mark: 'line', encoding: { x: { field: 'batch', type: 'quantitative' }, y: { field: 'value', type: 'quantitative', title: 'lr', axis: { format: '.0e' } }, color: { field: 'run', type: 'nominal', title: null } } },
    ],
  } as TopLevelSpec;
}

/** Before and after: training and validation MSE per epoch of the baseline and the found lr. */
export function beforeAfterSpec(r: PipelineResult): TopLevelSpec {
  const rows = runs(r).flatMap((s) => s.history.loss.flatMap((v, e) => [
    { epoch: e + 1, mse: v, run: `${s.name} (lr ${s.lr.toExponential(1)})`, split: 'training' },
    { epoch: e + 1, mse: s.history.valLoss[e], run: `${s.name} (lr ${s.lr.toExponential(1)})`, split: 'validation' },
  ]));
  return {
    title: 'Before and after: MSE per epoch', width: WIDTH, height: HEIGHT, data: { values: rows }, mark: 'line',
    encoding: { x: { field: 'epoch', type: 'quantitative' }, y: { field: 'mse', type: 'quantitative', scale: { type: 'log' }, title: 'MSE' }, color: { field: 'run', type: 'nominal', title: null }, strokeDash: { field: 'split', type: 'nominal', title: null } },
  } as TopLevelSpec;
}

/** Training speed: wall-clock time and epochs to convergence of each run. */
export function speedSpec(r: PipelineResult): TopLevelSpec {
  const rows = runs(r).map((s) => ({ run: `${s.name} (lr ${s.lr.toExponential(1)})`, seconds: s.trainingTimeMs / 1000, epochs: s.analysis.convergenceEpoch ?? s.epochsRun }));
  const bar = (field: string, title: string) => ({ width: 260, height: 120, mark: 'bar', encoding: { y: { field: 'run', type: 'nominal', title: null }, x: { field, type: 'quantitative', title }, color: { field: 'run', type: 'nominal', legend: null } } });
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

/** Training and validation loss per epoch of every schedule (solid: training, dashed: validation). */
export function scheduleLossSpec(runs: ScheduleCurves[], lossTitle = 'loss'): TopLevelSpec {
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
