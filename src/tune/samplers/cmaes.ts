import type { Distribution, FrozenTrial, ParamValue, Sampler, SearchSpace, StudyView } from '../types.js';
import type { Generator } from '../../tensor/random.js';
import { TrialStreams, checkOptions, samplerSeed } from './options.js';
import { RandomSampler } from './random.js';
import { intersectionSearchSpace } from './searchSpace.js';
import { nextDown, roundHalfEven, snapToStep } from './transform.js';

/** Options of {@link CmaEsSampler}; names and defaults are Optuna's. */
export interface CmaEsSamplerOptions {
  /** The first mean, in parameter values (log parameters as values, not logs). Default: the middle of each range. */
  x0?: Record<string, number>;
  /** The first step size, in the sampler's space (log space for log parameters). Default: min(range) / 6. */
  sigma0?: number;
  /** Trials sampled by `independentSampler` before CMA-ES starts. Default 1. */
  nStartupTrials?: number;
  /** Samples the startup trials, categorical parameters and one-parameter spaces. Default: RandomSampler. */
  independentSampler?: Sampler;
  /** Seed of the sampler's generator (and of the default independent sampler). */
  seed?: number;
  /** Trials per generation (lambda). Default 4 + floor(3 ln n) for n parameters. */
  popsize?: number;
  /** Tell CMA-ES the last intermediate value of pruned trials too. Default false. */
  considerPrunedTrials?: boolean;
}

// One CMA-ES run over a box: the search distribution N(mean, sigma^2 C) and its evolution paths.
class Cma {
  readonly n: number;
  readonly lambda: number;
  generation = 0;
  private mean: Float64Array;
  private sigma: number;
  private readonly C: Float64Array[];
  private B: Float64Array[];
  private D: Float64Array;
  private readonly pSigma: Float64Array;
  private readonly pc: Float64Array;
  private readonly w: Float64Array;
  private readonly muEff: number;
  private readonly cSigma: number;
  private readonly dSigma: number;
  private readonly cc: number;
  private readonly c1: number;
  private readonly cmu: number;
  private readonly chiN: number;

