import type { TopLevelSpec } from 'vega-lite';
import { writeDirAtomic } from '../io/atomic-dir.js';
import { checkOutputDir } from '../io/output-dir.js';
import { checkOptionsObject } from '../format/check.js';
import type { ScheduleComparisonRow } from '../train/compare.js';
import type { ImageComparison, ImageScheduleRun } from '../train/compare-images.js';
import { renderSvg, scheduleAccuracySpec, scheduleLossSpec, scheduleLrSpec, type ScheduleCurves } from './charts.js';
import { reportHtml } from './report.js';

function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

const pct = (v: number) => `${(v * 100).toFixed(2)}%`;

/** Checks a comparison: the image comparison's object, or the time-series comparison's rows. */
function checkComparison(fn: string, input: unknown, kind: 'image' | 'series' | 'either'): void {
  const image = input !== null && typeof input === 'object' && !Array.isArray(input) && Array.isArray((input as ImageComparison).runs) && Array.isArray((input as ImageComparison).summaries) && typeof (input as ImageComparison).settings === 'object';
  const series = Array.isArray(input) && input.length > 0 && input.every((r) => r !== null && typeof r === 'object' && Array.isArray((r as ScheduleComparisonRow).trainLoss));
  if ((kind === 'image' && !image) || (kind === 'series' && !series) || (kind === 'either' && !image && !series)) {
    const what = kind === 'image' ? 'the result of compareImageSchedules' : kind === 'series' ? 'the rows of compareSchedules' : 'the result of compareImageSchedules or compareSchedules';
    throw new TypeError(`${fn}: expected ${what}, got ${input === null ? 'null' : Array.isArray(input) ? 'another array' : typeof input}`);
  }
}

const sd = (o: { mean: number; std: number; values: number[] }) => (o.values.length > 1 ? `${pct(o.mean)} ± ${(o.std * 100).toFixed(2)}` : pct(o.mean));
const meanOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Per schedule: each per-epoch series averaged over the seeds (the charts' and the per-epoch tables' lines). */
export function meanCurves(c: ImageComparison): (ScheduleCurves & { epochSeconds: number[] })[] {
  checkComparison('meanCurves', c, 'image');
  const names = [...new Set(c.runs.map((r) => r.name))];
  return names.map((name) => {
    const rs = c.runs.filter((r) => r.name === name);
    const avg = (pick: (r: ImageScheduleRun) => number[]) => pick(rs[0]).map((_, e) => meanOf(rs.map((r) => pick(r)[e])));
    return { name, trainLoss: avg((r) => r.trainLoss), valLoss: avg((r) => r.valLoss), lr: rs[0].lr, batchLr: rs[0].batchLr, valAccuracy: avg((r) => r.valAccuracy), testAccuracy: avg((r) => r.testAccuracy), epochSeconds: avg((r) => r.epochSeconds) };
  });
}

/** "2.0 (3 of 3)": the mean over the seeds that reached the target, and how many did. */
function reachedCell(values: (number | null)[], digits: number): string {
  const got = values.filter((v): v is number => v !== null);
  if (got.length === 0) return 'not reached';
  return `${meanOf(got).toFixed(digits)}${values.length > 1 ? ` (${got.length} of ${values.length})` : ''}`;
}

/** The target in words: given, or a fraction of the best accuracy reached. */
export function targetWords(c: ImageComparison): string {
  const s = c.settings;
  return s.targetFraction === null ? `${pct(s.target)} (given)` : `${pct(s.target)} (${s.targetFraction} of the best test accuracy reached, ${pct(s.target / s.targetFraction)})`;
}

/**
 * The image comparison's report as Markdown: settings, the summary over seeds, the paired comparison with
 * constant, per-seed accuracies, per-epoch means, AdaptiveLR's decisions (first seed), the best run's confusion.
 */
