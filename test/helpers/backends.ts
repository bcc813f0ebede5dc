import { suite } from 'uvu';
import { useBackend, getBackend, createWasmBackend, registerBackend, type GpuBackend, type WasmBackend } from '../../src/index.js';

let cached: string[] | null = null;
let skipReason: string | null = null;

/**
 * The backends every numeric suite runs on: cpu and wasm (the fast CPU path) always; gpu when gpu.js runs on a GPU here (headless GL under
 * Xvfb in CI). Where gpu.js would only fall back to its CPU modes, the gpu suites are skipped and the reason is
 * printed once (`gpuSkipReason`).
 */
export function availableBackends(): string[] {
  if (cached !== null) return cached;
  cached = ['cpu'];
  const previous = getBackend().name;
  try {
    useBackend('wasm');
    cached.push('wasm');
  } catch (err) {
    console.log(`  wasm backend suites skipped: ${(err as Error).message}`);
  }
  try {
    const gpu = useBackend('gpu') as GpuBackend;
    if (gpu.onGpu) cached.push('gpu');
    else skipReason = `gpu.js runs in '${gpu.mode}' mode here, not on a GPU (no headless GL: build the gl addon and run under xvfb-run)`;
  } catch (err) {
    skipReason = `the gpu backend cannot start: ${(err as Error).message}`;
  } finally {
    useBackend(previous);
  }
  if (skipReason !== null) {
    console.log(`  gpu backend suites skipped: ${skipReason}`);
    const skipped = suite('gpu backend suites');
    skipped.skip('run on the gpu backend', () => {});
    skipped.run();
  }
  return cached;
}

/** The mode label for suite names: 'cpu', or 'gpu (headlessgl)'. */
export function backendLabel(name: string): string {
  if (name === 'cpu') return 'cpu backend';
  if (name === 'wasm') return `wasm backend, SIMD, ${(useBackendQuiet(name) as unknown as { threads: number }).threads} thread(s)`;
  const b = useBackendQuiet(name) as GpuBackend;
  return `${name} backend, gpu.js mode ${b.mode}`;
}

function useBackendQuiet(name: string) {
  const previous = getBackend().name;
  try {
    return useBackend(name);
  } finally {
    useBackend(previous);
  }
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

/** Runs `fn` on a new one-thread wasm backend named `name` (its memory empty), disposed after. */
export function onFreshWasm<T>(name: string, fn: (backend: WasmBackend) => T): T {
  const backend = createWasmBackend({ threads: 1, name });
  registerBackend(backend);
  const previous = getBackend().name;
  useBackend(backend.name);
  try {
    return fn(backend);
  } finally {
    useBackend(previous);
    backend.dispose();
  }
}