  constructor(mean: Float64Array, sigma: number, readonly bounds: [number, number][], popsize: number | undefined) {
    const n = mean.length;
    this.n = n;
    this.mean = mean.slice();
    this.sigma = sigma;
    this.lambda = popsize ?? 4 + Math.floor(3 * Math.log(n));
    const mu = Math.floor(this.lambda / 2);
    // recombination weights w_i proportional to ln((lambda + 1) / 2) - ln i for the mu best
    const raw = Array.from({ length: mu }, (_, i) => Math.log((this.lambda + 1) / 2) - Math.log(i + 1));
    const sum = raw.reduce((a, b) => a + b, 0);
    this.w = Float64Array.from(raw, (v) => v / sum);
    this.muEff = 1 / this.w.reduce((a, v) => a + v * v, 0);
    const me = this.muEff;
    this.cSigma = (me + 2) / (n + me + 5);
    this.dSigma = 1 + 2 * Math.max(0, Math.sqrt((me - 1) / (n + 1)) - 1) + this.cSigma;
    this.cc = (4 + me / n) / (n + 4 + (2 * me) / n);
    this.c1 = 2 / ((n + 1.3) ** 2 + me);
    this.cmu = Math.min(1 - this.c1, (2 * (me - 2 + 1 / me)) / ((n + 2) ** 2 + me));
    this.chiN = Math.sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n * n));
    this.C = Array.from({ length: n }, (_, i) => Float64Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
    this.B = this.C.map((r) => r.slice());
    this.D = new Float64Array(n).fill(1);
    this.pSigma = new Float64Array(n);
    this.pc = new Float64Array(n);
  }

  /** x = mean + sigma B D z with z ~ N(0, I), redrawn (up to 100 times) until inside the box, then clipped. */
  ask(rng: Generator): Float64Array {
    const n = this.n;
    const x = new Float64Array(n);
    for (let attempt = 0; attempt < 100; attempt++) {
      const dz = Float64Array.from({ length: n }, (_, k) => this.D[k] * rng.normal());
      for (let i = 0; i < n; i++) {
        let y = 0;
        for (let k = 0; k < n; k++) y += this.B[i][k] * dz[k];
        x[i] = this.mean[i] + this.sigma * y;
      }
      if (x.every((v, i) => v >= this.bounds[i][0] && v <= this.bounds[i][1])) return x;
    }
    return x.map((v, i) => Math.min(Math.max(v, this.bounds[i][0]), this.bounds[i][1]));
  }

  /** One generation's update from lambda (x, value) pairs, smaller values better. */
  tell(solutions: { x: Float64Array; value: number }[]): void {
    const n = this.n;
    const sorted = [...solutions].sort((a, b) => a.value - b.value);
    this.generation++;
    const ys = sorted.slice(0, this.w.length).map((s) => s.x.map((v, i) => (v - this.mean[i]) / this.sigma));
    const yw = new Float64Array(n);
    ys.forEach((y, k) => y.forEach((v, i) => (yw[i] += this.w[k] * v)));
    for (let i = 0; i < n; i++) this.mean[i] += this.sigma * yw[i]; // m <- m + sigma y_w
    // C^(-1/2) y_w = B D^-1 B^T y_w
    const bty = new Float64Array(n);
    for (let k = 0; k < n; k++) for (let i = 0; i < n; i++) bty[k] += this.B[i][k] * yw[i];
    const cInvSqrtY = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) cInvSqrtY[i] += (this.B[i][k] * bty[k]) / this.D[k];
    const ps = Math.sqrt(this.cSigma * (2 - this.cSigma) * this.muEff);
    for (let i = 0; i < n; i++) this.pSigma[i] = (1 - this.cSigma) * this.pSigma[i] + ps * cInvSqrtY[i];
    const psNorm = Math.hypot(...this.pSigma);
    // h_sigma stalls the rank-one update while p_sigma is long (a step-size increase is still under way)
    const hSigma = psNorm / Math.sqrt(1 - (1 - this.cSigma) ** (2 * (this.generation + 1))) < (1.4 + 2 / (n + 1)) * this.chiN ? 1 : 0;
    const pcf = hSigma * Math.sqrt(this.cc * (2 - this.cc) * this.muEff);
    for (let i = 0; i < n; i++) this.pc[i] = (1 - this.cc) * this.pc[i] + pcf * yw[i];
    const delta = (1 - hSigma) * this.cc * (2 - this.cc);
    // C <- (1 + c1 delta - c1 - cmu) C + c1 pc pc^T + cmu sum_k w_k y_k y_k^T
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let rankMu = 0;
        ys.forEach((y, k) => (rankMu += this.w[k] * y[i] * y[j]));
        this.C[i][j] = (1 + this.c1 * delta - this.c1 - this.cmu) * this.C[i][j] + this.c1 * this.pc[i] * this.pc[j] + this.cmu * rankMu;
      }
    }
    this.sigma *= Math.exp((this.cSigma / this.dSigma) * (psNorm / this.chiN - 1));
    const { vectors, values } = jacobiEigen(this.C);
    this.B = vectors;
    this.D = values.map((v) => Math.sqrt(Math.max(v, 1e-30)));
  }
}

/** Eigenvalues and eigenvectors (as columns) of a symmetric matrix by cyclic Jacobi rotations. */
export function jacobiEigen(matrix: readonly Float64Array[]): { values: Float64Array; vectors: Float64Array[] } {
  const n = matrix.length;
  const a = matrix.map((r) => r.slice());
  const v = Array.from({ length: n }, (_, i) => Float64Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += a[i][j] * a[i][j];
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(a[p][q]) < 1e-300) continue;
        // the rotation angle that zeroes a[p][q]
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k][p];
          const akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p][k];
          const aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k][p];
          const vkq = v[k][q];
          v[k][p] = c * vkp - s * vkq;
          v[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: Float64Array.from({ length: n }, (_, i) => a[i][i]), vectors: v };
}

