import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, writeFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Sequential, Linear, ReLU, Tanh, Sigmoid, LeakyReLU, Dropout, tensor, zeros, ones, mseLoss, stateDictFromJSON,
  saveModel, loadModel, init, Generator, manualSeed, Tensor, Module, Parameter, ModuleList, Adam, fit, LSTMForecaster,
  BatchNorm1d, randn,
} from '../../src/index.js';
import { assertClose, fixture, type TensorJSONFixture } from '../helpers/assert.js';
import { availableBackends, backendLabel, withBackend } from '../helpers/backends.js';

interface MlpFixture {
  stateDict: Record<string, number[] | number[][]>;
  input: TensorJSONFixture;
  target: TensorJSONFixture;
  output: TensorJSONFixture;
  loss: number;
  grads: Record<string, TensorJSONFixture>;
}

const mlpFixture = fixture<MlpFixture>('mlp.json');
const seed000Mlp = () =>
  new Sequential(new Linear(20, 128), new ReLU(), new Linear(128, 64), new ReLU(), new Linear(64, 32), new ReLU(), new Linear(32, 1));

for (const backend of availableBackends()) {
  const mlp = suite(`MLP 20-128-64-32-1 matches PyTorch (${backendLabel(backend)})`);
  mlp('PyTorch weights exported as nested lists load as they are; forward, loss and every gradient agree', () => {
    withBackend(backend, () => {
      const model = seed000Mlp();
      model.loadStateDict(stateDictFromJSON(mlpFixture.stateDict));
      const x = tensor(mlpFixture.input.data, { shape: mlpFixture.input.shape });
      const y = tensor(mlpFixture.target.data, { shape: mlpFixture.target.shape });
      const pred = model.forward(x);
      // sums of 128 products: float32 summation order differs from torch's BLAS, so allow a few more ulp
      assertClose(pred, mlpFixture.output.data, { atol: 1e-6, rtol: 2e-5 }, 'prediction');
      const loss = mseLoss(pred, y);
      assertClose(loss.item(), mlpFixture.loss, { rtol: 1e-5 }, 'loss');
      loss.backward();
      for (const [name, p] of model.namedParameters()) {
        assertClose(p.grad!, mlpFixture.grads[name].data, { atol: 1e-6, rtol: 1e-4 }, `grad of ${name}`);
      }
    });
  });
  mlp.run();
}

const module = suite('Module: parameters, modes and state dicts');

module('Sequential of Linear names parameters as PyTorch does, with PyTorch layouts', () => {
  const model = seed000Mlp();
  const names = model.namedParameters().map(([n, p]) => `${n}:${p.shape.join('x')}`);
  assert.equal(names, ['0.weight:128x20', '0.bias:128', '2.weight:64x128', '2.bias:64', '4.weight:32x64', '4.bias:32', '6.weight:1x32', '6.bias:1']);
  assert.is(model.parameters().length, 8);
  assert.ok(model.parameters().every((p) => p.requiresGrad));
});

module('Linear init draws from U(-1/sqrt(in), 1/sqrt(in)) through the seeded generator', () => {
  manualSeed(3);
  const a = new Linear(100, 50);
  manualSeed(3);
  const b = new Linear(100, 50);
  assert.equal(Array.from(a.weight.data), Array.from(b.weight.data));
  const bound = 1 / Math.sqrt(100);
  assert.ok(a.weight.data.every((v) => Math.abs(v) <= bound));
  assert.ok(a.bias!.data.every((v) => Math.abs(v) <= bound));
  // variance of U(-b, b) is b^2 / 3
  const w = a.weight.data;
  const variance = w.reduce((s, v) => s + v * v, 0) / w.length;
  assertClose(variance, (bound * bound) / 3, { rtol: 0.1 });
});

module('train() and eval() reach every submodule; Dropout is the identity in eval mode', () => {
  const model = new Sequential(new Linear(4, 4), new Dropout(0.5));
  model.eval();
  assert.ok(model.layers.every((m) => !m.training));
  const x = ones([3, 4]);
  assert.equal(Array.from(model.layers[1].forward(x).data), Array.from(x.data));
  model.train();
  assert.ok(model.layers.every((m) => m.training));
});

