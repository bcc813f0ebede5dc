import { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';

/**
 * Classification and regression metrics with scikit-learn's names, arguments in scikit-learn's order
 * `(yTrue, yPred)` (the reverse of a loss's `(input, target)`), and scikit-learn's definitions.
 *
 * Inputs are Tensors, flat arrays or arrays of rows. For classification, `yTrue` is class labels [n] (or [n, 1]),
 * or one-hot rows [n, C]; `yPred` is labels [n], scores [n, C] (the argmax is the label: logits, probabilities),
 * or one score per example [n, 1] cut at `threshold` (default 0.5 unless every value is already an integer label;
 * pass 0 for logits). None of these allocate a typed array, so `fit` can call them on every batch.
 */
export type MetricInput = Tensor | ArrayLike<number> | readonly (readonly number[])[];

/** Averages of scikit-learn's `precision_score`, `recall_score` and `f1_score`. */
export type Average = 'binary' | 'macro' | 'micro' | 'weighted';

/** Options of `accuracy`, `precision`, `recall` and `f1`. */
export interface ClassificationOptions {
  /** Default 'binary' (scikit-learn's default): the scores of class `posLabel`; multiclass data needs another. */
  average?: Average;
  /** The positive class of a binary average. Default 1. */
  posLabel?: number;
  /** Cut one score per example into labels: `score > threshold` is 1. Default 0.5 unless the scores are integers. */
  threshold?: number;
  /** The value of 0/0 (a class never predicted, or never present). Default 0, as scikit-learn's 'warn' returns. */
  zeroDivision?: number;
}

/** A matrix view of any input: `rows` examples of `cols` values each (no copy for Tensors and flat arrays). */
interface Mat {
  data: ArrayLike<number>;
  rows: number;
  cols: number;
  shape: string;
}

function toMat(fn: string, v: MetricInput, what: string): Mat {
  if (v instanceof Tensor) {
    if (v.ndim !== 1 && v.ndim !== 2) throw new RangeError(`${fn}: expected ${what} of shape [n] or [n, k], got ${formatShape(v.shape)}`);
    return { data: v.data, rows: v.shape[0], cols: v.ndim === 2 ? v.shape[1] : 1, shape: formatShape(v.shape) };
  }
  if (Array.isArray(v) && v.length > 0 && Array.isArray(v[0])) {
    const rows = v as readonly (readonly number[])[], cols = rows[0].length;
    const bad = rows.findIndex((r) => !Array.isArray(r) || r.length !== cols);
    if (bad !== -1) throw new RangeError(`${fn}: expected ${what} rows of ${cols} values, got row ${bad} with ${(rows[bad] as unknown[])?.length}`);
    return { data: rows.flat(), rows: rows.length, cols, shape: `[${rows.length},${cols}]` };
  }
  if (v === null || typeof v !== 'object' || typeof (v as ArrayLike<number>).length !== 'number') {
    throw new TypeError(`${fn}: expected ${what} as a Tensor or an array of numbers, got ${v === null ? 'null' : typeof v}`);
  }
  const flat = v as ArrayLike<number>;
  return { data: flat, rows: flat.length, cols: 1, shape: `[${flat.length}]` };
}

function pair(fn: string, yTrue: MetricInput, yPred: MetricInput): [Mat, Mat] {
  const t = toMat(fn, yTrue, 'yTrue'), p = toMat(fn, yPred, 'yPred');
  if (t.rows !== p.rows) throw new RangeError(`${fn}: expected yTrue and yPred with the same number of examples, got ${t.shape} and ${p.shape}`);
  if (t.rows === 0) throw new RangeError(`${fn}: expected at least one example, got 0`);
  for (const [m, what] of [[t, 'yTrue'], [p, 'yPred']] as const) {
    for (let i = 0; i < m.data.length; i++) {
      if (!Number.isFinite(m.data[i])) throw new RangeError(`${fn}: expected finite values in ${what}, got ${m.data[i]} at index ${i}`);
    }
  }
  return [t, p];
}

function argmaxRow(m: Mat, i: number): number {
  let best = 0;
  for (let j = 1; j < m.cols; j++) if (m.data[i * m.cols + j] > m.data[i * m.cols + best]) best = j;
  return best;
}

function allIntegers(m: Mat): boolean {
  for (let i = 0; i < m.data.length; i++) if (!Number.isInteger(m.data[i])) return false;
  return true;
}

/** Calls `visit(trueLabel, predLabel)` for every example, after turning scores into labels. */
function eachLabel(fn: string, yTrue: MetricInput, yPred: MetricInput, threshold: number | undefined, visit: (t: number, p: number) => void): number {
  const [t, p] = pair(fn, yTrue, yPred);
  if (t.cols === 1 && !allIntegers(t)) {
    const bad = Array.from({ length: t.rows }, (_, i) => t.data[i]).find((v) => !Number.isInteger(v));
    throw new TypeError(`${fn}: expected integer class labels in yTrue (or one-hot rows), got ${bad}`);
  }
  if (threshold !== undefined && !Number.isFinite(threshold)) throw new RangeError(`${fn}: expected a finite threshold, got ${threshold}`);
  const cut = p.cols === 1 && (threshold !== undefined || !allIntegers(p)) ? threshold ?? 0.5 : undefined;
  for (let i = 0; i < t.rows; i++) {
    const tl = t.cols > 1 ? argmaxRow(t, i) : t.data[i];
    const pl = p.cols > 1 ? argmaxRow(p, i) : cut !== undefined ? (p.data[i] > cut ? 1 : 0) : p.data[i];
    visit(tl, pl);
  }
  return t.rows;
}

/** The fraction of examples whose predicted label equals the true one (scikit-learn's `accuracy_score`). */
export function accuracy(yTrue: MetricInput, yPred: MetricInput, options: Pick<ClassificationOptions, 'threshold'> = {}): number {
  let right = 0;
  const n = eachLabel('accuracy', yTrue, yPred, options.threshold, (t, p) => {
    if (t === p) right++;
  });
  return right / n;
}

interface Counts {
  tp: number;
  fp: number;
  fn: number;
}

/**
 * Per-class true positives, false positives and false negatives over the labels present in yTrue or yPred, then
 * the average scikit-learn names: 'binary' (class posLabel alone), 'macro' (unweighted mean over classes), 'micro'
 * (from the summed counts), 'weighted' (mean weighted by each class's true count, its support).
 */
function prf(fn: string, yTrue: MetricInput, yPred: MetricInput, options: ClassificationOptions, score: (c: Counts, zd: number) => number): number {
  const average = options.average ?? 'binary', posLabel = options.posLabel ?? 1, zd = options.zeroDivision ?? 0;
  if (!['binary', 'macro', 'micro', 'weighted'].includes(average)) {
    throw new RangeError(`${fn}: expected average 'binary', 'macro', 'micro' or 'weighted', got ${JSON.stringify(average)}`);
  }
  if (!Number.isFinite(zd)) throw new RangeError(`${fn}: expected a finite zeroDivision, got ${zd}`);
  const counts = new Map<number, Counts>();
  const at = (label: number) => {
    let c = counts.get(label);
    if (c === undefined) counts.set(label, (c = { tp: 0, fp: 0, fn: 0 }));
    return c;
  };
  eachLabel(fn, yTrue, yPred, options.threshold, (t, p) => {
    if (t === p) at(t).tp++;
    else {
      at(p).fp++;
      at(t).fn++;
    }
  });
  if (average === 'binary') {
    const labels = [...counts.keys()].sort((a, b) => a - b);
    if (labels.length > 2 || (labels.length === 2 && !labels.includes(posLabel))) {
      throw new RangeError(`${fn}: expected binary labels with posLabel ${posLabel} for average 'binary' (use average 'macro', 'micro' or 'weighted' for multiclass), got classes ${labels.join(', ')}`);
    }
    return score(counts.get(posLabel) ?? { tp: 0, fp: 0, fn: 0 }, zd);
  }
  if (average === 'micro') {
    const total = { tp: 0, fp: 0, fn: 0 };
    for (const c of counts.values()) {
      total.tp += c.tp;
      total.fp += c.fp;
      total.fn += c.fn;
    }
    return score(total, zd);
  }
  let sum = 0, weights = 0;
  for (const c of counts.values()) {
    const w = average === 'weighted' ? c.tp + c.fn : 1;
    sum += w * score(c, zd);
    weights += w;
  }
  return weights === 0 ? zd : sum / weights;
}

const ratio = (num: number, den: number, zd: number) => (den === 0 ? zd : num / den);

/** tp / (tp + fp): of the examples predicted positive, the fraction that are (scikit-learn's `precision_score`). */
export function precision(yTrue: MetricInput, yPred: MetricInput, options: ClassificationOptions = {}): number {
  return prf('precision', yTrue, yPred, options, (c, zd) => ratio(c.tp, c.tp + c.fp, zd));
}

/** tp / (tp + fn): of the positive examples, the fraction predicted positive (scikit-learn's `recall_score`). */
export function recall(yTrue: MetricInput, yPred: MetricInput, options: ClassificationOptions = {}): number {
  return prf('recall', yTrue, yPred, options, (c, zd) => ratio(c.tp, c.tp + c.fn, zd));
}

/**
 * The harmonic mean of precision and recall, 2 tp / (2 tp + fp + fn), per class then averaged (scikit-learn's
 * `f1_score`; its macro average is the mean of per-class F1s, not the F1 of mean precision and recall).
 */
export function f1(yTrue: MetricInput, yPred: MetricInput, options: ClassificationOptions = {}): number {
  return prf('f1', yTrue, yPred, options, (c, zd) => ratio(2 * c.tp, 2 * c.tp + c.fp + c.fn, zd));
}

/** Per-output values of a regression metric, averaged uniformly over outputs (scikit-learn's default). */
function perOutput(fn: string, yTrue: MetricInput, yPred: MetricInput, column: (t: Mat, p: Mat, j: number) => number): number {
  const [t, p] = pair(fn, yTrue, yPred);
  if (t.cols !== p.cols) throw new RangeError(`${fn}: expected yTrue and yPred of the same shape, got ${t.shape} and ${p.shape}`);
  let sum = 0;
  for (let j = 0; j < t.cols; j++) sum += column(t, p, j);
  return sum / t.cols;
}

function meanOf(t: Mat, p: Mat, j: number, f: (d: number) => number): number {
  let s = 0;
  for (let i = 0; i < t.rows; i++) s += f(t.data[i * t.cols + j] - p.data[i * p.cols + j]);
  return s / t.rows;
}

/** Mean absolute error, mean |y - ŷ| (scikit-learn's `mean_absolute_error`). */
export function mae(yTrue: MetricInput, yPred: MetricInput): number {
  return perOutput('mae', yTrue, yPred, (t, p, j) => meanOf(t, p, j, Math.abs));
}

/** Mean squared error, mean (y - ŷ)^2 (scikit-learn's `mean_squared_error`). */
export function mse(yTrue: MetricInput, yPred: MetricInput): number {
  return perOutput('mse', yTrue, yPred, (t, p, j) => meanOf(t, p, j, (d) => d * d));
}

/** Root mean squared error per output, averaged over outputs (scikit-learn's `root_mean_squared_error`). */
export function rmse(yTrue: MetricInput, yPred: MetricInput): number {
  return perOutput('rmse', yTrue, yPred, (t, p, j) => Math.sqrt(meanOf(t, p, j, (d) => d * d)));
}

/**
 * The coefficient of determination, R² = 1 - Σ(y - ŷ)² / Σ(y - ȳ)², per output then averaged (scikit-learn's
 * `r2_score`). A constant yTrue gives 1 for a perfect prediction and 0 otherwise (scikit-learn's `force_finite`).
 */
export function r2(yTrue: MetricInput, yPred: MetricInput): number {
  return perOutput('r2', yTrue, yPred, (t, p, j) => {
    let mean = 0;
    for (let i = 0; i < t.rows; i++) mean += t.data[i * t.cols + j];
    mean /= t.rows;
    let res = 0, tot = 0;
    for (let i = 0; i < t.rows; i++) {
      const y = t.data[i * t.cols + j];
      res += (y - p.data[i * p.cols + j]) ** 2;
      tot += (y - mean) ** 2;
    }
    if (tot === 0) return res === 0 ? 1 : 0;
    return 1 - res / tot;
  });
}
