import { Tensor } from '../tensor/tensor.js';
import { formatShape, sameShape } from '../tensor/shape.js';
import { noGrad, clearGrad } from '../autograd/engine.js';

/** A module of any forward signature (a container's child). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyModule = Module<any[], unknown>;

/**
 * A state dict: parameter and buffer names (`0.weight`, `1.running_mean`, ...) to tensors, in PyTorch's order
 * (each module's parameters, then its buffers, then its submodules').
 */
export type StateDict = Record<string, Tensor>;

/**
 * Base class of layers and models, after `torch.nn.Module`: parameters and submodules are registered by name, so
 * `namedParameters()` and `stateDict()` produce PyTorch's keys (`0.weight` for the first layer of a Sequential)
 * and PyTorch's layouts (Linear weight is [out, in]).
 *
 * `In` and `Out` type `forward`: a tensor to a tensor by default (what `Sequential` and `fit` take); recurrent
 * layers take a state and return `[output, state]` as PyTorch's do.
 */
export abstract class Module<In extends unknown[] = Tensor[], Out = Tensor> {
  /** True in training mode (Dropout active), false after `eval()`. */
  training = true;
  private readonly parametersByName = new Map<string, Tensor>();
  private readonly buffersByName = new Map<string, Tensor>();
  private readonly modulesByName = new Map<string, AnyModule>();

  /** The computation; subclasses define it. */
  abstract forward(...inputs: In): Out;

  /** Registers a parameter under `name`, marks it as requiring gradients, and returns it. */
  protected registerParameter(name: string, t: Tensor): Tensor {
    t.requiresGrad = true;
    this.parametersByName.set(name, t);
    return t;
  }

  /**
   * Registers a buffer under `name`: state that is saved and loaded with the parameters but not trained
   * (BatchNorm's running statistics), as `torch.nn.Module.register_buffer`. Returns it.
   */
  protected registerBuffer(name: string, t: Tensor): Tensor {
    this.buffersByName.set(name, t);
    return t;
  }

  /** Registers a submodule under `name` and returns it. */
  protected registerModule<M extends AnyModule>(name: string, m: M): M {
    this.modulesByName.set(name, m);
    return m;
  }

  /** Direct children with their names. */
  namedChildren(): [string, AnyModule][] {
    return [...this.modulesByName];
  }

  /** Every parameter with its dotted name, depth first in registration order. */
  namedParameters(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [name, p] of this.parametersByName) out.push([prefix + name, p]);
    for (const [name, m] of this.modulesByName) out.push(...m.namedParameters(`${prefix}${name}.`));
    return out;
  }

  /** Every buffer with its dotted name, depth first in registration order. */
  namedBuffers(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [...this.buffersByName].map(([name, b]) => [prefix + name, b] as [string, Tensor]);
    for (const [name, m] of this.modulesByName) out.push(...m.namedBuffers(`${prefix}${name}.`));
    return out;
  }

  /** Parameters and buffers by name, in PyTorch's state-dict order. */
  private namedState(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [name, p] of this.parametersByName) out.push([prefix + name, p]);
    for (const [name, b] of this.buffersByName) out.push([prefix + name, b]);
    for (const [name, m] of this.modulesByName) out.push(...m.namedState(`${prefix}${name}.`));
    return out;
  }

  /** Every parameter, for an optimizer. */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Sets training mode here and in every submodule. */
  train(mode = true): this {
    this.training = mode;
    for (const m of this.modulesByName.values()) m.train(mode);
    return this;
  }

  /** Sets evaluation mode (Dropout off). */
  eval(): this {
    return this.train(false);
  }

  /**
   * Clears every parameter's gradient: to null by default (PyTorch's `set_to_none=True`), or to zeros in place with
   * `setToNone: false`, which keeps the buffers so a training loop allocates none.
   */
  zeroGrad(options: { setToNone?: boolean } = {}): void {
    for (const p of this.parameters()) clearGrad(p, options.setToNone ?? true);
  }

  /** Copies of the parameters and buffers by name, so later training does not change the dict. */
  stateDict(): StateDict {
    const out: StateDict = {};
    for (const [name, p] of this.namedState()) out[name] = new Tensor(p.data.slice(), p.shape);
    return out;
  }

  /**
   * Loads parameters and buffers by name. Every entry is checked first (missing or unexpected names, shapes, non-finite
   * values); only when all pass are the values copied in, so a failed load leaves the model as it was.
   * With `strict: false`, missing and unexpected names are allowed (shapes are still checked).
   */
  loadStateDict(state: StateDict, options: { strict?: boolean } = {}): void {
    const strict = options.strict ?? true;
    if (state === null || typeof state !== 'object') {
      throw new TypeError(`loadStateDict: expected an object of tensors, got ${state === null ? 'null' : typeof state}`);
    }
    const params = new Map(this.namedState());
    const missing = [...params.keys()].filter((k) => !(k in state));
    const unexpected = Object.keys(state).filter((k) => !params.has(k));
    if (strict && (missing.length > 0 || unexpected.length > 0)) {
      throw new Error(
        `loadStateDict: expected keys ${JSON.stringify([...params.keys()])}, got missing ${JSON.stringify(missing)} and unexpected ${JSON.stringify(unexpected)}`,
      );
    }
    const updates: [Tensor, Tensor][] = [];
    for (const [name, p] of params) {
      const t = state[name];
      if (t === undefined) continue;
      if (!(t instanceof Tensor)) throw new TypeError(`loadStateDict: expected '${name}' to be a Tensor, got ${typeof t}`);
      if (!sameShape(t.shape, p.shape)) {
        throw new RangeError(`loadStateDict: expected '${name}' of shape ${formatShape(p.shape)}, got ${formatShape(t.shape)}`);
      }
      const bad = t.data.findIndex((v) => !Number.isFinite(v));
      if (bad !== -1) throw new RangeError(`loadStateDict: expected finite values in '${name}', got ${t.data[bad]} at index ${bad}`);
      updates.push([p, t]);
    }
    noGrad(() => {
      for (const [p, t] of updates) p.data.set(t.data);
    });
  }

  /** Calls `forward`. */
  call(...inputs: In): Out {
    return this.forward(...inputs);
  }
}
