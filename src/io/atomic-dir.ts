import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { writeFileAtomic } from './atomic.js';

/**
 * Replaces the directory `dir` with one holding exactly `files` (name -> content), as a set: the files are written
 * into a fresh sibling directory, then the old directory is renamed aside, the new one renamed to `dir`, and the
 * old one removed. A reader sees the whole old set or the whole new one, never a mix (for the instant between the
 * two renames, `dir` is absent). If anything fails before the swap, the sibling is removed and `dir` is untouched.
 * `files` is produced by `make` inside the sibling, so an error while producing the content also leaves `dir` as it was.
 */
export async function writeDirAtomic(dir: string, make: (write: (name: string, content: string | Uint8Array) => void) => Promise<void> | void): Promise<void> {
  const target = resolve(dir);
  if (existsSync(target) && !statSync(target).isDirectory()) throw new TypeError(`writeDirAtomic: expected a directory path, got the file ${dir}`);
  mkdirSync(dirname(target), { recursive: true });
  const stamp = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const fresh = join(dirname(target), `.${basename(target)}.new-${stamp}`);
  const old = join(dirname(target), `.${basename(target)}.old-${stamp}`);
  mkdirSync(fresh);
  try {
    await make((name, content) => {
      if (name !== basename(name) || name.startsWith('.')) throw new RangeError(`writeDirAtomic: expected a plain file name, got '${name}'`);
      writeFileAtomic(join(fresh, name), content);
    });
  } catch (err) {
    rmSync(fresh, { recursive: true, force: true });
    throw err;
  }
  const hadOld = existsSync(target);
  if (hadOld) renameSync(target, old);
  try {
    renameSync(fresh, target);
  } catch (err) {
    if (hadOld) renameSync(old, target);
    rmSync(fresh, { recursive: true, force: true });
    throw err;
  }
  if (hadOld) rmSync(old, { recursive: true, force: true });
}
