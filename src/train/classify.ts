import { checkOptionsObject } from '../format/check.js';
import { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { noGrad } from '../autograd/engine.js';
import { crossEntropy } from '../nn/losses.js';
import type { Module } from '../nn/module.js';
import { accuracy } from './metrics.js';
import { predict } from './predict.js';

/** Checks logits [n, C] against class indices [n] (a Tensor or an array); returns the indices. */
function checkTargets(op: string, targets: Tensor | ArrayLike<number>, logits: Tensor): ArrayLike<number> {
  if (!(logits instanceof Tensor) || logits.ndim !== 2) {
    throw new RangeError(`${op}: expected logits [n, classes], got ${logits instanceof Tensor ? formatShape(logits.shape) : typeof logits}`);
  }
  const t = targets instanceof Tensor ? targets.data : targets;
  if (t === null || typeof t !== 'object' || typeof t.length !== 'number') throw new TypeError(`${op}: expected class indices (Tensor or array), got ${typeof targets}`);
  const [n, c] = logits.shape;
  if ((targets instanceof Tensor && targets.ndim !== 1) || t.length !== n) {
    throw new RangeError(`${op}: expected ${n} class indices (one per row of the logits), got ${targets instanceof Tensor ? formatShape(targets.shape) : t.length}`);
  }
  if (n === 0) throw new RangeError(`${op}: expected at least one example, got 0`);
  for (let i = 0; i < n; i++) {
    if (!Number.isInteger(t[i]) || t[i] < 0 || t[i] >= c) throw new RangeError(`${op}: expected class indices in [0, ${c}), got ${t[i]} at index ${i}`);
  }
  return t;
}

/** The index of the largest logit of each row (the first on ties), as `logits.argmax(1)`. */
export function argmax(logits: Tensor): Int32Array {
  if (!(logits instanceof Tensor) || logits.ndim !== 2) throw new RangeError(`argmax: expected logits [n, classes], got ${logits instanceof Tensor ? formatShape(logits.shape) : typeof logits}`);
  const [n, c] = logits.shape, L = logits.data, out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < c; j++) if (L[i * c + j] > L[i * c + best]) best = j;
    out[i] = best;
  }
  return out;
}

/**
 * Top-k accuracy: the fraction of rows whose true class is among the k largest scores (logits or probabilities
 * [n, C]), as scikit-learn's `top_k_accuracy_score(y_true, y_score, k)`, arguments in that order. On ties the lower
 * class index ranks first (the order `torch.topk` returns on the CPU). k = 1 is plain accuracy.
 */
export function topKAccuracy(yTrue: Tensor | ArrayLike<number>, logits: Tensor, k = 5): number {
  const t = checkTargets('topKAccuracy', yTrue, logits);
  const [n, c] = logits.shape;
  if (!Number.isInteger(k) || k < 1 || k > c) throw new RangeError(`topKAccuracy: expected k to be an integer in [1, ${c}], got ${k}`);
  const L = logits.data;
  let hits = 0;
  for (let i = 0; i < n; i++) {
    const v = L[i * c + t[i]];
    let ahead = 0; // logits ranked before the target's
    for (let j = 0; j < c; j++) {
      const u = L[i * c + j];
      if (u > v || (u === v && j < t[i])) ahead++;
    }
    if (ahead < k) hits++;
  }
  return hits / n;
}

/**
 * The confusion matrix: `m[t][p]` counts examples of true class t predicted as p (rows are true classes), as
 * scikit-learn's `confusion_matrix(y_true, y_pred)`, arguments in that order. Takes predicted indices or logits [n, C].
 */
export function confusionMatrix(targets: Tensor | ArrayLike<number>, predictions: Tensor | ArrayLike<number>, numClasses?: number): number[][] {
  const pred = predictions instanceof Tensor && predictions.ndim === 2 ? argmax(predictions) : predictions instanceof Tensor ? predictions.data : predictions;
  const c = numClasses ?? (predictions instanceof Tensor && predictions.ndim === 2 ? predictions.shape[1] : undefined);
  if (c === undefined || !Number.isInteger(c) || c < 1) throw new RangeError(`confusionMatrix: expected numClasses to be a positive integer (or logits [n, C]), got ${c}`);
  const t = targets instanceof Tensor ? targets.data : targets;
  if (t.length !== pred.length) throw new RangeError(`confusionMatrix: expected as many targets as predictions, got ${t.length} and ${pred.length}`);
  const m = Array.from({ length: c }, () => new Array<number>(c).fill(0));
  for (let i = 0; i < t.length; i++) {
    for (const [what, v] of [['target', t[i]], ['prediction', pred[i]]] as const) {
      if (!Number.isInteger(v) || v < 0 || v >= c) throw new RangeError(`confusionMatrix: expected ${what}s in [0, ${c}), got ${v} at index ${i}`);
    }
    m[t[i]][pred[i]]++;
  }
  return m;
}

/** What `evaluateClassifier` measures. */
export interface ClassifierEvaluation {
  /** Mean cross-entropy. */
  loss: number;
  accuracy: number;
  /** Top-k accuracy for the k asked for (default 5, capped at the number of classes). */
  topKAccuracy: number;
  k: number;
  confusion: number[][];
}

/** Loss, accuracy, top-k accuracy and the confusion matrix of a classifier on (x, class indices y), with `predict`'s batches. */
export function evaluateClassifier(model: Module, x: Tensor, y: Tensor | ArrayLike<number>, options: { batchSize?: number; k?: number } = {}): ClassifierEvaluation {
  checkOptionsObject('evaluateClassifier', options, ['batchSize', 'k']);
  const logits = predict(model, x, options.batchSize === undefined ? {} : { batchSize: options.batchSize });
  const t = checkTargets('evaluateClassifier', y, logits);
  const k = Math.min(options.k ?? 5, logits.shape[1]);
  const loss = noGrad(() => crossEntropy(logits, Array.from(t)).item());
  return { loss, accuracy: accuracy(t, logits), topKAccuracy: topKAccuracy(t, logits, k), k, confusion: confusionMatrix(t, logits) };
}
