// Every PyTorch scheduler's lr sequence (and momentum, where it cycles) against torch (test/fixtures/schedulers.json).
import { suite } from 'uvu';
import * as S from '../../src/index.js';
import { SGD, Adam, tensor, type LRScheduler } from '../../src/index.js';
import { assertClose, fixture } from '../helpers/assert.js';

interface SchedCase {
  name: string;
  kwargs: Record<string, any>;
  optimizer: 'SGD' | 'Adam';
  children: { name: string; kwargs: Record<string, any> }[] | null;
  milestones: number[] | null;
  metrics: number[] | null;
  lrs: number[][];
  momentums: number[][];
}

const LAMBDAS: Record<string, (e: number) => number> = {
  pow095: (e) => 0.95 ** e,
  warmup5: (e) => Math.min(1, (e + 1) / 5),
  const09: () => 0.9,
};

export function makeOptimizer(kind: 'SGD' | 'Adam') {
  const groups = [{ params: [tensor([0, 0], { requiresGrad: true })] }, { params: [tensor([0], { requiresGrad: true })], lr: 0.05 }];
  return kind === 'Adam' ? new Adam(groups, { lr: 0.1 }) : new SGD(groups, { lr: 0.1, momentum: 0.9 });
}

function build(opt: any, name: string, kwargs: Record<string, any>): any {
  const { optimizer: _kind, lrLambda, ...options } = kwargs;
  if (lrLambda) (options as any).lrLambda = LAMBDAS[lrLambda];
  const Ctor = (S as any)[name];
  return new Ctor(opt, options);
}

const momentumOf = (opt: any) => opt.paramGroups.map((g: any) => (g.betas ? g.betas[0] : g.momentum));
const { cases } = fixture<{ cases: SchedCase[] }>('schedulers.json');
const test = suite('schedulers match PyTorch lr sequences');

for (const c of cases) {
  const label = `${c.name} ${JSON.stringify(c.children ?? c.kwargs)}${c.milestones ? ` milestones ${c.milestones}` : ''}`;
  test(`${label}: ${c.lrs.length - 1} steps of getLastLr() equal torch's`, () => {
    const opt = makeOptimizer(c.optimizer);
    let sched: any;
    if (c.children) {
      const subs = c.children.map((k) => build(opt, k.name, k.kwargs)) as LRScheduler[];
      sched = c.name === 'SequentialLR' ? new S.SequentialLR(opt, subs, c.milestones!) : new S.ChainedScheduler(subs);
    } else {
      sched = build(opt, c.name, c.kwargs);
    }
    // lrs are doubles in both: the recursive forms are PyTorch's, so they agree to the last bit or nearly
    const tol = { atol: 1e-15, rtol: 1e-12 };
    const check = (i: number) => {
      assertClose(opt.paramGroups.map((g) => g.lr), c.lrs[i], tol, `${c.name} lr after ${i} step(s)`);
      if (c.name !== 'ReduceLROnPlateau') assertClose(sched.getLastLr(), c.lrs[i], tol, `${c.name} getLastLr after ${i} step(s)`);
      assertClose(momentumOf(opt), c.momentums[i], tol, `${c.name} momentum after ${i} step(s)`);
    };
    check(0);
    for (let i = 1; i < c.lrs.length; i++) {
      if (c.metrics) sched.step(c.metrics[i - 1]);
      else sched.step();
      check(i);
    }
  });
}

test('the closed forms agree with the recursive forms over 50 steps', () => {
  const pairs: [string, Record<string, any>][] = [
    ['StepLR', { stepSize: 4, gamma: 0.7 }],
    ['MultiStepLR', { milestones: [3, 7, 7], gamma: 0.5 }],
    ['ConstantLR', { factor: 0.25, totalIters: 6 }],
    ['LinearLR', { startFactor: 0.2, totalIters: 9 }],
    ['ExponentialLR', { gamma: 0.93 }],
    ['PolynomialLR', { totalIters: 30, power: 1.5 }],
    ['CosineAnnealingLR', { tMax: 12, etaMin: 0.002 }],
  ];
  for (const [name, kwargs] of pairs) {
    const opt = makeOptimizer('SGD');
    const sched = build(opt, name, kwargs);
    for (let t = 1; t <= 50; t++) {
      sched.step();
      assertClose(sched.closedFormLr(), sched.getLastLr(), { rtol: 1e-9, atol: 1e-15 }, `${name} at ${t}`);
    }
  }
});

test.run();
