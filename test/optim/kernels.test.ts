// The wasm backend's optimizer kernels against the optimizers' own loops (the reference): the same bits after
// every step, for every optimizer and option that changes the rule, on lengths that are and are not multiples of
// the four SIMD lanes, with parameters in the kernels' memory and in ordinary arrays.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta, NAdam, RAdam, Adamax, Optimizer, Tensor, Generator, createWasmBackend, registerBackend, useBackend, getBackend } from '../../src/index.js';
import { firstDifference } from './helpers.js';

type Ctor = new (params: any, options?: any) => Optimizer<any>;
const CASES: [string, Ctor, Record<string, unknown>][] = [
  ['SGD', SGD, { lr: 0.1 }],
  ['SGD', SGD, { lr: 0.05, momentum: 0.9 }],
  ['SGD', SGD, { lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 0.01 }],
  ['SGD', SGD, { lr: 0.05, momentum: 0.9, nesterov: true, maximize: true }],
  ['Adam', Adam, { lr: 0.01 }],
  ['Adam', Adam, { lr: 0.01, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.1, amsgrad: true }],
  ['Adam', Adam, { lr: 0.003, maximize: true }],
  ['AdamW', AdamW, { lr: 0.01, weightDecay: 0.1 }],
  ['AdamW', AdamW, { lr: 0.01, weightDecay: 0.05, amsgrad: true, maximize: true }],
  ['RMSprop', RMSprop, { lr: 0.01 }],
  ['RMSprop', RMSprop, { lr: 0.01, alpha: 0.9, centered: true, momentum: 0.5, weightDecay: 0.01 }],
  ['RMSprop', RMSprop, { lr: 0.01, momentum: 0.9, maximize: true }],
  ['Adagrad', Adagrad, { lr: 0.1 }],
  ['Adagrad', Adagrad, { lr: 0.1, lrDecay: 0.01, weightDecay: 0.1, initialAccumulatorValue: 0.1, eps: 1e-8 }],
  ['Adadelta', Adadelta, { lr: 1 }],
  ['Adadelta', Adadelta, { lr: 0.5, rho: 0.8, eps: 1e-5, weightDecay: 0.1, maximize: true }],
  ['NAdam', NAdam, { lr: 0.01 }],
  ['NAdam', NAdam, { lr: 0.01, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.1, momentumDecay: 0.01 }],
  // RAdam's rectified step starts at step 6 (ρ_t > 5 with β2 0.999 or 0.99): both branches run within the 12 steps
  ['RAdam', RAdam, { lr: 0.01 }],
  ['RAdam', RAdam, { lr: 0.01, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.1 }],
  ['Adamax', Adamax, { lr: 0.01 }],
  ['Adamax', Adamax, { lr: 0.01, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.1 }],
  ['Adamax', Adamax, { lr: 0.003, maximize: true }],
];
const LENGTHS = [1, 3, 4, 5, 17, 130];
const STEPS = 12;

const wasm = createWasmBackend({ threads: 1, name: 'wasm-kernels-test' });
registerBackend(wasm);
const test = suite('optimizer kernels (wasm SIMD) against the reference loops');

/** Parameters and per-step gradients from a seeded generator, as plain arrays or in the backend's memory. */
function run(Opt: Ctor, options: Record<string, unknown>, backend: string, resident: boolean): Float32Array[][] {
  const previous = getBackend().name;
  useBackend(backend);
  try {
    const g = new Generator(11);
    const params = LENGTHS.map((n) => {
      const data = resident ? wasm.allocate(n) : new Float32Array(n);
      // parameters of a few magnitudes too: where |θ| is near the step's size, a step rounded in another order
      // shows in θ (next to a θ of 1, its last bits are mostly rounded away)
      for (let i = 0; i < n; i++) data[i] = g.normal() * 10 ** -(i % 4);
      return new Tensor(data, [n], { requiresGrad: true });
    });
    const opt = new Opt(params, options);
    const history: Float32Array[][] = [];
    for (let step = 0; step < STEPS; step++) {
      for (const p of params) {
        const grad = resident ? wasm.allocate(p.size) : new Float32Array(p.size);
        // gradients of a few magnitudes, so the square roots and divisions see more than one scale
        for (let i = 0; i < p.size; i++) grad[i] = g.normal() * 10 ** ((i % 5) - 2);
        p.grad = new Tensor(grad, p.shape);
      }
      opt.step();
      history.push(params.map((p) => p.data.slice()));
    }
    return history;
  } finally {
    useBackend(previous);
  }
}

for (const [name, Opt, options] of CASES) {
  for (const resident of [true, false]) {
    test(`${name} ${JSON.stringify(options)} gives the reference's bits for ${STEPS} steps (${resident ? 'parameters in the kernels\' memory' : 'parameters in ordinary arrays'})`, () => {
      const reference = run(Opt, options, 'cpu', false);
      const fast = run(Opt, options, 'wasm-kernels-test', resident);
      for (let step = 0; step < STEPS; step++) {
        for (let k = 0; k < LENGTHS.length; k++) {
          const at = firstDifference(fast[step][k], reference[step][k]);
          assert.is(at, -1, `step ${step + 1}, length ${LENGTHS[k]}, index ${at}: ${fast[step][k][at]} vs reference ${reference[step][k][at]}`);
        }
      }
      // a rule that changed nothing would pass the comparison: the parameters did move
      assert.ok(firstDifference(reference[STEPS - 1][4], reference[0][4]) !== -1, 'the parameters moved');
    });
  }
}

