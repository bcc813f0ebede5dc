// Optimizer state is validated before anything changes: option kinds and ranges (from plain JavaScript too),
// unknown names, a step that would make a parameter non-finite, and state dicts loaded from plain JSON.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta, Optimizer, NonFiniteStepError, NonFiniteLossError, tensor, fit,
  Sequential, Linear, Tanh, manualSeed, toJSONValue, mseLoss,
} from '../../src/index.js';

type Ctor = new (params: any, options?: any) => Optimizer<any>;
const OPTIMIZERS: Record<string, Ctor> = { SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta };
const snapshot = (opt: Optimizer<any>) => JSON.stringify(toJSONValue(opt.stateDict()));

const options = suite('optimizer options');

for (const [name, Make] of Object.entries(OPTIMIZERS)) {
  options(`${name} refuses infinite, NaN, string and unknown options, naming each`, () => {
    const p = () => [tensor([1, 2], { requiresGrad: true })];
    assert.throws(() => new Make(p(), { lr: Infinity }), (e: Error) => e instanceof RangeError && e.message === `${name}: expected lr to be a finite number, got Infinity`);
    assert.throws(() => new Make(p(), { lr: NaN }), new RegExp(`${name}: expected lr to be a finite number, got NaN`));
    assert.throws(() => new Make(p(), { weightDecay: Infinity }), new RegExp(`${name}: expected weightDecay to be a finite number, got Infinity`));
    assert.throws(() => new Make(p(), { lr: '0.1' }), (e: Error) => e instanceof TypeError && e.message === `${name}: expected lr to be a number, got "0.1"`);
    assert.throws(() => new Make(p(), { maximize: 'yes' }), (e: Error) => e instanceof TypeError && /expected maximize to be a boolean, got "yes"/.test(e.message));
    assert.throws(() => new Make(p(), { learningRate: 0.1 }), (e: Error) => e instanceof RangeError && new RegExp(`^${name}: unknown option 'learningRate' \\(known: lr, `).test(e.message));
    assert.throws(() => new Make(p(), null), (e: Error) => e instanceof TypeError && e.message === `${name}: expected an options object, got null`);
    assert.throws(() => new Make(p(), 0.1), /expected an options object, got 0.1/);
    assert.throws(() => new Make([{ params: p(), lrr: 1 }]), new RegExp(`${name}: unknown option 'lrr'`));
    assert.throws(() => new Make([{ params: p(), lr: -Infinity }]), /expected lr to be a finite number, got -Infinity/);
    assert.throws(() => new Make(p(), { lr: -1 }), /lr must be >= 0, got -1/);
  });
}

options('Adam checks the kind of each beta', () => {
  const p = [tensor([1], { requiresGrad: true })];
  assert.throws(() => new Adam(p, { betas: ['0.9', 0.999] as any }), (e: Error) => e instanceof TypeError && /Adam: expected betas to be a list of 2 numbers, got \["0.9", 0.999\]/.test(e.message));
  assert.throws(() => new Adam(p, { betas: [0.9, NaN] }), /Adam: expected betas to be finite numbers, got \[0.9, NaN\]/);
  assert.throws(() => new AdamW(p, { betas: [0.9] as any }), /AdamW: expected betas to be a list of 2 numbers/);
});

options.run();

const step = suite('a step that would make a parameter non-finite');

step('SGD: the step throws, and the parameters and momentum buffers stay as they were', () => {
  const w = tensor([1, 2], { requiresGrad: true }), b = tensor([3], { requiresGrad: true });
  const opt = new SGD([w, b], { lr: 0.1, momentum: 0.9 });
  w.grad = tensor([1, 1]);
  b.grad = tensor([1]);
  opt.step(); // w = [0.9, 1.9], b = 2.9, buffers [1, 1] and [1]
  w.grad = tensor([1, 1]);
  b.grad = tensor([3e38]); // the buffer 0.9 + 3e38 is finite; times lr 1e10 it overflows float32
  opt.paramGroups[0].lr = 1e10;
  const before = snapshot(opt), weights = [Array.from(w.data), Array.from(b.data)];
  assert.throws(() => opt.step(), (e: Error) => e instanceof NonFiniteStepError && /SGD.step: expected the update to keep parameters finite, got -Infinity at index 0 of a parameter of shape \[1\] \(lr 10000000000\); no parameter or state was changed/.test(e.message));
  assert.equal([Array.from(w.data), Array.from(b.data)], weights, 'w was updated before b failed, and was put back');
  assert.is(snapshot(opt), before);
});

