import type { Distribution, FloatDistribution, FrozenTrial, IntDistribution, ParamValue, Sampler, SearchSpace, StudyView, TrialState } from '../types.js';
import type { Generator } from '../../tensor/random.js';
import { TrialStreams, checkOptions, samplerSeed } from './options.js';
import { RandomSampler } from './random.js';
import { isSingle, sameDistribution } from '../distributions.js';
import { nextDown, roundHalfEven } from './transform.js';
import { UniformCrossover, type Crossover } from './nsga2-crossover.js';
import { CONSTRAINTS_KEY, constrainedDominates, selectElitePopulation, trialDominates, type TrialDominates } from './nsga2-selection.js';

export { BLXAlphaCrossover, SBXCrossover, SPXCrossover, UNDXCrossover, UniformCrossover, VSBXCrossover, type Crossover } from './nsga2-crossover.js';

/** The system attribute holding a trial's generation (Optuna's `_GENERATION_KEY`), so Optuna reads lrlab's. */
export const GENERATION_KEY = 'nsga2:generation';

// a crossover whose children keep falling outside the search space is retried this often, then clipped into it
const MAX_CROSSOVER_ATTEMPTS = 1000;

/** Options of {@link NSGAIISampler}; names and defaults are Optuna 3.1's. */
export interface NSGAIISamplerOptions {
  /** Trials per generation (at least 2, and at least the crossover's parents). Default 50. */
  populationSize?: number;
  /** Probability of redrawing each parameter of a child at random; null: 1 / (number of parameters). Default null. */
  mutationProb?: number | null;
  /** How numeric parameters of a child come from its parents. Default `new UniformCrossover({ swappingProb })`. */
  crossover?: Crossover;
  /** Probability that a child is a crossover of parents rather than a copy of one. Default 0.9. */
  crossoverProb?: number;
  /** Probability of "swapping" each parameter in a uniform crossover: taking it from the first parent, else the second. Default 0.5. */
  swappingProb?: number;
  /** Seed of the sampler's generators; without it, one is drawn from lrlab's global generator. */
  seed?: number;
  /**
   * A finished trial -> its constraint values, each feasible when <= 0. Called after each complete or pruned
   * trial; the values are stored in the trial's system attribute `constraints` (as Optuna stores them), and
   * selection uses constrained domination.
   */
  constraintsFunc?: (trial: FrozenTrial) => readonly number[];
}

function checkProb(name: string, v: unknown): void {
  if (v !== undefined && !(typeof v === 'number' && v >= 0 && v <= 1)) throw new RangeError(`NSGAIISampler: expected ${name} in [0, 1], got ${String(v)}`);
}

type Numeric = FloatDistribution | IntDistribution;

// a numeric parameter in the space crossovers work in: its log when `log`, as it is otherwise (_SearchSpaceTransform)
function toContinuous(d: Numeric, v: number): number {
  return d.log ? Math.log(v) : v;
}

// the continuous interval of a parameter; an integer or stepped one is widened by half a step at each end
function boundsOf(d: Numeric): [number, number] {
  if (d.type === 'int') {
    const half = 0.5 * d.step;
    return d.log ? [Math.log(d.low - half), Math.log(d.high + half)] : [d.low - half, d.high + half];
  }
  if (d.step !== null) return [d.low - 0.5 * d.step, d.high + 0.5 * d.step];
  return [toContinuous(d, d.low), toContinuous(d, d.high)];
}

// back from the continuous space: integers and stepped floats rounded onto their grid and clipped into it, other
// floats only kept below high (so a value below low stays out of range, and the crossover is drawn again)
function fromContinuous(d: Numeric, x: number): number {
  const clip = (v: number) => Math.min(Math.max(v, d.low), d.high);
  if (d.type === 'int') return d.log ? clip(roundHalfEven(Math.exp(x))) : clip(roundHalfEven((x - d.low) / d.step) * d.step + d.low);
  if (d.log) return Math.min(Math.exp(x), nextDown(d.high));
  if (d.step !== null) return clip(roundHalfEven((x - d.low) / d.step) * d.step + d.low);
  return Math.min(x, nextDown(d.high));
}

function contained(d: Distribution, v: ParamValue): boolean {
  return d.type === 'categorical' || (typeof v === 'number' && v >= d.low && v <= d.high);
}

