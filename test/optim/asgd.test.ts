// ASGD against PyTorch 1.13 (fed gradients, every backend), its first steps by hand, its state dict and options.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ASGD, tensor, zeros, toJSONValue, fromJSONValue } from '../../src/index.js';
import { assertClose } from '../helpers/assert.js';
import { classicParity, checkUpdateBound, quadratic } from './helpers.js';

// bit for bit: the update follows torch's float32 op order, its add-with-alpha as one fused multiply-add (the
// product of two float32 values is exact in float64, so rounding the float64 sum to float32 gives the fused
// result, but for rare double roundings that these runs do not meet)
classicParity('ASGD', ASGD, { atol: 0, rtol: 0 });

const hand = suite('ASGD: first steps by hand');

hand('with μ = 1 (step <= t0) ax follows θ; η decays as lr / (1 + λ lr t)^α', () => {
  const θ = tensor([1], { requiresGrad: true });
  const opt = new ASGD([θ], { lr: 0.1, lambd: 0.5, alpha: 1, t0: 1 });
  θ.grad = tensor([2]);
  opt.step(); // θ = 1 (1 - 0.5 * 0.1) - 0.1 * 2 = 0.75; ax = θ; η = 0.1 / (1 + 0.05) ; μ = 1 / max(1, 1 - 1) = 1
  assertClose(θ, [0.75]);
  let s = opt.state.get(θ)!;
  assertClose(s.ax as Float32Array, [0.75]);
  assertClose(s.eta as number, 0.1 / 1.05);
  assert.is(s.mu, 1);
  θ.grad = tensor([2]);
  opt.step(); // η = 0.1/1.05: θ = 0.75 (1 - 0.5 η) - 2 η; μ was 1, so ax = θ again; now μ = 1 / (2 - 1) = 1
  const η = 0.1 / 1.05, θ2 = 0.75 * (1 - 0.5 * η) - 2 * η;
  assertClose(θ, [θ2]);
  θ.grad = tensor([2]);
  opt.step(); // μ = 1 still (1 / max(1, 2 - 1)); after this step μ = 1 / (3 - 1) = 0.5
  s = opt.state.get(θ)!;
  assert.is(s.mu, 0.5);
  const ax = (s.ax as Float32Array)[0];
  θ.grad = tensor([2]);
  opt.step(); // now the average moves halfway: ax = ax + 0.5 (θ - ax)
  assertClose((s.ax as Float32Array)[0], ax + 0.5 * (θ.data[0] - ax), { rtol: 1e-6 });
});

hand('weight decay is L2 added to the gradient', () => {
  const a = tensor([1], { requiresGrad: true }), b = tensor([1], { requiresGrad: true });
  const withDecay = new ASGD([a], { lr: 0.1, lambd: 0, weightDecay: 0.5 }), plain = new ASGD([b], { lr: 0.1, lambd: 0 });
  a.grad = tensor([0]);
  b.grad = tensor([0.5]); // g + λθ = 0.5 for a
  withDecay.step();
  plain.step();
  assert.equal(Array.from(a.data), Array.from(b.data));
  assertClose(a, [0.95]);
});

hand.run();

const behaviour = suite('ASGD: behaviour, state dict and options');

behaviour('decreases a convex quadratic to near its minimum, and its average ax follows', () => {
  const θ = zeros([4], { requiresGrad: true });
  const opt = new ASGD([θ], { lr: 0.05, t0: 100 });
  const start = quadratic(θ).item();
  for (let i = 0; i < 300; i++) {
    opt.zeroGrad();
    quadratic(θ).backward();
    opt.step();
  }
  assert.ok(quadratic(θ).item() < start * 0.01, `loss ${quadratic(θ).item()}`);
  const ax = tensor(Array.from(opt.state.get(θ)!.ax as Float32Array));
  assert.ok(quadratic(ax).item() < start * 0.01, `loss at ax ${quadratic(ax).item()}`);
});

behaviour('a state dict saved mid-run (through JSON) continues bit for bit, eta and mu included', () => {
  const run = (opt: ASGD, θ: ReturnType<typeof zeros>, from: number, to: number) => {
    for (let i = from; i < to; i++) {
      θ.grad = tensor([Math.sin(i), Math.cos(3 * i)]);
      opt.step();
    }
  };
  const options = { lr: 0.05, lambd: 0.01, t0: 3, weightDecay: 0.01 };
  const a = zeros([2], { requiresGrad: true }), b = zeros([2], { requiresGrad: true });
  const optA = new ASGD([a], options);
  run(optA, a, 0, 6);
  const saved = JSON.parse(JSON.stringify(toJSONValue(optA.stateDict())));
  assert.equal(Object.keys(saved.state[0]), ['step', 'eta', 'mu', 'ax']);
  assert.ok(saved.state[0].mu < 1 && !Number.isInteger(saved.state[0].eta));
  b.data.set(a.data);
  const optB = new ASGD([b], options);
  optB.loadStateDict(fromJSONValue(saved) as any);
  run(optA, a, 6, 12);
  run(optB, b, 6, 12);
  assert.equal(Array.from(b.data), Array.from(a.data));
  assert.equal(optB.stateDict(), optA.stateDict());
  const bad = (s: object) => ({ ...saved, state: { 0: { ...saved.state[0], ...s } } });
  assert.throws(() => optB.loadStateDict(bad({ eta: -1 })), /ASGD.loadStateDict: expected 'eta' of parameter 0 to be a finite number >= 0, got -1/);
  assert.throws(() => optB.loadStateDict(bad({ mu: 2 })), /ASGD.loadStateDict: expected 'mu' of parameter 0 to be a number in \(0, 1\], got 2/);
  assert.throws(() => optB.loadStateDict(bad({ step: 1.5 })), /ASGD.loadStateDict: expected 'step' of parameter 0 to be a non-negative integer, got 1.5/);
  assert.throws(() => optB.loadStateDict({ ...saved, state: { 0: { step: 1, ax: [0, 0] } } }), /expected the state of parameter 0 to hold step, eta, mu, ax/);
  assert.equal(optB.stateDict(), optA.stateDict(), 'failed loads changed nothing');
});

behaviour('options are checked as PyTorch checks them', () => {
  const p = () => [tensor([1], { requiresGrad: true })];
  assert.throws(() => new ASGD(p(), { lr: -1 }), /ASGD: lr must be >= 0, got -1/);
  assert.throws(() => new ASGD(p(), { weightDecay: -0.1 }), /ASGD: weightDecay must be >= 0, got -0.1/);
  assert.throws(() => new ASGD(p(), { lambda: 0.1 } as any), /ASGD: unknown option 'lambda' \(known: lr, lambd, alpha, t0, weightDecay, maximize\)/);
  assert.equal(new ASGD(p()).defaults, { lr: 1e-2, lambd: 1e-4, alpha: 0.75, t0: 1e6, weightDecay: 0, maximize: false });
});

behaviour('every value a step writes is within the update bound taken before it: {}', () => checkUpdateBound(ASGD, {}));

behaviour('every value a step writes is within the update bound taken before it: { lr: 0.05, lambd: 0.5, alpha: 0.5, t0: 3, weightDecay: 0.1, maximize: true }', () => checkUpdateBound(ASGD, { lr: 0.05, lambd: 0.5, alpha: 0.5, t0: 3, weightDecay: 0.1, maximize: true }));

behaviour.run();
