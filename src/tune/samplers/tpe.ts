import type { Distribution, FrozenTrial, ParamValue, Sampler, SearchSpace, StudyView, TrialState } from '../types.js';
import { checkInteger } from '../../format/check.js';
import { TrialStreams, checkOptions, samplerSeed } from './options.js';
import { ParzenEstimator, defaultWeights, type ParzenParameters } from './parzen.js';
import { RandomSampler } from './random.js';
import { groupDecomposedSearchSpace, intersectionSearchSpace } from './searchSpace.js';
import { toExternal, toInternal } from './transform.js';
import { nonDominatedRanks } from '../multi-objective/dominates.js';
import { hypervolumeContributions, solveHssp } from '../multi-objective/hypervolume.js';

export { defaultWeights };

/** TPE's default split (Optuna's default_gamma): the best 10% of the finished trials, at most 25, are "good". */
export function defaultGamma(n: number): number {
  checkInteger('defaultGamma', 'n', n, 0);
  return Math.min(Math.ceil(0.1 * n), 25);
}

/** hyperopt's split (Optuna's hyperopt_default_gamma): ceil(sqrt(n) / 4), at most 25. */
export function hyperoptDefaultGamma(n: number): number {
  checkInteger('hyperoptDefaultGamma', 'n', n, 0);
  return Math.min(Math.ceil(0.25 * Math.sqrt(n)), 25);
}

/** Options of {@link TPESampler}; names and defaults are Optuna's. */
export interface TPESamplerOptions {
  /** Add a wide prior component (centre of the range, sigma = its width) to each estimator. Default true. */
  considerPrior?: boolean;
  /** The prior component's weight relative to an observation's. Default 1. */
  priorWeight?: number;
  /** Keep every sigma at least range / min(100, 1 + components) wide. Default true. */
  considerMagicClip?: boolean;
  /** Let the range ends count as neighbours when sizing the outermost components. Default false. */
  considerEndpoints?: boolean;
  /** Trials sampled at random before TPE starts modelling. Default 10. */
  nStartupTrials?: number;
  /** Candidates drawn from l(x) per decision; the one with the largest l(x)/g(x) wins. Default 24. */
  nEiCandidates?: number;
  /** n finished trials -> how many of them are "good". Default {@link defaultGamma}. */
  gamma?: (n: number) => number;
  /** n observations -> their weights, oldest first. Default {@link defaultWeights}. */
  weights?: (n: number) => ArrayLike<number>;
  /** Seed of the sampler's generator; without it, one is drawn from lrlab's global generator. */
  seed?: number;
  /** Model all parameters of the search space jointly (one multivariate estimator). Default false. */
  multivariate?: boolean;
  /** With `multivariate`: model each group of parameters that always occur together jointly. Default false. */
  group?: boolean;
  /** Count running trials as bad ("above") observations, so parallel workers spread out. Default false. */
  constantLiar?: boolean;
  /**
   * A complete or pruned trial -> its constraint values, each <= 0 when satisfied. Called after each such trial;
   * the values are stored in its `systemAttrs.constraints`. Feasible trials rank before infeasible ones, and these
   * by their summed violation. Default: none. Optuna's constraints_func.
   */
  constraintsFunc?: (trial: FrozenTrial) => readonly number[];
}

/** The system attribute that holds a trial's constraint values (Optuna's _CONSTRAINTS_KEY). */
export const CONSTRAINTS_KEY = 'constraints';

/** Optuna TPE's EPS: the reference point's floor and the weight of an infeasible good trial. */
const EPS = 1e-12;

// A trial's rank key, compared lexicographically: complete trials (-inf, value) first by value, then pruned ones
// by how far they got (-last step, last intermediate value), then pruned without reports (1, 0), then (with
// constantLiar) running ones (inf, inf). Values carry the direction's sign, so smaller is better; with several
// objectives a complete trial's score holds one signed value per objective (pruned and running trials are left out).
type Score = readonly [step: number, value: number | readonly number[]];

