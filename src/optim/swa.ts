import { Tensor } from '../tensor/tensor.js';
import { zeros } from '../tensor/creation.js';
import { add, sub, mul, div } from '../autograd/ops/arithmetic.js';
import { noGrad } from '../autograd/engine.js';
import { Module, Parameter, type AnyModule } from '../nn/module.js';
import { BatchNorm1d, BatchNorm2d } from '../nn/batchnorm.js';
import { describe } from '../format/number.js';
import { readOptions } from '../schedulers/scheduler.js';

// torch.optim.swa_utils holds the scheduler too; it lives with the schedulers here
export { SWALR, type SWALROptions } from '../schedulers/swalr.js';

/** How a parameter joins the average: the averaged value, the model's value and the count averaged so far. */
export type AvgFn = (averaged: Tensor, current: Tensor, numAveraged: number) => Tensor;

/** Options of `AveragedModel`. */
export interface AveragedModelOptions<M extends AnyModule> {
  /** The averaging rule (default: the equal average `averaged + (current - averaged) / (n + 1)`). Not saved. */
  avgFn?: AvgFn;
  /** Average the buffers too (BatchNorm's running statistics), not only the parameters. Default false. */
  useBuffers?: boolean;
  /** Makes the averaged copy (default: a structural copy of `model`; give one for a class with #private state). */
  copy?: (model: M) => M;
}

/**
 * The EMA rule the PyTorch docs give as an `avg_fn`:
 *
 *     averaged ← decay · averaged + (1 - decay) · current
 *
 * `emaAvgFn(0.1)` is the docs' `0.1 * averaged_model_parameter + 0.9 * model_parameter`; torch 2's
 * `get_ema_avg_fn(decay)` is the same formula.
 */
export function emaAvgFn(decay: number): AvgFn {
  if (typeof decay !== 'number' || !(decay >= 0 && decay <= 1)) throw new RangeError(`emaAvgFn: expected decay in [0, 1], got ${describe(decay)}`);
  return (averaged, current) => add(mul(averaged, decay), mul(current, 1 - decay));
}

const equalAverage: AvgFn = (averaged, current, n) => add(averaged, div(sub(current, averaged), n + 1));

/**
 * A running average of a model's weights, for stochastic weight averaging (Izmailov et al., 2018): after n calls
 * of `updateParameters(model)`, with the default rule,
 *
 *     θ_SWA = (θ_1 + ... + θ_n) / n,   computed as   θ_SWA ← θ_SWA + (θ - θ_SWA) / (n_averaged + 1)
 *
 * The first call copies the model's values. Its state dict holds `n_averaged` and the copy's entries under
 * `module.*`, as `torch.optim.swa_utils.AveragedModel`'s; `forward` runs the averaged copy. Matches
 * AveragedModel in PyTorch 1.13, including `num_batches_tracked` (a long in PyTorch, so averaged values are
 * truncated toward zero).
 */
export class AveragedModel<M extends AnyModule = Module> extends Module<Parameters<M['forward']>, ReturnType<M['forward']>> {
  readonly module: M;
  readonly nAveraged: Tensor;
  readonly avgFn: AvgFn;
  readonly useBuffers: boolean;

  constructor(model: M, options: AveragedModelOptions<M> = {}) {
    super();
    if (!(model instanceof Module)) throw new TypeError(`AveragedModel: expected a Module, got ${describe(model)}`);
    const o = readOptions<AveragedModelOptions<M>>('AveragedModel', options, { avgFn: 'function', useBuffers: 'boolean', copy: 'function' });
    this.nAveraged = this.registerBuffer('n_averaged', zeros([]));
    let copy: M;
    if (o.copy) {
      copy = o.copy(model);
      if (!(copy instanceof Module) || copy === model) throw new TypeError(`AveragedModel: expected copy to return a new Module, got ${copy === model ? 'the model itself' : describe(copy)}`);
      copy.loadStateDict(model.stateDict()); // what deepcopy gives: the model's values at construction
      copy.train(model.training);
    } else {
      copy = cloneModule(model);
    }
    this.module = this.registerModule('module', copy);
    this.avgFn = o.avgFn ?? equalAverage;
    this.useBuffers = o.useBuffers ?? false;
  }

  forward(...inputs: Parameters<M['forward']>): ReturnType<M['forward']> {
    return this.module.forward(...inputs) as ReturnType<M['forward']>;
  }

