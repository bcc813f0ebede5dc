import { closeSync, existsSync, fsyncSync, mkdtempSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { checkRecord } from '../format/check.js';
import { describe } from '../format/number.js';

/** True while a process with this id runs (so its temporary files are not stale). */
export function running(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Writes `text` to `path` so that readers see either the old file or the whole new one, never a part: the text
 * goes to a temporary file beside the target, is flushed to disk, and is renamed over the target (rename is atomic
 * within a file system). On any failure the temporary file is removed and the target is untouched; the error
 * names `path` (and its directory when that is missing), never the temporary file. Temporary files that a killed
 * process left beside the target are removed.
 */
export function writeFileAtomic(path: string, text: string | Uint8Array): void {
  if (typeof path !== 'string' || path === '') throw new TypeError(`writeFileAtomic: expected a file path, got ${describe(path)}`);
  if (typeof text !== 'string' && !(text instanceof Uint8Array)) throw new TypeError(`writeFileAtomic: expected text or bytes, got ${describe(text)}`);
  const dir = dirname(path);
  if (!existsSync(dir)) throw new Error(`writeFileAtomic: cannot write '${path}': the directory '${dir}' does not exist`);
  if (!statSync(dir).isDirectory()) throw new Error(`writeFileAtomic: cannot write '${path}': '${dir}' is not a directory`);
  removeStaleTemp(dir, `.${basename(path)}.`);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  let fd: number | null = null;
  try {
    fd = openSync(tmp, 'w');
    writeSync(fd, typeof text === 'string' ? Buffer.from(text, 'utf8') : text);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, path);
  } catch (err) {
    if (fd !== null) closeSync(fd);
    rmSync(tmp, { force: true });
    const e = err as NodeJS.ErrnoException;
    throw new Error(`writeFileAtomic: cannot write '${path}': ${e.code ?? e.message}`);
  }
}

/** Removes `<prefix><pid>.<time>.tmp` files (and `<prefix>new-<pid>-*` folders) in `dir` whose process is gone. */
function removeStaleTemp(dir: string, prefix: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const m = /^(?:(\d+)\.\d+\.tmp|(?:new|old)-(\d+)-.*)$/.exec(name.slice(prefix.length));
    if (m === null) continue;
    const pid = Number(m[1] ?? m[2]);
    if (!running(pid)) rmSync(join(dir, name), { recursive: true, force: true });
  }
}

/**
 * Checks that `dir` can receive a set of files, before any work starts: it is a directory or can be created as
 * one (no part of the path is a file), it is on a writable file system (a probe folder is created and removed in
 * the nearest existing ancestor), and, if it exists, it holds nothing but `allowed` names (so a report never
 * replaces a folder of the user's own files). Errors name `dir` as given, prefixed by `label`.
 */
export function checkOutputDir(dir: string, label: string, allowed: readonly string[] = []): void {
  if (typeof dir !== 'string' || dir.trim() === '') throw new TypeError(`${label}: expected a directory path, got ${JSON.stringify(dir)}`);
  const full = resolve(dir);
  let existing = full;
  while (!existsSync(existing)) existing = dirname(existing);
  if (!statSync(existing).isDirectory()) {
    throw new Error(existing === full ? `${label}: '${dir}' is a file, not a directory` : `${label}: cannot create '${dir}': '${existing}' is a file`);
  }
  if (existing === full) {
    const foreign = readdirSync(full).filter((n) => !allowed.includes(n) && !n.startsWith('.'));
    if (foreign.length > 0) {
      throw new Error(`${label}: '${dir}' holds other files (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', ...' : ''}); choose a new or empty directory, or a previous report's`);
    }
  }
  try {
    rmSync(mkdtempSync(join(existing, '.lrlab-probe-')), { recursive: true, force: true });
  } catch (err) {
    throw new Error(`${label}: cannot write into '${dir}' (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}