// The box CMA-ES searches: log space for log parameters, [low - step/2, high + step/2] for stepped ones.
function boundsOf(d: Distribution): [number, number] {
  if (d.type === 'categorical') throw new TypeError('CmaEsSampler: expected a numerical distribution, got categorical');
  const half = d.type === 'int' ? 0.5 * d.step : d.step !== null ? 0.5 * d.step : 0;
  if (d.log) return d.type === 'int' ? [Math.log(d.low - 0.5), Math.log(d.high + 0.5)] : [Math.log(d.low), Math.log(d.high)];
  return [d.low - half, d.high + half];
}

function toBox(d: Distribution, v: number): number {
  return d.type !== 'categorical' && d.log ? Math.log(v) : v;
}

function fromBox(d: Distribution, v: number): number {
  if (d.type === 'categorical') throw new TypeError('CmaEsSampler: expected a numerical distribution, got categorical');
  if (d.type === 'int') return d.log ? Math.min(Math.max(roundHalfEven(Math.exp(v)), d.low), d.high) : snapToStep(v, d.low, d.high, d.step);
  if (d.log) return Math.max(d.low, Math.min(Math.exp(v), nextDown(d.high)));
  if (d.step !== null) return snapToStep(v, d.low, d.high, d.step);
  return Math.max(d.low, Math.min(v, nextDown(d.high)));
}

interface Run {
  key: string;
  cma: Cma;
  /** trial number -> the generation it was sampled for */
  generationOf: Map<number, number>;
}

/**
 * CMA-ES (Hansen and Ostermeier, 2001): an evolution strategy that adapts a multivariate normal search
 * distribution N(m, sigma^2 C) to the objective, for continuous and integer parameters modelled jointly.
 *
 * Each generation draws lambda = 4 + floor(3 ln n) points from the distribution (one trial each). When all of a
 * generation's trials are complete, it ranks them and moves:
 * - the mean m to a weighted average of the best mu = lambda/2 points (weights ln((lambda+1)/2) - ln i);
 * - the covariance C towards the directions of those successful steps: a rank-mu update from this generation's
 *   steps and a rank-one update along the evolution path p_c (the steps' running sum, which remembers a
 *   consistent direction across generations);
 * - the step size sigma by comparing the length of a second path p_sigma with its expected length under random
 *   selection: longer means consecutive steps agree, so take bigger ones; shorter, smaller.
 * Parameters live in a box (log space for `log` ones; integer and stepped ones widened by half a step and rounded
 * on the way out); points outside it are redrawn. Categorical parameters, a space of one parameter and the first
 * `nStartupTrials` trials go to `independentSampler`.
 *
 * ```ts
 * const study = await createStudy({ sampler: new CmaEsSampler({ seed: 0 }) });
 * ```
 * After Optuna's `CmaEsSampler` (3.1, which drives the `cmaes` package): the same defaults (mean at the middle of
 * the box, sigma0 = min(range) / 6, one startup trial), the same parameter space and generation bookkeeping. The
 * update is the textbook (Hansen's tutorial) one with positive weights only, where `cmaes` adds negative weights
 * (active CMA). The distribution lives in the sampler object, so a study run from several processes does not share
 * it (Optuna stores it in the trials' system attributes). Restarts, separable CMA and warm starts are not offered.
 */
export class CmaEsSampler implements Sampler {
  private readonly x0: Record<string, number> | null;
  private readonly sigma0: number | null;
  private readonly nStartupTrials: number;
  private readonly independentSampler: Sampler;
  private readonly popsize: number | undefined;
  private readonly considerPrunedTrials: boolean;
  private readonly streams: TrialStreams;
  private readonly runs = new Map<string, Run>();

