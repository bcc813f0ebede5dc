import type { Distribution, FrozenTrial, StudyView } from '../types.js';
import { checkOptionNames, describe, intOption } from '../pruners/options.js';
import { fitForest, treeImpurityDecrease } from './forest.js';
import { FanovaTree } from './fanova-tree.js';

/** What the importance functions and plots read of a study: its trials (a Study, or any StudyView). */
export type TrialsSource = { readonly trials: readonly FrozenTrial[] } | Pick<StudyView, 'getTrials'>;

/** The trials of a study, whichever way it offers them. */
export function trialsOf(study: TrialsSource, fn = 'trialsOf'): readonly FrozenTrial[] {
  if (study === null || typeof study !== 'object' || !('getTrials' in study || 'trials' in study)) {
    throw new TypeError(`${fn}: expected a study (with getTrials() or trials), got ${describe(study)}`);
  }
  const trials = 'getTrials' in study ? study.getTrials() : study.trials;
  if (!Array.isArray(trials)) throw new TypeError(`${fn}: expected the study's trials to be an array, got ${describe(trials)}`);
  return trials;
}

/** Options of the forest-based evaluators; Optuna's defaults. */
export interface ForestEvaluatorOptions {
  /** Trees in the random forest. Default 64. */
  nTrees?: number;
  /** Deepest a tree grows. Default 64. */
  maxDepth?: number;
  /** Seeds the forest's bootstrap and feature order (lrlab's generator). Default 0. */
  seed?: number;
}

/** An importance evaluator: per parameter, how much of the objective's variation it explains (unnormalized). */
export interface ImportanceEvaluator {
  evaluate(input: EncodedTrials): number[];
}

/** The completed trials as a matrix, as Optuna's _SearchSpaceTransform encodes them without log or step. */
export interface EncodedTrials {
  /** One row per trial: numbers as they are, categoricals one-hot. */
  X: number[][];
  y: number[];
  /** [low, high] per column. */
  bounds: [number, number][];
  /** For each parameter, its columns in X. */
  columns: number[][];
}

function forestOptions(fn: string, options: unknown): Required<ForestEvaluatorOptions> {
  const o = checkOptionNames(fn, options, ['nTrees', 'maxDepth', 'seed']);
  return {
    nTrees: intOption(fn, 'nTrees', o.nTrees, 64, 1),
    maxDepth: intOption(fn, 'maxDepth', o.maxDepth, 64, 1),
    seed: intOption(fn, 'seed', o.seed, 0, 0),
  };
}

/**
 * fANOVA importance (Hutter, Hoos and Leyton-Brown, ICML 2014), Optuna's default evaluator: fit a random forest
 * to (parameters -> objective value); for each tree, the importance of a parameter is the variance of the tree's
 * prediction as a function of that parameter alone (every other one averaged out over its range), as a fraction
 * of the tree's total variance; average the fractions over the trees. Matches Optuna's FanovaImportanceEvaluator
 * up to the forest's randomness (lrlab's generator, not NumPy's).
 */
export class FanovaImportanceEvaluator implements ImportanceEvaluator {
  readonly options: Required<ForestEvaluatorOptions>;
  constructor(options: ForestEvaluatorOptions = {}) {
    this.options = forestOptions('FanovaImportanceEvaluator', options);
  }

  evaluate({ X, y, bounds, columns }: EncodedTrials): number[] {
    const trees = fitForest(X, y, this.options).map((t) => new FanovaTree(t, bounds));
    if (trees.every((t) => t.variance === 0)) return columns.map(() => 0);
    return columns.map((cols) => {
      let sum = 0, n = 0;
      for (const tree of trees) {
        if (!(tree.variance > 0)) continue;
        sum += tree.marginalVariance(cols) / tree.variance;
        n++;
      }
      return sum / n;
    });
  }
}

/**
 * Mean decrease in impurity: fit a random forest and credit each split's reduction of the squared error to the
 * parameter it splits on, per tree scaled to 1, averaged over the trees (one-hot columns of a categorical summed).
 * Matches Optuna's MeanDecreaseImpurityImportanceEvaluator (scikit-learn's feature_importances_) up to the forest's
 * randomness.
 */
