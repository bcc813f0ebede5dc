import type { Callback, Logs } from './callback.js';
import { logKey } from './scoring.js';
import { checkInteger, checkOptionsObject } from '../format/check.js';
import { describe } from '../format/number.js';
import { TrialPruned } from '../tune/trial.js';

/** What the callback needs of a trial: lrlab's `Trial` (or anything with the same two methods). */
export interface PrunableTrial {
  readonly number?: number;
  report(value: number, step: number): void;
  shouldPrune(): boolean;
}

/** Options of `PruningCallback`. */
export interface PruningCallbackOptions {
  /** The epoch log to report, such as 'valLoss' (the default) or 'valAccuracy' (Keras's 'val_accuracy' also works). */
  monitor?: string;
  /** Report and ask the pruner every `interval` epochs (after epochs interval - 1, 2 interval - 1, ...). Default 1. */
  interval?: number;
}

/**
 * Reports a monitored epoch log to a trial after each epoch, `trial.report(logs[monitor], epoch)` with epochs from 0,
 * and stops `fit` by throwing `TrialPruned` when `trial.shouldPrune()` says so; `study.optimize` then records the
 * trial as pruned with the values reported so far. Optuna's `KerasPruningCallback(trial, monitor, interval)` and
 * `PyTorchLightningPruningCallback` for lrlab's `fit`, except that a monitor missing from the logs is an error (as
 * lrlab's EarlyStopping) instead of Optuna's warning, since it would quietly turn pruning off.
 *
 * ```ts
 * fit(model, { ..., validationData, callbacks: [new PruningCallback(trial, { monitor: 'valLoss' })] });
 * ```
 */
export class PruningCallback implements Callback {
  readonly trial: PrunableTrial;
  readonly monitor: string;
  readonly interval: number;

  constructor(trial: PrunableTrial, options: PruningCallbackOptions = {}) {
    if (typeof trial?.report !== 'function' || typeof trial?.shouldPrune !== 'function') {
      throw new TypeError(`PruningCallback: expected a trial with report and shouldPrune, got ${describe(trial)}`);
    }
    options = checkOptionsObject('PruningCallback', options, ['monitor', 'interval']);
    const monitor = options.monitor ?? 'valLoss';
    if (typeof monitor !== 'string' || monitor === '') throw new TypeError(`PruningCallback: expected monitor to be a log name, got ${describe(monitor)}`);
    this.trial = trial;
    this.monitor = logKey(monitor);
    this.interval = options.interval ?? 1;
    checkInteger('PruningCallback', 'interval', this.interval, 1);
  }

  onEpochEnd(epoch: number, logs: Logs): void {
    if ((epoch + 1) % this.interval !== 0) return;
    const value = logs[this.monitor];
    if (value === undefined) {
      throw new RangeError(`PruningCallback: expected '${this.monitor}' in the epoch logs (available: ${Object.keys(logs).join(', ')}) at epoch ${epoch}`);
    }
    this.trial.report(value, epoch);
    if (this.trial.shouldPrune()) {
      const which = this.trial.number === undefined ? 'trial' : `trial ${this.trial.number}`;
      throw new TrialPruned(`${which} pruned at epoch ${epoch} (${this.monitor} ${value})`);
    }
  }
}
