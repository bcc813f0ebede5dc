// Optuna's study plots as Vega-Lite specs, rendered to SVG by the report's charting (src/report/charts.ts).
import type { TopLevelSpec } from 'vega-lite';
import { renderSvg } from '../report/charts.js';
import type { Distribution, FrozenTrial, ParamValue, StudyDirection } from './types.js';
import { checkOptionsObject } from '../format/check.js';
import { getParamImportances, trialsOf, type ParamImportancesOptions, type TrialsSource } from './importance/index.js';
import { paretoFront } from './multi-objective/dominates.js';

/** What the plots read of a study: its direction (its directions, with several objectives) and its trials. */
export type PlottableStudy = TrialsSource & { readonly direction: StudyDirection; readonly directions?: readonly StudyDirection[]; readonly studyName?: string };

/** The study's directions: `directions`, or `[direction]` for a source that has only that. */
export function directionsOf(study: PlottableStudy): readonly StudyDirection[] {
  return Array.isArray(study.directions) && study.directions.length > 0 ? study.directions : [study.direction];
}

const WIDTH = 520, HEIGHT = 240;

const completeTrials = (study: PlottableStudy, fn: string): FrozenTrial[] => trialsOf(study, fn).filter((t) => t.state === 'complete' && Number.isFinite(t.value));

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
  const trials = completeTrials(study, 'plotOptimizationHistory');
  if (study.direction !== 'minimize' && study.direction !== 'maximize') throw new TypeError(`plotOptimizationHistory: expected a study with direction 'minimize' or 'maximize', got ${JSON.stringify(study.direction) ?? 'none'}`);
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
export function paramImportancesSpec(importances: Record<string, number>, title = 'Hyperparameter importances', target = 'the objective value'): TopLevelSpec {
  if (importances === null || typeof importances !== 'object' || Array.isArray(importances) || Object.values(importances).some((v) => typeof v !== 'number' || !Number.isFinite(v))) {
    throw new TypeError(`paramImportancesSpec: expected importances { name: finite number }, got ${importances === null || typeof importances !== 'object' ? String(importances) : JSON.stringify(importances)}`);
  }
  const rows = Object.entries(importances).map(([param, importance]) => ({ param, importance }));
  return {
    title, width: WIDTH, height: Math.max(60, 24 * rows.length), data: { values: rows },
    encoding: { y: { field: 'param', type: 'nominal', sort: rows.map((r) => r.param), title: null }, x: { field: 'importance', type: 'quantitative', title: `importance for ${target}` } },
    layer: [{ mark: 'bar' }, { mark: { type: 'text', align: 'left', dx: 3 }, encoding: { text: { field: 'importance', format: '.2f' } } }],
  } as TopLevelSpec;
}

/** One panel per parameter: the objective value of each complete trial against that parameter. */
export function sliceSpec(study: PlottableStudy, options: { params?: readonly string[] } = {}): TopLevelSpec {
  checkOptionsObject('plotSlice', options, ['params']);
  const trials = completeTrials(study, 'plotSlice');
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
  checkOptionsObject('plotContour', options, ['params']);
  const trials = completeTrials(study, 'plotContour');
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
  checkOptionsObject('plotParallelCoordinate', options, ['params']);
  const trials = completeTrials(study, 'plotParallelCoordinate');
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
  const rows = trialsOf(study, 'plotIntermediateValues').flatMap((t) => [...t.intermediateValues].filter(([, v]) => Number.isFinite(v)).map(([step, value]) => ({ trial: t.number, step, value, state: t.state })));
  return {
    title: 'Intermediate values', width: WIDTH, height: HEIGHT, data: { values: rows },
    mark: { type: 'line', point: { size: 10 }, opacity: 0.7 },
    encoding: { x: { field: 'step', type: 'quantitative' }, y: { field: 'value', type: 'quantitative', title: 'intermediate value', scale: { zero: false } }, detail: { field: 'trial', type: 'nominal' }, color: { field: 'state', type: 'nominal', title: 'trial state' } },
  } as TopLevelSpec;
}

/** Options of {@link paretoFrontSpec} and {@link plotParetoFront} (Optuna's plot_pareto_front keywords). */
export interface ParetoFrontOptions {
  /** The axis titles, one per objective. Default 'Objective 0', 'Objective 1', ... */
  targetNames?: readonly string[];
  /** Draw the dominated trials too. Default true. */
  includeDominatedTrials?: boolean;
  /**
   * A trial -> its constraint values (<= 0 satisfied): infeasible trials are drawn apart and the front is taken
   * among the feasible ones. Default: the values a constrained sampler stored in `systemAttrs.constraints`, if any.
   */
  constraintsFunc?: (trial: FrozenTrial) => readonly number[];
}

/** Whether a trial satisfies its constraints: `constraintsFunc`'s values, else the stored ones, all <= 0 (none: feasible). */
export function isFeasible(t: FrozenTrial, constraintsFunc?: (trial: FrozenTrial) => readonly number[]): boolean {
  const c = constraintsFunc ? constraintsFunc(t) : t.systemAttrs.constraints;
  return !Array.isArray(c) || c.every((v) => v <= 0);
}

