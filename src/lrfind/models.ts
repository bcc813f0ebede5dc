import type { Module } from '../nn/module.js';
import { Sequential, Linear, ReLU } from '../nn/layers.js';
import { Conv2d, MaxPool2d, Flatten } from '../nn/conv.js';
import { LSTMForecaster } from '../nn/forecaster.js';
import { describe } from '../format/number.js';

function checkShape(fn: string, spec: unknown, shape: unknown): void {
  const kinds = ['mlp', 'lstm', 'cnn'];
  if (spec === null || typeof spec !== 'object' || !kinds.includes((spec as ModelSpec).kind)) throw new TypeError(`${fn}: expected a model spec from parseModelSpec ({ kind: 'mlp' | 'lstm' | 'cnn', ... }), got ${describe(spec)}`);
  const s = shape as { inputShape?: unknown; outputs?: unknown } | null;
  const ok = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 1e7;
  if (s === null || typeof s !== 'object' || !Array.isArray(s.inputShape) || s.inputShape.length === 0 || !s.inputShape.every(ok) || !ok(s.outputs)) {
    throw new TypeError(`${fn}: expected { inputShape: positive integers (one example's shape), outputs: a positive integer }, got ${describe(shape)}`);
  }
}

/** A built-in model for the finder, as the command line's `--model` names it. */
export type ModelSpec =
  | { kind: 'mlp'; hidden: number[] }
  | { kind: 'lstm'; hidden: number[]; layers: number }
  | { kind: 'cnn' };

/**
 * Reads a model spec: 'mlp:128,64' (a ReLU MLP with those hidden widths), 'lstm:64' or 'lstm:64x2' (an
 * `LSTMForecaster` of 64 hidden units in 2 layers, for windows of a series), 'cnn' (two 3x3 convolutions with max
 * pooling and a 128-unit layer, for images [c, h, w]). `kind` says what the data is, to refuse a model that cannot
 * read it (an LSTM on a table, a CNN on a series).
 */
export function parseModelSpec(fn: string, spec: string, kind: 'series' | 'table' | 'images'): ModelSpec {
  if (typeof fn !== 'string') throw new TypeError(`parseModelSpec: expected the caller's name first, then a spec such as 'mlp:128,64', got ${describe(fn)}`);
  if (typeof spec !== 'string') throw new TypeError(`${fn}: expected a model spec such as 'mlp:128,64', got ${describe(spec)}`);
  if (!['series', 'table', 'images'].includes(kind)) throw new RangeError(`${fn}: expected the data kind 'series', 'table' or 'images', got ${describe(kind)}`);
  const mlp = /^mlp(?::(\d+(?:,\d+)*))?$/.exec(spec);
  const lstm = /^lstm(?::(\d+)(?:x(\d+))?)?$/.exec(spec);
  let out: ModelSpec;
  if (mlp) out = { kind: 'mlp', hidden: mlp[1] === undefined ? [128, 64] : mlp[1].split(',').map(Number) };
  else if (lstm) out = { kind: 'lstm', hidden: [Number(lstm[1] ?? 64)], layers: Number(lstm[2] ?? 1) };
  else if (spec === 'cnn') out = { kind: 'cnn' };
  else throw new RangeError(`${fn}: expected a model 'mlp:128,64', 'lstm:64', 'lstm:64x2', 'cnn' or a path to an ES module exporting makeModel(), got '${spec}'`);
  const sizes = out.kind === 'cnn' ? [] : [...out.hidden, ...(out.kind === 'lstm' ? [out.layers] : [])];
  if (sizes.some((n) => !Number.isInteger(n) || n < 1 || n > 4096)) throw new RangeError(`${fn}: expected the model's sizes to be integers in [1, 4096], got '${spec}'`);
  if (out.kind === 'lstm' && kind !== 'series') throw new RangeError(`${fn}: the model '${spec}' reads windows of a series; for ${kind === 'table' ? 'a table' : 'images'} use ${kind === 'table' ? "'mlp:128,64'" : "'cnn'"}`);
  if (out.kind === 'cnn' && kind !== 'images') throw new RangeError(`${fn}: the model 'cnn' reads images [c, h, w]; for ${kind === 'table' ? 'a table' : 'a series'} use ${kind === 'table' ? "'mlp:128,64'" : "'mlp:128,64' or 'lstm:64'"}`);
  return out;
}

/**
 * A fresh built-in model for inputs of `inputShape` (one example's shape: [features], [window], or [c, h, w])
 * and `outputs` values (1 for regression, the number of classes for classification). Call it after `manualSeed`.
 */
export function buildModel(spec: ModelSpec, shape: { inputShape: number[]; outputs: number }): Module {
  checkShape('buildModel', spec, shape);
  const { inputShape, outputs } = shape;
  const features = inputShape.reduce((a, b) => a * b, 1);
  if (spec.kind === 'mlp') {
    const layers: Module[] = inputShape.length > 1 ? [new Flatten()] : [];
    const sizes = [features, ...spec.hidden];
    for (let i = 1; i < sizes.length; i++) layers.push(new Linear(sizes[i - 1], sizes[i]), new ReLU());
    layers.push(new Linear(sizes[sizes.length - 1], outputs));
    return new Sequential(...layers);
  }
  if (spec.kind === 'lstm') {
    const inputSize = inputShape.length === 1 ? 1 : inputShape[inputShape.length - 1];
    return new LSTMForecaster(inputSize, spec.hidden[0], spec.layers, 0, outputs);
  }
  if (inputShape.length !== 3) throw new RangeError(`buildModel: expected images [c, h, w] for 'cnn', got examples of shape [${inputShape}]`);
  const [c, h, w] = inputShape;
  // two 2x2 poolings halve each side twice (floor, as PyTorch's MaxPool2d)
  const hh = Math.floor(Math.floor(h / 2) / 2), ww = Math.floor(Math.floor(w / 2) / 2);
  if (hh < 1 || ww < 1) throw new RangeError(`buildModel: expected images of at least 4 x 4 for 'cnn', got ${h} x ${w}`);
  return new Sequential(
    new Conv2d(c, 16, 3, { padding: 1 }), new ReLU(), new MaxPool2d(2),
    new Conv2d(16, 32, 3, { padding: 1 }), new ReLU(), new MaxPool2d(2),
    new Flatten(), new Linear(32 * hh * ww, 128), new ReLU(), new Linear(128, outputs),
  );
}

/** The model in one line for the report: '20-128-64-1 ReLU MLP', 'LSTM forecaster (64 hidden units x 2 layers)'. */
export function describeModelSpec(spec: ModelSpec, shape: { inputShape: number[]; outputs: number }): string {
  checkShape('describeModelSpec', spec, shape);
  const features = shape.inputShape.reduce((a, b) => a * b, 1);
  if (spec.kind === 'mlp') return `${[features, ...spec.hidden, shape.outputs].join('-')} ReLU MLP`;
  if (spec.kind === 'lstm') return `LSTM forecaster (${spec.hidden[0]} hidden units x ${spec.layers} layer${spec.layers > 1 ? 's' : ''}, a linear head of ${shape.outputs})`;
  return `CNN (conv 3x3 ${shape.inputShape[0]}-16, max-pool, conv 3x3 16-32, max-pool, 128 units, ${shape.outputs} outputs)`;
}
