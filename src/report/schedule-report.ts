import type { TopLevelSpec } from 'vega-lite';
import { writeDirAtomic } from '../io/atomic-dir.js';
import { checkOutputDir } from '../io/output-dir.js';
import { checkOptionsObject } from '../format/check.js';
import type { ScheduleComparisonRow } from '../train/compare.js';
import type { ImageComparison } from '../train/compare-images.js';
import { renderSvg, scheduleAccuracySpec, scheduleLossSpec, scheduleLrSpec, type ScheduleCurves } from './charts.js';
import { reportHtml } from './report.js';

function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

const pct = (v: number) => `${(v * 100).toFixed(2)}%`;

/** Checks a comparison: the image comparison's object, or the time-series comparison's rows. */
function checkComparison(fn: string, input: unknown, kind: 'image' | 'series' | 'either'): void {
  const image = input !== null && typeof input === 'object' && !Array.isArray(input) && Array.isArray((input as ImageComparison).runs) && typeof (input as ImageComparison).settings === 'object';
  const series = Array.isArray(input) && input.length > 0 && input.every((r) => r !== null && typeof r === 'object' && Array.isArray((r as ScheduleComparisonRow).trainLoss));
  if ((kind === 'image' && !image) || (kind === 'series' && !series) || (kind === 'either' && !image && !series)) {
    const what = kind === 'image' ? 'the result of compareImageSchedules' : kind === 'series' ? 'the rows of compareSchedules' : 'the result of compareImageSchedules or compareSchedules';
    throw new TypeError(`${fn}: expected ${what}, got ${input === null ? 'null' : Array.isArray(input) ? 'another array' : typeof input}`);
  }
}

/** The image comparison's report as Markdown: settings, the summary table, per-epoch figures, AdaptiveLR's decisions. */
export function imageComparisonMarkdown(c: ImageComparison): string {
  checkComparison('imageComparisonMarkdown', c, 'image');
  const s = c.settings;
  const summary = table(
    ['schedule', 'final test accuracy', 'best (epoch)', 'test top-5', `epochs to ${pct(s.target)}`, `training s to ${pct(s.target)}`, 'training s', 'setup'],
    c.runs.map((r) => [r.name, pct(r.finalTestAccuracy), `${pct(r.bestTestAccuracy)} (${r.bestEpoch})`, pct(r.testTop5[r.testTop5.length - 1]), r.epochsToTarget === null ? 'not reached' : String(r.epochsToTarget), r.secondsToTarget === null ? '-' : r.secondsToTarget.toFixed(0), r.epochSeconds.reduce((a, b) => a + b, 0).toFixed(0), r.description]),
  );
  const perEpoch = c.runs.map((r) => `### ${r.name}\n\n${table(['epoch', 'lr', 'training loss', 'validation loss', 'validation accuracy', 'test accuracy', 'training s'], r.trainLoss.map((l, e) => [String(e + 1), r.lr[e].toExponential(2), l.toFixed(4), r.valLoss[e].toFixed(4), pct(r.valAccuracy[e]), pct(r.testAccuracy[e]), r.epochSeconds[e].toFixed(1)]))}`).join('\n\n');
  const adaptive = c.runs.find((r) => r.decisions !== null);
  const decisions = adaptive?.decisions
    ? `## AdaptiveLR's decisions\n\nObserved every ${s.adaptiveEvery} batches: the mean training loss since the last check and the validation accuracy.\n\n${table(['check', 'loss', 'validation accuracy', 'action', 'reason', 'lr after'], adaptive.decisions.map((d) => [String(d.step), d.loss.toFixed(4), d.metric === null ? '-' : pct(d.metric), d.action, d.reason, d.lr[0].toExponential(2)]))}`
    : '';
  const best = c.runs.reduce((a, b) => (b.bestTestAccuracy > a.bestTestAccuracy ? b : a));
  const confusion = table(['true \\ predicted', ...c.classes.map((_, i) => String(i))], best.confusion.map((row, i) => [`${i} ${c.classes[i]}`, ...row.map(String)]));
  return `# Learning-rate schedules on Fashion-MNIST

The same CNN (conv 16 and 32 channels, max-pooling, a 128-unit layer; seed ${s.seed}), Adam from lr ${s.lr}, batch ${s.batchSize},
${s.epochs} epochs under each schedule; ${s.trainSize} training, ${s.validationSize} validation and ${s.testSize} test images${s.backend ? `; backend ${s.backend}` : ''}.
Accuracy is measured after every epoch; training time excludes evaluation.

${summary}

![Accuracy](accuracy.svg)

![Loss](loss.svg)

![Learning-rate profile](lr.svg)

${decisions}

## Confusion matrix of the best run (${best.name}, test set, final epoch)

${confusion}

## Per epoch

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
  const curves: ScheduleCurves[] = input.runs.map((r) => ({ name: r.name, trainLoss: r.trainLoss, valLoss: r.valLoss, lr: r.lr, batchLr: r.batchLr, valAccuracy: r.valAccuracy, testAccuracy: r.testAccuracy }));
  return { 'accuracy.svg': scheduleAccuracySpec(curves, input.settings.target), 'loss.svg': scheduleLossSpec(curves, 'cross-entropy'), 'lr.svg': scheduleLrSpec(curves) };
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