/**
 * The complete trials with finite values, split as Optuna's plot_pareto_front splits them: the Pareto front of
 * the feasible ones (`best`), the other feasible ones, and the infeasible ones.
 */
export function paretoFrontTrials(study: PlottableStudy, constraintsFunc?: (trial: FrozenTrial) => readonly number[]): { best: FrozenTrial[]; dominated: FrozenTrial[]; infeasible: FrozenTrial[] } {
  const directions = directionsOf(study);
  const complete = trialsOf(study, 'plotParetoFront').filter((t) => t.state === 'complete' && t.values !== null && t.values.length === directions.length && t.values.every(Number.isFinite));
  const feasible = complete.filter((t) => isFeasible(t, constraintsFunc));
  const best = paretoFront(feasible, directions);
  const onFront = new Set(best.map((t) => t.number));
  return { best, dominated: feasible.filter((t) => !onFront.has(t.number)), infeasible: complete.filter((t) => !isFeasible(t, constraintsFunc)) };
}

/**
 * The Pareto-front plot of a study of 2 or 3 objectives, as Optuna's plot_pareto_front: every complete trial as a
 * point, the best (non-dominated, feasible) ones apart, infeasible ones in grey. Two objectives: one scatter plot.
 * Three: Vega-Lite draws no 3-D scatter, so the front is shown as the three pairs of objectives side by side
 * (objective 0 against 1, 0 against 2, 1 against 2), each point in the same colour in every pair.
 */
export function paretoFrontSpec(study: PlottableStudy, options: ParetoFrontOptions = {}): TopLevelSpec {
  const fn = 'plotParetoFront';
  trialsOf(study, fn); // a study (or its trials) before anything else is read of it
  checkOptionsObject(fn, options, ['targetNames', 'includeDominatedTrials', 'constraintsFunc']);
  const directions = directionsOf(study);
  const n = directions.length;
  if (n !== 2 && n !== 3) throw new RangeError(`${fn}: expected a study of 2 or 3 objectives, got ${n} (\`plot_pareto_front\` function only supports 2 or 3 objective studies)`);
  const names = options.targetNames ?? directions.map((_, i) => `Objective ${i}`);
  if (!Array.isArray(names) || names.length !== n || names.some((x) => typeof x !== 'string')) {
    throw new RangeError(`${fn}: expected targetNames to be ${n} strings (one per objective), got ${JSON.stringify(names)}`);
  }
  if (options.includeDominatedTrials !== undefined && typeof options.includeDominatedTrials !== 'boolean') {
    throw new TypeError(`${fn}: expected includeDominatedTrials to be true or false, got ${JSON.stringify(options.includeDominatedTrials)}`);
  }
  if (options.constraintsFunc !== undefined && typeof options.constraintsFunc !== 'function') {
    throw new TypeError(`${fn}: expected constraintsFunc to be a function (trial) => number[], got ${typeof options.constraintsFunc}`);
  }
  const { best, dominated, infeasible } = paretoFrontTrials(study, options.constraintsFunc);
  const row = (t: FrozenTrial, kind: string) => ({ trial: t.number, kind, ...Object.fromEntries((t.values as number[]).map((v, i) => [`v${i}`, v])) });
  const include = options.includeDominatedTrials ?? true;
  const rows = [...(include ? dominated.map((t) => row(t, 'Trial')) : []), ...(include ? infeasible.map((t) => row(t, 'Infeasible Trial')) : []), ...best.map((t) => row(t, 'Best Trial'))];
  const color = { field: 'kind', type: 'nominal', title: null, scale: { domain: ['Best Trial', 'Trial', 'Infeasible Trial'], range: ['#d62728', '#1f77b4', '#bbbbbb'] } };
  const panel = (i: number, j: number, width: number, height: number) => ({
    width, height,
    mark: { type: 'point', filled: true, size: 40 },
    encoding: {
      x: { field: `v${i}`, type: 'quantitative', title: `${names[i]} (${directions[i]})`, scale: { zero: false } },
      y: { field: `v${j}`, type: 'quantitative', title: `${names[j]} (${directions[j]})`, scale: { zero: false } },
      color, tooltip: [{ field: 'trial', type: 'quantitative' }, { field: `v${i}`, title: names[i] }, { field: `v${j}`, title: names[j] }],
    },
  });
  if (n === 2) return { title: 'Pareto-front Plot', data: { values: rows }, ...panel(0, 1, WIDTH, 320) } as TopLevelSpec;
  return { title: 'Pareto-front Plot (three objectives, by pairs)', data: { values: rows }, hconcat: [panel(0, 1, 220, 220), panel(0, 2, 220, 220), panel(1, 2, 220, 220)] } as TopLevelSpec;
}

/** Optuna's plot_pareto_front as an SVG string (2 objectives: a scatter; 3: the three pairs of objectives). */
export const plotParetoFront = (study: PlottableStudy, options: ParetoFrontOptions = {}): Promise<string> => renderSvg(paretoFrontSpec(study, options));

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
