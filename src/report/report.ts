import { checkOutputDir } from '../io/atomic.js';
import { writeDirAtomic } from '../io/atomic-dir.js';
import type { PipelineResult } from '../lrfind/pipeline.js';
import type { FindLrResult, RunSummary } from '../lrfind/find-lr.js';
import { PLOTS, renderSvg } from './charts.js';
import { formatNumber, formatLr } from '../format/number.js';
import { checkRecord, checkOptionsObject } from '../format/check.js';
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

/** The task's metric as the report names it. */
export function metricLabel(name: string): string {
  return name === 'r2' ? 'R²' : name;
}

/** A metric value as the report prints it: accuracy in percent, others as numbers. */
function formatMetric(name: string, v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '-';
  return name === 'accuracy' ? `${formatNumber(v * 100)}%` : formatNumber(v);
}

/** Epochs to the target over the seeds: the mean over the seeds that reached it, and how many did. */
function epochsToTarget(s: RunSummary): string {
  const reached = s.seeds.map((x) => x.epochsToTarget).filter((e): e is number => e !== null);
  if (reached.length === 0) return 'not reached';
  const mean = reached.reduce((a, b) => a + b, 0) / reached.length;
  return s.seeds.length === 1 ? String(reached[0]) : `${formatNumber(mean, 2)} (${reached.length} of ${s.seeds.length} seeds)`;
}

function withLoss(s: RunSummary): RunSummary {
  return s.finalValLoss === undefined ? { ...s, finalValLoss: s.finalValMse as number, valLossStd: 0, finalValMetric: null, valMetricStd: null, seeds: [] } : s;
}

/** The results table (baseline against the chosen rate), with the figures measured in this run. */
export function comparisonTable(r: PipelineResult | FindLrResult): ComparisonRow[] {
  checkRecord('comparisonTable', 'a findLr or runPipeline result', r, ['baseline', 'optimized']);
  // results written before findLr (one seed, the MSE only) name the loss finalValMse
  const b = withLoss(r.baseline), o = withLoss(r.optimized);
  const lossName = r.lossName ?? 'MSE';
  const conv = (s: RunSummary) => s.analysis.convergenceEpoch ?? NaN;
  const k = Math.max(1, b.seeds?.length ?? 1);
  const metric = r.metric ?? null;
  const rows: ComparisonRow[] = [
    { metric: 'Learning rate', baseline: formatLr(b.lr), optimized: formatLr(o.lr), change: `x${formatNumber(o.lr / b.lr)}` },
    { metric: k > 1 ? 'Training time (first seed)' : 'Training time', baseline: `${formatNumber(b.trainingTimeMs / 1000, 2)} s`, optimized: `${formatNumber(o.trainingTimeMs / 1000, 2)} s`, change: change(b.trainingTimeMs, o.trainingTimeMs, 'faster', 'slower') },
    { metric: `Final validation ${lossName}${k > 1 ? ` (mean of ${k} seeds)` : ''}`, baseline: formatNumber(b.finalValLoss), optimized: formatNumber(o.finalValLoss), change: change(b.finalValLoss, o.finalValLoss, 'better', 'worse') },
  ];
  if (k > 1) rows.push({ metric: `Validation ${lossName}, sd over seeds`, baseline: formatNumber(b.valLossStd), optimized: formatNumber(o.valLossStd), change: '' });
  if (metric !== null && (b.finalValMetric !== null || o.finalValMetric !== null)) {
    const diff = (o.finalValMetric ?? NaN) - (b.finalValMetric ?? NaN);
    const points = metric.name === 'accuracy' ? `${formatNumber(Math.abs(diff) * 100)} points` : formatNumber(Math.abs(diff));
    rows.push({ metric: `Final validation ${metricLabel(metric.name)}${k > 1 ? ` (mean of ${k} seeds)` : ''}`, baseline: formatMetric(metric.name, b.finalValMetric), optimized: formatMetric(metric.name, o.finalValMetric), change: Number.isFinite(diff) ? (Math.abs(diff) < 5e-5 ? 'same' : `${points} ${diff > 0 ? 'better' : 'worse'}`) : '-' });
  }
  rows.push({ metric: 'Convergence epoch', baseline: String(b.analysis.convergenceEpoch ?? '-'), optimized: String(o.analysis.convergenceEpoch ?? '-'), change: change(conv(b), conv(o), 'fewer', 'more') });
  const target = r.target ?? null;
  if (target !== null) {
    const what = target.kind === 'loss' ? `validation ${lossName} <= ${formatNumber(target.value)}` : `validation ${metricLabel(metric?.name ?? 'metric')} >= ${formatMetric(metric?.name ?? '', target.value)}`;
    rows.push({ metric: `Epochs to ${what}`, baseline: epochsToTarget(b), optimized: epochsToTarget(o), change: '' });
  }
  // the variance says how much the validation loss moves late in training; whether a run is smooth or oscillatory
  // is the Dynamics row's call, so this row only says lower or higher
  rows.push(
    { metric: 'Loss variance', baseline: formatNumber(b.analysis.lossVariance), optimized: formatNumber(o.analysis.lossVariance), change: change(b.analysis.lossVariance, o.analysis.lossVariance, 'lower', 'higher') },
    { metric: 'Epochs run (early stopping)', baseline: String(b.epochsRun), optimized: String(o.epochsRun), change: change(b.epochsRun, o.epochsRun, 'fewer', 'more') },
    { metric: 'Dynamics', baseline: b.analysis.classification, optimized: o.analysis.classification, change: '' },
  );
  return rows;
}