/**
 * What TPE takes from the finished trials whatever the parameters: one score per observed trial, the split into
 * good and bad, and (several objectives) the good trials' weights. The same for every parameter of one trial, so
 * it is worked out once per snapshot of the study (see `history`).
 */
interface History {
  /** The trials of the snapshot it was made from (getTrials' answer), to recognise that snapshot again. */
  source: readonly FrozenTrial[];
  /** The observed trials, in order: one per score. */
  trials: FrozenTrial[];
  scores: Score[];
  /** Per observation, its summed constraint violation (0 when feasible); null without a constraintsFunc. */
  violations: number[] | null;
  /** Observations that count (running trials under constantLiar do not). */
  n: number;
  /** [below, above], computed with the first parameter that needs them. */
  split: [number[], number[]] | null;
  /** With several objectives, the weight in l(x) of each `below` observation. */
  weightsBelow: number[] | null;
}

/**
 * The Tree-structured Parzen Estimator (Bergstra et al., 2011), as Optuna 3.1 runs it.
 *
 * TPE turns "where should I try next?" into a density ratio. After each finished trial it knows pairs
 * (x_i, y_i) of parameters and objective values. For a new trial it:
 *
 * 1. **Splits the past.** Sort the finished trials from best to worst and call the first gamma(n) of them *good*,
 *    the rest *bad*; by default gamma(n) = min(ceil(0.1 n), 25). A pruned trial counts as worse than every
 *    complete one; among pruned trials, one that got further (larger last step) ranks better, then by its last
 *    reported value.
 * 2. **Fits two densities.** l(x) is a Parzen estimator (a mixture of truncated normals) over the good trials'
 *    values, g(x) one over the bad trials' values. Each observation is one component centred on it; its sigma is
 *    the larger distance to its sorted neighbours, clipped to [range / min(100, 1 + components), range] (the "magic
 *    clip"), and a prior component (centre of the range, sigma = the range) with weight `priorWeight` keeps the
 *    estimator from collapsing. Older observations get smaller weights once there are more than 25. Log
 *    parameters are modelled in log space; stepped and integer ones as probability masses on their grid;
 *    categorical ones as a smoothed histogram of the choices.
 * 3. **Maximizes l(x)/g(x).** It draws `nEiCandidates` (24) candidates from l(x) and keeps the one with the
 *    largest log l(x) - log g(x). Bergstra et al. show that, for the gamma-quantile y* of the objective, the
 *    expected improvement E[max(y* - y, 0)] at x grows with l(x)/g(x): a point that looks like the good trials
 *    and unlike the bad ones is where improvement is likely.
 *
 * Until `nStartupTrials` (10) trials have finished, it samples at random instead. By default each parameter is
 * modelled on its own (`sampleIndependent`); with `multivariate` the parameters every finished trial shares are
 * modelled jointly, one component per trial over all of them (sigma = 0.2 n^(-1/(d+4)) times the range,
 * Scott's rule as in BOHB), which keeps correlations; `group` does this per group of parameters that always occur
 * together, for conditional search spaces. With `constantLiar`, trials still running count as bad observations
 * at their parameters, so parallel workers are pushed away from points already being evaluated.
 *
 * ```ts
 * const study = await createStudy({ direction: 'minimize', sampler: new TPESampler({ seed: 42 }) });
 * ```
 * **Constraints** (`constraintsFunc`): each complete or pruned trial's constraint values are stored in its
 * `systemAttrs.constraints`; the split puts feasible trials (every value <= 0) before infeasible ones, those by
 * their summed violation. **Several objectives** (a study with `directions`): only complete trials count; "good"
 * is whole non-dominated fronts, then a greedy hypervolume subset of the next front, and each good trial weighs
 * in l(x) by its hypervolume contribution (MOTPE, Ozaki et al., 2020).
 *
 * Matches `optuna.samplers.TPESampler` (3.1) option for option and in every step above, including a quirk of
 * its estimator: a numerical component's density is phi(z) / mass without the 1/sigma of a scaled normal. The
 * random streams differ (lrlab's generator is not NumPy's).
 */
