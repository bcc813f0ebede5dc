import { Tensor, type NestedArray } from '../../tensor/tensor.js';
import { formatShape } from '../../tensor/shape.js';
import { tensor } from '../../tensor/creation.js';
import { alloc, allocInt32 } from '../../tensor/pool.js';
import { record } from '../engine.js';
import { describe } from '../../format/number.js';
import { checkOptionsObject } from '../../format/check.js';

/** Options of `embedding`, as `torch.nn.functional.embedding`'s (max norm is the layer's: see `Embedding`). */
export interface EmbeddingOpOptions {
  /** The row that receives no gradient (its lookups still return it). Negative counts from the end. Default none. */
  paddingIdx?: number | null;
  /** Divide each row's gradient by how often the row occurs in `indices`. Default false. */
  scaleGradByFreq?: boolean;
}

/**
 * Reads class or token indices as crossEntropy does: float32 values that must be integers (lrlab's tensors have
 * one dtype), each in [0, num). The error names `op`, the value and its flat position.
 */
export function readIndices(op: string, indices: unknown, num: number): { index: Int32Array; shape: readonly number[] } {
  let t: Tensor;
  if (indices instanceof Tensor) t = indices;
  else if (typeof indices === 'number' || Array.isArray(indices)) {
    try {
      t = tensor(indices as NestedArray);
    } catch (err) {
      throw new TypeError(`${op}: expected indices as a Tensor or (nested) arrays of integers, got ${describe(indices)} (${(err as Error).message})`);
    }
  } else throw new TypeError(`${op}: expected indices as a Tensor or (nested) arrays of integers, got ${describe(indices)}`);
  const I = t.data, index = allocInt32(I.length);
  for (let i = 0; i < I.length; i++) {
    const v = I[i];
    if (!Number.isInteger(v)) throw new TypeError(`${op}: expected integer indices, got ${describe(v)} at position ${i} of indices ${formatShape(t.shape)}`);
    if (v < 0 || v >= num) throw new RangeError(`${op}: expected indices in [0, ${num}), got ${v} at position ${i} of indices ${formatShape(t.shape)}`);
    index[i] = v;
  }
  return { index, shape: t.shape };
}

/**
 * Rows of `weight` [num, dim] picked by integer `indices` of any shape: out[..., :] = weight[indices[...], :], of
 * shape [...indices.shape, dim]. Backward: each row used receives the sum of its lookups' gradients (a repeated
 * index adds up, as a scatter-add); every other row, and the padding row, receives zero. Matches
 * `torch.nn.functional.embedding(indices, weight, padding_idx, scale_grad_by_freq=...)` with a dense gradient.
 */
export function embedding(indices: Tensor | NestedArray, weight: Tensor, options: EmbeddingOpOptions = {}): Tensor {
  if (!(weight instanceof Tensor) || weight.ndim !== 2) {
    throw new TypeError(`embedding: expected weight to be a 2-d Tensor [num, dim], got ${weight instanceof Tensor ? formatShape(weight.shape) : describe(weight)}`);
  }
  const o = checkOptionsObject<EmbeddingOpOptions>('embedding', options, ['paddingIdx', 'scaleGradByFreq']);
  const num = weight.shape[0];
  const padding = checkPaddingIdx('embedding', o.paddingIdx, num);
  const scale = o.scaleGradByFreq ?? false;
  if (typeof scale !== 'boolean') throw new TypeError(`embedding: expected scaleGradByFreq to be true or false, got ${describe(scale)}`);
  return embeddingRows(readIndices('embedding', indices, num), weight, padding, scale);
}

/** `embedding` on indices already read (by `readIndices`, whose errors name the caller: Embedding.forward reads them itself). */
export function embeddingRows(indices: { index: Int32Array; shape: readonly number[] }, weight: Tensor, padding: number, scale: boolean): Tensor {
  const { index, shape } = indices, [num, dim] = weight.shape;
  const W = weight.data, y = alloc(index.length * dim);
  for (let i = 0; i < index.length; i++) y.set(W.subarray(index[i] * dim, (index[i] + 1) * dim), i * dim);
  return record('embedding', y, [...shape, dim], [weight], (g) => {
    // d out[i, :] / d weight[index[i], :] = I: scatter-add each lookup's gradient into its row
    const dW = alloc(W.length);
    let count: Int32Array | null = null;
    if (scale) {
      count = allocInt32(num);
      for (let i = 0; i < index.length; i++) count[index[i]]++;
    }
    for (let i = 0; i < index.length; i++) {
      const row = index[i];
      if (row === padding) continue;
      const s = count === null ? 1 : 1 / count[row];
      for (let j = 0, a = row * dim, b = i * dim; j < dim; j++) dW[a + j] += g[b + j] * s;
    }
    return [dW];
  });
}

/** The padding row as a non-negative index (PyTorch counts a negative one from the end), or -1 for none. */
export function checkPaddingIdx(op: string, paddingIdx: unknown, num: number): number {
  if (paddingIdx === undefined || paddingIdx === null) return -1;
  if (typeof paddingIdx !== 'number' || !Number.isInteger(paddingIdx) || paddingIdx < -num || paddingIdx >= num) {
    throw new RangeError(`${op}: expected paddingIdx to be an integer in [${-num}, ${num}) or null, got ${describe(paddingIdx)}`);
  }
  return paddingIdx < 0 ? paddingIdx + num : paddingIdx;
}
