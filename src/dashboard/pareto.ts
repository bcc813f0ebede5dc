// The Pareto front of a study of several objectives as the dashboard draws it (after Optuna's plot_pareto_front):
// every complete trial with finite values as a point in objective space, the front (the tuner's own paretoFront)
// in its own colour, a tooltip per trial.
import type { TopLevelSpec } from 'vega-lite';
import { paretoFront } from '../tune/multi-objective/dominates.js';
import type { FrozenTrial, StudyDirection } from '../tune/types.js';
import { valuesOf } from './data.js';

/**
 * The complete trials in objective space, the Pareto front in its own colour: one chart for two objectives, a
 * chart per pair of objectives for more. `names` labels the objectives (default "objective 0", ...).
 */
export function paretoFrontSpec(trials: readonly FrozenTrial[], directions: readonly StudyDirection[], names?: readonly string[]): TopLevelSpec {
  if (!Array.isArray(directions) || directions.length < 2) throw new RangeError(`paretoFrontSpec: expected a study of 2 or more objectives, got ${Array.isArray(directions) ? directions.length : typeof directions}`);
  const drawn = trials.filter((t) => t.state === 'complete' && valuesOf(t)?.length === directions.length && valuesOf(t)!.every(Number.isFinite));
  const front = new Set(paretoFront(drawn, directions));
  const label = (k: number) => `${names?.[k] ?? `objective ${k}`} (${directions[k]})`;
  const rows = drawn.map((t) => {
    const row: Record<string, unknown> = { trial: t.number, kind: front.has(t) ? 'Pareto front' : 'dominated' };
    valuesOf(t)!.forEach((v, k) => (row[`v${k}`] = v));
    return row;
  });
  const panel = (i: number, j: number) => ({
    width: directions.length === 2 ? 420 : 240, height: directions.length === 2 ? 300 : 200,
    mark: { type: 'point', filled: true, size: 50 },
    encoding: {
      x: { field: `v${i}`, type: 'quantitative', title: label(i), scale: { zero: false } },
      y: { field: `v${j}`, type: 'quantitative', title: label(j), scale: { zero: false } },
      color: { field: 'kind', type: 'nominal', title: null, scale: { domain: ['Pareto front', 'dominated'], range: ['#d62728', '#9ecae1'] } },
      order: { field: 'kind', sort: 'descending' },
      tooltip: [{ field: 'trial', type: 'quantitative' }, ...directions.map((_, k) => ({ field: `v${k}`, type: 'quantitative', title: label(k) }))],
    },
  });
  const pairs: [number, number][] = [];
  for (let i = 0; i < directions.length; i++) for (let j = i + 1; j < directions.length; j++) pairs.push([i, j]);
  const title = `Pareto front: ${front.size} of ${rows.length} complete trials`;
  if (pairs.length === 1) return { title, data: { values: rows }, ...panel(0, 1) } as TopLevelSpec;
  return { title, data: { values: rows }, columns: 3, concat: pairs.map(([i, j]) => panel(i, j)) } as TopLevelSpec;
}
