import { checkOutputDir } from '../io/atomic.js';
import { writeDirAtomic } from '../io/atomic-dir.js';
import type { PipelineResult, RunSummary } from '../lrfind/pipeline.js';
import { PLOTS, renderSvg } from './charts.js';
import { formatNumber, formatLr } from '../format/number.js';
import { checkRecord } from '../format/check.js';
import { describe } from '../format/number.js';

/** One row of the results table: the metric, both values, and the relative change (lower is better for all). */
export interface ComparisonRow {
  metric: string;
  baseline: string;
  optimized: string;
  change: string;
}

function change(base: number, opt: number, better: string, worse: string): string {
  if (!Number.isFinite(base) || !Number.isFinite(opt) || base === 0) return '-';
  const rel = (base - opt) / Math.abs(base);
  if (Math.abs(rel) < 0.0005) return 'same';
  return `${formatNumber(Math.abs(rel) * 100)}% ${rel > 0 ? better : worse}`;
}

/** The results table (baseline against the chosen rate), with the figures measured in this run. */
export function comparisonTable(r: PipelineResult): ComparisonRow[] {
  checkRecord('comparisonTable', 'a runPipeline result', r, ['baseline', 'optimized']);
  const b = r.baseline, o = r.optimized;
  const conv = (s: RunSummary) => s.analysis.convergenceEpoch ?? NaN;
  return [
    { metric: 'Learning rate', baseline: formatLr(b.lr), optimized: formatLr(o.lr), change: `x${formatNumber(o.lr / b.lr)}` },
    { metric: 'Training time', baseline: `${formatNumber(b.trainingTimeMs / 1000, 2)} s`, optimized: `${formatNumber(o.trainingTimeMs / 1000, 2)} s`, change: change(b.trainingTimeMs, o.trainingTimeMs, 'faster', 'slower') },
    { metric: 'Final validation MSE', baseline: formatNumber(b.finalValMse), optimized: formatNumber(o.finalValMse), change: change(b.finalValMse, o.finalValMse, 'better', 'worse') },
    { metric: 'Convergence epoch', baseline: String(b.analysis.convergenceEpoch ?? '-'), optimized: String(o.analysis.convergenceEpoch ?? '-'), change: change(conv(b), conv(o), 'fewer', 'more') },
    { metric: 'Loss variance', baseline: formatNumber(b.analysis.lossVariance), optimized: formatNumber(o.analysis.lossVariance), change: change(b.analysis.lossVariance, o.analysis.lossVariance, 'more stable', 'less stable') },
    { metric: 'Epochs run (early stopping)', baseline: String(b.epochsRun), optimized: String(o.epochsRun), change: change(b.epochsRun, o.epochsRun, 'fewer', 'more') },
    { metric: 'Dynamics', baseline: b.analysis.classification, optimized: o.analysis.classification, change: '' },
  ];
}

