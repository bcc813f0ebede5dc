import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  LSTM, GRU, Tensor, tensor, randn, mul, sum, add, stateDictFromJSON, lstmSequence, gruSequence, gradcheck,
  lastTimeStep, Generator, reshape, linear,
} from '../../src/index.js';
import { assertClose, fixture, type TensorJSONFixture } from '../helpers/assert.js';
import { availableBackends, backendLabel, withBackend } from '../helpers/backends.js';

interface RnnCase {
  name: string;
  kind: 'lstm' | 'gru';
  inputSize: number;
  hiddenSize: number;
  options: { numLayers: number; bidirectional: boolean; batchFirst: boolean; bias: boolean };
  stateDict: Record<string, TensorJSONFixture>;
  input: TensorJSONFixture;
  h0?: TensorJSONFixture;
  c0?: TensorJSONFixture;
  wOut: number[];
  wH: number[];
  wC?: number[];
  output: TensorJSONFixture;
  hN: TensorJSONFixture;
  cN?: TensorJSONFixture;
  gradInput: number[];
  gradH0?: number[];
  gradC0?: number[];
  gradParams: Record<string, number[]>;
}

const { cases } = fixture<{ cases: RnnCase[] }>('rnn.json');
const leaf = (t: TensorJSONFixture) => tensor(t.data, { shape: t.shape, requiresGrad: true });
const weighted = (t: Tensor, w: number[]) => sum(mul(t, tensor(w, { shape: [...t.shape] })));
// float32 against PyTorch's float64 through a few dozen sums and several steps of recurrence
const tol = { atol: 2e-5, rtol: 1e-4 };

for (const backend of availableBackends()) {
  for (const implementation of ['fused', 'composed'] as const) {
    const parity = suite(`LSTM and GRU match PyTorch (${implementation}, ${backendLabel(backend)})`);
    for (const c of cases) {
      parity(`${c.name}: output, final states and every gradient agree`, () => {
        withBackend(backend, () => {
          const Cls = c.kind === 'lstm' ? LSTM : GRU;
          const m = new Cls(c.inputSize, c.hiddenSize, { ...c.options, implementation });
          assert.equal(m.namedParameters().map(([k]) => k), Object.keys(c.stateDict), 'PyTorch names in PyTorch order');
          m.loadStateDict(stateDictFromJSON(c.stateDict));
          const x = leaf(c.input);
          const h0 = c.h0 ? leaf(c.h0) : undefined, c0 = c.c0 ? leaf(c.c0) : undefined;
          let loss: Tensor;
          if (m instanceof LSTM) {
            const [out, [hN, cN]] = m.forward(x, h0 && c0 ? [h0, c0] : undefined);
            assert.equal([...out.shape], c.output.shape);
            assert.equal([...hN.shape], c.hN.shape);
            assert.equal([...cN.shape], c.cN!.shape);
            assertClose(out, c.output.data, tol, 'output');
            assertClose(hN, c.hN.data, tol, 'hN');
            assertClose(cN, c.cN!.data, tol, 'cN');
            loss = add(add(weighted(out, c.wOut), weighted(hN, c.wH)), weighted(cN, c.wC!));
          } else {
            const [out, hN] = (m as GRU).forward(x, h0);
            assert.equal([...out.shape], c.output.shape);
            assert.equal([...hN.shape], c.hN.shape);
            assertClose(out, c.output.data, tol, 'output');
            assertClose(hN, c.hN.data, tol, 'hN');
            loss = add(weighted(out, c.wOut), weighted(hN, c.wH));
          }
          loss.backward();
          assertClose(x.grad!, c.gradInput, tol, 'input gradient');
          if (h0) assertClose(h0.grad!, c.gradH0!, tol, 'h0 gradient');
          if (c0) assertClose(c0.grad!, c.gradC0!, tol, 'c0 gradient');
          for (const [name, p] of m.namedParameters()) assertClose(p.grad!, c.gradParams[name], tol, `${name} gradient`);
        });
      });
    }
    parity.run();
  }
}

const fused = suite('fused recurrent ops');

