import { Tensor } from '../tensor/tensor.js';
import { formatShape, sameShape } from '../tensor/shape.js';
import { tensor } from '../tensor/creation.js';
import { add, sub, mul } from '../autograd/ops/arithmetic.js';
import { abs } from '../autograd/ops/unary.js';
import { relu, softplus } from '../autograd/ops/activation.js';
import { sum, mean } from '../autograd/ops/reduce.js';
import { gather } from '../autograd/ops/index-ops.js';
import { reshape } from '../autograd/ops/view.js';
import { logSoftmax } from '../autograd/ops/softmax.js';
import { neg } from '../autograd/ops/arithmetic.js';
import { describe, expectTensor } from '../autograd/ops/broadcast.js';
import { record, isGradEnabled } from '../autograd/engine.js';
import { alloc, giveBack } from '../tensor/pool.js';
import { allFinite } from '../tensor/finite.js';
import { releaseIntermediate } from '../autograd/release.js';

/** How per-element losses combine: their mean (default), their sum, or none (the per-element tensor). */
export type Reduction = 'mean' | 'sum' | 'none';

/** Options every loss takes. */
export interface LossOptions {
  reduction?: Reduction;
}

function reduce(op: string, loss: Tensor, reduction: Reduction | undefined): Tensor {
  switch (reduction ?? 'mean') {
    case 'mean': return mean(loss);
    case 'sum': return sum(loss);
    case 'none': return loss;
    default: throw new RangeError(`${op}: expected reduction 'mean', 'sum' or 'none', got '${reduction}'`);
  }
}

/**
 * Checks a loss's operands: tensors of one shape (a [32,1] prediction against a [32] target would otherwise
 * broadcast to [32,32] without complaint), a non-empty batch, and a finite target (bad data is reported where it
 * enters, not as a NaN loss later).
 */
function checkPair(op: string, input: Tensor, target: Tensor): void {
  expectTensor(op, input, 'input');
  expectTensor(op, target, 'target');
  if (!sameShape(input.shape, target.shape)) {
    throw new RangeError(`${op}: expected input and target of the same shape, got ${formatShape(input.shape)} and ${formatShape(target.shape)}`);
  }
  if (input.size === 0) throw new RangeError(`${op}: expected a non-empty input, got shape ${formatShape(input.shape)}`);
  const bad = target.data.findIndex((v) => !Number.isFinite(v));
  if (bad !== -1) throw new RangeError(`${op}: expected a finite target, got ${target.data[bad]} at index ${bad}`);
}

/**
 * Reports the input's first non-finite value. Called only once a loss came out non-finite, so a finite loss pays
 * nothing for it; when every input is finite (a square overflowed), it returns and the loss is Infinity.
 * An input computed in the autograd graph (a model's forward in training), and any input while gradients are off
 * (`evaluate`'s forward passes under noGrad), is let through: there a non-finite value is how divergence shows, and
 * the training loops report the loss with where it happened (fit's NonFiniteLossError with epoch and batch,
 * rangeTest's stopReason 'non-finite loss').
 */
function checkFiniteInput(op: string, input: Tensor): void {
  if (input.creator !== null || !isGradEnabled()) return;
  const X = input.data;
  for (let i = 0; i < X.length; i++) {
    if (!Number.isFinite(X[i])) throw new RangeError(`${op}: expected a finite input, got ${X[i]} at index ${i}`);
  }
}

/**
 * Mean squared error: l_i = (x_i - y_i)^2. Matches `torch.nn.functional.mse_loss`, except that a NaN or infinite
 * input handed in from outside the autograd graph (data, a tensor made by hand) is an error naming its index, where
 * PyTorch returns NaN; under noGrad (evaluation) it gives NaN as PyTorch does. A model's non-finite output in training, and finite operands whose squares
 * overflow float32, give a non-finite loss as in PyTorch: that is how divergence reaches fit and the range test.
 *
 * With reduction 'mean' or 'sum' it is one op, not the four of mean(mul(d, d)) with d = sub(x, y): one pass for the
 * value, one for the gradient 2 g (x - y) (/ n), with the composed ops' roundings in their order, so it gives their
 * bits (a test checks it) at a quarter of the bookkeeping a training step pays for every op.
 */
