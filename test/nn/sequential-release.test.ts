// The outputs between the built-in layers of a Sequential are tensors no code outside its forward holds: on the wasm
// backend their storage goes back without a copy of their values, at once under noGrad and when backward() consumes
// their graph otherwise (src/autograd/release.ts, releaseIntermediate). What the caller holds keeps its values.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  Sequential, Conv2d, ReLU, MaxPool2d, Flatten, Linear, Adam, fit, crossEntropy, gather, noGrad, reuseBuffers, randn, tensor, Generator,
  useBackend, getBackend, type Tensor, type WasmBackend,
} from '../../src/index.js';
import { onFreshWasm as freshWasm } from '../helpers/backends.js';

const test = suite('Sequential gives back the outputs between its layers');

const onFreshWasm = <T>(fn: (backend: WasmBackend) => T): T => freshWasm('wasm-sequential-release', fn);

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength)));
const cnn = (g: Generator) => new Sequential(
  new Conv2d(1, 4, 3, { generator: g }), new ReLU(), new MaxPool2d(2), new Conv2d(4, 8, 3, { generator: g }), new ReLU(),
  new Flatten(), new Linear(8 * 4 * 4, 10, { generator: g }),
);
const FREED = /Tensor\.data: expected a tensor that keeps its values, got \[\d+(,\d+)*\], an output made inside a forward \(between two layers of a Sequential/;

test('noGrad forwards: the memory grows by the outputs alone, and each output has the bits of a forward in reuseBuffers', () => onFreshWasm((backend) => {
  const g = new Generator(1);
  const model = cnn(g), x = randn([8, 1, 14, 14], { generator: g });
  const reference = bits(reuseBuffers(() => noGrad(() => model.forward(x)).data.slice()));
  noGrad(() => model.forward(x));
  const early = backend.arena.stats();
  for (let i = 0; i < 20; i++) assert.equal(bits(noGrad(() => model.forward(x)).data), reference, `forward ${i + 2}`);
  const late = backend.arena.stats();
  // each output ([8, 10], 320 bytes) stays until the job ends, as any tensor the program was handed; the 6,784 floats
  // between the layers of each forward go back
  assert.ok(late.topBytes - early.topBytes <= 20 * 320, `the memory's high-water mark grew by ${late.topBytes - early.topBytes} bytes over 20 forwards`);
  assert.ok(late.freed >= early.freed + 20 * 3, `the three outputs between layers went back in every forward (${late.freed - early.freed} blocks)`);
  assert.is(late.plainFallbacks, 0);
}));

test('backward gives the outputs between layers back without a copy: read through the consumed graph they throw; the prediction keeps its values', () => onFreshWasm(() => {
  const g = new Generator(2);
  const model = cnn(g), x = randn([4, 1, 14, 14], { generator: g });
  const pred = model.forward(x);
  const flat = pred.creator!.inputs[0], conv = flat.creator!.inputs[0]; // Flatten's output, a view of the fused conv's
  const before = bits(pred.data), flatBefore = bits(flat.data);
  assert.is(flatBefore.length, 4 * 128, 'an output between layers reads as any tensor before backward');
  crossEntropy(pred, [1, 2, 3, 4]).backward();
  assert.throws(() => flat.data, FREED);
  assert.throws(() => conv.data, FREED);
  assert.equal(bits(pred.data), before, 'the prediction keeps its values');
  assert.ok(model.parameters().every((p) => p.grad !== null), 'every parameter has its gradient');
}));

test('on the cpu backend nothing is given back early: the outputs between layers keep their values', () => {
  const previous = getBackend().name;
  useBackend('cpu');
  try {
    const g = new Generator(3);
    const model = cnn(g), x = randn([2, 1, 14, 14], { generator: g });
    const pred = model.forward(x), flat = pred.creator!.inputs[0], values = bits(flat.data);
    crossEntropy(pred, [0, 1]).backward();
    assert.equal(bits(flat.data), values);
  } finally {
    useBackend(previous);
  }
});

test('storage the caller can reach stays: the input under a first view layer, an output that is a view, a layer subclass that keeps its output', () => onFreshWasm((backend) => {
  const g = new Generator(4);
  // Flatten first: its output shares the caller's input, which must not go back when Linear has read it
  const x = randn([3, 2, 4], { generator: g }), xBits = bits(x.data);
  const flatFirst = new Sequential(new Flatten(), new Linear(8, 5, { generator: g }), new ReLU(), new Linear(5, 2, { generator: g }));
  for (let i = 0; i < 3; i++) noGrad(() => flatFirst.forward(x));
  assert.ok(backend.arena.offsetOf(x.data) >= 0, 'the input is still a block of the memory');
  assert.equal(bits(x.data), xBits, 'the input keeps its values');
  // the output is a view (Flatten) of the conv's output: both keep their values after backward
  const viewOut = new Sequential(new Conv2d(1, 2, 3, { generator: g }), new ReLU(), new Flatten());
  const img = randn([2, 1, 5, 5], { generator: g });
  const out = viewOut.forward(img), fused = out.creator!.inputs[0], outBits = bits(out.data);
  crossEntropy(out, [0, 5]).backward();
  assert.equal(bits(out.data), outBits, 'the output keeps its values');
  assert.equal(bits(fused.data), outBits, 'the conv output it is a view of keeps them too');
  // a subclass of a built-in layer may keep a tensor: the outputs around it are not given back
  class KeepingReLU extends ReLU {
    last: Tensor | null = null;
    forward(h: Tensor): Tensor {
      return (this.last = super.forward(h));
    }
  }
  const keeper = new KeepingReLU();
  const model = new Sequential(new Linear(4, 6, { generator: g }), new Linear(6, 6, { generator: g }), keeper, new Linear(6, 3, { generator: g }));
  const input = randn([5, 4], { generator: g });
  noGrad(() => model.forward(input));
  const kept = keeper.last!, keptBits = bits(kept.data);
  noGrad(() => model.forward(input));
  assert.equal(bits(kept.data), keptBits, 'under noGrad');
  const pred = model.forward(input);
  const kept2 = keeper.last!, keptBits2 = bits(kept2.data);
  crossEntropy(pred, [0, 1, 2, 0, 1]).backward();
  model.forward(input);
  assert.equal(bits(kept2.data), keptBits2, 'after backward');
}));

test('a plain CNN loop (cross-entropy, Adam) gives fit\'s parameters bit for bit, with a flat memory', () => onFreshWasm((backend) => {
  const g = new Generator(6), x = randn([48, 1, 14, 14], { generator: g }), y = tensor(Array.from({ length: 48 }, (_, i) => (i * 7) % 10));
  const batches = [0, 16, 32].map((i) => ({
    x: tensor(Array.from(x.data.subarray(i * 196, (i + 16) * 196))).reshape([16, 1, 14, 14]),
    y: tensor(Array.from(y.data.subarray(i, i + 16))),
  }));
  const a = cnn(new Generator(5)), b = cnn(new Generator(5)), opt = new Adam(a.parameters(), { lr: 1e-3 });
  const epoch = () => {
    for (const batch of batches) {
      opt.zeroGrad();
      crossEntropy(a.forward(batch.x), batch.y).backward();
      opt.step();
    }
    return backend.arena.stats();
  };
  const first = epoch();
  for (let e = 0; e < 3; e++) epoch();
  const last = epoch();
  assert.is(last.topBytes, first.topBytes, 'the memory\'s high-water mark after 1 epoch and after 5');
  fit(b, { x, y, optimizer: new Adam(b.parameters(), { lr: 1e-3 }), epochs: 5, batchSize: 16, shuffle: false, loss: (p, t) => crossEntropy(p, t), progress: false });
  a.parameters().forEach((p, i) => assert.equal(bits(p.data), bits(b.parameters()[i].data), `parameter ${i}`));
}));

test('crossEntropy with a number[] target gives the target\'s storage back: a plain loop\'s memory stays flat, the loss and gradients as with a Tensor target', () => onFreshWasm((backend) => {
  const g = new Generator(7), x = randn([32, 1, 14, 14], { generator: g });
  const labels = [[3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3], [2, 3, 8, 4, 6, 2, 6, 4, 3, 3, 8, 3, 2, 7, 9, 5]];
  const probabilities = labels.map((ls) => ls.map((l) => Array.from({ length: 10 }, (_, c) => (c === l ? 0.9 : 0.1 / 9))));
  const batches = [0, 16].map((i) => tensor(Array.from(x.data.subarray(i * 196, (i + 16) * 196))).reshape([16, 1, 14, 14]));
  const a = cnn(new Generator(5)), b = cnn(new Generator(5));
  const optA = new Adam(a.parameters(), { lr: 1e-3 }), optB = new Adam(b.parameters(), { lr: 1e-3 });
  // b's targets are Tensors made once (a Tensor made at every step would stay in the memory until collected)
  const tensors = new Map([...labels, ...probabilities].map((t) => [t, tensor(t)]));
  const losses: number[][] = [[], []];
  const epoch = (target: (i: number) => number[] | number[][]) => {
    batches.forEach((batch, i) => {
      for (const [model, opt, k] of [[a, optA, 0], [b, optB, 1]] as const) {
        opt.zeroGrad();
        const loss = crossEntropy(model.forward(batch), k === 0 ? target(i) : tensors.get(target(i))!);
        losses[k].push(loss.item());
        loss.backward();
        opt.step();
      }
    });
    return backend.arena.stats();
  };
  for (const target of [(i: number) => labels[i], (i: number) => probabilities[i]]) {
    const first = epoch(target);
    for (let e = 0; e < 3; e++) epoch(target);
    const last = epoch(target);
    assert.is(last.topBytes, first.topBytes, 'the memory\'s high-water mark after 1 epoch and after 5');
  }
  assert.equal(losses[0], losses[1], 'the losses with number[] targets and with Tensor targets');
  a.parameters().forEach((p, i) => assert.equal(bits(p.data), bits(b.parameters()[i].data), `parameter ${i}`));
  // under noGrad the target goes back as soon as the loss has read it
  const pred = noGrad(() => a.forward(batches[0]));
  const before = backend.arena.stats();
  const loss = noGrad(() => crossEntropy(pred, labels[0]).item());
  assert.ok(backend.arena.stats().freed > before.freed, 'the target\'s storage went back under noGrad');
  assert.is(loss, noGrad(() => crossEntropy(pred, tensor(labels[0])).item()));
  // gather with an index given as an array gives the index's storage back once read
  const index = labels[0].map((l) => [l]), picked = bits(gather(pred, 1, tensor(index)).data);
  const start = backend.arena.stats();
  for (let i = 0; i < 5; i++) assert.equal(bits(gather(pred, 1, index).data), picked);
  assert.ok(backend.arena.stats().freed >= start.freed + 5, 'one index a call went back');
}));

test.run();