/** Like `run`, but with gradients that drive the state towards and into float32's subnormal range: some 0 after a few steps, some of magnitude 1e-20 or 1e-30. */
function runTiny(Opt: Ctor, options: Record<string, unknown>, backend: string): { params: Float32Array[]; state: Float32Array[]; subnormals: number } {
  const previous = getBackend().name;
  useBackend(backend);
  try {
    const g = new Generator(12);
    const params = [33, 130].map((n) => new Tensor(Float32Array.from({ length: n }, () => g.normal()), [n], { requiresGrad: true }));
    const opt = new Opt(params, options);
    let subnormals = 0;
    for (let step = 0; step < 40; step++) {
      for (const p of params) {
        p.grad = new Tensor(Float32Array.from({ length: p.size }, (_, i) => (i % 4 === 0 ? (step < 3 ? g.normal() : 0) : i % 4 === 1 ? g.normal() * 1e-20 : i % 4 === 2 ? g.normal() * 1e-30 : g.normal())), p.shape);
      }
      opt.step();
      for (const st of opt.state.values()) for (const v of Object.values(st)) if (v instanceof Float32Array) for (const x of v) if (x !== 0 && Math.abs(x) < 2 ** -90) subnormals++;
    }
    const state = [...opt.state.values()].flatMap((st) => Object.values(st).filter((v): v is Float32Array => v instanceof Float32Array).map((v) => v.slice()));
    return { params: params.map((p) => p.data.slice()), state, subnormals };
  } finally {
    useBackend(previous);
  }
}

// (L2 weight decay adds λθ to every gradient, so the state never gets tiny: those cases are left out here)
for (const [name, Opt, options] of CASES.filter(([name, , o]) => !o.weightDecay || name === 'AdamW')) {
  test(`${name} ${JSON.stringify(options)} gives the reference's bits when its state runs through tiny and subnormal numbers`, () => {
    const reference = runTiny(Opt, options, 'cpu'), fast = runTiny(Opt, options, 'wasm-kernels-test');
    if (reference.state.length > 0) assert.ok(reference.subnormals > 0, "the state held tiny numbers (below 2^-90), where the kernels go lane by lane");
    for (let k = 0; k < reference.params.length; k++) assert.is(firstDifference(fast.params[k], reference.params[k]), -1, `parameter ${k}`);
    assert.is(fast.state.length, reference.state.length);
    for (let k = 0; k < reference.state.length; k++) assert.is(firstDifference(fast.state[k], reference.state[k]), -1, `state array ${k}`);
  });
}

test('NAdam, RAdam and Adamax on a long parameter on the two-thread backend give the reference\'s bits', () => {
  const two = createWasmBackend({ threads: 2, name: 'wasm-kernels-test-2' });
  registerBackend(two);
  // a long parameter (the two-thread backend runs the optimizer step on the calling thread), not a multiple of 8
  const n = (1 << 17) + 7, g = new Generator(13);
  const θ0 = Float32Array.from({ length: n }, (_, i) => g.normal() * 10 ** -(i % 4));
  // 7 steps: RAdam's rectified step (from step 6) runs too
  const grads = Array.from({ length: 7 }, () => Float32Array.from({ length: n }, (_, i) => g.normal() * 10 ** ((i % 5) - 2)));
  const run = (Opt: Ctor, options: Record<string, unknown>, backend: string) => {
    const previous = getBackend().name;
    useBackend(backend);
    try {
      const p = new Tensor(θ0.slice(), [n], { requiresGrad: true });
      const opt = new Opt([p], options);
      for (const grad of grads) {
        p.grad = new Tensor(grad.slice(), [n]);
        opt.step();
      }
      return [p.data, ...Object.values(opt.state.get(p)!).filter((v): v is Float32Array => v instanceof Float32Array)];
    } finally {
      useBackend(previous);
    }
  };
  try {
    for (const [name, Opt, options] of CASES.filter(([name]) => name === 'NAdam' || name === 'RAdam' || name === 'Adamax')) {
      const reference = run(Opt, options, 'cpu'), fast = run(Opt, options, 'wasm-kernels-test-2');
      assert.is(fast.length, 3);
      for (let k = 0; k < reference.length; k++) {
        const at = firstDifference(fast[k], reference[k]);
        assert.is(at, -1, `${name} ${JSON.stringify(options)}, ${k === 0 ? 'parameters' : `state array ${k}`}, index ${at}: ${fast[k][at]} vs reference ${reference[k][at]}`);
      }
    }
  } finally {
    two.dispose();
  }
});

test('the state kept by the fast path round-trips through a state dict into the reference path', () => {
  const g = new Generator(3);
  const make = () => { const t = new Tensor(new Float32Array(9), [9], { requiresGrad: true }); const r = new Generator(5); for (let i = 0; i < 9; i++) t.data[i] = r.normal(); return t; };
  const grads = Array.from({ length: 6 }, () => Float32Array.from({ length: 9 }, () => g.normal()));
  const steps = (opt: Optimizer<any>, p: Tensor, from: number, to: number) => { for (let s = from; s < to; s++) { p.grad = new Tensor(grads[s].slice(), [9]); opt.step(); } };
  const a = make(), b = make();
  const optA = new Adam([a], { lr: 0.01, amsgrad: true }), optB = new Adam([b], { lr: 0.01, amsgrad: true });
  steps(optA, a, 0, 6);
  useBackend('wasm-kernels-test');
  try { steps(optB, b, 0, 3); } finally { useBackend('cpu'); }
  const dict = optB.stateDict();
  const optC = new Adam([b], { lr: 0.01, amsgrad: true });
  optC.loadStateDict(dict);
  steps(optC, b, 3, 6);
  assert.is(firstDifference(b.data, a.data), -1);
});

test.after(() => wasm.dispose());
test.run();
