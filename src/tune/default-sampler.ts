// The defaults a study uses when it is given no sampler or pruner: Optuna's, TPESampler and MedianPruner.
import { MedianPruner } from './pruners/median.js';
import { TPESampler } from './samplers/tpe.js';
import type { Pruner, Sampler } from './types.js';

/**
 * The sampler of a study created without one: a TPESampler with Optuna's defaults, seeded with `seed`, or without
 * one from lrlab's global generator (so `manualSeed` makes a study repeat itself). Workers that share a study do
 * not propose the same points even with the same seed (processes started together, `lrlab tune` in several shells
 * with one --seed): each trial draws from a stream of its own, keyed by the seed and the trial's number, which is
 * unique in the study (see TrialStreams).
 */
export function defaultSampler(seed?: number): Sampler {
  return new TPESampler(seed === undefined ? {} : { seed });
}

/** The pruner of a study created without one: a MedianPruner with Optuna's defaults. */
export function defaultPruner(): Pruner {
  return new MedianPruner();
}
