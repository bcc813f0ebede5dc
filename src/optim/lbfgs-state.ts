import { describe } from '../format/number.js';

/** LBFGS's one state (torch keeps it under the first parameter), torch's names in camelCase. */
export interface LBFGSState {
  funcEvals: number;
  nIter: number;
  d?: Float32Array;
  t?: number;
  oldDirs?: Float32Array[];
  oldStps?: Float32Array[];
  ro?: number[];
  hDiag?: number;
  prevFlatGrad?: Float32Array;
  prevLoss?: number;
  al?: (number | null)[];
}

const COUNTERS = ['funcEvals', 'nIter'] as const;
const VECTORS = ['d', 'prevFlatGrad'] as const;
const LISTS = ['oldDirs', 'oldStps'] as const;
const NUMBERS = ['t', 'hDiag', 'prevLoss'] as const;

/**
 * A saved LBFGS state checked entry by entry (kinds, sizes: vectors as long as all parameters together, counters
 * non-negative integers, the history lists of one length), copied into typed arrays.
 */
export function checkState(saved: Record<string, unknown>, n: number, where: string): LBFGSState {
  const known = [...COUNTERS, ...VECTORS, ...LISTS, ...NUMBERS, 'ro', 'al'];
  const unknown = Object.keys(saved).filter((k) => !known.includes(k));
  if (unknown.length > 0) throw new RangeError(`${where}: expected the state to hold ${known.join(', ')}, got ${unknown.join(', ')}; is this state from another optimizer?`);
  const out: Record<string, unknown> = {};
  const vector = (v: unknown, what: string): Float32Array => {
    if (!(v instanceof Float32Array) && !(Array.isArray(v) && v.every((x) => typeof x === 'number'))) throw new TypeError(`${where}: expected ${what} to be a Float32Array or a list of numbers, got ${describe(v)}`);
    if (v.length !== n) throw new RangeError(`${where}: expected ${what} to have ${n} values (all parameters), got ${v.length}`);
    const a = Float32Array.from(v);
    if (!a.every(Number.isFinite)) throw new RangeError(`${where}: expected ${what} to be finite`);
    return a;
  };
  const finite = (v: unknown, what: string): number => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`${where}: expected ${what} to be a finite number, got ${describe(v)}`);
    return v;
  };
  for (const k of COUNTERS) {
    const v = saved[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new RangeError(`${where}: expected '${k}' to be a non-negative integer, got ${describe(v)}`);
    out[k] = v;
  }
  for (const k of VECTORS) if (k in saved) out[k] = vector(saved[k], `'${k}'`);
  for (const k of NUMBERS) if (k in saved) out[k] = finite(saved[k], `'${k}'`);
  for (const k of LISTS) {
    if (!(k in saved)) continue;
    const v = saved[k];
    if (!Array.isArray(v)) throw new TypeError(`${where}: expected '${k}' to be a list of vectors, got ${describe(v)}`);
    out[k] = v.map((x, i) => vector(x, `'${k}'[${i}]`));
  }
  if ('ro' in saved) {
    const v = saved.ro;
    if (!Array.isArray(v)) throw new TypeError(`${where}: expected 'ro' to be a list of numbers, got ${describe(v)}`);
    out.ro = v.map((x, i) => finite(x, `'ro'[${i}]`));
  }
  if ('al' in saved) {
    const v = saved.al;
    if (!Array.isArray(v)) throw new TypeError(`${where}: expected 'al' to be a list of numbers or nulls, got ${describe(v)}`);
    out.al = v.map((x, i) => (x === null ? null : finite(x, `'al'[${i}]`)));
  }
  const s = out as unknown as LBFGSState;
  // after an iteration torch has written all of these (only a step that stopped at once leaves the counters alone)
  const needed = ['d', 't', 'oldDirs', 'oldStps', 'ro', 'hDiag', 'prevFlatGrad', 'prevLoss'].filter((k) => !(k in out));
  if (s.nIter > 0 && needed.length > 0) throw new RangeError(`${where}: expected a state with nIter ${s.nIter} to hold ${needed.join(', ')} as well`);
  const lengths = [s.oldDirs?.length, s.oldStps?.length, s.ro?.length];
  if (lengths.some((l) => l !== lengths[0])) throw new RangeError(`${where}: expected oldDirs, oldStps and ro to be as long as each other, got ${lengths.map((l) => l ?? 'none').join(', ')}`);
  return s;
}

/** A deep copy (the vectors and lists are copied). */
export function copyState(s: LBFGSState): LBFGSState {
  const out: LBFGSState = { ...s };
  if (s.d) out.d = s.d.slice();
  if (s.prevFlatGrad) out.prevFlatGrad = s.prevFlatGrad.slice();
  if (s.oldDirs) out.oldDirs = s.oldDirs.map((v) => v.slice());
  if (s.oldStps) out.oldStps = s.oldStps.map((v) => v.slice());
  if (s.ro) out.ro = [...s.ro];
  if (s.al) out.al = [...s.al];
  return out;
}
