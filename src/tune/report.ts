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
  contourSpec, directionsOf, intermediateValuesSpec, optimizationHistorySpec, parallelCoordinateSpec, paramImportancesSpec,
  paretoFrontSpec, paretoFrontTrials, sliceSpec, type PlottableStudy,
} from './plots.js';
import { hypervolume } from './multi-objective/hypervolume.js';
import type { StudyDirection } from './types.js';

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
  'pareto-front.svg', 'history.svg', 'importances.svg', 'slice.svg', 'contour.svg', 'parallel-coordinate.svg', 'intermediate-values.svg', 'trials.json', 'report.md', 'report.html',
];

// Text from the user (study, parameter and choice names) on one line of Markdown: a line break would start a
// heading or a paragraph of its own, a pipe a table cell
const mdText = (s: string): string => s.replace(/[\r\n\u2028\u2029]+/g, ' ').replace(/\|/g, '\\|');

const fmt = (v: number | null): string => (v === null ? '' : Number.isInteger(v) ? String(v) : Number(v.toPrecision(6)).toString());
const cell = (v: ParamValue | undefined): string => (v === undefined ? '' : typeof v === 'number' ? fmt(v) : mdText(String(v)));

/**
 * The trials as a Markdown table: number, state, value (one column per objective with `nObjectives` > 1), one
 * column per parameter, duration.
 */
