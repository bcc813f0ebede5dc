// The dashboard's side of a folder of finder reports (what `lrlab find` and `lrlab demo` write into --out): the
// folder itself when it is a report, and each folder below it (two levels deep) that holds a results.json. A run is
// named by its path relative to the folder, and only those found are ever read: a name reaching outside the
// folder ('..', an absolute path) is refused before any file is touched. A run under way with --live is found by its
// progress file beside its folder (see live.ts), and shown from it until its report is written.
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import type { FindLrResult } from '../lrfind/find-lr.js';
import { beforeAfterSpec, lrVsLossSpec, metricSpec, sweepSpec } from '../report/charts.js';
import { formatLr } from '../format/number.js';
import { running } from '../io/atomic.js';
import { comparisonTable } from '../report/report.js';
import type { PlotResult } from './study-plots.js';
import { liveRunName, readLiveFile, type LiveFile } from './live.js';

/** The panels a finder run has. */
export const RUN_PLOTS = ['range-test', 'sweep', 'validation', 'long-runs', 'metric'] as const;
export type RunPlot = (typeof RUN_PLOTS)[number];

/** A finder run as the runs list sends it. */
export interface RunJson {
  id: string;
  source: string;
  description: string;
  task: string;
  model: string;
  lossName: string;
  modified: string;
  recommendation: { lr: number; source: string; keepCurrent: boolean; confidence: string; sentence: string } | null;
  trained: { name: string; lr: number; reason: string } | null;
  rules: { method: string; lr: number | null }[];
  spreadDecades: number | null;
  sweepBestLr: number | null;
  candidates: { name: string; lr: number; valLoss: number | null }[];
  comparison: { metric: string; baseline: string; optimized: string; change: string }[];
  warnings: string[];
  /** A run under way (--live): its progress; null for a written report. */
  live: LiveJson | null;
}

/** The progress of a run under way, as the runs list sends it. */
export interface LiveJson {
  state: LiveFile['state'];
  /** True when the file says running but its process is gone: the run stopped before its end. */
  stopped: boolean;
  pid: number;
  stage: string;
  done: number;
  total: number;
  startedAt: string;
  updatedAt: string;
  /** The progress file's writes so far: a new value is a new state, even within one millisecond. */
  writes: number;
  notes: LiveFile['notes'];
  error: string | null;
}

/** A run name that would reach outside the reports folder. */
export class OutsideFolderError extends RangeError {}

/** A run that could not be read (a results.json being replaced, or not a finder's). */
export class UnreadableRunError extends Error {}

const MAX_DEPTH = 2;

/** A folder of finder reports, rescanned on every listing (a run that ends appears without a restart). */
export class ReportFolder {
  readonly root: string;
  private cache = new Map<string, { mtimeMs: number; result: FindLrResult }>();

  constructor(dir: string) {
    this.root = realpathSync(dir);
    if (!statSync(this.root).isDirectory()) throw new RangeError(`dashboard: expected a folder of finder reports, got the file '${dir}'`);
  }