export class TPESampler implements Sampler {
  private readonly parzen: ParzenParameters;
  private readonly nStartupTrials: number;
  private readonly nEiCandidates: number;
  private readonly gamma: (n: number) => number;
  private readonly multivariate: boolean;
  private readonly group: boolean;
  private readonly constantLiar: boolean;
  private readonly streams: TrialStreams;
  private readonly randomSampler: RandomSampler;
  private readonly constraintsFunc: ((trial: FrozenTrial) => readonly number[]) | null;

  constructor(options: TPESamplerOptions = {}) {
    checkOptions('TPESampler', options, {
      considerPrior: 'boolean',
      priorWeight: 'nonNegativeNumber',
      considerMagicClip: 'boolean',
      considerEndpoints: 'boolean',
      nStartupTrials: 'nonNegativeInt',
      nEiCandidates: 'positiveInt',
      gamma: 'function',
      weights: 'function',
      seed: 'seed',
      multivariate: 'boolean',
      group: 'boolean',
      constantLiar: 'boolean',
      constraintsFunc: 'function',
    });
    const o = options;
    if (o.group && !o.multivariate) throw new TypeError('TPESampler: expected multivariate: true with group: true, got multivariate: false');
    this.parzen = {
      considerPrior: o.considerPrior ?? true,
      priorWeight: o.priorWeight ?? 1.0,
      considerMagicClip: o.considerMagicClip ?? true,
      considerEndpoints: o.considerEndpoints ?? false,
      weights: o.weights ?? defaultWeights,
      multivariate: o.multivariate ?? false,
    };
    this.nStartupTrials = o.nStartupTrials ?? 10;
    this.nEiCandidates = o.nEiCandidates ?? 24;
    this.gamma = o.gamma ?? defaultGamma;
    this.multivariate = o.multivariate ?? false;
    this.group = o.group ?? false;
    this.constantLiar = o.constantLiar ?? false;
    this.constraintsFunc = o.constraintsFunc ?? null;
    // as Optuna: one generator for TPE's draws and a random sampler with the same seed for the startup trials
    const seed = samplerSeed(o.seed);
    this.streams = new TrialStreams(seed);
    this.randomSampler = new RandomSampler({ seed });
  }

  inferRelativeSearchSpace(study: StudyView, _trial: FrozenTrial): SearchSpace {
    if (!this.multivariate) return {};
    if (!this.group) return intersectionSearchSpace(study);
    const out: SearchSpace = {};
    for (const g of groupDecomposedSearchSpace(study)) Object.assign(out, g);
    return out;
  }

  sampleRelative(study: StudyView, trial: FrozenTrial, searchSpace: SearchSpace): Record<string, ParamValue> {
    if (!this.group) return this.sampleJointly(study, trial, searchSpace) ?? {};
    const out: Record<string, ParamValue> = {};
    for (const g of groupDecomposedSearchSpace(study)) {
      const sub: SearchSpace = {};
      for (const name of Object.keys(g)) if (name in searchSpace) sub[name] = g[name];
      Object.assign(out, this.sampleJointly(study, trial, sub) ?? {});
    }
    return out;
  }

  sampleIndependent(study: StudyView, trial: FrozenTrial, paramName: string, distribution: Distribution): ParamValue {
    const sampled = this.sampleJointly(study, trial, { [paramName]: distribution });
    if (sampled === null) return this.randomSampler.sampleIndependent(study, trial, paramName, distribution);
    return sampled[paramName];
  }