/**
 * NSGA-II (Deb et al., 2002), the elitist genetic algorithm for several objectives, as Optuna 3.1 runs it.
 *
 * Trials come in generations of `populationSize`; generation 0 is drawn at random. Once a generation has that
 * many complete trials, it and the previous parent population are ranked by non-dominated sorting (with a
 * `constraintsFunc`: constrained domination, feasible first), whole fronts are kept while they fit and the last
 * front is cut by crowding distance (most isolated first): that is the parent population of the next generation.
 * Each new trial then picks two parents (three for SPX and UNDX), each the winner of a binary tournament by
 * domination; with probability `crossoverProb` its parameters are their crossover (uniform for categorical
 * parameters whatever the crossover), else a copy of one random parent; and each parameter is redrawn at random
 * with probability `mutationProb`. A trial's generation is its system attribute `nsga2:generation`, as in Optuna.
 *
 * ```ts
 * const study = await createStudy({ directions: ['minimize', 'minimize'], sampler: new NSGAIISampler({ seed: 1 }) });
 * ```
 * Matches optuna.samplers.NSGAIISampler, except that: the draws come from lrlab's generator (one stream per trial,
 * so the values differ from Optuna's); the selected populations are cached in the sampler, not in the study's
 * system attributes (`nsga2:population:<hash>`), so a study shared with Optuna recomputes them (the same ones in
 * a serial run); and a crossover whose child keeps falling outside the search space is clipped into it after
 * 1000 draws, where Optuna draws forever.
 */
export class NSGAIISampler implements Sampler {
  readonly populationSize: number;
  readonly mutationProb: number | null;
  readonly crossover: Crossover;
  readonly crossoverProb: number;
  readonly swappingProb: number;
  private readonly constraintsFunc: ((trial: FrozenTrial) => readonly number[]) | undefined;
  private readonly randomSampler: RandomSampler;
  private readonly streams: TrialStreams;
  private readonly eliteCache = new Map<string, number[]>();
  // the intersection of the complete trials' distributions, grown trial by trial (Optuna's IntersectionSearchSpace)
  private intersection: { studyName: string; seen: Set<number>; space: SearchSpace | null } = { studyName: '', seen: new Set(), space: null };

  constructor(options: NSGAIISamplerOptions = {}) {
    const spec = {
      populationSize: 'positiveInt', mutationProb: 'nonNegativeNumber', crossover: 'object', crossoverProb: 'nonNegativeNumber',
      swappingProb: 'nonNegativeNumber', seed: 'seed', constraintsFunc: 'function',
    } as const;
    // null is mutationProb's own default (1 / number of parameters); the generic check takes only numbers
    checkOptions('NSGAIISampler', options && options.mutationProb === null ? { ...options, mutationProb: undefined } : options, spec);
    const o = options ?? {};
    if (o.populationSize !== undefined && o.populationSize < 2) throw new RangeError(`NSGAIISampler: expected populationSize >= 2, got ${o.populationSize}`);
    checkProb('mutationProb', o.mutationProb ?? undefined);
    checkProb('crossoverProb', o.crossoverProb);
    checkProb('swappingProb', o.swappingProb);
    this.populationSize = o.populationSize ?? 50;
    this.mutationProb = o.mutationProb ?? null;
    this.crossoverProb = o.crossoverProb ?? 0.9;
    this.swappingProb = o.swappingProb ?? 0.5;
    const crossover = o.crossover ?? new UniformCrossover({ swappingProb: this.swappingProb });
    if (!(Number.isSafeInteger(crossover.nParents) && crossover.nParents >= 1 && typeof crossover.crossover === 'function')) {
      throw new TypeError(`NSGAIISampler: expected crossover to be a Crossover (nParents and crossover()), got ${String(crossover?.constructor?.name ?? crossover)}`);
    }
    if (this.populationSize < crossover.nParents) {
      throw new RangeError(`NSGAIISampler: expected populationSize >= ${crossover.nParents} (the parents ${crossover.constructor.name} takes), got ${this.populationSize}`);
    }
    this.crossover = crossover;
    this.constraintsFunc = o.constraintsFunc;
    const seed = samplerSeed(o.seed);
    this.randomSampler = new RandomSampler({ seed });
    // the random sampler draws from stream n of this seed for trial n; the genetic operators from stream -1 - n
    this.streams = new TrialStreams(seed);
  }

