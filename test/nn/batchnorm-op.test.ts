// batchNorm as one op (issue 26) against its composition from primitives: the forward bit for bit, the closed-form
// backward within float32 rounding, in training and eval mode, and the errors it gives.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Tensor, batchNorm, mean, sub, mul, div, add, sqrt, reshape, randn, rand, Generator } from '../../src/index.js';
import { assertClose } from '../helpers/assert.js';

/** The composition BatchNorm used before the fused op: mean, sub, mul, mean, add, sqrt, div, then γ and β. */
function composed(x: Tensor, w: Tensor | null, b: Tensor | null, training: boolean, rm: Tensor, rv: Tensor, eps: number): Tensor {
  const dims = x.ndim === 2 ? [0] : x.ndim === 3 ? [0, 2] : [0, 2, 3];
  const shape = x.shape.map((s, i) => (i === 1 ? s : 1));
  let normalized: Tensor;
  if (training) {
    const mu = mean(x, dims, true), centred = sub(x, mu);
    normalized = div(centred, sqrt(add(mean(mul(centred, centred), dims, true), eps)));
  } else {
    normalized = div(sub(x, reshape(rm, shape)), sqrt(add(reshape(rv, shape), eps)));
  }
  return w === null || b === null ? normalized : add(mul(normalized, reshape(w, shape)), reshape(b, shape));
}

const parity = suite('batchNorm equals its composition from primitives');
for (const shape of [[6, 3], [4, 3, 5], [3, 4, 5, 6]]) {
  for (const training of [true, false]) {
    for (const affine of [true, false]) {
      parity(`${shape.join('x')}, ${training ? 'training' : 'eval'}, ${affine ? 'affine' : 'no affine'}: the output bit for bit, the gradients of x, γ and β within float32 rounding`, () => {
        const g = new Generator(9), c = shape[1];
        const data = randn(shape, { generator: g }).data.map((v) => 3 * v + 1);
        const w0 = randn([c], { generator: g }).data, b0 = randn([c], { generator: g }).data;
        const rm = randn([c], { generator: g }), rv = rand([c], { generator: g }).add(0.5);
        const gy = randn(shape, { generator: g });
        const run = (fused: boolean) => {
          const x = new Tensor(data.slice(), shape, { requiresGrad: true });
          const w = affine ? new Tensor(w0.slice(), [c], { requiresGrad: true }) : null, b = affine ? new Tensor(b0.slice(), [c], { requiresGrad: true }) : null;
          const y = fused ? batchNorm(x, { weight: w, bias: b, training, runningMean: rm, runningVar: rv, eps: 1e-3 }) : composed(x, w, b, training, rm, rv, 1e-3);
          y.backward(gy);
          return { y: Array.from(y.data), dx: Array.from(x.grad!.data), dw: w === null ? [] : Array.from(w.grad!.data), db: b === null ? [] : Array.from(b.grad!.data) };
        };
        const fused = run(true), ref = run(false);
        assert.equal(fused.y, ref.y);
        // the composition rounds each of its steps to float32; the closed form rounds once
        assertClose(fused.dx, ref.dx, { atol: 1e-5, rtol: 1e-4 }, 'dL/dx');
        assertClose(fused.dw, ref.dw, { atol: 1e-5, rtol: 1e-5 }, 'dL/dweight');
        assertClose(fused.db, ref.db, { atol: 1e-5, rtol: 1e-5 }, 'dL/dbias');
      });
    }
  }
}
parity('training reports the batch mean and biased variance it normalized with', () => {
  const x = new Tensor(Float32Array.from([1, 10, 3, 20, 5, 30]), [3, 2]);
  let seen: number[][] = [];
  batchNorm(x, { training: true, onStatistics: (m, v) => (seen = [Array.from(m), Array.from(v)]) });
  assertClose(seen[0], [3, 20], {}, 'mean');
  assertClose(seen[1], [8 / 3, 200 / 3], { rtol: 1e-6 }, 'variance');
});
parity.run();

const errors = suite('batchNorm: bad input gets a clear error');
errors('a 1-d input, a weight of the wrong length, and eval mode without running statistics', () => {
  assert.throws(() => batchNorm(new Tensor(new Float32Array(3), [3]), { training: true }), /batchNorm: expected input \[N, C, \.\.\.\], got \[3\]/);
  const x = new Tensor(new Float32Array(8), [4, 2]);
  assert.throws(() => batchNorm(x, { training: true, weight: new Tensor(new Float32Array(3), [3]) }), /batchNorm: expected weight of shape \[2\], got \[3\]/);
  assert.throws(() => batchNorm(x, { training: false }), /batchNorm: expected runningMean and runningVar when not training/);
});
errors.run();
