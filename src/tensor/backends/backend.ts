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
  /**
   * Zeroed storage for n floats that this backend's kernels read in place (the wasm backend's memory); backends
   * without it leave tensors in ordinary Float32Arrays. `zero: false`: the caller writes every element before
   * reading any, so storage handed out again need not be zeroed.
   */
  allocate?(n: number, zero?: boolean): Float32Array;
  /**
   * Gives the storage of `a` back at once when `a` came whole from `allocate` (true), so a training loop's next step
   * reuses it; `a` must not be used again. Without it, storage comes back only once `a` is garbage-collected.
   */
  release?(a: Float32Array): boolean;
  /** Fast kernels for a training step's elementwise work; ops and optimizers use their own loops without them. */
  readonly kernels?: FastKernels;
}

/**
 * The elementwise work of a training step as a backend may run it faster. Each kernel gives the same bits as the
 * readable loop it replaces (the optimizers' update rules, linear's bias, ReLU) and takes that loop's rounded
 * float32 constants; the arrays may be any Float32Arrays (a backend copies those it cannot use in place).
 */
export interface FastKernels {
  /** `a` itself when the kernels can use it in place, else a copy they can (for buffers kept across steps). */
  resident(a: Float32Array): Float32Array;
  /** torch.optim.SGD's update (src/optim/sgd.ts); `b` null without momentum. */
  sgd(θ: Float32Array, g: Float32Array, b: Float32Array | null, η: number, λ: number, μ: number, oneMinusτ: number, first: boolean, nesterov: boolean, maximize: boolean): void;
  /** Adam's and AdamW's update (src/optim/adam.ts); `decay` is AdamW's θ factor (1 for Adam). */
  adam(θ: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, vMax: Float32Array | null, b1: number, b2: number, c1: number, c2: number, ε: number, λ: number, stepSize: number, bc2Sqrt: number, decay: number, maximize: boolean): void;
  /** RMSprop's update (src/optim/rmsprop.ts). */
  rmsprop(θ: Float32Array, g: Float32Array, v: Float32Array, gBar: Float32Array | null, b: Float32Array | null, η: number, α: number, oneMinusα: number, ε: number, λ: number, μ: number, maximize: boolean): void;
  /** Adagrad's update (src/optim/adagrad.ts); ηt is the already negated, decayed lr. */
  adagrad(θ: Float32Array, g: Float32Array, G: Float32Array, ηt: number, λ: number, ε: number, maximize: boolean): void;
  /** Adadelta's update (src/optim/adadelta.ts). */
  adadelta(θ: Float32Array, g: Float32Array, v: Float32Array, u: Float32Array, η: number, ρ: number, oneMinusρ: number, ε: number, λ: number, maximize: boolean): void;
  /** NAdam's update (src/optim/nadam.ts); stepG and stepM are the negated step sizes of g and m. */
  nadam(θ: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, b1: number, b2: number, c1: number, c2: number, ε: number, λ: number, stepG: number, stepM: number, bc2Sqrt: number): void;
  /** RAdam's update (src/optim/radam.ts); rt is used only when `rectified`. */
  radam(θ: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, b1: number, b2: number, c1: number, c2: number, ε: number, λ: number, η: number, bc1: number, bc2Sqrt: number, rt: number, rectified: boolean): void;
  /** Adamax's update (src/optim/adamax.ts); stepSize is the negated, bias-corrected lr. */
  adamax(θ: Float32Array, g: Float32Array, m: Float32Array, u: Float32Array, b1: number, b2: number, c1: number, ε: number, λ: number, stepSize: number, maximize: boolean): void;
  /** y[i, j] += b[j] for n rows of m (b may be null), then max(0, y) when `relu`. */
  biasRelu(y: Float32Array, b: Float32Array | null, n: number, m: number, relu: boolean): void;
  /**
   * An activation's backward from its output y (n rows of m): d = g where y > 0, else 0 (relu); g (1 - y²) (tanh);
   * (g (1 - y)) y (sigmoid), each operation rounded to float32. With db, the bias gradient in the same pass: db =
   * column sums of d, rows added in order.
   */
  activationBackward(activation: 'relu' | 'tanh' | 'sigmoid', y: Float32Array, g: Float32Array, d: Float32Array, db: Float32Array | null, n: number, m: number): void;
  /** db[j] = column sums of g (n x m), rows added in order. */
  columnSums(g: Float32Array, db: Float32Array, n: number, m: number): void;
  /** Whether every value of x is finite. */
  allFinite(x: Float32Array): boolean;
  /**
   * The largest |x[i]| over one or more arrays of one length: NaN if any is NaN, Infinity if any is infinite, 0 for
   * empty arrays.
   */
  maxAbs(arrays: readonly Float32Array[]): number;
  /** acc = acc + x elementwise (gradient accumulation). */
  addInto(acc: Float32Array, x: Float32Array): void;
  /**
   * y [n, o, oh, ow] = conv2d(x, w) + b (b null: no bias, 0 added), then max(0, y) when `relu`; the
   * same float32 operations in the same order as im2col, the backend's matmul, then the bias (and the ReLU op).
   */
  conv2d?(x: Float32Array, w: Float32Array, b: Float32Array | null, y: Float32Array, g: ConvGeometry, relu: boolean): void;
  /**
   * The gradients of `conv2d` from gy (masked by y > 0 first when y, the fused ReLU's output, is given): dx, dw, db,
   * each only when not null (dx and dw overwritten).
   */
  conv2dBackward?(x: Float32Array, w: Float32Array, y: Float32Array | null, gy: Float32Array, dx: Float32Array | null, dw: Float32Array | null, db: Float32Array | null, g: ConvGeometry): void;
  /** y = max pooling of x [planes, h, w] over 2 x 2 windows, stride 2, as src/autograd/ops/pool.ts (first maximum, NaN wins). */
  maxPool2x2?(x: Float32Array, y: Float32Array, planes: number, h: number, w: number): void;
  /** dx (zeroed by the caller) = maxPool2x2's gradient: each window's gy to the element that won, found again from x and y. */
  maxPool2x2Backward?(x: Float32Array, y: Float32Array, gy: Float32Array, dx: Float32Array, planes: number, h: number, w: number): void;
  /** The recurrent layers' whole-sequence kernels, where the backend has them. */
  readonly recurrent?: RecurrentKernels;
}

