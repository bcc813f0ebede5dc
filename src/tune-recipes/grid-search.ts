import { checkOptionsObject } from '../format/check.js';
import type { Tensor } from '../tensor/tensor.js';
import { manualSeed, Generator } from '../tensor/random.js';
import type { Module } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import { Adam } from '../optim/adam.js';
import { crossEntropy, bceWithLogits } from '../nn/losses.js';
import { importModelModule, lossName, runInThreads, type ModelModule } from './grid-search-threads.js';
import { fit, type FitOptions } from '../train/fit.js';
import { crossValidate, meanStd } from '../train/cross-validate.js';
import { resolveScoring, type Scoring } from '../train/scoring.js';
import { createStudy, type Study } from '../tune/study.js';
import { GridSampler } from '../tune/samplers/grid.js';
import type { Trial } from '../tune/trial.js';
import type { ParamValue } from '../tune/types.js';

/** A value a grid can hold: a number, string, boolean, null, or an array / object of them (hidden sizes [64, 32]). */
export type GridValue = unknown;

/** Parameter name -> the values to try, as scikit-learn's `param_grid`; a list of such grids is searched in turn. */
export type ParamGrid = Record<string, readonly GridValue[]>;

/** One cell of the grid: a value for every parameter. */
export type GridCell = Record<string, GridValue>;

/**
 * Every cell of a grid in scikit-learn's `ParameterGrid` order: the names sorted, the last name varying fastest;
 * with a list of grids, the cells of each in turn.
 */
export function parameterGrid(grid: ParamGrid | readonly ParamGrid[], fn = 'parameterGrid'): GridCell[] {
  const grids = Array.isArray(grid) ? grid : [grid];
  if (grids.length === 0) throw new RangeError(`${fn}: expected at least one paramGrid, got an empty list`);
  return grids.flatMap((g, gi) => {
    const where = grids.length > 1 ? `paramGrid[${gi}]` : 'paramGrid';
    if (g === null || typeof g !== 'object' || Array.isArray(g)) throw new TypeError(`${fn}: expected ${where} to be an object of name: values[], got ${g === null ? 'null' : typeof g}`);
    const names = Object.keys(g).sort();
    for (const name of names) {
      const values = g[name];
      if (!Array.isArray(values) || values.length === 0) {
        throw new RangeError(`${fn}: expected ${where}.${name} to be a non-empty array of values, got ${JSON.stringify(values)}`);
      }
    }
    let cells: GridCell[] = [{}];
    for (const name of names) cells = cells.flatMap((cell) => (g[name] as readonly GridValue[]).map((v) => ({ ...cell, [name]: v })));
    return cells;
  });
}

/** Options of `gridSearchCV`, scikit-learn's `GridSearchCV` arguments in camelCase, plus what `fit` needs. */
export interface GridSearchCVOptions {
  x: Tensor;
  y: Tensor;
  /** The grid. `lr`, `epochs` and `batchSize` set training; every name (those too) reaches `makeModel`. */
  paramGrid: ParamGrid | readonly ParamGrid[];
  /** Folds. Default 5. */
  cv?: number;
  /** 'kfold' (scikit-learn's KFold, optionally shuffled) or 'timeseries' (expanding windows). Default 'kfold'. */
  split?: 'kfold' | 'timeseries';
  /** Shuffle before a k-fold split (seeded). Default false, as KFold. */
  shuffle?: boolean;
  /**
   * Higher is better: 'accuracy', 'f1_macro', 'r2', 'neg_mse', ... or `(yTrue, yPred) => number`. Default as
   * scikit-learn's estimators score: 'accuracy' under crossEntropy or bceWithLogits, 'r2' otherwise.
   */
  scoring?: Scoring;
  /**
   * Cells trained at once (-1: one per CPU). Default 1. With `makeModel` given as a module (`{ module }`), they run
   * in worker threads on a temporary SQLite study, so they use several cores; with a function (which cannot cross
   * into a thread) they are the study's in-thread jobs, which take turns. The results are the same either way.
   */
  nJobs?: number;
  /** Default `mseLoss` (fit's default). */
  loss?: FitOptions['loss'];
  clipNorm?: number;
  /** Builds each fold's optimizer at the cell's lr. Default Adam. */
  makeOptimizer?: (params: Tensor[], lr: number, cell: GridCell) => Optimizer<{ lr: number }>;
  /** Training settings where the grid does not set them. Defaults lr 1e-3, epochs 10, batchSize 32. */
  lr?: number;
  epochs?: number;
  batchSize?: number;
  /** Seeds every fold's initialization and shuffling, and the refit. Default 42. */
  seed?: number;
  /** Train the best cell on all of x, y afterwards (`bestModel`). Default true, as scikit-learn. */
  refit?: boolean;
  /** The score of a fold whose training throws, or 'raise' to rethrow. Default NaN (scikit-learn's error_score). */
  errorScore?: number | 'raise';
  /** The name of the study the search runs as. Default: generated. */
  studyName?: string;
}

