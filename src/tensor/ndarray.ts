import ndarray, { type NdArray } from 'ndarray';
import { Tensor } from './tensor.js';
import { stridesOf } from './shape.js';
import { markShared } from './pool.js';
import { describe } from '../format/number.js';

/** A zero-copy `ndarray` view of the tensor's buffer (writes through it change the tensor). */
export function toNdarray(t: Tensor): NdArray<Float32Array> {
  if (!(t instanceof Tensor)) throw new TypeError(`toNdarray: expected a Tensor, got ${describe(t)}`);
  markShared(t.data); // the ndarray holds the buffer itself: its storage must never be given back early
  return ndarray(t.data, [...t.shape], stridesOf(t.shape), 0);
}

/**
 * A tensor from an `ndarray` of any strides and offset. The buffer is shared when the array is a row-major
 * Float32Array from offset 0 covering the whole buffer; otherwise the values are copied in row-major order.
 */
export function fromNdarray(a: NdArray): Tensor {
  if (a === null || typeof a !== 'object' || !Array.isArray(a.shape) || typeof a.get !== 'function') {
    throw new TypeError(`fromNdarray: expected an ndarray, got ${describe(a)}`);
  }
  const shape = [...a.shape];
  const rowMajor = stridesOf(shape);
  const size = shape.reduce((n, s) => n * s, 1);
  if (
    a.data instanceof Float32Array &&
    a.offset === 0 &&
    a.data.length === size &&
    a.stride.every((s, i) => s === rowMajor[i] || shape[i] === 1)
  ) {
    return new Tensor(a.data, shape);
  }
  const data = new Float32Array(size);
  const index = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < size; i++) {
    const v = a.get(...index);
    if (typeof v !== 'number') throw new TypeError(`fromNdarray: expected numeric entries, got ${typeof v} at [${index.join(',')}]`);
    data[i] = v;
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
  return new Tensor(data, shape);
}
