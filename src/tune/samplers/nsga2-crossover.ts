// The crossovers of NSGA-II: how a child's numeric parameters come from its parents'. Each works on the parents'
// parameters in the sampler's continuous space (log parameters as logs, integers widened by half a step) and
// returns one child. Optuna 3.1's samplers/nsgaii/_crossovers/.
import type { Generator } from '../../tensor/random.js';
import type { StudyView } from '../types.js';
import { checkOptions } from './options.js';

/**
 * A crossover: `nParents` parents' numeric parameters (one row per parent, one column per parameter, in the
 * sampler's continuous space whose per-parameter `[low, high]` are `bounds`) -> one child's. Optuna's BaseCrossover.
 */
export interface Crossover {
  readonly nParents: number;
  crossover(parentsParams: readonly (readonly number[])[], rng: Generator, study: StudyView, bounds: readonly (readonly [number, number])[]): number[];
}

// null stands for "the default" in the options that have one computed from the study; the generic check takes numbers
function withoutNull(options: object | undefined): object | undefined {
  if (options === null || typeof options !== 'object') return options;
  return Object.fromEntries(Object.entries(options).map(([k, v]) => [k, v === null ? undefined : v]));
}

function checkRange(fn: string, name: string, v: unknown, low: number, high: number): void {
  if (v === undefined || v === null) return;
  if (!(typeof v === 'number' && v >= low && v <= high)) throw new RangeError(`${fn}: expected ${name} in [${low}, ${high}], got ${String(v)}`);
}

// SBX's and vSBX's default distribution index: wide children for one objective, close ones for several
function defaultEta(study: StudyView): number {
  return study.directions.length > 1 ? 20 : 2;
}

// the child takes c1 or c2 with probability 1/4 each, else a parent's gene (x1 or x2 with probability 1/4 each)
function pickGenes(rng: Generator, c1: number[], c2: number[], x1: readonly number[], x2: readonly number[]): number[] {
  const child: number[] = [];
  for (let i = 0; i < c1.length; i++) {
    if (rng.random() < 0.5) child.push(rng.random() < 0.5 ? c1[i] : c2[i]);
    else child.push(rng.random() < 0.5 ? x1[i] : x2[i]);
  }
  return child;
}

/**
 * Uniform crossover (Syswerda, 1989): each parameter from the first parent with probability `swappingProb`, else
 * from the second (Optuna's mask `u >= swappingProb` picks the second). Matches optuna.samplers.nsgaii.UniformCrossover; NSGA-II applies it to categorical parameters
 * whatever the crossover.
 */
export class UniformCrossover implements Crossover {
  readonly nParents = 2;
  readonly swappingProb: number;

  constructor(options: { swappingProb?: number } = {}) {
    checkOptions('UniformCrossover', options, { swappingProb: 'nonNegativeNumber' });
    checkRange('UniformCrossover', 'swappingProb', options.swappingProb, 0, 1);
    this.swappingProb = options.swappingProb ?? 0.5;
  }

  crossover(parents: readonly (readonly number[])[], rng: Generator, _study: StudyView, bounds: readonly (readonly [number, number])[]): number[] {
    const masks = bounds.map(() => (rng.random() >= this.swappingProb ? 1 : 0));
    return masks.map((m, i) => parents[m][i]);
  }
}

/**
 * Blend crossover BLX-alpha (Eshelman and Schaffer, 1992): each parameter uniform in the parents' interval
 * widened by `alpha` times its length on both sides (default 0.5). Matches optuna.samplers.nsgaii.BLXAlphaCrossover.
 */
export class BLXAlphaCrossover implements Crossover {
  readonly nParents = 2;
  readonly alpha: number;

  constructor(options: { alpha?: number } = {}) {
    checkOptions('BLXAlphaCrossover', options, { alpha: 'nonNegativeNumber' });
    this.alpha = options.alpha ?? 0.5;
  }

  crossover(parents: readonly (readonly number[])[], rng: Generator, _study: StudyView, bounds: readonly (readonly [number, number])[]): number[] {
    const child: number[] = [];
    for (let i = 0; i < bounds.length; i++) {
      const lo = Math.min(parents[0][i], parents[1][i]);
      const hi = Math.max(parents[0][i], parents[1][i]);
      const diff = this.alpha * (hi - lo);
      const low = lo - diff;
      const high = hi + diff;
      child.push((high - low) * rng.random() + low);
    }
    return child;
  }
}

