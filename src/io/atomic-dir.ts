import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { writeFileAtomic, running } from './atomic.js';

/** Options of {@link writeDirAtomic}. */
export interface WriteDirAtomicOptions {
  /**
   * How long a replaced directory is kept (hidden, as `.name.old-*` beside `dir`) for readers still reading it,
   * before a later write removes it. Default 10 000 ms.
   */
  keepOldMs?: number;
}

/**
 * Replaces the directory `dir` with one holding exactly the files `make` writes (name -> content), as a set: the
 * files go into a fresh sibling directory, then the old directory is renamed aside and the new one renamed to
 * `dir`. A reader that resolves `dir` sees the whole old set or the whole new one, never a mix (for the instant
 * between the two renames, `dir` is absent). The replaced directory is not emptied under a reader still listing or
 * reading it: it is kept for `keepOldMs` and removed by a later write. If `make` throws, the sibling is removed and
 * `dir` is untouched. Several processes may replace the same directory at once; the last one wins.
 */
export async function writeDirAtomic(dir: string, make: (write: (name: string, content: string | Uint8Array) => void) => Promise<void> | void, options: WriteDirAtomicOptions = {}): Promise<void> {
  const keepOldMs = options.keepOldMs ?? 10_000;
  if (!Number.isFinite(keepOldMs) || keepOldMs < 0) throw new RangeError(`writeDirAtomic: expected keepOldMs >= 0, got ${keepOldMs}`);
  const target = resolve(dir);
  if (existsSync(target) && !statSync(target).isDirectory()) throw new TypeError(`writeDirAtomic: expected a directory path, got the file ${dir}`);
  const parent = dirname(target), name = basename(target);
  mkdirSync(parent, { recursive: true });
  recoverKilled(parent, name);
  const stamp = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const fresh = join(parent, `.${name}.new-${stamp}`);
  mkdirSync(fresh);
  try {
    await make((file, content) => {
      if (file !== basename(file) || file.startsWith('.')) throw new RangeError(`writeDirAtomic: expected a plain file name, got '${file}'`);
      writeFileAtomic(join(fresh, file), content);
    });
  } catch (err) {
    rmSync(fresh, { recursive: true, force: true });
    throw err;
  }
  // Swap: set the old directory aside, move the new one in. Another process doing the same can slip its directory
  // in between our two renames; then ours cannot land (ENOTEMPTY), and we set theirs aside too and try again.
  for (let attempt = 0; ; attempt++) {
    try {
      // the name records when the directory left `dir`, for the clean-up below
      renameSync(target, join(parent, `.${name}.old-${Date.now()}-${stamp}-${attempt}`));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        rmSync(fresh, { recursive: true, force: true });
        throw err;
      }
    }
    try {
      renameSync(fresh, target);
      break;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if ((code === 'ENOTEMPTY' || code === 'EEXIST') && attempt < 10) continue;
      rmSync(fresh, { recursive: true, force: true });
      throw err;
    }
  }
  const now = Date.now();
  for (const entry of readdirSync(parent)) {
    const m = /^\.(.*)\.old-(\d+)-/.exec(entry);
    if (m && m[1] === name && now - Number(m[2]) >= keepOldMs) rmSync(join(parent, entry), { recursive: true, force: true });
  }
}

/**
 * Leftovers of a killed writer: a half-written `.name.new-<pid>-*` whose process is gone is removed, and if `dir`
 * is missing while a set was renamed aside (killed between the two renames), the newest one is put back.
 */
function recoverKilled(parent: string, name: string): void {
  const entries = readdirSync(parent);
  for (const entry of entries) {
    const m = /^\.(.*)\.new-(\d+)-/.exec(entry);
    if (m && m[1] === name && !running(Number(m[2]))) rmSync(join(parent, entry), { recursive: true, force: true });
  }
  const target = join(parent, name);
  if (existsSync(target)) return;
  const old = entries.map((e) => /^\.(.*)\.old-(\d+)-/.exec(e)).filter((m): m is RegExpExecArray => m !== null && m[1] === name).sort((a, b) => Number(b[2]) - Number(a[2]))[0];
  if (old !== undefined) renameSync(join(parent, old.input), target);
}
