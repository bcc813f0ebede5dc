import { existsSync, readFileSync } from 'node:fs';
import type { Callback, Logs, TrainingContext } from './callback.js';
import type { StateDict } from '../nn/module.js';
import { saveModel } from '../nn/serialize.js';
import { writeFileAtomic } from '../io/atomic.js';
import { formatNumber, formatLr, describe } from '../format/number.js';
import { checkOptionsObject } from '../format/check.js';
import { ReduceLROnPlateau } from '../schedulers/plateau.js';
import { autoMode, logKey } from './scoring.js';

type Mode = 'auto' | 'min' | 'max';

/**
 * 'auto' means the direction of a built-in metric ('max' for valAccuracy and valR2, 'min' for valMae), else 'max'
 * for accuracy-like names and 'min' otherwise, as Keras decides.
 */
function resolveMode(name: string, monitor: string, mode: Mode): 'min' | 'max' {
  if (mode !== 'auto' && mode !== 'min' && mode !== 'max') throw new RangeError(`${name}: mode must be 'auto', 'min' or 'max', got ${describe(mode)}`);
  if (mode !== 'auto') return mode;
  return autoMode(monitor);
}

/** The log key a monitor names: lrlab's camelCase, with Keras's snake_case (`val_accuracy`) read as `valAccuracy`. */
function monitorKey(name: string, monitor: unknown): string {
  if (typeof monitor !== 'string' || monitor === '') throw new TypeError(`${name}: expected monitor to be a log name, got ${JSON.stringify(monitor)}`);
  return logKey(monitor);
}

function monitored(name: string, monitor: string, logs: Logs, epoch: number): number | undefined {
  const v = logs[monitor];
  if (v === undefined) {
    throw new RangeError(`${name}: expected '${monitor}' in the epoch logs (available: ${Object.keys(logs).join(', ')}) at epoch ${epoch}`);
  }
  return v;
}

/** Options of `EarlyStopping`, Keras's in camelCase. */
export interface EarlyStoppingOptions {
  /** Log to watch, such as 'valLoss' (the default) or 'valAccuracy' (Keras's 'val_accuracy' also works). */
  monitor?: string;
  /** Smallest change that counts as an improvement. Default 0. */
  minDelta?: number;
  /** Epochs without improvement before stopping. Default 0. */
  patience?: number;
  mode?: Mode;
  /** Stop unless the monitored value beats this within `patience` epochs. */
  baseline?: number;
  /** Put back the weights of the best epoch when training ends. Default false. */
  restoreBestWeights?: boolean;
}

/** Stops training when a monitored log stops improving, as `keras.callbacks.EarlyStopping`. */
export class EarlyStopping implements Callback {
  readonly monitor: string;
  readonly minDelta: number;
  readonly patience: number;
  readonly mode: 'min' | 'max';
  readonly baseline: number | undefined;
  readonly restoreBestWeights: boolean;
  best = NaN;
  bestEpoch = -1;
  wait = 0;
  stoppedEpoch = -1;
  private bestWeights: StateDict | null = null;

  constructor(options: EarlyStoppingOptions = {}) {
    options = checkOptionsObject('EarlyStopping', options, ['monitor', 'minDelta', 'patience', 'mode', 'baseline', 'restoreBestWeights']);
    this.monitor = monitorKey('EarlyStopping', options.monitor ?? 'valLoss');
    this.minDelta = Math.abs(options.minDelta ?? 0);
    this.patience = options.patience ?? 0;
    if (!Number.isInteger(this.patience) || this.patience < 0) throw new RangeError(`EarlyStopping: patience must be a non-negative integer, got ${this.patience}`);
    this.mode = resolveMode('EarlyStopping', this.monitor, options.mode ?? 'auto');
    this.baseline = options.baseline;
    this.restoreBestWeights = options.restoreBestWeights ?? false;
  }

  private improved(current: number, reference: number): boolean {
    return this.mode === 'min' ? current < reference - this.minDelta : current > reference + this.minDelta;
  }

  onTrainBegin(): void {
    this.wait = 0;
    this.stoppedEpoch = -1;
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.bestEpoch = -1;
    this.bestWeights = null;
  }