/**
 * Simulated binary crossover (Deb and Agrawal, 1995), bounded as Optuna bounds it: each parameter, with probability
 * 1/2, is one of SBX's two children (spread by the polynomial distribution of index `eta`, default 20 with several
 * objectives and 2 with one, kept inside the bounds), else one parent's. Matches optuna.samplers.nsgaii.SBXCrossover.
 */
export class SBXCrossover implements Crossover {
  readonly nParents = 2;
  readonly eta: number | null;

  constructor(options: { eta?: number | null } = {}) {
    checkOptions('SBXCrossover', withoutNull(options), { eta: 'nonNegativeNumber' });
    this.eta = options.eta ?? null;
  }

  crossover(parents: readonly (readonly number[])[], rng: Generator, study: StudyView, bounds: readonly (readonly [number, number])[]): number[] {
    const eta = this.eta ?? defaultEta(study);
    const n = bounds.length;
    const us = bounds.map(() => rng.random());
    const c1: number[] = [];
    const c2: number[] = [];
    for (let i = 0; i < n; i++) {
      const [xl, xu] = bounds[i];
      const xMin = Math.min(parents[0][i], parents[1][i]);
      const xMax = Math.max(parents[0][i], parents[1][i]);
      const xDiff = Math.max(xMax - xMin, 1e-10);
      // beta1, beta2: how far the bounds lie from the parents, in parent gaps; alpha caps the spread inside them
      const beta1 = 1 + (2 * (xMin - xl)) / xDiff;
      const beta2 = 1 + (2 * (xu - xMax)) / xDiff;
      const alpha1 = 2 - Math.pow(beta1, -(eta + 1));
      const alpha2 = 2 - Math.pow(beta2, -(eta + 1));
      const u = us[i];
      const betaq1 = u > 1 / alpha1 ? Math.pow(1 / (2 - u * alpha1), 1 / (eta + 1)) : Math.pow(u * alpha1, 1 / (eta + 1));
      const betaq2 = u > 1 / alpha2 ? Math.pow(1 / (2 - u * alpha2), 1 / (eta + 1)) : Math.pow(u * alpha2, 1 / (eta + 1));
      c1.push(0.5 * (xMin + xMax - betaq1 * xDiff));
      c2.push(0.5 * (xMin + xMax + betaq2 * xDiff));
    }
    return pickGenes(rng, c1, c2, parents[0], parents[1]);
  }
}

/**
 * vSBX (Ballester and Carter, 2003): SBX's polynomial spread without its excluded region, unbounded (children
 * outside the search space are drawn again by the sampler). Matches optuna.samplers.nsgaii.VSBXCrossover.
 */
export class VSBXCrossover implements Crossover {
  readonly nParents = 2;
  readonly eta: number | null;

  constructor(options: { eta?: number | null } = {}) {
    checkOptions('VSBXCrossover', withoutNull(options), { eta: 'nonNegativeNumber' });
    this.eta = options.eta ?? null;
  }

  crossover(parents: readonly (readonly number[])[], rng: Generator, study: StudyView, bounds: readonly (readonly [number, number])[]): number[] {
    const eta = this.eta ?? defaultEta(study);
    const [x1, x2] = parents;
    const c1: number[] = [];
    const c2: number[] = [];
    for (let i = 0; i < bounds.length; i++) {
      const u = rng.random();
      const beta1 = Math.pow(0.5 * u, 1 / (eta + 1));
      const beta2 = Math.pow(0.5 * (1 - u), 1 / (eta + 1));
      if (u > 0.5) {
        c1.push(0.5 * ((1 - beta1) * x1[i] + (1 + beta1) * x2[i]));
        c2.push(0.5 * (-(1 - beta2) * x1[i] + (3 - beta2) * x2[i]));
      } else {
        c1.push(0.5 * ((1 + beta1) * x1[i] + (1 - beta1) * x2[i]));
        c2.push(0.5 * ((3 - beta2) * x1[i] - (1 - beta2) * x2[i]));
      }
    }
    return pickGenes(rng, c1, c2, x1, x2);
  }
}

/**
 * Simplex crossover SPX (Tsutsui et al.), three parents: uniform in their simplex expanded about its centroid by
 * `epsilon` (default sqrt(number of parameters + 2)). Matches optuna.samplers.nsgaii.SPXCrossover.
 */
export class SPXCrossover implements Crossover {
  readonly nParents = 3;
  readonly epsilon: number | null;

  constructor(options: { epsilon?: number | null } = {}) {
    checkOptions('SPXCrossover', withoutNull(options), { epsilon: 'nonNegativeNumber' });
    this.epsilon = options.epsilon ?? null;
  }

