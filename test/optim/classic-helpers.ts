// Shared by the Rprop, ASGD and LBFGS tests: the fixture's fed-gradient cases, and a convex quadratic.
import { Optimizer, Tensor, tensor, mul, sub, sum } from '../../src/index.js';
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
