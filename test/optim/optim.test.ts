import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta, Optimizer, Tensor, tensor, zeros, mul, clipGradNorm, clipGradValue,
  toJSONValue,
} from '../../src/index.js';
import { assertClose, fixture, maxRelError } from '../helpers/assert.js';
import { availableBackends, backendLabel, withBackend } from '../helpers/backends.js';
import { type Ctor, type FedCase, caseLabel, feedCase, checkResume, quadratic } from './helpers.js';

const OPTIMIZERS: Record<string, Ctor> = { SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta };

const parity = suite('optimizers match PyTorch over 25 steps');
const { cases } = fixture<{ cases: FedCase[] }>('optim.json');
const worst: Record<string, number> = {};

// the update runs in the backend's kernel where it has one (wasm), else in the optimizer's own loop
for (const backend of availableBackends()) for (const c of cases) {
  parity(`${backendLabel(backend)}: ${c.name} ${caseLabel(c)}: parameters after every step equal torch's`, () => withBackend(backend, () => {
    // The update follows torch's float32 op order; the residue is torch's vectorized kernels fusing some
    // multiply-adds (one rounding instead of two), a few ulp that 25 steps do not grow beyond 1e-5.
    feedCase(OPTIMIZERS[c.name], c, { atol: 1e-6, rtol: 1e-5 }, (actual, expected) => {
      worst[c.name] = Math.max(worst[c.name] ?? 0, maxRelError(actual, expected));
    });
  }));
}
parity.after(() => {
  if (process.env.LRLAB_VERBOSE) console.log('\n  worst relative error per optimizer:', worst);
});
parity.run();

// ---------------------------------------------------------------------------------------------------------------
const hand = suite('optimizers: first steps by hand');

hand('SGD: θ = θ - η g; with momentum the first buffer is g itself, then b = μ b + g', () => {
  const θ = tensor([1], { requiresGrad: true });
  const opt = new SGD([θ], { lr: 0.1, momentum: 0.9 });
  θ.grad = tensor([2]);
  opt.step(); // b = 2, θ = 1 - 0.1 * 2 = 0.8
  assertClose(θ, [0.8]);
  opt.step(); // b = 0.9 * 2 + 2 = 3.8, θ = 0.8 - 0.38 = 0.42
  assertClose(θ, [0.42]);
});

hand('Adam: the first step moves every coordinate by about lr, whatever the gradient scale', () => {
  // m = 0.1 g, v = 0.001 g^2; m̂ = g, v̂ = g^2, so θ moves by lr * g / (|g| + eps) = lr * sign(g)
  const θ = tensor([0, 0], { requiresGrad: true });
  const opt = new Adam([θ], { lr: 0.01 });
  θ.grad = tensor([1000, -0.001]);
  opt.step();
  assertClose(θ, [-0.01, 0.01], { rtol: 1e-4 });
});

hand('AdamW decays the weight by (1 - lr λ) before the Adam step; Adam adds λθ to the gradient instead', () => {
  const a = tensor([1], { requiresGrad: true }), b = tensor([1], { requiresGrad: true });
  const adamw = new AdamW([a], { lr: 0.1, weightDecay: 0.5 }), adam = new Adam([b], { lr: 0.1, weightDecay: 0.5 });
  a.grad = tensor([0]);
  b.grad = tensor([0]);
  adamw.step(); // θ = 1 * (1 - 0.05) = 0.95, then m = 0: no Adam move
  adam.step(); // g = 0 + 0.5 * 1: the Adam step moves θ by lr
  assertClose(a, [0.95]);
  assertClose(b, [0.9], { rtol: 1e-6 });
});

hand('Adagrad: θ = θ - η g / sqrt(g^2) on the first step', () => {
  const θ = tensor([1], { requiresGrad: true });
  const opt = new Adagrad([θ], { lr: 0.5 });
  θ.grad = tensor([4]);
  opt.step();
  assertClose(θ, [0.5], { rtol: 1e-6 });
});

hand.run();

// ---------------------------------------------------------------------------------------------------------------
const property = suite('optimizers: properties');

const CONFIGS: [string, (p: Tensor[]) => Optimizer<any>][] = [
  ['SGD', (p) => new SGD(p, { lr: 0.05 })],
  ['SGD nesterov', (p) => new SGD(p, { lr: 0.02, momentum: 0.9, nesterov: true })],
  ['Adam', (p) => new Adam(p, { lr: 0.1 })],
  ['Adam amsgrad', (p) => new Adam(p, { lr: 0.1, amsgrad: true })],
  ['AdamW', (p) => new AdamW(p, { lr: 0.1, weightDecay: 0 })],
  ['RMSprop centered', (p) => new RMSprop(p, { lr: 0.01, centered: true, momentum: 0.5 })],
  ['Adagrad', (p) => new Adagrad(p, { lr: 0.5 })],
  ['Adadelta', (p) => new Adadelta(p, { lr: 10 })],
];