  onEpochEnd(epoch: number, logs: Logs, ctx: TrainingContext): void {
    const current = monitored('EarlyStopping', this.monitor, logs, epoch)!;
    if (Number.isNaN(current)) return;
    this.wait += 1;
    if (this.improved(current, this.best)) {
      this.best = current;
      this.bestEpoch = epoch;
      if (this.restoreBestWeights) this.bestWeights = ctx.model.stateDict();
      // with a baseline, the counter only resets once the baseline itself is beaten
      if (this.baseline === undefined || this.improved(current, this.baseline)) this.wait = 0;
    }
    if (this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      ctx.stopTraining = true;
      ctx.stopReason = `EarlyStopping: ${this.monitor} did not improve for ${this.wait} epoch(s) (best ${this.best} at epoch ${this.bestEpoch})`;
    }
  }

  onTrainEnd(ctx: TrainingContext): void {
    if (this.restoreBestWeights && this.bestWeights !== null) ctx.model.loadStateDict(this.bestWeights);
  }
}

/** Options of `ReduceLROnPlateauCallback`, Keras's in camelCase. */
export interface ReduceLROnPlateauCallbackOptions {
  monitor?: string;
  factor?: number;
  patience?: number;
  mode?: Mode;
  minDelta?: number;
  cooldown?: number;
  minLr?: number;
}

/**
 * Keras's `ReduceLROnPlateau` callback: once per epoch, feeds the monitored log to lrlab's `ReduceLROnPlateau`
 * (threshold mode 'abs' with threshold minDelta, Keras's definition of an improvement).
 */
export class ReduceLROnPlateauCallback implements Callback {
  private scheduler: ReduceLROnPlateau | null = null;
  readonly monitor: string;

  constructor(readonly options: ReduceLROnPlateauCallbackOptions = {}) {
    this.options = checkOptionsObject('ReduceLROnPlateauCallback', options, ['monitor', 'factor', 'patience', 'mode', 'minDelta', 'cooldown', 'minLr']);
    this.monitor = monitorKey('ReduceLROnPlateauCallback', options.monitor ?? 'valLoss');
    resolveMode('ReduceLROnPlateauCallback', this.monitor, options.mode ?? 'auto');
  }

  onTrainBegin(ctx: TrainingContext): void {
    const o = this.options;
    this.scheduler = new ReduceLROnPlateau(ctx.optimizer, {
      mode: resolveMode('ReduceLROnPlateauCallback', this.monitor, o.mode ?? 'auto'),
      factor: o.factor ?? 0.1,
      patience: o.patience ?? 10,
      threshold: o.minDelta ?? 1e-4,
      thresholdMode: 'abs',
      cooldown: o.cooldown ?? 0,
      minLr: o.minLr ?? 0,
    });
  }

  onEpochEnd(epoch: number, logs: Logs): void {
    this.scheduler!.step(monitored('ReduceLROnPlateauCallback', this.monitor, logs, epoch)!);
  }
}

/** Options of `ModelCheckpoint`. */
export interface ModelCheckpointOptions {
  /** File to write; `{epoch}` is replaced by the epoch number (from 1). */
  path: string;
  monitor?: string;
  /** Only write when the monitored log improves. Default false (write every epoch). */
  saveBestOnly?: boolean;
  mode?: Mode;
}

/** Saves the model's weights after epochs, atomically (`saveModel`), as `keras.callbacks.ModelCheckpoint`. */
export class ModelCheckpoint implements Callback {
  readonly monitor: string;
  readonly mode: 'min' | 'max';
  best: number;
  /** Paths written, in order. */
  readonly saved: string[] = [];

  constructor(readonly options: ModelCheckpointOptions) {
    checkOptionsObject('ModelCheckpoint', options, ['path', 'monitor', 'saveBestOnly', 'mode']);
    if (typeof options?.path !== 'string' || options.path === '') throw new TypeError('ModelCheckpoint: expected a path string');
    this.monitor = monitorKey('ModelCheckpoint', options.monitor ?? 'valLoss');
    this.mode = resolveMode('ModelCheckpoint', this.monitor, options.mode ?? 'auto');
    this.best = this.mode === 'min' ? Infinity : -Infinity;
  }

