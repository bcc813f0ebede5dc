// The defaults a study uses when it is given no sampler or pruner: Optuna's, TPESampler and MedianPruner.
import { MedianPruner } from './pruners/median.js';
import { TPESampler } from './samplers/tpe.js';
import type { Pruner, Sampler } from './types.js';

/**
 * The sampler of a study created without one: a TPESampler with Optuna's defaults, seeded with `seed`, or without
 * one from lrlab's global generator (so `manualSeed` makes a study repeat itself). Worker threads pass their index
 * and `lrlab tune` its --seed, so that workers do not propose the same points.
 */
export function defaultSampler(seed?: number): Sampler {
  return new TPESampler(seed === undefined ? {} : { seed });
}

/** The pruner of a study created without one: a MedianPruner with Optuna's defaults. */
export function defaultPruner(): Pruner {
  return new MedianPruner();
}