  /** The run ids (paths relative to the folder, '/'-separated; '.' for the folder itself), sorted. */
  ids(): string[] {
    const found: string[] = [];
    const walk = (dir: string, depth: number) => {
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        return; // unreadable or gone while scanning
      }
      const here = relative(this.root, dir).split(sep).join('/');
      if (names.includes('results.json')) found.push(here || '.');
      if (depth >= MAX_DEPTH) return;
      for (const name of names) {
        // a run under way beside its (maybe not yet written) folder, one level down
        const run = liveRunName(name);
        if (run !== null && !found.includes(here ? `${here}/${run}` : run)) found.push(here ? `${here}/${run}` : run);
      }
      for (const name of names.sort()) {
        if (name.startsWith('.') || name === 'node_modules') continue; // hidden: a report being written (writeDirAtomic)
        const path = join(dir, name);
        try {
          if (statSync(path).isDirectory()) walk(path, depth + 1);
        } catch {
          // removed between readdir and stat
        }
      }
    };
    walk(this.root, 0);
    // the folder itself under way: its progress file is beside it
    if (!found.includes('.') && existsSync(this.livePath('.'))) found.push('.');
    return [...new Set(found)].sort();
  }

  /** Where run `id`'s progress file is (beside its folder). */
  private livePath(id: string): string {
    return id === '.' ? join(dirname(this.root), `.${basename(this.root)}.live.json`) : join(this.root, dirname(id), `.${basename(id)}.live.json`);
  }

  /**
   * Run `id`'s progress while it runs: null when it has none, or when its report was written after it started (a
   * progress file left behind, or the instant between the report's swap and the file's removal). A progress file
   * that cannot be read is an UnreadableRunError, unless a report newer than it is there.
   */
  live(id: string): LiveFile | null {
    const path = this.livePath(id);
    if (!existsSync(path)) return null;
    if (id !== '.') {
      const real = realpathSync(path);
      if (!real.startsWith(this.root + sep)) throw new OutsideFolderError(`dashboard: expected a progress file inside the reports folder, got '${id}' (a link to outside it)`);
    }
    let report: number | null = null;
    try {
      report = statSync(join(this.root, id, 'results.json')).mtimeMs;
    } catch {
      // no report yet
    }
    try {
      const file = readLiveFile(path);
      return report !== null && report >= file.startedAt ? null : file;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null; // removed while read: the report is in
      if (report !== null && report >= statSync(path, { throwIfNoEntry: false })!.mtimeMs) return null;
      throw new UnreadableRunError(`dashboard: could not read the progress of the run ${id} (${basename(path)}): ${(error as Error).message.replace(/^readLiveFile: /, '')}`);
    }
  }

  /** The results of run `id`; an id outside the folder is an OutsideFolderError, an unknown one null. */
  result(id: string): FindLrResult | null {
    if (typeof id !== 'string' || id === '' || isAbsolute(id) || id.includes('\\') || id.includes('\0') || id.split('/').includes('..')) {
      throw new OutsideFolderError(`dashboard: expected a report folder inside the reports folder, got '${id}'`);
    }
    if (!this.ids().includes(id)) return null;
    const live = this.live(id);
    if (live !== null) return liveResult(live);
    const file = join(this.root, id, 'results.json');
    if (!existsSync(file)) return null; // a progress file removed since the listing, its report not in yet
    // a symbolic link inside the folder may point anywhere: what it resolves to must stay inside too
    const real = realpathSync(file);
    if (real !== this.root && !real.startsWith(this.root + sep)) throw new OutsideFolderError(`dashboard: expected a report folder inside the reports folder, got '${id}' (a link to outside it)`);
    const mtimeMs = statSync(real).mtimeMs;
    const hit = this.cache.get(id);
    if (hit !== undefined && hit.mtimeMs === mtimeMs) return hit.result;
    let result: FindLrResult;
    try {
      result = JSON.parse(readFileSync(real, 'utf8')) as FindLrResult;
    } catch (error) {
      throw new UnreadableRunError(`dashboard: could not read ${id}/results.json: ${(error as Error).message}`);
    }
    if (result === null || typeof result !== 'object' || !('rangeTest' in result) || !('suggestion' in result)) {
      throw new UnreadableRunError(`dashboard: ${id}/results.json is not a finder's results (no rangeTest or suggestion)`);
    }
    this.cache.set(id, { mtimeMs, result });
    return result;
  }

  /** Run `id` as the runs list shows it. */
  run(id: string): RunJson | null {
    const r = this.result(id);
    if (r === null) return null;
    const live = liveOf(r);
    const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
    const rec = r.recommendation;
    return {
      id, source: String(r.data?.source ?? ''), description: String(r.data?.description ?? ''), task: String(r.task ?? ''), model: String(r.model ?? ''),
      lossName: String(r.lossName ?? 'loss'), modified: live !== null ? new Date(live.updatedAt).toISOString() : statSync(join(this.root, id, 'results.json')).mtime.toISOString(),
      recommendation: rec ? { lr: rec.lr, source: rec.source, keepCurrent: rec.keepCurrent, confidence: rec.confidence, sentence: rec.sentence } : null,
      trained: r.trained ?? null,
      rules: Object.values(r.suggestion?.suggestions ?? {}).map((s) => ({ method: s.method, lr: num(s.lr) })),
      spreadDecades: num(r.suggestion?.spreadDecades), sweepBestLr: num(r.sweep?.bestLr),
      candidates: (r.validation?.candidates ?? []).map((c) => ({ name: c.name, lr: c.lr, valLoss: num(c.valLoss ?? c.valMse) })),
      comparison: (r as { comparison?: RunJson['comparison'] }).comparison ?? (live !== null && rec ? liveComparison(r) : []),
      warnings: [...(r.suggestion?.warnings ?? []), ...(r.validation?.warnings ?? [])],
      live: live === null ? null : {
        state: live.state, stopped: live.state === 'running' && !running(live.pid), pid: live.pid, stage: live.stage, done: live.done, total: live.total,
        startedAt: new Date(live.startedAt).toISOString(), updatedAt: new Date(live.updatedAt).toISOString(), writes: live.writes, notes: live.notes.slice(-20), error: live.error ?? null,
      },
    };
  }
}

// A run under way is read as a FindLrResult whose stages not yet reached are empty, marked with its progress file
const LIVE = Symbol('live');
const liveOf = (r: FindLrResult): LiveFile | null => (r as { [LIVE]?: LiveFile })[LIVE] ?? null;