export class MeanDecreaseImpurityImportanceEvaluator implements ImportanceEvaluator {
  readonly options: Required<ForestEvaluatorOptions>;
  constructor(options: ForestEvaluatorOptions = {}) {
    this.options = forestOptions('MeanDecreaseImpurityImportanceEvaluator', options);
  }

  evaluate({ X, y, bounds, columns }: EncodedTrials): number[] {
    const perColumn = new Array<number>(bounds.length).fill(0);
    const trees = fitForest(X, y, this.options).filter((t) => t.feature.length > 1);
    for (const t of trees) treeImpurityDecrease(t, bounds.length).forEach((v, c) => (perColumn[c] += v / trees.length));
    return columns.map((cols) => cols.reduce((s, c) => s + perColumn[c], 0));
  }
}

/** Options of {@link getParamImportances}. */
export interface ParamImportancesOptions {
  /** Default: a {@link FanovaImportanceEvaluator} seeded with `seed`. */
  evaluator?: ImportanceEvaluator;
  /** The parameters to assess; default: those every completed trial has, with the same distribution. */
  params?: readonly string[];
  /** The seed of the default evaluator (give an evaluator its own seed instead). Default 0. */
  seed?: number;
  /**
   * What to explain instead of the objective value, e.g. `(t) => t.userAttrs.seconds`, or `(t) => t.values![1]`
   * for the second objective. Default: `t.value`; required in a study of several objectives (as Optuna).
   */
  target?: (trial: FrozenTrial) => number;
}

function sameDistribution(a: Distribution, b: Distribution): boolean {
  if (a.type === 'categorical' || b.type === 'categorical') {
    if (a.type !== 'categorical' || b.type !== 'categorical') return false;
    return a.choices.length === b.choices.length && a.choices.every((c, i) => Object.is(c, b.choices[i]));
  }
  return a.type === b.type && a.low === b.low && a.high === b.high && a.log === b.log && a.step === b.step;
}

const single = (d: Distribution): boolean => (d.type === 'categorical' ? d.choices.length === 1 : d.low === d.high);

/**
 * How much each parameter mattered to the objective, as `{ name: importance }` with the importances summing to 1,
 * most important first: Optuna's get_param_importances. Only complete trials with a finite value (or target)
 * count; a parameter with a single possible value gets 0. A study of several objectives needs `target`.
 */