module('Dropout zeroes about p of the elements, scales the rest by 1/(1-p), and is seeded', () => {
  const drop = (seed: number) => new Dropout(0.25, { generator: new Generator(seed) }).forward(ones([100, 100])).data;
  const y = drop(1);
  const zerosCount = y.filter((v) => v === 0).length;
  assert.ok(Math.abs(zerosCount / y.length - 0.25) < 0.02, `${zerosCount} zeros`);
  assert.ok(y.every((v) => v === 0 || Math.abs(v - 4 / 3) < 1e-6));
  assert.equal(Array.from(drop(1)), Array.from(y));
  assert.throws(() => new Dropout(1.5), /Dropout: expected p in \[0, 1\], got 1.5/);
});

module('activation modules', () => {
  const x = tensor([[-1, 2]]);
  assert.equal(new ReLU().forward(x).toArray(), [[0, 2]]);
  assertClose(new LeakyReLU(0.1).forward(x), [-0.1, 2]);
  assertClose(new Tanh().forward(x), [Math.tanh(-1), Math.tanh(2)]);
  assertClose(new Sigmoid().forward(x), [1 / (1 + Math.E), 1 / (1 + Math.exp(-2))]);
});

module('zeroGrad clears every gradient', () => {
  const model = seed000Mlp();
  mseLoss(model.forward(ones([2, 20])), zeros([2, 1])).backward();
  assert.ok(model.parameters().every((p) => p.grad !== null));
  model.zeroGrad();
  assert.ok(model.parameters().every((p) => p.grad === null));
});

module('stateDict is a copy; loadStateDict restores it exactly', () => {
  const model = seed000Mlp();
  const saved = model.stateDict();
  const before = Array.from(model.parameters()[0].data);
  model.parameters()[0].data.fill(0);
  assert.is(saved['0.weight'].data[0], before[0]);
  model.loadStateDict(saved);
  assert.equal(Array.from(model.parameters()[0].data), before);
});

const snapshot = (m: { parameters(): Tensor[] }) => m.parameters().map((p) => Array.from(p.data));

module('loadStateDict with missing, unexpected, mis-shaped or non-finite entries throws and changes nothing', () => {
  const model = new Sequential(new Linear(3, 2), new ReLU(), new Linear(2, 1));
  const good = model.stateDict();
  const before = snapshot(model);
  const other = new Sequential(new Linear(3, 2), new ReLU(), new Linear(2, 1)).stateDict();

  const { ['2.bias']: _dropped, ...missing } = other;
  assert.throws(() => model.loadStateDict(missing), /loadStateDict: expected keys .* got missing \["2.bias"\] and unexpected \[\]/);
  assert.throws(() => model.loadStateDict({ ...other, extra: zeros([1]) }), /unexpected \["extra"\]/);
  assert.throws(() => model.loadStateDict({ ...other, '2.weight': zeros([2, 1]) }), /loadStateDict: expected '2.weight' of shape \[1,2\], got \[2,1\]/);
  assert.throws(() => model.loadStateDict({ ...other, '0.bias': tensor([0, NaN]) }), /loadStateDict: expected finite values in '0.bias', got NaN at index 1/);
  assert.throws(() => model.loadStateDict({ ...other, '0.bias': [1, 2] as never }), /loadStateDict: expected '0.bias' to be a Tensor/);
  assert.equal(snapshot(model), before);
  model.loadStateDict({ '0.weight': good['0.weight'] }, { strict: false });
  assert.equal(snapshot(model), before);
});

module('Linear checks its input shape and rejects NaN/Infinity where it enters', () => {
  const layer = new Linear(3, 2);
  assert.throws(() => layer.forward(zeros([4, 2])), /Linear.forward: expected input of shape \[batch, 3\], got \[4,2\]/);
  assert.throws(() => layer.forward(tensor([[0, 1, NaN]])), /Linear.forward: expected finite inputs, got NaN at row 0, column 2/);
  assert.throws(() => new Linear(0, 2), /Linear: expected inFeatures to be a positive integer, got 0/);
});