/** A progress file's result so far, with empty stages where the run has not been yet. */
function liveResult(file: LiveFile): FindLrResult {
  const r = file.result;
  const notYet = (name: string) => ({ name, lr: NaN, seeds: [], history: { loss: [], valLoss: [], valMetric: [], lr: [], timeMs: [] } });
  return {
    ...r,
    rangeTest: r.rangeTest ?? { lrs: [], losses: [], smoothedLosses: [], iterations: 0 },
    sweep: { bestLr: NaN, ...r.sweep, rows: r.sweep?.rows ?? [] },
    validation: { warnings: [], ...r.validation, candidates: r.validation?.candidates ?? [], seeds: r.validation?.seeds ?? [] },
    baseline: r.baseline ?? notYet('baseline'),
    optimized: r.optimized ?? notYet('trained'),
    rangeTestSeeds: r.rangeTestSeeds ?? null,
    [LIVE]: file,
  } as unknown as FindLrResult;
}

/** The report's comparison table for a run whose whole result is in (the report is being written). */
function liveComparison(r: FindLrResult): RunJson['comparison'] {
  try {
    return comparisonTable(r);
  } catch {
    return [];
  }
}

/** Why a panel of a run under way has nothing to draw yet, or null when it has. */
function notYetDrawn(kind: RunPlot, r: FindLrResult): string | null {
  const stage = liveOf(r)?.stage ?? 'data';
  const at = `the run is at: ${stage}`;
  switch (kind) {
    case 'range-test':
      return r.rangeTest.lrs.length < 3 ? `the range test has ${r.rangeTest.lrs.length} step(s) so far; its curve is drawn from 3 (${at})` : null;
    case 'sweep':
      return r.sweep.rows.length === 0 ? `the sweep has not started (${at})` : null;
    case 'validation':
      return r.validation.candidates.length === 0 ? `the validation run has not started (${at})` : null;
    case 'long-runs':
    case 'metric':
      return r.baseline.history.loss.length === 0 ? `the long runs have not started (${at})` : null;
  }
  return null;
}

/** The validation run: each candidate's best validation loss (mean over the seeds), one bar per candidate. */
export function validationSpec(r: FindLrResult): TopLevelSpec {
  const all = r.validation.candidates.map((c) => ({ candidate: `${c.name} (lr ${formatLr(c.lr)})`, loss: c.valLoss ?? c.valMse, chosen: c.name === r.validation.chosen?.name ? 'chosen' : 'other' }));
  const rows = all.filter((c) => typeof c.loss === 'number' && Number.isFinite(c.loss));
  const k = r.validation.seeds?.length ?? 1;
  return {
    title: `Validation run: best validation ${r.lossName} of each candidate over ${r.config.validation.epochs} epoch(s)${k > 1 ? `, mean of ${k} seeds` : ''}${rows.length < all.length ? `; ${all.length - rows.length} diverged (not drawn)` : ''}`,
    width: 480, height: Math.max(80, 28 * rows.length), data: { values: rows },
    encoding: { y: { field: 'candidate', type: 'nominal', title: null, sort: null, axis: { labelLimit: 300 } }, x: { field: 'loss', type: 'quantitative', title: `validation ${r.lossName}`, scale: { zero: false } } },
    layer: [
      { mark: 'bar', encoding: { color: { field: 'chosen', type: 'nominal', title: null, scale: { domain: ['chosen', 'other'], range: ['#d62728', '#9ecae1'] } } } },
      { mark: { type: 'text', align: 'left', dx: 3 }, encoding: { text: { field: 'loss', type: 'quantitative', format: '.4~g' } } },
    ],
  } as TopLevelSpec;
}

/** One panel of a finder run, from the report's own chart specs (src/report/charts.ts) where there is one. */
export function runPlot(kind: RunPlot, r: FindLrResult): PlotResult {
  const live = liveOf(r);
  if (live !== null && live.state !== 'finished') {
    const why = notYetDrawn(kind, r);
    if (why !== null) return { reason: why };
    const drawn = runPlot(kind, { ...r, [LIVE]: undefined } as FindLrResult);
    // the title says the chart is of a run under way
    if ('spec' in drawn && typeof drawn.spec.title === 'string') return { spec: { ...drawn.spec, title: `${drawn.spec.title} (so far: ${live.stage} ${live.done}/${live.total})` } as TopLevelSpec };
    return drawn;
  }
  try {
    switch (kind) {
      case 'range-test':
        return { spec: lrVsLossSpec(r) };
      case 'sweep':
        return { spec: sweepSpec(r) };
      case 'validation':
        return { spec: validationSpec(r) };
      case 'long-runs':
        return { spec: beforeAfterSpec(r) };
      case 'metric':
        if (!r.metric || ![r.baseline, r.optimized].some((s) => (s?.history?.valMetric ?? []).length > 0)) return { reason: 'the run recorded no validation metric per epoch' };
        return { spec: metricSpec(r) };
    }
  } catch (error) {
    // results.json keeps no NaN (JSON writes null): a diverged range test may not chart, and says why
    return { reason: `not drawn: ${(error as Error).message}` };
  }
  return { reason: `unknown panel '${kind}'` };
}
