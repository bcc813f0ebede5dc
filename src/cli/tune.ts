// `lrlab tune`: one tuning worker on the command line. Several of them, on one machine (a SQLite file) or on
// many (one PostgreSQL database), work on the same study: each loads it (or creates it) and adds its trials.
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCsvColumn } from '../data/csv.js';
import { syntheticTimeSeries } from '../data/synthetic.js';
import { useBackend, getBackend } from '../tensor/backends/backend.js';
import { defaultPruner, defaultSampler } from '../tune/default-sampler.js';
import { forecastObjective, resolveForecastSpace, usesLegacyUnitNames, forecastHiddenSizes, type ForecastSpace, type TrialEpoch } from '../tune-recipes/forecast.js';
import { forecastRangeTest } from '../tune-recipes/forecast-range-test.js';
import { enqueueLrTrials, lrSearchSpace, type LrCandidate, type LrSearchSpace } from '../tune-recipes/lr-search-space.js';
import { formatLr } from '../format/number.js';
import { writeStudyReport, STUDY_REPORT_FILES } from '../tune/report.js';
import { checkOutputDir } from '../io/output-dir.js';
import { createStudy, loadStudy, type Study } from '../tune/study.js';
import type { FrozenTrial } from '../tune/types.js';
import type { Trial } from '../tune/trial.js';
import { startDashboardThread, type DashboardThread } from '../dashboard/thread.js';

export const TUNE_HELP = `lrlab tune: tune the forecasting MLP (lr, hidden sizes, batch size, optimizer, weight decay)

Usage:
  lrlab tune [--storage URL] [--study NAME] [--n-trials N] [--timeout S] [--config space.json]
             [--data FILE.csv [--column NAME]] [--epochs N] [--seed N] [--out DIR] [--quiet]
             [--lr-from-range-test] [--heartbeat S] [--dashboard [--dashboard-port P]]

Runs trials of one study (TPE sampling, median pruning on the validation MSE per epoch) and prints a line per
trial, then the best trials, and writes the study report (plots, importances, the trials table) into DIR. The
parameters are lr, layers, units0, units1, ... (each hidden layer's width), batchSize, optimizer and weightDecay;
every MSE is the validation MSE in the series' units. On stderr, a trial's epochs show as it trains (off a
terminal: its first and last epoch and at most one line a second between). With
--storage, the study is created or, when it exists, joined: start the same command in several shells or on
several machines (one PostgreSQL server) and they share the work.

Ctrl-C (SIGINT) or SIGTERM takes effect when the trial in progress hands back control (its training is
synchronous: at the latest when the trial ends): no new trial starts, a trial still running ends as failed, the
report so far is written, and the exit code is 130 (143). A second signal then exits at once. A worker killed
outright (kill -9, a lost machine) leaves its trial 'running' unless workers use --heartbeat: then the next worker
to start a trial fails it.

A trial whose training diverges (a learning rate too large: a non-finite loss, step or activation) ends as
failed, with the reason in its user attribute failReason and on its line, and the study goes on. Any other error
stops the study: its trial ends as failed, the report of the trials so far is written, and the exit code is 1.

Options:
  --storage URL    sqlite:///path/to/study.db or postgresql://user:pass@host:port/db (default: in memory)
  --study NAME     study name (default lrlab-tune)
  --n-trials N     trials this worker runs (default 20)
  --timeout S      start no trial after S seconds
  --config FILE    JSON overriding the search space, e.g. {"lr": {"low": 1e-4, "high": 1e-2},
                   "layers": {"low": 1, "high": 2}, "units": [32, 64], "batchSize": [32, 64],
                   "optimizer": ["adam", "adamw"], "weightDecay": {"low": 1e-6, "high": 1e-3},
                   "epochs": 20, "window": 20}
  --data FILE      CSV file with the series (default: the built-in synthetic series)
  --column NAME    column name or 0-based index (default: the first numeric column, so a date is skipped)
  --epochs N       epochs per trial (overrides the config)
  --seed N         seed of the sampler and of each trial's initialization (default 42)
  --out DIR        the study report's folder (default lrlab-tune-report), checked before any trial: it must be
                   new, empty or an earlier study report; a symbolic link is followed
  --overwrite      replace --out even when it holds other files (they are deleted)
  --backend NAME   wasm (default), cpu or gpu
  --quiet          no progress: no line per epoch or per trial
  --heartbeat S    with --storage: record a heartbeat every S seconds while a trial runs (from a thread of its
                   own, so training does not delay it); the next worker to start a trial fails any trial whose
                   heartbeat is older than 2 S (a killed worker, a lost machine)
  --dashboard      with --storage: serve the dashboard (lrlab dashboard --help) on 127.0.0.1 beside this worker,
                   print its address, and stop it when the worker ends
  --dashboard-port P
                   its port (default 8080; 0: any free port)
  --lr-from-range-test
                   first run a range test (the space's middle MLP, its first optimizer, the lr range of
                   the config) and search lr only where its loss curve falls and has not diverged; the
                   four rules' rates (steepest, valley, minimum, slide) are the first trials
`;

