// A regression random forest after scikit-learn's RandomForestRegressor with the settings Optuna's importance
// evaluators use: bootstrap samples, every feature considered at every split, best split by squared error,
// thresholds halfway between neighbouring values, grown until leaves are pure or hold one distinct sample.
import { Generator } from '../../tensor/random.js';

/** One fitted tree as flat arrays, scikit-learn's Tree layout: node 0 is the root, children after parents. */
export interface RegressionTree {
  /** The split feature of an internal node; -1 at a leaf. */
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  /** The weighted mean target of the samples in the node. */
  value: number[];
  /** The summed sample weights (bootstrap counts) in the node. */
  weightedN: number[];
  /** The weighted variance of the target in the node (squared-error impurity). */
  impurity: number[];
}

/** Options of {@link fitForest}. */
export interface ForestOptions {
  nTrees: number;
  maxDepth: number;
  seed: number;
}

// scikit-learn treats feature values closer than this as equal, and impurity below machine epsilon as pure
const FEATURE_THRESHOLD = 1e-7;
const EPSILON = 2.220446049250313e-16;

/** Fits `nTrees` trees, each on a bootstrap sample (n draws with replacement) of the rows of `X`. */
export function fitForest(X: readonly number[][], y: readonly number[], options: ForestOptions): RegressionTree[] {
  const rng = new Generator(options.seed);
  const n = X.length;
  const trees: RegressionTree[] = [];
  for (let t = 0; t < options.nTrees; t++) {
    const weights = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) weights[rng.randint(n)] += 1;
    trees.push(fitTree(X, y, weights, options.maxDepth, rng));
  }
  return trees;
}

/** Grows one tree depth first on the samples with a positive weight. */
export function fitTree(X: readonly number[][], y: readonly number[], w: readonly number[], maxDepth: number, rng: Generator): RegressionTree {
  const tree: RegressionTree = { feature: [], threshold: [], left: [], right: [], value: [], weightedN: [], impurity: [] };
  const nFeatures = X[0]?.length ?? 0;
  const grow = (samples: number[], depth: number): number => {
    let W = 0, S = 0, SS = 0;
    for (const i of samples) {
      W += w[i];
      S += w[i] * y[i];
      SS += w[i] * y[i] * y[i];
    }
    const mean = S / W;
    const impurity = Math.max(SS / W - mean * mean, 0);
    const node = tree.feature.length;
    tree.feature.push(-1);
    tree.threshold.push(-2);
    tree.left.push(-1);
    tree.right.push(-1);
    tree.value.push(mean);
    tree.weightedN.push(W);
    tree.impurity.push(impurity);
    if (depth >= maxDepth || samples.length < 2 || impurity <= EPSILON) return node;

    const split = bestSplit(X, y, w, samples, nFeatures, S, W, rng);
    if (split === null) return node;
    const leftSamples = samples.filter((i) => X[i][split.feature] <= split.threshold);
    const rightSamples = samples.filter((i) => X[i][split.feature] > split.threshold);
    tree.feature[node] = split.feature;
    tree.threshold[node] = split.threshold;
    tree.left[node] = grow(leftSamples, depth + 1);
    tree.right[node] = grow(rightSamples, depth + 1);
    return node;
  };
  grow(w.flatMap((wi, i) => (wi > 0 ? [i] : [])), 0);
  return tree;
}

/**
 * The split that most reduces the weighted squared error: for each feature (in a random order, which only breaks
 * ties), sort the node's samples and try every cut between distinct values, scoring it by scikit-learn's proxy
 * sumL^2 / wL + sumR^2 / wR (the node's own sum is fixed, so a larger proxy is a smaller error).
 */
function bestSplit(X: readonly number[][], y: readonly number[], w: readonly number[], samples: number[], nFeatures: number, S: number, W: number, rng: Generator): { feature: number; threshold: number } | null {
  let best: { feature: number; threshold: number } | null = null;
  let bestProxy = -Infinity;
  for (const f of rng.permutation(nFeatures)) {
    const order = [...samples].sort((a, b) => X[a][f] - X[b][f]);
    if (X[order[order.length - 1]][f] <= X[order[0]][f] + FEATURE_THRESHOLD) continue;
    let wL = 0, sL = 0;
    for (let p = 1; p < order.length; p++) {
      const prev = order[p - 1];
      wL += w[prev];
      sL += w[prev] * y[prev];
      const a = X[prev][f], b = X[order[p]][f];
      if (b <= a + FEATURE_THRESHOLD) continue;
      const wR = W - wL, sR = S - sL;
      const proxy = (sL * sL) / wL + (sR * sR) / wR;
      if (proxy > bestProxy) {
        bestProxy = proxy;
        let threshold = a / 2 + b / 2;
        if (threshold === b || !Number.isFinite(threshold)) threshold = a;
        best = { feature: f, threshold };
      }
    }
  }
  return best;
}

/**
 * Mean decrease in impurity of one tree: each split adds wNode * impNode - wLeft * impLeft - wRight * impRight to
 * its feature, and the totals are scaled to sum to 1 (scikit-learn's feature_importances_ of a tree).
 */
export function treeImpurityDecrease(tree: RegressionTree, nFeatures: number): number[] {
  const out = new Array<number>(nFeatures).fill(0);
  for (let node = 0; node < tree.feature.length; node++) {
    const f = tree.feature[node];
    if (f < 0) continue;
    const l = tree.left[node], r = tree.right[node];
    out[f] += tree.weightedN[node] * tree.impurity[node] - tree.weightedN[l] * tree.impurity[l] - tree.weightedN[r] * tree.impurity[r];
  }
  const total = out.reduce((a, b) => a + b, 0);
  return total > 0 ? out.map((v) => v / total) : out;
}
