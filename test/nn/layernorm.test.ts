// LayerNorm against PyTorch (test/fixtures/layers-resnet.json, from gen_layers_resnet.py) on every backend; hand
// values, gradcheck, and the errors.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LayerNorm, layerNorm, tensor, gradcheck, randn, Generator, type LayerNormOptions } from '../../src/index.js';
import { assertClose, assertShape, fixture, type TensorJSONFixture } from '../helpers/assert.js';
import { availableBackends, backendLabel, withBackend } from '../helpers/backends.js';

interface LayerNormCase {
  normalizedShape: number[]; options: Required<LayerNormOptions>; input: TensorJSONFixture;
  weight: TensorJSONFixture | null; bias: TensorJSONFixture | null; keys: string[];
  w: TensorJSONFixture; output: TensorJSONFixture; grads: TensorJSONFixture[];
}
const fx = fixture<{ layerNorm: LayerNormCase[] }>('layers-resnet.json');
const leaf = (t: TensorJSONFixture, requiresGrad = false) => tensor(t.data, { shape: t.shape, requiresGrad });

for (const backend of availableBackends()) {
  const parity = suite(`LayerNorm matches torch.nn.LayerNorm (${backendLabel(backend)})`);
  fx.layerNorm.forEach((c) => {
    parity(`LayerNorm(${JSON.stringify(c.normalizedShape)}, ${JSON.stringify(c.options)}) on ${JSON.stringify(c.input.shape)}: output and the gradients of input, weight and bias`, () => {
      withBackend(backend, () => {
        const ln = new LayerNorm(c.normalizedShape, c.options);
        assert.equal(Object.keys(ln.stateDict()), c.keys);
        if (c.weight !== null && c.bias !== null) ln.loadStateDict({ weight: leaf(c.weight), bias: leaf(c.bias) });
        const x = leaf(c.input, true);
        const y = ln.forward(x);
        assertShape(y, c.output.shape);
        // mean and variance over up to 60 values summed in another order than torch's, then divided: a few ulp
        assertClose(y, c.output.data, { atol: 1e-5, rtol: 1e-5 }, 'output');
        y.backward(leaf(c.w));
        assertClose(x.grad!, c.grads[0].data, { atol: 1e-5, rtol: 1e-4 }, 'dL/dinput');
        if (ln.weight !== null) assertClose(ln.weight.grad!, c.grads[1].data, { atol: 1e-5, rtol: 1e-5 }, 'dL/dweight');
        if (ln.bias !== null) assertClose(ln.bias.grad!, c.grads[2].data, { atol: 1e-5, rtol: 1e-5 }, 'dL/dbias');
      });
    });
  });
  parity.run();
}

const behaviour = suite('LayerNorm: per-sample normalization over the last dims');
behaviour('hand values: [1, 3] normalizes to [-1, 1] / sqrt(1 + eps), then scale and shift apply per feature', () => {
  const ln = new LayerNorm(2, { eps: 0.25 });
  // mean 2, biased variance 1: (x - 2) / sqrt(1.25)
  assertClose(ln.forward(tensor([[1, 3]])), [-1 / Math.sqrt(1.25), 1 / Math.sqrt(1.25)], {}, 'output');
  ln.weight!.data.set([2, 3]);
  ln.bias!.data.set([0.5, -0.5]);
  assertClose(ln.forward(tensor([[1, 3], [10, 10]])), [-2 / Math.sqrt(1.25) + 0.5, 3 / Math.sqrt(1.25) - 0.5, 0.5, -0.5], {}, 'scaled');
});
behaviour('each sample is normalized on its own: every row has mean 0 and variance 1 / (1 + eps / var)', () => {
  const x = randn([4, 3, 5], { generator: new Generator(2) });
  const y = new LayerNorm([3, 5], { elementwiseAffine: false }).forward(x);
  for (let r = 0; r < 4; r++) {
    const row = y.data.subarray(r * 15, (r + 1) * 15);
    const m = row.reduce((a, b) => a + b, 0) / 15;
    assertClose(m, 0, { atol: 1e-6 }, `row ${r} mean`);
    assertClose(row.reduce((a, b) => a + (b - m) ** 2, 0) / 15, 1, { atol: 1e-3 }, `row ${r} variance`);
  }
  assert.equal(Object.keys(new LayerNorm([3, 5], { elementwiseAffine: false }).stateDict()), []);
  assert.equal(new LayerNorm([3, 5]).weight!.shape, [3, 5]);
});
behaviour('gradcheck: layerNorm\'s gradients with respect to input, weight and bias', () => {
  const g = new Generator(8);
  const x = randn([3, 4], { generator: g, requiresGrad: true }), w = randn([4], { generator: g, requiresGrad: true }), b = randn([4], { generator: g, requiresGrad: true });
  const r = gradcheck((a, c, d) => layerNorm(a, [4], c, d), [x, w, b], { raiseException: false });
  assert.ok(r.ok, `mismatches: ${JSON.stringify(r.mismatches.slice(0, 3))}`);
});

const errors = suite('LayerNorm: bad arguments get a clear error');
errors('an input that does not end in the normalized shape names both shapes', () => {
  assert.throws(() => new LayerNorm([4, 5]).forward(randn([2, 5, 4])), /LayerNorm.forward: expected input \[\*, 4, 5\], got \[2,5,4\]/);
  assert.throws(() => new LayerNorm(3).forward(randn([]) as never), /LayerNorm.forward: expected input \[\*, 3\], got \[\]/);
  assert.throws(() => new LayerNorm(3).forward([1, 2, 3] as never), /LayerNorm.forward: expected input to be a Tensor/);
  assert.throws(() => layerNorm(randn([2, 3]), [2]), /layerNorm: expected input ending in \[2\]/);
  assert.throws(() => layerNorm(randn([2, 3]), undefined as never), /layerNorm: expected normalizedShape to be a non-empty list of positive integers, got undefined/);
  assert.throws(() => layerNorm(randn([2, 3]), [3], [1, 1, 1] as never), /layerNorm: expected weight to be a Tensor or null, got \[1, 1, 1\]/);
  assert.throws(() => layerNorm(randn([2, 3]), [3], null, null, NaN), /layerNorm: expected eps to be a finite number > 0, got NaN/);
});
errors('normalizedShape and options are checked: wrong types, NaN, Infinity, unknown names', () => {
  assert.throws(() => new LayerNorm(0), /LayerNorm: expected normalizedShape to be a positive integer or a non-empty list of them .* got 0/);
  assert.throws(() => new LayerNorm([]), /expected normalizedShape .* got \[\]/);
  assert.throws(() => new LayerNorm(NaN), /expected normalizedShape .* got NaN/);
  assert.throws(() => new LayerNorm('4' as never), /expected normalizedShape .* got "4"/);
  assert.throws(() => new LayerNorm([2 ** 16, 2 ** 16]), /LayerNorm: expected normalizedShape of at most 2147483647 elements/);
  assert.throws(() => new LayerNorm(4, { eps: 0 }), /LayerNorm: expected eps to be a finite number > 0, got 0/);
  assert.throws(() => new LayerNorm(4, { eps: NaN }), /expected eps .* got NaN/);
  assert.throws(() => new LayerNorm(4, { eps: Infinity }), /expected eps .* got Infinity/);
  assert.throws(() => new LayerNorm(4, { elementwiseAffine: 1 as never }), /LayerNorm: expected elementwiseAffine to be true or false, got 1/);
  assert.throws(() => new LayerNorm(4, { elementwise_affine: false } as never), /LayerNorm: unknown option 'elementwise_affine'/);
});

behaviour.run();
errors.run();
