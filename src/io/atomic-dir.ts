import { checkOptionsObject, checkFunction } from '../format/check.js';
import { describe } from '../format/number.js';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { writeFileAtomic, running } from './atomic.js';
import { followLink, foreignEntries, makeDirs } from './output-dir.js';

/** Options of {@link writeDirAtomic}. */
export interface WriteDirAtomicOptions {
  /**
   * Names an earlier set in `dir` may hold besides those `make` writes (a report's files that this one leaves out).
   * Default none.
   */
  replaces?: readonly string[];
  /** Replace `dir` even when it holds files that are not the set's (they are deleted with it). Default false. */
  overwrite?: boolean;
  /**
   * How long the replaced set is kept (hidden, as `.name.old-*` beside `dir`) for a reader still listing it; this
   * process removes it then, or when it exits, whichever comes first. Default 1000 ms.
   */
  keepOldMs?: number;
}

/**
 * Replaces the directory `dir` with one holding exactly the files `make` writes (name -> content), as a set: the
 * files go into a fresh sibling directory, each written whole (writeFileAtomic: every byte checked), then the old
 * directory is renamed aside and the new one renamed to `dir`. A reader that resolves `dir` sees the whole old set
 * or the whole new one, never a mix (for the instant between the two renames, `dir` is absent). If `make` or a
 * write throws (a full disk, say), the sibling is removed, `dir` is untouched, and the error names `dir`.
 *
 * The output-folder rule (see checkOutputDir) holds here too: an existing `dir` holding anything but the set's
 * names and `options.replaces` is refused unless `options.overwrite`; a symbolic link is followed (the set
 * replaces the folder it points to; the link stays). The replaced set is removed `keepOldMs` after the swap or when
 * the process exits; one a killed process left behind is removed (or, if `dir` is missing, put back) by the next
 * write. Several processes may replace the same directory at once; the last one wins.
 */
export async function writeDirAtomic(dir: string, make: (write: (name: string, content: string | Uint8Array) => void) => Promise<void> | void, options: WriteDirAtomicOptions = {}): Promise<void> {
  const fn = 'writeDirAtomic';
  if (typeof dir !== 'string' || dir.length === 0) throw new TypeError(`${fn}: expected dir to be a directory path, got ${describe(dir)}`);
  checkFunction(fn, 'make', make);
  checkOptionsObject(fn, options, ['replaces', 'overwrite', 'keepOldMs']);
  if (options.keepOldMs !== undefined && typeof options.keepOldMs !== 'number') throw new TypeError(`${fn}: expected keepOldMs to be a number, got ${describe(options.keepOldMs)}`);
  const keepOldMs = options.keepOldMs ?? 1000;
  if (!Number.isFinite(keepOldMs) || keepOldMs < 0) throw new RangeError(`${fn}: expected keepOldMs >= 0, got ${keepOldMs}`);
  const replaces = options.replaces ?? [];
  if (!Array.isArray(replaces) || !replaces.every((n) => typeof n === 'string')) throw new TypeError(`${fn}: expected replaces to be an array of file names, got ${describe(replaces)}`);
  if (options.overwrite !== undefined && typeof options.overwrite !== 'boolean') throw new TypeError(`${fn}: expected overwrite to be true or false, got ${describe(options.overwrite)}`);
  const target = followLink(dir, fn);
  if (existsSync(target) && !statSync(target).isDirectory()) throw new TypeError(`${fn}: expected a directory path, got the file ${dir}`);
  const parent = dirname(target), name = basename(target);
  makeDirs(parent, fn);
  recoverKilled(parent, name);
  const stamp = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const fresh = join(parent, `.${name}.new-${stamp}`);
  try {
    mkdirSync(fresh);
  } catch (err) {
    throw new Error(`${fn}: cannot write into '${dir}' (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const names: string[] = [];
  try {
    await make((file, content) => {
      if (typeof file !== 'string' || file !== basename(file) || file.startsWith('.') || file === '') throw new RangeError(`${fn}: expected a plain file name, got '${file}'`);
      try {
        writeFileAtomic(join(fresh, file), content);
      } catch (err) {
        // name the user's folder, not the hidden sibling
        throw Object.assign(new Error(`${fn}: ${(err as Error).message.replace(/^writeFileAtomic: /, '').split(fresh).join(dir)}`), { code: (err as NodeJS.ErrnoException).code });
      }
      names.push(file);
    });
    if (existsSync(target) && options.overwrite !== true) {
      const foreign = foreignEntries(target, [...names, ...replaces]);
      if (foreign.length > 0) throw new Error(`${fn}: '${dir}' holds other files (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', ...' : ''}); write into a new or empty directory, or pass overwrite: true to replace it and delete them`);
    }
  } catch (err) {
    rmSync(fresh, { recursive: true, force: true });
    throw err;
  }
  // Swap: set the old directory aside, move the new one in. Another process doing the same can slip its directory
  // in between our two renames; then ours cannot land (ENOTEMPTY), and we set theirs aside too and try again.
  const aside: string[] = [];
  for (let attempt = 0; ; attempt++) {
    // the name records when the directory left `dir` and who moved it, for the clean-up below
    const old = join(parent, `.${name}.old-${Date.now()}-${stamp}-${attempt}`);
    try {
      renameSync(target, old);
      aside.push(old);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        rmSync(fresh, { recursive: true, force: true });
        throw new Error(`${fn}: cannot replace '${dir}' (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      }
    }
    try {
      renameSync(fresh, target);
      break;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if ((code === 'ENOTEMPTY' || code === 'EEXIST') && attempt < 10) continue;
      rmSync(fresh, { recursive: true, force: true });
      throw new Error(`${fn}: cannot replace '${dir}' (${code ?? (err as Error).message})`);
    }
  }
  for (const old of aside) removeLater(old, keepOldMs);
  // sets left aside by others: gone once their time is up or their process is
  const now = Date.now();
  for (const entry of readdirSync(parent)) {
    const m = /^\.(.*)\.old-(\d+)-(\d+)-/.exec(entry);
    if (m && m[1] === name && !aside.includes(join(parent, entry)) && (now - Number(m[2]) >= keepOldMs || !running(Number(m[3])))) rmSync(join(parent, entry), { recursive: true, force: true });
  }
}

const pending = new Set<string>();
let exitHook = false;

/** Removes the replaced set `path` after `ms` (a timer that does not keep the process alive), or at exit. */
function removeLater(path: string, ms: number): void {
  if (ms === 0) {
    rmSync(path, { recursive: true, force: true });
    return;
  }
  pending.add(path);
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      for (const p of pending) rmSync(p, { recursive: true, force: true });
    });
  }
  setTimeout(() => {
    pending.delete(path);
    rmSync(path, { recursive: true, force: true });
  }, ms).unref();
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
