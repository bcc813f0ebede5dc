// Shared by the Rprop, ASGD and LBFGS tests: the fixture's fed-gradient cases, the update bound, a convex quadratic.
import * as assert from 'uvu/assert';
import { Optimizer, Tensor, Generator, tensor, mul, sub, sum } from '../../src/index.js';
import { maxAbs } from '../../src/tensor/finite.js';
import { assertClose, type Tolerance, type TensorJSONFixture } from '../helpers/assert.js';

/** A case of optimizers-classic.json: torch's gradients at every step, its parameters after, its final state. */
export interface FedCase {
  name: string;
  options: Record<string, any>;
  groups: ({ params: number[] } & Record<string, any>)[] | null;
  initial: TensorJSONFixture[];
  grads: TensorJSONFixture[][];
  params: TensorJSONFixture[][];
  state: Record<string, number | number[]>[];
}

type Ctor = new (params: any, options?: any) => Optimizer<any>;

/** Feeds torch's gradients step by step, so only the update rule is compared; then compares the state dict. */
export function runFedCase(Make: Ctor, c: FedCase, tol: Tolerance): void {
  const params = c.initial.map((t) => tensor(t.data, { shape: t.shape, requiresGrad: true }));
  const groups = c.groups?.map(({ params: ids, ...o }) => ({ ...o, params: ids.map((i) => params[i]) }));
  const opt = new Make(groups ?? params, c.options);
  for (let step = 0; step < c.grads.length; step++) {
    params.forEach((p, k) => (p.grad = tensor(c.grads[step][k].data, { shape: p.shape })));
    opt.step();
    params.forEach((p, k) => assertClose(p, c.params[step][k].data, tol, `${c.name} step ${step + 1} param ${k}`));
  }
  const { state } = opt.stateDict();
  c.state.forEach((expected, k) => {
    for (const [name, value] of Object.entries(expected)) {
      const actual = state[k][name];
      if (typeof value === 'number') assertClose(actual as number, value, tol, `${c.name} state ${k} '${name}'`);
      else assertClose(actual as Float32Array, value, tol, `${c.name} state ${k} '${name}'`);
    }
  });
}

// f(θ) = sum(a (θ - c)^2), a convex quadratic with minimum 0 at c
const center = tensor([1, -2, 3, 0.5]), curvature = tensor([1, 2, 0.5, 4]);
export const quadratic = (θ: Tensor) => sum(mul(curvature, mul(sub(θ, center), sub(θ, center))));

/**
 * The bound an optimizer gives on what one update can write (`Optimizer.updateBound`, which lets a step skip its
 * rollback copy) holds: every value a step writes is within the bound computed before it, on parameters and
 * gradients of very different magnitudes, some gradients zero.
 */
export function checkUpdateBound(Make: Ctor, options: Record<string, unknown>): void {
  const g = new Generator(3);
  for (const scale of [1e-3, 1, 1e6]) {
    const n = 37;
    const p = new Tensor(Float32Array.from({ length: n }, () => g.normal() * scale), [n], { requiresGrad: true });
    const opt = new Make([p], options);
    const largest = () => Math.max(maxAbs(p.data), ...Object.values(opt.state.get(p) ?? {}).map((v) => (v instanceof Float32Array ? maxAbs(v) : 0)));
    for (let step = 0; step < 8; step++) {
      p.grad = new Tensor(Float32Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 0 : g.normal() * scale * 10 ** ((step % 3) - 1))), [n]);
      if (opt.state.get(p) === undefined) (opt as any).state.set(p, (opt as any).initState(p, opt.paramGroups[0]));
      const b = Math.max(largest(), maxAbs(p.grad.data));
      const limit = (opt as any).updateBound(b, opt.paramGroups[0], opt.state.get(p)) as number;
      opt.step();
      assert.ok(Number.isFinite(limit), `a bound for scale ${scale} step ${step}`);
      assert.ok(largest() <= limit * (1 + 1e-6), `scale ${scale} step ${step}: wrote ${largest()}, bound ${limit}`);
    }
  }
}
