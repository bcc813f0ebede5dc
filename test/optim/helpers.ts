// Shared by the optimizer tests: the fixtures' fed-gradient cases, the state-dict resume check, the update bound,
// a convex quadratic.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  Optimizer, Tensor, Generator, tensor, mul, sub, sum, mseLoss, Sequential, Linear, ReLU, manualSeed, randn,
  toJSONValue, fromJSONValue,
} from '../../src/index.js';
import { maxAbs } from '../../src/tensor/finite.js';
import { assertClose, fixture, type Tolerance, type TensorJSONFixture } from '../helpers/assert.js';
import { availableBackends, backendLabel, withBackend } from '../helpers/backends.js';

/**
 * A case of optim.json, optim-adam-family.json or optimizers-classic.json: torch's gradients at every step, its
 * parameters after each, and its final state under lrlab's names (buffers as lists or as tensors; optim.json has none).
 */
export interface FedCase {
  name: string;
  options: Record<string, any>;
  groups: ({ params: number[] } & Record<string, any>)[] | null;
  initial: TensorJSONFixture[];
  grads: TensorJSONFixture[][];
  params: TensorJSONFixture[][];
  state?: Record<string, number | number[] | TensorJSONFixture>[];
}

export type Ctor = new (params: any, options?: any) => Optimizer<any>;

/** A case's options and groups, as the parity tests name it. */
export const caseLabel = (c: FedCase): string => `${JSON.stringify(c.options)}${c.groups ? ` groups ${JSON.stringify(c.groups)}` : ''}`;

/**
 * Feeds torch's gradients step by step, so only the update rule is compared, and checks the parameters after every
 * step within tol; `observe` sees each parameter's values and torch's before the check. Returns the optimizer.
 */
export function feedCase(Make: Ctor, c: FedCase, tol: Tolerance, observe?: (actual: Float32Array, expected: number[]) => void): Optimizer<any> {
  const params = c.initial.map((t) => tensor(t.data, { shape: t.shape, requiresGrad: true }));
  const groups = c.groups?.map(({ params: ids, ...o }) => ({ ...o, params: ids.map((i) => params[i]) }));
  const opt = new Make(groups ?? params, c.options);
  for (let step = 0; step < c.grads.length; step++) {
    params.forEach((p, k) => (p.grad = tensor(c.grads[step][k].data, { shape: p.shape })));
    opt.step();
    params.forEach((p, k) => {
      observe?.(p.data, c.params[step][k].data);
      assertClose(p, c.params[step][k].data, tol, `${c.name} step ${step + 1} param ${k}`);
    });
  }
  return opt;
}

/**
 * The optimizer's state dict holds the case's final state: per parameter the same names in the same order, numbers
 * within numberTol, buffers within tol.
 */
export function checkState(opt: Optimizer<any>, c: FedCase, tol: Tolerance, numberTol: Tolerance = tol): void {
  const { state } = opt.stateDict();
  (c.state ?? []).forEach((expected, k) => {
    assert.equal(Object.keys(state[k]), Object.keys(expected), `${c.name}: state names of param ${k}`);
    for (const [name, value] of Object.entries(expected)) {
      const actual = state[k][name];
      if (typeof value === 'number') assertClose(actual as number, value, numberTol, `${c.name} state ${k} '${name}'`);
      else assertClose(actual as Float32Array, Array.isArray(value) ? value : value.data, tol, `${c.name} state ${k} '${name}'`);
    }
  });
}

/**
 * One suite, '<name> matches PyTorch over 25 steps': each of optimizers-classic.json's cases for the optimizer, on
 * every backend, its parameters after every step and its final state within tol.
 */
export function classicParity(name: string, Make: Ctor, tol: Tolerance): void {
  const { cases } = fixture<{ cases: FedCase[] }>('optimizers-classic.json');
  const parity = suite(`${name} matches PyTorch over 25 steps`);
  for (const backend of availableBackends()) for (const c of cases.filter((c) => c.name === name)) {
    parity(`${backendLabel(backend)}: ${name} ${caseLabel(c)}: parameters after every step, and the state, equal torch's`, () =>
      withBackend(backend, () => checkState(feedCase(Make, c, tol), c, tol)));
  }
  parity.run();
}

