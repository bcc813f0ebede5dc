// Embedding against PyTorch (test/fixtures/layers-resnet.json, from gen_layers_resnet.py) on every backend: padding
// index, repeated indices, scaled gradients and max norm; hand values, gradcheck, and the errors.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Embedding, embedding, tensor, gradcheck, randn, Generator, manualSeed, type EmbeddingOptions } from '../../src/index.js';
import { assertClose, assertShape, fixture, type TensorJSONFixture } from '../helpers/assert.js';
import { availableBackends, backendLabel, withBackend } from '../helpers/backends.js';

interface EmbeddingCase {
  num: number; dim: number; options: EmbeddingOptions; weight: TensorJSONFixture; indices: number[] | number[][];
  w: TensorJSONFixture; output: TensorJSONFixture; weightAfter: TensorJSONFixture; grad: TensorJSONFixture;
}
const fx = fixture<{ embedding: EmbeddingCase[] }>('layers-resnet.json');
const leaf = (t: TensorJSONFixture, requiresGrad = false) => tensor(t.data, { shape: t.shape, requiresGrad });

for (const backend of availableBackends()) {
  const parity = suite(`Embedding matches torch.nn.Embedding (${backendLabel(backend)})`);
  fx.embedding.forEach((c) => {
    parity(`Embedding(${c.num}, ${c.dim}, ${JSON.stringify(c.options)}) on indices ${JSON.stringify(c.indices)}: rows, weight after max norm, and the weight's gradient`, () => {
      withBackend(backend, () => {
        const e = new Embedding(c.num, c.dim, c.options);
        e.loadStateDict({ weight: leaf(c.weight) });
        // indices as a float32 tensor, the form crossEntropy takes class indices in
        const y = e.forward(tensor(c.indices));
        assertShape(y, c.output.shape);
        // max norm's scale is computed in double here, in float32 by torch: a few ulp
        assertClose(y, c.output.data, { atol: 1e-6, rtol: 1e-6 }, 'output');
        assertClose(e.weight, c.weightAfter.data, { atol: 1e-6, rtol: 1e-6 }, 'weight after the lookup');
        y.backward(leaf(c.w));
        assertClose(e.weight.grad!, c.grad.data, { atol: 1e-6, rtol: 1e-6 }, 'dL/dweight');
      });
    });
  });
  parity.run();
}

const behaviour = suite('Embedding: lookup, padding row and gradient to the rows used');
behaviour('rows are looked up by index; a repeated index sums its gradients; unused rows get zero', () => {
  const e = Embedding.fromPretrained(tensor([[1, 2], [3, 4], [5, 6]]), { freeze: false });
  const y = e.forward([[0, 2], [2, 2]]);
  assertShape(y, [2, 2, 2]);
  assert.equal(y.toArray(), [[[1, 2], [5, 6]], [[5, 6], [5, 6]]]);
  y.sum().backward();
  // row 0 used once, row 1 never, row 2 three times
  assert.equal(e.weight.grad!.toArray(), [[1, 1], [0, 0], [3, 3]]);
});
behaviour('the padding row starts at zero, is returned by lookups and never receives gradient', () => {
  manualSeed(3);
  const e = new Embedding(5, 3, { paddingIdx: 1 });
  assert.equal([...e.weight.data.subarray(3, 6)], [0, 0, 0]);
  assert.ok(e.weight.data.subarray(0, 3).some((v) => v !== 0), 'other rows are drawn from N(0, 1)');
  const y = e.forward([1, 1, 4]);
  assert.equal([...y.data.subarray(0, 6)], [0, 0, 0, 0, 0, 0]);
  y.sum().backward();
  assert.equal([...e.weight.grad!.data.subarray(3, 6)], [0, 0, 0]);
  assert.equal([...e.weight.grad!.data.subarray(12, 15)], [1, 1, 1]);
  assert.is(new Embedding(5, 3, { paddingIdx: -1 }).paddingIdx, 4, 'a negative padding index counts from the end');
});
behaviour('the output has the indices\' shape plus the embedding dim, from a 0-d index to a 3-d one', () => {
  const e = new Embedding(4, 6);
  assertShape(e.forward(2), [6]);
  assertShape(e.forward(tensor([[[0, 1], [2, 3]]])), [1, 2, 2, 6]);
  assert.equal(Object.keys(e.stateDict()), ['weight']);
});
behaviour('the weight is N(0, 1) from the seeded generator: the same seed gives the same table', () => {
  const a = new Embedding(50, 8, { generator: new Generator(7) }).weight.data;
  const b = new Embedding(50, 8, { generator: new Generator(7) }).weight.data;
  assert.equal([...a], [...b]);
  const m = a.reduce((s, v) => s + v, 0) / a.length, sd = Math.sqrt(a.reduce((s, v) => s + (v - m) ** 2, 0) / a.length);
  assert.ok(Math.abs(m) < 0.15 && Math.abs(sd - 1) < 0.1, `mean ${m}, std ${sd}`);
});
behaviour('fromPretrained copies the table and freezes it unless freeze is false', () => {
  const table = tensor([[1, 2], [3, 4]]);
  const frozen = Embedding.fromPretrained(table);
  assert.is(frozen.weight.requiresGrad, false);
  frozen.weight.data[0] = 9;
  assert.is(table.data[0], 1, 'a copy, not the same buffer');
  assert.is(Embedding.fromPretrained(table, { freeze: false }).weight.requiresGrad, true);
});
// without a padding row: its zero gradient is PyTorch's rule, not the derivative (the lookup does read the row)
behaviour('gradcheck: the functional embedding\'s weight gradient, with repeated indices', () => {
  const w = randn([6, 3], { generator: new Generator(11), requiresGrad: true });
  const r = gradcheck((a) => embedding([[0, 5, 5], [2, 3, 0]], a), [w], { raiseException: false });
  assert.ok(r.ok, `mismatches: ${JSON.stringify(r.mismatches.slice(0, 3))}`);
});