fused('gradcheck passes on a small LSTM cell sequence, both directions', () => {
  const g = new Generator(3);
  for (const reverse of [false, true]) {
    const [T, B, H] = [3, 2, 2];
    const xProj = randn([T * B, 4 * H], { generator: g, requiresGrad: true });
    const wHh = randn([4 * H, H], { generator: g, requiresGrad: true });
    const bHh = randn([4 * H], { generator: g, requiresGrad: true });
    const h0 = randn([B, H], { generator: g, requiresGrad: true }), c0 = randn([B, H], { generator: g, requiresGrad: true });
    const r = gradcheck((a, w, b, h, c) => lstmSequence(a, w, b, h, c, { reverse }), [xProj, wHh, bHh, h0, c0], { raiseException: false });
    assert.ok(r.ok, `reverse ${reverse}: ${JSON.stringify(r.mismatches.slice(0, 3))}`);
  }
});

fused('gradcheck passes on a small GRU cell sequence, both directions', () => {
  const g = new Generator(4);
  for (const reverse of [false, true]) {
    const [T, B, H] = [3, 2, 2];
    const xProj = randn([T * B, 3 * H], { generator: g, requiresGrad: true });
    const wHh = randn([3 * H, H], { generator: g, requiresGrad: true });
    const bHh = randn([3 * H], { generator: g, requiresGrad: true });
    const h0 = randn([B, H], { generator: g, requiresGrad: true });
    const r = gradcheck((a, w, b, h) => gruSequence(a, w, b, h, { reverse }), [xProj, wHh, bHh, h0], { raiseException: false });
    assert.ok(r.ok, `reverse ${reverse}: ${JSON.stringify(r.mismatches.slice(0, 3))}`);
  }
});

fused('the fused and composed LSTM agree on outputs and gradients with random weights and dropout off', () => {
  const x = randn([7, 5, 3], { generator: new Generator(9) });
  const grads: Float32Array[][] = [];
  const outs: Float32Array[] = [];
  for (const implementation of ['fused', 'composed'] as const) {
    const m = new LSTM(3, 6, { numLayers: 2, bidirectional: true, implementation, generator: new Generator(1) });
    const [out, [hN, cN]] = m.forward(x);
    outs.push(out.data.slice());
    add(add(weighted(out, Array.from(randn([...out.shape], { generator: new Generator(2) }).data)), sum(hN)), sum(cN)).backward();
    grads.push(m.parameters().map((p) => p.grad!.data));
  }
  assertClose(outs[0], outs[1], { atol: 1e-6, rtol: 1e-5 }, 'output');
  grads[0].forEach((g, i) => assertClose(g, grads[1][i], { atol: 1e-6, rtol: 1e-5 }, `parameter ${i} gradient`));
});

fused('lstmSequence is the input projection plus the recurrence: one matmul up front gives the layer', () => {
  const m = new LSTM(2, 3, { generator: new Generator(5) });
  const x = randn([4, 1, 2], { generator: new Generator(6) });
  const [out] = m.forward(x);
  const p = Object.fromEntries(m.namedParameters());
  const xProj = linear(reshape(x, [4, 2]), p.weight_ih_l0, p.bias_ih_l0);
  const packed = lstmSequence(xProj, p.weight_hh_l0, p.bias_hh_l0, tensor([[0, 0, 0]]), tensor([[0, 0, 0]]));
  assertClose(packed.data.subarray(0, 12), out.data, { atol: 0, rtol: 0 }, 'output');
});

fused.run();

const layers = suite('LSTM and GRU layers');

layers('parameters are drawn from U(-1/sqrt(H), 1/sqrt(H)) through the given generator, the same seed giving the same weights', () => {
  const a = new LSTM(3, 16, { generator: new Generator(7) }), b = new LSTM(3, 16, { generator: new Generator(7) });
  const bound = 1 / Math.sqrt(16);
  for (const [[name, p], [, q]] of a.namedParameters().map((e, i) => [e, b.namedParameters()[i]] as const)) {
    assert.equal(Array.from(p.data), Array.from(q.data), `${name} equal across runs`);
    assert.ok(p.data.every((v) => v >= -bound && v <= bound), `${name} within the bound`);
  }
  const spread = Math.max(...a.parameters()[0].data) - Math.min(...a.parameters()[0].data);
  assert.ok(spread > bound, `weights spread over the range, got ${spread}`);
});

