import { readFileSync } from 'node:fs';
import { describe } from '../format/number.js';

/** A text file's contents; a bad path or an unreadable file is an error naming `fn`, the path and the system's code. */
export function readTextFile(fn: string, path: unknown): string {
  if (typeof path !== 'string' || path === '') throw new TypeError(`${fn}: expected a file path, got ${describe(path)}`);
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`${fn}: cannot read '${path}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