/** scikit-learn's `cv_results_`, one entry per cell in grid order (columns in camelCase; times in seconds). */
export interface CvResults {
  params: GridCell[];
  splitTestScores: number[][];
  meanTestScore: number[];
  stdTestScore: number[];
  /** 1 for the best mean score; ties share the lower rank; NaN (failed) cells rank last. */
  rankTestScore: number[];
  meanFitTime: number[];
  stdFitTime: number[];
  meanScoreTime: number[];
  stdScoreTime: number[];
  /** The first error of a cell whose folds failed (scored `errorScore`), else null. */
  errors: (string | null)[];
}

/** What `gridSearchCV` returns. */
export interface GridSearchResult {
  bestParams: GridCell;
  bestScore: number;
  bestIndex: number;
  cvResults: CvResults;
  /** The best cell trained on all the data (with `refit`), else null. */
  bestModel: Module | null;
  refitTime: number | null;
  /**
   * The study the search ran as (direction 'maximize'): one trial per cell, its value the mean score, its user
   * attributes the cell's index, fold scores, fit and score times (and error); a cell whose mean is NaN is a failed
   * trial.
   */
  study: Study;
}

function checkTraining(fn: string, cell: GridCell, defaults: { lr: number; epochs: number; batchSize: number }): { lr: number; epochs: number; batchSize: number } {
  const lr = (cell.lr ?? defaults.lr) as number, epochs = (cell.epochs ?? defaults.epochs) as number, batchSize = (cell.batchSize ?? defaults.batchSize) as number;
  if (typeof lr !== 'number' || !(lr > 0) || !Number.isFinite(lr)) throw new RangeError(`${fn}: expected lr to be a finite number > 0, got ${JSON.stringify(lr)}`);
  if (!Number.isInteger(epochs) || epochs < 1) throw new RangeError(`${fn}: expected epochs to be a positive integer, got ${JSON.stringify(epochs)}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`${fn}: expected batchSize to be a positive integer, got ${JSON.stringify(batchSize)}`);
  return { lr, epochs, batchSize };
}

/**
 * Exhaustive search over a grid with k-fold cross-validation, as scikit-learn's `GridSearchCV`: every cell is
 * trained k times (a fresh model from `makeModel(cell)` per fold, same seed, so every cell and fold starts from
 * the same initialization) and scored on the held-out fold; the best mean score wins (the first in grid order on a
 * tie), and with `refit` the winner is trained on all the data.
 *
 * It runs as a study (direction 'maximize', returned as `study`): a single grid through a `GridSampler`, a list of
 * grids through `enqueueTrial`; each trial is one cell, valued at its mean score. Given as a module exporting
 * `makeModel` (and optionally `makeOptimizer` and `loss`), the cells run in `nJobs` worker threads, their cells
 * taken from the study's queue. Every cell is validated (lr, epochs, batchSize) before any training, and so is
 * `scoring`.
 */
export async function gridSearchCV(model: ((cell: GridCell) => Module) | ModelModule, options: GridSearchCVOptions): Promise<GridSearchResult> {
  const fn = 'gridSearchCV';
  if (options === null || typeof options !== 'object') throw new TypeError(`${fn}: expected an options object, got ${String(options)}`);
  checkOptionsObject(fn, options, ['x', 'y', 'paramGrid', 'cv', 'split', 'shuffle', 'scoring', 'nJobs', 'loss', 'clipNorm', 'makeOptimizer', 'lr', 'epochs', 'batchSize', 'seed', 'refit', 'errorScore', 'studyName']);
  const modelModule = typeof model === 'object' && model !== null && 'module' in model ? await importModelModule(fn, model) : null;
  if (modelModule === null && typeof model !== 'function') throw new TypeError(`${fn}: expected makeModel to be a function of the grid cell or { module }, got ${typeof model}`);
  const makeModel = modelModule?.makeModel ?? (model as (cell: GridCell) => Module);
  const { x, y, cv = 5, split = 'kfold', seed = 42, refit = true, errorScore = NaN } = options;
  const loss = modelModule?.loss ?? options.loss;
  const cells = parameterGrid(options.paramGrid, fn);
  const defaults = { lr: options.lr ?? 1e-3, epochs: options.epochs ?? 10, batchSize: options.batchSize ?? 32 };
  const training = cells.map((cell) => checkTraining(fn, cell, defaults));
  if (!Number.isInteger(cv) || cv < 2) throw new RangeError(`${fn}: expected cv to be an integer >= 2, got ${cv}`);
  const nJobs = options.nJobs ?? 1;
  if (!Number.isInteger(nJobs) || (nJobs < 1 && nJobs !== -1)) throw new RangeError(`${fn}: expected nJobs to be an integer >= 1 or -1, got ${nJobs}`);
  if (errorScore !== 'raise' && typeof errorScore !== 'number') throw new TypeError(`${fn}: expected errorScore to be a number or 'raise', got ${typeof errorScore}`);
  const scoring = options.scoring ?? (loss === crossEntropy || loss === bceWithLogits ? 'accuracy' : 'r2');
  resolveScoring(fn, scoring);
  const makeOptimizer = modelModule?.makeOptimizer ?? options.makeOptimizer ?? ((p: Tensor[], lr: number) => new Adam(p, { lr }) as unknown as Optimizer<{ lr: number }>);
  const fitOptions = { ...(loss === undefined ? {} : { loss }), ...(options.clipNorm === undefined ? {} : { clipNorm: options.clipNorm }) };

  // the study: one trial per cell. A single grid is a GridSampler's search space (which visits each point once,
  // in a seeded random order); a list of grids, or a grid listing a value twice, is not a product of distinct
  // values, so its cells go through the study's queue instead (enqueueTrial fixes each trial's parameters).
  const names = [...new Set(cells.flatMap((c) => Object.keys(c)))].sort();
  const codec = gridCodec(cells, names);
  const product = !Array.isArray(options.paramGrid) && names.every((n) => codec.choices[n].length === (options.paramGrid as ParamGrid)[n].length);
  const threaded = modelModule !== null && nJobs !== 1;
  if (threaded) {
    if (options.makeOptimizer !== undefined) throw new TypeError(`${fn}: expected makeOptimizer to be exported by the model module with nJobs > 1 (a function cannot cross into a worker thread)`);
    if (typeof scoring !== 'string') throw new TypeError(`${fn}: expected scoring to be a name with nJobs > 1 (a function cannot cross into a worker thread), got a function`);
    if (loss !== undefined && modelModule.loss === undefined && lossName(loss) === null) throw new TypeError(`${fn}: expected loss to be one of lrlab's losses, or exported by the model module, with nJobs > 1`);
  }
  const study = threaded ? await runInThreads(fn, { model: model as ModelModule, cells, names, training, cv, split, shuffle: options.shuffle, seed, scoring: scoring as string, loss: modelModule!.loss === undefined && loss !== undefined ? lossName(loss) : null, clipNorm: options.clipNorm, errorScore, studyName: options.studyName, x, y }, nJobs) : await createStudy({
    direction: 'maximize',
    ...(product ? { sampler: new GridSampler(codec.choices, { seed }) } : {}),
    ...(options.studyName === undefined ? {} : { studyName: options.studyName }),
  });
  if (!threaded) {
    // an enqueued cell carries its index (a repeated cell would be ambiguous by its values)
    if (!product) for (const [i, cell] of cells.entries()) await study.enqueueTrial(codec.encode(cell), { cell: i });
    const objective = cellObjective({ cells, names, training, makeModel, makeOptimizer, x, y, cv, split, shuffle: options.shuffle, seed, fitOptions, scoring, errorScore });
    await study.optimize(objective, { nTrials: cells.length, nJobs });
  }
  const results = new Array<{ scores: number[]; fitTimes: number[]; scoreTimes: number[]; error: string | null }>(cells.length);
  for (const t of study.trials) {
    if (t.userAttrs.cell === undefined) continue; // a trial that failed before its cell was known
    const a = t.userAttrs as { cell: number; splitTestScores: (number | null)[]; fitTimes: number[]; scoreTimes: number[]; error?: string };
    results[a.cell] = { scores: a.splitTestScores.map((v) => v ?? NaN), fitTimes: a.fitTimes.length ? a.fitTimes : [0], scoreTimes: a.scoreTimes.length ? a.scoreTimes : [0], error: a.error ?? null };
  }
  const missing = cells.findIndex((_, i) => results[i] === undefined);
  if (missing !== -1) throw new RangeError(`${fn}: expected a trial for every cell, got none for cell ${missing} (${JSON.stringify(cells[missing])})`);

  const cvResults: CvResults = {
    params: cells, splitTestScores: [], meanTestScore: [], stdTestScore: [], rankTestScore: [], meanFitTime: [], stdFitTime: [],
    meanScoreTime: [], stdScoreTime: [], errors: [],
  };
  for (const r of results) {
    const s = meanStd(r.scores), f = meanStd(r.fitTimes), t = meanStd(r.scoreTimes);
    cvResults.splitTestScores.push(r.scores);
    cvResults.meanTestScore.push(s.mean);
    cvResults.stdTestScore.push(s.std);
    cvResults.meanFitTime.push(f.mean);
    cvResults.stdFitTime.push(f.std);
    cvResults.meanScoreTime.push(t.mean);
    cvResults.stdScoreTime.push(t.std);
    cvResults.errors.push(r.error);
  }
  const means = cvResults.meanTestScore;
  // scipy's rankdata(-mean, method='min'), NaN last, as scikit-learn ranks
  cvResults.rankTestScore = means.map((m) => (Number.isNaN(m) ? 1 + means.filter((o) => !Number.isNaN(o)).length : 1 + means.filter((o) => o > m).length));
  const bestIndex = cvResults.rankTestScore.indexOf(1);
  if (bestIndex === -1 || Number.isNaN(means[bestIndex])) {
    throw new RangeError(`${fn}: expected at least one cell to train, got failures in all ${cells.length} (first: ${cvResults.errors.find((e) => e !== null)})`);
  }

  let bestModel: Module | null = null, refitTime: number | null = null;
  if (refit) {
    const started = performance.now();
    const { lr, epochs, batchSize } = training[bestIndex];
    manualSeed(seed);
    bestModel = makeModel(cells[bestIndex]);
    fit(bestModel, { x, y, optimizer: makeOptimizer(bestModel.parameters(), lr, cells[bestIndex]), epochs, batchSize, generator: new Generator(seed), progress: false, ...fitOptions });
    refitTime = (performance.now() - started) / 1000;
  }
  return { bestParams: cells[bestIndex], bestScore: means[bestIndex], bestIndex, cvResults, bestModel, refitTime, study };
}

