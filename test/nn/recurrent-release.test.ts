// An LSTM's or GRU's forward makes tensors no code outside it holds (the batch-first input's transpose, the input
// projections, the packed sequences, the outputs between layers): on the wasm backend their storage goes back
// without a copy of their values, at once under noGrad and when backward() consumes their graph otherwise
// (src/autograd/release.ts). What the caller holds (its input, the output, the final states) keeps its values.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  LSTM, GRU, Sequential, ReLU, Linear, noGrad, randn, sum, mul, Generator, useBackend, getBackend,
  type Tensor, type WasmBackend,
} from '../../src/index.js';
import { onFreshWasm as freshWasm } from '../helpers/backends.js';

const test = suite('LSTM and GRU give back what their forward made');

const onFreshWasm = <T>(fn: (backend: WasmBackend) => T): T => freshWasm('wasm-recurrent-release', fn);

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength)));
const FREED = /Tensor\.data: expected a tensor that keeps its values, got \[\d+(,\d+)*\], an output made inside a forward/;

for (const Layer of [LSTM, GRU]) {
  test(`${Layer.name} (2 layers, batch first): after backward the input, output and final state keep their values, the projections throw`, () => onFreshWasm(() => {
    const g = new Generator(3);
    const layer = new Layer(3, 8, { numLayers: 2, batchFirst: true, generator: g });
    const x = randn([4, 6, 3], { generator: g });
    const [out, state] = layer.forward(x);
    const hN = Array.isArray(state) ? state[0] : state;
    // out is the transpose of the last layer's output; its projection is a linear op's output read by the sequence op
    const sequence = out.creator!.inputs[0];
    const packed = sequence.creator!.inputs[0];
    const projection = packed.creator!.inputs[0];
    const before = { x: bits(x.data), out: bits(out.data), hN: bits(hN.data) };
    sum(mul(out, out)).backward();
    assert.throws(() => projection.data, FREED);
    assert.equal(bits(x.data), before.x, 'the input keeps its values');
    assert.equal(bits(out.data), before.out, 'the output keeps its values');
    assert.equal(bits(hN.data), before.hN, 'the final state keeps its values');
    assert.ok(layer.parameters().every((p) => p.grad !== null), 'every parameter has its gradient');
  }));

  test(`${Layer.name}: noGrad forwards give back what they made (the memory grows by the outputs alone), with the same bits each time`, () => onFreshWasm((backend) => {
    const g = new Generator(4);
    const layer = new Layer(2, 16, { numLayers: 2, batchFirst: true, generator: g });
    const x = randn([8, 10, 2], { generator: g });
    const first = bits(noGrad(() => layer.forward(x)[0]).data);
    const early = backend.arena.stats();
    for (let i = 0; i < 20; i++) assert.equal(bits(noGrad(() => layer.forward(x)[0]).data), first, `forward ${i + 2}`);
    const late = backend.arena.stats();
    // each forward's output [8, 10, 16] and final states ([2, 8, 16]: h, and the LSTM's c) stay until the job ends,
    // as any tensor the program was handed
    const kept = 20 * 4 * (8 * 10 * 16 + (Layer === LSTM ? 2 : 1) * 2 * 8 * 16);
    assert.ok(late.topBytes - early.topBytes <= kept, `the memory's high-water mark grew by ${late.topBytes - early.topBytes} bytes over 20 forwards (the outputs: ${kept})`);
    assert.is(late.plainFallbacks, 0);
  }));
}

test('a Sequential whose first layer keeps no tensor, on an input that needs no gradient: the next layer\'s saved input stays until backward', () => {
  // ReLU's output is made from an input without a gradient, so no graph records it, but Linear's does and saves it
  const grads = (backend: string) => {
    const previous = getBackend().name;
    useBackend(backend);
    try {
      const g = new Generator(5);
      const model = new Sequential(new ReLU(), new Linear(4, 3, { generator: g }), new ReLU(), new Linear(3, 1, { generator: g }));
      sum(model.forward(randn([5, 4], { generator: g }))).backward();
      return model.parameters().map((p) => Array.from(p.grad!.data));
    } finally {
      useBackend(previous);
    }
  };
  const cpu = grads('cpu');
  onFreshWasm((backend) => {
    const wasm = grads(backend.name);
    wasm.forEach((g, i) => g.forEach((v, j) => assert.ok(Math.abs(v - cpu[i][j]) <= 1e-6, `parameter ${i}[${j}]: ${v} on wasm, ${cpu[i][j]} on cpu`)));
  });
});

test.run();
