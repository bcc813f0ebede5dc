/**
 * The kernels whose implementation differs between CPU and GPU. Everything else (elementwise ops, reductions)
 * stays as plain loops in the op files, where a reader can follow them, until a benchmark shows a backend pays.
 */
export interface Backend {
  /** Name used by `useBackend` and printed in benchmark rows. */
  readonly name: string;
  /**
   * out (m x n) = op(A) · op(B), where op(A) is m x k and op(B) is k x n. With `transA`, A is stored k x m and
   * read transposed (no copy); with `transB`, B is stored n x k. `out` is overwritten.
   */
  matmul(
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    m: number,
    k: number,
    n: number,
    transA: boolean,
    transB: boolean,
  ): void;
}

const registry = new Map<string, Backend>();
let active: Backend | null = null;

/** Makes a backend available to `useBackend` under its name. */
export function registerBackend(backend: Backend): void {
  registry.set(backend.name, backend);
  if (active === null) active = backend;
}

/** Selects the backend every op uses from now on. */
export function useBackend(name: string): Backend {
  const backend = registry.get(name);
  if (backend === undefined) {
    throw new RangeError(`useBackend: expected one of ${[...registry.keys()].join(', ')}, got '${name}'`);
  }
  active = backend;
  return backend;
}

/** The backend in use. */
export function getBackend(): Backend {
  if (active === null) throw new Error('getBackend: expected a registered backend, got none');
  return active;
}

/** Names of the registered backends. */
export function listBackends(): string[] {
  return [...registry.keys()];
}
