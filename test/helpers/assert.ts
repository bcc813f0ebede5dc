import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { Tensor } from '../../src/index.js';

export interface Tolerance {
  atol?: number;
  rtol?: number;
}

/**
 * Elementwise |actual - expected| <= atol + rtol * |expected|, NaN only where NaN is expected. The failure names
 * the label, the index, both values and the tolerance.
 */
export function assertClose(
  actual: ArrayLike<number> | Tensor | number,
  expected: ArrayLike<number> | Tensor | number,
  tol: Tolerance = {},
  label = 'values',
): void {
  const a = toArray(actual), e = toArray(expected);
  const atol = tol.atol ?? 1e-6, rtol = tol.rtol ?? 1e-5;
  assert.is(a.length, e.length, `${label}: expected ${e.length} values, got ${a.length}`);
  for (let i = 0; i < e.length; i++) {
    const ok = Number.isNaN(e[i]) ? Number.isNaN(a[i]) : a[i] === e[i] || Math.abs(a[i] - e[i]) <= atol + rtol * Math.abs(e[i]);
    if (!ok) {
      assert.unreachable(`${label}[${i}]: got ${a[i]}, expected ${e[i]} (|diff| ${Math.abs(a[i] - e[i])}, atol ${atol}, rtol ${rtol})`);
    }
  }
}

/** The largest difference in units of float32 epsilon relative to the expected magnitude (for reporting). */
export function maxRelError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < expected.length; i++) m = Math.max(m, Math.abs(actual[i] - expected[i]) / Math.max(1e-30, Math.abs(expected[i])));
  return m;
}

function toArray(x: ArrayLike<number> | Tensor | number): ArrayLike<number> {
  if (x instanceof Tensor) return x.data;
  if (typeof x === 'number') return [x];
  return x;
}

/** Asserts shapes are equal, with both in the message. */
export function assertShape(t: Tensor, shape: readonly number[], label = 'shape'): void {
  assert.equal([...t.shape], [...shape], `${label}: expected [${shape}], got [${t.shape}]`);
}

/** Reads a committed fixture from test/fixtures. */
export function fixture<T>(name: string): T {
  const text = readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new Error(`fixture ${name}: invalid JSON (${(err as Error).message.slice(0, 120)}); regenerate with npm run fixtures`);
  }
}

export interface TensorJSONFixture {
  shape: number[];
  data: number[];
}
