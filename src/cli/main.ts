import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PipelineResult, Stage } from '../lrfind/pipeline.js';
import type { FindLrResult } from '../lrfind/find-lr.js';
import { prepareFind, liveRun } from './find.js';
import { checkOutputDir } from '../io/atomic.js';
import { writeReport, comparisonTable, REPORT_FILES } from '../report/report.js';
import { useBackend, getBackend } from '../tensor/backends/backend.js';
import { formatNumber, formatLr, describe } from '../format/number.js';
import { compareSchedulesCommand } from './compare-schedules.js';
import { tuneCommand } from './tune.js';
import { tuneLstmCommand, TUNE_LSTM_HELP } from './tune-lstm.js';
import { dashboardCommand } from './dashboard.js';

const HELP = `lrlab: find, schedule and tune learning rates

Usage:
  lrlab demo [options]                        the whole job on the built-in synthetic series
  lrlab find --data FILE.csv [--column NAME]  the same job on your series
  lrlab find --data FILE.csv --target COLUMN  the same job on a table: predict COLUMN from the other columns
  lrlab find --data fashion-mnist             the same job on images (a small CNN; or --data DIR of IDX files)
  lrlab compare-schedules [--epochs N]        constant, step, exponential and adaptive lr on the built-in series
  lrlab compare-schedules --task TASK [--seeds K] [--data DIR]
                                              the same schedules on a classification task, over K seeds
  lrlab tune [--storage URL] [--study NAME]   tune the forecasting MLP's lr, sizes, batch, optimizer, decay
             [--n-trials N] [--timeout S]     (lrlab tune --help for its options)
  lrlab tune-lstm [--data FILE.csv] [--study NAME] [...]
                                              tune an LSTM forecaster (also: lrlab tune --model lstm;
                                              lrlab tune-lstm --help for its options)
  lrlab dashboard STORAGE [--port P]          watch studies (sqlite:///study.db, postgresql://...) or a folder of
                                              finder reports in the browser, on 127.0.0.1 (lrlab dashboard --help)
  lrlab --help

The pipeline: range test (1e-5 to 1e-1), suggestions, a sweep of fresh models, a short validation run, then the
baseline (lr 1e-3) and the found lr trained side by side with early stopping, over 3 seeds paired (same seed, same
initialization for both rates). It writes results.json, report.md, report.html and SVG plots into --out and prints
a summary table and one sentence: the rate to use and how sure, from the paired gains' 95% interval.

Options:
  --data FILE      CSV file with the series or the table (find); 'fashion-mnist' or a folder of IDX files for images
  --column NAME    series: column name or 0-based index (default: the first numeric column, so a date is skipped)
  --target COLUMN  table: the column to predict; without it, find works on a series
  --features LIST  table: the input columns, comma-separated (default: every other numeric column)
  --task TASK      table: regression or classification (default: detected from the target, and said)
  --split KIND     random (default for a table) or temporal (a series always: the future validates)
  --model SPEC     mlp:128,64 (default for a table; a series: the config's hidden widths), lstm:64 or lstm:64x2
                   (a series), cnn (images), or FILE.mjs: your ES module exporting makeModel({ inputShape,
                   outputs, task }) returning a fresh model, and optionally loss
  --seeds K        seeds of the validation run and the long runs (default 3; 1 is fastest, says no noise)
  --target-loss X  report the epochs each long run needs to reach validation loss X
  --target-metric X  the same for the validation accuracy (classification) or R² (regression, series)
  --separator SEP  field separator: ',', ';', tab (or \t) or any string (default: detected)
  --config FILE    JSON overriding the pipeline's settings, e.g. {"window": 30, "hidden": [64, 32],
                   "optimizer": "adamw", "baselineLr": 0.001, "choose": "validated",
                   "rangeTest": {"numIter": 200}, "sweep": {"num": 20}, "training": {"epochs": 50},
                   "schedule": {"type": "cosine"}, "maxPoints": 20000, "seeds": 3,
                   "rangeTest": {"seeds": 3}}   (schedule: constant, step, cosine, plateau, onecycle; a longer
                   series is cut to its last maxPoints values; rangeTest.seeds repeats the range test to give
                   each rule's spread; window, hidden, trainFraction and maxPoints are for a series only)
  --full-sweep     sweep all 100 lrs for 3 epochs each (slow)
  --seed N         seed of initialization and shuffling (default 42)
  --out DIR        report folder (default lrlab-report). It must be new, empty or an earlier report of the
                   same command; a symbolic link is followed (the report goes where it points)
  --overwrite      replace --out even when it holds other files (they are deleted)
  --live           find, demo: follow the run in the dashboard while it runs (the range test, sweep, validation
                   and long runs as they grow): its progress goes to .NAME.live.json beside --out (removed once
                   the report is in) and the dashboard serves the folder above --out on 127.0.0.1
  --dashboard-port P  with --live: the dashboard's port (default 8080; 0: any free port)
  --backend NAME   compute backend: wasm (default: WebAssembly SIMD, two threads), cpu (the readable
                   reference), gpu (gpu.js; a GPU only where WebGL or headless GL runs)
  --epochs N       epochs per schedule (compare-schedules: default 50 on the series, 3 on the tasks)
  --task NAME      compare-schedules on: series (default); fashion-mnist (a small CNN), fashion-mnist-resnet
                   (a small ResNet), sequence (a bidirectional LSTM reading the images row by row), all on
                   Debian's dataset-fashion-mnist (or --data DIR of the four IDX files); mnist (a small CNN,
                   --data DIR of MNIST's IDX files), cifar10 (ResNet-18, --data DIR of the binary batches),
                   imdb (embedding and bidirectional LSTM, --data DIR holding aclImdb)
  --schedules LIST tasks: comma-separated among constant, step, exponential, adaptive, onecycle,
                   cosine-restarts (default: the first four)
  --seeds K        compare-schedules tasks: every schedule from seeds --seed ... --seed+K-1 (default 1),
                   compared with constant seed by seed (mean, spread, paired 95% interval)
  --target-accuracy X  compare-schedules tasks: time the epochs to test accuracy X (0.89 or 89%; default
                   0.98 of the best accuracy any run reached)
  --train-size N   images: training images (find: default 2,000, and a quarter of that for validation;
                   compare-schedules: default all that is left after the validation set)
  --validation-size N, --test-size N  compare-schedules tasks: validation examples held out of the training
                   set (default 6,000; cifar10 5,000; imdb 2,500) and test examples (default all)
  --quiet          no progress output
  -h, --help       this text (lrlab tune --help and lrlab tune-lstm --help: the tuners' own options)
`;

