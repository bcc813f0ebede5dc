// The hypervolume a set of points dominates up to a reference point (all objectives minimized), its exact WFG
// computation, and the greedy hypervolume subset selection that multi-objective TPE uses. Optuna 3.1's
// _hypervolume/ (wfg.py, utils.py, hssp.py).

type Point = readonly number[];

function check(fn: string, points: readonly Point[], reference: Point): void {
  if (!Array.isArray(reference) || reference.length === 0 || reference.some((r) => typeof r !== 'number' || Number.isNaN(r))) {
    throw new TypeError(`${fn}: expected reference, a non-empty array of numbers, got ${JSON.stringify(reference)}`);
  }
  if (!Array.isArray(points)) throw new TypeError(`${fn}: expected points, an array of points, got ${String(points)}`);
  points.forEach((p, i) => {
    if (!Array.isArray(p) || p.some((x) => typeof x !== 'number' || Number.isNaN(x))) {
      throw new TypeError(`${fn}: expected points[${i}] to be an array of numbers (no NaN), got ${JSON.stringify(p)}`);
    }
    if (p.length !== reference.length) throw new RangeError(`${fn}: expected points[${i}] to have ${reference.length} coordinates (as the reference), got ${p.length}`);
    for (let k = 0; k < p.length; k++) {
      if (!(p[k] <= reference[k])) {
        throw new RangeError(`${fn}: expected every point to dominate or equal the reference (point[k] <= reference[k]), got points[${i}][${k}] = ${p[k]} > ${reference[k]}`);
      }
    }
  });
}

// |prod(a - b)|: the volume of the box with diagonal a, b (utils._compute_2points_volume)
function boxVolume(a: Point, b: Point): number {
  let v = 1;
  for (let k = 0; k < a.length; k++) v *= a[k] - b[k];
  return Math.abs(v);
}

// Two objectives: sweep the points by the first coordinate (ties: larger second coordinate first), adding the
// rectangle each point adds below the lowest second coordinate seen so far (utils._compute_2d).
function hypervolume2d(points: readonly Point[], reference: Point): number {
  const sorted = [...points].sort((p, q) => p[0] - q[0] || q[1] - p[1]);
  const ref = [reference[0], reference[1]];
  let volume = 0;
  for (const p of sorted) {
    if (ref[1] < p[1]) continue;
    volume += boxVolume(ref, p);
    ref[1] = p[1];
  }
  return volume;
}

// WFG (While, Bradstreet, Barone 2012): the volume of a set is the sum over its points, sorted by the first
// coordinate, of each point's exclusive volume against the points after it.
function wfg(points: readonly Point[], reference: Point): number {
  if (reference.length === 2) return hypervolume2d(points, reference);
  const n = points.length;
  if (n === 1) return boxVolume(points[0], reference);
  if (n === 2) {
    let intersection = 1;
    for (let k = 0; k < reference.length; k++) intersection *= reference[k] - Math.max(points[0][k], points[1][k]);
    return boxVolume(points[0], reference) + boxVolume(points[1], reference) - intersection;
  }
  const sorted = [...points].sort((p, q) => p[0] - q[0]);
  let volume = 0;
  for (let i = 0; i < n; i++) volume += exclusive(sorted[i], sorted.slice(i + 1), reference);
  return volume;
}

// The volume only `point` dominates: its box minus the volume of the rest limited to that box.
function exclusive(point: Point, rest: readonly Point[], reference: Point): number {
  let volume = boxVolume(point, reference);
  const limited = limit(point, rest);
  if (limited.length === 1) volume -= boxVolume(limited[0], reference);
  else if (limited.length > 1) volume -= wfg(limited, reference);
  return volume;
}

// max(s, point) for each s in `rest` (sorted by the first coordinate), keeping a point only when it is not
// dominated by the last one kept: nearly the Pareto set, as Optuna's WFG._limit (exact when fully sorted).
function limit(point: Point, rest: readonly Point[]): Point[] {
  const lim = rest.map((s) => s.map((x, k) => Math.max(x, point[k])));
  if (lim.length <= 1) return lim;
  const out = [lim[0]];
  let left = 0;
  for (let right = 1; right < lim.length; right++) {
    if (lim[left].some((x, k) => x > lim[right][k])) {
      left = right;
      out.push(lim[left]);
    }
  }
  return out;
}

/**
 * The hypervolume of `points`: the measure of the region they dominate, bounded by `reference`, all objectives
 * minimized (negate the maximized ones first). Exact, by the WFG algorithm, with a sort-and-sweep for two
 * objectives; every point must be <= reference in every coordinate. Matches optuna._hypervolume.WFG().compute
 * (Optuna keeps it private; lrlab exports it to measure a study's front).
 *
 * ```ts
 * hypervolume([[1, 2], [2, 1]], [3, 3]); // 3
 * ```
 */
export function hypervolume(points: readonly Point[], reference: Point): number {
  check('hypervolume', points, reference);
  return wfg(points, reference);
}

/**
 * Each point's exclusive contribution: hypervolume(points) minus the hypervolume of the others. What Optuna 3.1's
 * multi-objective TPE weighs its good trials by (_calculate_weights_below_for_multi_objective).
 */
export function hypervolumeContributions(points: readonly Point[], reference: Point): number[] {
  check('hypervolumeContributions', points, reference);
  const all = wfg(points, reference);
  return points.map((_, i) => all - wfg(points.filter((_p, j) => j !== i), reference));
}

/**
 * Greedy hypervolume subset selection: picks `subsetSize` of `points`, each time the one adding the most
 * hypervolume to those already picked, and returns their `indices` entries in the order picked (a 1 - 1/e
 * approximation; Guerreiro et al., 2016). Matches optuna._hypervolume._solve_hssp, including its update of each
 * remaining contribution by the volume the pick takes away from it.
 */
export function solveHssp(points: readonly Point[], indices: readonly number[], subsetSize: number, reference: Point): number[] {
  check('solveHssp', points, reference);
  if (!Array.isArray(indices) || indices.length !== points.length) {
    throw new RangeError(`solveHssp: expected one index per point (${points.length}), got ${Array.isArray(indices) ? indices.length : String(indices)}`);
  }
  if (!Number.isSafeInteger(subsetSize) || subsetSize < 0 || subsetSize > points.length) {
    throw new RangeError(`solveHssp: expected subsetSize an integer in [0, ${points.length}], got ${subsetSize}`);
  }
  const contributions = points.map((p) => wfg([p], reference));
  const selectedVecs: Point[] = [];
  const selected: number[] = [];
  let hvSelected = 0;
  while (selected.length < subsetSize) {
    let best = 0;
    for (let j = 1; j < contributions.length; j++) if (contributions[j] > contributions[best]) best = j;
    contributions[best] = -1; // marks it selected
    const vec = points[best];
    for (let j = 0; j < points.length; j++) {
      if (contributions[j] === -1) continue;
      const p = points[j].map((x, k) => Math.max(x, vec[k]));
      contributions[j] -= wfg([...selectedVecs, p], reference) - hvSelected;
    }
    selectedVecs.push(vec);
    selected.push(indices[best]);
    hvSelected = wfg(selectedVecs, reference);
  }
  return selected;
}
