// Pareto dominance between objective vectors and what is built on it: the Pareto front of a study's trials and the
// non-dominated ranks of fast non-dominated sorting. Optuna 3.1's study/_multi_objective.py and the sort of
// samplers/nsgaii/_sampler.py.
import type { FrozenTrial, StudyDirection } from '../types.js';

function checkDirections(fn: string, directions: readonly StudyDirection[]): void {
  if (!Array.isArray(directions) || directions.length === 0 || directions.some((d) => d !== 'minimize' && d !== 'maximize')) {
    throw new TypeError(`${fn}: expected directions, a non-empty array of 'minimize' | 'maximize', got ${JSON.stringify(directions)}`);
  }
}

function checkValues(fn: string, what: string, v: readonly number[], n: number): void {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'number')) throw new TypeError(`${fn}: expected ${what} to be an array of numbers, got ${JSON.stringify(v)}`);
  if (v.length !== n) throw new RangeError(`${fn}: expected ${what} to hold ${n} values (one per direction), got ${v.length}`);
}

/** A value as a loss: maximized objectives negated, so that smaller is better in every coordinate. */
function loss(v: number, d: StudyDirection): number {
  return d === 'maximize' ? -v : v;
}

/**
 * Whether `a` Pareto-dominates `b`: no worse in every objective, and not equal to it in all of them (so an
 * equal pair dominates neither way). Matches optuna.study._multi_objective._dominates on two complete trials.
 */
export function dominates(a: readonly number[], b: readonly number[], directions: readonly StudyDirection[]): boolean {
  checkDirections('dominates', directions);
  checkValues('dominates', 'a', a, directions.length);
  checkValues('dominates', 'b', b, directions.length);
  return dominatesUnchecked(a, b, directions);
}

/** {@link dominates} without the argument checks, for the inner loops of sorting. */
export function dominatesUnchecked(a: readonly number[], b: readonly number[], directions: readonly StudyDirection[]): boolean {
  let equal = true;
  for (let i = 0; i < directions.length; i++) {
    const x = loss(a[i], directions[i]);
    const y = loss(b[i], directions[i]);
    if (x !== y) equal = false;
    if (!(x <= y)) return false;
  }
  return !equal;
}

/**
 * The complete trials that no other complete trial dominates (a study's `bestTrials`), in trial-number order;
 * trials with equal values are all kept. Matches optuna.study._multi_objective._get_pareto_front_trials_by_trials
 * (its 2-objective sort-and-scan when there are two directions, the pairwise check otherwise).
 */
export function paretoFront(trials: readonly FrozenTrial[], directions: readonly StudyDirection[]): FrozenTrial[] {
  checkDirections('paretoFront', directions);
  const complete = trials.filter((t) => t.state === 'complete');
  for (const t of complete) {
    if (t.values === null) throw new TypeError(`paretoFront: expected values on complete trial ${t.number}, got null`);
    checkValues('paretoFront', `the values of trial ${t.number}`, t.values, directions.length);
  }
  const vals = (t: FrozenTrial) => t.values as readonly number[];
  if (directions.length === 2) {
    if (complete.length === 0) return [];
    const sorted = [...complete].sort((p, q) => {
      const d0 = loss(vals(p)[0], directions[0]) - loss(vals(q)[0], directions[0]);
      if (d0 !== 0 && !Number.isNaN(d0)) return d0;
      const d1 = loss(vals(p)[1], directions[1]) - loss(vals(q)[1], directions[1]);
      return Number.isNaN(d1) ? 0 : d1;
    });
    let last = sorted[0];
    const front = [last];
    for (let i = 1; i < sorted.length; i++) {
      if (dominatesUnchecked(vals(last), vals(sorted[i]), directions)) continue;
      front.push(sorted[i]);
      last = sorted[i];
    }
    return front.sort((p, q) => p.number - q.number);
  }
  return complete.filter((t) => !complete.some((o) => dominatesUnchecked(vals(o), vals(t), directions)));
}

/**
 * Fast non-dominated sorting (Deb et al., 2002) of n individuals under any dominance relation `dom(i, j)`: the
 * fronts, best first, each a list of indices in the order Optuna's NSGAIISampler._fast_non_dominated_sort builds
 * them (it swaps a taken individual with the last one), which decides ties in the crowding-distance sort after it.
 */
export function nonDominatedFronts(n: number, dom: (i: number, j: number) => boolean): number[][] {
  const dominatedCount = new Array<number>(n).fill(0);
  const dominatesList: number[][] = Array.from({ length: n }, () => []);
  for (let p = 0; p < n; p++) {
    for (let q = p + 1; q < n; q++) {
      if (dom(p, q)) {
        dominatesList[p].push(q);
        dominatedCount[q]++;
      } else if (dom(q, p)) {
        dominatesList[q].push(p);
        dominatedCount[p]++;
      }
    }
  }
  const population = Array.from({ length: n }, (_, i) => i);
  const fronts: number[][] = [];
  while (population.length > 0) {
    const front: number[] = [];
    let i = 0;
    while (i < population.length) {
      if (dominatedCount[population[i]] === 0) {
        const individual = population[i];
        if (i === population.length - 1) population.pop();
        else population[i] = population.pop() as number;
        front.push(individual);
      } else i++;
    }
    // a cycle in `dom` would leave every remaining individual dominated: a relation that is not a strict order
    if (front.length === 0) throw new RangeError('nonDominatedFronts: expected an acyclic dominance relation, got a cycle');
    for (const x of front) for (const y of dominatesList[x]) dominatedCount[y]--;
    fronts.push(front);
  }
  return fronts;
}

/**
 * The non-dominated rank of each point: 0 for the Pareto front, 1 for the front of what remains, and so on.
 * Matches the ranks of Optuna's NSGAIISampler._fast_non_dominated_sort (and TPE's _calculate_nondomination_rank).
 */
export function nonDominatedRanks(values: readonly (readonly number[])[], directions: readonly StudyDirection[]): number[] {
  checkDirections('nonDominatedRanks', directions);
  if (!Array.isArray(values)) throw new TypeError(`nonDominatedRanks: expected values, an array of points, got ${String(values)}`);
  values.forEach((v, i) => checkValues('nonDominatedRanks', `values[${i}]`, v, directions.length));
  const ranks = new Array<number>(values.length).fill(0);
  nonDominatedFronts(values.length, (i, j) => dominatesUnchecked(values[i], values[j], directions)).forEach((front, r) => {
    for (const i of front) ranks[i] = r;
  });
  return ranks;
}