  private rng(trial: FrozenTrial): Generator {
    return this.streams.of(-1 - trial.number);
  }

  private get dominates(): TrialDominates {
    return this.constraintsFunc === undefined ? trialDominates : constrainedDominates;
  }

  /** Writes the trial's generation (one more than the last whose parent population is complete). */
  beforeTrial(study: StudyView, trial: FrozenTrial & { systemAttrs: Record<string, unknown> }): void {
    trial.systemAttrs[GENERATION_KEY] = this.parentPopulation(study).generation + 1;
  }

  /** The numeric and categorical parameters every complete trial has alike, one-value ones left out (Optuna's). */
  inferRelativeSearchSpace(study: StudyView): SearchSpace {
    if (this.intersection.studyName !== study.studyName) this.intersection = { studyName: study.studyName, seen: new Set(), space: null };
    const cache = this.intersection;
    for (const t of study.getTrials({ states: ['complete'] })) {
      if (cache.seen.has(t.trialId)) continue;
      cache.seen.add(t.trialId);
      if (cache.space === null) {
        cache.space = { ...t.distributions };
        continue;
      }
      for (const name of Object.keys(cache.space)) {
        if (t.distributions[name] === undefined || !sameDistribution(cache.space[name], t.distributions[name])) delete cache.space[name];
      }
    }
    const out: SearchSpace = {};
    const space = cache.space ?? {};
    for (const name of Object.keys(space).sort()) if (!isSingle(space[name])) out[name] = space[name];
    return out;
  }

  /** A child of the parent population, with the parameters to mutate left out (sampleIndependent draws them). */
  sampleRelative(study: StudyView, trial: FrozenTrial, searchSpace: SearchSpace): Record<string, ParamValue> {
    const { generation, population } = this.parentPopulation(study);
    if (generation < 0) return {};
    const rng = this.rng(trial);
    let child: Record<string, ParamValue>;
    if (rng.random() < this.crossoverProb) child = this.performCrossover(study, population, searchSpace, rng);
    else {
      const parent = population[rng.randint(population.length)];
      child = {};
      for (const name of Object.keys(searchSpace)) child[name] = parent.params[name];
    }
    const names = Object.keys(child);
    const mutationProb = this.mutationProb ?? 1 / Math.max(1, names.length);
    const params: Record<string, ParamValue> = {};
    for (const name of names) if (rng.random() >= mutationProb) params[name] = child[name];
    return params;
  }

  /** Generation 0, mutated parameters and parameters outside the joint space: uniform at random. */
  sampleIndependent(study: StudyView, trial: FrozenTrial, paramName: string, distribution: Distribution): ParamValue {
    return this.randomSampler.sampleIndependent(study, trial, paramName, distribution);
  }

  /** With a constraintsFunc: stores a complete or pruned trial's constraint values in its system attributes. */
  afterTrial(_study: StudyView, trial: FrozenTrial & { systemAttrs: Record<string, unknown> }, state: TrialState): void {
    if (this.constraintsFunc === undefined || (state !== 'complete' && state !== 'pruned')) return;
    let constraints: number[] | null = null;
    try {
      const con: unknown = this.constraintsFunc(trial);
      if (!Array.isArray(con) || con.some((v) => typeof v !== 'number')) {
        throw new TypeError(`NSGAIISampler: expected constraintsFunc to return an array of numbers, got ${JSON.stringify(con)} for trial ${trial.number}`);
      }
      if (con.some((v) => Number.isNaN(v))) throw new RangeError(`NSGAIISampler: expected constraint values that are not NaN, got ${JSON.stringify(con.map(String))} for trial ${trial.number}`);
      constraints = [...(con as number[])];
    } finally {
      trial.systemAttrs[CONSTRAINTS_KEY] = constraints;
    }
  }

  // The parent population of the next generation: generation g's complete trials (once there are populationSize)
  // with generation g - 1's parents, cut to populationSize by selectElitePopulation; -1 and [] before that.
  // beforeTrial and sampleRelative ask for it on the same snapshot: the answer is kept while getTrials gives the
  // same trial objects (a snapshot's FrozenTrials are not changed; a refresh or a pruner's write gives new ones).
  private lastPopulation: { source: readonly FrozenTrial[]; generation: number; population: FrozenTrial[] } | null = null;
  private parentPopulation(study: StudyView): { generation: number; population: FrozenTrial[] } {
    const trials = study.getTrials();
    const last = this.lastPopulation;
    if (last !== null && last.source.length === trials.length && last.source.every((t, i) => t === trials[i])) return last;
    const found = this.selectParentPopulation(study, trials);
    this.lastPopulation = { source: trials, ...found };
    return found;
  }