export function mseLoss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  checkPair('mseLoss', input, target);
  const reduction = options.reduction ?? 'mean';
  if (reduction !== 'mean' && reduction !== 'sum') {
    const d = sub(input, target);
    const squares = mul(d, d);
    if (!allFinite(squares.data)) checkFiniteInput('mseLoss', input);
    return reduce('mseLoss', squares, options.reduction);
  }
  const X = input.data, Y = target.data, n = X.length;
  const d = alloc(n);
  let total = 0; // a double, as sum() accumulates
  for (let i = 0; i < n; i++) {
    const di = Math.fround(X[i] - Y[i]);
    d[i] = di;
    total += Math.fround(di * di);
  }
  // the finite target is checked, so a non-finite sum comes from the input or from a square past float32's range
  if (!Number.isFinite(total)) checkFiniteInput('mseLoss', input);
  const out = alloc(1);
  out[0] = reduction === 'mean' ? Math.fround(total) / Math.fround(n) : total;
  return record('mseLoss', out, [], [input, target], (g) => {
    // mean: the division's gradient g / n reaches every square; each square d·d gives d its gradient twice
    const gd = reduction === 'mean' ? Math.fround(g[0] / Math.fround(n)) : g[0];
    const gx = alloc(n);
    for (let i = 0; i < n; i++) gx[i] = 2 * Math.fround(gd * d[i]);
    let gy: Float32Array | null = null;
    if (target.requiresGrad) {
      gy = alloc(n);
      for (let i = 0; i < n; i++) gy[i] = -gx[i];
    }
    return [input.requiresGrad ? gx : null, gy];
  });
}

/** Mean absolute error: l_i = |x_i - y_i|. Matches `torch.nn.functional.l1_loss`. */
export function l1Loss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  checkPair('l1Loss', input, target);
  return reduce('l1Loss', abs(sub(input, target)), options.reduction);
}

/**
 * Huber loss with threshold delta: l = 0.5 d^2 for |d| < delta, delta (|d| - 0.5 delta) otherwise.
 * Composed without a branch: with c = min(|d|, delta) = delta - relu(delta - |d|), l = 0.5 c^2 + delta (|d| - c).
 * Matches `torch.nn.functional.huber_loss`.
 */
export function huberLoss(input: Tensor, target: Tensor, options: LossOptions & { delta?: number } = {}): Tensor {
  checkPair('huberLoss', input, target);
  const delta = options.delta ?? 1;
  if (!(delta > 0)) throw new RangeError(`huberLoss: expected delta > 0, got ${delta}`);
  const a = abs(sub(input, target));
  const c = sub(delta, relu(sub(delta, a)));
  return reduce('huberLoss', add(mul(mul(c, c), 0.5), mul(sub(a, c), delta)), options.reduction);
}

/**
 * Smooth L1 with threshold beta: l = 0.5 d^2 / beta for |d| < beta, |d| - 0.5 beta otherwise; that is huber / beta,
 * and plain L1 when beta = 0. Matches `torch.nn.functional.smooth_l1_loss`.
 */
export function smoothL1Loss(input: Tensor, target: Tensor, options: LossOptions & { beta?: number } = {}): Tensor {
  checkPair('smoothL1Loss', input, target);
  const beta = options.beta ?? 1;
  if (!(beta >= 0)) throw new RangeError(`smoothL1Loss: expected beta >= 0, got ${beta}`);
  if (beta === 0) return l1Loss(input, target, options);
  const perElement = mul(huberLoss(input, target, { delta: beta, reduction: 'none' }), 1 / beta);
  return reduce('smoothL1Loss', perElement, options.reduction);
}

