import type { CategoricalChoice, Distribution, FrozenTrial, ParamValue, Sampler, SearchSpace, StudyView, TrialState } from '../types.js';
import { TrialStreams, checkOptions, samplerSeed } from './options.js';

/** Options of {@link GridSampler}. */
export interface GridSamplerOptions {
  /** Seed of the generator that picks which unvisited grid point a trial gets. */
  seed?: number;
}

/** The values to try for each parameter. */
export type GridSearchSpace = Record<string, readonly CategoricalChoice[]>;

const FINISHED: readonly TrialState[] = ['complete', 'pruned', 'fail'];

function sameValue(a: CategoricalChoice, b: CategoricalChoice): boolean {
  return a === b || (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b));
}

/**
 * Grid search: every combination of the listed values is evaluated once.
 *
 * The grid is the Cartesian product of the value lists, parameters taken in sorted name order, so a grid of
 * `{ lr: [0.1, 0.01], layers: [1, 2, 3] }` has 6 points, numbered 0..5. When a trial starts, the sampler looks at
 * the study's trials, removes the points that finished trials (complete, pruned or failed) and running trials
 * already hold, and gives the trial one of the remaining points at random; it records the choice in the trial's
 * `systemAttrs` (`gridId`, and the grid itself as `searchSpace`, so that several workers and a resumed study agree
 * on what was visited). Each `suggest*` call then returns that point's value. When a trial ends and no point is
 * left that no trial has taken, the sampler calls `study.stop()`: `optimize` ends once the running trials finish,
 * even if `nTrials` asked for more.
 *
 * ```ts
 * const sampler = new GridSampler({ lr: [0.1, 0.01], layers: [1, 2, 3] }, { seed: 0 });
 * ```
 * Optuna's `GridSampler(search_space, seed)`, with two differences: the point is assigned in `beforeTrial` rather
 * than in `sample_relative`, and the stop test counts points held by other running trials as taken (Optuna waits
 * for them to finish, and meanwhile may hand a new trial a point twice).
 */
export class GridSampler implements Sampler {
  /** The grid, parameter names sorted. */
  readonly searchSpace: Readonly<GridSearchSpace>;
  private readonly names: string[];
  private readonly nPoints: number;
  private readonly streams: TrialStreams;
  // studyName -> trial number -> grid point, for the trials this sampler assigned: a study's snapshot can lag
  // behind its storage's background writes, and trials running side by side must still get different points
  private readonly assigned = new Map<string, Map<number, number>>();

  constructor(searchSpace: GridSearchSpace, options: GridSamplerOptions = {}) {
    if (searchSpace === null || typeof searchSpace !== 'object' || Array.isArray(searchSpace)) {
      throw new TypeError(`GridSampler: expected a search space { name: [values] }, got ${JSON.stringify(searchSpace)}`);
    }
    checkOptions('GridSampler', options, { seed: 'seed' });
    this.names = Object.keys(searchSpace).sort();
    if (this.names.length === 0) throw new RangeError('GridSampler: expected at least one parameter in the search space, got {}');
    const space: GridSearchSpace = {};
    let n = 1;
    for (const name of this.names) {
      const values = searchSpace[name];
      if (!Array.isArray(values)) throw new TypeError(`GridSampler: expected an array of values for '${name}', got ${JSON.stringify(values)}`);
      if (values.length === 0) throw new RangeError(`GridSampler: expected at least one value for '${name}', got []`);
      for (const v of values) {
        if (!(v === null || ['string', 'number', 'boolean'].includes(typeof v))) {
          throw new TypeError(`GridSampler: expected '${name}' values to be strings, numbers, booleans or null, got ${typeof v}`);
        }
      }
      space[name] = [...values];
      n *= values.length;
    }
    this.searchSpace = space;
    this.nPoints = n;
    this.streams = new TrialStreams(samplerSeed(options.seed));
  }