/** Thrown for a bad command line: printed as one line, exit code 2. */
class UsageError extends Error {}

/**
 * Progress on stderr: one line per stage, and per step a bar on a terminal or, off a terminal (a pipe, CI, a log
 * file), a line for the first and last step of each stage and at most one a second between; nothing with --quiet.
 */
function progressReporter(enabled: boolean, stream: NodeJS.WriteStream = process.stderr) {
  const tty = enabled && Boolean(stream.isTTY) && !process.env.CI;
  let lastLine = 0;
  return {
    onStage: (stage: Stage, detail: string) => {
      if (!enabled) return;
      stream.write(`${tty ? '\r\x1b[K' : ''}  ${stage.padEnd(10)} ${detail}\n`);
    },
    onProgress: (stage: Stage, done: number, total: number) => {
      if (!enabled) return;
      if (tty) {
        const width = 24, filled = Math.round((done / total) * width);
        stream.write(`\r  ${stage.padEnd(10)} [${'='.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total}`);
        return;
      }
      const now = performance.now();
      if (done === 1 || done === total || now - lastLine >= 1000) {
        lastLine = now;
        stream.write(`  ${stage.padEnd(10)} ${done}/${total}\n`);
      }
    },
  };
}

function summary(r: PipelineResult | FindLrResult, files: string[], out: string): string {
  const rows = comparisonTable(r);
  const w = [Math.max(28, ...rows.map((c) => c.metric.length + 1)), 12, 20, 20];
  const line = (c: string[]) => c.map((s, i) => s.padEnd(w[i])).join(' ').trimEnd();
  return [
    '',
    r.recommendation.sentence,
    `trained: ${formatLr(r.trained.lr)}, the ${r.trained.name} rate, chosen as ${r.trained.reason}`,
    `rules: ${Object.values(r.suggestion.suggestions).map((s) => `${s.method} ${formatLr(s.lr)}`).join(', ')}; sweep best ${formatLr(r.sweep.bestLr)}`,
    ...[...r.suggestion.warnings, ...r.validation.warnings].map((x) => `warning: ${x}`),
    '',
    line(['metric', 'baseline', `trained (${r.trained.name})`, 'change']),
    ...rows.map((c) => line([c.metric, c.baseline, c.optimized, c.change])),
    '',
    `report: ${files.map((f) => `${out}/${f}`).join(', ')}`,
    '',
  ].join('\n');
}

