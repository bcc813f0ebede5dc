// The hypervolume (WFG and its 2-D sweep), the leave-one-out contributions and the greedy subset selection,
// against Optuna 3.1's _hypervolume on the point sets of test/fixtures/nsga2.json (gen_nsga2.py).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { hypervolume, hypervolumeContributions, solveHssp } from '../../src/tune/multi-objective/hypervolume.js';
import { assertClose, fixture } from '../helpers/assert.js';

interface HvCase {
  points: number[][];
  reference: number[];
  hypervolume: number;
  contributions: number[];
  hssp: { indices: number[]; subsetSize: number; picked: number[] };
}
const cases = fixture<{ hypervolume: HvCase[] }>('nsga2.json').hypervolume;
const dim = (c: HvCase) => c.reference.length;

const hand = suite('hypervolume by hand');

hand('two points in 2-D: the union of their boxes up to the reference', () => {
  // boxes [1,3]x[2,3] (area 2) and [2,3]x[1,3] (area 2) overlap on [2,3]x[2,3] (area 1): 2 + 2 - 1
  assert.is(hypervolume([[1, 2], [2, 1]], [3, 3]), 3);
});

hand('a dominated point and a duplicate add nothing', () => {
  assert.is(hypervolume([[1, 1], [2, 2], [1, 1]], [3, 3]), 4);
  assert.is(hypervolume([[1, 1, 1], [2, 2, 2], [1, 1, 1], [1.5, 1, 1]], [3, 3, 3]), 8);
});

hand('three 3-D points: inclusion-exclusion of their boxes', () => {
  // each point's box up to (4,4,4): 3*2*1 = 6, 2*3*1 = 6, 1*1*3 = 3; pairwise overlaps (the coordinatewise max's
  // box) 2*2*1 = 4, 1*1*1 = 1, 1*1*1 = 1; the triple's 1*1*1 = 1: 6 + 6 + 3 - 4 - 1 - 1 + 1 = 10
  assert.is(hypervolume([[1, 2, 3], [2, 1, 3], [3, 3, 1]], [4, 4, 4]), 10);
});

hand('no points: 0, in any dimension', () => {
  assert.is(hypervolume([], [1, 1]), 0);
  assert.is(hypervolume([], [1, 1, 1, 1]), 0);
});

hand('a point equal to the reference is accepted and adds nothing', () => {
  assert.is(hypervolume([[3, 3, 3], [2, 2, 2]], [3, 3, 3]), 1);
});

hand('the inputs are left as they were', () => {
  const points = [[2, 1], [1, 2]];
  const reference = [3, 3];
  hypervolume(points, reference);
  solveHssp(points, [0, 1], 1, reference);
  assert.equal(points, [[2, 1], [1, 2]]);
  assert.equal(reference, [3, 3]);
});

hand.run();

const optuna = suite("hypervolume matches Optuna 3.1's WFG");

for (const c of cases) {
  const label = `${dim(c)}-D, ${c.points.length} points`;
  optuna(`${label}: the hypervolume`, () => {
    assertClose(hypervolume(c.points, c.reference), c.hypervolume, { rtol: 1e-12, atol: 1e-9 }, `hypervolume ${label}`);
  });
  optuna(`${label}: each point's leave-one-out contribution`, () => {
    // differences of volumes in the hundreds: absolute rounding of a few ulps of the total
    assertClose(hypervolumeContributions(c.points, c.reference), c.contributions, { rtol: 1e-9, atol: 1e-9 * Math.max(1, c.hypervolume) }, `contributions ${label}`);
  });
  optuna(`${label}: the greedy subset selection picks the same points in the same order`, () => {
    assert.equal(solveHssp(c.points, c.hssp.indices, c.hssp.subsetSize, c.reference), c.hssp.picked);
  });
}

optuna('the cases cover 2, 3, 4 and 5 dimensions', () => {
  assert.equal([...new Set(cases.map(dim))].sort(), [2, 3, 4, 5]);
});

optuna.run();

const errors = suite('hypervolume errors');

errors('a point beyond the reference is refused, naming the point and coordinate', () => {
  assert.throws(() => hypervolume([[1, 1], [1, 4]], [3, 3]), /hypervolume: expected every point to dominate or equal the reference .* points\[1\]\[1\] = 4 > 3/);
});

errors('NaN in a point or the reference is refused', () => {
  assert.throws(() => hypervolume([[NaN, 1]], [3, 3]), /hypervolume: expected points\[0\] to be an array of numbers \(no NaN\)/);
  assert.throws(() => hypervolume([[1, 1]], [3, NaN]), /hypervolume: expected reference, a non-empty array of numbers/);
});

errors('a point of another dimension, an empty reference and non-arrays are refused', () => {
  assert.throws(() => hypervolume([[1, 1, 1]], [3, 3]), /hypervolume: expected points\[0\] to have 2 coordinates \(as the reference\), got 3/);
  assert.throws(() => hypervolume([[1]], []), /hypervolume: expected reference, a non-empty array/);
  assert.throws(() => hypervolume('1,2' as unknown as number[][], [3, 3]), /hypervolume: expected points, an array of points, got 1,2/);
});

errors('solveHssp refuses a subset larger than the set and indices of another length', () => {
  assert.throws(() => solveHssp([[1, 1]], [0], 2, [3, 3]), /solveHssp: expected subsetSize an integer in \[0, 1\], got 2/);
  assert.throws(() => solveHssp([[1, 1]], [0, 1], 1, [3, 3]), /solveHssp: expected one index per point \(1\), got 2/);
  assert.throws(() => hypervolumeContributions([[4, 1]], [3, 3]), /hypervolumeContributions: expected every point/);
});

errors.run();