for (const [name, make] of CONFIGS) {
  property(`${name} decreases a convex quadratic to near its minimum`, () => {
    const θ = zeros([4], { requiresGrad: true });
    const opt = make([θ]);
    const start = quadratic(θ).item();
    for (let i = 0; i < 300; i++) {
      opt.zeroGrad();
      quadratic(θ).backward();
      opt.step();
    }
    const end = quadratic(θ).item();
    assert.ok(end < start * 0.01, `${name}: loss went from ${start} to ${end}`);
  });
}

property('maximize climbs: -f is increased exactly as f is decreased without it', () => {
  const a = zeros([4], { requiresGrad: true }), b = zeros([4], { requiresGrad: true });
  const down = new Adam([a], { lr: 0.1 }), up = new Adam([b], { lr: 0.1, maximize: true });
  for (let i = 0; i < 10; i++) {
    down.zeroGrad();
    up.zeroGrad();
    quadratic(a).backward();
    quadratic(b).neg().backward();
    down.step();
    up.step();
  }
  assert.equal(Array.from(b.data), Array.from(a.data));
});

property.run();

// ---------------------------------------------------------------------------------------------------------------
const state = suite('optimizers: state dicts and param groups');

for (const [name, make] of [
  ['Adam amsgrad', (p: Tensor[]) => new Adam(p, { lr: 0.01, amsgrad: true })],
  ['SGD momentum', (p: Tensor[]) => new SGD(p, { lr: 0.01, momentum: 0.9 })],
  ['RMSprop centered', (p: Tensor[]) => new RMSprop(p, { lr: 0.001, centered: true, momentum: 0.9 })],
  ['Adadelta', (p: Tensor[]) => new Adadelta(p)],
  ['Adagrad', (p: Tensor[]) => new Adagrad(p, { lrDecay: 0.1 })],
  ['AdamW', (p: Tensor[]) => new AdamW(p)],
] as const) {
  state(`${name}: model + optimizer state saved mid-run (through JSON) continue bit for bit`, () => checkResume(make, 5));
}

state('loadStateDict with the wrong number of groups, parameters or buffer sizes throws and changes nothing', () => {
  const a = tensor([1, 2], { requiresGrad: true }), b = tensor([3], { requiresGrad: true });
  const opt = new Adam([a, b], { lr: 0.1 });
  a.grad = tensor([1, 1]);
  b.grad = tensor([1]);
  opt.step();
  const good = opt.stateDict();
  const before = JSON.stringify(toJSONValue(opt.stateDict()));
  assert.throws(() => opt.loadStateDict({ ...good, paramGroups: [...good.paramGroups, good.paramGroups[0]] }), /Adam.loadStateDict: expected 1 param group\(s\), got 2/);
  assert.throws(() => opt.loadStateDict({ ...good, paramGroups: [{ ...good.paramGroups[0], params: [0] }] }), /expected group 0 to have 2 parameter\(s\), got 1/);
  assert.throws(() => opt.loadStateDict({ ...good, state: { ...good.state, 1: { ...good.state[1], expAvg: new Float32Array(5) } } }), /expected 'expAvg' of parameter 1 to have 1 values \(shape \[1\]\), got 5/);
  assert.throws(() => opt.loadStateDict({ ...good, paramGroups: [{ ...good.paramGroups[0], betas: [1.5, 0.9] }] }), /Adam: betas\[0\] must be in \[0, 1\), got 1.5/);
  assert.throws(() => opt.loadStateDict(null as never), /Adam.loadStateDict: expected \{ state, paramGroups \}, got null/);
  assert.is(JSON.stringify(toJSONValue(opt.stateDict())), before);
});

state('param groups: per-group options override the defaults; schedulers can write lr per group', () => {
  const a = tensor([1], { requiresGrad: true }), b = tensor([1], { requiresGrad: true });
  const opt = new SGD([{ params: [a] }, { params: [b], lr: 0.5 }], { lr: 0.1 });
  assert.equal(opt.paramGroups.map((g) => g.lr), [0.1, 0.5]);
  a.grad = tensor([1]);
  b.grad = tensor([1]);
  opt.step();
  assertClose(a, [0.9]);
  assertClose(b, [0.5]);
  opt.paramGroups[0].lr = 0;
  opt.step();
  assertClose(a, [0.9]);
  assert.throws(() => opt.addParamGroup({ params: [a] }), /SGD: params\[0\] already appears in another param group/);
});

