import { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { noGrad } from '../autograd/engine.js';
import { reuseBuffers } from '../tensor/pool.js';
import type { Module } from '../nn/module.js';

/** Rows [start, start + m) of t as a tensor sharing t's buffer (a view, no copy). */
export function rowView(t: Tensor, start: number, m: number): Tensor {
  const width = t.size / t.shape[0];
  return new Tensor(t.data.subarray(start * width, (start + m) * width), [m, ...t.shape.slice(1)]);
}

/**
 * The model's outputs for every row of x ([n, ...]), in eval mode without gradients, `batchSize` rows at a time so
 * memory stays bounded (Keras's `model.predict`). Returns [n, ...] with the rest of the output shape.
 */
export function predict(model: Module, x: Tensor, options: { batchSize?: number } = {}): Tensor {
  const batchSize = options.batchSize ?? 1024;
  if (!(x instanceof Tensor)) throw new TypeError('predict: expected x to be a Tensor');
  if (x.ndim < 2 || x.shape[0] === 0) throw new RangeError(`predict: expected x [n, ...] with n >= 1 and rank >= 2, got ${formatShape(x.shape)}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`predict: expected batchSize to be a positive integer, got ${batchSize}`);
  const n = x.shape[0];
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => {
      let out: Tensor | null = null;
      for (let start = 0; start < n; start += batchSize) {
        const m = Math.min(batchSize, n - start);
        reuseBuffers(() => {
          const y = model.forward(rowView(x, start, m));
          if (y.ndim < 1 || y.shape[0] !== m) throw new RangeError(`predict: expected the model to return [${m}, ...] for ${m} rows, got ${formatShape(y.shape)}`);
          out ??= new Tensor(new Float32Array(n * (y.size / m)), [n, ...y.shape.slice(1)]);
          out.data.set(y.data, start * (y.size / m));
        });
      }
      return out!;
    });
  } finally {
    model.train(wasTraining);
  }
}