step('Adam: a first step that overflows leaves no state behind', () => {
  const w = tensor([1, -1], { requiresGrad: true });
  const opt = new Adam([w], { lr: 1e39 }); // finite in float64, infinite in float32
  w.grad = tensor([0.5, -0.5]);
  assert.throws(() => opt.step(), (e: Error) => e instanceof NonFiniteStepError && /Adam.step: expected the update to keep parameters finite/.test(e.message));
  assert.equal(Array.from(w.data), [1, -1]);
  assert.is(opt.state.size, 0);
  opt.paramGroups[0].lr = 0.1;
  opt.step(); // the first real step: w = w - 0.1 sign(g)
  assert.equal(Array.from(w.data).map((v) => Math.round(v * 1e6) / 1e6), [0.9, -0.9]);
  assert.is(opt.state.get(w)!.step, 1);
});

step('in fit, the step is not applied: training stops with the epoch and batch named and the weights as they were', () => {
  manualSeed(0);
  const model = new Sequential(new Linear(2, 1));
  const x = tensor([[1e10, 1e10]]), y = tensor([[0]]);
  const opt = new SGD(model.parameters(), { lr: 1e30 }); // gradients near 1e20 are finite; lr times them is not

  const before = model.parameters().map((p) => Array.from(p.data));
  assert.throws(
    () => fit(model, { x, y, optimizer: opt, epochs: 1, batchSize: 1, progress: false }),
    (e: Error) => e instanceof NonFiniteLossError && /^fit: the optimizer step at epoch 1, batch 1 would have made a parameter non-finite; it was not applied/.test(e.message),
  );
  assert.equal(model.parameters().map((p) => Array.from(p.data)), before);
  assert.is(opt.state.size, 0);
});

step.run();

const momentum = suite('SGD momentum >= 1: accepted as in PyTorch, and named when training blows up');

momentum('momentum 5 is accepted; the step that meets NaN gradients names it as the likely cause', () => {
  // torch.optim.SGD only refuses momentum < 0. With momentum 5 the buffer b = 5b + g grows each step, the tanh
  // network's output overflows, and the gradients turn NaN (at step 33 here); the error used to stop at
  // "expected finite gradients", with nothing pointing at the option.
  manualSeed(0);
  const model = new Sequential(new Linear(3, 8), new Tanh(), new Linear(8, 1));
  const x = tensor(Array.from({ length: 60 }, (_, i) => Math.sin(i)), { shape: [20, 3] });
  const y = tensor(Array.from({ length: 20 }, (_, i) => Math.cos(i)), { shape: [20, 1] });
  const opt = new SGD(model.parameters(), { lr: 0.01, momentum: 5 });
  let error: Error | undefined;
  for (let s = 0; s < 200 && error === undefined; s++) {
    opt.zeroGrad();
    mseLoss(model.forward(x), y).backward();
    try { opt.step(); } catch (e) { error = e as Error; }
  }
  assert.ok(error instanceof RangeError, 'training diverged within 200 steps');
  assert.match(error!.message, /^SGD.step: expected finite gradients, got NaN in group 0 param \d .* no parameter was changed; momentum 5 is the likely cause: at 1 or more the momentum buffer b = μb \+ \(1 - τ\)g never decays/);
});

momentum('only groups with momentum >= 1 are named, with their index when there are several; below 1 there is no hint', () => {
  const a = tensor([1], { requiresGrad: true }), b = tensor([1], { requiresGrad: true });
  const two = new SGD([{ params: [a] }, { params: [b], momentum: 1.5 }], { momentum: 0.9 });
  a.grad = tensor([NaN]);
  assert.throws(() => two.step(), /no parameter was changed; momentum 1.5 in group 1 is the likely cause/);
  const usual = new SGD([a], { momentum: 0.9 });
  assert.throws(() => usual.step(), (e: Error) => /^SGD.step: expected finite gradients, got NaN in group 0 param 0 \[1\] at index 0; no parameter was changed$/.test(e.message));
});

momentum.run();

const load = suite('loadStateDict is strict for plain JSON');

function trained(): { opt: Adam; a: ReturnType<typeof tensor>; b: ReturnType<typeof tensor> } {
  const a = tensor([1, 2], { requiresGrad: true }), b = tensor([3], { requiresGrad: true });
  const opt = new Adam([a, b], { lr: 0.1 });
  a.grad = tensor([1, -1]);
  b.grad = tensor([0.5]);
  opt.step();
  return { opt, a, b };
}

