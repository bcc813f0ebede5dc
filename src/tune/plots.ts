// Optuna's study plots as Vega-Lite specs, rendered to SVG by the report's charting (src/report/charts.ts).
import type { TopLevelSpec } from 'vega-lite';
import { renderSvg } from '../report/charts.js';
import type { Distribution, FrozenTrial, ParamValue, StudyDirection } from './types.js';
import { getParamImportances, trialsOf, type ParamImportancesOptions, type TrialsSource } from './importance/index.js';

/** What the plots read of a study: its direction and its trials. */
export type PlottableStudy = TrialsSource & { readonly direction: StudyDirection; readonly studyName?: string };

const WIDTH = 520, HEIGHT = 240;

const completeTrials = (study: PlottableStudy): FrozenTrial[] => trialsOf(study).filter((t) => t.state === 'complete' && Number.isFinite(t.value));

/** The parameters every complete trial has, sorted by name, with the distribution of the last trial that had them. */
function paramNames(trials: readonly FrozenTrial[]): string[] {
  if (trials.length === 0) return [];
  return Object.keys(trials[0].params).filter((n) => trials.every((t) => n in t.params)).sort();
}

// fields are fixed names ('x', 'a', ...), the parameter's name only a title: Vega reads dots in a field as nesting
function axisFor(name: string, d: Distribution | undefined): Record<string, unknown> {
  if (!d || d.type === 'categorical') return { field: 'x', type: 'nominal', title: name, axis: { labelAngle: 0 } };
  return { field: 'x', type: 'quantitative', title: name, ...(d.log ? { scale: { type: 'log' }, axis: { format: '.0e', grid: false } } : { scale: { zero: false } }) };
}

const display = (v: ParamValue): string | number => (typeof v === 'number' ? v : String(v));

/** The parameters to plot: the given ones, each checked against the study, or every shared one. */
function chooseParams(fn: string, trials: readonly FrozenTrial[], params: readonly string[] | undefined): string[] {
  if (params === undefined) return paramNames(trials);
  if (!Array.isArray(params) || params.some((p) => typeof p !== 'string')) throw new TypeError(`${fn}: expected params to be an array of parameter names, got ${JSON.stringify(params)}`);
  const known = new Set(trials.flatMap((t) => Object.keys(t.params)));
  const unknown = params.filter((p) => !known.has(p));
  if (unknown.length > 0) throw new RangeError(`${fn}: expected parameters of the study's complete trials (${[...known].sort().join(', ')}), got unknown '${unknown[0]}'`);
  return [...params];
}

/** Each complete trial's value by trial number, with the best value so far as a step line. */
export function optimizationHistorySpec(study: PlottableStudy): TopLevelSpec {
  const trials = completeTrials(study);
  let best = NaN;
  const rows = trials.map((t) => {
    const v = t.value as number;
    best = Number.isNaN(best) || (study.direction === 'minimize' ? v < best : v > best) ? v : best;
    return { trial: t.number, value: v, best };
  });
  return {
    title: 'Optimization history', width: WIDTH, height: HEIGHT, data: { values: rows },
    layer: [
      { mark: { type: 'point', filled: true }, encoding: { x: { field: 'trial', type: 'quantitative', title: 'trial' }, y: { field: 'value', type: 'quantitative', title: 'objective value', scale: { zero: false } }, color: { datum: 'objective value', type: 'nominal', title: null } } },
      { mark: { type: 'line', interpolate: 'step-after' }, encoding: { x: { field: 'trial', type: 'quantitative' }, y: { field: 'best', type: 'quantitative' }, color: { datum: 'best value', type: 'nominal', title: null } } },
    ],
  } as TopLevelSpec;
}