  crossover(parents: readonly (readonly number[])[], rng: Generator, _study: StudyView, bounds: readonly (readonly [number, number])[]): number[] {
    const n = this.nParents - 1;
    const dim = bounds.length;
    const g = bounds.map((_, i) => parents.reduce((s, p) => s + p[i], 0) / parents.length); // G, the centroid
    const rs = Array.from({ length: n }, (_, k) => Math.pow(rng.random(), 1 / (k + 1)));
    const epsilon = this.epsilon ?? Math.sqrt(dim + 2);
    const xks = parents.map((p) => p.map((v, i) => g[i] + epsilon * (v - g[i])));
    let ck = new Array<number>(dim).fill(0);
    for (let k = 1; k < this.nParents; k++) ck = ck.map((c, i) => rs[k - 1] * (xks[k - 1][i] - xks[k][i] + c));
    return xks[this.nParents - 1].map((v, i) => v + ck[i]);
  }
}

function norm(v: readonly number[]): number {
  return Math.sqrt(v.reduce((s, x) => s + x * x, 0));
}

function dot(a: readonly number[], b: readonly number[]): number {
  return a.reduce((s, x, i) => s + x * b[i], 0);
}

/**
 * Unimodal normal distribution crossover UNDX (Kita, Ono and Kobayashi, 1999), three parents: normal about the
 * midpoint of the first two, along their line with scale `sigmaXi` (default 0.5) and across it with `sigmaEta`
 * (default 0.35 / sqrt(number of parameters)) times the third parent's distance to that line. As Optuna does, the
 * normal draws take sigma^2 as their standard deviation. Matches optuna.samplers.nsgaii.UNDXCrossover (the
 * orthonormal basis across the line comes from Gram-Schmidt, Optuna's from a QR factorization: a rotation of it,
 * which leaves the child's distribution unchanged).
 */
export class UNDXCrossover implements Crossover {
  readonly nParents = 3;
  readonly sigmaXi: number;
  readonly sigmaEta: number | null;

  constructor(options: { sigmaXi?: number; sigmaEta?: number | null } = {}) {
    checkOptions('UNDXCrossover', withoutNull(options), { sigmaXi: 'nonNegativeNumber', sigmaEta: 'nonNegativeNumber' });
    this.sigmaXi = options.sigmaXi ?? 0.5;
    this.sigmaEta = options.sigmaEta ?? null;
  }

  crossover(parents: readonly (readonly number[])[], rng: Generator, _study: StudyView, bounds: readonly (readonly [number, number])[]): number[] {
    const n = bounds.length;
    const [x1, x2, x3] = parents;
    const xp = x1.map((v, i) => (v + x2[i]) / 2);
    const d = x1.map((v, i) => v - x2[i]);
    const sigmaEta = this.sigmaEta ?? 0.35 / Math.sqrt(n);
    const etas = Array.from({ length: n }, () => rng.normal(0, sigmaEta ** 2));
    const xi = rng.normal(0, this.sigmaXi ** 2);
    const child = xp.map((v, i) => v + xi * d[i]);
    if (n === 1) return child; // no direction across the line
    const v12 = x2.map((v, i) => v - x1[i]);
    const e12 = v12.map((v) => v / Math.max(norm(v12), 1e-10));
    const v13 = x3.map((v, i) => v - x1[i]);
    const along = dot(v13, e12);
    const distance = norm(v13.map((v, i) => v - along * e12[i])); // D, from x3 to the line
    const basis = orthonormalComplement(e12);
    for (let k = 0; k < n - 1; k++) for (let i = 0; i < n; i++) child[i] += distance * etas[k] * basis[k][i];
    return child;
  }
}

// n - 1 orthonormal vectors orthogonal to e (or to the first axis when e = 0, as Optuna's identity basis), by
// Gram-Schmidt over e and the unit vectors, skipping those already spanned
function orthonormalComplement(e: readonly number[]): number[][] {
  const n = e.length;
  const first = norm(e) > 0 ? e.map((v) => v / norm(e)) : e.map((_, i) => (i === 0 ? 1 : 0));
  const kept: number[][] = [first];
  for (let j = 0; j < n && kept.length < n; j++) {
    const v = e.map((_, i) => (i === j ? 1 : 0));
    for (const q of kept) {
      const p = dot(v, q);
      for (let i = 0; i < n; i++) v[i] -= p * q[i];
    }
    const len = norm(v);
    if (len > 1e-8) kept.push(v.map((x) => x / len));
  }
  return kept.slice(1);
}
