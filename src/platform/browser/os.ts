// node:os in the browser: only what lrlab asks of it. One thread unless the page is cross-origin isolated (the
// wasm backend's shared memory needs SharedArrayBuffer, which browsers give only to isolated pages).
const g = globalThis as unknown as { navigator?: { hardwareConcurrency?: number }; crossOriginIsolated?: boolean };

/** The number of threads lrlab may use here. */
export function availableParallelism(): number {
  return g.crossOriginIsolated === true ? Math.max(1, g.navigator?.hardwareConcurrency ?? 1) : 1;
}

export function cpus(): unknown[] {
  return new Array(availableParallelism()).fill({});
}

export const EOL = '\n';
