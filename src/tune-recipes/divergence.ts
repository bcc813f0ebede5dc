// A learning rate too large for the model is a result of tuning it, not an error of the study: the objectives lrlab
// ships (the CLI's forecasting MLP, the LSTM study) end such a trial as failed, with the reason, and the study goes on.
import { NonFiniteStepError } from '../optim/optimizer.js';
import { NonFiniteLossError } from '../train/fit.js';
import { NonFiniteInputError } from '../tensor/finite.js';
import { describe } from '../format/number.js';
import type { Trial } from '../tune/trial.js';

/**
 * Why an error thrown by training shows that the run diverged, or null for any other error: a non-finite loss
 * (`NonFiniteLossError`), a step that would make a weight non-finite (`NonFiniteStepError`), or a layer reached by
 * non-finite inputs (the `RangeError` of `Linear.forward` or `LSTM.forward`: finite weights whose activations
 * overflowed float32). Shape errors and every other error are bugs to report, not results: null.
 */
export function divergenceReason(error: unknown): string | null {
  if (error instanceof NonFiniteLossError || error instanceof NonFiniteStepError) return error.message;
  if (error instanceof NonFiniteInputError) {
    return `training diverged: ${error.message}`;
  }
  return null;
}

/**
 * Ends a trial whose training diverged as failed, as Optuna fails a trial whose objective returns NaN: records the
 * reason as the trial's user attribute `failReason` and returns NaN, for the objective to return, so the study goes
 * on without a `catch` option. Any other error is re-thrown (and `optimize` applies its `catch` rule to it).
 *
 * Failed rather than pruned: a pruned trial is one the pruner stopped against the other trials' values, and a
 * diverged run may have no value to compare; failed trials are what Optuna records for a NaN objective.
 */
export function failDiverged(trial: Trial, error: unknown): number {
  if (typeof (trial as Partial<Trial> | null)?.setUserAttr !== 'function') throw new TypeError(`failDiverged: expected a trial, got ${describe(trial)}`);
  const reason = divergenceReason(error);
  if (reason === null) throw error;
  trial.setUserAttr('failReason', reason);
  return NaN;
}
