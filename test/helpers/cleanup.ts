import { rmSync } from 'node:fs';

const paths = new Set<string>();

/** Removes `path` (a test's temporary folder) when the test process exits: one exit listener for every suite. */
export function removeAtExit(path: string): void {
  if (paths.size === 0) process.on('exit', () => { for (const p of paths) rmSync(p, { recursive: true, force: true }); });
  paths.add(path);
}
