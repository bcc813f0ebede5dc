// NAdam, RAdam and Adamax: parity with PyTorch 1.13 over 25 steps on every backend (parameters after each step and
// the final state under its names), their first steps worked by hand, the convex-quadratic property, state dicts
// through JSON, param groups, option errors, and the bound each gives on what one step can write.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { NAdam, RAdam, Adamax, Adam, Tensor, Generator, tensor, zeros, toJSONValue, NonFiniteStepError } from '../../src/index.js';
import { assertClose, fixture, maxRelError } from '../helpers/assert.js';
import { availableBackends, backendLabel, withBackend } from '../helpers/backends.js';
import { type Ctor, type FedCase, caseLabel, feedCase, checkState, checkResume, checkUpdateBound, quadratic } from './helpers.js';

const OPTIMIZERS: Record<string, Ctor> = { NAdam, RAdam, Adamax };
const f = Math.fround;

const parity = suite('NAdam, RAdam and Adamax match PyTorch 1.13 over 25 steps');
const { cases } = fixture<{ cases: FedCase[] }>('optim-adam-family.json');
const worst: Record<string, number> = {};

// on the wasm backend the three run as its SIMD kernels (test/optim/kernels.test.ts: the loops' bits), elsewhere as
// the optimizers' own loops
for (const backend of availableBackends()) for (const c of cases) {
  parity(`${backendLabel(backend)}: ${c.name} ${caseLabel(c)}: parameters after every step and the final state equal torch's`, () => withBackend(backend, () => {
    // The update follows torch's float32 op order, fused multiply-adds included; the residue is a rare
    // double rounding in the emulated fusions and float64 pow's last bit, a few ulp that 25 steps keep within 1e-5.
    const opt = feedCase(OPTIMIZERS[c.name], c, { atol: 1e-6, rtol: 1e-5 }, (actual, expected) => {
      worst[c.name] = Math.max(worst[c.name] ?? 0, maxRelError(actual, expected));
    });
    checkState(opt, c, { atol: 1e-6, rtol: 1e-5 }, { atol: 0, rtol: 1e-6 });
  }));
}
parity.after(() => {
  if (process.env.LRLAB_VERBOSE) console.log('\n  worst relative error per optimizer:', worst);
});
parity.run();

// ---------------------------------------------------------------------------------------------------------------
const hand = suite('NAdam, RAdam and Adamax: first steps by hand');

hand('NAdam: on step 1 d = |g| + ε, so θ moves by η (1 + (1 - β1) μ2 / (1 - μ1 μ2)) against the gradient', () => {
  // μ1 = 0.9 (1 - ½ 0.96^0.004) = 0.450073, μ2 = 0.9 (1 - ½ 0.96^0.008) = 0.450147, Π1 = μ1.
  // m = 0.1 g, v = 0.001 g², d = sqrt(v) / sqrt(0.001) + ε = |g| + ε.
  // θ = θ - η (1 - μ1) / (1 - μ1) · g / |g| - η μ2 / (1 - μ1 μ2) · 0.1 g / |g| = θ - 1.056452 η sign(g)
  const μ1 = 0.9 * (1 - 0.5 * 0.96 ** 0.004), μ2 = 0.9 * (1 - 0.5 * 0.96 ** 0.008);
  const move = 0.1 * (1 + (0.1 * μ2) / (1 - μ1 * μ2));
  assertClose(move, 0.1056452, { rtol: 1e-6 });
  const θ = tensor([1, 1], { requiresGrad: true });
  const opt = new NAdam([θ], { lr: 0.1 });
  θ.grad = tensor([2, -0.5]);
  opt.step();
  assertClose(θ, [1 - move, 1 + move], { rtol: 1e-6 });
  assert.is(opt.state.get(θ)!.muProduct, f(μ1));
});

