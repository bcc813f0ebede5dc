import { getBackend } from '../tensor/backends/backend.js';
import { checkOutputDir } from '../io/atomic.js';
import { formatNumber } from '../format/number.js';
import { compareSchedules, type ScheduleComparisonRow } from '../train/compare.js';
import { compareImageSchedules, DEFAULT_IMAGE_SCHEDULES, type ImageComparison, type ImageScheduleName } from '../train/compare-images.js';
import { SCHEDULE_TASKS, SCHEDULE_TASK_NAMES, type ScheduleTaskName } from '../train/schedule-tasks.js';
import { writeScheduleReport, targetWords, SCHEDULE_REPORT_FILES } from '../report/schedule-report.js';

/** The options `lrlab compare-schedules` reads. */
export interface CompareSchedulesArgs {
  task?: string; out?: string; overwrite?: boolean; epochs?: string; data?: string; schedules?: string; seeds?: string;
  'train-size'?: string; 'validation-size'?: string; 'test-size'?: string; 'target-accuracy'?: string; quiet?: boolean;
}

const pct = (v: number) => `${(v * 100).toFixed(2)}%`;

function printComparison(rows: ScheduleComparisonRow[], write: (s: string) => void): void {
  write('schedule                               final val MSE  best val MSE  convergence epoch  loss var (z)   dynamics     time\n');
  for (const r of rows) {
    const a = r.analysis;
    write(`${r.name.padEnd(38)} ${formatNumber(r.finalValMse).padStart(13)} ${formatNumber(r.bestValMse).padStart(13)} ${String(a.convergenceEpoch ?? '-').padStart(18)} ${formatNumber(a.lossVariance).padStart(14)}  ${a.classification.padEnd(11)} ${(r.timeMs / 1000).toFixed(1).padStart(5)}s\n`);
  }
}

/** The summary over seeds as printed: accuracy mean ± sd, time to the target, and each schedule against constant. */
export function imageComparisonTable(c: ImageComparison): string {
  const k = c.settings.seeds.length;
  const sd = (o: { mean: number; std: number }) => (k > 1 ? `${pct(o.mean)} ± ${(o.std * 100).toFixed(2)}` : pct(o.mean));
  const mean = (xs: (number | null)[]) => {
    const got = xs.filter((x): x is number => x !== null);
    return got.length === 0 ? 'not reached' : `${(got.reduce((a, b) => a + b, 0) / got.length).toFixed(1)}${k > 1 ? ` (${got.length}/${k})` : ''}`;
  };
  const rows = [['schedule', `final test acc${k > 1 ? ' (mean ± sd)' : ''}`, `best${k > 1 ? ' (mean ± sd)' : ''}`, 'epochs to target', 's to target', 'training s'],
    ...c.summaries.map((m) => [m.name, sd(m.finalAccuracy), sd(m.bestAccuracy), mean(m.epochsToTarget), mean(m.secondsToTarget), (m.trainingSeconds.mean).toFixed(0)])];
  const w = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  const lines = rows.map((r) => r.map((x, j) => (j === 0 ? x.padEnd(w[j]) : x.padStart(w[j]))).join('  ').trimEnd());
  return [
    `${c.settings.data}, ${c.settings.model}; ${k} seed${k > 1 ? `s (${c.settings.seeds.join(', ')})` : ` (${c.settings.seed})`}, ${c.settings.epochs} epochs, ${c.settings.trainSize} training images`,
    `target accuracy: ${targetWords(c)}`,
    ...lines,
    '',
    ...c.summaries.filter((m) => m.vsConstant !== null).map((m) => `${m.name} against constant: ${m.vsConstant!.verdict}`),
  ].join('\n') + '\n';
}

function integer(name: string, v: string | undefined, min: number, usage: (m: string) => Error): number | undefined {
  if (v === undefined) return undefined;
  const x = /^\d+$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isSafeInteger(x) || x < min) throw usage(`lrlab: --${name} expects an integer >= ${min}, got '${v}'`);
  return x;
}

