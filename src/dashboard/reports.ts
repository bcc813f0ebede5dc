// The dashboard's side of a folder of finder reports (what `lrlab find` and `lrlab demo` write into --out): the
// folder itself when it is a report, and each folder below it (two levels deep) that holds a results.json. A run is
// named by its path relative to the folder, and only those found are ever read: a name reaching outside the
// folder ('..', an absolute path) is refused before any file is touched.
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import type { FindLrResult } from '../lrfind/find-lr.js';
import { beforeAfterSpec, lrVsLossSpec, metricSpec, sweepSpec } from '../report/charts.js';
import { formatLr } from '../format/number.js';
import type { PlotResult } from './study-plots.js';

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
      if (names.includes('results.json')) found.push(relative(this.root, dir).split(sep).join('/') || '.');
      if (depth >= MAX_DEPTH) return;
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
    return found;
  }

  /** The results of run `id`; an id outside the folder is an OutsideFolderError, an unknown one null. */
  result(id: string): FindLrResult | null {
    if (typeof id !== 'string' || id === '' || isAbsolute(id) || id.includes('\\') || id.includes('\0') || id.split('/').includes('..')) {
      throw new OutsideFolderError(`dashboard: expected a report folder inside the reports folder, got '${id}'`);
    }
    if (!this.ids().includes(id)) return null;
    const file = join(this.root, id, 'results.json');
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
    const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
    const rec = r.recommendation;
    return {
      id, source: String(r.data?.source ?? ''), description: String(r.data?.description ?? ''), task: String(r.task ?? ''), model: String(r.model ?? ''),
      lossName: String(r.lossName ?? 'loss'), modified: statSync(join(this.root, id, 'results.json')).mtime.toISOString(),
      recommendation: rec ? { lr: rec.lr, source: rec.source, keepCurrent: rec.keepCurrent, confidence: rec.confidence, sentence: rec.sentence } : null,
      trained: r.trained ?? null,
      rules: Object.values(r.suggestion?.suggestions ?? {}).map((s) => ({ method: s.method, lr: num(s.lr) })),
      spreadDecades: num(r.suggestion?.spreadDecades), sweepBestLr: num(r.sweep?.bestLr),
      candidates: (r.validation?.candidates ?? []).map((c) => ({ name: c.name, lr: c.lr, valLoss: num(c.valLoss ?? c.valMse) })),
      comparison: (r as { comparison?: RunJson['comparison'] }).comparison ?? [],
      warnings: [...(r.suggestion?.warnings ?? []), ...(r.validation?.warnings ?? [])],
    };
  }
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
