import { checkRecord, checkFunction } from '../../format/check.js';
import { describe } from '../../format/number.js';
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
const factories = new Map<string, () => Backend>();
let active: Backend | null = null;
let envApplied = false;

/**
 * Makes a backend available under `name` without building it: `useBackend(name)` calls `create` the first time
 * (so the gpu.js backend loads gpu.js only when asked for).
 */
export function registerBackendFactory(name: string, create: () => Backend): void {
  if (typeof name !== 'string' || name === '') throw new TypeError(`registerBackendFactory: expected a backend's name, got ${describe(name)}`);
  checkFunction('registerBackendFactory', 'create', create);
  factories.set(name, create);
}

/** Makes a backend available to `useBackend` under its name. */
export function registerBackend(backend: Backend): void {
  checkRecord('registerBackend', 'a Backend { name, matmul, ... }', backend, ['name']);
  if (typeof backend.name !== 'string' || backend.name === '') throw new TypeError(`registerBackend: expected the backend's name to be a non-empty string, got ${describe(backend.name)}`);
  registry.set(backend.name, backend);
  if (active === null) active = backend;
}

/** Selects the backend every op uses from now on. */
export function useBackend(name: string): Backend {
  if (typeof name !== 'string') throw new TypeError(`useBackend: expected a backend's name, got ${describe(name)}`);
  envApplied = true;
  let backend = registry.get(name);
  if (backend === undefined && factories.has(name)) {
    backend = factories.get(name)!();
    registry.set(name, backend);
  }
  if (backend === undefined) {
    throw new RangeError(`useBackend: expected one of ${listBackends().join(', ')}, got '${name}'`);
  }
  active = backend;
  return backend;
}

/** The backend in use: the one last chosen with `useBackend`, else `LRLAB_BACKEND` from the environment, else cpu. */
export function getBackend(): Backend {
  if (!envApplied) {
    envApplied = true;
    const wanted = typeof process !== 'undefined' ? process.env.LRLAB_BACKEND : undefined;
    if (wanted) useBackend(wanted);
  }
  if (active === null) throw new Error('getBackend: expected a registered backend, got none');
  return active;
}

/** Names of the registered backends. */
export function listBackends(): string[] {
  return [...new Set([...registry.keys(), ...factories.keys()])];
}

/** Names of the backends already built (those `useBackend` has created, and cpu). */
export function builtBackends(): Backend[] {
  return [...registry.values()];
}