  // Steps 1-3 of the class comment over `space`; null while fewer than nStartupTrials trials have finished.
  private sampleJointly(study: StudyView, trial: FrozenTrial, space: SearchSpace): Record<string, ParamValue> | null {
    const names = Object.keys(space);
    if (names.length === 0) return {};
    const h = this.history(study);
    if (h.n < this.nStartupTrials) return null;
    const { scores, violations } = h;
    h.split ??= splitObservations(scores, this.gamma(h.n), violations);
    const [below, above] = h.split;
    const values: Record<string, (number | null)[]> = {};
    for (const name of names) values[name] = h.trials.map((t) => internalValue(t, name, space[name]));
    // a float range wider than the largest double (suggestFloat(-1e308, 1e308)) gives the estimator infinite
    // widths: it is modelled at a quarter of its scale (a power of two, so exact) and the proposal scaled back
    const scale: Record<string, number> = {};
    const modelled: SearchSpace = {};
    for (const name of names) {
      const d = space[name];
      const wide = d.type === 'float' && !Number.isFinite(d.high - d.low);
      scale[name] = wide ? 0.25 : 1;
      modelled[name] = wide ? { ...d, low: d.low * 0.25, high: d.high * 0.25 } : d;
    }
    // a trial missing one of the parameters (conditional spaces, running trials) is left out
    const has = (i: number) => names.every((name) => values[name][i] !== null);
    const pick = (indices: number[]): Record<string, Float64Array> => {
      const kept = indices.filter(has);
      const out: Record<string, Float64Array> = {};
      for (const name of names) out[name] = Float64Array.from(kept, (i) => (values[name][i] as number) * scale[name]);
      return out;
    };
    let weightsBelow: Float64Array | undefined;
    if (study.directions.length > 1) {
      h.weightsBelow ??= weightsBelowMultiObjective(scores, below, violations);
      const all = h.weightsBelow;
      weightsBelow = Float64Array.from(below.flatMap((i, k) => (has(i) ? [all[k]] : [])));
    }
    const l = new ParzenEstimator(pick(below), modelled, this.parzen, weightsBelow);
    const g = new ParzenEstimator(pick(above), modelled, this.parzen);
    const candidates = l.sample(this.streams.of(trial.number), this.nEiCandidates);
    const logL = l.logPdf(candidates);
    const logG = g.logPdf(candidates);
    let best = 0;
    for (let i = 1; i < logL.length; i++) if (logL[i] - logG[i] > logL[best] - logG[best]) best = i;
    const out: Record<string, ParamValue> = {};
    for (const name of names) {
      const d = space[name];
      const x = candidates[name][best] / scale[name];
      out[name] = toExternal(d, d.type === 'float' && scale[name] !== 1 ? Math.min(Math.max(x, d.low), d.high) : x);
    }
    return out;
  }

  // The History of the study's current snapshot: kept from the last call while getTrials gives the same trial
  // objects (a snapshot's FrozenTrials are not changed; a refresh or a pruner's write gives new ones), else made.
  private last: History | null = null;
  private history(study: StudyView): History {
    const states: TrialState[] = this.constantLiar ? ['complete', 'pruned', 'running'] : ['complete', 'pruned'];
    const source = study.getTrials({ states });
    const last = this.last;
    if (last !== null && last.source.length === source.length && last.source.every((t, i) => t === source[i])) return last;
    this.last = { ...this.observations(study, source), source, split: null, weightsBelow: null };
    return this.last;
  }