  /** The number of grid points: the product of the value list lengths. */
  get size(): number {
    return this.nPoints;
  }

  /** The parameter values at grid point `gridId` (0-based; the last parameter in sorted order varies fastest). */
  point(gridId: number): Record<string, CategoricalChoice> {
    const out: Record<string, CategoricalChoice> = {};
    let rest = gridId;
    for (let i = this.names.length - 1; i >= 0; i--) {
      const values = this.searchSpace[this.names[i]];
      out[this.names[i]] = values[rest % values.length];
      rest = Math.floor(rest / values.length);
    }
    return out;
  }

  beforeTrial(study: StudyView, trial: FrozenTrial & { systemAttrs: Record<string, unknown> }): void {
    if ('gridId' in trial.systemAttrs || 'fixedParams' in trial.systemAttrs) return;
    // Prefer points nobody holds; then points only running trials hold; when the grid is exhausted (another
    // worker, or a study run again) re-evaluate any point rather than fail, as Optuna does.
    let targets = this.unvisited(study, trial.number, true, true);
    if (targets.length === 0) targets = this.unvisited(study, trial.number, true, false);
    if (targets.length === 0) targets = Array.from({ length: this.nPoints }, (_, i) => i);
    const gridId = targets[this.streams.of(trial.number).randint(targets.length)];
    trial.systemAttrs.gridId = gridId;
    trial.systemAttrs.searchSpace = this.searchSpace;
    if (!this.assigned.has(study.studyName)) this.assigned.set(study.studyName, new Map());
    this.assigned.get(study.studyName)!.set(trial.number, gridId);
  }

  inferRelativeSearchSpace(): SearchSpace {
    return {};
  }

  sampleRelative(): Record<string, ParamValue> {
    return {};
  }

  sampleIndependent(_study: StudyView, trial: FrozenTrial, paramName: string, _distribution: Distribution): ParamValue {
    const gridId = trial.systemAttrs.gridId;
    if (typeof gridId !== 'number') {
      throw new RangeError(`GridSampler: expected trial ${trial.number} to hold a grid point (with enqueueTrial, give every parameter), got none for '${paramName}'`);
    }
    if (!(paramName in this.searchSpace)) {
      throw new RangeError(`GridSampler: expected a parameter of the grid (${this.names.join(', ')}), got '${paramName}'`);
    }
    return this.point(gridId)[paramName];
  }

  afterTrial(study: StudyView, trial: FrozenTrial): void {
    if (this.unvisited(study, trial.number, false, true).length === 0) study.stop();
  }

  // Grid points no finished trial visited and (with `running`) no other running trial holds. `self` is the trial
  // asking: at beforeTrial it holds nothing yet; at afterTrial it counts as finished whatever the snapshot says.
  private unvisited(study: StudyView, self: number, atStart: boolean, running: boolean): number[] {
    const taken = new Set<number>();
    const mine = this.assigned.get(study.studyName);
    for (const t of study.getTrials()) {
      const id = mine?.get(t.number) ?? t.systemAttrs.gridId;
      if (typeof id !== 'number' || (!mine?.has(t.number) && !this.sameGrid(t.systemAttrs.searchSpace))) continue;
      if (t.number === self) {
        if (!atStart) taken.add(id);
      } else if (FINISHED.includes(t.state) || (running && t.state === 'running')) taken.add(id);
    }
    const out: number[] = [];
    for (let i = 0; i < this.nPoints; i++) if (!taken.has(i)) out.push(i);
    return out;
  }

  private sameGrid(other: unknown): boolean {
    if (other === null || typeof other !== 'object') return false;
    const o = other as GridSearchSpace;
    const keys = Object.keys(o).sort();
    if (keys.length !== this.names.length || keys.some((k, i) => k !== this.names[i])) return false;
    return this.names.every((k) => {
      const a = this.searchSpace[k];
      const b = o[k];
      return Array.isArray(b) && a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
    });
  }
}
