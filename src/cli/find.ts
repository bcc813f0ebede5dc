import { statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Module } from '../nn/module.js';
import { loadCsvColumn } from '../data/csv.js';
import { loadCsvTable, splitTable } from '../data/table.js';
import { loadFashionMnist, findFashionMnist } from '../data/idx.js';
import { Generator } from '../tensor/random.js';
import { runPipeline, resolveConfig, type PipelineResult, type Stage } from '../lrfind/pipeline.js';
import { runFinder, resolveFinderConfig, mergeConfig, type FindLrResult, type LossFn } from '../lrfind/find-lr.js';
import { parseModelSpec, buildModel, describeModelSpec } from '../lrfind/models.js';
import { describe } from '../format/number.js';
import type { FindLrPartial } from '../lrfind/find-lr.js';
import { LiveWriter } from '../dashboard/live.js';
import { startDashboardThread, type DashboardThread } from '../dashboard/thread.js';

/** The command-line options `find` and `demo` read. */
export interface FindFlags {
  data?: string;
  column?: string;
  separator?: string;
  target?: string;
  features?: string;
  task?: string;
  split?: string;
  model?: string;
  seeds?: string;
  'target-loss'?: string;
  'target-metric'?: string;
  'train-size'?: string;
  'full-sweep'?: boolean;
}

type Progress = { onStage: (stage: Stage, detail: string) => void; onProgress: (stage: Stage, done: number, total: number) => void; onPartial?: (partial: FindLrPartial) => void };

/** A run followed with --live: its progress file, and the dashboard beside it. */
export interface LiveRun {
  /** The progress reporter to give the run: the terminal's, and the progress file's. */
  reporter: Progress;
  /** Once everything is checked: writes the progress file and starts the dashboard (said on `write`). */
  start(port: number, write: (s: string) => void): Promise<void>;
  /** The whole result is in: the file says so, with it, while the report is written. */
  finish(result: FindLrPartial): void;
  /** The run or its report failed: the file says why (and stays, for the dashboard). */
  fail(error: Error): void;
  /** The report is in: the file goes, and the dashboard stops. */
  end(): Promise<void>;
  /** Stops the dashboard (whatever happened). */
  close(): Promise<void>;
}

/**
 * `find --live` / `demo --live`: the run's progress goes to `.NAME.live.json` beside the report folder `out`
 * (the folder itself is swapped in whole at the end), and the dashboard, in a worker thread so that it answers while
 * the run trains, serves the folder above `out`, where the run shows as NAME. A dashboard that cannot start (its port
 * taken, say by a dashboard already following that folder) is said, and the run goes on writing its progress.
 */
export function liveRun(out: string, terminal: Progress): LiveRun {
  const writer = new LiveWriter(out, { onWriteError: (m) => process.stderr.write(`lrlab: --live: ${m}; the run goes on without it\n`) });
  let dashboard: DashboardThread | null = null;
  return {
    reporter: {
      onStage: (stage, detail) => {
        terminal.onStage(stage, detail);
        writer.note(stage, detail);
      },
      onProgress: (stage, done, total) => {
        terminal.onProgress(stage, done, total);
        writer.progress(stage, done, total);
      },
      onPartial: (partial) => writer.partial(partial),
    },
    async start(port, write) {
      writer.start();
      const folder = dirname(resolve(out));
      try {
        dashboard = await startDashboardThread({ storage: folder, port });
        write(`live: ${dashboard.url}#run=${encodeURIComponent(basename(resolve(out)))} (the dashboard of ${folder}; it stops with the run, lrlab dashboard ${folder} shows it after)\n`);
      } catch (error) {
        process.stderr.write(`lrlab: --live: the dashboard did not start: ${(error as Error).message.replace(/^startDashboard: /, '')}; the run's progress still goes to ${writer.path}, for a dashboard following ${folder}\n`);
      }
    },
    finish: (result) => writer.finish(result),
    fail: (error) => writer.fail(error),
    async end() {
      writer.remove();
      await this.close();
    },
    async close() {
      await dashboard?.close();
      dashboard = null;
    },
  };
}

/** What the user's own model module gives: a model factory, and optionally a loss. */
interface UserModule {
  makeModel: (shape: { inputShape: number[]; outputs: number; task: string }) => Module;
  loss?: LossFn;
}

// images train for fewer epochs by default: a CNN epoch costs what a hundred MLP epochs do
const IMAGE_DEFAULTS = { sweep: { num: 6, epochs: 1 }, validation: { epochs: 2 }, training: { epochs: 10, patience: 3 } };

