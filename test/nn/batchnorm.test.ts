// BatchNorm1d / BatchNorm2d against PyTorch (test/fixtures/conv.json): two training steps then one eval step, with
// outputs, gradients and the running statistics after each; train()/eval() through a model; state dicts; errors.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BatchNorm1d, BatchNorm2d, Sequential, Conv2d, Dropout, ReLU, tensor, randn, manualSeed, noGrad, type BatchNormOptions } from '../../src/index.js';
import { assertClose, fixture, type TensorJSONFixture } from '../helpers/assert.js';
import { availableBackends, backendLabel, withBackend } from '../helpers/backends.js';

interface BnStep { mode: 'train' | 'eval'; input: TensorJSONFixture; w: TensorJSONFixture; output: TensorJSONFixture; grads: TensorJSONFixture[]; state: Record<string, TensorJSONFixture> }
interface BnCase { layer: 'BatchNorm1d' | 'BatchNorm2d'; numFeatures: number; options: BatchNormOptions; initial: Record<string, TensorJSONFixture>; steps: BnStep[]; keys: string[] }
const cases = fixture<{ batchnorm: BnCase[] }>('conv.json').batchnorm;
const leaf = (t: TensorJSONFixture, requiresGrad = true) => tensor(t.data, { shape: t.shape, requiresGrad });

for (const backend of availableBackends()) {
  const parity = suite(`BatchNorm matches PyTorch in train and eval mode (${backendLabel(backend)})`);
  for (const c of cases) {
    parity(`${c.layer}(${c.numFeatures}) with ${JSON.stringify(c.options)} on ${c.steps[0].input.shape}: outputs, gradients and running statistics over train, train, eval`, () => {
      withBackend(backend, () => {
        const bn = c.layer === 'BatchNorm1d' ? new BatchNorm1d(c.numFeatures, c.options) : new BatchNorm2d(c.numFeatures, c.options);
        assert.equal(Object.keys(bn.stateDict()), c.keys);
        bn.weight!.data.set(c.initial.weight.data);
        bn.bias!.data.set(c.initial.bias.data);
        for (const [i, s] of c.steps.entries()) {
          bn.train(s.mode === 'train');
          bn.zeroGrad();
          const x = leaf(s.input);
          const y = bn.forward(x);
          // normalization divides by a batch standard deviation: float32 rounding differs from torch's by a few ulp
          assertClose(y, s.output.data, { atol: 1e-5, rtol: 1e-4 }, `step ${i + 1} output`);
          y.backward(leaf(s.w, false));
          assertClose(x.grad!, s.grads[0].data, { atol: 2e-5, rtol: 1e-4 }, `step ${i + 1} dL/dinput`);
          assertClose(bn.weight!.grad!, s.grads[1].data, { atol: 2e-5, rtol: 1e-4 }, `step ${i + 1} dL/dweight`);
          assertClose(bn.bias!.grad!, s.grads[2].data, { atol: 1e-5, rtol: 1e-5 }, `step ${i + 1} dL/dbias`);
          const state = bn.stateDict();
          for (const key of ['running_mean', 'running_var', 'num_batches_tracked']) assertClose(state[key], s.state[key].data, { atol: 1e-6, rtol: 1e-5 }, `step ${i + 1} ${key}`);
        }
      });
    });
  }
  parity.run();
}

const modes = suite('train() and eval() reach every layer; the state dict carries the running statistics');
modes('eval() switches BatchNorm to its running statistics and Dropout off in every submodule, train() back', () => {
  manualSeed(1);
  const model = new Sequential(new Conv2d(1, 2, 3), new BatchNorm2d(2), new ReLU(), new Dropout(0.5));
  model.eval();
  assert.ok(model.layers.every((m) => !m.training));
  const x = randn([2, 1, 5, 5]);
  const a = noGrad(() => model.forward(x)).data.slice(), b = noGrad(() => model.forward(x)).data;
  assert.equal([...b], [...a], 'eval mode is deterministic');
  assert.is((model.layers[1] as BatchNorm2d).numBatchesTracked.item(), 0, 'eval forward does not track');
  model.train();
  assert.ok(model.layers.every((m) => m.training));
  noGrad(() => model.forward(x));
  assert.is((model.layers[1] as BatchNorm2d).numBatchesTracked.item(), 1);
});
modes('stateDict lists buffers after each module\'s parameters, and loadStateDict restores them', () => {
  manualSeed(2);
  const make = () => new Sequential(new Conv2d(1, 2, 3), new BatchNorm2d(2));
  const a = make();
  noGrad(() => a.forward(randn([4, 1, 6, 6]).mul(3).add(1)));
  assert.equal(Object.keys(a.stateDict()), ['0.weight', '0.bias', '1.weight', '1.bias', '1.running_mean', '1.running_var', '1.num_batches_tracked']);
  assert.equal(a.namedBuffers().map(([n]) => n), ['1.running_mean', '1.running_var', '1.num_batches_tracked']);
  assert.equal(a.parameters().length, 4, 'buffers are not parameters');
  const b = make();
  b.loadStateDict(a.stateDict());
  assert.equal(b.stateDict()['1.running_var'].data, a.stateDict()['1.running_var'].data);
  assert.is(b.stateDict()['1.num_batches_tracked'].item(), 1);
  const x = randn([2, 1, 6, 6]);
  a.eval();
  b.eval();
  assert.equal([...noGrad(() => b.forward(x)).data], [...noGrad(() => a.forward(x)).data]);
});
modes('a state dict missing the running statistics is refused and changes nothing', () => {
  const bn = new BatchNorm2d(2);
  const state = bn.stateDict();
  state.weight.data.fill(7);
  delete state.running_var;
  assert.throws(() => bn.loadStateDict(state), /missing \["running_var"\]/);
  assert.equal([...bn.weight!.data], [1, 1]);
});

const errors = suite('BatchNorm: bad input gets a clear error');
errors('wrong rank or channel count names the expected shape', () => {
  assert.throws(() => new BatchNorm2d(3).forward(randn([2, 4, 5, 5])), /BatchNorm2d.forward: expected input \[N, 3, H, W\], got \[2,4,5,5\]/);
  assert.throws(() => new BatchNorm2d(3).forward(randn([3, 5, 5])), /got \[3,5,5\]/);
  assert.throws(() => new BatchNorm1d(3).forward(randn([2, 3, 4, 4])), /BatchNorm1d.forward: expected input \[N, 3\] or \[N, 3, L\], got \[2,3,4,4\]/);
});
errors('one value per channel in training is refused (no variance), and the statistics stay untouched', () => {
  const bn = new BatchNorm1d(3);
  assert.throws(() => bn.forward(randn([1, 3])), /expected more than 1 value per channel in training, got input \[1,3\]/);
  assert.is(bn.numBatchesTracked.item(), 0);
  bn.eval();
  assert.is(bn.forward(randn([1, 3])).shape[0], 1, 'fine in eval mode');
});
errors('bad options', () => {
  assert.throws(() => new BatchNorm2d(0), /BatchNorm2d: expected numFeatures to be a positive integer up to 2\^24, got 0/);
  assert.throws(() => new BatchNorm2d(2, { eps: 0 }), /expected eps > 0, got 0/);
  assert.throws(() => new BatchNorm2d(2, { momentum: 1.5 }), /expected momentum in \[0, 1\] or null, got 1.5/);
  assert.throws(() => new BatchNorm2d(2, { momentum: NaN }), /got NaN/);
});

modes.run();
errors.run();
