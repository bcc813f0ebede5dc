// node:os in the browser: only what lrlab asks of it. One thread unless the page is cross-origin isolated (the
// wasm backend's shared memory needs SharedArrayBuffer, which browsers give only to isolated pages).
const g = globalThis as unknown as { navigator?: { hardwareConcurrency?: number }; crossOriginIsolated?: boolean };

let said = false;

/** The number of threads lrlab may use here; on a page that is not isolated, says once why it is one. */
export function availableParallelism(): number {
  const cores = Math.max(1, g.navigator?.hardwareConcurrency ?? 1);
  if (g.crossOriginIsolated === true) return cores;
  if (cores > 1 && !said) {
    said = true;
    console.info('lrlab: this page is not cross-origin isolated, so the wasm backend runs on one thread (serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp for more)');
  }
  return 1;
}

export function cpus(): unknown[] {
  return new Array(availableParallelism()).fill({});
}

export const EOL = '\n';
