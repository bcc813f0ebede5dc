// A training loop written as in PyTorch (default zeroGrad, no reuseBuffers, nothing disposed) keeps its tensors in
// the wasm backend's memory step after step: backward() gives a consumed graph's storage back (src/autograd/release.ts)
// and zeroGrad() that of the gradients it drops, so the memory stops growing after the first steps, and the loop
// computes what fit computes, bit for bit.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  builtInData, builtInModel, LSTMForecaster, Adam, fit, batches, mseLoss, manualSeed, Generator, getBackend,
  noGrad, reshape, randn, tensor, crossEntropy, Sequential, Conv2d, ReLU, MaxPool2d, Flatten, Linear,
  type Module, type Tensor, type WasmBackend,
} from '../../src/index.js';
import { onFreshWasm as freshWasm } from '../helpers/backends.js';

const test = suite('a plain training loop on the wasm backend');

const data = builtInData();

const onFreshWasm = <T>(fn: (backend: WasmBackend) => T): T => freshWasm('wasm-plain-loop', fn);

/** One epoch in order, as a PyTorch user writes it; checks that each step's tensors are the arena's. */
function plainEpoch(model: Module, opt: Adam, backend: WasmBackend): number {
  let total = 0, outside = 0;
  for (const b of batches({ x: data.train.x, y: data.train.y }, { batchSize: 32, shuffle: false })) {
    opt.zeroGrad();
    const pred = model.forward(b.x);
    if (backend.arena.offsetOf(pred.data) < 0) outside++;
    const loss = mseLoss(pred, b.y);
    loss.backward();
    opt.step();
    total += loss.item() * b.x.shape[0];
  }
  assert.is(outside, 0, 'every step\'s prediction lived in the wasm memory');
  return total / data.train.x.shape[0];
}

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength)));

for (const [name, make] of [
  ['the built-in MLP', () => (manualSeed(3), builtInModel())],
  ['an LSTM forecaster', () => new LSTMForecaster(1, 16, 1, 0, 1, { generator: new Generator(3) })],
] as const) {
  test(`${name}: the memory stops growing after the first epoch, and no tensor falls back to an ordinary array`, () => onFreshWasm((backend) => {
    const model = make(), opt = new Adam(model.parameters(), { lr: 1e-3 });
    plainEpoch(model, opt, backend);
    const after1 = backend.arena.stats();
    for (let e = 0; e < 4; e++) plainEpoch(model, opt, backend);
    const after5 = backend.arena.stats();
    assert.is(after5.topBytes, after1.topBytes, `the memory's high-water mark after 1 epoch (${after1.topBytes} bytes) and after 5`);
    assert.is(after5.plainFallbacks, 0, 'tensors that found the memory full');
    assert.ok(after5.freed > after1.freed, 'blocks were given back early in every epoch');
    // the blocks in use do not pile up either: one step's worth, give or take
    assert.ok(after5.blocks <= after1.blocks + 8, `blocks in use: ${after1.blocks} after 1 epoch, ${after5.blocks} after 5`);
  }));

  test(`${name}: the plain loop's parameters after an epoch are fit's, bit for bit`, () => onFreshWasm((backend) => {
    const a = make(), b = make();
    plainEpoch(a, new Adam(a.parameters(), { lr: 1e-3 }), backend);
    fit(b, { x: data.train.x, y: data.train.y, optimizer: new Adam(b.parameters(), { lr: 1e-3 }), epochs: 1, batchSize: 32, shuffle: false, progress: false });
    a.parameters().forEach((p, i) => assert.equal(bits(p.data), bits(b.parameters()[i].data), `parameter ${i}`));
  }));
}

test('a small CNN with cross-entropy (a detached maximum inside): the memory stops growing after the first steps', () => onFreshWasm((backend) => {
  const g = new Generator(6);
  const model = new Sequential(new Conv2d(1, 4, 3, { padding: 1, generator: g }), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(4 * 7 * 7, 10, { generator: g }));
  const opt = new Adam(model.parameters(), { lr: 1e-3 });
  const x = randn([16, 1, 14, 14], { generator: g }), y = tensor(Array.from({ length: 16 }, (_, i) => i % 10));
  const steps = (n: number) => {
    for (let s = 0; s < n; s++) {
      opt.zeroGrad();
      crossEntropy(model.forward(x), y).backward();
      opt.step();
    }
    return backend.arena.stats();
  };
  const early = steps(5), late = steps(40);
  assert.is(late.topBytes, early.topBytes, 'the memory\'s high-water mark after 5 steps and after 45');
  assert.is(late.blocks, early.blocks, 'blocks in use after 5 steps and after 45');
  assert.is(late.plainFallbacks, 0);
}));

test('tensors the loop still holds keep their values once backward() has given their storage back', () => onFreshWasm((backend) => {
  manualSeed(4);
  const model = builtInModel(), opt = new Adam(model.parameters(), { lr: 1e-3 });
  const [first] = batches({ x: data.train.x, y: data.train.y }, { batchSize: 32, shuffle: false });
  const pred = model.forward(first.x);
  const view = reshape(pred, [pred.size]), detached = pred.detach();
  const before = pred.data.slice();
  const loss = mseLoss(pred, first.y);
  const lossValue = loss.item();
  const freedBefore = backend.arena.stats().freed;
  loss.backward();
  assert.ok(backend.arena.stats().freed > freedBefore, 'backward gave storage back');
  // the next step reuses that storage; the held tensors must not see it
  opt.step();
  opt.zeroGrad();
  noGrad(() => model.forward(first.x));
  mseLoss(model.forward(first.x), first.y).backward();
  for (const [label, t] of [['pred', pred], ['reshape(pred)', view], ['pred.detach()', detached]] as [string, Tensor][]) {
    assert.equal(Array.from(t.data), Array.from(before), `${label} keeps its values`);
  }
  assert.is(loss.item(), lossValue, 'the loss keeps its value');
}));

test('a second backward through a consumed graph says so; retainGraph keeps it', () => onFreshWasm(() => {
  manualSeed(5);
  const model = builtInModel();
  const [first] = batches({ x: data.train.x, y: data.train.y }, { batchSize: 8, shuffle: false });
  const loss = mseLoss(model.forward(first.x), first.y);
  loss.backward(undefined, { retainGraph: true });
  const once = model.parameters()[0].grad!.data.slice();
  loss.backward();
  const twice = model.parameters()[0].grad!.data;
  assert.ok(twice.every((v, i) => Math.abs(v - 2 * once[i]) <= 1e-6 * Math.abs(once[i]) + 1e-12), 'the retained graph gave its gradients again');
  assert.throws(() => loss.backward(), /backward: expected a graph not yet consumed, got '.+' of a graph an earlier backward\(\) freed \(pass \{ retainGraph: true \}/);
  assert.throws(() => loss.backward(undefined, { retainGraph: 'yes' as never }), /backward: expected retainGraph to be true or false/);
  assert.throws(() => loss.backward(undefined, { retain_graph: true } as never), /backward: unknown option/);
}));

test.run();
