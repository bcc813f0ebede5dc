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

interface TargetCase {
  name: string;
  reduction: 'mean' | 'sum' | 'none';
  input: TensorJSONFixture;
  target: TensorJSONFixture;
  weights: TensorJSONFixture;
  output: TensorJSONFixture;
  grad: TensorJSONFixture;
  targetGrad: TensorJSONFixture | null;
}

const targetCases = fixture<{ cases: TargetCase[] }>('cross-entropy.json').cases;

for (const backend of availableBackends()) {
  const targets = suite(`crossEntropy target forms match PyTorch 1.13 (${backendLabel(backend)})`);
  for (const c of targetCases) {
    const form = c.targetGrad === null ? 'class indices [N, 1]' : 'class probabilities [N, C]';
    targets(`${c.name}: ${form}, reduction '${c.reduction}': value and gradients`, () => {
      withBackend(backend, () => {
        const x = fromJSON(c.input, true), t = fromJSON(c.target, c.targetGrad !== null);
        const y = crossEntropy(x, t, { reduction: c.reduction });
        assertShape(y, c.output.shape);
        assertClose(y, c.output.data, { atol: 1e-6, rtol: 1e-5 }, `${c.name} value`);
        mul(y, fromJSON(c.weights)).sum().backward();
        assertClose(x.grad!, c.grad.data, { atol: 1e-6, rtol: 1e-5 }, `${c.name} input gradient`);
        if (c.targetGrad !== null) assertClose(t.grad!, c.targetGrad.data, { atol: 1e-6, rtol: 1e-5 }, `${c.name} target gradient`);
      });
    });
  }
  targets.run();
}

const forms = suite('crossEntropy: the target forms agree');

forms('one-hot probabilities, [N] indices and [N, 1] indices give the same bits (value and input gradient)', () => {
  const g = new Generator(5);
  const x0 = mul(randn([6, 4], { generator: g }), 2), classes = [3, 0, 1, 1, 2, 0];
  const oneHot = tensor(classes.map((k) => [0, 1, 2, 3].map((c) => (c === k ? 1 : 0))));
  const run = (target: Tensor | number[], reduction: 'mean' | 'sum') => {
    const x = tensor(x0.data.slice(), { shape: [6, 4], requiresGrad: true });
    const y = crossEntropy(x, target, { reduction });
    y.backward();
    return { value: y.item(), grad: Array.from(x.grad!.data) };
  };
  for (const reduction of ['mean', 'sum'] as const) {
    const byIndex = run(classes, reduction);
    assert.equal(run(tensor(classes, { shape: [6, 1] }), reduction), byIndex, `[N, 1], ${reduction}`);
    // sum_c t_c log p_c adds exact zeros to log p_y, so the one-hot form rounds as the index form does
    assert.equal(run(oneHot, reduction), byIndex, `one-hot, ${reduction}`);
  }
});

forms('hand value: uniform logits against any probabilities cost ln C per row', () => {
  // log softmax of equal logits is -ln 3 in every class, so l_n = ln 3 * sum_c t_nc = ln 3 for rows summing to 1
  const y = crossEntropy(zeros([2, 3]), tensor([[0.2, 0.3, 0.5], [1, 0, 0]]), { reduction: 'none' });
  assertClose(y, [Math.log(3), Math.log(3)], { atol: 1e-6, rtol: 1e-6 });
});

forms.run();

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
  assert.throws(() => crossEntropy(logits, tensor([[0], [3]])), /crossEntropy: expected class indices in \[0, 3\), got 3 at index 1/);
  const shapes = /crossEntropy: expected target \[N\] class indices, \[N, 1\] class indices or \[N, C\] class probabilities, got /;
  assert.throws(() => crossEntropy(logits, [0]), new RegExp(shapes.source + '\\[1\\] for input \\[2,3\\]'));
  assert.throws(() => crossEntropy(logits, zeros([2, 4])), new RegExp(shapes.source + '\\[2,4\\] for input \\[2,3\\]'));
  assert.throws(() => crossEntropy(logits, zeros([2, 3, 1])), new RegExp(shapes.source + '\\[2,3,1\\] for input \\[2,3\\]'));
  assert.throws(() => crossEntropy(logits, tensor([[0.5, 0.5, 0], [0, NaN, 1]])), /crossEntropy: expected finite class probabilities, got NaN at row 1, class 1/);
  assert.throws(() => crossEntropy(zeros([3]), [0]), /crossEntropy: expected input of shape \[N, C\], got \[3\]/);
  assert.throws(() => crossEntropy(logits, 'a' as never), /crossEntropy: expected target class indices/);
});

errors('mseLoss reports a non-finite input with its index instead of returning NaN, for every reduction', () => {
  for (const reduction of ['mean', 'sum', 'none'] as const) {
    assert.throws(() => mseLoss(tensor([1, NaN, 2]), zeros([3]), { reduction }), /mseLoss: expected a finite input, got NaN at index 1/, reduction);
    assert.throws(() => mseLoss(tensor([[1, 2], [-Infinity, NaN]]), zeros([2, 2]), { reduction }), /mseLoss: expected a finite input, got -Infinity at index 2/, reduction);
  }
});

errors('a non-finite prediction computed in the graph is a non-finite loss for the training loop to report', () => {
  // a model's forward in training: the loops (fit, rangeTest) stop on the loss and name the epoch and batch
  const w = tensor([1, 1, 1], { requiresGrad: true });
  assert.ok(Number.isNaN(mseLoss(mul(w, tensor([1, NaN, 2])), zeros([3])).item()));
  assert.throws(() => mseLoss(mul(tensor([1, 1, 1]), tensor([1, NaN, 2])), zeros([3])), /mseLoss: expected a finite input, got NaN at index 1/);
});

errors('mseLoss of finite operands whose square overflows float32 is Infinity (a diverging model), not an error', () => {
  // d = 2e30 is a float32; d^2 = 4e60 is past float32's 3.4e38
  assert.is(mseLoss(tensor([1e30]), tensor([-1e30])).item(), Infinity);
  assert.is(mseLoss(tensor([1e30, 0]), tensor([-1e30, 0]), { reduction: 'sum' }).item(), Infinity);
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
