import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Tensor } from '../tensor/tensor.js';
import type { Module } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import { mseLoss, l1Loss, huberLoss, smoothL1Loss, crossEntropy, bceWithLogits } from '../nn/losses.js';
import type { FitOptions } from '../train/fit.js';
import { createStudy, type Study } from '../tune/study.js';
import { sibling } from '../tune/threads.js';
import { gridCodec, type GridCell } from './grid-search.js';

// gridSearchCV across worker threads: the model comes as a module each thread imports, the cells and settings
// travel through a temporary SQLite study, the data through two files.

/**
 * A model given as a module, so that worker threads can build it: the ES module at `module` (a URL or an absolute
 * path) exports `makeModel(cell)` (or `exportName`), and optionally `makeOptimizer(params, lr, cell)` and `loss`.
 */
export interface ModelModule {
  module: string | URL;
  exportName?: string;
}

interface LoadedModel {
  makeModel: (cell: GridCell) => Module;
  makeOptimizer?: (params: Tensor[], lr: number, cell: GridCell) => Optimizer<{ lr: number }>;
  loss?: FitOptions['loss'];
}

/** The URL of a model module (a URL or an absolute path). */
export function moduleHref(fn: string, module: unknown): string {
  if (module instanceof URL) return module.href;
  if (typeof module === 'string' && /^[a-z]+:/.test(module)) return module;
  if (typeof module === 'string' && module.startsWith('/')) return pathToFileURL(module).href;
  throw new TypeError(`${fn}: expected module to be a URL or an absolute path, got ${JSON.stringify(module)}`);
}

/** Imports a model module and checks its exports. */
export async function importModelModule(fn: string, m: ModelModule): Promise<LoadedModel> {
  const href = moduleHref(fn, m.module);
  const mod = (await import(href)) as Record<string, unknown>;
  const name = m.exportName ?? 'makeModel';
  if (typeof mod[name] !== 'function') throw new TypeError(`${fn}: expected module ${href} to export a function '${name}', got ${typeof mod[name]}`);
  for (const k of ['makeOptimizer', 'loss']) {
    if (mod[k] !== undefined && typeof mod[k] !== 'function') throw new TypeError(`${fn}: expected module ${href} to export '${k}' as a function, got ${typeof mod[k]}`);
  }
  return { makeModel: mod[name] as LoadedModel['makeModel'], makeOptimizer: mod.makeOptimizer as LoadedModel['makeOptimizer'], loss: mod.loss as LoadedModel['loss'] };
}

/** lrlab's losses by name, for a worker thread. */
export const LOSSES: Record<string, NonNullable<FitOptions['loss']>> = { mseLoss, l1Loss, huberLoss, smoothL1Loss, crossEntropy, bceWithLogits };

export function lossName(loss: unknown): string | null {
  return Object.keys(LOSSES).find((k) => LOSSES[k] === loss) ?? null;
}

/** What a worker thread of a grid search reads from the study's user attributes. */
export interface ThreadedSearch {
  model: { module: string; exportName?: string };
  cells: GridCell[];
  names: string[];
  training: { lr: number; epochs: number; batchSize: number }[];
  cv: number;
  split: 'kfold' | 'timeseries';
  shuffle: boolean | undefined;
  seed: number;
  scoring: string;
  loss: string | null;
  clipNorm: number | undefined;
  /** 'raise', or a number (NaN written as null: JSON has no NaN). */
  errorScore: number | null | 'raise';
  data: { x: string; xShape: number[]; y: string; yShape: number[] };
}

/**
 * Runs the cells in `nJobs` worker threads on a SQLite study in a temporary directory: the data go to two files,
 * the search's settings to the study's user attributes, every cell into the study's queue (whose pop is one
 * transaction, so no two workers take a cell), and each worker imports `grid-search-worker` as its objective. The
 * returned study is a snapshot: its storage is closed and the directory removed.
 */
export async function runInThreads(fn: string, s: Omit<ThreadedSearch, 'model' | 'data' | 'errorScore'> & { model: ModelModule; errorScore: number | 'raise'; studyName: string | undefined; x: Tensor; y: Tensor }, nJobs: number): Promise<Study> {
  const dir = mkdtempSync(join(tmpdir(), 'lrlab-grid-'));
  try {
    writeFileSync(join(dir, 'x.f32'), s.x.data);
    writeFileSync(join(dir, 'y.f32'), s.y.data);
    const study = await createStudy({ direction: 'maximize', storage: `sqlite:///${join(dir, 'study.db')}`, ...(s.studyName === undefined ? {} : { studyName: s.studyName }) });
    const config: ThreadedSearch = {
      model: { module: moduleHref(fn, s.model.module), ...(s.model.exportName === undefined ? {} : { exportName: s.model.exportName }) },
      cells: s.cells, names: s.names, training: s.training, cv: s.cv, split: s.split, shuffle: s.shuffle, seed: s.seed, scoring: s.scoring,
      loss: s.loss, clipNorm: s.clipNorm, errorScore: typeof s.errorScore === 'number' && Number.isNaN(s.errorScore) ? null : s.errorScore,
      data: { x: join(dir, 'x.f32'), xShape: [...s.x.shape], y: join(dir, 'y.f32'), yShape: [...s.y.shape] },
    };
    await study.setUserAttr('gridSearchCV', config);
    const codec = gridCodec(s.cells, s.names);
    for (const [i, cell] of s.cells.entries()) await study.enqueueTrial(codec.encode(cell), { cell: i });
    try {
      await study.optimize({ module: sibling('../tune-recipes/grid-search-worker') }, { nTrials: s.cells.length, nJobs });
    } finally {
      await study.storage.close();
    }
    return study;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