function number(name: string, v: string | undefined, usage: (m: string) => Error): number | undefined {
  if (v === undefined) return undefined;
  const x = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isFinite(x)) throw usage(`lrlab: --${name} expects a number, got '${v}'`);
  return x;
}

async function loadUserModule(path: string, usage: (m: string) => Error): Promise<UserModule> {
  let mod: Record<string, unknown>;
  try {
    mod = await import(pathToFileURL(resolve(path)).href);
  } catch (err) {
    throw usage(`lrlab: --model ${path}: cannot import it as an ES module: ${(err as Error).message.split('\n')[0]}`);
  }
  if (typeof mod.makeModel !== 'function') {
    const names = Object.keys(mod);
    throw usage(`lrlab: --model ${path} must export a function makeModel() returning a fresh model, got ${names.length ? `exports ${names.join(', ')}` : 'no exports'}`);
  }
  if (mod.loss !== undefined && typeof mod.loss !== 'function') throw usage(`lrlab: --model ${path}: expected its export 'loss' to be a function (prediction, target) => loss, got ${describe(mod.loss)}`);
  return mod as unknown as UserModule;
}

/**
 * Reads and checks everything `find` / `demo` need (data, model, config) before any work, and returns the run:
 * a series (no --target), a table (--target), or images (--data fashion-mnist or a folder of IDX files). Bad input
 * throws `usage(message)`: one line, exit 2.
 */