function integerOption(name: string, v: string | undefined, fallback: number, min = 1): number {
  if (v === undefined) return fallback;
  const x = /^-?\d+$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isSafeInteger(x) || x < min) throw new UsageError(`lrlab: --${name} expects ${min === Number.MIN_SAFE_INTEGER ? 'an integer' : `an integer >= ${min}`}, got '${v}'`);
  return x;
}

/** Runs the command line; returns the exit code. Output goes to `write` (stdout by default). */
export async function main(argv: string[], write: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  if (argv[0] === 'dashboard') return dashboardCommand(argv.slice(1), write);
  if (argv[0] === 'tune') {
    // `lrlab tune --model lstm` is `lrlab tune-lstm`; `--model mlp`, or no --model, is the MLP study
    const i = argv.findIndex((a) => a === '--model' || a.startsWith('--model='));
    if (i === -1) return tuneCommand(argv.slice(1), write);
    const inline = argv[i].startsWith('--model=');
    const model = inline ? argv[i].slice('--model='.length) : argv[i + 1];
    const rest = argv.slice(1).filter((_, j) => j + 1 !== i && !(!inline && j + 1 === i + 1));
    if (model === 'lstm') return main(['tune-lstm', ...rest], write);
    if (model === 'mlp') return tuneCommand(rest, write);
    process.stderr.write(`lrlab: tune --model expects lstm or mlp, got ${model === undefined ? 'nothing' : `'${model}'`} (try lrlab --help)\n`);
    return 2;
  }
  let previousBackend: string;
  try {
    // the first call applies LRLAB_BACKEND: a bad name, or gpu without gpu.js installed, is one line and exit 2
    previousBackend = getBackend().name;
  } catch (err) {
    process.stderr.write(`lrlab: LRLAB_BACKEND: ${(err as Error).message}\n`);
    return 2;
  }
  try {
    let parsed;
    try {
      // '--seed -1': a value that starts with a dash is still the option's value
      const args = argv.flatMap((a, i) => (/^-\d/.test(a) && /^--(seed|epochs)$/.test(argv[i - 1] ?? '') ? [] : /^--(seed|epochs)$/.test(a) && /^-\d/.test(argv[i + 1] ?? '') ? [`${a}=${argv[i + 1]}`] : [a]));
      parsed = parseArgs({
        args,
        allowPositionals: true,
        options: {
          data: { type: 'string' }, column: { type: 'string' }, separator: { type: 'string' }, config: { type: 'string' }, 'full-sweep': { type: 'boolean' },
          seed: { type: 'string' }, out: { type: 'string' }, backend: { type: 'string' }, epochs: { type: 'string' },
          quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, overwrite: { type: 'boolean' },
          'n-trials': { type: 'string' }, 'mlp-trials': { type: 'string' }, timeout: { type: 'string' }, 'n-jobs': { type: 'string' },
          storage: { type: 'string' }, study: { type: 'string' }, 'study-name': { type: 'string' },
          task: { type: 'string' }, schedules: { type: 'string' }, 'train-size': { type: 'string' },
          target: { type: 'string' }, features: { type: 'string' }, split: { type: 'string' }, model: { type: 'string' }, seeds: { type: 'string' },
          'target-loss': { type: 'string' }, 'target-metric': { type: 'string' }, live: { type: 'boolean' }, 'dashboard-port': { type: 'string' },
          'target-accuracy': { type: 'string' }, 'validation-size': { type: 'string' }, 'test-size': { type: 'string' },
        },
      });
    } catch (err) {
      throw new UsageError(`lrlab: ${(err as Error).message.split('. ')[0]} (try lrlab ${argv[0] === 'tune-lstm' ? 'tune-lstm ' : ''}--help)`);
    }
    const { values: o, positionals } = parsed;
    if (o.help) {
      write(positionals[0] === 'tune-lstm' ? TUNE_LSTM_HELP : HELP);
      return 0;
    }
    const command = positionals[0];
    if (command === undefined) {
      write(HELP);
      return 2;
    }
    if (!['demo', 'find', 'compare-schedules', 'tune-lstm'].includes(command)) throw new UsageError(`lrlab: unknown command '${command}' (try lrlab --help)`);
    if (positionals.length > 1) throw new UsageError(`lrlab: unexpected argument '${positionals[1]}' (try lrlab --help)`);
    if (o.backend !== undefined) {
      try {
        useBackend(o.backend);
      } catch (err) {
        throw new UsageError(`lrlab: --backend: ${(err as Error).message}`);
      }
    } else if (!process.env.LRLAB_BACKEND) {
      // the command line defaults to the fast CPU path; the library's default stays the reference
      try {
        useBackend('wasm');
      } catch {
        useBackend('cpu');
      }
    }
    const seed = integerOption('seed', o.seed, 42, Number.MIN_SAFE_INTEGER);
    if (command === 'tune-lstm') {
      return await tuneLstmCommand(o, seed, write, (m) => new UsageError(m));
    }
    if (command === 'compare-schedules') {
      return await compareSchedulesCommand(o, seed, write, (m) => new UsageError(m));
    }
    let config: Record<string, unknown> = {};
    if (o.config !== undefined) {
      let parsedConfig: unknown;
      try {
        parsedConfig = JSON.parse(readFileSync(o.config, 'utf8'));
      } catch (err) {
        throw new UsageError(`lrlab: cannot use --config ${o.config}: ${(err as Error).message}`);
      }
      if (parsedConfig === null || typeof parsedConfig !== 'object' || Array.isArray(parsedConfig)) {
        throw new UsageError(`lrlab: --config ${o.config} must hold a JSON object of settings, got ${describe(parsedConfig)}`);
      }
      config = parsedConfig as Record<string, unknown>;
    }
    config = { ...config, seed };
    if (o['full-sweep']) config.sweep = { ...(config.sweep as object), num: 100, epochs: 3 };
    const out = o.out ?? 'lrlab-report';
    const reporter = progressReporter(!o.quiet);
    if (o['dashboard-port'] !== undefined && !o.live) throw new UsageError('lrlab: --dashboard-port needs --live');
    const dashboardPort = integerOption('dashboard-port', o['dashboard-port'], 8080, 0);
    if (dashboardPort > 65535) throw new UsageError(`lrlab: --dashboard-port expects an integer in [0, 65535], got '${o['dashboard-port']}'`);
    const live = o.live ? liveRun(out, reporter) : null;
    // everything is read and checked before any work: a bad flag, file, column or model is one line and exit 2
    const run = await prepareFind(command as 'demo' | 'find', o, config, (m) => new UsageError(m), live?.reporter ?? reporter);
    try {
      checkOutputDir(out, 'lrlab: --out', REPORT_FILES, { overwrite: o.overwrite });
    } catch (err) {
      throw new UsageError((err as Error).message.startsWith('lrlab') ? (err as Error).message : `lrlab: ${(err as Error).message}`);
    }
    try {
      await live?.start(dashboardPort, write);
      let result: PipelineResult | FindLrResult;
      try {
        result = run();
      } catch (err) {
        if (/^config: /.test((err as Error).message)) throw new UsageError(`lrlab: ${(err as Error).message}`);
        throw err;
      }
      live?.finish(result);
      reporter.onStage('report', `writing ${REPORT_FILES.length} files into ${out}`);
      const files = await writeReport(resolve(out), result, { overwrite: o.overwrite });
      await live?.end();
      write(summary(result, files, out));
      return 0;
    } catch (err) {
      live?.fail(err as Error);
      throw err;
    } finally {
      await live?.close();
    }
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    process.stderr.write(`lrlab: ${(err as Error).message}\n`);
    return 1;
  } finally {
    useBackend(previousBackend);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