hand('NAdam: Π is the product of μ_1..μ_t (the fixed formula), and step 2 divides the m term by 1 - Π μ_3', () => {
  // With the same g each step: m = 0.19 g, v = 0.001999 g², and sqrt(1 - 0.999²) = sqrt(0.001999), so d = |g| + ε.
  // θ moves by η (1 - μ2) / (1 - μ1 μ2) + η μ3 / (1 - μ1 μ2 μ3) · 0.19 (PyTorch 1.13's single-tensor code would
  // use 1 - μ1 μ2 μ2 μ3 in the second denominator).
  const μ = (t: number) => 0.9 * (1 - 0.5 * 0.96 ** (t * 0.004));
  const θ = tensor([0], { requiresGrad: true });
  const opt = new NAdam([θ], { lr: 0.1 });
  θ.grad = tensor([3]);
  opt.step();
  const after1 = θ.data[0];
  opt.step();
  const Π2 = f(f(μ(1)) * f(μ(2)));
  assert.is(opt.state.get(θ)!.muProduct, Π2);
  const move = 0.1 * ((1 - μ(2)) / (1 - Π2)) + ((0.1 * μ(3)) / (1 - Π2 * μ(3))) * 0.19;
  assertClose(after1 - θ.data[0], move, { rtol: 1e-5 });
  const buggy = 0.1 * ((1 - μ(2)) / (1 - Π2)) + ((0.1 * μ(3)) / (1 - Π2 * μ(2) * μ(3))) * 0.19;
  assert.ok(Math.abs(after1 - θ.data[0] - buggy) > 1e-4, 'the single-tensor formula of PyTorch 1.13 gives a visibly different step');
});

hand('RAdam: while ρ_t ≤ 5 (steps 1 to 5 with β2 = 0.999) the step is η m̂, plain momentum with bias correction', () => {
  // step 1: m̂ = g, θ = 1 - 0.1 · 2 = 0.8; step 2 with the same g: m̂ = g again, θ = 0.6
  const θ = tensor([1], { requiresGrad: true });
  const opt = new RAdam([θ], { lr: 0.1 });
  θ.grad = tensor([2]);
  opt.step();
  assertClose(θ, [0.8], { rtol: 1e-6 });
  opt.step();
  assertClose(θ, [0.6], { rtol: 1e-6 });
});

hand('RAdam: from step 6 the adaptive step is scaled by the rectification r_t', () => {
  // With a constant g, m̂ = g and sqrt(v̂) = |g|, so the rectified step is η r_t sign(g) (ε aside).
  // ρ∞ = 1999, ρ_6 = 1999 - 12 · 0.999^6 / (1 - 0.999^6) = 5.994, r_6 = sqrt(1.994 · 3.994 · 1999 / (1995 · 1997 · 5.994)) = 0.02582:
  // the first rectified step is small, and r_t grows toward 1 as ρ_t does
  const ρInf = 1999, ρ6 = ρInf - (12 * 0.999 ** 6) / (1 - 0.999 ** 6);
  const r6 = Math.sqrt(((ρ6 - 4) * (ρ6 - 2) * ρInf) / ((ρInf - 4) * (ρInf - 2) * ρ6));
  assertClose(r6, 0.025821, { rtol: 1e-4 });
  const θ = tensor([0], { requiresGrad: true });
  const opt = new RAdam([θ], { lr: 0.1 });
  θ.grad = tensor([-4]);
  for (let i = 0; i < 5; i++) opt.step();
  // five momentum steps of η m̂ = -0.4 (not scale-free: the step is as large as the gradient)
  assertClose(θ, [2], { rtol: 1e-5 });
  opt.step();
  assertClose(θ, [2 + 0.1 * r6], { rtol: 1e-5 });
});

hand('Adamax: on step 1 u = |g| + ε and m̂ = g, so θ moves by η sign(g); u then decays by β2 or follows |g|', () => {
  const θ = tensor([1, 1], { requiresGrad: true });
  const opt = new Adamax([θ], { lr: 0.1 });
  θ.grad = tensor([1000, -0.001]);
  opt.step(); // θ = 1 - (0.1 / 0.1) · 0.1 g / (|g| + ε)
  assertClose(θ, [0.9, 1.1], { rtol: 1e-5 });
  θ.grad = tensor([10, -0.002]);
  opt.step(); // u = max(0.999 · 1000, 10) = 999 and max(0.999 · 0.001, 0.002) = 0.002
  assertClose(opt.state.get(θ)!.expInf as Float32Array, [999, 0.002], { rtol: 1e-6 });
  // m = 0.9 · 100 + 1 = 91 and 0.9 · -1e-4 - 2e-4 = -2.9e-4; θ -= (0.1 / 0.19) m / u
  assertClose(θ, [0.9 - (0.1 / 0.19) * (91 / 999), 1.1 + (0.1 / 0.19) * (2.9e-4 / 0.002)], { rtol: 1e-5 });
});

hand.run();

// ---------------------------------------------------------------------------------------------------------------
const property = suite('NAdam, RAdam and Adamax: properties');