/** What one cell's cross-validation needs: the same in this thread and in a worker thread. */
export interface CellContext {
  cells: GridCell[];
  names: string[];
  training: { lr: number; epochs: number; batchSize: number }[];
  makeModel: (cell: GridCell) => Module;
  makeOptimizer: (params: Tensor[], lr: number, cell: GridCell) => Optimizer<{ lr: number }>;
  x: Tensor;
  y: Tensor;
  cv: number;
  split: 'kfold' | 'timeseries';
  shuffle: boolean | undefined;
  seed: number;
  fitOptions: Pick<FitOptions, 'loss' | 'clipNorm'>;
  scoring: Scoring;
  errorScore: number | 'raise';
}

/**
 * The study's objective: finds the trial's cell (from its suggestions, or the index an enqueued cell carries),
 * cross-validates it, keeps the fold scores and times as user attributes, and returns the mean score. A cell whose
 * training throws (a diverging lr, say) scores `errorScore` on every fold; with NaN, the default, its trial fails
 * with the error as `userAttrs.failReason` and the search goes on (with 'raise', the error stops it).
 */
export function cellObjective(c: CellContext): (trial: Trial) => number {
  const codec = gridCodec(c.cells, c.names);
  const { cells, names, training, makeModel, makeOptimizer, x, y, cv, split, seed, fitOptions, scoring, errorScore } = c;
  return (trial: Trial): number => {
    // the cell's values come back through the study's suggestions (each name with the grid's choices for it)
    const system = trial.systemAttrs as { fixedParams?: Record<string, ParamValue>; enqueuedUserAttrs?: { cell?: number } };
    const encoded: Record<string, ParamValue> = {};
    for (const name of system.fixedParams === undefined ? names : Object.keys(system.fixedParams).sort()) encoded[name] = trial.suggestCategorical(name, codec.choices[name]);
    const key = JSON.stringify(encoded);
    const i = system.enqueuedUserAttrs?.cell ?? cells.findIndex((other) => JSON.stringify(codec.encode(other)) === key);
    trial.setUserAttr('cell', i);
    const cell = cells[i], { lr, epochs, batchSize } = training[i];
    let scores: number[], fitTimes: number[] = [], scoreTimes: number[] = [], error: string | null = null;
    try {
      const r = crossValidate({
        makeModel: () => makeModel(cell), makeOptimizer: (p) => makeOptimizer(p, lr, cell), x, y, k: cv, split,
        shuffle: c.shuffle, epochs, batchSize, seed, fitOptions, scoring,
      });
      ({ fitTimes, scoreTimes } = r);
      scores = r.foldScores!;
    } catch (err) {
      if (errorScore === 'raise') throw err;
      scores = Array.from({ length: cv }, () => errorScore);
      error = err instanceof Error ? err.message : String(err);
      trial.setUserAttr('error', error);
    }
    trial.setUserAttr('splitTestScores', scores.map((v) => (Number.isNaN(v) ? null : v)));
    trial.setUserAttr('fitTimes', fitTimes);
    trial.setUserAttr('scoreTimes', scoreTimes);
    // a NaN mean fails the trial (Optuna's rule) and the search goes on: a diverged fold (errorScore NaN) included
    const mean = meanStd(scores).mean;
    if (Number.isNaN(mean)) trial.setUserAttr('failReason', error ?? `a fold scored NaN (fold scores ${scores.join(', ')})`);
    return mean;
  };
}

/**
 * A study's categorical choices are numbers, strings, booleans or null: other grid values (arrays such as hidden
 * sizes [64, 32], objects) travel as their JSON text, decoded back for `makeModel`.
 */
export function gridCodec(cells: GridCell[], names: string[]) {
  const plain = (v: unknown) => v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
  const asJson = new Set(names.filter((n) => cells.some((c) => n in c && !plain(c[n]))));
  const encode = (cell: GridCell): Record<string, ParamValue> => {
    const out: Record<string, ParamValue> = {};
    for (const k of Object.keys(cell).sort()) out[k] = asJson.has(k) ? JSON.stringify(cell[k]) : (cell[k] as ParamValue);
    return out;
  };
  const choices: Record<string, ParamValue[]> = {};
  for (const name of names) choices[name] = [...new Set(cells.filter((c) => name in c).map((c) => encode(c)[name]))];
  return { encode, choices };
}