  constructor(options: CmaEsSamplerOptions = {}) {
    checkOptions('CmaEsSampler', options, { x0: 'object', sigma0: 'positiveNumber', nStartupTrials: 'nonNegativeInt', independentSampler: 'object', seed: 'seed', popsize: 'positiveInt', considerPrunedTrials: 'boolean' });
    if (options.popsize !== undefined && options.popsize < 2) throw new RangeError(`CmaEsSampler: expected popsize >= 2, got ${options.popsize}`);
    for (const [name, v] of Object.entries(options.x0 ?? {})) {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`CmaEsSampler: expected x0.${name} to be a finite number, got ${String(v)}`);
    }
    this.x0 = options.x0 ?? null;
    this.sigma0 = options.sigma0 ?? null;
    this.nStartupTrials = options.nStartupTrials ?? 1;
    const seed = samplerSeed(options.seed);
    this.streams = new TrialStreams(seed);
    this.independentSampler = options.independentSampler ?? new RandomSampler({ seed });
    this.popsize = options.popsize;
    this.considerPrunedTrials = options.considerPrunedTrials ?? false;
  }

  inferRelativeSearchSpace(study: StudyView): SearchSpace {
    const out: SearchSpace = {};
    for (const [name, d] of Object.entries(intersectionSearchSpace(study, false))) if (d.type !== 'categorical') out[name] = d;
    return out;
  }

  sampleRelative(study: StudyView, trial: FrozenTrial, space: SearchSpace): Record<string, ParamValue> {
    singleObjective(study);
    const names = Object.keys(space).sort();
    if (names.length < 2) return {};
    const done = this.finished(study);
    if (done.length < this.nStartupTrials) return {};
    const key = JSON.stringify(names.map((n) => [n, space[n]]));
    let run = this.runs.get(study.studyName);
    if (run === undefined || run.key !== key) {
      const bounds = names.map((n) => boundsOf(space[n]));
      const mean = Float64Array.from(names, (n, i) => (this.x0 && n in this.x0 ? toBox(space[n], this.x0[n]) : (bounds[i][0] + bounds[i][1]) / 2));
      const sigma = this.sigma0 ?? Math.min(...bounds.map(([lo, hi]) => (hi - lo) / 6));
      run = { key, cma: new Cma(mean, sigma, bounds, this.popsize), generationOf: new Map() };
      this.runs.set(study.studyName, run);
    }
    const cma = run.cma;
    const sign = study.direction === 'minimize' ? 1 : -1;
    const ofThisGeneration = done.filter((t) => run!.generationOf.get(t.number) === cma.generation);
    if (ofThisGeneration.length >= cma.lambda) {
      cma.tell(ofThisGeneration.slice(0, cma.lambda).map((t) => ({ x: Float64Array.from(names, (n) => toBox(space[n], t.params[n] as number)), value: sign * this.valueOf(t) })));
    }
    const x = cma.ask(this.streams.of(trial.number));
    run.generationOf.set(trial.number, cma.generation);
    const out: Record<string, ParamValue> = {};
    names.forEach((n, i) => (out[n] = fromBox(space[n], x[i])));
    return out;
  }

  sampleIndependent(study: StudyView, trial: FrozenTrial, paramName: string, distribution: Distribution): ParamValue {
    singleObjective(study);
    return this.independentSampler.sampleIndependent(study, trial, paramName, distribution);
  }

  private finished(study: StudyView): readonly FrozenTrial[] {
    return study.getTrials({ states: this.considerPrunedTrials ? ['complete', 'pruned'] : ['complete'] }).filter((t) => t.state === 'complete' || t.intermediateValues.size > 0);
  }

  // a complete trial's value; a pruned one's last reported value
  private valueOf(t: FrozenTrial): number {
    if (t.state === 'complete') return t.value as number;
    let step = -Infinity;
    let v = NaN;
    for (const [s, x] of t.intermediateValues) if (s > step) [step, v] = [s, x];
    return v;
  }
}

// CMA-ES ranks trials by one value: Optuna's _raise_error_if_multi_objective
function singleObjective(study: StudyView): void {
  const n = study.directions.length;
  if (n > 1) throw new TypeError(`CmaEsSampler: expected a single-objective study, got ${n} objectives (If the study is being used for multi-objective optimization, CmaEsSampler cannot be used.)`);
}