for (const [name, make] of [
  ['NAdam', (p: Tensor[]) => new NAdam(p, { lr: 0.1 })],
  ['RAdam', (p: Tensor[]) => new RAdam(p, { lr: 0.1 })],
  ['Adamax', (p: Tensor[]) => new Adamax(p, { lr: 0.1 })],
  ['Adamax maximize (of -f)', (p: Tensor[]) => new Adamax(p, { lr: 0.1, maximize: true })],
] as const) {
  property(`${name} decreases a convex quadratic to near its minimum`, () => {
    const θ = zeros([4], { requiresGrad: true });
    const opt = make([θ]);
    const up = name.includes('maximize');
    const start = quadratic(θ).item();
    for (let i = 0; i < 300; i++) {
      opt.zeroGrad();
      (up ? quadratic(θ).neg() : quadratic(θ)).backward();
      opt.step();
    }
    const end = quadratic(θ).item();
    assert.ok(end < start * 0.01, `${name}: loss went from ${start} to ${end}`);
  });
}

property('with ρ∞ ≤ 5 (β2 = 0.5) RAdam never rectifies: it is bias-corrected momentum SGD for good', () => {
  const a = tensor([2, -1], { requiresGrad: true });
  const opt = new RAdam([a], { lr: 0.05, betas: [0.9, 0.5] });
  const g = new Generator(5);
  let m = [0, 0];
  const expected = [2, -1];
  for (let t = 1; t <= 40; t++) {
    const grad = [g.normal(), g.normal()];
    a.grad = tensor(grad);
    opt.step();
    m = m.map((mi, i) => 0.9 * mi + 0.1 * grad[i]);
    for (let i = 0; i < 2; i++) expected[i] -= (0.05 * m[i]) / (1 - 0.9 ** t);
  }
  assertClose(a, expected, { rtol: 1e-4, atol: 1e-5 });
});

property.run();

// ---------------------------------------------------------------------------------------------------------------
const state = suite('NAdam, RAdam and Adamax: state dicts and param groups');

for (const [name, make, keys] of [
  ['NAdam', (p: Tensor[]) => new NAdam(p, { lr: 0.01, weightDecay: 0.01 }), ['step', 'muProduct', 'expAvg', 'expAvgSq']],
  ['RAdam', (p: Tensor[]) => new RAdam(p, { lr: 0.01 }), ['step', 'expAvg', 'expAvgSq']],
  ['Adamax', (p: Tensor[]) => new Adamax(p, { lr: 0.01, maximize: false }), ['step', 'expAvg', 'expInf']],
] as const) {
  state(`${name}: model + optimizer state saved mid-run (through JSON) continue bit for bit; state names are ${keys.join(', ')}`, () => {
    // 7 steps before the save: past RAdam's threshold, so both of its branches run
    checkResume(make, 7, (opt) => assert.equal(Object.keys(opt.stateDict().state[0]), [...keys]));
  });
}

state('NAdam.loadStateDict checks muProduct (a number in [0, 1]) and changes nothing on a bad dict', () => {
  const a = tensor([1, 2], { requiresGrad: true }), b = tensor([3], { requiresGrad: true });
  const opt = new NAdam([a, b], { lr: 0.1 });
  a.grad = tensor([1, -1]);
  b.grad = tensor([0.5]);
  opt.step();
  const good = JSON.parse(JSON.stringify(opt.stateDict(), (_k, v) => (v instanceof Float32Array ? Array.from(v) : v)));
  const before = JSON.stringify(toJSONValue(opt.stateDict()));
  const cases: [unknown, RegExp][] = [
    [{ ...good, state: { ...good.state, 1: { ...good.state[1], muProduct: 1.5 } } }, /NAdam.loadStateDict: expected 'muProduct' of parameter 1 to be a number in \[0, 1\], got 1.5/],
    [{ ...good, state: { ...good.state, 0: { ...good.state[0], muProduct: '0.4' } } }, /expected 'muProduct' of parameter 0 to be a number in \[0, 1\], got "0.4"/],
    [{ ...good, state: { ...good.state, 0: { ...good.state[0], muProduct: NaN } } }, /expected 'muProduct' of parameter 0 to be a number in \[0, 1\], got NaN/],
    [{ ...good, state: { ...good.state, 0: { ...good.state[0], step: 1.5 } } }, /expected 'step' of parameter 0 to be a non-negative integer, got 1.5/],
    [{ ...good, state: { ...good.state, 0: { step: 1, expAvg: [0, 0], expAvgSq: [0, 0] } } }, /expected the state of parameter 0 to hold step, muProduct, expAvg, expAvgSq, got step, expAvg, expAvgSq/],
    [{ ...good, paramGroups: [{ ...good.paramGroups[0], momentumDecay: -1 }] }, /NAdam: momentumDecay must be >= 0, got -1/],
    [new Adam([tensor([1, 2], { requiresGrad: true }), tensor([3], { requiresGrad: true })]).stateDict(), /NAdam.loadStateDict: group 0: unknown option 'amsgrad'/],
    [null, /NAdam.loadStateDict: expected \{ state, paramGroups \}, got null/],
  ];
  for (const [dict, message] of cases) {
    assert.throws(() => opt.loadStateDict(dict as never), message);
    assert.is(JSON.stringify(toJSONValue(opt.stateDict())), before, String(message));
  }
  // a good dict with its parameters listed in another order across groups still lands on the right parameters
  const two = new NAdam([{ params: [a] }, { params: [b], lr: 0.5 }]);
  two.loadStateDict({ state: { 0: good.state[1], 1: good.state[0] }, paramGroups: [{ ...good.paramGroups[0], params: [1] }, { ...good.paramGroups[0], params: [0] }] });
  assert.is(two.state.get(b)!.muProduct, good.state[1].muProduct);
  assert.equal(Array.from(two.state.get(a)!.expAvg as Float32Array), good.state[0].expAvg);
});

