import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { tensor, mul, sub, sum, mean, randn, Generator, mseLoss, l1Loss, huberLoss, smoothL1Loss, crossEntropy, bceWithLogits, Tensor, zeros } from '../../src/index.js';
import { assertClose, assertShape, fixture, type TensorJSONFixture } from '../helpers/assert.js';
import { availableBackends, backendLabel, withBackend } from '../helpers/backends.js';

interface LossCase {
  name: string;
  args: Record<string, any>;
  input: TensorJSONFixture;
  target: TensorJSONFixture;
  weights: TensorJSONFixture;
  output: TensorJSONFixture;
  grad: TensorJSONFixture;
}

const fromJSON = (t: TensorJSONFixture, requiresGrad = false) => tensor(t.data, { shape: t.shape, requiresGrad });
const LOSSES: Record<string, (x: Tensor, t: Tensor, args: Record<string, any>) => Tensor> = {
  mseLoss: (x, t, a) => mseLoss(x, t, a),
  l1Loss: (x, t, a) => l1Loss(x, t, a),
  huberLoss: (x, t, a) => huberLoss(x, t, a),
  smoothL1Loss: (x, t, a) => smoothL1Loss(x, t, a),
  crossEntropy: (x, t, a) => crossEntropy(x, t, a),
  bceWithLogits: (x, t, a) => bceWithLogits(x, t, { ...a, posWeight: a.posWeight ? fromJSON(a.posWeight) : undefined }),
};

const { losses } = fixture<{ losses: LossCase[] }>('ops.json');

for (const backend of availableBackends()) {
  const parity = suite(`losses match PyTorch (${backendLabel(backend)})`);
  for (const c of losses) {
    const label = `${c.name} ${JSON.stringify({ ...c.args, posWeight: c.args.posWeight ? '[3]' : undefined })}`;
    parity(`${label}: value and gradient`, () => {
      withBackend(backend, () => {
        const x = fromJSON(c.input, true);
        const y = LOSSES[c.name](x, fromJSON(c.target), c.args);
        assertShape(y, c.output.shape);
        assertClose(y, c.output.data, { atol: 1e-6, rtol: 1e-5 }, `${c.name} value`);
        mul(y, fromJSON(c.weights)).sum().backward();
        assertClose(x.grad!, c.grad.data, { atol: 1e-6, rtol: 1e-5 }, `${c.name} gradient`);
      });
    });
  }
  parity.run();
}

const errors = suite('losses: bad input');

errors('a [32,1] prediction against a [32] target is an error, not a silent [32,32] broadcast', () => {
  assert.throws(() => mseLoss(zeros([32, 1]), zeros([32])), /mseLoss: expected input and target of the same shape, got \[32,1\] and \[32\]/);
});

errors('NaN or Infinity in the target is reported with its index', () => {
  assert.throws(() => l1Loss(zeros([3]), tensor([0, NaN, 0])), /l1Loss: expected a finite target, got NaN at index 1/);
  assert.throws(() => mseLoss(zeros([2]), tensor([Infinity, 0])), /mseLoss: expected a finite target, got Infinity at index 0/);
});

errors('empty batches, bad reductions and bad thresholds are rejected', () => {
  assert.throws(() => mseLoss(zeros([0, 1]), zeros([0, 1])), /mseLoss: expected a non-empty input, got shape \[0,1\]/);
  assert.throws(() => mseLoss(zeros([2]), zeros([2]), { reduction: 'avg' as never }), /mseLoss: expected reduction 'mean', 'sum' or 'none', got 'avg'/);
  assert.throws(() => huberLoss(zeros([2]), zeros([2]), { delta: 0 }), /huberLoss: expected delta > 0, got 0/);
  assert.throws(() => smoothL1Loss(zeros([2]), zeros([2]), { beta: -1 }), /smoothL1Loss: expected beta >= 0, got -1/);
});

errors('crossEntropy checks class indices: integer, in range, one per row', () => {
  const logits = zeros([2, 3]);
  assert.throws(() => crossEntropy(logits, [0, 3]), /crossEntropy: expected class indices in \[0, 3\), got 3 at index 1/);
  assert.throws(() => crossEntropy(logits, [0.5, 1]), /crossEntropy: expected integer class indices, got 0.5 at index 0/);
  assert.throws(() => crossEntropy(logits, [0]), /crossEntropy: expected target of shape \[2\] \(one class index per row\), got \[1\]/);
  assert.throws(() => crossEntropy(zeros([3]), [0]), /crossEntropy: expected input of shape \[N, C\], got \[3\]/);
  assert.throws(() => crossEntropy(logits, 'a' as never), /crossEntropy: expected target class indices/);
});

errors('a hand value: mse of [1,2] against [0,0] is (1 + 4) / 2', () => {
  assert.is(mseLoss(tensor([1, 2]), tensor([0, 0])).item(), 2.5);
  assert.is(mseLoss(tensor([1, 2]), tensor([0, 0]), { reduction: 'sum' }).item(), 5);
  assert.equal(Array.from(mseLoss(tensor([1, 2]), tensor([0, 0]), { reduction: 'none' }).data), [1, 4]);
});

errors('mseLoss as one op gives the bits of the four ops it stands for, value and both gradients, mean and sum', () => {
  const g = new Generator(21);
  for (const shape of [[1], [7], [32, 1], [33, 5], [256, 1]]) {
    for (const reduction of ['mean', 'sum'] as const) {
      const x0 = randn(shape, { generator: g }), t0 = mul(randn(shape, { generator: g }), 3);
      const run = (fused: boolean) => {
        const x = tensor(x0.data.slice(), { shape, requiresGrad: true }), t = tensor(t0.data.slice(), { shape, requiresGrad: true });
        const d = sub(x, t);
        const loss = fused ? mseLoss(x, t, { reduction }) : reduction === 'mean' ? mean(mul(d, d)) : sum(mul(d, d));
        mul(loss, 1.7).backward(); // a gradient other than 1 reaches the loss
        return { value: loss.item(), gx: Array.from(x.grad!.data), gt: Array.from(t.grad!.data), op: loss.creator?.op };
      };
      const fused = run(true), composed = run(false);
      assert.is(fused.op, 'mseLoss');
      assert.is(fused.value, composed.value, `${reduction} over ${shape}`);
      assert.equal(fused.gx, composed.gx, `input gradient, ${reduction} over ${shape}`);
      assert.equal(fused.gt, composed.gt, `target gradient, ${reduction} over ${shape}`);
    }
  }
});

errors.run();