const errors = suite('Embedding: bad arguments get a clear error and leave the table whole');
errors('an index out of range, negative or fractional names Embedding, the index and its position', () => {
  const e = new Embedding(4, 2, { maxNorm: 0.5 });
  const before = e.weight.data.slice();
  assert.throws(() => e.forward([1, 4]), /Embedding.forward: expected indices in \[0, 4\), got 4 at position 1 of indices \[2\]/);
  assert.throws(() => e.forward([[0], [-1]]), /Embedding.forward: expected indices in \[0, 4\), got -1 at position 1/);
  assert.throws(() => e.forward([0.5]), /Embedding.forward: expected integer indices, got 0.5 at position 0/);
  assert.throws(() => e.forward([NaN]), /Embedding.forward: expected integer indices, got NaN/);
  assert.throws(() => e.forward('1' as never), /Embedding.forward: expected indices as a Tensor or \(nested\) arrays of integers, got "1"/);
  assert.throws(() => e.forward([[1, 2], [3]]), /Embedding.forward: expected indices as a Tensor/);
  // max norm renormalizes rows in place, but only once every index has been checked
  assert.equal([...e.weight.data], [...before]);
  assert.throws(() => embedding([7], randn([3, 2])), /embedding: expected indices in \[0, 3\), got 7/);
  assert.throws(() => embedding([0], randn([3])), /embedding: expected weight to be a 2-d Tensor \[num, dim\], got \[3\]/);
});
errors('sizes and options are checked: wrong types, NaN, Infinity, out of range, unknown names', () => {
  assert.throws(() => new Embedding(0, 3), /Embedding: expected numEmbeddings to be a positive integer up to 2\^24, got 0/);
  assert.throws(() => new Embedding(NaN, 3), /expected numEmbeddings .* got NaN/);
  assert.throws(() => new Embedding(1e12, 3), /expected numEmbeddings .* got 1000000000000/);
  assert.throws(() => new Embedding('3' as never, 3), /expected numEmbeddings .* got "3"/);
  assert.throws(() => new Embedding(3, 2.5), /expected embeddingDim .* got 2.5/);
  assert.throws(() => new Embedding(2 ** 24, 2 ** 10), /expected numEmbeddings \* embeddingDim to be at most 2147483647/);
  assert.throws(() => new Embedding(3, 2, { paddingIdx: 3 }), /Embedding: expected paddingIdx to be an integer in \[-3, 3\) or null, got 3/);
  assert.throws(() => new Embedding(3, 2, { paddingIdx: NaN }), /expected paddingIdx .* got NaN/);
  assert.throws(() => new Embedding(3, 2, { maxNorm: NaN }), /Embedding: expected maxNorm to be a positive finite number or null, got NaN/);
  assert.throws(() => new Embedding(3, 2, { maxNorm: Infinity }), /expected maxNorm .* got Infinity/);
  assert.throws(() => new Embedding(3, 2, { normType: -1 }), /Embedding: expected normType to be a number > 0, got -1/);
  assert.throws(() => new Embedding(3, 2, { scaleGradByFreq: 'yes' as never }), /expected scaleGradByFreq to be true or false, got "yes"/);
  assert.throws(() => new Embedding(3, 2, { sparse: true }), /Embedding: expected sparse to be false \(lrlab's gradients are dense\), got true/);
  assert.throws(() => new Embedding(3, 2, { padding_idx: 0 } as never), /Embedding: unknown option 'padding_idx'/);
  assert.throws(() => new Embedding(3, 2, null as never), /Embedding: expected an options object, got null/);
  assert.throws(() => Embedding.fromPretrained(randn([3]) as never), /Embedding.fromPretrained: expected embeddings to be a 2-d Tensor/);
  assert.throws(() => Embedding.fromPretrained(randn([3, 2]), { freeze: 1 as never }), /expected freeze to be true or false, got 1/);
  assert.throws(() => embedding([0], randn([3, 2]), { paddingIdx: 5 }), /embedding: expected paddingIdx/);
  assert.throws(() => embedding([0], randn([3, 2]), { bogus: 1 } as never), /embedding: unknown option 'bogus'/);
});

behaviour.run();
errors.run();