load('a state dict written as plain JSON (buffers as lists) loads and continues identically', () => {
  const { opt, a, b } = trained();
  const json = JSON.parse(JSON.stringify(opt.stateDict(), (_k, v) => (v instanceof Float32Array ? Array.from(v) : v)));
  const a2 = tensor(Array.from(a.data), { requiresGrad: true }), b2 = tensor(Array.from(b.data), { requiresGrad: true });
  const opt2 = new Adam([a2, b2]);
  opt2.loadStateDict(json);
  for (const [p, q, g] of [[a, a2, [0.3, 0.2]], [b, b2, [-1]]] as const) {
    p.grad = tensor([...g]);
    q.grad = tensor([...g]);
  }
  opt.step();
  opt2.step();
  assert.equal(Array.from(a2.data), Array.from(a.data));
  assert.equal(Array.from(b2.data), Array.from(b.data));
  assert.ok(opt2.state.get(a2)!.expAvg instanceof Float32Array);
});

load('state from another kind of optimizer, bad steps, buffers and ids are refused and change nothing', () => {
  const { opt, a, b } = trained();
  const good = JSON.parse(JSON.stringify(opt.stateDict(), (_k, v) => (v instanceof Float32Array ? Array.from(v) : v)));
  const before = snapshot(opt);
  const sgd = new SGD([tensor([1, 2], { requiresGrad: true }), tensor([3], { requiresGrad: true })], { momentum: 0.9 });
  const cases: [unknown, RegExp][] = [
    [sgd.stateDict(), /Adam.loadStateDict: group 0: unknown option 'momentum' .*; is this state from another optimizer\?/],
    [{ ...good, paramGroups: [{ ...good.paramGroups[0], amsgrad: undefined }].map(({ amsgrad: _, ...g }) => g) }, /expected group 0 to hold Adam's options, got none for amsgrad/],
    [{ ...good, paramGroups: [{ ...good.paramGroups[0], lr: '0.1' }] }, /Adam.loadStateDict: group 0: expected lr to be a number, got "0.1"/],
    [{ ...good, paramGroups: [{ ...good.paramGroups[0], lr: null }] }, /Adam.loadStateDict: group 0: expected lr to be a number, got null/],
    [{ ...good, paramGroups: [{ ...good.paramGroups[0], params: [0, 0] }] }, /expected parameter ids to be distinct integers in \[0, 2\), got 0/],
    [{ ...good, paramGroups: [{ ...good.paramGroups[0], params: [0, 1.5] }] }, /distinct integers in \[0, 2\), got 1.5/],
    [{ ...good, state: { ...good.state, 0: { ...good.state[0], step: '1' } } }, /expected 'step' of parameter 0 to be a non-negative integer, got "1"/],
    [{ ...good, state: { ...good.state, 0: { ...good.state[0], step: NaN } } }, /expected 'step' of parameter 0 to be a non-negative integer, got NaN/],
    [{ ...good, state: { ...good.state, 0: { ...good.state[0], expAvg: [1, 2, 3] } } }, /expected 'expAvg' of parameter 0 to have 2 values \(shape \[2\]\), got 3/],
    [{ ...good, state: { ...good.state, 0: { ...good.state[0], expAvg: [1, null] } } }, /expected 'expAvg' of parameter 0 to be a Float32Array or a list of numbers, got \[1, null\]/],
    [{ ...good, state: { ...good.state, 0: { ...good.state[0], expAvgSq: { 0: 1, 1: 2 } } } }, /expected 'expAvgSq' of parameter 0 to be a Float32Array or a list of numbers, got \{0: 1, 1: 2\}/],
    [{ ...good, state: { ...good.state, 1: { ...good.state[1], momentumBuffer: [1] } } }, /expected the state of parameter 1 to hold step, expAvg, expAvgSq, maxExpAvgSq, got step, expAvg, expAvgSq, maxExpAvgSq, momentumBuffer/],
    [{ ...good, state: { ...good.state, 5: good.state[0] } }, /state for parameter 5 refers to no parameter/],
    [{ ...good, state: null }, /Adam.loadStateDict: expected \{ state, paramGroups \}/],
  ];
  for (const [dict, message] of cases) {
    assert.throws(() => opt.loadStateDict(dict as never), message);
    assert.is(snapshot(opt), before, String(message));
  }
  void a;
  void b;
});

load.run();
