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

  /**
   * The mean prediction with the features set in `x` fixed (NaN = averaged over), and the weight of that mean.
   * Walk down: at a split on a fixed feature take the side `x` is on, narrowing that feature's interval; at a split
   * on another feature take both sides if a fixed feature splits further down, else stop. Each node reached counts
   * with its mean over its box, weighted by its volume over the volume of the fixed features' intervals (only the
   * fixed features' intervals are kept: the others count as [0, 1] and drop out of the volume).
   */
  private marginalizedStatistics(x: readonly number[]): [number, number] {
    const fixed: number[] = [];
    x.forEach((v, f) => {
      if (!Number.isNaN(v)) fixed.push(f);
    });
    const slot = new Array<number>(this.box.length).fill(-1);
    fixed.forEach((f, k) => (slot[f] = k));
    const start = new Float64Array(2 * fixed.length);
    fixed.forEach((f, k) => {
      start[2 * k] = this.box[f][0];
      start[2 * k + 1] = this.box[f][1];
    });
    const { feature, threshold, left, right } = this.tree;
    const stackNodes: number[] = [0];
    const stackBoxes: Float64Array[] = [start];
    let sumVW = 0, sumW = 0;
    while (stackNodes.length > 0) {
      const node = stackNodes.pop()!;
      const box = stackBoxes.pop()!;
      const f = feature[node];
      if (f >= 0) {
        const k = slot[f];
        if (k >= 0) {
          const goLeft = x[f] <= threshold[node];
          const child = box.slice();
          child[2 * k + (goLeft ? 1 : 0)] = threshold[node];
          stackNodes.push(goLeft ? left[node] : right[node]);
          stackBoxes.push(child);
          continue;
        }
        const below = this.activeBelow[node];
        if (fixed.some((g) => below[g])) {
          stackNodes.push(left[node], right[node]);
          stackBoxes.push(box, box);
          continue;
        }
      }
      let volume = 1;
      for (let j = 0; j < fixed.length; j++) volume *= box[2 * j + 1] - box[2 * j];
      const w = this.statWeight[node] / volume;
      sumVW += this.statValue[node] * w;
      sumW += w;
    }
    return [sumVW / sumW, sumW];
  }
}
