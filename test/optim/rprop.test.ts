// Rprop against PyTorch 1.13 (fed gradients, every backend), its first steps by hand, its state dict and options.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Rprop, tensor, zeros, toJSONValue, fromJSONValue } from '../../src/index.js';
import { assertClose } from '../helpers/assert.js';
import { classicParity, checkUpdateBound, quadratic } from './helpers.js';

// bit for bit: the rule has torch's float32 op order (one product, a clamp, one subtraction per coordinate)
classicParity('Rprop', Rprop, { atol: 0, rtol: 0 });

const hand = suite('Rprop: first steps by hand');

hand('the step size grows by η+ while the sign holds, and each coordinate moves by its step size, whatever |g|', () => {
  const θ = tensor([1, 1], { requiresGrad: true });
  const opt = new Rprop([θ], { lr: 0.1 });
  θ.grad = tensor([1000, -0.001]);
  opt.step(); // g_prev = 0: Γ stays 0.1; θ = θ - 0.1 sign(g) = [0.9, 1.1]
  assertClose(θ, [0.9, 1.1]);
  opt.step(); // same signs: Γ = 0.1 * 1.2 = 0.12; θ = [0.78, 1.22]
  assertClose(θ, [0.78, 1.22]);
  assertClose(opt.state.get(θ)!.stepSize as Float32Array, [0.12, 0.12]);
});

hand('a sign flip halves the step size and skips the move; the next step compares with 0 and keeps Γ', () => {
  const θ = tensor([0], { requiresGrad: true });
  const opt = new Rprop([θ], { lr: 0.1 });
  θ.grad = tensor([2]);
  opt.step(); // θ = -0.1, Γ = 0.1
  θ.grad = tensor([-3]);
  opt.step(); // g g_prev < 0: Γ = 0.05, g set to 0: θ stays -0.1, g_prev = 0
  assertClose(θ, [-0.1]);
  assert.equal(Array.from(opt.state.get(θ)!.prev as Float32Array), [0]);
  θ.grad = tensor([-3]);
  opt.step(); // g g_prev = 0: Γ stays 0.05; θ = -0.1 + 0.05
  assertClose(θ, [-0.05]);
});

hand('the step size is clamped to stepSizes', () => {
  const θ = tensor([0], { requiresGrad: true });
  const opt = new Rprop([θ], { lr: 1, etas: [0.5, 2], stepSizes: [0.3, 1.5] });
  θ.grad = tensor([1]);
  for (let i = 0; i < 3; i++) opt.step(); // Γ: 1, then min(2, 1.5), then 1.5
  assertClose(θ, [-4]);
  θ.grad = tensor([-1]);
  opt.step(); // Γ = 0.75
  θ.grad = tensor([1]);
  opt.step(); // Γ: g_prev was zeroed, stays 0.75
  θ.grad = tensor([-1]);
  opt.step();
  assertClose(opt.state.get(θ)!.stepSize as Float32Array, [0.375]);
  θ.grad = tensor([1]);
  opt.step(); // g_prev was zeroed: Γ stays 0.375
  θ.grad = tensor([-1]);
  opt.step(); // a flip: Γ = max(0.1875, 0.3)
  assertClose(opt.state.get(θ)!.stepSize as Float32Array, [0.3], {}, 'clamped below at 0.3');
});

hand.run();

const behaviour = suite('Rprop: behaviour, state dict and options');

behaviour('decreases a convex quadratic to near its minimum', () => {
  const θ = zeros([4], { requiresGrad: true });
  const opt = new Rprop([θ], { lr: 0.1 });
  const start = quadratic(θ).item();
  for (let i = 0; i < 100; i++) {
    opt.zeroGrad();
    quadratic(θ).backward();
    opt.step();
  }
  assert.ok(quadratic(θ).item() < start * 1e-4, `loss ${quadratic(θ).item()}`);
});

behaviour('a state dict saved mid-run (through JSON) continues bit for bit; its names are torch\'s in camelCase', () => {
  const run = (opt: Rprop, θ: ReturnType<typeof zeros>, from: number, to: number) => {
    for (let i = from; i < to; i++) {
      θ.grad = tensor([Math.sin(i), Math.cos(3 * i), 0.5 - (i % 3)]);
      opt.step();
    }
  };
  const a = zeros([3], { requiresGrad: true }), b = zeros([3], { requiresGrad: true });
  const optA = new Rprop([a], { lr: 0.05 });
  run(optA, a, 0, 6);
  const saved = JSON.parse(JSON.stringify(toJSONValue(optA.stateDict())));
  assert.equal(Object.keys(saved.state[0]), ['step', 'prev', 'stepSize']);
  assert.equal(saved.paramGroups[0], { lr: 0.05, etas: [0.5, 1.2], stepSizes: [1e-6, 50], maximize: false, params: [0] });
  b.data.set(a.data);
  const optB = new Rprop([b]);
  optB.loadStateDict(fromJSONValue(saved) as any);
  run(optA, a, 6, 12);
  run(optB, b, 6, 12);
  assert.equal(Array.from(b.data), Array.from(a.data));
  assert.throws(() => optB.loadStateDict({ ...saved, state: { 0: { step: 1, prev: [0, 0, 0] } } }), /Rprop.loadStateDict: expected the state of parameter 0 to hold step, prev, stepSize/);
});

behaviour('options are checked as PyTorch checks them', () => {
  const p = () => [tensor([1], { requiresGrad: true })];
  assert.throws(() => new Rprop(p(), { lr: -1 }), /Rprop: lr must be >= 0, got -1/);
  assert.throws(() => new Rprop(p(), { etas: [1.2, 0.5] }), /Rprop: etas\[0\] must be in \(0, 1\), got 1.2/);
  assert.throws(() => new Rprop(p(), { etas: [0.5, 1] }), /Rprop: etas\[1\] must be > 1, got 1/);
  assert.throws(() => new Rprop(p(), { etas: [0.5] as any }), /Rprop: expected etas to be a list of 2 numbers, got \[0.5\]/);
  assert.throws(() => new Rprop(p(), { stepSizes: [1e-6, NaN] }), /Rprop: expected stepSizes to be finite numbers/);
  assert.throws(() => new Rprop(p(), { step_sizes: [1, 2] } as any), /Rprop: unknown option 'step_sizes' \(known: lr, etas, stepSizes, maximize\)/);
});

behaviour('every value a step writes is within the update bound taken before it: { lr: 0.01 }', () => checkUpdateBound(Rprop, { lr: 0.01 }));

behaviour('every value a step writes is within the update bound taken before it: { lr: 0.5, etas: [0.3, 1.5], stepSizes: [1e-3, 20], maximize: true }', () => checkUpdateBound(Rprop, { lr: 0.5, etas: [0.3, 1.5], stepSizes: [1e-3, 20], maximize: true }));

behaviour.run();