/** The parameter importances as horizontal bars, most important on top. */
export function paramImportancesSpec(importances: Record<string, number>): TopLevelSpec {
  const rows = Object.entries(importances).map(([param, importance]) => ({ param, importance }));
  return {
    title: 'Hyperparameter importances', width: WIDTH, height: Math.max(60, 24 * rows.length), data: { values: rows },
    encoding: { y: { field: 'param', type: 'nominal', sort: rows.map((r) => r.param), title: null }, x: { field: 'importance', type: 'quantitative', title: 'importance for the objective value' } },
    layer: [{ mark: 'bar' }, { mark: { type: 'text', align: 'left', dx: 3 }, encoding: { text: { field: 'importance', format: '.2f' } } }],
  } as TopLevelSpec;
}

/** One panel per parameter: the objective value of each complete trial against that parameter. */
export function sliceSpec(study: PlottableStudy, options: { params?: readonly string[] } = {}): TopLevelSpec {
  const trials = completeTrials(study);
  const names = chooseParams('plotSlice', trials, options.params);
  const last = trials[trials.length - 1];
  return {
    title: 'Slice plot', columns: 3,
    concat: names.map((name) => ({
      width: 200, height: 160,
      data: { values: trials.filter((t) => name in t.params).map((t) => ({ x: display(t.params[name]), value: t.value, trial: t.number })) },
      mark: { type: 'point', filled: true },
      encoding: { x: axisFor(name, last?.distributions[name]), y: { field: 'value', type: 'quantitative', title: 'objective value', scale: { zero: false } }, color: { field: 'trial', type: 'quantitative', title: 'trial' } },
    })),
  } as TopLevelSpec;
}

/**
 * Pairs of parameters: for each pair, the trials' mean objective value on a grid of bins (Vega-Lite has no
 * interpolated contour, so the surface is drawn as a binned heat map) with the trials as points.
 */
export function contourSpec(study: PlottableStudy, options: { params?: readonly string[] } = {}): TopLevelSpec {
  const trials = completeTrials(study);
  const last = trials[trials.length - 1];
  const names = options.params === undefined
    ? paramNames(trials).filter((n) => last?.distributions[n]?.type !== 'categorical').slice(0, 4)
    : chooseParams('plotContour', trials, options.params);
  // one axis: binned on the scale the parameter is searched on (log10 for log parameters), or one band per choice
  const axis = (name: string, field: 'a' | 'b') => {
    const d = last?.distributions[name];
    if (d?.type === 'categorical') return { bin: null, enc: { field, type: 'nominal', title: name, axis: { labelAngle: 0 } } };
    const log = d?.log === true;
    return { bin: log, enc: { field, bin: { maxbins: 12 }, type: 'quantitative', title: log ? `log10 ${name}` : name } };
  };
  const panels = [];
  for (let i = 0; i < names.length; i++) {
    for (let j = i + 1; j < names.length; j++) {
      const [a, b] = [names[i], names[j]];
      const xa = axis(a, 'a'), xb = axis(b, 'b');
      const at = (t: FrozenTrial, name: string, log: boolean | null) => (log ? Math.log10(t.params[name] as number) : display(t.params[name]));
      const rows = trials.filter((t) => a in t.params && b in t.params).map((t) => ({ a: at(t, a, xa.bin), b: at(t, b, xb.bin), value: t.value }));
      const point = (enc: Record<string, unknown>) => ({ field: enc.field, type: enc.type });
      panels.push({
        width: 220, height: 200, data: { values: rows },
        layer: [
          { mark: 'rect', encoding: { x: xa.enc, y: xb.enc, color: { aggregate: 'mean', field: 'value', type: 'quantitative', title: 'objective value', scale: { scheme: 'viridis', reverse: study.direction === 'maximize' } } } },
          { mark: { type: 'point', color: 'black', size: 12, filled: true }, encoding: { x: point(xa.enc), y: point(xb.enc) } },
        ],
      });
    }
  }
  return { title: 'Contour plot (binned)', columns: 3, concat: panels } as TopLevelSpec;
}

/**
 * Parallel coordinates: one line per complete trial through one axis per parameter (each scaled to its range,
 * log parameters in log scale, categoricals by choice index) and the objective value, coloured by the value.
 */
