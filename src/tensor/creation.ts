import { Tensor, type NestedArray } from './tensor.js';
import { checkShape, formatShape, sizeOf, type Shape } from './shape.js';
import { defaultGenerator, type Generator } from './random.js';
import { describe } from '../format/number.js';
import { checkOptionsObject } from '../format/check.js';

/** Options of `tensor`. */
export interface TensorOptions {
  /** Shape for flat input; inferred from nesting otherwise. */
  shape?: Shape;
  requiresGrad?: boolean;
}

/** Options of the random creation functions. */
export interface RandomOptions {
  requiresGrad?: boolean;
  /** The generator to draw from; the global one (`manualSeed`) by default. */
  generator?: Generator;
}

/**
 * A tensor from a number, nested arrays, or a flat array / typed array with `shape`. Values are rounded to
 * float32. Ragged nesting and non-numbers are errors; NaN and Infinity are kept (they are valid float32 values).
 */
export function tensor(values: NestedArray | ArrayLike<number>, options: TensorOptions = {}): Tensor {
  options = checkOptionsObject('tensor', options, ['requiresGrad', 'shape']);
  let data: Float32Array;
  let shape: number[];
  if (typeof values === 'number') {
    data = new Float32Array([values]);
    shape = [];
  } else if (ArrayBuffer.isView(values) && !(values instanceof DataView)) {
    data = Float32Array.from(values as ArrayLike<number>);
    shape = [data.length];
  } else if (Array.isArray(values)) {
    shape = inferShape(values);
    data = new Float32Array(sizeOf(shape));
    let k = 0;
    const fill = (v: NestedArray, depth: number, path: string): void => {
      if (depth === shape.length) {
        if (typeof v !== 'number') throw new TypeError(`tensor: expected a number at ${path}, got ${typeof v}`);
        data[k++] = v;
        return;
      }
      if (!Array.isArray(v) || v.length !== shape[depth]) {
        throw new RangeError(`tensor: expected ${shape[depth]} entries at ${path} (ragged nesting), got ${Array.isArray(v) ? v.length : typeof v}`);
      }
      for (let i = 0; i < v.length; i++) fill(v[i], depth + 1, `${path}[${i}]`);
    };
    fill(values, 0, 'values');
  } else {
    throw new TypeError(`tensor: expected a number, nested arrays or a typed array, got ${values === null ? 'null' : typeof values}`);
  }
  if (options.shape !== undefined) {
    checkShape('tensor', options.shape);
    if (sizeOf(options.shape) !== data.length) {
      throw new RangeError(`tensor: shape ${formatShape(options.shape)} needs ${sizeOf(options.shape)} values, got ${data.length}`);
    }
    shape = [...options.shape];
  }
  return new Tensor(data, shape, { requiresGrad: options.requiresGrad });
}

function inferShape(values: NestedArray[]): number[] {
  const shape: number[] = [];
  let v: NestedArray = values;
  while (Array.isArray(v)) {
    shape.push(v.length);
    if (v.length === 0) break;
    v = v[0];
  }
  return shape;
}

/** A tensor of `shape` filled with `value`. */
export function full(shape: Shape, value: number, options: { requiresGrad?: boolean } = {}, op = 'full'): Tensor {
  checkShape(op, shape);
  options = checkOptionsObject(op, options, ['requiresGrad']);
  if (typeof value !== 'number') throw new TypeError(`${op}: expected the fill value to be a number, got ${describe(value)}`);
  if (typeof value !== 'number') throw new TypeError(`full: expected a number value, got ${typeof value}`);
  return new Tensor(new Float32Array(sizeOf(shape)).fill(value), shape, options);
}

/** A tensor of zeros. */
export function zeros(shape: Shape, options: { requiresGrad?: boolean } = {}): Tensor {
  return full(shape, 0, options, 'zeros');
}

/** A tensor of ones. */
export function ones(shape: Shape, options: { requiresGrad?: boolean } = {}): Tensor {
  return full(shape, 1, options, 'ones');
}

/** Values start, start + step, ... below end (like `torch.arange`); `arange(n)` is 0..n-1. */
export function arange(start: number, end?: number, step = 1): Tensor {
  for (const [k, v] of [['start', start], ['end', end ?? 0], ['step', step]] as const) if (typeof v !== 'number') throw new TypeError(`arange: expected ${k} to be a number, got ${describe(v)}`);
  if (end === undefined) [start, end] = [0, start];
  if (![start, end, step].every(Number.isFinite) || step === 0) {
    throw new RangeError(`arange: expected finite start, end and a non-zero step, got ${start}, ${end}, ${step}`);
  }
  if (Math.abs((end - start) / step) > 2 ** 31 - 1) throw new RangeError(`arange: expected at most 2147483647 values, got ${Math.ceil(Math.abs((end - start) / step))}`);
  const n = Math.max(0, Math.ceil((end - start) / step));
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return new Tensor(data, [n]);
}

/** Standard normal samples from the seeded generator. */
export function randn(shape: Shape, options: RandomOptions = {}): Tensor {
  checkShape('randn', shape);
  options = checkOptionsObject('randn', options, ['requiresGrad', 'generator']);
  const g = options.generator ?? defaultGenerator;
  const data = new Float32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = g.normal();
  return new Tensor(data, shape, { requiresGrad: options.requiresGrad });
}

/** Uniform samples in [0, 1) from the seeded generator. */
export function rand(shape: Shape, options: RandomOptions = {}): Tensor {
  checkShape('rand', shape);
  options = checkOptionsObject('rand', options, ['requiresGrad', 'generator']);
  const g = options.generator ?? defaultGenerator;
  const data = new Float32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = g.random();
  return new Tensor(data, shape, { requiresGrad: options.requiresGrad });
}

/** Zeros shaped like `t`. */
export function zerosLike(t: Tensor): Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`zerosLike: expected a Tensor, got ${describe(t)}`);
  return zeros(t.shape);
}

/** Ones shaped like `t`. */
export function onesLike(t: Tensor): Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`onesLike: expected a Tensor, got ${describe(t)}`);
  return ones(t.shape);
}
