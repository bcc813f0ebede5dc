import { Tensor } from '../tensor/tensor.js';
import { formatShape, sameShape } from '../tensor/shape.js';
import { noGrad, clearGrad } from '../autograd/engine.js';
import { checkOptionsObject } from '../format/check.js';
import { describe } from '../format/number.js';

/** A module of any forward signature (a container's child). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyModule = Module<any[], unknown>;

/**
 * A state dict: parameter and buffer names (`0.weight`, `1.running_mean`, ...) to tensors, in PyTorch's order
 * (each module's parameters, then its buffers, then its submodules').
 */
export type StateDict = Record<string, Tensor>;

/**
 * A tensor that a module trains, after `torch.nn.Parameter`: assigned to a field of a `Module`
 * (`this.scale = new Parameter(ones([3]))`), it is registered under the field's name. It shares the data of the
 * tensor it wraps (as PyTorch's does), is a leaf, and requires gradients unless `{ requiresGrad: false }` (a frozen
 * parameter: still in the state dict). A plain tensor in a new field is not registered, as in PyTorch, even when
 * it requires gradients: wrap it in `Parameter`, or keep untrained state with `registerBuffer`.
 */
export class Parameter extends Tensor {
  constructor(t: Tensor, options: { requiresGrad?: boolean } = {}) {
    if (!(t instanceof Tensor)) throw new TypeError(`Parameter: expected a Tensor, got ${describe(t)}`);
    const { requiresGrad = true } = checkOptionsObject<{ requiresGrad?: boolean }>('Parameter', options, ['requiresGrad']);
    if (typeof requiresGrad !== 'boolean') throw new TypeError(`Parameter: expected requiresGrad to be a boolean, got ${describe(requiresGrad)}`);
    super(t.data, t.shape, { requiresGrad });
  }
}

/** Whether `m` holds `v` under a name that is not in `except` (by default, under any name). */
function holds(m: Map<string, unknown>, v: unknown, except?: Set<string>): boolean {
  for (const [name, x] of m) if (x === v && (except === undefined || !except.has(name))) return true;
  return false;
}

/**
 * Base class of layers and models, after `torch.nn.Module`: parameters and submodules are registered by name, so
 * `namedParameters()` and `stateDict()` produce PyTorch's keys (`0.weight` for the first layer of a Sequential)
 * and PyTorch's layouts (Linear weight is [out, in]).
 *
 * A model is written as in PyTorch: modules and `Parameter`s assigned to fields are registered under the field's
 * name (`this.fc1 = new Linear(4, 8)` gives `fc1.weight`, `fc1.bias`), in the order the fields were created (for
 * a TypeScript class with field declarations, the order of the declarations). PyTorch's `__setattr__` registers
 * on assignment; JavaScript has no such hook short of a Proxy, so the fields are read each time the registries are
 * (`parameters()`, `stateDict()`, `train()`, ...), and a field reassigned to another module replaces it in place.
 * `registerParameter`, `registerBuffer` and `registerModule` register under any name, and a value registered so
 * is not registered again under its field's name. A tensor assigned over a registered parameter or buffer replaces
 * it (tied weights); a module or tensor reached twice is listed once by `parameters()`, under both names in the
 * state dict, as in PyTorch. An array of modules in a field is an error (PyTorch would ignore it silently): wrap it
 * in `ModuleList`.
 *
 * `In` and `Out` type `forward`: a tensor to a tensor by default (what `Sequential` and `fit` take); recurrent
 * layers take a state and return `[output, state]` as PyTorch's do.
 */
export abstract class Module<In extends unknown[] = Tensor[], Out = Tensor> {
  /** True in training mode (Dropout active), false after `eval()`. */
  training = true;
  // #private, so that the registries are no fields the discovery reads (nor a user's Object.keys(model) shows)
  readonly #parameters = new Map<string, Tensor>();
  readonly #buffers = new Map<string, Tensor>();
  readonly #modules = new Map<string, AnyModule>();
  /** Names registered from a field, dropped again when the field no longer holds a module or tensor. */
  readonly #fromFields = new Set<string>();
  /** Arrays of fields found free of unregistered modules, and their lengths then (not walked again unchanged). */
  readonly #checkedArrays = new Map<string, unknown[]>();
  readonly #checkedLengths = new Map<string, number>();

  /** The computation; subclasses define it. */
  abstract forward(...inputs: In): Out;

  /** Registers a parameter under `name`, marks it as requiring gradients, and returns it. */
  protected registerParameter(name: string, t: Tensor): Tensor {
    this.#discover(false); // fields assigned before this call come first, as their assignment did in PyTorch
    t.requiresGrad = true;
    this.#parameters.set(name, t);
    return t;
  }

  /**
   * Registers a buffer under `name`: state that is saved and loaded with the parameters but not trained
   * (BatchNorm's running statistics), as `torch.nn.Module.register_buffer`. Returns it.
   */
  protected registerBuffer(name: string, t: Tensor): Tensor {
    this.#discover(false);
    this.#buffers.set(name, t);
    return t;
  }

  /** Registers a submodule under `name` and returns it. */
  protected registerModule<M extends AnyModule>(name: string, m: M): M {
    this.#discover(false);
    this.#modules.set(name, m);
    return m;
  }