  // Optuna's _get_observation_pairs: one score per complete / pruned (/ running) trial; each parameter's internal
  // value in that trial (null when the trial lacks it or had it from a different kind of distribution) is read
  // from `trials` by sampleJointly.
  private observations(study: StudyView, source: readonly FrozenTrial[]): Pick<History, 'trials' | 'scores' | 'violations' | 'n'> {
    const signs = study.directions.map((d) => (d === 'minimize' ? 1 : -1));
    const sign = signs[0];
    const multi = signs.length > 1;
    const trials: FrozenTrial[] = [];
    const scores: Score[] = [];
    const violations: number[] | null = this.constraintsFunc ? [] : null;
    for (const t of source) {
      if (t.state === 'complete') {
        if (t.values === null) continue;
        const v = t.values;
        scores.push([-Infinity, multi ? v.map((x, k) => signs[k] * x) : sign * v[0]]);
      } else if (multi) {
        continue; // multi-objective TPE uses complete trials only, as Optuna
      } else if (t.state === 'pruned') {
        let step = -Infinity;
        let last = NaN;
        for (const [s, v] of t.intermediateValues) if (s > step) [step, last] = [s, v];
        if (step === -Infinity) scores.push([1, 0]);
        else scores.push([-step, Number.isNaN(last) ? Infinity : sign * last]);
      } else if (t.state === 'running') {
        scores.push([Infinity, Infinity]);
      } else continue;
      trials.push(t);
      if (violations !== null) {
        // a trial without constraint values (it ran before the sampler, or its function threw) ranks last
        const c = t.systemAttrs[CONSTRAINTS_KEY];
        if (t.state === 'running' || !Array.isArray(c)) violations.push(Infinity);
        else violations.push(c.reduce((acc: number, x: number) => (x > 0 ? acc + x : acc), 0));
      }
    }
    let n = 0;
    for (const s of scores) if (s[0] < Infinity) n++; // running trials (constantLiar) do not count
    return { trials, scores, violations, n };
  }

  /**
   * Computes the trial's constraint values with `constraintsFunc` (complete and pruned trials) and keeps them in
   * `trial.systemAttrs.constraints`, which the study stores with the trial. NaN among them is an error, after
   * storing null there, as Optuna's _process_constraints_after_trial.
   */
  afterTrial(study: StudyView, trial: FrozenTrial & { systemAttrs: Record<string, unknown> }, state: TrialState, values: readonly number[] | null): void {
    if (this.constraintsFunc !== null && (state === 'complete' || state === 'pruned')) {
      trial.systemAttrs[CONSTRAINTS_KEY] = null;
      const c = this.constraintsFunc(trial);
      if (!Array.isArray(c) || c.some((x) => typeof x !== 'number')) {
        throw new TypeError(`TPESampler: expected constraintsFunc to return an array of numbers, got ${Array.isArray(c) ? JSON.stringify(c) : typeof c} for trial ${trial.number}`);
      }
      if (c.some((x) => Number.isNaN(x))) throw new RangeError(`TPESampler: expected constraint values that are not NaN, got [${c.join(', ')}] for trial ${trial.number} (Constraint values cannot be NaN.)`);
      trial.systemAttrs[CONSTRAINTS_KEY] = [...c];
    }
    void study;
    void values;
  }
}

function internalValue(t: FrozenTrial, name: string, d: Distribution): number | null {
  if (!(name in t.params)) return null;
  const own = t.distributions[name];
  if (own === undefined || own.type !== d.type) return null;
  if (d.type === 'categorical') {
    // an index only means the same choice under the same list of choices
    const i = d.choices.indexOf(t.params[name] as never);
    return i < 0 ? null : i;
  }
  return toInternal(own, t.params[name]);
}

/**
 * Optuna's _split_observation_pairs: the nBelow best observations are "below" (good), the rest "above".
 * - With `violations` (a constraintsFunc): feasible trials (violation 0) rank first, infeasible ones by their
 *   summed violation; when the feasible ones fill "below", they are split among themselves as below.
 * - One objective: scores sorted lexicographically (step, value), ties by trial order.
 * - Several: whole non-dominated fronts (rank 0, 1, ...) while they fit, then the rest of "below" from the next
 *   front by greedy hypervolume subset selection, against the reference max(1.1 w, 0.9 w) of that front's worst
 *   point w (0 replaced by 1e-12).
 * Both lists come back in trial order, except "below" with several objectives and no constraints, which keeps
 * the order of selection (as Optuna; it decides which component of l(x) is which).
 */