export function trialsTable(trials: readonly FrozenTrial[], nObjectives = 1): string {
  if (!Array.isArray(trials)) throw new TypeError(`trialsTable: expected an array of trials, got ${describe(trials)}`);
  const bad = trials.findIndex((t) => t === null || typeof t !== 'object' || t.params === null || typeof t.params !== 'object');
  if (bad >= 0) throw new TypeError(`trialsTable: expected trials (objects with params), got ${describe(trials[bad])} at index ${bad}`);
  const names = [...new Set(trials.flatMap((t) => Object.keys(t.params)))].sort();
  const valueNames = nObjectives === 1 ? ['value'] : Array.from({ length: nObjectives }, (_, k) => `values_${k}`);
  const header = ['trial', 'state', ...valueNames, ...names.map(mdText), 'duration (s)'];
  const rows = trials.map((t) => {
    const seconds = t.datetimeStart && t.datetimeComplete ? ((t.datetimeComplete.getTime() - t.datetimeStart.getTime()) / 1000).toFixed(2) : '';
    const values = nObjectives === 1 ? [fmt(t.value)] : valueNames.map((_, k) => fmt(t.values?.[k] ?? null));
    return [String(t.number), t.state, ...values, ...names.map((n) => cell(t.params[n])), seconds];
  });
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/**
 * The hypervolume of the front against a reference of the worst value per objective among the complete trials
 * with finite values (maximized objectives negated, so all are minimized), or null with fewer than 2 such trials.
 */
export function frontHypervolume(front: readonly FrozenTrial[], complete: readonly FrozenTrial[], directions: readonly StudyDirection[]): { reference: number[]; hypervolume: number } | null {
  const finite = complete.filter((t) => t.values !== null && t.values.length === directions.length && t.values.every(Number.isFinite));
  if (finite.length < 2 || front.length === 0) return null;
  const loss = (t: FrozenTrial) => (t.values as number[]).map((v, k) => (directions[k] === 'maximize' ? -v : v));
  const reference = directions.map((_, k) => Math.max(...finite.map((t) => loss(t)[k])));
  // the reference reported in the objectives' own signs
  return { reference: reference.map((r, k) => (directions[k] === 'maximize' ? -r : r)), hypervolume: hypervolume(front.map(loss), reference) };
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

// The Pareto front as a Markdown table and the hypervolume line of a report of several objectives
function paretoSection(front: readonly FrozenTrial[], hv: { reference: number[]; hypervolume: number } | null, directions: readonly StudyDirection[]): string {
  if (front.length === 0) return 'No trial has completed yet.';
  const hvLine = hv
    ? `Hypervolume of the front: ${fmt(hv.hypervolume)}, against the reference point [${hv.reference.map(fmt).join(', ')}] (the worst value of each objective among the complete trials; a trial at that value adds no volume along it).`
    : 'Hypervolume: not computed (it needs at least 2 complete trials with finite values).';
  return `Pareto front (the best trials: no other complete trial is at least as good in every objective and better in one): ${front.length} trial${front.length === 1 ? '' : 's'}.

${trialsTable(front, directions.length)}

${hvLine}`;
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
 * why. Names from the user (the study's, parameters', choices') are written on one line. With several objectives
 * the report shows the Pareto front instead of a best trial: `pareto-front.svg` (2 or 3 objectives), the front as
 * a table, its hypervolume against the worst value of each objective among the complete trials, and the
 * importances for each objective; the plots of one objective's value are left out. Returns the names of the
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
  const directions = directionsOf(study);
  const multi = directions.length > 1;
  const complete = trials.filter((t) => t.state === 'complete' && Number.isFinite(t.value));
  const name = study.studyName ?? 'study';
  const bestTrial = multi ? null : best(study, trials);
  const front = multi ? paretoFrontTrials(study) : null;
  const hv = front && frontHypervolume(front.best, trials.filter((t) => t.state === 'complete'), directions);
  const counts = ['complete', 'pruned', 'fail', 'running', 'waiting'].map((s) => [s, trials.filter((t) => t.state === s).length] as const).filter(([, n]) => n > 0);

  // with several objectives: the importances for each objective (Optuna needs a target there), one chart each
  let importances: Record<string, number> | null = null, noImportances = '';
  const perObjective: (Record<string, number> | null)[] = [];
  try {
    if (!multi) importances = getParamImportances(study, { seed: options.seed ?? 0 });
    else for (let k = 0; k < directions.length; k++) perObjective.push(getParamImportances(study, { seed: options.seed ?? 0, target: (t) => (t.values as number[])[k] }));
  } catch (err) {
    noImportances = (err as Error).message;
  }
  const importancesSpec = (): object | null => {
    if (!multi) return importances && Object.keys(importances).length > 0 ? paramImportancesSpec(importances) : null;
    if (perObjective.length !== directions.length || Object.keys(perObjective[0] ?? {}).length === 0) return null;
    return { vconcat: perObjective.map((imp, k) => paramImportancesSpec(imp as Record<string, number>, `Hyperparameter importances, objective ${k}`, `objective ${k}`)) };
  };
  const severalObjectives = multi ? 'the study has several objectives: see the Pareto front' : '';
  const frontSpec = multi && (directions.length === 2 || directions.length === 3) && front !== null && front.best.length > 0 ? paretoFrontSpec(study) : null;

  const specs: [string, string, object | null, string?][] = [
    ...(multi ? [['pareto-front.svg', 'Pareto front', frontSpec, directions.length > 3 ? 'drawn for 2 or 3 objectives only, as Optuna' : 'no complete trial yet'] as [string, string, object | null, string]] : []),
    ['history.svg', 'Optimization history', complete.length > 0 ? optimizationHistorySpec(study) : null, severalObjectives],
    ['importances.svg', 'Hyperparameter importances (fANOVA)', importancesSpec()],
    ['slice.svg', 'Slice plot', complete.length > 0 ? sliceSpec(study) : null, severalObjectives],
    ['contour.svg', 'Contour plot', complete.length > 1 && (contourSpec(study) as { concat: unknown[] }).concat.length > 0 ? contourSpec(study) : null, severalObjectives],
    ['parallel-coordinate.svg', 'Parallel coordinates', complete.length > 0 ? parallelCoordinateSpec(study) : null, severalObjectives],
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
      studyName: name, direction: study.direction, directions,
      bestTrial: bestTrial && { number: bestTrial.number, value: bestTrial.value, params: bestTrial.params },
      ...(multi ? {
        bestTrials: front!.best.map((t) => ({ number: t.number, values: t.values, params: t.params })),
        hypervolume: hv,
        importancesPerObjective: perObjective.length === directions.length ? perObjective : null,
      } : {}),
      importances,
      trials: trials.map((t) => ({ ...t, intermediateValues: Object.fromEntries(t.intermediateValues) })),
    };
    write('trials.json', JSON.stringify(json, exactNumbers, 1));
    written.push('trials.json');
    const figures = specs.map(([file, title, , why]) => (svgs[file] ? `![${title}](${file})` : `${title}: not drawn (${file === 'importances.svg' ? noImportances || 'no parameters' : why || 'no data yet'}).`));
    const md = `# Study ${mdText(String(name))}

${trials.length} trials (${counts.map(([s, n]) => `${n} ${s}`).join(', ')}), ${multi ? `directions: ${directions.join(', ')}` : `direction: ${study.direction}`}.
${multi ? paretoSection(front!.best, hv, directions) : bestTrial ? `Best trial: **${bestTrial.number}**, value ${fmt(bestTrial.value)}, with ${Object.entries(bestTrial.params).map(([k, v]) => `${mdText(k)} = ${cell(v)}`).join(', ') || 'no parameters'}.` : 'No trial has completed yet.'}
${importances ? `\nImportances (fANOVA): ${Object.entries(importances).map(([k, v]) => `${mdText(k)} ${v.toFixed(3)}`).join(', ')}.\n` : ''}${perObjective.length === directions.length && multi ? `\n${perObjective.map((imp, k) => `Importances for objective ${k} (fANOVA): ${Object.entries(imp as Record<string, number>).map(([p, v]) => `${mdText(p)} ${v.toFixed(3)}`).join(', ')}.`).join('\n')}\n` : ''}
## Plots

${figures.join('\n\n')}

## Trials

${trialsTable(trials, directions.length)}
`;
    write('report.md', md);
    write('report.html', reportHtml(md, svgs));
    written.push('report.md', 'report.html');
  }, { keepOldMs: options.keepOldMs, replaces: STUDY_REPORT_FILES, overwrite: options.overwrite });
  return written;
}