  /**
   * Registers the modules and Parameters in own fields that are not registered yet, under the field's name, and
   * follows a field that now holds another value than the one registered under its name. Cheap enough for every
   * read (a few map lookups per field, no typed arrays); `checkArrays` is off while a constructor registers, when
   * an array of modules may be registered one by one right after.
   */
  #discover(checkArrays: boolean): void {
    const fields = this as unknown as Record<string, unknown>;
    if (this.#fromFields.size > 0) {
      for (const name of this.#fromFields) {
        const v = fields[name];
        if (!(v instanceof Module || v instanceof Tensor)) this.#unregister(name);
      }
    }
    // for-in rather than Object.keys: no array per call (methods and #private fields are not enumerated)
    for (const name in fields) {
      const v = fields[name];
      // a value that registerX put under another name (`this.drop = this.registerModule('dropout', ...)`) keeps
      // that name alone; one module in two fields is under both, as in PyTorch (its parameters are listed once)
      if (v instanceof Module) {
        if (v !== this && this.#modules.get(name) !== v && !holds(this.#modules, v, this.#fromFields)) this.#registerField(name, this.#modules, v);
      } else if (v instanceof Parameter) {
        if (this.#parameters.get(name) !== v && !holds(this.#parameters, v, this.#fromFields) && !holds(this.#buffers, v, this.#fromFields)) this.#registerField(name, this.#parameters, v);
      } else if (v instanceof Tensor) {
        // a tensor assigned over a registered parameter or buffer replaces it, as in PyTorch (tied weights:
        // `decoder.weight = encoder.weight`); any other plain tensor in a field is not state
        const p = this.#parameters.get(name);
        if (p !== undefined) {
          if (p !== v) this.#parameters.set(name, v);
        } else if (this.#buffers.has(name) && this.#buffers.get(name) !== v) {
          this.#buffers.set(name, v);
        }
      } else if (checkArrays && Array.isArray(v)) {
        this.#checkArray(name, v);
      }
    }
  }

  /** Registers `v` from field `name`, in place of what was registered under that name (a Map keeps the position). */
  #registerField<V>(name: string, registry: Map<string, V>, v: V): void {
    for (const r of [this.#parameters, this.#buffers, this.#modules] as Map<string, unknown>[]) if (r !== registry) r.delete(name);
    registry.set(name, v);
    this.#fromFields.add(name);
  }

  #unregister(name: string): void {
    this.#parameters.delete(name);
    this.#buffers.delete(name);
    this.#modules.delete(name);
    this.#fromFields.delete(name);
  }

  #checkArray(name: string, values: unknown[]): void {
    // an array seen whole before is not walked again (Sequential's layers on every parameters() call)
    if (this.#checkedArrays.get(name) === values && values.length === this.#checkedLengths.get(name)) return;
    for (const v of values) {
      if (v instanceof Module && !holds(this.#modules, v)) {
        throw new TypeError(`${this.constructor.name}: field '${name}' holds an array of modules; wrap it in new ModuleList([...]) so that their parameters are registered`);
      }
      if (v instanceof Parameter && !holds(this.#parameters, v)) {
        throw new TypeError(`${this.constructor.name}: field '${name}' holds an array of Parameters; register each with this.registerParameter(name, p), or keep each in a field of its own`);
      }
    }
    this.#checkedArrays.set(name, values);
    this.#checkedLengths.set(name, values.length);
  }

  /** Direct children with their names. */
  namedChildren(): [string, AnyModule][] {
    this.#discover(true);
    return [...this.#modules];
  }

  /**
   * Every parameter with its dotted name, depth first in registration order; a tensor reached twice (a shared
   * module, tied weights) is listed once, under its first name, as PyTorch's `named_parameters()` does, so that
   * an optimizer never steps it twice.
   */
  namedParameters(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    this.#collect('parameters', prefix, out, new Set());
    return out;
  }

  /** Every buffer with its dotted name, depth first in registration order, each tensor once. */
  namedBuffers(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    this.#collect('buffers', prefix, out, new Set());
    return out;
  }

  #collect(kind: 'parameters' | 'buffers', prefix: string, out: [string, Tensor][], seen: Set<Tensor>): void {
    this.#discover(true);
    for (const [name, t] of kind === 'parameters' ? this.#parameters : this.#buffers) {
      if (seen.has(t)) continue;
      seen.add(t);
      out.push([prefix + name, t]);
    }
    for (const [name, m] of this.#modules) m.#collect(kind, `${prefix}${name}.`, out, seen);
  }

  /** Parameters and buffers by name, in PyTorch's state-dict order. */
  private namedState(prefix = ''): [string, Tensor][] {
    this.#discover(true);
    const out: [string, Tensor][] = [];
    for (const [name, p] of this.#parameters) out.push([prefix + name, p]);
    for (const [name, b] of this.#buffers) out.push([prefix + name, b]);
    for (const [name, m] of this.#modules) out.push(...m.namedState(`${prefix}${name}.`));
    return out;
  }

  /** Every parameter, for an optimizer. */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Sets training mode here and in every submodule. */
  train(mode = true): this {
    this.#discover(true);
    this.training = mode;
    for (const m of this.#modules.values()) m.train(mode);
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
