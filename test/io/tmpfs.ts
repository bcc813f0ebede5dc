// A small tmpfs for tests that need a real full disk or a read-only file system (mounting needs root; where it is
// refused, the caller skips and the reason is printed).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A mounted tmpfs of `sizeKb` KiB (read-only with `readOnly`), or null with the reason printed. */
export function mountTmpfs(sizeKb: number, why: string, readOnly = false): { dir: string; unmount: () => void } | null {
  const dir = mkdtempSync(join(tmpdir(), 'lrlab-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k${readOnly ? ',ro' : ''}`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    const detail = String((err as { stderr?: Buffer }).stderr ?? (err as Error).message).trim().split('\n')[0];
    process.stdout.write(`  skipped (${why}): cannot mount a tmpfs here: ${detail}\n`);
    return null;
  }
  return {
    dir,
    unmount: () => {
      execFileSync('umount', [dir], { stdio: 'pipe' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
