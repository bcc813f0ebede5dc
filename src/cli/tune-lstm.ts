// `lrlab tune-lstm` (also `lrlab tune --model lstm`): the tuned LSTM forecaster study from the command line.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { tuneLstm } from '../tune/lstm-study.js';
import { STUDY_REPORT_FILES } from '../tune/report.js';
import { loadCsvSeries } from '../data/csv.js';
import { checkOutputDir, foreignEntries } from '../io/output-dir.js';

/** What tune-lstm writes into --out: the model, the results, the summary and the study's report folder. */
const TUNE_LSTM_FILES = ['best-model.json', 'results.json', 'summary.md', 'study'];

/** The options `tune-lstm` reads, as parsed from the command line. */
export interface TuneLstmArgs {
  data?: string;
  column?: string;
  'n-trials'?: string;
  'mlp-trials'?: string;
  timeout?: string;
  'n-jobs'?: string;
  storage?: string;
  'study-name'?: string;
  epochs?: string;
  out?: string;
  overwrite?: boolean;
  quiet?: boolean;
}

/**
 * Checks --out before the study (the output-folder rule of every command) and returns the folder to write, a
 * symbolic link followed. The files are written into it one by one as the study goes (the best model as it
 * improves), so with --overwrite the files lrlab did not write are removed here, at the start.
 */
function prepareOut(out: string, overwrite: boolean, usage: (m: string) => Error): string {
  let dir: string, study: string;
  try {
    dir = checkOutputDir(out, 'lrlab: --out', TUNE_LSTM_FILES, { overwrite, inPlace: true });
    study = checkOutputDir(join(out, 'study'), 'lrlab: --out', STUDY_REPORT_FILES, { overwrite });
  } catch (err) {
    throw usage((err as Error).message);
  }
  if (overwrite) {
    for (const [folder, allowed] of [[study, STUDY_REPORT_FILES], [dir, TUNE_LSTM_FILES]] as const) {
      try {
        for (const name of foreignEntries(folder, allowed)) rmSync(join(folder, name), { recursive: true, force: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err; // not created yet
      }
    }
  }
  return dir;
}

/** Parses a positive integer option, or throws `usage(message)`. */
function count(name: string, v: string | undefined, fallback: number | undefined, usage: (m: string) => Error): number | undefined {
  if (v === undefined) return fallback;
  const x = Number(v);
  if (!Number.isInteger(x) || x < 1) throw usage(`lrlab: --${name} expects an integer >= 1, got '${v}'`);
  return x;
}

/** Runs the study, writes its files into --out and prints the comparison table; returns the exit code. */
export async function tuneLstmCommand(o: TuneLstmArgs, seed: number, write: (s: string) => void, usage: (m: string) => Error): Promise<number> {
  let values: Float32Array | undefined, source: string | undefined;
  if (o.data !== undefined) {
    const column = o.column === undefined ? 0 : /^\d+$/.test(o.column) ? Number(o.column) : o.column;
    try {
      values = loadCsvSeries(o.data, { column });
    } catch (err) {
      throw usage(`lrlab: ${(err as Error).message}`);
    }
    source = `${o.data}${o.column ? `, column ${o.column}` : ''}`;
  }
  let timeout: number | undefined;
  if (o.timeout !== undefined) {
    timeout = Number(o.timeout);
    if (!(timeout > 0) || !Number.isFinite(timeout)) throw usage(`lrlab: --timeout expects a positive number of seconds, got '${o.timeout}'`);
  }
  const nTrials = count('n-trials', o['n-trials'], 50, usage);
  const out = o.out ?? 'lrlab-lstm-study';
  const outDir = prepareOut(out, o.overwrite === true, usage);
  const r = await tuneLstm({
    values, source, seed, nTrials, timeout, outDir,
    nJobs: count('n-jobs', o['n-jobs'], 1, usage), epochs: count('epochs', o.epochs, 20, usage), mlpTrials: count('mlp-trials', o['mlp-trials'], nTrials, usage),
    storage: o.storage, studyName: o['study-name'],
    log: o.quiet ? undefined : (line) => process.stderr.write(`${line}\n`),
  });
  const t = r.bestTrial;
  const inState = (state: string) => r.study.trials.filter((x) => x.state === state).length;
  write([
    '',
    `best trial ${t.number}: validation MSE ${(t.value as number).toPrecision(4)} (standardized), ${JSON.stringify(t.params)}`,
    `trials: ${inState('complete')} complete, ${inState('pruned')} pruned, ${inState('fail')} failed${inState('fail') > 0 ? ' (a run that diverged, say: each reason is in results.json)' : ''}`,
    '',
    `${'model'.padEnd(20)} ${'validation MSE'.padStart(15)} ${'test MSE'.padStart(12)}`,
    ...r.comparison.map((c) => `${c.model.padEnd(20)} ${c.validMse.toFixed(3).padStart(15)} ${c.testMse.toFixed(3).padStart(12)}`),
    '',
    `files: ${r.files.filter((f) => !f.startsWith('study/') || f === 'study/report.md').map((f) => `${out}/${f}`).join(', ')}`,
    '',
  ].join('\n'));
  return 0;
}