state('param groups keep their own options: momentumDecay per group in NAdam, lr per group in Adamax', () => {
  const a = tensor([1], { requiresGrad: true }), b = tensor([1], { requiresGrad: true });
  const opt = new NAdam([{ params: [a] }, { params: [b], momentumDecay: 0.5 }], { lr: 0.1 });
  assert.equal(opt.paramGroups.map((g) => g.momentumDecay), [4e-3, 0.5]);
  a.grad = tensor([1]);
  b.grad = tensor([1]);
  opt.step();
  const μ = (ψ: number, t: number) => 0.9 * (1 - 0.5 * 0.96 ** (t * ψ));
  assert.is(opt.state.get(b)!.muProduct, f(μ(0.5, 1)));
  const x = tensor([1], { requiresGrad: true }), y = tensor([1], { requiresGrad: true });
  const adamax = new Adamax([{ params: [x], lr: 0.5 }, { params: [y] }], { lr: 0.1 });
  x.grad = tensor([1]);
  y.grad = tensor([1]);
  adamax.step();
  assertClose(x, [0.5], { rtol: 1e-6 });
  assertClose(y, [0.9], { rtol: 1e-6 });
});

state.run();

// ---------------------------------------------------------------------------------------------------------------
const errors = suite('NAdam, RAdam and Adamax: options as PyTorch 1.13 has them, validated as it does');

errors('defaults are torch.optim 1.13\'s', () => {
  const p = () => [tensor([1], { requiresGrad: true })];
  assert.equal(new NAdam(p()).defaults, { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, momentumDecay: 4e-3 });
  assert.equal(new RAdam(p()).defaults, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 });
  assert.equal(new Adamax(p()).defaults, { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maximize: false });
});

errors('each range PyTorch checks is refused with the option and the value named', () => {
  const p = () => [tensor([1], { requiresGrad: true })];
  for (const [name, Make] of Object.entries(OPTIMIZERS)) {
    assert.throws(() => new Make(p(), { lr: -1 }), new RegExp(`^${name}: lr must be >= 0, got -1$`));
    assert.throws(() => new Make(p(), { eps: -1e-8 }), new RegExp(`^${name}: eps must be >= 0, got -1e-8$`));
    assert.throws(() => new Make(p(), { betas: [1, 0.999] }), new RegExp(`^${name}: betas\\[0\\] must be in \\[0, 1\\), got 1$`));
    assert.throws(() => new Make(p(), { betas: [0.9, -0.1] }), new RegExp(`^${name}: betas\\[1\\] must be in \\[0, 1\\), got -0.1$`));
    assert.throws(() => new Make(p(), { weightDecay: -0.1 }), new RegExp(`^${name}: weightDecay must be >= 0, got -0.1$`));
    assert.throws(() => new Make(p(), { betas: [0.9] }), new RegExp(`^${name}: expected betas to be a list of 2 numbers, got \\[0.9\\]$`));
    assert.throws(() => new Make(p(), { lr: Infinity }), (e: Error) => e instanceof RangeError && e.message === `${name}: expected lr to be a finite number, got Infinity`);
    assert.throws(() => new Make(p(), { lr: '0.1' }), (e: Error) => e instanceof TypeError && e.message === `${name}: expected lr to be a number, got "0.1"`);
    assert.throws(() => new Make([{ params: p(), lr: -1 }]), new RegExp(`^${name}: lr must be >= 0, got -1$`));
  }
  assert.throws(() => new NAdam(p(), { momentumDecay: -0.004 }), /^NAdam: momentumDecay must be >= 0, got -0.004$/);
  // PyTorch 1.13's NAdam and RAdam have no maximize (RAdam's decoupled decay came in 2.0); Adamax has maximize
  assert.throws(() => new NAdam(p(), { maximize: true } as any), /^NAdam: unknown option 'maximize' \(known: lr, betas, eps, weightDecay, momentumDecay\)$/);
  assert.throws(() => new RAdam(p(), { amsgrad: true } as any), /^RAdam: unknown option 'amsgrad' \(known: lr, betas, eps, weightDecay\)$/);
  assert.throws(() => new Adamax(p(), { maximize: 1 } as any), /^Adamax: expected maximize to be a boolean, got 1$/);
});

