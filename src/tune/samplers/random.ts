import type { Distribution, FrozenTrial, ParamValue, Sampler, SearchSpace, StudyView } from '../types.js';
import type { Generator } from '../../tensor/random.js';
import { TrialStreams, checkOptions, samplerSeed } from './options.js';
import { lerp, nextDown, roundHalfEven, snapToStep } from './transform.js';

/** Options of {@link RandomSampler}. */
export interface RandomSamplerOptions {
  /** Seed of the sampler's own generator; without it, one is drawn from lrlab's global generator. */
  seed?: number;
}

/**
 * Draws one value from a distribution, uniformly in the space the distribution lives in:
 * - float: uniform in [low, high); with `log`, exp of a uniform draw in [log low, log high);
 * - int and stepped float: uniform in [low - step/2, high + step/2), rounded to the nearest grid point, so every
 *   grid point (ends included) gets the same width of the interval; with `log`, the interval is
 *   [log(low - 1/2), log(high + 1/2)) and the rounding happens after exp, so small integers are drawn more often;
 * - categorical: each choice with probability 1 / (number of choices).
 * Optuna's RandomSampler through _SearchSpaceTransform.
 */
export function sampleUniform(rng: Generator, d: Distribution): ParamValue {
  if (d.type === 'categorical') return d.choices[rng.randint(d.choices.length)];
  if (d.type === 'int') {
    if (d.log) return Math.min(Math.max(roundHalfEven(Math.exp(rng.uniform(Math.log(d.low - 0.5), Math.log(d.high + 0.5)))), d.low), d.high);
    return snapToStep(rng.uniform(d.low - 0.5 * d.step, d.high + 0.5 * d.step), d.low, d.high, d.step);
  }
  if (d.low === d.high) return d.low;
  if (d.log) return Math.max(d.low, Math.min(Math.exp(rng.uniform(Math.log(d.low), Math.log(d.high))), nextDown(d.high)));
  if (d.step !== null) return snapToStep(rng.uniform(d.low - 0.5 * d.step, d.high + 0.5 * d.step), d.low, d.high, d.step);
  return Math.min(lerp(d.low, d.high, rng.random()), nextDown(d.high));
}

/**
 * Random search: every parameter of every trial is drawn independently and uniformly from its distribution
 * (see {@link sampleUniform} for what "uniformly" means for log, stepped and categorical parameters), ignoring
 * all past trials. It is the baseline every other sampler must beat, and what TPE does for its first trials.
 *
 * ```ts
 * const study = await createStudy({ sampler: new RandomSampler({ seed: 1 }) });
 * ```
 * Optuna's `RandomSampler(seed)`; the values differ from Optuna's (lrlab's generator is not NumPy's).
 */
export class RandomSampler implements Sampler {
  private readonly streams: TrialStreams;

  constructor(options: RandomSamplerOptions = {}) {
    checkOptions('RandomSampler', options, { seed: 'seed' });
    this.streams = new TrialStreams(samplerSeed(options.seed));
  }

  inferRelativeSearchSpace(): SearchSpace {
    return {};
  }

  sampleRelative(): Record<string, ParamValue> {
    return {};
  }

  sampleIndependent(_study: StudyView, trial: FrozenTrial, _paramName: string, distribution: Distribution): ParamValue {
    return sampleUniform(this.streams.of(trial.number), distribution);
  }
}
