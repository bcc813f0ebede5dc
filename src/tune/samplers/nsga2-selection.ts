// NSGA-II's survival step: which trials of a parent population and its children make the next population. Rank by
// (constrained) non-dominated sorting, fill with whole fronts, and cut the last front by crowding distance.
// Optuna 3.1's samplers/nsgaii/_sampler.py (_select_elite_population, _calc_crowding_distance,
// _constrained_dominates).
import type { FrozenTrial, StudyDirection } from '../types.js';
import { dominatesUnchecked, nonDominatedFronts } from '../multi-objective/dominates.js';

/** The system attribute a sampler's constraintsFunc writes (Optuna's `_CONSTRAINTS_KEY`). */
export const CONSTRAINTS_KEY = 'constraints';

/** What selection reads of a trial. */
export type Individual = Pick<FrozenTrial, 'number' | 'state' | 'values' | 'systemAttrs'>;

/** A dominance relation between two trials of a study with these directions. */
export type TrialDominates = (a: Individual, b: Individual, directions: readonly StudyDirection[]) => boolean;

function valuesOf(fn: string, t: Individual, directions: readonly StudyDirection[]): readonly number[] {
  if (t.values === null) throw new TypeError(`${fn}: expected values on trial ${t.number}, got null`);
  if (t.values.length !== directions.length) {
    throw new RangeError(`${fn}: expected ${directions.length} values (one per direction) on trial ${t.number}, got ${t.values.length}`);
  }
  return t.values;
}

/**
 * Pareto dominance between trials: a trial that is not complete dominates nothing, and is dominated by a complete
 * one. Matches optuna.study._multi_objective._dominates.
 */
export function trialDominates(a: Individual, b: Individual, directions: readonly StudyDirection[]): boolean {
  if (a.state !== 'complete') return false;
  if (b.state !== 'complete') return true;
  return dominatesUnchecked(valuesOf('trialDominates', a, directions), valuesOf('trialDominates', b, directions), directions);
}

function constraintsOf(t: Individual): readonly number[] | null {
  const c = t.systemAttrs[CONSTRAINTS_KEY];
  return c === undefined || c === null ? null : (c as readonly number[]);
}

/**
 * Constrained domination (Deb et al., 2002): a feasible trial (every constraint <= 0) dominates an infeasible one,
 * of two infeasible trials the one with the smaller total violation (sum of the positive constraints) dominates,
 * of two feasible ones Pareto dominance decides. A trial without constraint values is dominated by one with them.
 * Matches optuna.samplers.nsgaii._sampler._constrained_dominates (without its warning for a missing value).
 */
export function constrainedDominates(a: Individual, b: Individual, directions: readonly StudyDirection[]): boolean {
  const ca = constraintsOf(a);
  const cb = constraintsOf(b);
  if (ca === null && cb === null) return trialDominates(a, b, directions);
  if (cb === null) return true;
  if (ca === null) return false;
  if (ca.length !== cb.length) {
    throw new RangeError(`constrainedDominates: expected the same number of constraints on trials ${a.number} and ${b.number}, got ${ca.length} and ${cb.length}`);
  }
  if (a.state !== 'complete') return false;
  if (b.state !== 'complete') return true;
  const feasibleA = ca.every((v) => v <= 0);
  const feasibleB = cb.every((v) => v <= 0);
  if (feasibleA && feasibleB) return trialDominates(a, b, directions);
  if (feasibleA) return true;
  if (feasibleB) return false;
  const violation = (c: readonly number[]) => c.reduce((s, v) => (v > 0 ? s + v : s), 0);
  return violation(ca) < violation(cb);
}

/**
 * The crowding distance of each trial (by number): over each objective, the gap between its two neighbours in
 * that objective's order, divided by the range of the finite values (the ends get the gap to -inf / inf, so inf;
 * inf - inf counts 0; an objective with equal ends adds nothing). Sorts `population` in place by each objective
 * in turn, as Optuna's does, since that order decides ties later. Matches _calc_crowding_distance.
 */
export function crowdingDistances<T extends Individual>(population: T[]): Map<number, number> {
  const distances = new Map<number, number>(population.map((t) => [t.number, 0]));
  if (population.length === 0) return distances;
  const m = (population[0].values as readonly number[]).length;
  for (let i = 0; i < m; i++) {
    const v = (t: T) => (t.values as readonly number[])[i];
    population.sort((p, q) => (v(p) < v(q) ? -1 : v(p) > v(q) ? 1 : 0));
    if (v(population[0]) === v(population[population.length - 1])) continue;
    const vs = [-Infinity, ...population.map(v), Infinity];
    const vMin = vs.find((x) => x !== -Infinity) as number;
    let vMax = vs[vs.length - 1];
    for (let k = vs.length - 1; k >= 0 && vMax === Infinity; k--) vMax = vs[k];
    let width = vMax - vMin;
    if (!(width > 0)) width = 1; // all infinite but one, or an infinite range
    for (let j = 0; j < population.length; j++) {
      const gap = vs[j] === vs[j + 2] ? 0 : vs[j + 2] - vs[j];
      distances.set(population[j].number, (distances.get(population[j].number) as number) + gap / width);
    }
  }
  return distances;
}

/** Sorts `population` in place, most isolated first (largest crowding distance). Matches _crowding_distance_sort. */
export function crowdingDistanceSort<T extends Individual>(population: T[]): void {
  const d = crowdingDistances(population);
  const key = (t: T) => d.get(t.number) as number;
  population.sort((p, q) => (key(p) < key(q) ? -1 : key(p) > key(q) ? 1 : 0));
  population.reverse();
}

/**
 * The next population: whole non-dominated fronts, best first, while they fit in `populationSize`, then the most
 * isolated trials of the front that does not fit. Matches NSGAIISampler._select_elite_population.
 */
export function selectElitePopulation<T extends Individual>(population: readonly T[], populationSize: number, directions: readonly StudyDirection[], dom: TrialDominates): T[] {
  const fronts = nonDominatedFronts(population.length, (i, j) => dom(population[i], population[j], directions));
  const elite: T[] = [];
  for (const front of fronts) {
    const members = front.map((i) => population[i]);
    if (elite.length + members.length < populationSize) {
      elite.push(...members);
      continue;
    }
    crowdingDistanceSort(members);
    elite.push(...members.slice(0, populationSize - elite.length));
    break;
  }
  return elite;
}
