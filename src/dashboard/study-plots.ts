// A study's panels as Vega-Lite specs, drawn by the tuner's own plot functions (src/tune/plots.ts), each either a
// spec or the reason it is not drawn yet (no complete trial, one parameter, ...). A study of several objectives is
// plotted one objective at a time (`objective`), as Optuna's plots take a `target`; the Pareto panel shows them all.
import type { TopLevelSpec } from 'vega-lite';
import {
  contourSpec, intermediateValuesSpec, optimizationHistorySpec, parallelCoordinateSpec, paramImportancesSpec, paretoFrontSpec, sliceSpec, type PlottableStudy,
} from '../tune/plots.js';
import { getParamImportances } from '../tune/importance/index.js';
import type { FrozenTrial, StudyDirection } from '../tune/types.js';
import { valuesOf } from './data.js';

/** The panels a study has. */
export const STUDY_PLOTS = ['history', 'intermediate', 'importances', 'slice', 'contour', 'parallel', 'pareto'] as const;
export type StudyPlot = (typeof STUDY_PLOTS)[number];

/** A panel's chart, or why there is none. */
export type PlotResult = { spec: TopLevelSpec } | { reason: string };

/** The study as plots.ts reads it, with objective `k` as every trial's value. */
function forObjective(trials: readonly FrozenTrial[], directions: readonly StudyDirection[], k: number, studyName: string): PlottableStudy & { trials: readonly FrozenTrial[] } {
  if (directions.length === 1) return { trials, direction: directions[0], studyName };
  const view = trials.map((t) => ({ ...t, value: t.state === 'complete' ? (valuesOf(t)?.[k] ?? null) : null }));
  return { trials: view, direction: directions[k], studyName };
}

/** One panel of a study: its spec from the tuner's plot functions, or the reason it cannot be drawn. */
export function studyPlot(kind: StudyPlot, trials: readonly FrozenTrial[], directions: readonly StudyDirection[], objective: number, studyName: string): PlotResult {
  if (!Number.isSafeInteger(objective) || objective < 0 || objective >= directions.length) {
    return { reason: `the study has ${directions.length} objective(s): expected objective 0 to ${directions.length - 1}, got ${objective}` };
  }
  const study = forObjective(trials, directions, objective, studyName);
  const complete = study.trials.filter((t) => t.state === 'complete' && Number.isFinite(t.value));
  const params = new Set(complete.flatMap((t) => Object.keys(t.params)));
  switch (kind) {
    case 'pareto':
      if (directions.length < 2) return { reason: 'the study has one objective: a Pareto front needs two or more' };
      if (directions.length > 3) return { reason: `the study has ${directions.length} objectives: a Pareto front is drawn for 2 or 3 (as Optuna's plot_pareto_front)` };
      if (!trials.some((t) => t.state === 'complete')) return { reason: 'no trial has completed yet' };
      return { spec: paretoFrontSpec({ trials, direction: directions[0], directions, studyName }) };
    case 'intermediate':
      if (!trials.some((t) => t.intermediateValues.size > 0)) return { reason: 'no trial has reported an intermediate value (trial.report)' };
      return { spec: intermediateValuesSpec(study) };
    default:
      break;
  }
  if (complete.length === 0) return { reason: 'no trial has completed yet' };
  switch (kind) {
    case 'history':
      return { spec: optimizationHistorySpec(study) };
    case 'importances': {
      let importances: Record<string, number>;
      try {
        importances = getParamImportances(study, { seed: 0 });
      } catch (error) {
        return { reason: (error as Error).message.replace(/^getParamImportances: /, '') };
      }
      if (Object.keys(importances).length === 0) return { reason: 'no parameter is shared by every complete trial' };
      // the count says which trials it is from: the server reuses it a while in a study that grows (see server.ts)
      return { spec: { ...paramImportancesSpec(importances), title: `Hyperparameter importances (fANOVA over ${complete.length} complete trials)` } as TopLevelSpec };
    }
    case 'slice':
      if (params.size === 0) return { reason: 'the trials have no parameters' };
      return { spec: sliceSpec(study) };
    case 'contour': {
      const spec = contourSpec(study) as { concat: unknown[] };
      if (complete.length < 2 || spec.concat.length === 0) return { reason: 'a contour needs two numeric parameters and two complete trials' };
      return { spec: spec as TopLevelSpec };
    }
    case 'parallel':
      if (params.size === 0) return { reason: 'the trials have no parameters' };
      return { spec: parallelCoordinateSpec(study) };
  }
  return { reason: `unknown panel '${kind}'` };
}
