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

/** numpy's round: halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * low + u (high - low) for u in [0, 1]: the point a fraction u of the way from low to high. When high - low is
 * beyond the largest double (suggestFloat(-1e308, 1e308)) it is computed as (1 - u) low + u high, whose two
 * terms cannot overflow; otherwise as written, the same bits as Generator.uniform.
 */
export function lerp(low: number, high: number, u: number): number {
  const span = high - low;
  return Number.isFinite(span) ? low + span * u : (1 - u) * low + u * high;
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
