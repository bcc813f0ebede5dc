import { readFileSync } from 'node:fs';
import { Tensor, type NestedArray } from '../tensor/tensor.js';
import { tensor } from '../tensor/creation.js';
import { writeFileAtomic } from '../io/atomic.js';
import type { Module, StateDict } from './module.js';
import { checkRecord } from '../format/check.js';
import { describe } from '../format/number.js';

/** On-disk form of a tensor: its shape and its float32 values as JSON numbers (which round-trip exactly). */
export interface TensorJSON {
  shape: number[];
  data: number[];
}

/** The model file lrlab writes. */
export interface ModelFile {
  format: 'lrlab.stateDict';
  version: 1;
  tensors: Record<string, TensorJSON>;
}

/** A state dict as plain JSON. */
export function stateDictToJSON(state: StateDict): Record<string, TensorJSON> {
  checkRecord('stateDictToJSON', 'a state dict', state);
  for (const [k, t] of Object.entries(state)) if (!(t instanceof Tensor)) throw new TypeError(`stateDictToJSON: expected '${k}' to be a Tensor, got ${describe(t)}`);
  const out: Record<string, TensorJSON> = {};
  for (const [k, t] of Object.entries(state)) out[k] = { shape: [...t.shape], data: Array.from(t.data) };
  return out;
}

/**
 * A state dict from JSON: either lrlab's `{ shape, data }` entries or nested arrays as PyTorch exports them
 * (`{k: v.tolist() for k, v in model.state_dict().items()}`), so PyTorch weights load as they are.
 */
export function stateDictFromJSON(json: unknown): StateDict {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new TypeError(`stateDictFromJSON: expected an object of tensors, got ${json === null ? 'null' : Array.isArray(json) ? 'an array' : typeof json}`);
  }
  const out: StateDict = {};
  for (const [k, v] of Object.entries(json as Record<string, unknown>)) {
    try {
      if (v !== null && typeof v === 'object' && !Array.isArray(v) && 'shape' in v && 'data' in v) {
        const { shape, data } = v as TensorJSON;
        if (!Array.isArray(data)) throw new TypeError(`expected data to be an array, got ${describe(data)}`);
        out[k] = tensor(data, { shape });
      } else {
        out[k] = tensor(v as NestedArray);
      }
    } catch (err) {
      throw new TypeError(`stateDictFromJSON: entry '${k}': ${(err as Error).message}`);
    }
  }
  return out;
}

/** Writes the model's parameters to `path` as JSON, atomically: a crash mid-write never leaves a broken file. */
export function saveModel(model: Module, path: string): void {
  if (typeof (model as Module | undefined)?.stateDict !== 'function') throw new TypeError(`saveModel: expected a model (a Module), got ${describe(model)}`);
  if (typeof path !== 'string' || path === '') throw new TypeError(`saveModel: expected a file path, got ${describe(path)}`);
  const file: ModelFile = { format: 'lrlab.stateDict', version: 1, tensors: stateDictToJSON(model.stateDict()) };
  try {
    writeFileAtomic(path, JSON.stringify(file));
  } catch (err) {
    throw new Error(`saveModel: ${(err as Error).message.replace(/^writeFileAtomic: /, '')}`);
  }
}

/**
 * Loads parameters saved by `saveModel` (or a PyTorch state dict exported as JSON) into `model`. Names and shapes
 * are checked before any value changes; on any error the model is left as it was.
 */
export function loadModel(model: Module, path: string): void {
  if (typeof (model as Module | undefined)?.loadStateDict !== 'function') throw new TypeError(`loadModel: expected a model (a Module), got ${describe(model)}`);
  if (typeof path !== 'string' || path === '') throw new TypeError(`loadModel: expected a file path, got ${describe(path)}`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`loadModel: cannot read '${path}': ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new SyntaxError(`loadModel: expected JSON in '${path}', got a parse error: ${(err as Error).message}`);
  }
  const body = (json as Partial<ModelFile>)?.format === 'lrlab.stateDict' ? (json as ModelFile).tensors : json;
  let state: StateDict;
  try {
    state = stateDictFromJSON(body);
  } catch (err) {
    throw new TypeError(`loadModel: in '${path}': ${(err as Error).message.replace(/^stateDictFromJSON: /, '')}`);
  }
  model.loadStateDict(state);
}

/**
 * Any value with Tensors and Float32Arrays inside (an optimizer's state dict, a checkpoint) as plain JSON;
 * `fromJSONValue` reverses it exactly.
 */
export function toJSONValue(value: unknown): unknown {
  if (value instanceof Tensor) return { $tensor: { shape: [...value.shape], data: Array.from(value.data) } };
  if (value instanceof Float32Array) return { $f32: Array.from(value) };
  if (Array.isArray(value)) return value.map(toJSONValue);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJSONValue(v)]));
  }
  return value;
}

/** The inverse of `toJSONValue`: Tensors and Float32Arrays restored exactly. */
export function fromJSONValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromJSONValue);
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if ('$f32' in o) return Float32Array.from(o.$f32 as number[]);
    if ('$tensor' in o) {
      const t = o.$tensor as TensorJSON;
      return tensor(t.data, { shape: t.shape });
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, fromJSONValue(v)]));
  }
  return value;
}