function markdownTable(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** The report as Markdown, linking the SVG plots beside it. */
export function reportMarkdown(r: PipelineResult): string {
  checkRecord('reportMarkdown', 'a runPipeline result', r, ['suggestion', 'rangeTest', 'sweep', 'validation', 'baseline', 'optimized', 'config', 'data', 'trained', 'recommendation']);
  const s = r.suggestion;
  const warnings = [...s.warnings, ...r.validation.warnings];
  return `# lrlab report

Data: ${r.data.source}: ${r.data.points} points${r.data.usedPoints < r.data.points ? ` (the last ${r.data.usedPoints} used, "maxPoints")` : ''}, ${r.data.trainWindows} training and ${r.data.validWindows} validation windows
of ${r.config.window}. Model: ${[r.config.window, ...r.config.hidden, 1].join('-')} ReLU MLP, ${r.config.optimizer}, batch ${r.config.batchSize}, seed ${r.config.seed}.

## Recommendation: ${r.recommendation.keepCurrent ? `keep ${formatLr(r.recommendation.lr)}` : `use ${formatLr(r.recommendation.lr)}`} (${r.recommendation.confidence} confidence)

**${r.recommendation.sentence}**

Trained: ${formatLr(r.trained.lr)}, the ${r.trained.name} rate, chosen as ${r.trained.reason}.

## Range test

The range test swept ${r.rangeTest.iterations} lrs from ${formatLr(r.config.rangeTest.startLr)} to ${formatLr(r.config.rangeTest.endLr)} (${r.rangeTest.stopReason}).
The steepest descent of the Savitzky-Golay-smoothed loss is at ${formatLr(s.lr)}; the valley, minimum and slide rules read the same curve differently (see docs/range-test.md).

${markdownTable(['rule', 'lr'], Object.values(s.suggestions).map((x) => [x.method, formatLr(x.lr)]))}

The suggestions span ${formatNumber(s.spreadDecades, 2)} decades (${s.agree ? 'they agree within one decade' : 'they disagree'}).
${warnings.length ? `\nWarnings:\n\n${warnings.map((w) => `- ${w}`).join('\n')}\n` : ''}
![Range test](lr-vs-loss.svg)

![Discovery](discovery.svg)

## Sweep and validation run

The sweep trained ${r.sweep.rows.length} fresh models for ${r.config.sweep.epochs} epoch(s) each; the lowest final validation loss was at ${formatLr(r.sweep.bestLr)}.
A ${r.config.validation.epochs}-epoch validation run compared the candidates (best validation MSE):

${markdownTable(['candidate', 'lr', 'validation MSE'], r.validation.candidates.map((c) => [c.name, formatLr(c.lr), formatNumber(c.valMse)]))}

![Sweep](sweep.svg)

## Your current rate against the trained one

Same seed, same initialization, ${r.config.schedule.type === 'constant' ? 'a constant rate' : `the ${r.config.schedule.type} schedule`}, early stopping (patience ${r.config.training.patience}, best weights restored).

${markdownTable(['Metric', 'Baseline', `Trained (${r.trained.name})`, 'Change'], comparisonTable(r).map((c) => [c.metric, c.baseline, c.optimized, c.change]))}

![Before and after](before-after.svg)

![Training dynamics](dynamics.svg)

![Training speed](speed.svg)

Measures: the final validation MSE is that of the weights kept; the loss variance is the variance of the validation
MSE over the second half of the epochs; the convergence epoch is the first within 5% of the run's best; a run is
oscillatory when over a quarter of its epochs raise the validation loss or its batch losses scatter by more than
half their level around a moving average.
`;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A self-contained HTML page: the Markdown's content with the SVGs inlined. */
export function reportHtml(markdown: string, svgs: Record<string, string>): string {
  if (typeof markdown !== 'string') throw new TypeError(`reportHtml: expected the report's Markdown, got ${describe(markdown)}`);
  checkRecord('reportHtml', 'the SVGs by file name', svgs);
  const body: string[] = [];
  let table: string[] | null = null;
  const flush = () => {
    if (table === null) return;
    const [head, , ...rows] = table;
    const cells = (l: string) => l.split('|').slice(1, -1).map((c) => escapeHtml(c.trim()));
    body.push(`<table><tr>${cells(head).map((c) => `<th>${c}</th>`).join('')}</tr>${rows.map((r) => `<tr>${cells(r).map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</table>`);
    table = null;
  };
  const inline = (s: string) => escapeHtml(s).replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>');
  for (const line of markdown.split('\n')) {
    if (line.startsWith('|')) {
      (table ??= []).push(line);
      continue;
    }
    flush();
    const img = /^!\[(.*)\]\((.+\.svg)\)$/.exec(line);
    if (img) body.push(`<figure>${svgs[img[2]] ?? ''}<figcaption>${escapeHtml(img[1])}</figcaption></figure>`);
    else if (line.startsWith('## ')) body.push(`<h2>${inline(line.slice(3))}</h2>`);
    else if (line.startsWith('# ')) body.push(`<h1>${inline(line.slice(2))}</h1>`);
    else if (line.startsWith('- ')) body.push(`<ul><li>${inline(line.slice(2))}</li></ul>`);
    else if (line.trim() !== '') body.push(`<p>${inline(line)}</p>`);
  }
  flush();
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>lrlab report</title>
<style>body{font-family:system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 10px;text-align:left}figure{margin:1.5em 0}figcaption{color:#666;font-size:90%}</style>
</head><body>
${body.join('\n')}
</body></html>
`;
}

/** The names of the files a report holds: the SVG plots, results.json, report.md and report.html. */
export const REPORT_FILES: readonly string[] = [...Object.keys(PLOTS), 'results.json', 'report.md', 'report.html'];

/**
 * Writes a run's report into `dir`: the SVG plots, `results.json` (every number), `report.md` and a self-contained
 * `report.html`. Everything is rendered first, then the set replaces `dir` as a whole (written into a fresh
 * sibling directory and swapped in with renames), so a reader, or a run killed at any point, only ever leaves a
 * whole old report or a whole new one; leftovers of a killed run are cleaned. `dir` must be new, empty or a
 * previous report (checked before anything is written).
 */
export async function writeReport(dir: string, r: PipelineResult): Promise<string[]> {
  checkRecord('writeReport', 'a runPipeline result', r, ['suggestion', 'rangeTest', 'sweep', 'validation', 'baseline', 'optimized', 'config', 'data', 'trained', 'recommendation']);
  checkOutputDir(dir, 'writeReport', REPORT_FILES);
  const files: Record<string, string> = {};
  for (const [name, spec] of Object.entries(PLOTS)) files[name] = await renderSvg(spec(r));
  files['results.json'] = JSON.stringify({ ...r, comparison: comparisonTable(r) }, null, 1);
  const md = reportMarkdown(r);
  files['report.md'] = md;
  files['report.html'] = reportHtml(md, files);
  await writeDirAtomic(dir, (write) => {
    for (const [name, content] of Object.entries(files)) write(name, content);
  });
  return Object.keys(files);
}
