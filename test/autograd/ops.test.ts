// Hand-computed values for small cases, and gradcheck (central differences) on every primitive.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as F from '../../src/index.js';
import { Generator, Tensor, tensor, gradcheck } from '../../src/index.js';
import { assertClose, assertShape } from '../helpers/assert.js';
import { availableBackends, backendLabel, withBackend } from '../helpers/backends.js';

const hand = suite('ops: hand-computed values');

hand('add broadcasts a row over a matrix and sums the gradient back over the rows', () => {
  const a = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
  const b = tensor([10, 20, 30], { requiresGrad: true });
  const y = a.add(b);
  assert.equal(y.toArray(), [[11, 22, 33], [14, 25, 36]]);
  y.sum().backward();
  assert.equal(a.grad!.toArray(), [[1, 1, 1], [1, 1, 1]]);
  assert.equal(b.grad!.toArray(), [2, 2, 2]); // b was used by both rows
});

hand('mul: d(a*b)/da = b and d(a*b)/db = a', () => {
  const a = tensor([2, 3], { requiresGrad: true }), b = tensor([5, 7], { requiresGrad: true });
  a.mul(b).sum().backward();
  assert.equal(Array.from(a.grad!.data), [5, 7]);
  assert.equal(Array.from(b.grad!.data), [2, 3]);
});

hand('div: d(a/b)/db = -a/b^2', () => {
  const a = tensor([6], { requiresGrad: true }), b = tensor([2], { requiresGrad: true });
  const y = a.div(b);
  y.backward();
  assert.is(y.item(), 3);
  assert.is(a.grad!.item(), 0.5);
  assert.is(b.grad!.item(), -1.5); // -6 / 4
});

hand('pow with a number exponent: d(x^3)/dx = 3x^2', () => {
  const x = tensor([2, -1], { requiresGrad: true });
  const y = x.pow(3);
  y.sum().backward();
  assert.equal(Array.from(y.data), [8, -1]);
  assert.equal(Array.from(x.grad!.data), [12, 3]);
});

hand('relu and abs take gradient 0 at the kink x = 0, as PyTorch', () => {
  const x = tensor([-1, 0, 2], { requiresGrad: true });
  x.relu().sum().backward();
  assert.equal(Array.from(x.grad!.data), [0, 0, 1]);
  x.grad = null;
  x.abs().sum().backward();
  assert.equal(Array.from(x.grad!.data), [-1, 0, 1]);
});

hand('matmul: [[1,2],[3,4]] @ [[5],[6]] = [[17],[39]]; dA = g B^T, dB = A^T g', () => {
  const A = tensor([[1, 2], [3, 4]], { requiresGrad: true }), B = tensor([[5], [6]], { requiresGrad: true });
  const C = A.matmul(B);
  assert.equal(C.toArray(), [[17], [39]]);
  C.sum().backward();
  assert.equal(A.grad!.toArray(), [[5, 6], [5, 6]]);
  assert.equal(B.grad!.toArray(), [[4], [6]]);
});

hand('sum, mean and max over a dim with and without keepdim', () => {
  const x = tensor([[1, 5, 3], [4, 2, 6]]);
  assert.equal(x.sum(0).toArray(), [5, 7, 9]);
  assert.equal(x.sum(1, true).toArray(), [[9], [12]]);
  assert.equal(x.mean().item(), 3.5);
  assert.equal(x.max(1).toArray(), [5, 6]);
  assert.equal(x.max(0, true).toArray(), [[4, 5, 6]]);
  assert.is(x.max().item(), 6);
});

hand('max sends the gradient to the maximal element only; full max shares it among ties', () => {
  const x = tensor([[1, 5, 3], [4, 2, 6]], { requiresGrad: true });
  x.max(1).sum().backward();
  assert.equal(x.grad!.toArray(), [[0, 1, 0], [0, 0, 1]]);
  const t = tensor([2, 7, 7], { requiresGrad: true });
  t.max().backward();
  assert.equal(Array.from(t.grad!.data), [0, 0.5, 0.5]);
});