function markdownTable(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** The seeds section: each seed's validation loss (and metric) for both rates, and the paired difference. */
function seedsSection(r: FindLrResult): string {
  const b = r.baseline, o = r.optimized, k = b.seeds.length;
  if (k < 2) return `One seed: the run-to-run noise is not measured (set "seeds" in the config, or --seeds, to 3 or more).\n`;
  const m = r.metric;
  const rows = b.seeds.map((x, i) => {
    const y = o.seeds[i];
    const gain = (x.valLoss - y.valLoss) / Math.abs(x.valLoss);
    return [String(x.seed), formatNumber(x.valLoss), formatNumber(y.valLoss), Number.isFinite(gain) ? `${formatNumber(gain * 100, 2)}%` : '-', ...(m ? [formatMetric(m.name, x.valMetric), formatMetric(m.name, y.valMetric)] : [])];
  });
  const header = ['seed', `baseline ${r.lossName}`, `trained ${r.lossName}`, 'gain', ...(m ? [`baseline ${metricLabel(m.name)}`, `trained ${metricLabel(m.name)}`] : [])];
  const p = r.comparisonOverSeeds;
  const summary = p === null
    ? 'A run diverged, so the paired difference is not defined.'
    : `Paired over the ${p.n} seeds, the trained rate's validation ${r.lossName} was ${formatNumber(Math.abs(p.mean) * 100, 2)}% ${p.mean >= 0 ? 'lower' : 'higher'} on average (better in ${p.wins} of ${p.n} seeds; sd ${formatNumber(p.std * 100, 2)}%, 95% interval ${formatNumber(p.low * 100, 2)}% to ${formatNumber(p.high * 100, 2)}%).`;
  return `${markdownTable(header, rows)}\n\n${summary}\n`;
}

/** The rules' spread when the range test ran over several seeds. */
function rangeSeedsSection(r: FindLrResult): string {
  const s = r.rangeTestSeeds;
  if (s === null || s === undefined) return '';
  return `\nOver ${s.seeds.length} range tests from fresh models (seeds ${s.seeds.join(', ')}), each rule's lr:\n\n${markdownTable(['rule', ...s.seeds.map((x) => `seed ${x}`), 'spread (decades)'], s.rules.map((x) => [x.method, ...x.lrs.map((lr) => (Number.isFinite(lr) ? formatLr(lr) : '-')), formatNumber(x.spreadDecades, 2)]))}\n`;
}

/** The report as Markdown, linking the SVG plots beside it. */
export function reportMarkdown(r: PipelineResult | FindLrResult): string {
  checkRecord('reportMarkdown', 'a findLr or runPipeline result', r, ['suggestion', 'rangeTest', 'sweep', 'validation', 'baseline', 'optimized', 'config', 'data', 'trained', 'recommendation']);
  const s = r.suggestion;
  const warnings = [...s.warnings, ...r.validation.warnings];
  const c = r.config;
  const k = c.seeds ?? 1;
  const seedList = k > 1 ? `seeds ${c.seed} to ${c.seed + k - 1}` : `seed ${c.seed}`;
  const metric = r.metric ? metricLabel(r.metric.name) : null;
  return `# lrlab report

Data: ${r.data.source}: ${r.data.description}.
Task: ${r.task}, loss ${r.lossName}${metric ? `, metric ${metric}` : ''}. Model: ${r.model}, ${typeof c.optimizer === 'string' ? c.optimizer : 'the given optimizer'}, batch ${c.batchSize}, ${seedList}.

## Recommendation: ${r.recommendation.keepCurrent ? `keep ${formatLr(r.recommendation.lr)}` : `use ${formatLr(r.recommendation.lr)}`} (${r.recommendation.confidence} confidence)

**${r.recommendation.sentence}**

Trained: ${formatLr(r.trained.lr)}, the ${r.trained.name} rate, chosen as ${r.trained.reason}.

## Range test

The range test swept ${r.rangeTest.iterations} lrs from ${formatLr(c.rangeTest.startLr)} to ${formatLr(c.rangeTest.endLr)} (${r.rangeTest.stopReason}).${typeof s.divergenceLr === 'number' ? ` The loss starts to diverge at ${formatLr(s.divergenceLr)}; every rule reads the curve before that point.` : ''}
The steepest descent of the Savitzky-Golay-smoothed loss is at ${formatLr(s.lr)}; the valley, minimum and slide rules read the same curve differently (see docs/range-test.md).

${markdownTable(['rule', 'lr'], Object.values(s.suggestions).map((x) => [x.method, formatLr(x.lr)]))}

The suggestions span ${formatNumber(s.spreadDecades, 2)} decades (${s.agree ? 'they agree within one decade' : 'they disagree'}).
${rangeSeedsSection(r)}${warnings.length ? `\nWarnings:\n\n${warnings.map((w) => `- ${w}`).join('\n')}\n` : ''}
![Range test](lr-vs-loss.svg)

![Discovery](discovery.svg)

## Sweep and validation run

The sweep trained ${r.sweep.rows.length} fresh models for ${c.sweep.epochs} epoch(s) each; the lowest final validation loss was at ${formatLr(r.sweep.bestLr)}.
A ${c.validation.epochs}-epoch validation run compared the candidates (best validation ${r.lossName}${k > 1 ? `, mean of ${k} seeds` : ''}):

${markdownTable(['candidate', 'lr', `validation ${r.lossName}`], r.validation.candidates.map((x) => [x.name, formatLr(x.lr), formatNumber(x.valLoss)]))}

![Sweep](sweep.svg)

## Your current rate against the trained one

Same seeds, same initialization per seed, ${c.schedule.type === 'constant' ? 'a constant rate' : `the ${c.schedule.type} schedule`}, early stopping (patience ${c.training.patience}, best weights restored).

${markdownTable(['Metric', 'Baseline', `Trained (${r.trained.name})`, 'Change'], comparisonTable(r).map((x) => [x.metric, x.baseline, x.optimized, x.change]))}

${seedsSection(r)}
${Object.entries(FIGURES).filter(([file]) => file in PLOTS).map(([file, caption]) => `![${caption}](${file})`).join('\n\n')}

Measures: the final validation loss is that of the weights kept, averaged over the seeds; the training time,
convergence epoch, loss variance, dynamics and plots are the first seed's; the loss variance is the variance of
the validation loss over the second half of the epochs; the convergence epoch is the first within 5% of the run's
best; a run is oscillatory when over a quarter of its epochs raise the validation loss or its batch losses
scatter by more than half their level around a moving average.
`;
}

// the plots after the comparison table, in the order the report shows them (the first three sit above)
const FIGURES: Record<string, string> = {
  'before-after.svg': 'Before and after', 'metric.svg': 'Validation metric', 'seeds.svg': 'Validation loss per seed',
  'dynamics.svg': 'Training dynamics', 'grad-norm.svg': 'Gradient norm', 'distributions.svg': 'Batch distributions', 'speed.svg': 'Training speed',
};

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
  // Markdown joins soft-wrapped lines into one paragraph, and consecutive items into one list
  let paragraph: string[] = [];
  let list: string[] = [];
  const flushText = () => {
    if (paragraph.length) body.push(`<p>${inline(paragraph.join(' '))}</p>`);
    if (list.length) body.push(`<ul>${list.map((l) => `<li>${inline(l)}</li>`).join('')}</ul>`);
    paragraph = [];
    list = [];
  };
  for (const line of markdown.split('\n')) {
    if (line.startsWith('|')) {
      flushText();
      (table ??= []).push(line);
      continue;
    }
    flush();
    const img = /^!\[(.*)\]\((.+\.svg)\)$/.exec(line);
    if (line.startsWith('- ')) {
      if (paragraph.length) flushText();
      list.push(line.slice(2));
      continue;
    }
    if (!img && line.trim() !== '' && !line.startsWith('#')) {
      if (list.length) flushText();
      paragraph.push(line.trim());
      continue;
    }
    flushText();
    if (img) body.push(`<figure>${svgs[img[2]] ?? ''}<figcaption>${escapeHtml(img[1])}</figcaption></figure>`);
    else if (line.startsWith('## ')) body.push(`<h2>${inline(line.slice(3))}</h2>`);
    else if (line.startsWith('# ')) body.push(`<h1>${inline(line.slice(2))}</h1>`);
  }
  flushText();
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
export async function writeReport(dir: string, r: PipelineResult | FindLrResult, options: { overwrite?: boolean } = {}): Promise<string[]> {
  checkRecord('writeReport', 'a findLr or runPipeline result', r, ['suggestion', 'rangeTest', 'sweep', 'validation', 'baseline', 'optimized', 'config', 'data', 'trained', 'recommendation']);
  options = checkOptionsObject('writeReport', options, ['overwrite']);
  if (options.overwrite !== undefined && typeof options.overwrite !== 'boolean') throw new TypeError(`writeReport: expected overwrite to be true or false, got ${describe(options.overwrite)}`);
  checkOutputDir(dir, 'writeReport', REPORT_FILES, { overwrite: options.overwrite });
  const files: Record<string, string> = {};
  for (const [name, spec] of Object.entries(PLOTS)) files[name] = await renderSvg(spec(r as PipelineResult));
  files['results.json'] = JSON.stringify({ ...r, comparison: comparisonTable(r) }, null, 1);
  const md = reportMarkdown(r);
  files['report.md'] = md;
  files['report.html'] = reportHtml(md, files);
  await writeDirAtomic(dir, (write) => {
    for (const [name, content] of Object.entries(files)) write(name, content);
  }, { replaces: REPORT_FILES, overwrite: options.overwrite });
  return Object.keys(files);
}