module.run();

const files = suite('saving and loading a model file');
const dir = mkdtempSync(join(tmpdir(), 'lrlab-test-'));

files('saveModel then loadModel restores every parameter bit for bit', () => {
  const a = seed000Mlp(), b = seed000Mlp();
  const path = join(dir, 'model.json');
  saveModel(a, path);
  loadModel(b, path);
  assert.equal(snapshot(b), snapshot(a));
  assert.equal(readdirSync(dir), ['model.json']); // no temporary file left behind
});

files('a PyTorch state dict exported to JSON loads with loadModel', () => {
  const path = join(dir, 'torch.json');
  writeFileSync(path, JSON.stringify(mlpFixture.stateDict));
  const model = seed000Mlp();
  loadModel(model, path);
  assertClose(model.parameters()[0], (mlpFixture.stateDict['0.weight'] as number[][]).flat(), { atol: 0 });
});

files('a failed save leaves the previous file intact; a bad file leaves the model intact', () => {
  const path = join(dir, 'keep.json');
  const model = seed000Mlp();
  saveModel(model, path);
  const before = readFileSync(path, 'utf8');
  // a model whose state dict cannot be built fails before anything is written
  const broken = seed000Mlp();
  (broken as unknown as { stateDict: () => never }).stateDict = () => { throw new Error('disk full (simulated)'); };
  assert.throws(() => saveModel(broken, path), /disk full/);
  assert.is(readFileSync(path, 'utf8'), before);
  // a write that fails at the file system (no such folder) throws and leaves nothing behind
  assert.throws(() => saveModel(model, join(dir, 'missing-folder', 'm.json')), /^saveModel: cannot write '.*m.json': the directory '.*missing-folder' does not exist$/);
  assert.equal(readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
  writeFileSync(join(dir, 'bad.json'), '{"0.weight": [1, 2');
  const snap = snapshot(model);
  assert.throws(() => loadModel(model, join(dir, 'bad.json')), /loadModel: expected JSON in .*bad.json', got a parse error/);
  assert.throws(() => loadModel(model, join(dir, 'nope.json')), /loadModel: cannot read .*nope.json'/);
  writeFileSync(join(dir, 'wrong.json'), JSON.stringify({ '0.weight': [[1]] }));
  assert.throws(() => loadModel(model, join(dir, 'wrong.json')), /loadStateDict: expected keys/);
  assert.equal(snapshot(model), snap);
});

files.after(() => rmSync(dir, { recursive: true, force: true }));
files.run();

const inits = suite('init functions');

inits('xavier and kaiming bounds and variances follow their formulas', () => {
  const g = new Generator(9);
  const t = zeros([200, 100]);
  init.xavierUniform(t, { generator: g });
  const a = Math.sqrt(6 / 300);
  assert.ok(t.data.every((v) => Math.abs(v) <= a));
  init.kaimingNormal(t, { generator: g, nonlinearity: 'relu' });
  const variance = t.data.reduce((s, v) => s + v * v, 0) / t.size;
  assertClose(variance, 2 / 100, { rtol: 0.05 });
  init.xavierNormal(t, { generator: g, gain: 2 });
  assertClose(t.data.reduce((s, v) => s + v * v, 0) / t.size, 4 * (2 / 300), { rtol: 0.05 });
  assertClose(init.calculateGain('tanh'), 5 / 3);
  assertClose(init.calculateGain('leaky_relu', 0.2), Math.sqrt(2 / 1.04));
  assert.throws(() => init.calculateGain('swish' as never), /calculateGain: expected one of/);
  assert.throws(() => init.xavierUniform(zeros([3])), /calculateFans: expected a tensor with at least 2 dims, got \[3\]/);
});

inits.run();

// Models written as PyTorch users write them: fields assigned in the constructor. The expected keys are PyTorch's for
// the same torch module (its __setattr__ registers in assignment order; state_dict lists a module's own parameters,
// then its own buffers, then each child's entries).
class Net extends Module {
  fc1: Linear;
  act: ReLU;
  fc2: Linear;
  constructor() {
    super();
    this.fc1 = new Linear(4, 8);
    this.act = new ReLU();
    this.fc2 = new Linear(8, 1);
  }
  forward(x: Tensor): Tensor {
    return this.fc2.forward(this.act.forward(this.fc1.forward(x)));
  }
}

/** torch: scale = Parameter, lin = Linear(3, 3), register_buffer('count'), shift = Parameter. */
class Block extends Module {
  scale = new Parameter(ones([3]));
  lin = new Linear(3, 3);
  count = this.registerBuffer('count', zeros([1]));
  shift = new Parameter(zeros([3]));
  forward(x: Tensor): Tensor {
    return this.lin.forward(x.mul(this.scale).add(this.shift));
  }
}

/** torch: fc1 = Linear(4, 3), blocks = ModuleList([Block(), Block()]), fc2 = Linear(3, 1), gain = Parameter. */
class Deep extends Module {
  fc1 = new Linear(4, 3);
  blocks = new ModuleList([new Block(), new Block()]);
  fc2 = new Linear(3, 1);
  gain = new Parameter(ones([1]));
  forward(x: Tensor): Tensor {
    let h = this.fc1.forward(x).relu();
    for (const b of this.blocks) h = b.forward(h);
    return this.fc2.forward(h).mul(this.gain);
  }
}

const own = suite('your own model: modules and Parameters in fields are registered as PyTorch registers them');

own('fc1, act, fc2 as fields give PyTorch keys in assignment order, and parameters() the same tensors', () => {
  const net = new Net();
  assert.equal(Object.keys(net.stateDict()), ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']);
  assert.equal(net.namedParameters().map(([n]) => n), ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']);
  assert.equal(net.namedChildren().map(([n]) => n), ['fc1', 'act', 'fc2']);
  const params = net.parameters();
  assert.is(params.length, 4);
  assert.ok(params[0] === net.fc1.weight && params[3] === net.fc2.bias);
});

own('nested subclasses, a ModuleList, Parameters and a buffer: PyTorch state-dict order (own parameters, own buffers, children)', () => {
  const deep = new Deep();
  const block = (i: number) => [`blocks.${i}.scale`, `blocks.${i}.shift`, `blocks.${i}.count`, `blocks.${i}.lin.weight`, `blocks.${i}.lin.bias`];
  assert.equal(Object.keys(deep.stateDict()), ['gain', 'fc1.weight', 'fc1.bias', ...block(0), ...block(1), 'fc2.weight', 'fc2.bias']);
  // buffers are state, not parameters
  assert.equal(deep.namedParameters().map(([n]) => n).filter((n) => n.endsWith('count')), []);
  assert.equal(deep.namedBuffers().map(([n]) => n), ['blocks.0.count', 'blocks.1.count']);
  assert.is(deep.parameters().length, 1 + 2 + 2 * 4 + 2);
});

own('a model of fields trains with Adam through fit (the loss falls), and train()/eval()/zeroGrad reach every child', () => {
  manualSeed(4);
  const g = new Generator(4);
  const x = randn([64, 4], { generator: g });
  const y = tensor(Array.from({ length: 64 }, (_, i) => [x.data[i * 4] - 2 * x.data[i * 4 + 1]]));
  const deep = new Deep();
  const h = fit(deep, { x, y, optimizer: new Adam(deep.parameters(), { lr: 1e-2 }), epochs: 30, generator: g, progress: false });
  assert.ok(h.loss[29] < h.loss[0] / 4, JSON.stringify(h.loss));
  assert.ok(deep.parameters().every((p) => p.grad !== null));
  deep.zeroGrad();
  assert.ok(deep.parameters().every((p) => p.grad === null));
  deep.eval();
  assert.ok(!deep.fc1.training && !deep.blocks[1].lin.training);
  deep.train();
  assert.ok(deep.blocks[1].lin.training);
});

own('saveModel then loadModel restores a model of fields bit for bit', () => {
  const a = new Deep(), b = new Deep();
  const folder = mkdtempSync(join(tmpdir(), 'lrlab-test-'));
  try {
    saveModel(a, join(folder, 'deep.json'));
    loadModel(b, join(folder, 'deep.json'));
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  assert.equal(snapshot(b), snapshot(a));
  assert.equal(Object.keys(b.stateDict()), Object.keys(a.stateDict()));
});

own('Parameter shares the data of its tensor and is a leaf requiring gradients; { requiresGrad: false } freezes it', () => {
  const t = tensor([1, 2, 3]);
  const p = new Parameter(t);
  assert.ok(p instanceof Tensor && p.requiresGrad && p.isLeaf);
  t.data[0] = 7;
  assert.is(p.data[0], 7);
  const frozen = new Parameter(t, { requiresGrad: false });
  assert.is(frozen.requiresGrad, false);
  // a frozen parameter is still a parameter and in the state dict, as in PyTorch
  class Scaled extends Module {
    s = frozen;
    forward(x: Tensor): Tensor { return x.mul(this.s); }
  }
  assert.equal(new Scaled().namedParameters().map(([n, q]) => [n, q.requiresGrad]), [['s', false]]);
  assert.throws(() => new Parameter([1, 2] as never), /^Parameter: expected a Tensor, got \[1, 2\]$/);
  assert.throws(() => new Parameter(t, { requires_grad: true } as never), /Parameter: unknown option 'requires_grad'/);
  assert.throws(() => new Parameter(t, { requiresGrad: 1 } as never), /Parameter: expected requiresGrad to be a boolean, got 1/);
});

own('a plain tensor in a field is not a parameter (as in PyTorch), nor is a cached output', () => {
  class Holder extends Module {
    w = new Parameter(zeros([2]));
    plain = zeros([2], { requiresGrad: true });
    last: Tensor | null = null;
    forward(x: Tensor): Tensor { this.last = x.mul(this.w); return this.last; }
  }
  const m = new Holder();
  m.forward(ones([2]));
  assert.equal(Object.keys(m.stateDict()), ['w']);
});

own('registered values are not registered twice under their field names; built-in layers keep their keys', () => {
  assert.equal(Object.keys(new Linear(2, 3).stateDict()), ['weight', 'bias']);
  assert.equal(Object.keys(new Linear(2, 3, { bias: false }).stateDict()), ['weight']);
  assert.equal(Object.keys(new BatchNorm1d(2).stateDict()), ['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
  // the forecaster keeps its Dropout in a field named `drop`, registered as `dropout` (no parameters either way)
  const f = new LSTMForecaster(1, 4);
  assert.equal(f.namedChildren().map(([n]) => n), ['lstm', 'dropout', 'head']);
  assert.equal(Object.keys(new Sequential(new Linear(2, 2), new ReLU()).stateDict()), ['0.weight', '0.bias']);
});

own('registerModule after a field assignment comes after it, as the two assignments would in PyTorch', () => {
  class Mixed extends Module {
    constructor() {
      super();
      (this as unknown as { a: Linear }).a = new Linear(1, 1);
      this.registerModule('b', new Linear(1, 1));
      (this as unknown as { c: Linear }).c = new Linear(1, 1);
    }
    forward(x: Tensor): Tensor { return x; }
  }
  assert.equal(new Mixed().namedChildren().map(([n]) => n), ['a', 'b', 'c']);
});

own('a field reassigned to another module replaces it in place; a field set to null drops it', () => {
  const net = new Net();
  const replacement = new Linear(4, 8);
  net.fc1 = replacement;
  assert.equal(net.namedChildren().map(([n]) => n), ['fc1', 'act', 'fc2']);
  assert.ok(net.parameters()[0] === replacement.weight);
  (net as unknown as { fc2: null }).fc2 = null;
  assert.equal(Object.keys(net.stateDict()), ['fc1.weight', 'fc1.bias']);
});

own('tied weights and a shared module: listed once by parameters(), under every name in the state dict, as in PyTorch', () => {
  class Tied extends Module {
    enc = new Linear(3, 3);
    dec = new Linear(3, 3);
    constructor() {
      super();
      (this.dec as { weight: Tensor }).weight = this.enc.weight;
    }
    forward(x: Tensor): Tensor { return this.dec.forward(this.enc.forward(x)); }
  }
  const tied = new Tied();
  assert.equal(tied.namedParameters().map(([n]) => n), ['enc.weight', 'enc.bias', 'dec.bias']);
  assert.equal(Object.keys(tied.stateDict()), ['enc.weight', 'enc.bias', 'dec.weight', 'dec.bias']);
  assert.ok(tied.dec.namedParameters()[0][1] === tied.enc.weight);
  // both uses accumulate into the one tensor, which an optimizer receives once
  mseLoss(tied.forward(ones([2, 3])), zeros([2, 3])).backward();
  assert.ok(tied.enc.weight.grad !== null);
  assert.is(tied.parameters().length, 3);

  const lin = new Linear(2, 2);
  class Shared extends Module {
    a = lin;
    b = lin;
    forward(x: Tensor): Tensor { return this.b.forward(this.a.forward(x)); }
  }
  const shared = new Shared();
  assert.equal(shared.namedParameters().map(([n]) => n), ['a.weight', 'a.bias']);
  assert.equal(Object.keys(shared.stateDict()), ['a.weight', 'a.bias', 'b.weight', 'b.bias']);
  assert.equal(shared.namedChildren().map(([n]) => n), ['a', 'b']);
});

own('a Parameter field reassigned to a plain tensor keeps the name with the new tensor', () => {
  class Scale extends Module {
    s: Tensor = new Parameter(ones([2]));
    forward(x: Tensor): Tensor { return x.mul(this.s); }
  }
  const m = new Scale();
  m.parameters();
  const t = tensor([2, 3], { requiresGrad: true });
  m.s = t;
  assert.ok(m.parameters()[0] === t);
  assert.equal(Object.keys(m.stateDict()), ['s']);
});

own('an array of modules or Parameters in a field is an error that names ModuleList (PyTorch would ignore it silently)', () => {
  class Listed extends Module {
    layers = [new Linear(2, 2), new Linear(2, 1)];
    forward(x: Tensor): Tensor { return x; }
  }
  const m = new Listed();
  assert.throws(() => m.parameters(), /^Listed: field 'layers' holds an array of modules; wrap it in new ModuleList\(\[\.\.\.\]\) so that their parameters are registered$/);
  assert.throws(() => m.stateDict(), /wrap it in new ModuleList/);
  assert.throws(() => new Adam(m.parameters()), /Listed: field 'layers' holds an array of modules/);
  class Weights extends Module {
    ws = [new Parameter(zeros([1]))];
    forward(x: Tensor): Tensor { return x; }
  }
  assert.throws(() => new Weights().parameters(), /Weights: field 'ws' holds an array of Parameters; register each with this.registerParameter/);
  // an array of modules that are registered (what Sequential keeps) is fine
  assert.is(new Sequential(new Linear(2, 2)).parameters().length, 2);
});

own('ModuleList: indexed, iterable, length, append and extend, PyTorch keys, assignment by index replaces', () => {
  const a = new Linear(2, 2), b = new Linear(2, 1), c = new ReLU();
  const list = new ModuleList<Module>([a]);
  list.append(b).extend([c]);
  assert.is(list.length, 3);
  assert.ok(list[0] === a && list[1] === b && list[2] === c);
  assert.equal([...list], [a, b, c]);
  assert.equal(Object.keys(list.stateDict()), ['0.weight', '0.bias', '1.weight', '1.bias']);
  const d = new Linear(2, 2);
  (list as unknown as Linear[])[0] = d;
  assert.ok(list.parameters()[0] === d.weight);
  assert.is(new ModuleList().length, 0);
  assert.throws(() => new ModuleList(a as never), /^ModuleList: expected an array of modules, got a Linear$/);
  assert.throws(() => new ModuleList([a, 3 as never]), /^ModuleList: expected a Module at position 1, got 3$/);
  assert.throws(() => list.forward(), /ModuleList: has no forward/);
});

own.run();