state.run();

// ---------------------------------------------------------------------------------------------------------------
const errors = suite('optimizers: bad options and bad gradients');

errors('constructors validate options as PyTorch does, naming the option and the value', () => {
  const p = [tensor([1], { requiresGrad: true })];
  assert.throws(() => new Adam(p, { betas: [1.2, 0.999] }), /Adam: betas\[0\] must be in \[0, 1\), got 1.2/);
  assert.throws(() => new Adam(p, { lr: -1 }), /Adam: lr must be >= 0, got -1/);
  assert.throws(() => new AdamW(p, { eps: -1e-8 }), /AdamW: eps must be >= 0, got -1e-8/);
  assert.throws(() => new SGD(p, { nesterov: true }), /SGD: nesterov must be used with momentum > 0 and dampening 0, got true/);
  assert.throws(() => new SGD(p, { momentum: -0.1 }), /SGD: momentum must be >= 0, got -0.1/);
  assert.throws(() => new RMSprop(p, { alpha: -1 }), /RMSprop: alpha must be >= 0, got -1/);
  assert.throws(() => new Adagrad(p, { lrDecay: -1 }), /Adagrad: lrDecay must be >= 0, got -1/);
  assert.throws(() => new Adadelta(p, { rho: 1.5 }), /Adadelta: rho must be in \[0, 1\], got 1.5/);
  assert.throws(() => new Adam([]), /Adam: expected a non-empty list of parameters, got an empty list/);
  assert.throws(() => new Adam([tensor([1], { requiresGrad: true }).mul(2)]), /Adam: expected params\[0\] to be a leaf tensor, got the output of 'mul'/);
  assert.throws(() => new Adam([{ params: [] }]), /Adam: expected a param group with a non-empty params list/);
});

errors('a NaN or infinite gradient throws before any parameter changes', () => {
  const a = tensor([1, 2], { requiresGrad: true }), b = tensor([3], { requiresGrad: true });
  const opt = new Adam([a, b]);
  a.grad = tensor([0.5, 0.5]);
  b.grad = tensor([NaN]);
  assert.throws(() => opt.step(), /Adam.step: expected finite gradients, got NaN in group 0 param 1 \[1\] at index 0; no parameter was changed/);
  assert.equal(Array.from(a.data), [1, 2]);
  assert.is(opt.state.size, 0);
  b.grad = tensor([Infinity]);
  assert.throws(() => opt.step(), /got Infinity/);
});

errors('parameters without a gradient are skipped; step(closure) returns the loss', () => {
  const a = tensor([1], { requiresGrad: true }), b = tensor([1], { requiresGrad: true });
  const opt = new SGD([a, b], { lr: 0.1 });
  const loss = opt.step(() => {
    opt.zeroGrad();
    const l = mul(a, a).sum();
    l.backward();
    return l;
  });
  assert.is(loss, 1);
  assertClose(a, [0.8]);
  assert.is(b.data[0], 1);
});

errors.run();

// ---------------------------------------------------------------------------------------------------------------
const clip = suite('gradient clipping');

clip('clipGradNorm scales all gradients together to the max norm and returns the norm before', () => {
  const a = tensor([0], { requiresGrad: true }), b = tensor([0, 0], { requiresGrad: true });
  a.grad = tensor([3]);
  b.grad = tensor([0, 4]);
  const norm = clipGradNorm([a, b], 1);
  assert.is(norm, 5);
  assertClose(a.grad!, [0.6], { rtol: 1e-5 });
  assertClose(b.grad!, [0, 0.8], { rtol: 1e-5 });
  assertClose(clipGradNorm([a, b], 10), 1, { rtol: 1e-6 }); // already within the norm: unchanged
  assertClose(b.grad!, [0, 0.8], { rtol: 1e-5 });
  a.grad = tensor([-3]);
  assert.is(clipGradNorm([a], 1, Infinity), 3);
});

clip('clipGradValue clamps each element; bad arguments and non-finite norms are errors', () => {
  const a = tensor([0, 0, 0], { requiresGrad: true });
  a.grad = tensor([-5, 0.5, 5]);
  clipGradValue([a], 1);
  assert.equal(Array.from(a.grad.data), [-1, 0.5, 1]);
  assert.throws(() => clipGradValue([a], -1), /clipGradValue: expected clip >= 0, got -1/);
  assert.throws(() => clipGradNorm([a], -1), /clipGradNorm: expected maxNorm >= 0, got -1/);
  a.grad = tensor([NaN, 1, 1]);
  assert.throws(() => clipGradNorm([a], 1), /clipGradNorm: expected a finite total gradient norm, got NaN/);
  assert.is(a.grad.data[1], 1);
});

clip.run();
