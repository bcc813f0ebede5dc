// The defaults a study uses when it is given no sampler or pruner. A placeholder until the samplers land: the
// integrator switches the default sampler to TPESampler (Optuna's default) and the pruner to MedianPruner.
import { Generator } from '../tensor/random.js';
import type { Distribution, FrozenTrial, ParamValue, Pruner, Sampler, SearchSpace, StudyView } from './types.js';

/** One value drawn uniformly from a distribution: on the log scale with `log`, on the grid with `step`. */
export function sampleUniform(d: Distribution, rng: Generator): ParamValue {
  if (d.type === 'categorical') return d.choices[rng.randint(d.choices.length)];
  if (d.type === 'int') {
    if (d.log) {
      // as Optuna: uniform in [log(low - 0.5), log(high + 0.5)), rounded, so every integer gets its share of the log scale
      const v = Math.round(Math.exp(rng.uniform(Math.log(d.low - 0.5), Math.log(d.high + 0.5))));
      return Math.min(d.high, Math.max(d.low, v));
    }
    return d.low + d.step * rng.randint(Math.floor((d.high - d.low) / d.step) + 1);
  }
  if (d.log) return Math.min(d.high, Math.exp(rng.uniform(Math.log(d.low), Math.log(d.high))));
  if (d.step !== null) return Math.min(d.high, d.low + d.step * rng.randint(Math.round((d.high - d.low) / d.step) + 1));
  return rng.uniform(d.low, d.high);
}

/** Independent uniform sampling from one seeded generator: the placeholder default sampler. */
class UniformSampler implements Sampler {
  private rng: Generator;
  constructor(seed: number) {
    this.rng = new Generator(seed);
  }
  inferRelativeSearchSpace(): SearchSpace {
    return {};
  }
  sampleRelative(): Record<string, ParamValue> {
    return {};
  }
  sampleIndependent(_study: StudyView, _trial: FrozenTrial, _name: string, d: Distribution): ParamValue {
    return sampleUniform(d, this.rng);
  }
}

/**
 * The sampler of a study created without one, seeded (0 by default, so a study without options repeats itself;
 * worker threads pass their index so that they do not propose the same points).
 */
export function defaultSampler(seed = 0): Sampler {
  return new UniformSampler(seed);
}

/** The pruner of a study created without one: never prunes (placeholder for MedianPruner). */
export function defaultPruner(): Pruner {
  return { prune: () => false };
}
