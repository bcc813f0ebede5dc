// The tuner's shared vocabulary: what a trial looks like once recorded, the search-space distributions, and the
// two plug-in seams (Sampler, Pruner). These mirror Optuna's FrozenTrial, BaseDistribution, BaseSampler and
// BasePruner, with camelCase names, so that an Optuna user reads them without a map.

/** Where a trial is in its life. Optuna's TrialState in lower case. */
export type TrialState = 'running' | 'waiting' | 'complete' | 'pruned' | 'fail';

/** Whether the study looks for the lowest or the highest objective value. */
export type StudyDirection = 'minimize' | 'maximize';

/** A value a categorical parameter can take (Optuna allows None, bool, int, float and str). */
export type CategoricalChoice = string | number | boolean | null;

/** A parameter's value as the objective sees it. */
export type ParamValue = CategoricalChoice;

/**
 * A float in [low, high]; with `log` sampled uniformly in log space (low > 0); with `step` on the grid
 * low, low + step, ..., high (step must divide high - low). Optuna's FloatDistribution.
 */
export interface FloatDistribution {
  readonly type: 'float';
  readonly low: number;
  readonly high: number;
  readonly log: boolean;
  readonly step: number | null;
}

/** An integer in [low, high] on the grid low, low + step, ...; with `log` (step 1 only). Optuna's IntDistribution. */
export interface IntDistribution {
  readonly type: 'int';
  readonly low: number;
  readonly high: number;
  readonly log: boolean;
  readonly step: number;
}

/** One of a fixed list of choices. Optuna's CategoricalDistribution. */
export interface CategoricalDistribution {
  readonly type: 'categorical';
  readonly choices: readonly CategoricalChoice[];
}

export type Distribution = FloatDistribution | IntDistribution | CategoricalDistribution;

/** A name-to-distribution map: a search space. */
export type SearchSpace = Record<string, Distribution>;

/**
 * A trial as the storage records it: a snapshot, not a live handle. Optuna's FrozenTrial.
 * `params` holds the values the objective received (categorical choices themselves, not their indices).
 */
export interface FrozenTrial {
  /** 0, 1, 2, ... in the order trials were created in the study; dense and unique under concurrency. */
  readonly number: number;
  /** The storage's id, unique across studies in one storage. */
  readonly trialId: number;
  readonly state: TrialState;
  /**
   * The objective value of a complete trial of a single-objective study (`values[0]`); null otherwise, and null in
   * a study of several objectives (Optuna's FrozenTrial.value raises there: read `values`).
   */
  readonly value: number | null;
  /** The objective values of a complete trial, one per direction of the study; null otherwise. Optuna's FrozenTrial.values. */
  readonly values: readonly number[] | null;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly distributions: Readonly<Record<string, Distribution>>;
  /** step -> value, as reported with `trial.report(value, step)`. */
  readonly intermediateValues: ReadonlyMap<number, number>;
  readonly userAttrs: Readonly<Record<string, unknown>>;
  readonly systemAttrs: Readonly<Record<string, unknown>>;
  readonly datetimeStart: Date | null;
  readonly datetimeComplete: Date | null;
}

/**
 * What samplers and pruners may see of a study: its direction and its trials as of the study's last talk with
 * its storage (synchronous, so `suggest*` and `shouldPrune` stay synchronous). `stop()` asks `optimize` to end
 * after the running trials (GridSampler calls it when the grid is exhausted).
 */
export interface StudyView {
  readonly studyName: string;
  /** `directions[0]`: the direction of a single-objective study. */
  readonly direction: StudyDirection;
  /** One direction per objective (Optuna's study.directions). */
  readonly directions: readonly StudyDirection[];
  getTrials(options?: { states?: readonly TrialState[] }): readonly FrozenTrial[];
  stop(): void;
  /**
   * Stores `key: value` in a running trial's `systemAttrs` (Optuna's storage.set_trial_system_attr). Successive
   * halving and Hyperband record each rung a trial passed there (`completed_rung_0`, ...), and the next
   * `shouldPrune` of any trial reads them back. Trials already returned by `getTrials` stay as they were (snapshots);
   * later `getTrials` calls, and the trial handed to the next `prune`, show the value.
   */
  setTrialSystemAttr?(trialId: number, key: string, value: unknown): void;
}

/**
 * A sampler proposes parameter values. As in Optuna, the study first asks for a *relative* search space (the
 * parameters the sampler wants to sample jointly, e.g. TPE with `multivariate`), samples those together with
 * `sampleRelative`, and falls back to `sampleIndependent` for every other parameter the objective suggests.
 */
export interface Sampler {
  /**
   * Called when a trial starts, before any suggestion. The sampler may write into `systemAttrs` (the study
   * stores what it writes there), e.g. the grid point a GridSampler assigned to this trial.
   */
  beforeTrial?(study: StudyView, trial: FrozenTrial & { systemAttrs: Record<string, unknown> }): void;
  inferRelativeSearchSpace(study: StudyView, trial: FrozenTrial): SearchSpace;
  sampleRelative(study: StudyView, trial: FrozenTrial, searchSpace: SearchSpace): Record<string, ParamValue>;
  sampleIndependent(study: StudyView, trial: FrozenTrial, paramName: string, distribution: Distribution): ParamValue;
  /**
   * Called after a trial ends, before it is stored, with its final state and values (one per objective; null unless
   * complete). Optuna's BaseSampler.after_trial. A sampler with a `constraintsFunc` writes the trial's constraint
   * values into `trial.systemAttrs.constraints` here (the study stores them with the trial), as Optuna does.
   */
  afterTrial?(study: StudyView, trial: FrozenTrial & { systemAttrs: Record<string, unknown> }, state: TrialState, values: readonly number[] | null): void;
}

/**
 * A pruner decides, from a running trial's reported intermediate values and the other trials', whether the trial
 * should stop now. `trial` is the running trial with every value reported so far. Optuna's BasePruner.prune.
 */
export interface Pruner {
  prune(study: StudyView, trial: FrozenTrial): boolean;
}
