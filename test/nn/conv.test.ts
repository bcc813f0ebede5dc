// Conv2d, pooling, Flatten and the small CNN against PyTorch (test/fixtures/conv.json, from gen_conv.py, and
// conv-stride.json, from gen_conv_stride.py), on every backend; gradcheck of the new ops; and the errors a bad input
// gets.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  Tensor, tensor, conv2d, maxPool2d, avgPool2d, Conv2d, MaxPool2d, AvgPool2d, Flatten, BatchNorm2d, Sequential, ReLU,
  Linear, crossEntropy, gradcheck, randn, manualSeed, Generator, stateDictFromJSON, type Size2,
} from '../../src/index.js';
import { assertClose, assertShape, fixture, type TensorJSONFixture } from '../helpers/assert.js';
import { availableBackends, backendLabel, withBackend } from '../helpers/backends.js';

interface ConvCase {
  options: { stride: Size2; padding: Size2; dilation: Size2 };
  input: TensorJSONFixture; weight: TensorJSONFixture; bias: TensorJSONFixture | null;
  w: TensorJSONFixture; output: TensorJSONFixture; grads: TensorJSONFixture[];
}
interface PoolCase {
  kind: 'max' | 'avg';
  options: { kernelSize: Size2; stride?: Size2; padding?: Size2; countIncludePad?: boolean };
  input: TensorJSONFixture; w: TensorJSONFixture; output: TensorJSONFixture; grad: TensorJSONFixture;
}
interface CnnCase {
  input: TensorJSONFixture; target: number[]; state: Record<string, TensorJSONFixture>; keys: string[];
  logits: TensorJSONFixture; loss: number; grads: Record<string, TensorJSONFixture>; stateAfter: Record<string, TensorJSONFixture>;
}
const fx = fixture<{ conv2d: ConvCase[]; pool: PoolCase[]; cnn: CnnCase }>('conv.json');
// strides above 1 in more shapes (gen_conv_stride.py): the wasm kernels' phased layout
const strided = fixture<{ conv2d: ConvCase[] }>('conv-stride.json');
const leaf = (t: TensorJSONFixture, requiresGrad = true) => tensor(t.data, { shape: t.shape, requiresGrad });
const describeOptions = (o: object) => JSON.stringify(o).replace(/"/g, '');

for (const backend of availableBackends()) {
  const parity = suite(`conv2d and pooling match PyTorch (${backendLabel(backend)})`);
  [...fx.conv2d, ...strided.conv2d].forEach((c) => {
    parity(`conv2d ${c.input.shape} * ${c.weight.shape}${c.bias ? '' : ' without bias'} with ${describeOptions(c.options)}: output and the gradients of input, weight and bias`, () => {
      withBackend(backend, () => {
        const x = leaf(c.input), w = leaf(c.weight), b = c.bias ? leaf(c.bias) : null;
        const y = conv2d(x, w, b, c.options);
        assertShape(y, c.output.shape);
        // sums of up to 36 products in another order than torch's: a few ulp
        assertClose(y, c.output.data, { atol: 1e-5, rtol: 1e-5 }, 'output');
        y.backward(leaf(c.w, false));
        assertClose(x.grad!, c.grads[0].data, { atol: 1e-5, rtol: 1e-5 }, 'dL/dinput');
        assertClose(w.grad!, c.grads[1].data, { atol: 1e-5, rtol: 1e-5 }, 'dL/dweight');
        if (b) assertClose(b.grad!, c.grads[2].data, { atol: 1e-5, rtol: 1e-5 }, 'dL/dbias');
      });
    });
  });
  fx.pool.forEach((c) => {
    parity(`${c.kind}Pool2d of ${c.input.shape} with ${describeOptions(c.options)}: output and input gradient`, () => {
      withBackend(backend, () => {
        const x = leaf(c.input);
        const y = c.kind === 'max' ? maxPool2d(x, c.options.kernelSize, c.options) : avgPool2d(x, c.options.kernelSize, c.options);
        assertShape(y, c.output.shape);
        assertClose(y, c.output.data, {}, 'output');
        y.backward(leaf(c.w, false));
        assertClose(x.grad!, c.grad.data, {}, 'dL/dinput');
      });
    });
  });

  const cnn = suite(`a small CNN with every layer matches PyTorch (${backendLabel(backend)})`);
  cnn('PyTorch\'s state dict loads as it is; logits, cross-entropy, every gradient and the running statistics agree', () => {
    withBackend(backend, () => {
      const c = fx.cnn;
      const model = new Sequential(
        new Conv2d(1, 4, 3, { padding: 1 }), new BatchNorm2d(4), new ReLU(), new MaxPool2d(2),
        new Conv2d(4, 6, 3, { bias: false }), new ReLU(), new AvgPool2d(2), new Flatten(), new Linear(24, 10),
      );
      assert.equal(Object.keys(model.stateDict()), c.keys);
      model.loadStateDict(stateDictFromJSON(c.state as never));
      const logits = model.forward(leaf(c.input, false));
      assertClose(logits, c.logits.data, { atol: 1e-5, rtol: 1e-4 }, 'logits');
      const loss = crossEntropy(logits, c.target);
      assertClose(loss.item(), c.loss, { rtol: 1e-5 }, 'loss');
      loss.backward();
      for (const [name, p] of model.namedParameters()) {
        // batch statistics amplify float32 rounding in the first layers' gradients a little
        assertClose(p.grad!, c.grads[name].data, { atol: 2e-5, rtol: 1e-4 }, `grad ${name}`);
      }
      const after = model.stateDict();
      for (const key of ['1.running_mean', '1.running_var', '1.num_batches_tracked']) assertClose(after[key], c.stateAfter[key].data, { atol: 1e-6, rtol: 1e-5 }, key);
    });
  });

  parity.run();
  cnn.run();
}

const grads = suite('gradcheck: central differences agree with the backward of conv2d and the pools');
grads('conv2d with stride, padding, dilation and a rectangular kernel', () => {
  const g = new Generator(3);
  const x = randn([2, 2, 6, 5], { generator: g, requiresGrad: true }), w = randn([3, 2, 2, 3], { generator: g, requiresGrad: true });
  const b = randn([3], { generator: g, requiresGrad: true });
  const r = gradcheck((a, k, c) => conv2d(a, k, c, { stride: [2, 1], padding: [1, 2], dilation: [2, 1] }), [x, w, b], { raiseException: false });
  assert.ok(r.ok, `mismatches: ${JSON.stringify(r.mismatches.slice(0, 3))}`);
});
grads('maxPool2d (distinct values, so no ties at the kinks) and avgPool2d with padding', () => {
  const values = new Generator(4).permutation(2 * 3 * 7 * 7).map((v) => v / 10);
  const x = tensor(values, { shape: [2, 3, 7, 7], requiresGrad: true });
  assert.ok(gradcheck((a) => maxPool2d(a, 3, { stride: 2, padding: 1 }), [x], { raiseException: false }).ok);
  assert.ok(gradcheck((a) => avgPool2d(a, [2, 3], { padding: [1, 1], countIncludePad: false }), [x], { raiseException: false }).ok);
});
grads('BatchNorm2d in training mode (gradients through the batch statistics)', () => {
  manualSeed(5);
  const bn = new BatchNorm2d(2);
  const x = randn([3, 2, 2, 2], { requiresGrad: true });
  const r = gradcheck((a) => bn.forward(a), [x], { eps: 1e-2, raiseException: false });
  assert.ok(r.ok, `mismatches: ${JSON.stringify(r.mismatches.slice(0, 3))}`);
});

const layers = suite('Conv2d and pooling layers');
layers('Conv2d has PyTorch\'s weight layout and init range, U(-1/sqrt(fanIn), 1/sqrt(fanIn))', () => {
  manualSeed(0);
  const conv = new Conv2d(3, 8, [5, 3], { stride: 2 });
  assertShape(conv.weight, [8, 3, 5, 3]);
  assertShape(conv.bias!, [8]);
  const bound = 1 / Math.sqrt(3 * 5 * 3);
  for (const t of [conv.weight, conv.bias!]) assert.ok(t.data.every((v) => Math.abs(v) <= bound), 'every value within the bound');
  assert.ok(Math.max(...conv.weight.data) > 0.8 * bound, 'the range is used');
  assert.equal(Object.keys(conv.stateDict()), ['weight', 'bias']);
  assert.equal(Object.keys(new Conv2d(1, 1, 3, { bias: false }).stateDict()), ['weight']);
});
layers('the same seed gives the same Conv2d weights', () => {
  manualSeed(9);
  const a = new Conv2d(2, 3, 3).weight.data.slice();
  manualSeed(9);
  assert.equal([...new Conv2d(2, 3, 3).weight.data], [...a]);
});
layers('Flatten joins every dimension after the batch; output sizes follow PyTorch\'s formula', () => {
  const x = randn([2, 3, 9, 7]);
  assertShape(new Flatten().forward(x), [2, 189]);
  assertShape(new Flatten(0, 1).forward(x), [6, 9, 7]);
  assertShape(new Conv2d(3, 4, 3, { stride: 2, padding: 1 }).forward(x), [2, 4, 5, 4]);
  assertShape(new MaxPool2d(2).forward(x), [2, 3, 4, 3]);
  assertShape(new AvgPool2d(3, { stride: 1 }).forward(x), [2, 3, 7, 5]);
});

const errors = suite('conv2d and pooling: bad input gets a clear error');
errors('a Conv2d fed the wrong channel count names both', () => {
  assert.throws(() => new Conv2d(3, 4, 3).forward(randn([2, 1, 8, 8])), /Conv2d.forward: expected input with 3 channels \[N, 3, H, W\], got \[2,1,8,8\]/);
});
errors('a 3-d input is refused with a hint to add the batch dimension', () => {
  assert.throws(() => new Conv2d(3, 4, 3).forward(randn([3, 8, 8])), /expected input \[N, 3, H, W\], got \[3,8,8\] \(one image\? add the batch dimension/);
  assert.throws(() => maxPool2d(randn([3, 8, 8]), 2), /maxPool2d: expected a 4-d input \[N, C, H, W\], got \[3,8,8\]/);
});
errors('a kernel larger than the padded input is refused, dilation counted', () => {
  assert.throws(() => new Conv2d(1, 1, 5, { padding: 1 }).forward(randn([1, 1, 2, 2])), /conv2d: expected a padded input of at least 5x5 \(the kernel\), got 4x4/);
  assert.throws(() => conv2d(randn([1, 1, 4, 4]), randn([1, 1, 3, 3]), null, { dilation: 2 }), /at least 5x5/);
  assert.throws(() => avgPool2d(randn([1, 1, 1, 1]), 4, { padding: 1 }), /avgPool2d: expected a padded input of at least 4x4 \(the kernel\), got 3x3/);
});
errors('bad options: non-integers, zero stride, wrong kinds, padding beyond half the kernel', () => {
  assert.throws(() => new Conv2d(1, 1, 3, { stride: 0 }), /Conv2d: expected stride to be integers >= 1, got 0/);
  assert.throws(() => new Conv2d(1, 1, 2.5), /Conv2d: expected kernelSize to be integers >= 1, got 2.5/);
  assert.throws(() => new Conv2d(1, 1, 3, { padding: NaN }), RangeError);
  assert.throws(() => new Conv2d(1, 1, 3, { padding: '1' as never }), /expected padding to be a number or \[height, width\], got string 1/);
  assert.throws(() => new Conv2d(0, 1, 3), /Conv2d: expected inChannels to be a positive integer up to 2\^24, got 0/);
  assert.throws(() => maxPool2d(randn([1, 1, 6, 6]), 2, { padding: 2 }), /maxPool2d: expected padding at most half the kernel \[2,2\], got \[2,2\]/);
  assert.throws(() => conv2d(randn([1, 2, 5, 5]), randn([3, 2, 3, 3]), randn([2])), /conv2d: expected bias of shape \[3\], got \[2\]/);
  assert.throws(() => conv2d([1, 2] as never, randn([3, 2, 3, 3])), /conv2d: expected input to be a Tensor, got an array/);
});
errors('a failed forward leaves the layer\'s weights as they were', () => {
  manualSeed(2);
  const conv = new Conv2d(3, 2, 3);
  const before = conv.weight.data.slice();
  assert.throws(() => conv.forward(randn([1, 2, 5, 5])));
  assert.equal([...conv.weight.data], [...before]);
});

grads.run();
layers.run();
errors.run();