/**
 * `lrlab compare-schedules`: the schedules on the built-in series (`--task series`, the default) or on a
 * classification task (`SCHEDULE_TASKS`), over `--seeds K`; prints the table and writes the report into --out.
 */
export async function compareSchedulesCommand(o: CompareSchedulesArgs, seed: number, write: (s: string) => void, usage: (m: string) => Error): Promise<number> {
  const task = o.task ?? 'series';
  if (task !== 'series' && !(SCHEDULE_TASK_NAMES as string[]).includes(task)) throw usage(`lrlab: --task expects series or ${SCHEDULE_TASK_NAMES.join(', ')}, got '${task}'`);
  const out = o.out ?? 'lrlab-schedules';
  // checked before any training: new, empty or an earlier schedule report, and writable
  let outDir: string;
  try {
    outDir = checkOutputDir(out, 'lrlab: --out', SCHEDULE_REPORT_FILES, { overwrite: o.overwrite });
  } catch (err) {
    throw usage((err as Error).message);
  }
  const epochs = integer('epochs', o.epochs, 1, usage);
  if (task === 'series') {
    const imageOnly = (['seeds', 'train-size', 'validation-size', 'test-size', 'target-accuracy', 'schedules', 'data'] as const).filter((k) => o[k] !== undefined);
    if (imageOnly.length > 0) throw usage(`lrlab: --${imageOnly[0]} is for the classification tasks (--task ${SCHEDULE_TASK_NAMES.join(', ')}), not the built-in series`);
    const rows = compareSchedules({ epochs: epochs ?? 50, seed });
    printComparison(rows, write);
    const files = await writeScheduleReport(outDir, rows, { overwrite: o.overwrite });
    write(`\nreport: ${files.map((f) => `${out}/${f}`).join(', ')}\n`);
    return 0;
  }
  const spec = SCHEDULE_TASKS[task as ScheduleTaskName];
  if (spec.needsDir && o.data === undefined) throw usage(`lrlab: --task ${task} needs --data DIR (the ${spec.data.split(' (')[0]} files; see docs/schedule-experiment.md for the layout)`);
  let target: number | undefined;
  if (o['target-accuracy'] !== undefined) {
    const raw = o['target-accuracy'].trim(), percent = raw.endsWith('%');
    target = Number(percent ? raw.slice(0, -1) : raw) / (percent ? 100 : 1);
    if (raw === '' || !(target > 0 && target <= 1)) throw usage(`lrlab: --target-accuracy expects an accuracy in (0, 1] or a percentage such as 89%, got '${o['target-accuracy']}'`);
  }
  const schedules = (o.schedules?.split(',').map((x) => x.trim()) ?? DEFAULT_IMAGE_SCHEDULES) as ImageScheduleName[];
  let result: ImageComparison;
  try {
    result = compareImageSchedules({
      task: task as ScheduleTaskName, epochs: epochs ?? 3, seed, schedules, dir: o.data, target,
      seeds: integer('seeds', o.seeds, 1, usage), trainSize: integer('train-size', o['train-size'], 1, usage),
      validationSize: integer('validation-size', o['validation-size'], 1, usage), testSize: integer('test-size', o['test-size'], 1, usage),
      onEpoch: o.quiet ? undefined : (name, epoch, l) => process.stderr.write(`  ${name.padEnd(16)} seed ${l.seed} epoch ${epoch + 1}: loss ${l.trainLoss.toFixed(4)}, validation accuracy ${pct(l.valAccuracy)}, test accuracy ${pct(l.testAccuracy)}\n`),
    });
  } catch (err) {
    if (/^(compareImageSchedules|loadFashionMnist|loadMnist|loadCifar10|loadImdb|encodeImdb|loadIdx): /.test((err as Error).message)) throw usage(`lrlab: ${(err as Error).message}`);
    throw err;
  }
  result.settings.backend = getBackend().name;
  write(imageComparisonTable(result));
  const files = await writeScheduleReport(outDir, result, { overwrite: o.overwrite });
  write(`\nreport: ${files.map((f) => `${out}/${f}`).join(', ')}\n`);
  return 0;
}