layers('shapes follow PyTorch: GRU batch first, two layers, bidirectional', () => {
  const m = new GRU(4, 5, { numLayers: 2, bidirectional: true, batchFirst: true });
  const [out, hN] = m.forward(randn([3, 7, 4]));
  assert.equal([...out.shape], [3, 7, 10]);
  assert.equal([...hN.shape], [4, 3, 5]);
  assert.equal([...m.namedParameters().find(([k]) => k === 'weight_ih_l1_reverse')![1].shape], [15, 10]);
});

layers('dropout between layers acts in training mode only and draws from the generator', () => {
  const x = randn([5, 2, 3], { generator: new Generator(1) });
  const m = new LSTM(3, 8, { numLayers: 2, dropout: 0.5, generator: new Generator(2) });
  const a = m.forward(x)[0].data.slice(), b = m.forward(x)[0].data.slice();
  assert.not.equal(Array.from(a), Array.from(b), 'two training passes draw different masks');
  m.eval();
  const c = m.forward(x)[0].data.slice(), d = m.forward(x)[0].data.slice();
  assert.equal(Array.from(c), Array.from(d), 'eval is deterministic');
});

layers('lastTimeStep picks the last step, sequence first (the default) or batch first', () => {
  const t = tensor([[[1, 2], [3, 4], [5, 6]], [[7, 8], [9, 10], [11, 12]]]); // [2, 3, 2]
  assert.equal(lastTimeStep(t).toArray(), [[7, 8], [9, 10], [11, 12]], 'output[-1] of [seq 2, batch 3, 2]');
  assert.equal(lastTimeStep(t, { batchFirst: false }).toArray(), [[7, 8], [9, 10], [11, 12]]);
  assert.equal(lastTimeStep(t, { batchFirst: true }).toArray(), [[5, 6], [11, 12]], 'output[:, -1, :] of [batch 2, seq 3, 2]');
  assert.throws(() => lastTimeStep(tensor([[1, 2]])), /lastTimeStep: expected output of shape \[seq, batch, features\], got \[1,2\]/);
  assert.throws(() => lastTimeStep(tensor([[1, 2]]), { batchFirst: true }), /lastTimeStep: expected output of shape \[batch, seq, features\], got \[1,2\]/);
});

layers('lastTimeStep defaults to the layout LSTM and GRU default to, so equal sequence and batch lengths take the right slice', () => {
  // [seq 4, batch 4, 3]: the shape cannot tell the layouts apart, and the old batch-first default silently took
  // output[:, -1, :], the last batch element's whole sequence, instead of every sequence's last step
  for (const Layer of [LSTM, GRU]) {
    const layer = new Layer(2, 3, { generator: new Generator(5) });
    const hOf = (state: Tensor | [Tensor, Tensor]) => (Array.isArray(state) ? state[0] : state); // LSTM: [hN, cN]
    const [out, state] = layer.forward(randn([4, 4, 2], { generator: new Generator(6) }));
    assert.equal(Array.from(lastTimeStep(out).data), Array.from(out.data.subarray(3 * 4 * 3)), `${Layer.name}: output[-1]`);
    assert.equal(Array.from(lastTimeStep(out).data), Array.from(hOf(state).data), `${Layer.name}: the last step of one layer is hN`);
    const first = new Layer(2, 3, { batchFirst: true, generator: new Generator(5) });
    const [outB, stateB] = first.forward(randn([4, 4, 2], { generator: new Generator(6) }));
    assert.equal(Array.from(lastTimeStep(outB, { batchFirst: true }).data), Array.from(hOf(stateB).data), `${Layer.name}, batch first: hN`);
  }
});

