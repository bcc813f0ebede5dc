// Forward values and gradients of every op against PyTorch (test/fixtures/ops.json, from generate.py).
// Each case computes y = op(inputs), then backpropagates L = sum(w * y) with the fixture's w, as torch did.
import { suite } from 'uvu';
import * as ops from '../../src/index.js';
import { Tensor, tensor } from '../../src/index.js';
import { assertClose, assertShape, fixture, type TensorJSONFixture } from '../helpers/assert.js';
import { availableBackends, backendLabel, withBackend } from '../helpers/backends.js';

interface OpCase {
  name: string;
  args: Record<string, any>;
  inputs: TensorJSONFixture[];
  weights: TensorJSONFixture;
  output: TensorJSONFixture;
  grads: TensorJSONFixture[];
}

type OpFn = (inputs: Tensor[], args: Record<string, any>) => Tensor;
const OPS: Record<string, OpFn> = {
  add: ([a, b]) => ops.add(a, b),
  sub: ([a, b]) => ops.sub(a, b),
  mul: ([a, b]) => ops.mul(a, b),
  div: ([a, b]) => ops.div(a, b),
  neg: ([a]) => ops.neg(a),
  pow: ([a, b], { exponent }) => ops.pow(a, exponent ?? b),
  exp: ([a]) => ops.exp(a),
  log: ([a]) => ops.log(a),
  sqrt: ([a]) => ops.sqrt(a),
  abs: ([a]) => ops.abs(a),
  tanh: ([a]) => ops.tanh(a),
  sigmoid: ([a]) => ops.sigmoid(a),
  relu: ([a]) => ops.relu(a),
  leakyRelu: ([a], { negativeSlope }) => ops.leakyRelu(a, negativeSlope),
  softplus: ([a], args) => ops.softplus(a, args),
  matmul: ([a, b]) => ops.matmul(a, b),
  sum: ([a], { dim, keepdim }) => ops.sum(a, dim, keepdim),
  mean: ([a], { dim, keepdim }) => ops.mean(a, dim, keepdim),
  max: ([a], { dim, keepdim }) => ops.max(a, dim, keepdim),
  reshape: ([a], { shape }) => ops.reshape(a, shape),
  transpose: ([a], { dim0, dim1 }) => ops.transpose(a, dim0, dim1),
  expand: ([a], { shape }) => ops.expand(a, shape),
  slice: ([a], { dim, start, end }) => ops.slice(a, dim, start, end),
  concat: (xs, { dim }) => ops.concat(xs, dim),
  stack: (xs, { dim }) => ops.stack(xs, dim),
  gather: ([a], { dim, index }) => ops.gather(a, dim, index),
  softmax: ([a], { dim }) => ops.softmax(a, dim),
  logSoftmax: ([a], { dim }) => ops.logSoftmax(a, dim),
  logSumExp: ([a], { dim }) => ops.logSumExp(a, dim),
};

const { ops: cases } = fixture<{ ops: OpCase[] }>('ops.json');
// Elementwise ops round exactly like PyTorch (one IEEE operation per element); transcendental functions and
// reductions differ in the last bits (libm vs SLEEF, summation order), so the tolerance is a few float32 ulp.
const TOL = { atol: 1e-6, rtol: 1e-5 };

for (const backend of availableBackends()) {
  const test = suite(`ops match PyTorch (${backendLabel(backend)})`);
  for (const [i, c] of cases.entries()) {
    test(`${c.name} #${i} ${JSON.stringify(c.args)} gives torch's values and gradients`, () => {
      withBackend(backend, () => {
        const inputs = c.inputs.map((t) => tensor(t.data, { shape: t.shape, requiresGrad: true }));
        const y = OPS[c.name](inputs, c.args);
        assertShape(y, c.output.shape, `${c.name} output shape`);
        assertClose(y, c.output.data, TOL, `${c.name} output`);
        ops.mul(y, tensor(c.weights.data, { shape: c.weights.shape })).sum().backward();
        inputs.forEach((x, k) => assertClose(x.grad!, c.grads[k].data, TOL, `${c.name} grad of input ${k}`));
      });
    });
  }
  test('every op of the fixture has a mapping (the table above is complete)', () => {
    for (const c of cases) if (!(c.name in OPS)) throw new Error(`no mapping for ${c.name}`);
  });
  test.run();
}
