import { SGD } from '../optim/sgd.js';
import { Tensor } from '../tensor/tensor.js';
import type { AnyOptimizer } from './scheduler.js';

/** Anything that steps and reports its lrs: every scheduler in lrlab. */
export interface SteppingScheduler {
  step(...args: any[]): unknown;
  getLastLr(): number[];
}

/**
 * The lr sequence of a scheduler over `steps` steps without training: the lr at step 0 (after construction), then
 * after each `step()`. `make` builds the scheduler on a stand-in SGD optimizer (lr `options.lr`, default 0.1,
 * momentum 0.9). Metric-driven schedulers (ReduceLROnPlateau, AdaptiveLR) get `options.metrics[i]` at step i.
 */
export function previewSchedule(
  make: (optimizer: AnyOptimizer) => SteppingScheduler,
  steps: number,
  options: { lr?: number; metrics?: number[] } = {},
): number[] {
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`previewSchedule: expected a positive integer steps, got ${steps}`);
  if (options.metrics !== undefined && options.metrics.length < steps - 1) {
    throw new RangeError(`previewSchedule: expected at least ${steps - 1} metrics (one per step), got ${options.metrics.length}`);
  }
  const optimizer = new SGD([new Tensor(new Float32Array(1), [1], { requiresGrad: true })], { lr: options.lr ?? 0.1, momentum: 0.9 });
  const scheduler = make(optimizer as unknown as AnyOptimizer);
  const lrs = [optimizer.paramGroups[0].lr];
  for (let i = 1; i < steps; i++) {
    if (options.metrics) scheduler.step(options.metrics[i - 1]);
    else scheduler.step();
    lrs.push(optimizer.paramGroups[0].lr);
  }
  return lrs;
}