export function splitObservations(scores: readonly Score[], nBelow: number, violations: readonly number[] | null = null): [number[], number[]] {
  const cmp = (a: number, b: number) => a - b;
  if (violations !== null) {
    const idx = Array.from(violations.keys()).sort((a, b) => violations[a] - violations[b] || a - b);
    if (nBelow >= idx.length || violations[idx[nBelow]] > 0) return [idx.slice(0, nBelow).sort(cmp), idx.slice(nBelow).sort(cmp)];
    const feasible = idx.filter((i) => violations[i] === 0).sort(cmp);
    const infeasible = idx.filter((i) => violations[i] > 0).sort(cmp);
    const [fb, fa] = splitObservations(feasible.map((i) => scores[i]), nBelow, null);
    return [fb.map((k) => feasible[k]).sort(cmp), [...fa.map((k) => feasible[k]), ...infeasible].sort(cmp)];
  }
  const nObjectives = scores.length > 0 && Array.isArray(scores[0][1]) ? (scores[0][1] as readonly number[]).length : 1;
  if (nObjectives <= 1) {
    const first = (s: Score) => (Array.isArray(s[1]) ? (s[1] as readonly number[])[0] : (s[1] as number));
    const byNumber = (x: number, y: number) => (x < y ? -1 : x > y ? 1 : 0); // infinities compare, never subtract
    const order = Array.from(scores.keys()).sort((a, b) => byNumber(scores[a][0], scores[b][0]) || byNumber(first(scores[a]), first(scores[b])) || a - b);
    return [order.slice(0, nBelow).sort(cmp), order.slice(nBelow).sort(cmp)];
  }
  const lvals = scores.map((s) => s[1] as readonly number[]);
  const ranks = nonDominatedRanks(lvals, lvals[0].map(() => 'minimize' as const));
  const below: number[] = [];
  let rank = 0;
  for (;;) {
    const front = ranks.flatMap((r, i) => (r === rank ? [i] : []));
    if (front.length === 0) break; // a gamma asking for more trials than there are
    if (below.length >= nBelow || below.length + front.length > nBelow) {
      const subsetSize = nBelow - below.length;
      if (subsetSize > 0) {
        const points = front.map((i) => lvals[i]);
        const reference = points[0].map((_, k) => {
          let worst = -Infinity;
          for (const p of points) worst = Math.max(worst, p[k]);
          const r = Math.max(1.1 * worst, 0.9 * worst);
          return r === 0 ? EPS : r;
        });
        below.push(...solveHssp(points, front, subsetSize, reference));
      }
      break;
    }
    below.push(...front);
    rank++;
  }
  const taken = new Set(below);
  return [below, Array.from(scores.keys()).filter((i) => !taken.has(i))];
}

/**
 * Optuna's _calculate_weights_below_for_multi_objective: each good trial's weight in l(x) is its hypervolume
 * contribution among the feasible good trials (plus 1e-12), over the largest, clipped to [0, 1] (1 when it is the
 * only one); infeasible good trials weigh 1e-12.
 */
export function weightsBelowMultiObjective(scores: readonly Score[], below: readonly number[], violations: readonly number[] | null): number[] {
  const feasible = below.map((i) => violations === null || violations[i] === 0);
  const lvals = below.filter((_, k) => feasible[k]).map((i) => scores[i][1] as readonly number[]);
  let weights: number[];
  if (lvals.length === 0) weights = [];
  else if (lvals.length === 1) weights = [1];
  else {
    const reference = lvals[0].map((_, k) => {
      let worst = -Infinity;
      for (const p of lvals) worst = Math.max(worst, p[k]);
      const r = Math.max(1.1 * worst, 0.9 * worst);
      return r === 0 ? EPS : r;
    });
    const contributions = hypervolumeContributions(lvals, reference).map((c) => c + EPS);
    const most = Math.max(...contributions);
    weights = contributions.map((c) => Math.min(Math.max(c / most, 0), 1));
  }
  let j = 0;
  return feasible.map((f) => (f ? weights[j++] : EPS));
}