/** `steps` steps of an MLP 5-8-1 on seeded random batches of 8, the losses returned. */
function trainSteps(model: Sequential, opt: Optimizer<any>, steps: number, seed: number): number[] {
  manualSeed(seed);
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    const x = randn([8, 5]), y = randn([8, 1]);
    opt.zeroGrad();
    const loss = mseLoss(model.forward(x), y);
    loss.backward();
    opt.step();
    losses.push(loss.item());
  }
  return losses;
}

/**
 * Model and optimizer state saved after `warmup` steps, through JSON, continue bit for bit: a fresh model (another
 * init) and optimizer restored from it take the same 5 further steps, the same losses and weights, as the originals.
 * `atSave` checks the optimizer at the save point.
 */
export function checkResume(make: (p: Tensor[]) => Optimizer<any>, warmup: number, atSave?: (opt: Optimizer<any>) => void): void {
  manualSeed(1);
  const model = new Sequential(new Linear(5, 8), new ReLU(), new Linear(8, 1));
  const opt = make(model.parameters());
  trainSteps(model, opt, warmup, 100);
  atSave?.(opt);
  const saved = JSON.parse(JSON.stringify(toJSONValue({ model: model.stateDict(), optimizer: opt.stateDict() })));
  const straight = trainSteps(model, opt, 5, 200);
  const finalWeights = model.parameters().map((p) => Array.from(p.data));

  manualSeed(2); // a different init, overwritten by the restore
  const resumed = new Sequential(new Linear(5, 8), new ReLU(), new Linear(8, 1));
  const opt2 = make(resumed.parameters());
  const restored = fromJSONValue(saved) as { model: any; optimizer: any };
  resumed.loadStateDict(restored.model);
  opt2.loadStateDict(restored.optimizer);
  assert.equal(trainSteps(resumed, opt2, 5, 200), straight);
  assert.equal(resumed.parameters().map((p) => Array.from(p.data)), finalWeights);
}

// f(θ) = sum(a (θ - c)^2), a convex quadratic with minimum 0 at c
const center = tensor([1, -2, 3, 0.5]), curvature = tensor([1, 2, 0.5, 4]);
export const quadratic = (θ: Tensor) => sum(mul(curvature, mul(sub(θ, center), sub(θ, center))));

/** The largest magnitude among a parameter's values and its state's buffers. */
const largest = (p: Tensor, opt: Optimizer<any>): number => {
  let m = maxAbs(p.data);
  for (const v of Object.values(opt.state.get(p) ?? {})) if (v instanceof Float32Array) m = Math.max(m, maxAbs(v));
  return m;
};

/**
 * The bound an optimizer gives on what one update can write (`Optimizer.updateBound`, which lets a step skip its
 * rollback copy) holds: every value a step writes, over `steps` steps, is within the bound computed before it, on
 * parameters and gradients of very different magnitudes, some gradients zero.
 */
export function checkUpdateBound(Make: Ctor, options: Record<string, unknown>, steps = 8): void {
  const g = new Generator(3);
  for (const scale of [1e-3, 1, 1e6]) {
    const n = 37;
    const p = new Tensor(Float32Array.from({ length: n }, () => g.normal() * scale), [n], { requiresGrad: true });
    const opt = new Make([p], options);
    for (let step = 0; step < steps; step++) {
      // gradients of shifting magnitude, some zero: the moving averages see growth and decay
      p.grad = new Tensor(Float32Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 0 : g.normal() * scale * 10 ** ((step % 3) - 1))), [n]);
      if (opt.state.get(p) === undefined) (opt as any).state.set(p, (opt as any).initState(p, opt.paramGroups[0]));
      const b = Math.max(largest(p, opt), maxAbs(p.grad.data));
      const limit = (opt as any).updateBound(b, opt.paramGroups[0], opt.state.get(p)) as number;
      opt.step();
      const wrote = largest(p, opt);
      assert.ok(Number.isFinite(limit), `a bound for scale ${scale} step ${step}`);
      assert.ok(wrote <= limit * (1 + 1e-6), `scale ${scale} step ${step}: wrote ${wrote}, bound ${limit}`);
    }
  }
}

/** The first index where two arrays of floats differ in their bits, or -1 where every bit agrees. */
export function firstDifference(a: Float32Array, b: Float32Array): number {
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length), ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < a.length; i++) if (ua[i] !== ub[i]) return i;
  return -1;
}
