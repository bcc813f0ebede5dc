import { closeSync, existsSync, fstatSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { describe } from '../format/number.js';

export { checkOutputDir, type OutputDirOptions } from './output-dir.js';

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
 * goes to a temporary file beside the target, every byte of it (writeSync may write fewer bytes than asked, as on a
 * nearly full disk: the rest is written until it is all down or the file system refuses), is flushed to disk, its
 * size checked, and it is renamed over the target (rename is atomic within a file system). On any failure (a full
 * disk included) the temporary file is removed, the target is untouched, and the error, whose `code` is the
 * system's (ENOSPC, ...), names `path` (and its directory when that is missing), never the temporary file.
 * Temporary files that a killed process left beside the target are removed.
 */
export function writeFileAtomic(path: string, text: string | Uint8Array): void {
  if (typeof path !== 'string' || path === '') throw new TypeError(`writeFileAtomic: expected a file path, got ${describe(path)}`);
  if (typeof text !== 'string' && !(text instanceof Uint8Array)) throw new TypeError(`writeFileAtomic: expected text or bytes, got ${describe(text)}`);
  const dir = dirname(path);
  if (!existsSync(dir)) throw new Error(`writeFileAtomic: cannot write '${path}': the directory '${dir}' does not exist`);
  if (!statSync(dir).isDirectory()) throw new Error(`writeFileAtomic: cannot write '${path}': '${dir}' is not a directory`);
  removeStaleTemp(dir, `.${basename(path)}.`);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  let fd: number | null = null, done = 0;
  try {
    fd = openSync(tmp, 'w');
    while (done < bytes.length) {
      const n = writeSync(fd, bytes, done, bytes.length - done);
      if (!(n > 0)) throw shortWrite(`the file system took no more bytes after ${done} of ${bytes.length}`);
      done += n;
    }
    fsyncSync(fd);
    const size = fstatSync(fd).size;
    if (size !== bytes.length) throw shortWrite(`the written file holds ${size} of ${bytes.length} bytes`);
    closeSync(fd);
    fd = null;
    renameSync(tmp, path);
  } catch (err) {
    if (fd !== null) closeSync(fd);
    rmSync(tmp, { force: true });
    const e = err as NodeJS.ErrnoException;
    const why = SHORT in e ? e.message : e.code === 'ENOSPC' ? `ENOSPC, no space left on the device after ${done} of ${bytes.length} bytes` : e.code ?? e.message;
    throw Object.assign(new Error(`writeFileAtomic: cannot write '${path}': ${why}; the file is left as it was`), { code: e.code ?? 'EIO' });
  }
}

const SHORT = Symbol('short write');
const shortWrite = (message: string) => Object.assign(new Error(message), { code: 'EIO', [SHORT]: true });

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
