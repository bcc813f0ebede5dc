// `lrlab tune-lstm` (also `lrlab tune --model lstm`): the tuned LSTM forecaster study from the command line.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { tuneLstm } from '../tune-recipes/lstm-study.js';
import { STUDY_REPORT_FILES } from '../tune/report.js';
import { loadCsvColumn } from '../data/csv.js';
import { checkOutputDir, foreignEntries } from '../io/output-dir.js';
import { epochProgress } from './tune.js';

export const TUNE_LSTM_HELP = `lrlab tune-lstm: tune an LSTM forecaster, and compare it with a tuned MLP and the naive forecast

Usage:
  lrlab tune-lstm [--data FILE.csv [--column NAME]] [--n-trials N] [--mlp-trials N] [--timeout S] [--n-jobs N]
                  [--storage URL] [--study NAME] [--epochs N] [--seed N] [--out DIR] [--quiet]
  lrlab tune --model lstm [...]   the same

A study over hiddenSize {32,64,128,256}, numLayers 1-4, lr 1e-5..1e-1 (log), dropout 0.1-0.5, weightDecay
1e-6..1e-3 (log), batchSize {16,32,64,128} and optimizer {Adam, AdamW}: TPE seeded with --seed, median pruning on
the validation MSE each epoch. The series is split 70/15/15 in time order and standardized with the training
part's mean and deviation: the trials' values (their best validation MSE) are in standardized units. Then an MLP
study (lr, weightDecay, batchSize, optimizer) the same way; each best configuration is retrained, and their
validation and test MSE, in the series' units, are printed beside the naive last-value forecast's. Saves
best-model.json, results.json, summary.md and the study's plots (study/) into --out. On stderr, a line per trial
and a trial's epochs as it trains (off a terminal: its first and last epoch and at most one line a second between).

Options:
  --data FILE      CSV file with the series (default: the built-in synthetic series)
  --column NAME    column name or 0-based index (default: the first numeric column, so a date is skipped)
  --n-trials N     trials of the LSTM study (default 50)
  --mlp-trials N   trials of the MLP study (default: as --n-trials)
  --timeout S      no new trial after S seconds
  --n-jobs N       trials run at once (default 1)
  --storage URL    sqlite:///study.db or postgresql://... (default: in memory); an existing study is resumed
  --study NAME     study name (default lstm_optimization; --study-name NAME also works)
  --epochs N       epochs per trial (default 20)
  --seed N         seed of the sampler, the initialization and the shuffling (default 42)
  --out DIR        the folder for the files (default lrlab-lstm-study): new, empty or an earlier run's
  --overwrite      replace --out even when it holds other files (they are deleted)
  --backend NAME   wasm (default), cpu or gpu
  --quiet          no progress: no line per epoch or per trial
  -h, --help       this text
`;

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
  study?: string;
  /** The earlier name of --study, still accepted. */
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
  if (o.study !== undefined && o['study-name'] !== undefined && o.study !== o['study-name']) {
    throw usage(`lrlab: --study and --study-name name the same thing (--study-name is its earlier name), got '${o.study}' and '${o['study-name']}'`);
  }
  let values: Float32Array | undefined, source: string | undefined;
  if (o.data !== undefined) {
    // as find: without --column, the first numeric column (a date column before it is skipped), and said
    const column = o.column === undefined ? undefined : /^\d+$/.test(o.column) ? Number(o.column) : o.column;
    try {
      const csv = loadCsvColumn(o.data, { column });
      values = csv.values;
      source = `${o.data}, column ${csv.column}`;
    } catch (err) {
      throw usage(`lrlab: ${(err as Error).message}`);
    }
    if (!o.quiet) process.stderr.write(`data: ${source}${o.column === undefined ? ' (the first numeric one)' : ''}: ${values.length} values\n`);
  } else if (o.column !== undefined) {
    throw usage('lrlab: --column needs --data FILE.csv');
  }
  let timeout: number | undefined;
  if (o.timeout !== undefined) {
    timeout = Number(o.timeout);
    if (!(timeout > 0) || !Number.isFinite(timeout)) throw usage(`lrlab: --timeout expects a positive number of seconds, got '${o.timeout}'`);
  }
  const nTrials = count('n-trials', o['n-trials'], 50, usage);
  // every count is checked before --out is prepared (with --overwrite that deletes the files lrlab did not write)
  const nJobs = count('n-jobs', o['n-jobs'], 1, usage), epochs = count('epochs', o.epochs, 20, usage), mlpTrials = count('mlp-trials', o['mlp-trials'], nTrials, usage);
  const out = o.out ?? 'lrlab-lstm-study';
  const outDir = prepareOut(out, o.overwrite === true, usage);
  const progress = epochProgress();
  let r;
  try {
    r = await tuneLstm({
      values, source, seed, nTrials, timeout, outDir, nJobs, epochs, mlpTrials,
      storage: o.storage, studyName: o.study ?? o['study-name'],
      log: o.quiet ? undefined : (line) => {
        progress.clear();
        process.stderr.write(`${line}\n`);
      },
      onEpoch: o.quiet ? undefined : progress.onEpoch,
    });
  } finally {
    progress.clear(); // on a terminal, the epoch line left in place ends before an error's line
  }
  const t = r.bestTrial;
  const inState = (state: string) => r.study.trials.filter((x) => x.state === state).length;
  write([
    '',
    `best trial ${t.number}: validation MSE ${(t.value as number).toPrecision(4)} (standardized), ${JSON.stringify(t.params)}`,
    `trials: ${inState('complete')} complete, ${inState('pruned')} pruned, ${inState('fail')} failed${inState('fail') > 0 ? ' (a run that diverged, say: each reason is in results.json)' : ''}`,
    '',
    `retrained, MSE in the series' units:`,
    `${'model'.padEnd(20)} ${'validation MSE'.padStart(15)} ${'test MSE'.padStart(12)}`,
    ...r.comparison.map((c) => `${c.model.padEnd(20)} ${c.validMse.toFixed(3).padStart(15)} ${c.testMse.toFixed(3).padStart(12)}`),
    '',
    `files: ${r.files.filter((f) => !f.startsWith('study/') || f === 'study/report.md').map((f) => `${out}/${f}`).join(', ')}`,
    '',
  ].join('\n'));
  return 0;
}