  private selectParentPopulation(study: StudyView, trials: readonly FrozenTrial[]): { generation: number; population: FrozenTrial[] } {
    const byNumber = new Map(trials.map((t) => [t.number, t]));
    const byGeneration = new Map<number, FrozenTrial[]>();
    for (const t of trials) {
      const g = t.systemAttrs[GENERATION_KEY];
      if (typeof g !== 'number' || t.state !== 'complete') continue;
      if (!byGeneration.has(g)) byGeneration.set(g, []);
      (byGeneration.get(g) as FrozenTrial[]).push(t);
    }
    let population: FrozenTrial[] = [];
    let generation = -1;
    for (;;) {
      const members = byGeneration.get(generation + 1) ?? [];
      if (members.length < this.populationSize) break;
      const pool = [...members, ...population];
      const key = `${generation + 1}:${pool.map((t) => t.number).join(',')}`;
      let elite = this.eliteCache.get(key)?.map((n) => byNumber.get(n) as FrozenTrial);
      if (elite === undefined || elite.some((t) => t === undefined)) {
        if (this.constraintsFunc !== undefined) this.checkConstraints(pool);
        elite = selectElitePopulation(pool, this.populationSize, study.directions, this.dominates);
        this.eliteCache.set(key, elite.map((t) => t.number));
        if (this.eliteCache.size > 64) this.eliteCache.delete(this.eliteCache.keys().next().value as string);
      }
      generation++;
      population = elite;
    }
    return { generation, population };
  }

  private checkConstraints(pool: readonly FrozenTrial[]): void {
    for (const t of pool) {
      const c = t.systemAttrs[CONSTRAINTS_KEY];
      if (Array.isArray(c) && c.some((v) => typeof v !== 'number' || Number.isNaN(v))) {
        throw new RangeError(`NSGAIISampler: expected constraint values that are numbers, got ${JSON.stringify(c)} on trial ${t.number}`);
      }
    }
  }

  // Optuna's perform_crossover: parents by tournament, categorical parameters by uniform crossover of the first
  // and last parent, numeric ones by the crossover in the continuous space; drawn again while a child is outside
  private performCrossover(study: StudyView, population: readonly FrozenTrial[], space: SearchSpace, rng: Generator): Record<string, ParamValue> {
    const numeric = Object.keys(space).filter((n) => space[n].type !== 'categorical');
    const categorical = Object.keys(space).filter((n) => space[n].type === 'categorical');
    const bounds = numeric.map((n) => boundsOf(space[n] as Numeric));
    let child: Record<string, ParamValue> = {};
    for (let attempt = 0; attempt < MAX_CROSSOVER_ATTEMPTS; attempt++) {
      const parents = this.selectParents(study, population, rng);
      child = {};
      const last = parents[parents.length - 1];
      for (const n of categorical) child[n] = rng.random() >= this.swappingProb ? last.params[n] : parents[0].params[n];
      if (numeric.length > 0) {
        const rows = parents.map((p) => numeric.map((n) => toContinuous(space[n] as Numeric, p.params[n] as number)));
        const x = this.crossover.crossover(rows, rng, study, bounds);
        numeric.forEach((n, i) => (child[n] = fromContinuous(space[n] as Numeric, x[i])));
      }
      if (Object.keys(child).every((n) => contained(space[n], child[n]))) return child;
    }
    for (const n of numeric) {
      const d = space[n] as Numeric;
      const v = child[n] as number;
      child[n] = Number.isNaN(v) ? d.low : Math.min(Math.max(v, d.low), d.high);
    }
    return child;
  }

  private selectParents(study: StudyView, population: readonly FrozenTrial[], rng: Generator): FrozenTrial[] {
    const parents: FrozenTrial[] = [];
    for (let k = 0; k < this.crossover.nParents; k++) {
      const rest = population.filter((t) => !parents.includes(t));
      const a = rest[rng.randint(rest.length)];
      const b = rest[rng.randint(rest.length)];
      parents.push(this.dominates(a, b, study.directions) ? a : b);
    }
    return parents;
  }
}