hand('slice, concat, stack and gather route values and gradients to the right places', () => {
  const x = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
  assert.equal(x.slice(1, 1).toArray(), [[2, 3], [5, 6]]);
  assert.equal(x.slice(0, -1).toArray(), [[4, 5, 6]]);
  assert.equal(F.concat([x, x], 0).toArray(), [[1, 2, 3], [4, 5, 6], [1, 2, 3], [4, 5, 6]]);
  assertShape(F.stack([x, x], 2), [2, 3, 2]);
  const g = x.gather(1, [[2, 2], [0, 1]]);
  assert.equal(g.toArray(), [[3, 3], [4, 5]]);
  g.sum().backward();
  assert.equal(x.grad!.toArray(), [[0, 0, 2], [1, 1, 0]]); // element [0][2] was picked twice
});

hand('transpose, reshape with -1, expand and unsqueeze', () => {
  const x = tensor([[1, 2, 3], [4, 5, 6]]);
  assert.equal(x.T.toArray(), [[1, 4], [2, 5], [3, 6]]);
  assertShape(x.reshape([-1]), [6]);
  assertShape(x.reshape([3, -1]), [3, 2]);
  assert.equal(tensor([[1], [2]]).expand([2, 3]).toArray(), [[1, 1, 1], [2, 2, 2]]);
  assertShape(F.unsqueeze(x, 0), [1, 2, 3]);
});

hand('softmax is stable for large logits and rows sum to 1', () => {
  const y = tensor([[1000, 1001, 1002], [-1000, 0, 1000]]).softmax(1);
  for (const v of y.data) assert.ok(Number.isFinite(v));
  assertClose(y.sum(1), [1, 1], { atol: 1e-6 });
  assertClose(tensor([[1000, 1000]]).logSoftmax(1), [-Math.LN2, -Math.LN2], { atol: 1e-6 });
});

hand('softplus matches log(1 + e^x) and is linear above the threshold', () => {
  const y = tensor([0, 1, 30]).softplus();
  assertClose(y, [Math.LN2, Math.log1p(Math.E), 30], { rtol: 1e-6 });
});

hand.run();

// ---------------------------------------------------------------------------------------------------------------
// gradcheck on every primitive: L = sum(w * f(x)) compared with central differences, inputs away from kinks.

function randomInput(shape: number[], seed: number, low = -2, high = 2, awayFrom?: number): Tensor {
  const g = new Generator(seed);
  const t = F.zeros(shape);
  for (let i = 0; i < t.size; i++) {
    let v = g.uniform(low, high);
    if (awayFrom !== undefined && Math.abs(v - awayFrom) < 0.2) v = awayFrom + (v >= awayFrom ? 0.2 : -0.2);
    t.data[i] = v;
  }
  return t.requiresGrad_();
}

