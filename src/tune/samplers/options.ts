// Checking a sampler's options object: unknown names, wrong kinds and out-of-range numbers are reported in the
// constructor, before the sampler exists, with the house message `${fn}: expected ${what}, got ${actual}`.
import { Generator, defaultGenerator } from '../../tensor/random.js';

/** What one option must be. */
export type OptionKind = 'boolean' | 'function' | 'object' | 'seed' | 'positiveInt' | 'nonNegativeInt' | 'nonNegativeNumber' | 'positiveNumber';

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

/** Throws TypeError for an unknown name or a wrong kind, RangeError for a number out of range (NaN included). */
export function checkOptions(fn: string, options: unknown, spec: Record<string, OptionKind>): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`${fn}: expected an options object, got ${show(options)}`);
  }
  for (const [name, value] of Object.entries(options)) {
    const kind = spec[name];
    if (kind === undefined) {
      throw new TypeError(`${fn}: expected options among ${Object.keys(spec).join(', ')}, got unknown option '${name}'`);
    }
    if (value === undefined) continue;
    if (kind === 'boolean' || kind === 'function') {
      if (typeof value !== kind) throw new TypeError(`${fn}: expected ${name} to be a ${kind}, got ${show(value)}`);
      continue;
    }
    if (kind === 'object') {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new TypeError(`${fn}: expected ${name} to be an object, got ${show(value)}`);
      continue;
    }
    if (typeof value !== 'number') throw new TypeError(`${fn}: expected ${name} to be a number, got ${show(value)}`);
    if (kind === 'seed' && !Number.isSafeInteger(value)) {
      throw new RangeError(`${fn}: expected ${name} to be a safe integer, got ${value}`);
    }
    if (kind === 'positiveInt' && !(Number.isSafeInteger(value) && value > 0)) {
      throw new RangeError(`${fn}: expected ${name} to be a positive integer, got ${value}`);
    }
    if (kind === 'nonNegativeInt' && !(Number.isSafeInteger(value) && value >= 0)) {
      throw new RangeError(`${fn}: expected ${name} to be a non-negative integer, got ${value}`);
    }
    if (kind === 'positiveNumber' && !(Number.isFinite(value) && value > 0)) {
      throw new RangeError(`${fn}: expected ${name} to be a finite number > 0, got ${value}`);
    }
    if (kind === 'nonNegativeNumber' && !(Number.isFinite(value) && value >= 0)) {
      throw new RangeError(`${fn}: expected ${name} to be a finite number >= 0, got ${value}`);
    }
  }
}

/**
 * A sampler's seed: `seed` itself, or without one a draw from the global generator, so that `manualSeed` alone
 * makes a whole study repeatable.
 */
export function samplerSeed(seed: number | undefined): number {
  return seed ?? defaultGenerator.nextUint32();
}

// murmur3's 32-bit finalizer: every input bit changes about half of the output bits
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * The random streams of a sampler: trial n of a sampler seeded with s draws from its own generator, seeded with
 * mix(s, n). A trial's draws therefore depend on the seed and the trial's number (and, for TPE, on the trials it
 * learns from), not on how many draws came before in this process. Trial numbers are unique in a study, so
 * workers started together with the same seed (processes with the default sampler, `lrlab tune` in several
 * shells) never repeat each other's proposals, while one worker with a seed repeats itself trial for trial, and
 * trials run side by side (nJobs) do not take draws from each other's streams.
 * The generators of the 256 most recently seen trials are kept; an older trial that draws again restarts its
 * stream, which only a sampler with more than 256 trials running at once would see.
 */
export class TrialStreams {
  private readonly streams = new Map<number, Generator>();
  private readonly base: number;

  constructor(seed: number) {
    this.base = mix32((seed >>> 0) ^ mix32(Math.floor(seed / 4294967296)));
  }

  /** The generator of trial `number`: the same object for every draw of that trial. */
  of(number: number): Generator {
    let g = this.streams.get(number);
    if (g === undefined) {
      g = new Generator(mix32(this.base ^ mix32(number + 0x9e3779b9)));
      this.streams.set(number, g);
      if (this.streams.size > 256) this.streams.delete(this.streams.keys().next().value as number);
    }
    return g;
  }
}