/** A convolution's shape: n images of c x h x w, o filters of kh x kw, stride sh, sw, padding ph, pw, dilation dh, dw. */
export interface ConvGeometry {
  n: number; c: number; h: number; w: number; o: number; kh: number; kw: number; sh: number; sw: number; ph: number; pw: number; dh: number; dw: number;
}

/**
 * One direction of an LSTM or GRU layer over a whole sequence, forward or backward through time, in one call each:
 * the bits of the JavaScript loops of `lstmSequence` and `gruSequence` (src/autograd/ops/lstm.ts, gru.ts) on the same
 * backend, which say what each array holds. `reverse` walks the sequence from its last step.
 */
export interface RecurrentKernels {
  /** `approximate`: float32 approximations of σ and tanh (see `RNNOptions.approximateActivations`). */
  lstmForward(x: Float32Array, w: Float32Array, bias: Float32Array | null, h0: Float32Array, c0: Float32Array, out: Float32Array, acts: Float32Array, hPrev: Float32Array, cPrev: Float32Array, tanhC: Float32Array, B: number, H: number, T: number, reverse: boolean, approximate: boolean): void;
  lstmBackward(gOut: Float32Array, w: Float32Array, acts: Float32Array, cPrev: Float32Array, tanhC: Float32Array, dGates: Float32Array, dh: Float32Array, dc: Float32Array, B: number, H: number, T: number, reverse: boolean): void;
  gruForward(x: Float32Array, w: Float32Array, bias: Float32Array | null, h0: Float32Array, out: Float32Array, acts: Float32Array, hid: Float32Array, hPrev: Float32Array, B: number, H: number, T: number, reverse: boolean, approximate: boolean): void;
  gruBackward(gOut: Float32Array, w: Float32Array, acts: Float32Array, hid: Float32Array, hPrev: Float32Array, dX: Float32Array, dA: Float32Array, dh: Float32Array, B: number, H: number, T: number, reverse: boolean): void;
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