errors('a NaN gradient throws before any parameter or state changes', () => {
  for (const [name, Make] of Object.entries(OPTIMIZERS)) {
    const a = tensor([1, 2], { requiresGrad: true }), b = tensor([3], { requiresGrad: true });
    const opt = new Make([a, b]);
    a.grad = tensor([0.5, 0.5]);
    b.grad = tensor([NaN]);
    assert.throws(() => opt.step(), new RegExp(`^${name}.step: expected finite gradients, got NaN in group 0 param 1 \\[1\\] at index 0; no parameter was changed$`));
    assert.equal(Array.from(a.data), [1, 2]);
    assert.is(opt.state.size, 0);
  }
});

errors('a step that would overflow throws NonFiniteStepError and leaves parameters and state as they were', () => {
  for (const [name, Make] of Object.entries(OPTIMIZERS)) {
    const w = tensor([1, -1], { requiresGrad: true });
    const opt = new Make([w], { lr: 0.1 });
    w.grad = tensor([0.5, -0.5]);
    opt.step();
    const before = JSON.stringify(toJSONValue(opt.stateDict().state)), weights = Array.from(w.data);
    opt.paramGroups[0].lr = 1e39; // finite in float64, infinite in float32
    assert.throws(() => opt.step(), (e: Error) => e instanceof NonFiniteStepError && e.message.startsWith(`${name}.step: expected the update to keep parameters finite`));
    assert.equal(Array.from(w.data), weights);
    assert.is(JSON.stringify(toJSONValue(opt.stateDict().state)), before);
  }
});

errors.run();

// ---------------------------------------------------------------------------------------------------------------
const bounds = suite('NAdam, RAdam and Adamax: every value a step writes is within the bound taken before it');

const BOUND_CASES: [string, Ctor, Record<string, unknown>][] = [
  ['NAdam', NAdam, { lr: 0.01 }],
  ['NAdam', NAdam, { lr: 0.5, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.1, momentumDecay: 0.5 }],
  ['RAdam', RAdam, { lr: 0.01 }],
  ['RAdam', RAdam, { lr: 0.5, betas: [0.5, 0.9], eps: 1e-6, weightDecay: 0.1 }],
  ['Adamax', Adamax, { lr: 0.01 }],
  ['Adamax', Adamax, { lr: 0.5, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.1, maximize: true }],
];

for (const [name, Opt, options] of BOUND_CASES) {
  bounds(`${name} ${JSON.stringify(options)}, over 8 steps (RAdam past its threshold) at three scales`, () => checkUpdateBound(Opt, options, 8));
}

bounds('eps 0 gives no bound where the rule divides by sqrt(v) + eps or u', () => {
  const p = () => [tensor([1], { requiresGrad: true })];
  for (const opt of [new NAdam(p(), { eps: 0 }), new Adamax(p(), { eps: 0 })]) {
    assert.is((opt as any).updateBound(1, opt.paramGroups[0], (opt as any).initState(opt.paramGroups[0].params[0])), Infinity);
  }
  const radam = new RAdam(p(), { eps: 0 });
  const s = (radam as any).initState(radam.paramGroups[0].params[0]);
  assert.ok(Number.isFinite((radam as any).updateBound(1, radam.paramGroups[0], s)), 'step 1 is not rectified: no division');
  s.step = 5;
  assert.is((radam as any).updateBound(1, radam.paramGroups[0], s), Infinity);
});

bounds.run();
