// Two-dimensional test surfaces for watching optimizers: each is written once with lrlab's tensor ops (so autograd
// gives the gradient) and once in plain numbers (for the contour plot).
import { tensor, type Tensor } from '../../src/index.js';

export interface Surface {
  name: string;
  /** f(x, y) with lrlab ops on a [2] parameter tensor. */
  loss(p: Tensor, step: number): Tensor;
  /** f(x, y) in plain numbers, for drawing. */
  value(x: number, y: number): number;
  start: [number, number];
  view: { x: [number, number]; y: [number, number] };
  minimum: [number, number] | null;
  /**
   * Each optimizer's default lr here: one where its path converges (or, on the saddle, escapes) within a few hundred
   * steps and stays readable, found by a sweep over a log grid; the playground's test checks every one.
   */
  rates: Record<string, number>;
  /** Steps the test allows for convergence at these rates. */
  horizon: number;
  note: string;
}

const xy = (p: Tensor): [Tensor, Tensor] => [p.slice(0, 0, 1), p.slice(0, 1, 2)];

export const SURFACES: Surface[] = [
  {
    name: 'Rosenbrock',
    loss: (p) => { const [x, y] = xy(p); return tensor([1]).sub(x).pow(2).add(y.sub(x.pow(2)).pow(2).mul(100)).sum(); },
    value: (x, y) => (1 - x) ** 2 + 100 * (y - x * x) ** 2,
    start: [-1.5, 2], view: { x: [-2, 2], y: [-1, 3] }, minimum: [1, 1],
    rates: { SGD: 2e-3, Momentum: 1.5e-3, Nesterov: 1e-3, RMSprop: 0.1, Adagrad: 1.5, Adam: 0.1, AdamW: 0.1, NAdam: 0.1, RAdam: 5.6e-3, Adamax: 1.3, Rprop: 0.013, ASGD: 2e-3 }, horizon: 500,
    note: 'a curved, narrow valley: plain SGD crawls along its floor; momentum and Adam follow the bend.',
  },
  {
    name: 'Beale',
    loss: (p) => {
      const [x, y] = xy(p);
      const term = (c: number, k: number) => tensor([c]).sub(x).add(x.mul(y.pow(k))).pow(2);
      return term(1.5, 1).add(term(2.25, 2)).add(term(2.625, 3)).sum();
    },
    value: (x, y) => (1.5 - x + x * y) ** 2 + (2.25 - x + x * y * y) ** 2 + (2.625 - x + x * y ** 3) ** 2,
    start: [1, 1.4], view: { x: [-1, 4.5], y: [-1.5, 2] }, minimum: [3, 0.5],
    rates: { SGD: 0.02, Momentum: 3e-3, Nesterov: 3e-3, RMSprop: 0.05, Adagrad: 1, Adam: 0.1, AdamW: 0.1, NAdam: 0.075, RAdam: 0.013, Adamax: 0.18, Rprop: 0.018, ASGD: 3.2e-3 }, horizon: 500,
    note: 'flat plateaus and steep walls: adaptive methods rescale each coordinate.',
  },
  {
    name: 'Saddle',
    loss: (p) => { const [x, y] = xy(p); return x.pow(2).sub(y.pow(2)).sum(); },
    value: (x, y) => x * x - y * y,
    start: [-1.5, 0.01], view: { x: [-2, 2], y: [-2, 2] }, minimum: null,
    rates: { SGD: 8e-3, Momentum: 1e-3, Nesterov: 1e-3, RMSprop: 3e-3, Adagrad: 0.03, Adam: 3e-3, AdamW: 3e-3, NAdam: 3e-3, RAdam: 0.01, Adamax: 4e-3, Rprop: 1e-3, ASGD: 0.01 }, horizon: 300,
    note: 'a saddle point at the origin: a tiny push in y decides how fast each method escapes.',
  },
  {
    name: 'Ill-conditioned quadratic',
    loss: (p) => { const [x, y] = xy(p); return x.pow(2).mul(0.5).add(y.pow(2).mul(25)).sum(); },
    value: (x, y) => 0.5 * x * x + 25 * y * y,
    start: [-4, 0.8], view: { x: [-5, 5], y: [-1.5, 1.5] }, minimum: [0, 0],
    rates: { SGD: 0.035, Momentum: 3e-3, Nesterov: 5e-3, RMSprop: 0.03, Adagrad: 0.5, Adam: 0.05, AdamW: 0.05, NAdam: 0.13, RAdam: 0.056, Adamax: 0.24, Rprop: 0.018, ASGD: 0.01 }, horizon: 300,
    note: 'curvatures 1 and 50: SGD zig-zags across the steep axis; RMSprop and Adam equalise the two.',
  },
  {
    name: 'Noisy quadratic',
    loss: (p, step) => {
      // a deterministic pseudo-noise on the gradient, so that every optimizer sees the same noise at each step
      const nx = Math.sin(step * 12.9898) * 0.8, ny = Math.cos(step * 78.233) * 0.8;
      const [x, y] = xy(p);
      return x.pow(2).add(y.pow(2)).add(x.mul(nx)).add(y.mul(ny)).sum();
    },
    value: (x, y) => x * x + y * y,
    start: [-3, 2.5], view: { x: [-4, 4], y: [-3, 3] }, minimum: [0, 0],
    rates: { SGD: 0.01, Momentum: 1e-3, Nesterov: 1e-3, RMSprop: 0.02, Adagrad: 0.2, Adam: 0.03, AdamW: 0.03, NAdam: 0.18, RAdam: 0.24, Adamax: 0.24, Rprop: 0.018, ASGD: 0.042 }, horizon: 300,
    note: 'a bowl with noisy gradients: momentum averages the noise out, a large lr amplifies it.',
  },
];