  /** Folds the model's current parameters (and buffers, with `useBuffers`) into the average; n_averaged += 1. */
  updateParameters(model: M): void {
    const pairs = (m: AnyModule) => (this.useBuffers ? [...m.namedParameters(), ...m.namedBuffers()] : m.namedParameters());
    const mine = pairs(this.module), theirs = pairs(model);
    if (mine.length !== theirs.length || mine.some(([, t], i) => t.size !== theirs[i][1].size)) {
      throw new RangeError(`AveragedModel.updateParameters: expected a model of the averaged one's shapes, got ${describe(theirs.map(([n, t]) => `${n} ${t.size}`))}`);
    }
    const n = this.nAveraged.data[0];
    noGrad(() => {
      mine.forEach(([name, averaged], i) => {
        const current = theirs[i][1];
        if (n === 0) return averaged.data.set(current.data);
        const next = this.avgFn(averaged, current, n);
        if (!(next instanceof Tensor) || next.size !== averaged.size) throw new TypeError(`AveragedModel.updateParameters: expected avgFn to return a Tensor of ${averaged.size} values for '${name}', got ${describe(next)}`);
        averaged.data.set(next.data);
        if (name.endsWith('num_batches_tracked')) for (let j = 0; j < averaged.size; j++) averaged.data[j] = Math.trunc(averaged.data[j]);
      });
    });
    this.nAveraged.data[0] = n + 1;
  }
}

/**
 * Recomputes every BatchNorm's running statistics with one pass over `loader` (each item a tensor, or a list whose
 * first element is the input), as a cumulative average: the statistics of the averaged weights, which neither
 * model has seen. The model's mode and the layers' momentum are restored. Matches `torch.optim.swa_utils.update_bn`.
 */
export function updateBn(loader: Iterable<Tensor | readonly unknown[]>, model: AnyModule): void {
  if (!(model instanceof Module)) throw new TypeError(`updateBn: expected a Module, got ${describe(model)}`);
  const layers: (BatchNorm1d | BatchNorm2d)[] = [];
  const walk = (m: AnyModule) => {
    if ((m instanceof BatchNorm1d || m instanceof BatchNorm2d) && !layers.includes(m)) layers.push(m);
    for (const [, child] of m.namedChildren()) walk(child);
  };
  walk(model);
  if (layers.length === 0) return;
  const momenta = layers.map((bn) => bn.momentum);
  const wasTraining = model.training;
  for (const bn of layers) {
    bn.runningMean.data.fill(0);
    bn.runningVar.data.fill(1);
    bn.numBatchesTracked.data.fill(0);
    (bn as { momentum: number | null }).momentum = null; // a cumulative average over the loader's batches
  }
  model.train();
  try {
    noGrad(() => {
      for (const item of loader) {
        const input = Array.isArray(item) ? item[0] : item;
        if (!(input instanceof Tensor)) throw new TypeError(`updateBn: expected each batch to be a Tensor or a list starting with one, got ${describe(input)}`);
        (model.forward as (x: Tensor) => unknown)(input);
      }
    });
  } finally {
    layers.forEach((bn, i) => ((bn as { momentum: number | null }).momentum = momenta[i]));
    model.train(wasTraining);
  }
}

/**
 * A copy of `m` with copies of its tensors, as Python's deepcopy gives: the class's prototype and fields, the
 * registries rebuilt in the same order (so the state dict has the same keys), a module or tensor reached twice
 * copied once. JavaScript cannot copy #private fields, so a module class with #private state needs the `copy`
 * option; lrlab's own layers have none.
 */
function cloneModule<M extends AnyModule>(m: M, memo = new Map<object, unknown>()): M {
  const seen = memo.get(m);
  if (seen !== undefined) return seen as M;
  // runs only Module's constructor (its registries) on an object of m's class, not the subclass's
  const c = Reflect.construct(Module as unknown as new () => object, [], m.constructor) as M;
  memo.set(m, c);
  const register = c as unknown as Record<'registerParameter' | 'registerBuffer' | 'registerModule', (name: string, v: unknown) => unknown>;
  const value = (v: unknown): unknown => {
    if (v instanceof Module) return cloneModule(v, memo);
    if (v instanceof Tensor) {
      if (!memo.has(v)) memo.set(v, v instanceof Parameter ? new Parameter(v.clone(), { requiresGrad: v.requiresGrad }) : v.clone());
      return memo.get(v);
    }
    return Array.isArray(v) ? v.map(value) : v;
  };
  const direct = ([name]: [string, unknown]) => !name.includes('.');
  for (const [name, p] of m.namedParameters().filter(direct)) {
    const copy = value(p) as Tensor;
    register.registerParameter.call(c, name, copy);
    copy.requiresGrad = p.requiresGrad;
  }
  for (const [name, b] of m.namedBuffers().filter(direct)) register.registerBuffer.call(c, name, value(b));
  for (const [name, child] of m.namedChildren()) register.registerModule.call(c, name, value(child));
  for (const [k, v] of Object.entries(m)) (c as Record<string, unknown>)[k] = value(v);
  return c;
}