export function parallelCoordinateSpec(study: PlottableStudy, options: { params?: readonly string[] } = {}): TopLevelSpec {
  const trials = completeTrials(study);
  const last = trials[trials.length - 1];
  const names = chooseParams('plotParallelCoordinate', trials, options.params);
  const axes = ['objective value', ...names];
  const position = (name: string, t: FrozenTrial): number => {
    if (name === 'objective value') return t.value as number;
    const d = last.distributions[name], v = t.params[name];
    if (d.type === 'categorical') return d.choices.indexOf(v);
    return d.log ? Math.log10(v as number) : (v as number);
  };
  const rows = trials.filter((t) => names.every((n) => n in t.params)).flatMap((t) => axes.map((axis) => ({ trial: t.number, axis, raw: position(axis, t), value: t.value })));
  return {
    title: 'Parallel coordinates', width: Math.max(WIDTH, 110 * axes.length), height: HEIGHT, data: { values: rows },
    transform: [
      { joinaggregate: [{ op: 'min', field: 'raw', as: 'lo' }, { op: 'max', field: 'raw', as: 'hi' }], groupby: ['axis'] },
      { calculate: 'datum.hi > datum.lo ? (datum.raw - datum.lo) / (datum.hi - datum.lo) : 0.5', as: 'position' },
    ],
    encoding: { x: { field: 'axis', type: 'nominal', sort: axes, title: null, axis: { labelAngle: 0 } } },
    layer: [
      { mark: { type: 'line', opacity: 0.6 }, encoding: { y: { field: 'position', type: 'quantitative', axis: null }, detail: { field: 'trial', type: 'nominal' }, color: { field: 'value', type: 'quantitative', title: 'objective value', scale: { scheme: 'viridis', reverse: study.direction === 'maximize' } } } },
      { mark: { type: 'rule', color: '#999' } },
    ],
  } as TopLevelSpec;
}

/** Every trial's reported intermediate values by step, one line per trial, coloured by how the trial ended. */
export function intermediateValuesSpec(study: PlottableStudy): TopLevelSpec {
  const rows = trialsOf(study).flatMap((t) => [...t.intermediateValues].filter(([, v]) => Number.isFinite(v)).map(([step, value]) => ({ trial: t.number, step, value, state: t.state })));
  return {
    title: 'Intermediate values', width: WIDTH, height: HEIGHT, data: { values: rows },
    mark: { type: 'line', point: { size: 10 }, opacity: 0.7 },
    encoding: { x: { field: 'step', type: 'quantitative' }, y: { field: 'value', type: 'quantitative', title: 'intermediate value', scale: { zero: false } }, detail: { field: 'trial', type: 'nominal' }, color: { field: 'state', type: 'nominal', title: 'trial state' } },
  } as TopLevelSpec;
}

/** Optuna's plot_optimization_history as an SVG string. */
export const plotOptimizationHistory = (study: PlottableStudy): Promise<string> => renderSvg(optimizationHistorySpec(study));
/** Optuna's plot_param_importances as an SVG string (fANOVA unless another evaluator is given). */
export const plotParamImportances = (study: PlottableStudy, options: ParamImportancesOptions = {}): Promise<string> => renderSvg(paramImportancesSpec(getParamImportances(study, options)));
/** Optuna's plot_slice as an SVG string. */
export const plotSlice = (study: PlottableStudy, options: { params?: readonly string[] } = {}): Promise<string> => renderSvg(sliceSpec(study, options));
/** Optuna's plot_contour as an SVG string (a binned heat map per pair of numeric parameters, at most four). */
export const plotContour = (study: PlottableStudy, options: { params?: readonly string[] } = {}): Promise<string> => renderSvg(contourSpec(study, options));
/** Optuna's plot_parallel_coordinate as an SVG string. */
export const plotParallelCoordinate = (study: PlottableStudy, options: { params?: readonly string[] } = {}): Promise<string> => renderSvg(parallelCoordinateSpec(study, options));
/** Optuna's plot_intermediate_values as an SVG string. */
export const plotIntermediateValues = (study: PlottableStudy): Promise<string> => renderSvg(intermediateValuesSpec(study));
