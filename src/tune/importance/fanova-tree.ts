// The functional ANOVA of one regression tree (Hutter, Hoos and Leyton-Brown, ICML 2014), after Optuna's
// importance/_fanova/_tree.py: the tree is a piecewise-constant function over the box of the search space, so its
// mean over any subset of the features, and the variance of that mean, are exact weighted sums over leaves.
import type { RegressionTree } from './forest.js';

type Box = [number, number][];

const cardinality = (box: Box): number => box.reduce((p, [lo, hi]) => p * (hi - lo), 1);

function weightedMean(values: readonly number[], weights: readonly number[]): number {
  let s = 0, w = 0;
  for (let i = 0; i < values.length; i++) {
    s += values[i] * weights[i];
    w += weights[i];
  }
  return s / w;
}

function weightedVariance(values: readonly number[], weights: readonly number[]): number {
  const m = weightedMean(values, weights);
  return weightedMean(values.map((v) => (v - m) ** 2), weights);
}

/** One tree with what the marginal variances need precomputed. */
export class FanovaTree {
  /** Per node: the tree's mean over the node's box, and the box's volume. */
  private readonly statValue: number[];
  private readonly statWeight: number[];
  /** Per feature: the midpoints and widths of the cells its split thresholds cut its range into. */
  private readonly midpoints: number[][];
  private readonly sizes: number[][];
  /** Per node: which features split somewhere in its subtree. */
  private readonly activeBelow: boolean[][];
  /** The variance of the tree's prediction over the whole box (uniform measure). */
  readonly variance: number;

  constructor(private readonly tree: RegressionTree, private readonly box: Box) {
    const nNodes = tree.feature.length, nFeatures = box.length;
    const isLeaf = (i: number) => tree.feature[i] < 0;
    this.statValue = new Array(nNodes).fill(0);
    this.statWeight = new Array(nNodes).fill(0);
    const boxes: Box[] = new Array(nNodes);
    boxes[0] = box;
    for (let i = 0; i < nNodes; i++) {
      if (isLeaf(i)) {
        this.statValue[i] = tree.value[i];
        this.statWeight[i] = cardinality(boxes[i]);
      } else {
        boxes[tree.left[i]] = this.childBox(i, boxes[i], 1);
        boxes[tree.right[i]] = this.childBox(i, boxes[i], 0);
      }
    }
    for (let i = nNodes - 1; i >= 0; i--) {
      if (isLeaf(i)) continue;
      const l = tree.left[i], r = tree.right[i];
      this.statValue[i] = weightedMean([this.statValue[l], this.statValue[r]], [this.statWeight[l], this.statWeight[r]]);
      this.statWeight[i] = this.statWeight[l] + this.statWeight[r];
    }

    const splits: Set<number>[] = box.map(() => new Set());
    for (let i = 0; i < nNodes; i++) if (!isLeaf(i)) splits[tree.feature[i]].add(tree.threshold[i]);
    this.midpoints = [];
    this.sizes = [];
    splits.forEach((set, f) => {
      const edges = [box[f][0], ...[...set].sort((a, b) => a - b), box[f][1]];
      this.midpoints.push(edges.slice(1).map((e, k) => 0.5 * (e + edges[k])));
      this.sizes.push(edges.slice(1).map((e, k) => e - edges[k]));
    });

    this.activeBelow = Array.from({ length: nNodes }, () => new Array<boolean>(nFeatures).fill(false));
    for (let i = nNodes - 1; i >= 0; i--) {
      if (isLeaf(i)) continue;
      const row = this.activeBelow[i];
      row[tree.feature[i]] = true;
      for (const c of [tree.left[i], tree.right[i]]) this.activeBelow[c].forEach((a, f) => (row[f] ||= a));
    }

    const leaves = tree.feature.flatMap((f, i) => (f < 0 ? [i] : []));
    this.variance = weightedVariance(leaves.map((i) => this.statValue[i]), leaves.map((i) => this.statWeight[i]));
  }

  /** The box of a child: the left one (column 1) ends at the threshold, the right one (column 0) starts there. */
  private childBox(node: number, box: Box, column: 0 | 1): Box {
    const out = box.map(([lo, hi]) => [lo, hi] as [number, number]);
    out[this.tree.feature[node]][column] = this.tree.threshold[node];
    return out;
  }

  /**
   * The variance, over the given features, of the tree's prediction averaged over every other feature: the
   * prediction is constant on the grid cells the features' thresholds make, so visit one midpoint per cell and
   * weight it by the cell's volume.
   */
  marginalVariance(features: readonly number[]): number {
    const values: number[] = [], weights: number[] = [];
    const sample = new Array<number>(this.box.length).fill(NaN);
    const visit = (k: number, size: number): void => {
      if (k === features.length) {
        const [value, weight] = this.marginalizedStatistics(sample);
        values.push(value);
        weights.push(weight * size);
        return;
      }
      const f = features[k];
      this.midpoints[f].forEach((m, j) => {
        sample[f] = m;
        visit(k + 1, size * this.sizes[f][j]);
      });
    };
    visit(0, 1);
    return Math.max(weightedVariance(values, weights), 0);
  }

  /** The mean prediction with the features set in `x` fixed (NaN = averaged over), and the weight of that mean. */
  private marginalizedStatistics(x: readonly number[]): [number, number] {
    const active = x.map((v) => !Number.isNaN(v));
    const start: Box = this.box.map(([lo, hi], f) => (active[f] ? [lo, hi] : [0, 1]));
    const stack: [number, Box][] = [[0, start]];
    const values: number[] = [], weights: number[] = [];
    while (stack.length > 0) {
      const [node, box] = stack.pop()!;
      const f = this.tree.feature[node];
      if (f >= 0) {
        if (active[f]) {
          const goLeft = x[f] <= this.tree.threshold[node];
          stack.push(goLeft ? [this.tree.left[node], this.childBox(node, box, 1)] : [this.tree.right[node], this.childBox(node, box, 0)]);
          continue;
        }
        if (this.activeBelow[node].some((a, g) => a && active[g])) {
          stack.push([this.tree.left[node], box], [this.tree.right[node], box]);
          continue;
        }
      }
      values.push(this.statValue[node]);
      weights.push(this.statWeight[node] / cardinality(box));
    }
    return [weightedMean(values, weights), weights.reduce((a, b) => a + b, 0)];
  }
}