class UsageError extends Error {}

function int(name: string, v: string | undefined, fallback: number, min: number): number {
  if (v === undefined) return fallback;
  const x = Number(v);
  if (!Number.isInteger(x) || x < min) throw new UsageError(`lrlab tune: --${name} expects an integer >= ${min}, got '${v}'`);
  return x;
}

/**
 * Per-epoch progress of the trials on stderr, as find's progress: on a terminal one line rewritten in place; off a
 * terminal (a pipe, CI, a log file) a line for a trial's first and last epoch and at most one a second between.
 * `clear` ends a line left in place (before a trial's own line).
 */
export function epochProgress(stream: { write(s: string): unknown; isTTY?: boolean } = process.stderr): { onEpoch: (e: TrialEpoch & { study?: string }) => void; clear: () => void } {
  const tty = Boolean(stream.isTTY) && !process.env.CI;
  let lastLine = 0, open = false;
  const text = (e: TrialEpoch & { study?: string }) => `  ${e.study === undefined ? '' : `${e.study.toUpperCase()} `}trial ${e.trial} epoch ${e.epoch}/${e.epochs}: val MSE ${formatMse(e.valMse)} (${e.units === 'series' ? 'series units' : 'standardized'})`;
  return {
    onEpoch: (e) => {
      if (tty) {
        stream.write(`\r\x1b[K${text(e)}`);
        open = true;
        return;
      }
      const now = performance.now();
      if (e.epoch === 1 || e.epoch === e.epochs || now - lastLine >= 1000) {
        lastLine = now;
        stream.write(`${text(e)}\n`);
      }
    },
    clear: () => {
      if (open) stream.write('\r\x1b[K');
      open = false;
    },
  };
}

const formatMse = (v: number) => (Number.isFinite(v) ? v.toPrecision(4) : String(v));

function describe(t: FrozenTrial): string {
  const p = t.params;
  const units = forecastHiddenSizes(p);
  const lr = typeof p.lr === 'number' ? p.lr.toExponential(2) : '-';
  const wd = typeof p.weightDecay === 'number' ? p.weightDecay.toExponential(1) : '-';
  return `lr ${lr}  hidden [${units.join(', ')}]  batch ${p.batchSize ?? '-'}  ${p.optimizer ?? '-'}  wd ${wd}`;
}

function trialLine(study: Study, t: FrozenTrial, done: number, total: number): string {
  const value = t.state === 'complete' ? `val MSE ${t.value!.toFixed(3)} (series units)` : t.state === 'pruned' ? `pruned at epoch ${Math.max(...t.intermediateValues.keys())}` : 'failed';
  let best = '';
  try {
    best = `  best ${study.bestValue.toFixed(3)} (trial ${study.bestTrial.number}, series units)`;
  } catch {
    best = '';
  }
  return `[${done}/${total}] trial ${t.number} ${value.padEnd(35)} ${describe(t)}${best}${t.state === 'fail' ? `  (${failReason(t)})` : ''}\n`;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Why a trial failed, in short: the objective's own reason (a diverged run's), else the study's. */
function failReason(t: FrozenTrial): string {
  const reason = String(t.userAttrs.failReason ?? t.systemAttrs.failReason ?? 'no reason recorded');
  return reason.split('; ')[0];
}

function summary(study: Study): string {
  const complete = study.getTrials({ states: ['complete'] }).slice().sort((a, b) => a.value! - b.value!);
  const counts = ['complete', 'pruned', 'fail', 'running', 'waiting'].map((s) => [s, study.getTrials({ states: [s as never] }).length] as const).filter(([, n]) => n > 0);
  const lines = ['', `study '${study.studyName}' (${study.storage.url}): ${study.trials.length} trials, ${counts.map(([s, n]) => `${n} ${s}`).join(', ')}`];
  if (complete.length === 0) return [...lines, 'no complete trial yet', ''].join('\n');
  lines.push('', 'rank  trial  val MSE (series units)  parameters');
  complete.slice(0, 5).forEach((t, i) => lines.push(`${String(i + 1).padEnd(5)} ${String(t.number).padEnd(6)} ${t.value!.toFixed(3).padEnd(22)} ${describe(t)}`));
  lines.push('', `best: trial ${study.bestTrial.number}, val MSE ${study.bestValue.toFixed(3)} (series units)`, `best params: ${JSON.stringify(study.bestParams)}`);
  return lines.join('\n') + '\n';
}

