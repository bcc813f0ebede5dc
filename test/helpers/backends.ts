import { listBackends, useBackend, getBackend } from '../../src/index.js';

/**
 * The backends every numeric suite runs on: each registered one (today the CPU reference; the gpu.js backend
 * registers itself when present). `forEachBackend` restores the previous backend afterwards.
 */
export function availableBackends(): string[] {
  return listBackends();
}

export function withBackend<T>(name: string, fn: () => T): T {
  const previous = getBackend().name;
  useBackend(name);
  try {
    return fn();
  } finally {
    useBackend(previous);
  }
}
