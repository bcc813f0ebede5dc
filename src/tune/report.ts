// The study report: Optuna's plots as SVG, the trials table, and every number as JSON, written as one set.
import { writeDirAtomic } from '../io/atomic-dir.js';
import { checkOutputDir } from '../io/output-dir.js';
import { checkOptionNames, describe, intOption, numberOption } from './pruners/options.js';
import { renderSvg } from '../report/charts.js';
import { reportHtml } from '../report/report.js';
import type { FrozenTrial, ParamValue } from './types.js';
import { exactNumbers } from './storage/json.js';
import { getParamImportances, trialsOf } from './importance/index.js';
import {
  contourSpec, intermediateValuesSpec, optimizationHistorySpec, parallelCoordinateSpec, paramImportancesSpec, sliceSpec,
  type PlottableStudy,
} from './plots.js';

/** Options of {@link writeStudyReport}. */
export interface StudyReportOptions {
  /** Seeds the importance forest. Default 0. */
  seed?: number;
  /** How long the replaced report is kept aside (hidden) for readers still reading it; see writeDirAtomic. Default 1000 ms. */
  keepOldMs?: number;
  /** Replace `dir` even when it holds files that are not a study report's (they are deleted). Default false. */
  overwrite?: boolean;
}

/** The files a study report may hold (the plots that need more data are sometimes left out). */
export const STUDY_REPORT_FILES: readonly string[] = [
  'history.svg', 'importances.svg', 'slice.svg', 'contour.svg', 'parallel-coordinate.svg', 'intermediate-values.svg', 'trials.json', 'report.md', 'report.html',
];

// Text from the user (study, parameter and choice names) on one line of Markdown: a line break would start a
// heading or a paragraph of its own, a pipe a table cell
const mdText = (s: string): string => s.replace(/[\r\n\u2028\u2029]+/g, ' ').replace(/\|/g, '\\|');

const fmt = (v: number | null): string => (v === null ? '' : Number.isInteger(v) ? String(v) : Number(v.toPrecision(6)).toString());
const cell = (v: ParamValue | undefined): string => (v === undefined ? '' : typeof v === 'number' ? fmt(v) : mdText(String(v)));

