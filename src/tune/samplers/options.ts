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
 * The generator a sampler draws from: seeded with `seed`, or without one from the global generator, so that
 * `manualSeed` alone makes a whole study repeatable.
 */
export function samplerGenerator(seed: number | undefined): Generator {
  return new Generator(seed ?? defaultGenerator.nextUint32());
}
