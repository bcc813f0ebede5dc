// The output-folder rule that every command and report writer follows, checked before any work:
// - the folder is new, empty, or holds nothing but the files lrlab writes there (a previous report); a folder
//   holding anything else (hidden files included) is refused unless the caller asks to replace it (`overwrite`);
// - a symbolic link is followed: the report goes into the folder the link points to, and the link stays; a link
//   that points nowhere is refused;
// - the folder can be created (no part of the path is a file) and written (probed), and errors name the path the
//   user gave, never a temporary name.
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, realpathSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Options of {@link checkOutputDir}. */
export interface OutputDirOptions {
  /** Replace the folder even when it holds files lrlab did not write (they are deleted with it). Default false. */
  overwrite?: boolean;
  /**
   * The files go into the folder one by one (tune-lstm's), not swapped in as a set: only the folder itself must take
   * files, not its parent. Default false.
   */
  inPlace?: boolean;
}

// What lrlab itself leaves in or beside a folder it writes: writeFileAtomic's `.<name>.<pid>.<ms>.tmp`, the write
// probe, writeDirAtomic's `.<name>.new-*` / `.<name>.old-*` (of a sub-folder such as tune-lstm's study/).
const OWN_TEMP = /^\.(?:.+\.\d+\.\d+\.tmp|lrlab-probe-.+|.+\.(?:new|old)-\d+-.+)$/;
// Finder's view state: written by the OS when the report is opened, never the user's work
const OS_FILES = new Set(['.DS_Store']);

/** The entries of the folder `dir` that lrlab did not write: neither among `allowed` nor lrlab's own temporary names. */
export function foreignEntries(dir: string, allowed: readonly string[]): string[] {
  return readdirSync(dir).filter((n) => !allowed.includes(n) && !OWN_TEMP.test(n) && !OS_FILES.has(n)).sort();
}

/** The absolute path to write for `dir`: itself, or, when it is a symbolic link, the folder the link points to. */
export function followLink(dir: string, label: string): string {
  const full = resolve(dir);
  try {
    if (!lstatSync(full).isSymbolicLink()) return full;
  } catch {
    return full; // does not exist (yet)
  }
  try {
    return realpathSync(full);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`${label}: '${dir}' is a symbolic link to '${readlinkSync(full)}', which ${code === 'ENOENT' ? 'does not exist' : `cannot be followed (${code})`}`);
  }
}

/**
 * Creates the folder `dir` and its missing parents, one at a time (Node's recursive mkdirSync loops forever on
 * some paths, e.g. under /proc); errors name `dir`.
 */
export function makeDirs(dir: string, label: string): void {
  const missing: string[] = [];
  for (let p = resolve(dir); !existsSync(p); p = dirname(p)) {
    missing.push(p);
    if (dirname(p) === p) break;
  }
  for (const p of missing.reverse()) {
    try {
      mkdirSync(p);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && statSync(p, { throwIfNoEntry: false })?.isDirectory()) continue;
      throw new Error(`${label}: cannot create '${dir}' (${code ?? (err as Error).message})`);
    }
  }
}

/**
 * Checks that `dir` can receive lrlab's files, before any work starts (the output-folder rule above), and returns
 * the absolute path to write (a symbolic link followed). `allowed` are the names lrlab writes there; a folder
 * holding anything else is refused unless `options.overwrite`. Errors name `dir` as given, prefixed by `label`;
 * when the caller can replace the folder (its options name `overwrite`, even as undefined), the refusal suggests
 * `--overwrite` (a label starting with `lrlab`: a command's option) or `overwrite: true`.
 */
export function checkOutputDir(dir: string, label: string, allowed: readonly string[] = [], options: OutputDirOptions = {}): string {
  if (typeof dir !== 'string' || dir.trim() === '') throw new TypeError(`${label}: expected a directory path, got ${JSON.stringify(dir)}`);
  const target = followLink(dir, label);
  let existing = target;
  while (!existsSync(existing)) existing = dirname(existing);
  if (!statSync(existing).isDirectory()) {
    throw new Error(existing === target ? `${label}: '${dir}' is a file, not a directory` : `${label}: cannot create '${dir}': '${existing}' is a file`);
  }
  if (existing === target) {
    const foreign = foreignEntries(target, allowed);
    if (foreign.length > 0 && options.overwrite !== true) {
      const ask = !Object.prototype.hasOwnProperty.call(options, 'overwrite') ? '' : `, or pass ${label.startsWith('lrlab') ? '--overwrite' : 'overwrite: true'} to replace it and delete them`;
      throw new Error(`${label}: '${dir}' holds other files (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', ...' : ''}); choose a new or empty directory, or a previous report's${ask}`);
    }
  }
  // the files go into `dir` itself and, for a set, into a sibling that replaces it: both places must take files
  for (const place of existing !== target ? [existing] : options.inPlace === true ? [target] : [target, dirname(target)]) {
    try {
      rmSync(mkdtempSync(join(place, '.lrlab-probe-')), { recursive: true, force: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new Error(`${label}: cannot write into '${dir}' (${code}${place === target ? '' : ` in '${place}'`})`);
    }
  }
  return target;
}