export function getParamImportances(study: TrialsSource, options: ParamImportancesOptions = {}): Record<string, number> {
  const fn = 'getParamImportances';
  const o = checkOptionNames(fn, options, ['evaluator', 'params', 'seed', 'target']);
  if (o.evaluator !== undefined && (o.evaluator === null || typeof (o.evaluator as ImportanceEvaluator).evaluate !== 'function')) {
    throw new TypeError(`${fn}: expected evaluator to be an importance evaluator, got ${describe(o.evaluator)}`);
  }
  if (o.evaluator !== undefined && o.seed !== undefined) throw new TypeError(`${fn}: expected the seed in the evaluator's options when an evaluator is given, got both`);
  if (o.params !== undefined && (!Array.isArray(o.params) || o.params.some((p) => typeof p !== 'string'))) {
    throw new TypeError(`${fn}: expected params to be an array of parameter names, got ${describe(o.params)}`);
  }
  if (o.target !== undefined && typeof o.target !== 'function') throw new TypeError(`${fn}: expected target to be a function (trial) => number, got ${describe(o.target)}`);
  const all = trialsOf(study, fn);
  const directions = (study as { directions?: readonly unknown[] }).directions;
  const multi = (Array.isArray(directions) && directions.length > 1) || all.some((t) => t.values !== null && t.values !== undefined && t.values.length > 1);
  if (o.target === undefined && multi) {
    throw new TypeError(`${fn}: expected a target for a study of several objectives, e.g. { target: (t) => t.values![0] } for the first, got none (If the \`study\` is being used for multi-objective optimization, please specify the \`target\`.)`);
  }
  const target = (o.target as ((t: FrozenTrial) => number) | undefined) ?? ((t: FrozenTrial) => t.value as number);
  const evaluator = (o.evaluator as ImportanceEvaluator | undefined) ?? new FanovaImportanceEvaluator({ seed: intOption(fn, 'seed', o.seed, 0, 0) });

  const completed = all.filter((t) => t.state === 'complete');
  if (completed.length < 2) throw new RangeError(`${fn}: expected at least 2 completed trials, got ${completed.length}`);
  const distributions = searchSpace(fn, completed, o.params as string[] | undefined);
  const names = Object.keys(distributions);
  const varying = names.filter((n) => !single(distributions[n]));
  const result: Record<string, number> = {};
  if (varying.length > 0) {
    const trials = completed.filter((t) => names.every((n) => n in t.params) && Number.isFinite(target(t)));
    if (trials.length < 2) throw new RangeError(`${fn}: expected at least 2 completed trials with finite values and every parameter, got ${trials.length}`);
    const encoded = encode(trials, varying.map((n) => [n, distributions[n]]), target);
    if (encoded.y.every((v) => v === encoded.y[0])) throw new RangeError(`${fn}: expected objective values that vary, got all ${trials.length} equal to ${encoded.y[0]}`);
    evaluator.evaluate(encoded).forEach((v, i) => (result[varying[i]] = v));
  }
  for (const n of names) if (!(n in result)) result[n] = 0;
  const total = Object.values(result).reduce((a, b) => a + b, 0);
  // Optuna's order: sorted ascending (stable), then reversed
  const entries = Object.entries(result).sort((a, b) => a[1] - b[1]).reverse();
  return Object.fromEntries(entries.map(([k, v]) => [k, total === 0 ? 1 / entries.length : v / total]));
}

/** The distributions to assess, sorted by name (Optuna's _get_distributions / intersection_search_space). */
function searchSpace(fn: string, completed: readonly FrozenTrial[], params: string[] | undefined): Record<string, Distribution> {
  let space: Record<string, Distribution> | null = null;
  if (params === undefined) {
    for (const t of completed) {
      if (space === null) space = { ...t.distributions };
      else for (const n of Object.keys(space)) if (!(n in t.distributions) || !sameDistribution(space[n], t.distributions[n])) delete space[n];
    }
  } else {
    for (const t of completed) {
      if (!params.every((p) => p in t.distributions)) continue;
      if (space === null) {
        space = Object.fromEntries(params.map((p) => [p, t.distributions[p]]));
        continue;
      }
      for (const p of params) {
        if (!sameDistribution(space[p], t.distributions[p])) throw new RangeError(`${fn}: expected parameter '${p}' to have one distribution in every completed trial, got ${JSON.stringify(space[p])} and ${JSON.stringify(t.distributions[p])}`);
      }
    }
    if (space === null) throw new RangeError(`${fn}: expected a completed trial with every parameter of ${JSON.stringify(params)}, got none`);
  }
  return Object.fromEntries(Object.entries(space ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Optuna's _SearchSpaceTransform(transform_log=False, transform_step=False), with the target values. */
export function encode(trials: readonly FrozenTrial[], space: readonly [string, Distribution][], target: (t: FrozenTrial) => number = (t) => t.value as number): EncodedTrials {
  const bounds: [number, number][] = [];
  const columns: number[][] = [];
  for (const [, d] of space) {
    if (d.type === 'categorical') {
      columns.push(d.choices.map((_, k) => bounds.length + k));
      d.choices.forEach(() => bounds.push([0, 1]));
    } else {
      columns.push([bounds.length]);
      bounds.push([d.low, d.high]);
    }
  }
  const X = trials.map((t) => {
    const row = new Array<number>(bounds.length).fill(0);
    space.forEach(([name, d], j) => {
      const v = t.params[name];
      if (d.type === 'categorical') row[columns[j][d.choices.indexOf(v)]] = 1;
      else row[columns[j][0]] = v as number;
    });
    return row;
  });
  return { X, y: trials.map(target), bounds, columns };
}