type Check = [name: string, fn: (...x: Tensor[]) => Tensor, inputs: () => Tensor[]];
const CHECKS: Check[] = [
  ['add (broadcast)', (a, b) => F.add(a, b), () => [randomInput([3, 4], 1), randomInput([4], 2)]],
  ['sub (broadcast)', (a, b) => F.sub(a, b), () => [randomInput([2, 1, 3], 3), randomInput([4, 1], 4)]],
  ['mul (broadcast)', (a, b) => F.mul(a, b), () => [randomInput([3, 4], 5), randomInput([3, 1], 6)]],
  ['div', (a, b) => F.div(a, b), () => [randomInput([3, 4], 7), randomInput([4], 8, 0.5, 2)]],
  ['neg', (a) => F.neg(a), () => [randomInput([5], 9)]],
  ['pow (number exponent)', (a) => F.pow(a, 3), () => [randomInput([5], 10)]],
  ['pow (tensor exponent)', (a, b) => F.pow(a, b), () => [randomInput([2, 3], 11, 0.5, 2), randomInput([3], 12, -1, 1)]],
  ['exp', (a) => F.exp(a), () => [randomInput([6], 13)]],
  ['log', (a) => F.log(a), () => [randomInput([6], 14, 0.5, 3)]],
  ['sqrt', (a) => F.sqrt(a), () => [randomInput([6], 15, 0.5, 3)]],
  ['abs', (a) => F.abs(a), () => [randomInput([6], 16, -2, 2, 0)]],
  ['tanh', (a) => F.tanh(a), () => [randomInput([6], 17)]],
  ['sigmoid', (a) => F.sigmoid(a), () => [randomInput([6], 18, -4, 4)]],
  ['relu', (a) => F.relu(a), () => [randomInput([6], 19, -2, 2, 0)]],
  ['leakyRelu', (a) => F.leakyRelu(a, 0.1), () => [randomInput([6], 20, -2, 2, 0)]],
  ['softplus', (a) => F.softplus(a, { beta: 2 }), () => [randomInput([6], 21)]],
  ['matmul', (a, b) => F.matmul(a, b), () => [randomInput([3, 4], 22), randomInput([4, 2], 23)]],
  ['matmul (broadcast batches)', (a, b) => F.matmul(a, b), () => [randomInput([2, 1, 3, 4], 41), randomInput([3, 4, 2], 42)]],
  ['matmul (vector)', (a, b) => F.matmul(a, b), () => [randomInput([4], 43), randomInput([2, 4, 3], 44)]],
  ['sum over a dim', (a) => F.sum(a, 1, true), () => [randomInput([3, 4], 24)]],
  ['mean over dims', (a) => F.mean(a, [0, 2]), () => [randomInput([2, 3, 2], 25)]],
  ['max over a dim', (a) => F.max(a, 0), () => [randomInput([3, 4], 26)]],
  ['max of all', (a) => F.max(a), () => [randomInput([3, 4], 27)]],
  ['reshape', (a) => F.reshape(a, [4, 3]), () => [randomInput([2, 6], 28)]],
  ['transpose', (a) => F.transpose(a, 0, 2), () => [randomInput([2, 3, 4], 29)]],
  ['expand', (a) => F.expand(a, [2, 3, 4]), () => [randomInput([3, 1], 30)]],
  ['slice', (a) => F.slice(a, 1, 1, 3), () => [randomInput([3, 4], 31)]],
  ['concat', (a, b) => F.concat([a, b], 1), () => [randomInput([2, 3], 32), randomInput([2, 1], 33)]],
  ['stack', (a, b) => F.stack([a, b], 0), () => [randomInput([2, 3], 34), randomInput([2, 3], 35)]],
  ['gather', (a) => F.gather(a, 0, [[1, 0, 1], [0, 0, 1]]), () => [randomInput([2, 3], 36)]],
  ['softmax', (a) => F.softmax(a, 1), () => [randomInput([3, 4], 37)]],
  ['logSoftmax', (a) => F.logSoftmax(a, 0), () => [randomInput([3, 4], 38)]],
];

for (const backend of availableBackends()) {
  const gc = suite(`gradcheck: every primitive (${backendLabel(backend)})`);
  for (const [name, fn, inputs] of CHECKS) {
    gc(`${name}: backward agrees with central differences`, () => {
      withBackend(backend, () => {
        const result = gradcheck(fn, inputs());
        assert.ok(result.ok);
      });
    });
  }
  gc('gradcheck itself fails on a wrong gradient and names input, index and both values', () => {
    // an op whose backward forgets the factor 2 of d(x^2)/dx
    const wrongSquare = (x: Tensor) =>
      F.record('wrongSquare', x.data.map((v) => v * v), x.shape, [x], (g) => [g.map((v, i) => v * x.data[i])]);
    assert.throws(() => gradcheck(wrongSquare, [randomInput([3], 40, 0.5, 2)]), /gradcheck: input 0 index \d+: analytic .* vs numeric/);
  });
  gc.run();
}
