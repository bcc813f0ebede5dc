import { Generator } from '../tensor/random.js';
import { checkOptionsObject } from '../format/check.js';
import { describe } from '../format/number.js';

/** Options of `syntheticTimeSeries`; the defaults give the built-in series. */
export interface SyntheticSeriesOptions {
  /** Number of daily points. Default 4 * 365 + 1 = 1461 (4 years). */
  length?: number;
  /** Level at time 0. Default 10. */
  baseline?: number;
  /** Trend per step. Default 0.05. */
  slope?: number;
  /** Height of the seasonal pattern. Default 40. */
  amplitude?: number;
  /** Season length in steps. Default 365. */
  period?: number;
  /** Standard deviation of the Gaussian noise. Default 5. */
  noiseLevel?: number;
  /** Seed of the noise (through lrlab's generator). Default 42. */
  seed?: number;
}

/** A series with its time axis. */
export interface Series {
  time: Float32Array;
  values: Float32Array;
}

/**
 * The built-in test series: 4 years of daily observations, trend + seasonality + noise,
 *
 *     x(t) = baseline + slope t + amplitude s((t mod period) / period) + noiseLevel ε_t,
 *     s(u) = cos(2π u) for u < 0.4, else e^(-3u),            ε_t ~ N(0, 1) seeded
 *
 * (the classic series of the TensorFlow time-series course). The noise comes from lrlab's
 * generator, so the values differ from NumPy's draws but the process is the same.
 */
export function syntheticTimeSeries(options: SyntheticSeriesOptions = {}): Series {
  options = checkOptionsObject('syntheticTimeSeries', options, ['length', 'baseline', 'slope', 'amplitude', 'period', 'noiseLevel', 'seed']);
  for (const [k, v] of Object.entries(options)) if (typeof v !== 'number' || !Number.isFinite(v)) throw new (typeof v === 'number' ? RangeError : TypeError)(`syntheticTimeSeries: expected ${k} to be a finite number, got ${describe(v)}`);
  if (options.length !== undefined && options.length > 2 ** 31 - 1) throw new RangeError(`syntheticTimeSeries: expected length to be at most 2147483647, got ${options.length}`);
  const { length = 1461, baseline = 10, slope = 0.05, amplitude = 40, period = 365, noiseLevel = 5, seed = 42 } = options;
  if (!Number.isInteger(length) || length < 1) throw new RangeError(`syntheticTimeSeries: expected a positive integer length, got ${length}`);
  if (!(period > 0)) throw new RangeError(`syntheticTimeSeries: expected period > 0, got ${period}`);
  const g = new Generator(seed);
  const time = new Float32Array(length), values = new Float32Array(length);
  for (let t = 0; t < length; t++) {
    const u = (t % period) / period;
    const season = u < 0.4 ? Math.cos(u * 2 * Math.PI) : Math.exp(-3 * u);
    time[t] = t;
    values[t] = baseline + slope * t + amplitude * season + noiseLevel * g.normal();
  }
  return { time, values };
}