  onEpochEnd(epoch: number, logs: Logs, ctx: TrainingContext): void {
    if (this.options.saveBestOnly) {
      const current = monitored('ModelCheckpoint', this.monitor, logs, epoch)!;
      const better = this.mode === 'min' ? current < this.best : current > this.best;
      if (!better) return;
      this.best = current;
    }
    const path = this.options.path.replaceAll('{epoch}', String(epoch + 1));
    saveModel(ctx.model, path);
    this.saved.push(path);
  }
}

/**
 * Writes the epoch logs as CSV (epoch, then the log names), rewriting the file atomically after every epoch so a
 * crash leaves the rows of the finished epochs, never a half row. With `append`, rows follow an existing file.
 */
export class CSVLogger implements Callback {
  private rows: string[] = [];
  private header: string[] | null = null;

  constructor(readonly path: string, readonly options: { separator?: string; append?: boolean } = {}) {
    if (typeof path !== 'string' || path === '') throw new TypeError(`CSVLogger: expected a path string, got ${describe(path)}`);
    this.options = checkOptionsObject('CSVLogger', options, ['separator', 'append']);
  }

  onTrainBegin(): void {
    this.rows = [];
    this.header = null;
    if (this.options.append && existsSync(this.path)) {
      const lines = readFileSync(this.path, 'utf8').split('\n').filter((l) => l !== '');
      if (lines.length > 0) {
        this.header = lines[0].split(this.options.separator ?? ',');
        this.rows = lines.slice(1);
      }
    }
  }

  onEpochEnd(epoch: number, logs: Logs): void {
    const sep = this.options.separator ?? ',';
    if (this.header === null) this.header = ['epoch', ...Object.keys(logs).sort()];
    this.rows.push([String(epoch), ...this.header.slice(1).map((k) => (logs[k] === undefined ? '' : String(logs[k])))].join(sep));
    writeFileAtomic(this.path, [this.header.join(sep), ...this.rows].join('\n') + '\n');
  }
}

/**
 * Stops training quietly when a batch loss is NaN or infinite (Keras's `TerminateOnNaN`). Without it, `fit`
 * throws on a non-finite loss; either way no step is taken on it.
 */
export class TerminateOnNaN implements Callback {
  readonly quietOnNonFinite = true;
}

/** A one-line progress bar on a terminal; silent when stderr is not a TTY or CI is set. */
export class ProgressBar implements Callback {
  private readonly enabled: boolean;
  private epochStart = 0;

  constructor(options: { stream?: NodeJS.WriteStream; force?: boolean } = {}) {
    options = checkOptionsObject('ProgressBar', options, ['stream', 'force']);
    if (options.stream !== undefined && typeof options.stream?.write !== 'function') throw new TypeError(`ProgressBar: expected stream to be a writable stream, got ${describe(options.stream)}`);
    this.stream = options.stream ?? process.stderr;
    this.enabled = options.force ?? (Boolean(this.stream.isTTY) && !process.env.CI);
  }

  private readonly stream: NodeJS.WriteStream;

  onEpochBegin(): void {
    this.epochStart = performance.now();
  }

  onBatchEnd(batch: number, logs: Logs, ctx: TrainingContext): void {
    if (!this.enabled) return;
    const width = 24, done = Math.round(((batch + 1) / ctx.batchesPerEpoch) * width);
    this.stream.write(`\r  [${'='.repeat(done)}${' '.repeat(width - done)}] ${batch + 1}/${ctx.batchesPerEpoch} loss ${formatNumber(logs.loss, 4)}`);
  }

  onEpochEnd(epoch: number, logs: Logs, ctx: TrainingContext): void {
    if (!this.enabled) return;
    // valLoss and the metrics (accuracy, valAccuracy, ...) after the loss
    const extra = Object.keys(logs).filter((k) => k !== 'loss' && k !== 'lr').map((k) => ` ${k} ${formatNumber(logs[k] as number, 4)}`).join('');
    this.stream.write(`\r  epoch ${epoch + 1}/${ctx.epochs} loss ${formatNumber(logs.loss, 4)}${extra} lr ${formatLr(logs.lr)} ${((performance.now() - this.epochStart) / 1000).toFixed(1)}s\x1b[K\n`);
  }
}