layers('bad inputs and options give errors naming the layer and the shapes', () => {
  const lstm = new LSTM(3, 4, { numLayers: 2 });
  assert.throws(() => lstm.forward(randn([5, 3])), (e: Error) => e instanceof RangeError && /LSTM.forward: expected input of shape \[seq, batch, 3\], got \[5,3\]/.test(e.message));
  assert.throws(() => lstm.forward(randn([5, 2, 4])), /LSTM.forward: expected input of shape \[seq, batch, 3\], got \[5,2,4\]/);
  assert.throws(() => lstm.forward(randn([5, 2, 3]), [randn([1, 2, 4]), randn([2, 2, 4])]), /LSTM.forward: expected h0 of shape \[2,2,4\], got \[1,2,4\]/);
  assert.throws(() => lstm.forward(randn([5, 2, 3]), [randn([2, 2, 4]), randn([2, 3, 4])]), /LSTM.forward: expected c0 of shape \[2,2,4\], got \[2,3,4\]/);
  assert.throws(() => new GRU(3, 4, { batchFirst: true }).forward(randn([2, 5, 2])), /GRU.forward: expected input of shape \[batch, seq, 3\], got \[2,5,2\]/);
  assert.throws(() => new GRU(3, 4).forward(randn([5, 2, 3]), randn([2, 4])), /GRU.forward: expected h0 of shape \[1,2,4\], got \[2,4\]/);
  const nan = randn([5, 2, 3]);
  nan.data[2 * 6 + 1 * 3 + 2] = NaN;
  assert.throws(() => lstm.forward(nan), /LSTM.forward: expected finite inputs, got NaN at \[2,1,2\]/);
  for (const p of [1, -0.1, NaN, Infinity]) {
    assert.throws(() => new LSTM(3, 4, { dropout: p }), (e: Error) => e instanceof RangeError && e.message === `LSTM: expected dropout in [0, 1), got ${p}`);
  }
  assert.throws(() => new GRU(3, 4, { dropout: '0.2' as unknown as number }), (e: Error) => e instanceof TypeError && /GRU: expected dropout to be a number/.test(e.message));
  assert.throws(() => new LSTM(0, 4), /LSTM: expected inputSize to be a positive integer, got 0/);
  assert.throws(() => new LSTM(3, 2.5), /LSTM: expected hiddenSize to be a positive integer, got 2.5/);
  assert.throws(() => new LSTM(3, 4, { implementation: 'cudnn' as 'fused' }), /LSTM: expected implementation 'fused' or 'composed', got 'cudnn'/);
});

layers('a PyTorch state dict exported as nested lists (v.tolist()) loads as it is', () => {
  const c = cases.find((k) => k.kind === 'lstm' && k.options.bidirectional && k.options.numLayers === 2)!;
  const nest = (data: number[], shape: number[]): unknown => (shape.length === 1 ? data : Array.from({ length: shape[0] }, (_, i) => {
    const inner = data.length / shape[0];
    return nest(data.slice(i * inner, (i + 1) * inner), shape.slice(1));
  }));
  const json = Object.fromEntries(Object.entries(c.stateDict).map(([k, v]) => [k, nest(v.data, v.shape)]));
  const m = new LSTM(c.inputSize, c.hiddenSize, c.options);
  m.loadStateDict(stateDictFromJSON(json));
  for (const [name, p] of m.namedParameters()) assertClose(p, c.stateDict[name].data, { atol: 0, rtol: 0 }, name);
  const [out] = m.forward(tensor(c.input.data, { shape: c.input.shape }), [tensor(c.h0!.data, { shape: c.h0!.shape }), tensor(c.c0!.data, { shape: c.c0!.shape })]);
  assertClose(out, c.output.data, tol, 'output');
});

layers('a state dict of the wrong shape is refused and the weights stay as they were', () => {
  const m = new LSTM(3, 4);
  const before = m.stateDict();
  const bad = { ...m.stateDict(), weight_hh_l0: randn([16, 5]) };
  assert.throws(() => m.loadStateDict(bad), /expected 'weight_hh_l0' of shape \[16,4\], got \[16,5\]/);
  for (const [k, p] of m.namedParameters()) assert.equal(Array.from(p.data), Array.from(before[k].data), k);
});

layers.run();
