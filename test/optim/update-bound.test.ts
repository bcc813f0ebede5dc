// The bound each optimizer gives on what one update can write, which lets step() skip the copy it otherwise keeps
// to roll a failed step back: every value a step writes is within the bound computed before it, for every
// optimizer and option that changes the rule, on parameters, gradients and state of very different magnitudes;
// steps within the bound keep no copy; and maxAbs, which the bound is built from, on every backend.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta, Optimizer, Tensor, NonFiniteStepError, createWasmBackend, registerBackend, useBackend, getBackend } from '../../src/index.js';
import { maxAbs } from '../../src/tensor/finite.js';
import { type Ctor, checkUpdateBound } from './helpers.js';

const CASES: [string, Ctor, Record<string, unknown>][] = [
  ['SGD', SGD, { lr: 0.1 }],
  ['SGD', SGD, { lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 0.01 }],
  ['SGD', SGD, { lr: 0.05, momentum: 0.9, dampening: -0.5, nesterov: false }],
  ['SGD', SGD, { lr: 0.05, momentum: 0.9, nesterov: true, maximize: true }],
  ['Adam', Adam, { lr: 0.01 }],
  ['Adam', Adam, { lr: 0.01, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.1, amsgrad: true }],
  ['AdamW', AdamW, { lr: 0.01, weightDecay: 0.1 }],
  ['AdamW', AdamW, { lr: 3, weightDecay: 2, amsgrad: true, maximize: true }],
  ['RMSprop', RMSprop, { lr: 0.01 }],
  ['RMSprop', RMSprop, { lr: 0.01, momentum: 0.9, weightDecay: 0.5, maximize: true }],
  ['Adagrad', Adagrad, { lr: 0.1 }],
  ['Adagrad', Adagrad, { lr: 0.1, lrDecay: 0.01, weightDecay: 0.1, initialAccumulatorValue: 0.1, eps: 1e-8 }],
  ['Adadelta', Adadelta, { lr: 1 }],
  ['Adadelta', Adadelta, { lr: 0.5, rho: 0.8, eps: 1e-5, weightDecay: 0.1, maximize: true }],
];

const bound = (opt: Optimizer<any>, b: number): number => (opt as any).updateBound(b, opt.paramGroups[0], opt.state.get(opt.paramGroups[0].params[0]));

const wasm = createWasmBackend({ threads: 1, name: 'wasm-bound-test' });
registerBackend(wasm);

for (const backend of ['cpu', 'wasm-bound-test']) {
  const test = suite(`optimizer update bounds (${backend})`);
  const before = getBackend().name;
  test.before(() => { useBackend(backend); });
  test.after(() => { useBackend(before); });

  for (const [name, Opt, options] of CASES) {
    test(`${name} ${JSON.stringify(options)}: every value a step writes is within the bound taken before it`, () => checkUpdateBound(Opt, options, 6));
  }

  test('a step within the bound keeps no copy of the parameters; one past it keeps a copy and still rolls back', () => {
    const p = new Tensor(new Float32Array([1, -2, 3]), [3], { requiresGrad: true });
    const opt = new SGD([p], { lr: 0.1, momentum: 0.9 });
    p.grad = new Tensor(new Float32Array([1, 1, 1]), [3]);
    opt.step();
    assert.is((opt as any).backup.size, 0);
    const big = new Tensor(new Float32Array([1e30, 1, 1]), [3], { requiresGrad: true });
    const opt2 = new SGD([big], { lr: 1e10 });
    big.grad = new Tensor(new Float32Array([1e30, 0, 0]), [3]);
    const weights = Array.from(big.data);
    assert.throws(() => opt2.step(), (e: Error) => e instanceof NonFiniteStepError);
    assert.equal(Array.from(big.data), weights);
    assert.is((opt2 as any).backup.size, 1);
  });

  test('centered RMSprop and eps 0 give no bound (a square root of a rounded-negative or a 0 / 0 can be NaN)', () => {
    const p = new Tensor(new Float32Array([1]), [1], { requiresGrad: true });
    p.grad = new Tensor(new Float32Array([1]), [1]);
    for (const opt of [new RMSprop([p], { centered: true }), new Adam([p], { eps: 0 }), new Adagrad([p], { eps: 0 }), new Adadelta([p], { eps: 0 }), new RMSprop([p], { eps: 1e-50 })]) {
      (opt as any).state.set(p, (opt as any).initState(p, opt.paramGroups[0]));
      assert.is(bound(opt, 1), Infinity, opt.name);
    }
  });

  test('maxAbs is the largest magnitude, NaN when any value is NaN, Infinity when any is infinite, 0 when empty', () => {
    for (const n of [0, 1, 3, 4, 5, 33]) {
      const a = Float32Array.from({ length: n }, (_, i) => (i % 2 ? -1 : 1) * (i + 0.5));
      assert.is(maxAbs(a), n === 0 ? 0 : n - 0.5, `length ${n}`);
      if (n === 0) continue;
      for (const at of [0, n - 1]) {
        const nan = a.slice();
        nan[at] = NaN;
        assert.ok(Number.isNaN(maxAbs(nan)), `NaN at ${at} of ${n}`);
        const inf = a.slice();
        inf[at] = -Infinity;
        assert.is(maxAbs(inf), Infinity, `-Infinity at ${at} of ${n}`);
      }
    }
  });

  test('maxAbs over several arrays is the largest of all, with NaN from any of them winning', () => {
    const a = Float32Array.from({ length: 9 }, (_, i) => i / 10), b = a.map((x) => -2 * x), c = a.map((x) => x / 2), d = a.map((x) => 3 * x), e = a.map((x) => -4 * x);
    assert.is(maxAbs(a, b, c), Math.fround(1.6));
    assert.is(maxAbs(a, b, c, d, e), Math.fround(3.2)); // past four arrays: the kernels take them four at a time
    const bad = e.slice();
    bad[8] = NaN;
    assert.ok(Number.isNaN(maxAbs(a, b, c, d, bad)));
    assert.is(maxAbs(a, new Float32Array([-7])), 7); // arrays of different lengths
  });

  test.run();
}