export async function prepareFind(command: 'demo' | 'find', o: FindFlags, config: Record<string, unknown>, usage: (m: string) => Error, reporter: Progress): Promise<() => PipelineResult | FindLrResult> {
  const seeds = o.seeds === undefined ? undefined : /^\d+$/.test(o.seeds.trim()) ? Number(o.seeds) : NaN;
  if (seeds !== undefined && !(Number.isInteger(seeds) && seeds >= 1 && seeds <= 100)) throw usage(`lrlab: --seeds expects an integer from 1 to 100 (the seeds each long run repeats over), got '${o.seeds}'`);
  if (seeds !== undefined) config = { ...config, seeds };
  const targetLoss = number('target-loss', o['target-loss'], usage), targetMetric = number('target-metric', o['target-metric'], usage);
  if (targetLoss !== undefined && targetMetric !== undefined) throw usage('lrlab: give one of --target-loss and --target-metric, not both');
  if (o.task !== undefined && !['regression', 'classification'].includes(o.task)) throw usage(`lrlab: --task expects regression or classification, got '${o.task}'`);
  if (o.split !== undefined && !['random', 'temporal'].includes(o.split)) throw usage(`lrlab: --split expects random or temporal, got '${o.split}'`);
  const seed = config.seed as number;
  const wrap = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      const m = (err as Error).message;
      throw usage(m.startsWith('lrlab') ? m : `lrlab: ${m}`);
    }
  };
  const isModulePath = o.model !== undefined && /\.(mjs|js|ts|mts)$/.test(o.model);
  const user = isModulePath ? await loadUserModule(o.model as string, usage) : null;

  const images = command === 'find' && o.data !== undefined && (o.data === 'fashion-mnist' || isDirectory(o.data));
  if (command === 'demo' || (o.target === undefined && !images)) {
    // a series: the built-in one, or a column of --data
    for (const flag of ['features', 'task'] as const) if (o[flag] !== undefined) throw usage(`lrlab: --${flag} is for a table (with --target COLUMN); without --target, ${command} works on a series`);
    if (o.split === 'random') throw usage('lrlab: a series is split in time order (--split temporal); a random split would let the model see the future');
    let series: Float32Array | undefined, source: string | undefined;
    if (command === 'find') {
      if (o.data === undefined) throw usage('lrlab: find needs --data FILE.csv (try lrlab --help)');
      const column = o.column === undefined ? undefined : /^\d+$/.test(o.column) ? Number(o.column) : o.column;
      const csv = wrap(() => loadCsvColumn(o.data as string, { column, separator: separator(o.separator) }));
      series = csv.values;
      source = `${o.data}, column ${csv.column}`;
      reporter.onStage('data', `read ${source}: ${series.length} values`);
    } else if (o.data !== undefined) {
      throw usage('lrlab: demo runs on the built-in series; use lrlab find --data FILE.csv for yours');
    }
    const resolved = wrap(() => resolveConfig(config));
    // a spec runPipeline would refuse is refused here, before any work (without --model: the config's MLP)
    if (user === null && o.model !== undefined) wrap(() => parseModelSpec('lrlab: --model', o.model as string, 'series'));
    const model = user !== null ? () => user.makeModel({ inputShape: [resolved.window], outputs: 1, task: 'series' }) : o.model;
    return () => runPipeline({ series, source, config: resolved, model, targetLoss, targetMetric, ...reporter });
  }

  if (o.column !== undefined) throw usage('lrlab: --column picks a series; for a table, name the column to predict with --target');
  if (images) {
    if (o.target !== undefined || o.features !== undefined) throw usage('lrlab: --target and --features are for a CSV table; images carry their labels');
    const dir = o.data === 'fashion-mnist' ? undefined : o.data;
    const spec = user === null ? wrap(() => parseModelSpec('lrlab: --model', o.model ?? 'cnn', 'images')) : null;
    if (findFashionMnist(dir) === null) throw usage(`lrlab: no Fashion-MNIST files in ${dir ?? 'the default places'} (install Debian's dataset-fashion-mnist, or give --data DIR holding the four IDX files)`);
    const trainSize = o['train-size'] === undefined ? 2000 : Number(o['train-size']);
    if (!Number.isInteger(trainSize) || trainSize < 10 || trainSize > 60000) throw usage(`lrlab: --train-size expects an integer from 10 to 60000, got '${o['train-size']}'`);
    const resolved = wrap(() => resolveFinderConfig(mergeConfig(mergeConfig(resolveFinderConfig(), IMAGE_DEFAULTS), config)));
    const validationSize = Math.max(2, Math.round(trainSize / 4));
    const mnist = wrap(() => loadFashionMnist(dir, { trainSize, validationSize, testSize: 1, generator: new Generator(seed) }));
    const valid = mnist.valid!;
    const inputShape = mnist.train.x.shape.slice(1), outputs = mnist.classes.length;
    const makeModel = user !== null ? () => user.makeModel({ inputShape, outputs, task: 'classification' }) : () => buildModel(spec!, { inputShape, outputs });
    return () => runFinder(resolved, {
      makeModel, train: mnist.train, valid, task: 'classification', loss: user?.loss, source: 'Fashion-MNIST',
      dataDescription: `${mnist.train.x.shape[0]} training and ${valid.x.shape[0]} validation images of ${inputShape.join(' x ')} (pixels standardized), ${outputs} classes, read from ${mnist.dir}`,
      modelName: spec ? describeModelSpec(spec, { inputShape, outputs }) : undefined, targetLoss, targetMetric, ...reporter,
    });
  }

  // a table: features and a target column
  const features = o.features === undefined ? undefined : o.features.split(',').map((f) => f.trim()).filter((f) => f !== '');
  if (features !== undefined && features.length === 0) throw usage(`lrlab: --features expects column names separated by commas, got '${o.features}'`);
  const spec = user === null ? wrap(() => parseModelSpec('lrlab: --model', o.model ?? 'mlp:128,64', 'table')) : null;
  const table = wrap(() => loadCsvTable(o.data as string, { target: o.target as string, features, task: o.task as 'regression' | 'classification' | undefined, separator: separator(o.separator) }));
  const resolved = wrap(() => resolveFinderConfig(config));
  const split = (o.split ?? 'random') as 'random' | 'temporal';
  const parts = wrap(() => splitTable(table, { split, seed }));
  const outputs = table.task === 'classification' ? table.classes!.length : 1;
  const inputShape = [table.features.length];
  const makeModel = user !== null ? () => user.makeModel({ inputShape, outputs, task: table.task }) : () => buildModel(spec!, { inputShape, outputs });
  const n = table.x.shape[0];
  reporter.onStage('data', `read ${o.data}: ${n} rows, target '${table.target}', ${table.features.length} feature(s) (${table.features.join(', ')})${table.skipped.length ? `; not used: ${table.skipped.join(', ')}` : ''}`);
  reporter.onStage('data', `task: ${table.task} (${o.task === undefined ? 'detected: ' : ''}${table.taskReason})${table.classes ? `, classes ${table.classes.join(', ')}` : ''}`);
  return () => runFinder(resolved, {
    makeModel, train: parts.train, valid: parts.valid, task: table.task, loss: user?.loss,
    lossScale: parts.targetScale ? parts.targetScale.std ** 2 : 1, source: `${o.data}, target ${table.target}`,
    dataDescription: `${n} rows, ${parts.train.x.shape[0]} training and ${parts.valid.x.shape[0]} validation (${split} split), ${table.features.length} feature(s) standardized on the training part${table.classes ? `, ${table.classes.length} classes (${table.classes.join(', ')})` : `, the target's MSE in its own units`}`,
    modelName: spec ? describeModelSpec(spec, { inputShape, outputs }) : undefined, targetLoss, targetMetric, ...reporter,
  });
}

function separator(s: string | undefined): string | undefined {
  return s === undefined ? undefined : s === 'tab' || s === '\\t' ? '\t' : s;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
