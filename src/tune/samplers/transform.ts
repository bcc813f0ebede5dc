// How samplers see parameters: the internal representation (a number; a categorical choice becomes its index),
// log space, step rounding, and whether two distributions are the same. Optuna's to_internal_repr /
// to_external_repr and _transform.py, for samplers only.
import type { Distribution, ParamValue } from '../types.js';

/** A parameter value as a sampler computes with it: numbers as they are, a categorical choice as its index. */
export function toInternal(d: Distribution, value: ParamValue): number {
  if (d.type !== 'categorical') return value as number;
  const i = d.choices.findIndex((c) => c === value || (Number.isNaN(c) && Number.isNaN(value)));
  if (i < 0) throw new RangeError(`toInternal: expected one of ${JSON.stringify(d.choices)}, got ${JSON.stringify(value)}`);
  return i;
}

/** The value the objective receives: an index becomes its choice, an int distribution's value an integer. */
export function toExternal(d: Distribution, internal: number): ParamValue {
  if (d.type === 'categorical') return d.choices[internal];
  if (d.type === 'int') return Math.round(internal);
  return internal;
}

/** A distribution with only one possible value (Optuna's `single()`): samplers leave it out of joint spaces. */
export function isSingle(d: Distribution): boolean {
  if (d.type === 'categorical') return d.choices.length === 1;
  if (d.low === d.high) return true;
  if (d.type === 'float' && d.step !== null) return d.high - d.low < d.step;
  if (d.type === 'int') return d.high - d.low < d.step;
  return false;
}

/** True when both describe the same search range (Optuna compares distributions by value). */
export function sameDistribution(a: Distribution, b: Distribution | undefined): boolean {
  if (b === undefined || a.type !== b.type) return false;
  if (a.type === 'categorical') {
    const bc = (b as typeof a).choices;
    return a.choices.length === bc.length && a.choices.every((c, i) => c === bc[i] || (Number.isNaN(c) && Number.isNaN(bc[i])));
  }
  const bn = b as typeof a;
  return a.low === bn.low && a.high === bn.high && a.log === bn.log && a.step === bn.step;
}

/** numpy's round: halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Snaps v to the grid low, low + step, ... and clips it to [low, high]. */
export function snapToStep(v: number, low: number, high: number, step: number): number {
  return Math.min(Math.max(roundHalfEven((v - low) / step) * step + low, low), high);
}

/** The largest float below x (numpy.nextafter(x, -inf)); keeps a continuous sample inside [low, high). */
export function nextDown(x: number): number {
  if (x === 0) return -Number.MIN_VALUE;
  const buf = new Float64Array([x]);
  const bits = new BigInt64Array(buf.buffer);
  bits[0] += x > 0 ? -1n : 1n;
  return buf[0];
}
