import type { Pruner } from '../types.js';

/** Never prunes: Optuna's NopPruner, for a study whose objective reports values only to record them. */
export class NopPruner implements Pruner {
  prune(): boolean {
    return false;
  }
}
