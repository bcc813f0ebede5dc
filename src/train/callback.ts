import type { Module } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';

/** Numbers reported at the end of a batch or an epoch (`loss`, `valLoss`, `lr`, and any a callback adds). */
export type Logs = Record<string, number>;

/** What callbacks can see and change during `fit`. */
export interface TrainingContext {
  model: Module;
  optimizer: Optimizer<{ lr: number }>;
  /** Set to true to stop after the current batch (Keras's `model.stop_training`). */
  stopTraining: boolean;
  /** Why training stopped early, if it did. */
  stopReason: string | null;
  epochs: number;
  batchesPerEpoch: number;
}

/**
 * Hooks called by `fit`, with Keras's hook points (epochs and batches count from 0). `onAfterBackward` runs when
 * the gradients of a batch are ready and before the optimizer step (what gradient statistics need).
 */
export interface Callback {
  /** When true, a non-finite loss stops `fit` quietly instead of throwing (TerminateOnNaN). */
  readonly quietOnNonFinite?: boolean;
  onTrainBegin?(ctx: TrainingContext): void;
  onEpochBegin?(epoch: number, ctx: TrainingContext): void;
  onBatchBegin?(batch: number, ctx: TrainingContext): void;
  onAfterBackward?(batch: number, ctx: TrainingContext, info: { x: import('../tensor/tensor.js').Tensor; y: import('../tensor/tensor.js').Tensor; loss: number }): void;
  onBatchEnd?(batch: number, logs: Logs, ctx: TrainingContext): void;
  onEpochEnd?(epoch: number, logs: Logs, ctx: TrainingContext): void;
  onTrainEnd?(ctx: TrainingContext): void;
}