/** --lr-from-range-test, before the study: the range test, and the space with lr narrowed to what its curve shows. */
function lrFromRangeTest(series: Float32Array, space: ForecastSpace, seed: number, write: (s: string) => void): { space: ForecastSpace; lrSpace: LrSearchSpace } {
  let lrSpace: LrSearchSpace, test: string;
  try {
    const { result, model } = forecastRangeTest(series, space, { seed });
    test = `${model}, ${result.iterations} steps from ${formatLr(space.lr.low)} to ${formatLr(space.lr.high)}, ${result.stopReason}`;
    lrSpace = lrSearchSpace(result);
  } catch (err) {
    throw new Error(`--lr-from-range-test: ${(err as Error).message}`);
  }
  write(`range test (${test}; its loss is the training MSE, standardized): lr in [${formatLr(lrSpace.low)}, ${formatLr(lrSpace.high)}] (log); ${lrSpace.reason}\n`);
  return { space: { ...space, lr: { low: lrSpace.low, high: lrSpace.high } }, lrSpace };
}

/**
 * After the study is loaded: with --lr-from-range-test, its rules' rates enqueued (once per study); without it, a
 * study whose lr range a range test set is refused, as this worker would sample lr outside that range.
 */
async function joinLrRange(study: Study, lrSpace: LrSearchSpace | undefined, write: (s: string) => void): Promise<void> {
  if (lrSpace === undefined) {
    const set = (await study.userAttrs()).lrSearchSpace as { low: number; high: number } | undefined;
    if (set !== undefined) {
      throw new UsageError(`lrlab tune: study '${study.studyName}' searches lr in [${formatLr(set.low)}, ${formatLr(set.high)}] as a range test set it: join it with --lr-from-range-test (and the same data, config and seed), or give another --study name`);
    }
    return;
  }
  let enqueued: LrCandidate[];
  try {
    enqueued = await enqueueLrTrials(study, lrSpace);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    throw new UsageError(`lrlab tune: --lr-from-range-test: ${err.message.replace(/^enqueueLrTrials: /, '')}`);
  }
  write(lrSpace.enqueue.length === 0 ? "first trials: none, as every rule's rate lies outside the range\n"
    : enqueued.length === 0 ? `first trials: already enqueued in study '${study.studyName}', which has this lr range\n`
    : `first trials: ${enqueued.map((c) => `${c.rule} ${formatLr(c.lr)}`).join(', ')}\n`);
}

/** The objective, recording which rule an enqueued lr came from in the trial's user attributes (`lrRule`). */
function withLrRule(objective: (trial: Trial) => number): (trial: Trial) => number {
  return (trial) => {
    const rule = (trial.systemAttrs.enqueuedUserAttrs as { lrRule?: unknown } | undefined)?.lrRule;
    if (typeof rule === 'string') trial.setUserAttr('lrRule', rule);
    return objective(trial);
  };
}

/**
 * SIGINT and SIGTERM while trials run: the first stops the study and fails its running trial (study.interrupt),
 * and the command goes on to write the report so far and returns 128 + the signal's number; a second exits at
 * once. Training is synchronous, so a signal is handled when the trial's training hands back control.
 */