export function imageComparisonMarkdown(c: ImageComparison): string {
  checkComparison('imageComparisonMarkdown', c, 'image');
  const s = c.settings, k = s.seeds.length;
  const summary = table(
    ['schedule', `final test accuracy${k > 1 ? ' (mean ± sd)' : ''}`, `best${k > 1 ? ' (mean ± sd)' : ''}`, `test top-${s.topK}`, 'epochs to target', 'training s to target', 'training s', 'setup'],
    c.summaries.map((m) => {
      const rs = c.runs.filter((r) => r.name === m.name);
      return [m.name, sd(m.finalAccuracy), sd(m.bestAccuracy), pct(meanOf(rs.map((r) => r.testTop5[r.testTop5.length - 1]))), reachedCell(m.epochsToTarget, k > 1 ? 1 : 0), reachedCell(m.secondsToTarget, 0), meanOf(m.trainingSeconds.values).toFixed(0), rs[0].description];
    }),
  );
  const paired = c.summaries.filter((m) => m.vsConstant !== null);
  const pts = (v: number) => (Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${(v * 100).toFixed(2)}` : '-');
  const pairedTable = paired.length === 0 ? 'No paired comparison: constant did not run.' : `${table(
    ['schedule', 'final: mean difference (points)', '95% CI', 'seeds higher', 'best: mean difference', '95% CI'],
    paired.map((m) => { const { final: f, best: b } = m.vsConstant!; return [m.name, pts(f.mean), k > 1 ? `${pts(f.low)} to ${pts(f.high)}` : '-', `${f.wins} of ${f.n}`, pts(b.mean), k > 1 ? `${pts(b.low)} to ${pts(b.high)}` : '-']; }),
  )}\n\n${paired.map((m) => `- **${m.name}**: ${m.vsConstant!.verdict}.`).join('\n')}`;
  const perSeed = table(['seed', ...c.summaries.map((m) => m.name)], s.seeds.map((seed) => [String(seed), ...c.summaries.map((m) => { const r = c.runs.find((x) => x.name === m.name && x.seed === seed)!; return `${pct(r.finalTestAccuracy)} (best ${pct(r.bestTestAccuracy)})`; })]));
  const perEpoch = meanCurves(c).map((r) => `### ${r.name}\n\n${table(['epoch', 'lr (first seed)', 'training loss', 'validation loss', 'validation accuracy', 'test accuracy', 'training s'], r.trainLoss.map((l, e) => [String(e + 1), r.lr[e].toExponential(2), l.toFixed(4), r.valLoss[e].toFixed(4), pct(r.valAccuracy![e]), pct(r.testAccuracy![e]), r.epochSeconds[e].toFixed(1)]))}`).join('\n\n');
  const adaptive = c.runs.find((r) => r.decisions !== null);
  const decisions = adaptive?.decisions
    ? `## AdaptiveLR's decisions (seed ${adaptive.seed})\n\nObserved every ${s.adaptiveEvery} batches: the mean training loss since the last check and the validation accuracy.\n\n${table(['check', 'loss', 'validation accuracy', 'action', 'reason', 'lr after'], adaptive.decisions.map((d) => [String(d.step), d.loss.toFixed(4), d.metric === null ? '-' : pct(d.metric), d.action, d.reason, d.lr[0].toExponential(2)]))}`
    : '';
  const best = c.runs.reduce((a, b) => (b.bestTestAccuracy > a.bestTestAccuracy ? b : a));
  const confusion = table(['true \\ predicted', ...c.classes.map((_, i) => String(i))], best.confusion.map((row, i) => [`${i} ${c.classes[i]}`, ...row.map(String)]));
  const seedWords = k > 1 ? `seeds ${s.seeds.join(', ')} (every schedule from the same ${k} initializations and batch orders; the data split of seed ${s.seed})` : `seed ${s.seed}`;
  return `# Learning-rate schedules on ${s.data}

${s.model[0].toUpperCase()}${s.model.slice(1)}; ${seedWords}. Adam from lr ${s.lr}, batch ${s.batchSize},
${s.epochs} epochs under each schedule; ${s.trainSize} training, ${s.validationSize} validation and ${s.testSize} test examples${s.augment ? `; training images augmented: ${s.augment}` : ''}${s.backend ? `; backend ${s.backend}` : ''}.
Accuracy is measured after every epoch; training time excludes evaluation. Target accuracy: ${targetWords(c)}.

${summary}

## Against constant, seed by seed

Each schedule's test accuracy minus constant's from the same seed; the interval is the paired t interval (95%) of the mean difference. A difference is supported when its interval leaves out 0.

${pairedTable}

## Final test accuracy per seed

${perSeed}

![Accuracy](accuracy.svg)

![Loss](loss.svg)

![Learning-rate profile](lr.svg)

${decisions}

## Confusion matrix of the best run (${best.name}, seed ${best.seed}, test set, final epoch)

${confusion}

## Per epoch${k > 1 ? ` (mean over ${k} seeds)` : ''}

${perEpoch}
`;
}

/** The time-series comparison's report as Markdown. */
export function seriesComparisonMarkdown(rows: ScheduleComparisonRow[]): string {
  checkComparison('seriesComparisonMarkdown', rows, 'series');
  return `# Learning-rate schedules on the built-in series

The built-in series' MLP (20-128-64-32-1) trained from the same seed and initialization under each schedule (validation MSE in the series' units).

${table(['schedule', 'final val MSE', 'best val MSE', 'convergence epoch', 'dynamics', 'time s'], rows.map((r) => [r.name, r.finalValMse.toFixed(2), r.bestValMse.toFixed(2), String(r.analysis.convergenceEpoch ?? '-'), r.analysis.classification, (r.timeMs / 1000).toFixed(1)]))}

![Loss](loss.svg)

![Learning-rate profile](lr.svg)
`;
}

/** The charts of a comparison, by file name. */
export function scheduleComparisonSpecs(input: ImageComparison | ScheduleComparisonRow[]): Record<string, TopLevelSpec> {
  checkComparison('scheduleComparisonSpecs', input, 'either');
  if (Array.isArray(input)) {
    const curves: ScheduleCurves[] = input.map((r) => ({ name: r.name, trainLoss: r.trainLoss, valLoss: r.valLoss, lr: r.lr }));
    return { 'loss.svg': scheduleLossSpec(curves, 'MSE (series units)'), 'lr.svg': scheduleLrSpec(curves) };
  }
  const curves = meanCurves(input), k = input.settings.seeds.length;
  const over = k > 1 ? ` (mean over ${k} seeds)` : '';
  return {
    'accuracy.svg': scheduleAccuracySpec(curves, input.settings.target, `Accuracy per epoch${over}`),
    'loss.svg': scheduleLossSpec(curves, 'cross-entropy', `Loss per epoch${over}`),
    'lr.svg': scheduleLrSpec(curves, `Learning-rate profile of every schedule${k > 1 ? ` (seed ${input.settings.seeds[0]})` : ''}`),
  };
}

/** The files a schedule comparison's report may hold (accuracy.svg only for the image comparison). */
export const SCHEDULE_REPORT_FILES: readonly string[] = ['accuracy.svg', 'loss.svg', 'lr.svg', 'results.json', 'report.md', 'report.html'];

/** Options of {@link writeScheduleReport}. */
export interface ScheduleReportOptions {
  /** Replace `dir` even when it holds files that are not a schedule report's (they are deleted). Default false. */
  overwrite?: boolean;
}

/**
 * Writes a schedule comparison's report into `dir`: the SVG charts (loss, lr profile, and accuracy for
 * classification), `results.json`, `report.md` and a self-contained `report.html`. `dir` must be new, empty or a
 * previous schedule report (checked first; `overwrite: true` replaces a folder holding other files); a symbolic
 * link is followed. Everything is rendered first, then the files replace `dir` as one set (writeDirAtomic), so a
 * failure or a kill at any point leaves the whole old report or the whole new one. Returns the names written.
 */
export async function writeScheduleReport(dir: string, input: ImageComparison | ScheduleComparisonRow[], options: ScheduleReportOptions = {}): Promise<string[]> {
  const fn = 'writeScheduleReport';
  if (typeof dir !== 'string' || dir === '') throw new TypeError(`${fn}: expected a directory path, got ${dir === '' ? 'an empty string' : typeof dir}`);
  checkComparison(fn, input, 'either');
  checkOptionsObject(fn, options, ['overwrite']);
  if (options.overwrite !== undefined && typeof options.overwrite !== 'boolean') throw new TypeError(`${fn}: expected overwrite to be true or false, got ${typeof options.overwrite}`);
  const target = checkOutputDir(dir, fn, SCHEDULE_REPORT_FILES, { overwrite: options.overwrite });
  const files: Record<string, string> = {};
  for (const [name, spec] of Object.entries(scheduleComparisonSpecs(input))) files[name] = await renderSvg(spec);
  const md = Array.isArray(input) ? seriesComparisonMarkdown(input) : imageComparisonMarkdown(input);
  const svgs = { ...files };
  files['results.json'] = JSON.stringify(input, null, 1);
  files['report.md'] = md;
  files['report.html'] = reportHtml(md, svgs);
  await writeDirAtomic(target, (write) => {
    for (const [name, content] of Object.entries(files)) write(name, content);
  }, { replaces: SCHEDULE_REPORT_FILES, overwrite: options.overwrite });
  return Object.keys(files);
}