/**
 * Cross-entropy of logits [N, C] against one of three target forms, as `torch.nn.functional.cross_entropy`:
 *
 * - class indices [N]: l_n = -log softmax(x_n)[y_n];
 * - class indices [N, 1], read as [N] (a column of labels, as data sets often hold them);
 * - class probabilities [N, C] (soft or one-hot labels): l_n = -sum_c t_nc log softmax(x_n)_c, composed from
 *   logSoftmax, mul and sum, so the gradient also reaches a target that requires it.
 *
 * 'mean' averages over the N rows in every form. PyTorch tells indices from probabilities by dtype; lrlab's tensors
 * are all float32, so the shape decides: [N, 1] is indices even when C is 1 (one class costs 0 either way).
 * Probabilities are checked for finiteness only: like PyTorch, rows need not sum to 1. Matches PyTorch 1.13.
 */
export function crossEntropy(input: Tensor, target: Tensor | number[] | number[][], options: LossOptions = {}): Tensor {
  expectTensor('crossEntropy', input, 'input');
  if (input.ndim !== 2) throw new RangeError(`crossEntropy: expected input of shape [N, C], got ${formatShape(input.shape)}`);
  if (!(target instanceof Tensor) && !Array.isArray(target)) {
    throw new TypeError(`crossEntropy: expected target class indices or probabilities (Tensor or number[]), got ${describe(target)}`);
  }
  const t = target instanceof Tensor ? target : tensor(target);
  const [n, c] = input.shape;
  const indices = t.shape[0] === n && (t.ndim === 1 || (t.ndim === 2 && t.shape[1] === 1));
  if (!indices && !sameShape(t.shape, input.shape)) {
    throw new RangeError(`crossEntropy: expected target [N] class indices, [N, 1] class indices or [N, C] class probabilities, got ${formatShape(t.shape)} for input ${formatShape(input.shape)}`);
  }
  if (n === 0) throw new RangeError('crossEntropy: expected a non-empty batch, got 0 rows');
  const T = t.data;
  if (!indices) {
    if (!allFinite(T)) {
      const bad = T.findIndex((v) => !Number.isFinite(v));
      throw new RangeError(`crossEntropy: expected finite class probabilities, got ${T[bad]} at row ${Math.floor(bad / c)}, class ${bad % c}`);
    }
    const weighted = mul(logSoftmax(input, 1), t);
    // a target made here from a number[][] is held by no code outside: its storage goes back once mul's backward
    // has read it (at once under noGrad), as the outputs between a Sequential's layers do
    if (t !== target) releaseIntermediate(t, weighted);
    return reduce('crossEntropy', neg(sum(weighted, 1)), options.reduction);
  }
  for (let i = 0; i < n; i++) {
    const v = T[i];
    if (!Number.isInteger(v)) throw new TypeError(`crossEntropy: expected integer class indices, got ${v} at index ${i}`);
    if (v < 0 || v >= c) throw new RangeError(`crossEntropy: expected class indices in [0, ${c}), got ${v} at index ${i}`);
  }
  const index = reshape(t, [n, 1]);
  const picked = gather(logSoftmax(input, 1), 1, index);
  // a target made here from a number[] is held by no code outside, and gather keeps no reference to its index: its
  // storage goes back now (a plain loop would otherwise leave one target a step in the wasm memory)
  if (t !== target) giveBack(t.data);
  return reduce('crossEntropy', neg(reshape(picked, [n])), options.reduction);
}

/**
 * Binary cross-entropy on logits, stable for large |x|: l = softplus(x) - x y (= -[y log s(x) + (1-y) log(1-s(x))]).
 * With `posWeight` p: l = (1 - y) x + (1 + (p - 1) y) softplus(-x). Matches
 * `torch.nn.functional.binary_cross_entropy_with_logits`.
 */
export function bceWithLogits(input: Tensor, target: Tensor, options: LossOptions & { posWeight?: Tensor } = {}): Tensor {
  checkPair('bceWithLogits', input, target);
  if (options.posWeight === undefined) {
    return reduce('bceWithLogits', sub(softplus(input), mul(input, target)), options.reduction);
  }
  const w = add(mul(sub(options.posWeight, 1), target), 1);
  const loss = add(mul(sub(1, target), input), mul(w, softplus(neg(input))));
  return reduce('bceWithLogits', loss, options.reduction);
}