function onSignals(study: Study, heartbeat: boolean) {
  let received: NodeJS.Signals | null = null;
  let interrupting: Promise<unknown> = Promise.resolve();
  const code = (s: NodeJS.Signals) => 128 + (s === 'SIGINT' ? 2 : 15);
  const handler = (signal: NodeJS.Signals) => {
    if (received !== null) {
      const left = heartbeat ? 'is failed by the next worker once its heartbeat is older than the grace period' : "stays 'running' (start workers with --heartbeat so that others fail it)";
      process.stderr.write(`lrlab tune: ${signal} again: exiting now without the report; the running trial ${left}\n`);
      process.exit(code(signal));
    }
    received = signal;
    process.stderr.write(`lrlab tune: ${signal}: stopping: no new trial starts, a trial still running ends as failed, and the report so far is written (${signal} again to exit now)\n`);
    interrupting = study.interrupt(`interrupted by ${signal}`).catch(() => undefined);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    exitCode: () => (received === null ? 0 : code(received)),
    settled: () => interrupting,
    remove: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

/** Runs `lrlab tune` with its arguments (after 'tune'); returns the exit code. */
export async function tuneCommand(argv: string[], write: (s: string) => void): Promise<number> {
  const previousBackend = getBackend().name;
  try {
    let o;
    try {
      o = parseArgs({
        args: argv,
        options: {
          storage: { type: 'string' }, study: { type: 'string' }, 'n-trials': { type: 'string' }, timeout: { type: 'string' },
          config: { type: 'string' }, data: { type: 'string' }, column: { type: 'string' }, epochs: { type: 'string' },
          seed: { type: 'string' }, out: { type: 'string' }, backend: { type: 'string' }, quiet: { type: 'boolean' },
          'lr-from-range-test': { type: 'boolean' }, heartbeat: { type: 'string' },
          dashboard: { type: 'boolean' }, 'dashboard-port': { type: 'string' },
          overwrite: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
        },
      }).values;
    } catch (err) {
      throw new UsageError(`lrlab tune: ${(err as Error).message.split('. ')[0]} (try lrlab tune --help)`);
    }
    if (o.help) {
      write(TUNE_HELP);
      return 0;
    }
    try {
      useBackend(o.backend ?? process.env.LRLAB_BACKEND ?? 'wasm');
    } catch (err) {
      if (o.backend !== undefined) throw new UsageError(`lrlab tune: --backend: ${(err as Error).message}`);
      useBackend('cpu');
    }
    const nTrials = int('n-trials', o['n-trials'], 20, 1);
    const seed = int('seed', o.seed, 42, 0);
    let timeout: number | undefined;
    if (o.timeout !== undefined) {
      timeout = Number(o.timeout);
      if (!(timeout > 0) || !Number.isFinite(timeout)) throw new UsageError(`lrlab tune: --timeout expects seconds > 0, got '${o.timeout}'`);
    }
    let heartbeat: { heartbeatInterval: number } | undefined;
    if (o.heartbeat !== undefined) {
      const s = Number(o.heartbeat);
      if (!(s > 0) || !Number.isFinite(s)) throw new UsageError(`lrlab tune: --heartbeat expects seconds > 0, got '${o.heartbeat}'`);
      if (o.storage === undefined) throw new UsageError('lrlab tune: --heartbeat needs --storage (a study in memory has no other worker to fail its trials)');
      heartbeat = { heartbeatInterval: s };
    }
    if (o.dashboard && o.storage === undefined) throw new UsageError('lrlab tune: --dashboard needs --storage (the dashboard reads the study from there)');
    if (o['dashboard-port'] !== undefined && !o.dashboard) throw new UsageError('lrlab tune: --dashboard-port needs --dashboard');
    const dashboardPort = int('dashboard-port', o['dashboard-port'], 8080, 0);
    if (dashboardPort > 65535) throw new UsageError(`lrlab tune: --dashboard-port expects an integer in [0, 65535], got '${o['dashboard-port']}'`);
    let config: unknown = {};
    if (o.config !== undefined) {
      try {
        config = JSON.parse(readFileSync(o.config, 'utf8'));
      } catch (err) {
        throw new UsageError(`lrlab tune: cannot use --config ${o.config}: ${(err as Error).message}`);
      }
    }
    let space;
    try {
      space = resolveForecastSpace(config);
      if (o.epochs !== undefined) space = { ...space, epochs: int('epochs', o.epochs, space.epochs, 1) };
    } catch (err) {
      if (err instanceof UsageError) throw err;
      throw new UsageError(`lrlab tune: ${(err as Error).message}`);
    }
    // --out is checked before any work: new, empty or an earlier study report, and writable
    const out = o.out ?? 'lrlab-tune-report';
    let outDir: string;
    try {
      outDir = checkOutputDir(out, 'lrlab tune: --out', STUDY_REPORT_FILES, { overwrite: o.overwrite });
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    let series: Float32Array;
    if (o.data !== undefined) {
      // as find: without --column, the first numeric column (a date column before it is skipped), and said
      const column = o.column === undefined ? undefined : /^\d+$/.test(o.column) ? Number(o.column) : o.column;
      try {
        const csv = loadCsvColumn(o.data, { column, minLength: space.window + 10 });
        series = csv.values;
        if (!o.quiet) process.stderr.write(`data: ${o.data}, column ${csv.column}${o.column === undefined ? ' (the first numeric one)' : ''}: ${series.length} values\n`);
      } catch (err) {
        throw new UsageError(`lrlab tune: ${(err as Error).message}`);
      }
    } else {
      if (o.column !== undefined) throw new UsageError('lrlab tune: --column needs --data FILE.csv');
      series = syntheticTimeSeries().values;
    }
    let lrSpace: LrSearchSpace | undefined;
    if (o['lr-from-range-test']) {
      ({ space, lrSpace } = lrFromRangeTest(series, space, seed, write));
    }
    const studyName = o.study ?? 'lrlab-tune';
    let study: Study;
    try {
      study = await createStudy({ studyName, storage: o.storage, direction: 'minimize', loadIfExists: true, pruner: defaultPruner(), sampler: defaultSampler(seed), heartbeat });
    } catch (err) {
      throw new UsageError(`lrlab tune: ${(err as Error).message}`);
    }
    if (study.trials.length > 0 && o.storage !== undefined) {
      // a worker joining a study that has trials draws from another stream than the workers before it
      const seen = study.trials.length;
      await study.storage.close();
      study = await loadStudy({ studyName, storage: o.storage, pruner: defaultPruner(), sampler: defaultSampler(seed + seen), heartbeat });
    }
    try {
      await joinLrRange(study, lrSpace, write);
    } catch (err) {
      await study.storage.close();
      throw err;
    }
    // a study begun before the parameters were named in camelCase keeps its names (units_0, ...): renamed, its new
    // trials would be another search space to the sampler, which would learn nothing from the earlier ones
    const legacyParamNames = usesLegacyUnitNames(study.trials);
    if (legacyParamNames && !o.quiet) process.stderr.write(`study '${studyName}' names the layer widths units_0, units_1, ... as lrlab tune did before camelCase names (units0, ...): its new trials keep those names, so that its sampler sees one search space\n`);
    // the dashboard, once the study exists in the storage: a dashboard that cannot start is said, and tuning goes on
    let dashboard: DashboardThread | null = null;
    if (o.dashboard) {
      try {
        dashboard = await startDashboardThread({ storage: o.storage!, port: dashboardPort });
        write(`dashboard: ${dashboard.url}\n`);
      } catch (err) {
        process.stderr.write(`lrlab tune: --dashboard: ${(err as Error).message.replace(/^startDashboard: /, '')}; tuning without it\n`);
      }
    }
    const progress = epochProgress();
    const base = forecastObjective(series, space, { seed, legacyParamNames, onEpoch: o.quiet ? undefined : progress.onEpoch });
    const objective = lrSpace === undefined ? base : withLrRule(base);
    let done = 0;
    const signals = onSignals(study, heartbeat !== undefined);
    // whatever ends optimize (its trials, a timeout, a signal, or an error it re-throws), the trials so far are
    // reported: each trial was recorded as it ended, so the study in the storage is whole and resumes
    let stopped: { error: unknown } | null = null;
    try {
      try {
        await study.optimize(objective, {
          nTrials, timeout,
          callbacks: [(s, t) => {
            done++;
            progress.clear();
            if (!o.quiet) process.stderr.write(trialLine(s, t, done, nTrials));
          }],
        });
      } catch (error) {
        stopped = { error };
      }
      progress.clear(); // a trial that ended the study has no line of its own to end the one left in place
      await signals.settled();
      await study.refresh().catch(() => undefined); // a storage that failed keeps the trials last read
    } finally {
      // a signal from here on ends the process: the report is written as a set, so it is whole or not there
      signals.remove();
      await signals.settled();
      await dashboard?.close();
      await study.storage.close().catch((error) => {
        stopped ??= { error };
      });
    }
    let files: string[];
    try {
      files = await writeStudyReport(study, outDir, { seed, overwrite: o.overwrite });
    } catch (err) {
      if (stopped === null) throw err;
      throw new Error(`${messageOf(stopped.error)} (the study stopped there, and its report could not be written: ${messageOf(err)})`);
    }
    write(summary(study));
    write(`report: ${files.map((f) => join(out, f)).join(', ')}\n`);
    if (stopped !== null) {
      process.stderr.write(`lrlab tune: ${messageOf(stopped.error)} (the study stopped there; the report holds its trials so far)\n`);
      return 1;
    }
    return signals.exitCode();
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    process.stderr.write(`lrlab tune: ${(err as Error).message}\n`);
    return 1;
  } finally {
    useBackend(previousBackend);
  }
}
