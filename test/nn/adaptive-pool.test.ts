// adaptiveAvgPool2d and AdaptiveAvgPool2d against PyTorch (test/fixtures/layers-resnet.json, from
// gen_layers_resnet.py) on every backend: global, dividing and overlapping windows; gradcheck; errors.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AdaptiveAvgPool2d, adaptiveAvgPool2d, avgPool2d, tensor, gradcheck, randn, Generator, type AdaptiveSize2 } from '../../src/index.js';
import { assertClose, assertShape, fixture, type TensorJSONFixture } from '../helpers/assert.js';
import { availableBackends, backendLabel, withBackend } from '../helpers/backends.js';

interface PoolCase { outputSize: AdaptiveSize2; input: TensorJSONFixture; w: TensorJSONFixture; output: TensorJSONFixture; grad: TensorJSONFixture }
const fx = fixture<{ adaptiveAvgPool2d: PoolCase[] }>('layers-resnet.json');
const leaf = (t: TensorJSONFixture, requiresGrad = false) => tensor(t.data, { shape: t.shape, requiresGrad });

for (const backend of availableBackends()) {
  const parity = suite(`AdaptiveAvgPool2d matches torch.nn.AdaptiveAvgPool2d (${backendLabel(backend)})`);
  fx.adaptiveAvgPool2d.forEach((c) => {
    parity(`${JSON.stringify(c.input.shape)} to ${JSON.stringify(c.outputSize)}: output and input gradient`, () => {
      withBackend(backend, () => {
        const x = leaf(c.input, true);
        const y = new AdaptiveAvgPool2d(c.outputSize).forward(x);
        assertShape(y, c.output.shape);
        // means of up to 49 values, summed here in double: within a few float32 ulp of torch's
        assertClose(y, c.output.data, { atol: 1e-6, rtol: 1e-5 }, 'output');
        y.backward(leaf(c.w));
        assertClose(x.grad!, c.grad.data, { atol: 1e-6, rtol: 1e-5 }, 'dL/dinput');
      });
    });
  });
  parity.run();
}

const behaviour = suite('adaptiveAvgPool2d: windows from PyTorch\'s start and end indices');
behaviour('output 1 is the global mean of each plane, whatever its size', () => {
  const x = tensor([[[[1, 2, 3], [4, 5, 6]]], [[[0, 0, 0], [0, 0, 12]]]]);
  assert.equal(adaptiveAvgPool2d(x, 1).toArray(), [[[[3.5]]], [[[2]]]]);
});
behaviour('an output size that divides the input is avgPool2d with kernel and stride input / output', () => {
  const x = randn([2, 3, 8, 6], { generator: new Generator(1) });
  assertClose(adaptiveAvgPool2d(x, [4, 2]), avgPool2d(x, [2, 3]), { atol: 1e-6 }, 'against avgPool2d');
});
behaviour('windows overlap where the output does not divide the input: 5 rows to 3 are [0,2), [1,4), [3,5)', () => {
  const x = tensor([1, 2, 3, 4, 5], { shape: [1, 1, 5, 1] });
  assertClose(adaptiveAvgPool2d(x, [3, 1]), [1.5, 3, 4.5], {}, 'rows');
  assertShape(adaptiveAvgPool2d(randn([1, 2, 5, 7]), [null, 3]), [1, 2, 5, 3]);
  assertShape(adaptiveAvgPool2d(randn([3, 4, 4]), 2), [3, 2, 2]);
});
behaviour('gradcheck: overlapping windows send each element its share from every window it is in', () => {
  const x = randn([2, 2, 5, 7], { generator: new Generator(5), requiresGrad: true });
  const r = gradcheck((a) => adaptiveAvgPool2d(a, [3, 4]), [x], { raiseException: false });
  assert.ok(r.ok, `mismatches: ${JSON.stringify(r.mismatches.slice(0, 3))}`);
});

const errors = suite('adaptiveAvgPool2d: bad arguments get a clear error');
errors('bad output sizes and input shapes name the function and the value', () => {
  assert.throws(() => new AdaptiveAvgPool2d(0), /AdaptiveAvgPool2d: expected outputSize to be integers in \[1, 2\^24\] \(or null\), got 0/);
  assert.throws(() => new AdaptiveAvgPool2d(NaN), /AdaptiveAvgPool2d: expected outputSize to be integers .* got NaN/);
  assert.throws(() => new AdaptiveAvgPool2d([2, Infinity]), /AdaptiveAvgPool2d: expected outputSize to be integers .* got \[2, Infinity\]/);
  assert.throws(() => new AdaptiveAvgPool2d(1.5), /AdaptiveAvgPool2d: expected outputSize to be integers/);
  assert.throws(() => new AdaptiveAvgPool2d('1' as never), /AdaptiveAvgPool2d: expected outputSize to be a number or \[height, width\] \(null keeps the input's\), got "1"/);
  assert.throws(() => new AdaptiveAvgPool2d([1, 2, 3] as never), /AdaptiveAvgPool2d: expected outputSize to be a number or \[height, width\]/);
  assert.throws(() => adaptiveAvgPool2d(randn([2, 3]), 1), /adaptiveAvgPool2d: expected input \[N, C, H, W\] or \[C, H, W\] with H, W >= 1, got \[2,3\]/);
  assert.throws(() => adaptiveAvgPool2d(null as never, 1), /adaptiveAvgPool2d: expected input to be a Tensor, got null/);
});

behaviour.run();
errors.run();
