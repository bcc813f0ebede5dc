import { describe } from '../format/number.js';
/**
 * lrlab's one seeded generator: xoshiro128** (Blackman and Vigna, 2018) over 32-bit integers, seeded through
 * splitmix32 so that nearby seeds give unrelated streams. Uniforms are 24-bit (exact in float32); normals use the
 * Box-Muller transform, caching the second value. Every random draw in lrlab (init, dropout, shuffling, samplers)
 * goes through a `Generator`, by default the global one that `manualSeed` resets.
 *
 * The streams are lrlab's own, not PyTorch's: reference tests carry their random inputs in the fixtures.
 */
export class Generator {
  private s = new Uint32Array(4);
  private spare: number | null = null;
  private seedValue = 0;

  constructor(seed = 0) {
    this.manualSeed(seed);
  }

  /** Restarts the stream from `seed` (any safe integer). */
  manualSeed(seed: number): this {
    if (!Number.isSafeInteger(seed)) throw new TypeError(`manualSeed: expected a safe integer seed, got ${seed}`);
    this.seedValue = seed;
    let x = (seed >>> 0) ^ Math.floor(seed / 4294967296);
    for (let i = 0; i < 4; i++) {
      // splitmix32
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    this.spare = null;
    return this;
  }

  /** The seed last given to `manualSeed`. */
  initialSeed(): number {
    return this.seedValue;
  }

  /** Next raw 32-bit output. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform in [0, 1) with 24 random bits, so every value is exactly representable in float32. */
  random(): number {
    return (this.nextUint32() >>> 8) / 16777216;
  }

  /** Uniform in [low, high). */
  uniform(low = 0, high = 1): number {
    return low + (high - low) * this.random();
  }

  /** Standard normal by Box-Muller. */
  normal(mean = 0, std = 1): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return mean + std * z;
    }
    let u1 = this.random();
    while (u1 === 0) u1 = this.random();
    const u2 = this.random();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spare = r * Math.sin(2 * Math.PI * u2);
    return mean + std * r * Math.cos(2 * Math.PI * u2);
  }

  /** Uniform integer in [0, n). */
  randint(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`randint: expected a positive integer bound, got ${n}`);
    return Math.floor(this.random() * n);
  }

  /** A permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): number[] {
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /** The full state, for checkpoints: restoring it with `setState` continues the same stream. */
  getState(): { s: number[]; spare: number | null; seed: number } {
    return { s: Array.from(this.s), spare: this.spare, seed: this.seedValue };
  }

  setState(state: { s: number[]; spare: number | null; seed: number }): void {
    if (!Array.isArray(state?.s) || state.s.length !== 4) {
      throw new TypeError(`Generator.setState: expected { s: 4 integers, spare, seed }, got ${describe(state)}`);
    }
    this.s.set(state.s);
    this.spare = state.spare;
    this.seedValue = state.seed;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** The global generator used when no `generator` option is given. */
export const defaultGenerator = new Generator(0);

/** Seeds the global generator, like `torch.manual_seed`. */
export function manualSeed(seed: number): Generator {
  return defaultGenerator.manualSeed(seed);
}