/** The trials as a Markdown table: number, state, value, one column per parameter, duration. */
export function trialsTable(trials: readonly FrozenTrial[]): string {
  if (!Array.isArray(trials)) throw new TypeError(`trialsTable: expected an array of trials, got ${describe(trials)}`);
  const bad = trials.findIndex((t) => t === null || typeof t !== 'object' || t.params === null || typeof t.params !== 'object');
  if (bad >= 0) throw new TypeError(`trialsTable: expected trials (objects with params), got ${describe(trials[bad])} at index ${bad}`);
  const names = [...new Set(trials.flatMap((t) => Object.keys(t.params)))].sort();
  const header = ['trial', 'state', 'value', ...names.map(mdText), 'duration (s)'];
  const rows = trials.map((t) => {
    const seconds = t.datetimeStart && t.datetimeComplete ? ((t.datetimeComplete.getTime() - t.datetimeStart.getTime()) / 1000).toFixed(2) : '';
    return [String(t.number), t.state, fmt(t.value), ...names.map((n) => cell(t.params[n])), seconds];
  });
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function best(study: PlottableStudy, trials: readonly FrozenTrial[]): FrozenTrial | null {
  let b: FrozenTrial | null = null;
  for (const t of trials) {
    // -Infinity is a value a minimizing study can reach (study.bestTrial takes it); only NaN and no value are skipped
    if (t.state !== 'complete' || t.value === null || t.value === undefined || Number.isNaN(t.value)) continue;
    if (b === null || (study.direction === 'minimize' ? (t.value as number) < (b.value as number) : (t.value as number) > (b.value as number))) b = t;
  }
  return b;
}

/**
 * Writes a study's report into `dir`: `history.svg`, `importances.svg`, `slice.svg`, `contour.svg`,
 * `parallel-coordinate.svg`, `intermediate-values.svg`, `trials.json`, `report.md` (the trials table and the plots)
 * and a self-contained `report.html`. `dir` must be new, empty or a previous study report (checked before
 * anything is rendered; `overwrite: true` replaces a folder holding other files); a symbolic link is followed. The
 * set is written atomically (writeDirAtomic): into a fresh sibling directory that then replaces `dir` by renames,
 * so a reader sees the whole old report or the whole new one, and a failure (a full disk included) leaves the old
 * one as it was; the replaced report is removed `keepOldMs` later or when the process exits. Plots that need more
 * than the study has (importances need two complete trials whose values differ) are left out, and the report says
 * why. Names from the user (the study's, parameters', choices') are written on one line. Returns the names of the
 * files written.
 */
export async function writeStudyReport(study: PlottableStudy, dir: string, options: StudyReportOptions = {}): Promise<string[]> {
  const fn = 'writeStudyReport';
  if (typeof dir !== 'string' || dir === '') throw new TypeError(`${fn}: expected a directory path, got ${JSON.stringify(dir)}`);
  checkOptionNames(fn, options, ['seed', 'keepOldMs', 'overwrite']);
  intOption(fn, 'seed', options.seed, 0, 0);
  numberOption(fn, 'keepOldMs', options.keepOldMs, 0, 0);
  if (options.overwrite !== undefined && typeof options.overwrite !== 'boolean') throw new TypeError(`${fn}: expected overwrite to be true or false, got ${describe(options.overwrite)}`);
  const target = checkOutputDir(dir, fn, STUDY_REPORT_FILES, { overwrite: options.overwrite });
  const trials = [...trialsOf(study, fn)];
  if (trials.length === 0) throw new RangeError(`${fn}: expected a study with at least one trial, got none`);
  const complete = trials.filter((t) => t.state === 'complete' && Number.isFinite(t.value));
  const name = study.studyName ?? 'study';
  const bestTrial = best(study, trials);
  const counts = ['complete', 'pruned', 'fail', 'running', 'waiting'].map((s) => [s, trials.filter((t) => t.state === s).length] as const).filter(([, n]) => n > 0);

  let importances: Record<string, number> | null = null, noImportances = '';
  try {
    importances = getParamImportances(study, { seed: options.seed ?? 0 });
  } catch (err) {
    noImportances = (err as Error).message;
  }

  const specs: [string, string, object | null][] = [
    ['history.svg', 'Optimization history', complete.length > 0 ? optimizationHistorySpec(study) : null],
    ['importances.svg', 'Hyperparameter importances (fANOVA)', importances && Object.keys(importances).length > 0 ? paramImportancesSpec(importances) : null],
    ['slice.svg', 'Slice plot', complete.length > 0 ? sliceSpec(study) : null],
    ['contour.svg', 'Contour plot', complete.length > 1 && (contourSpec(study) as { concat: unknown[] }).concat.length > 0 ? contourSpec(study) : null],
    ['parallel-coordinate.svg', 'Parallel coordinates', complete.length > 0 ? parallelCoordinateSpec(study) : null],
    ['intermediate-values.svg', 'Intermediate values', trials.some((t) => t.intermediateValues.size > 0) ? intermediateValuesSpec(study) : null],
  ];
  const written: string[] = [];
  await writeDirAtomic(target, async (write) => {
    const svgs: Record<string, string> = {};
    for (const [file, , spec] of specs) {
      if (spec === null) continue;
      svgs[file] = await renderSvg(spec as never);
      write(file, svgs[file]);
      written.push(file);
    }
    const json = {
      studyName: name, direction: study.direction,
      bestTrial: bestTrial && { number: bestTrial.number, value: bestTrial.value, params: bestTrial.params },
      importances,
      trials: trials.map((t) => ({ ...t, intermediateValues: Object.fromEntries(t.intermediateValues) })),
    };
    write('trials.json', JSON.stringify(json, exactNumbers, 1));
    written.push('trials.json');
    const figures = specs.map(([file, title]) => (svgs[file] ? `![${title}](${file})` : `${title}: not drawn (${file === 'importances.svg' ? noImportances || 'no parameters' : 'no data yet'}).`));
    const md = `# Study ${mdText(String(name))}

${trials.length} trials (${counts.map(([s, n]) => `${n} ${s}`).join(', ')}), direction: ${study.direction}.
${bestTrial ? `Best trial: **${bestTrial.number}**, value ${fmt(bestTrial.value)}, with ${Object.entries(bestTrial.params).map(([k, v]) => `${mdText(k)} = ${cell(v)}`).join(', ') || 'no parameters'}.` : 'No trial has completed yet.'}
${importances ? `\nImportances (fANOVA): ${Object.entries(importances).map(([k, v]) => `${mdText(k)} ${v.toFixed(3)}`).join(', ')}.\n` : ''}
## Plots

${figures.join('\n\n')}

## Trials

${trialsTable(trials)}
`;
    write('report.md', md);
    write('report.html', reportHtml(md, svgs));
    written.push('report.md', 'report.html');
  }, { keepOldMs: options.keepOldMs, replaces: STUDY_REPORT_FILES, overwrite: options.overwrite });
  return written;
}
