// The wasm backend's convolution and pooling kernels (issue 26) against the readable paths: conv2d (any stride) on one
// and two threads against the cpu reference, and against im2col + matmul on the same backend (the output and the input
// gradient bit for bit), the fused ReLU against relu(conv2d) bit for bit, Sequential's fusion, and 2x2 max pooling bit
// for bit with the cpu reference on ties, NaN and signed zeros.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  Tensor, conv2d, relu, maxPool2d, Conv2d, ReLU, MaxPool2d, Sequential, Flatten, Linear, crossEntropy, randn, Generator,
  createWasmBackend, registerBackend, type Size2,
} from '../../src/index.js';
import { assertClose } from '../helpers/assert.js';
import { withBackend } from '../helpers/backends.js';

const wasm1 = createWasmBackend({ threads: 1, name: 'wasm-kernels-1' });
const wasm2 = createWasmBackend({ threads: 2, name: 'wasm-kernels-2' });
// the same backend without its convolution kernels: conv2d runs as im2col then the backend's matmul
const im2col = { ...wasm1, name: 'wasm-kernels-im2col', kernels: { ...wasm1.kernels, conv2d: undefined, conv2dBackward: undefined } };
registerBackend(wasm1);
registerBackend(wasm2);
registerBackend(im2col);

interface Case { x: number[]; w: number[]; bias: boolean; stride: Size2; padding: Size2; dilation: Size2 }
const CASES: Case[] = [
  { x: [5, 3, 11, 9], w: [7, 3, 3, 2], bias: true, stride: 1, padding: [1, 2], dilation: [2, 1] },
  { x: [3, 2, 6, 6], w: [4, 2, 1, 1], bias: false, stride: 1, padding: 0, dilation: 1 },
  { x: [1, 2, 5, 5], w: [3, 2, 2, 2], bias: true, stride: 1, padding: 1, dilation: 1 },
  { x: [2, 1, 28, 28], w: [9, 1, 3, 3], bias: true, stride: 1, padding: 1, dilation: 1 },
  // large enough (over 4M multiply-adds) that two threads split the batch
  { x: [8, 16, 14, 14], w: [32, 16, 3, 3], bias: true, stride: 1, padding: 1, dilation: 1 },
  // strides: the image in phases (assembly/conv.ts); sizes the stride does not divide, a stride past the kernel
  { x: [3, 3, 13, 11], w: [5, 3, 3, 3], bias: true, stride: 2, padding: 1, dilation: 1 },
  { x: [2, 4, 9, 9], w: [6, 4, 1, 1], bias: false, stride: 2, padding: 0, dilation: 1 },
  { x: [2, 2, 14, 13], w: [3, 2, 3, 2], bias: true, stride: [3, 2], padding: [2, 1], dilation: [2, 3] },
  { x: [1, 2, 10, 10], w: [4, 2, 2, 2], bias: true, stride: 5, padding: 1, dilation: 1 },
  { x: [8, 16, 28, 28], w: [32, 16, 3, 3], bias: true, stride: 2, padding: 1, dilation: 1 },
];

/** Forward and every gradient of conv2d (fused ReLU or not) on the named backend, from the same seeded data. */
function run(backend: string, c: Case, activation: 'none' | 'relu', split = false) {
  return withBackend(backend, () => {
    const g = new Generator(11);
    const x = randn(c.x, { generator: g, requiresGrad: true }), w = randn(c.w, { generator: g, requiresGrad: true });
    const b = c.bias ? randn([c.w[0]], { generator: g, requiresGrad: true }) : null;
    const options = { stride: c.stride, padding: c.padding, dilation: c.dilation };
    const y = split ? relu(conv2d(x, w, b, options)) : conv2d(x, w, b, { ...options, activation });
    const weights = randn(y.shape, { generator: g });
    y.mul(weights).sum().backward();
    return { y: Array.from(y.data), dx: Array.from(x.grad!.data), dw: Array.from(w.grad!.data), db: b === null ? [] : Array.from(b.grad!.data) };
  });
}

const kernels = suite('conv2d through the wasm kernels');
kernels.before(async () => {
  // the worker thread starts asynchronously: wait for it, so the large case really is split
  for (let i = 0; i < 500 && wasm2.threadsReady() < 2; i++) await new Promise((r) => setTimeout(r, 10));
  assert.is(wasm2.threadsReady(), 2);
});
for (const c of CASES) {
  const name = `x ${c.x} * w ${c.w}, stride ${JSON.stringify(c.stride)}, padding ${JSON.stringify(c.padding)}, dilation ${JSON.stringify(c.dilation)}${c.bias ? '' : ', no bias'}`;
  kernels(`${name}: output and gradients agree with the cpu reference on one and two threads`, () => {
    for (const activation of ['none', 'relu'] as const) {
      const ref = run('cpu', c, activation);
      for (const backend of ['wasm-kernels-1', 'wasm-kernels-2']) {
        const got = run(backend, c, activation);
        // float32 sums of up to 144 products (and 8 images' worth for the weight gradient) in another order than the
        // reference's double-precision running sums: a few ulp of the sums' magnitudes
        const tol = { atol: 1e-4, rtol: 1e-4 };
        assertClose(got.y, ref.y, tol, `${backend} ${activation} output`);
        assertClose(got.dx, ref.dx, tol, `${backend} ${activation} dL/dx`);
        assertClose(got.dw, ref.dw, { atol: 5e-4, rtol: 1e-4 }, `${backend} ${activation} dL/dw`);
        assertClose(got.db, ref.db, tol, `${backend} ${activation} dL/db`);
      }
    }
  });
  kernels(`${name}: im2col + matmul on the same backend gives the output and the input gradient bit for bit`, () => {
    for (const activation of ['none', 'relu'] as const) {
      const got = run('wasm-kernels-1', c, activation), ref = run('wasm-kernels-im2col', c, activation);
      // each output and each input gradient adds the same float32 products in the same order on both paths
      assert.equal(got.y, ref.y, `${activation} output`);
      assert.equal(got.dx, ref.dx, `${activation} dL/dx`);
      // the kernels sum the weight and bias gradients of the batch's two halves apart (so that one thread and two
      // agree) and add them at the end; im2col sums the whole batch in one pass: float32 rounding of the sums
      assertClose(got.dw, ref.dw, { atol: 1e-4, rtol: 1e-5 }, `${activation} dL/dw`);
      assertClose(got.db, ref.db, { atol: 1e-5, rtol: 1e-6 }, `${activation} dL/db`);
    }
  });
  kernels(`${name}: the fused ReLU gives relu(conv2d) bit for bit, and two threads give one thread's output and gradients bit for bit`, () => {
    const one = run('wasm-kernels-1', c, 'relu'), composed = run('wasm-kernels-1', c, 'none', true);
    assert.equal(one.y, composed.y);
    assert.equal(one.dx, composed.dx);
    assert.equal(one.dw, composed.dw);
    assert.equal(one.db, composed.db);
    // the backend times its first calls of a shape on one thread and on two before it chooses: six runs see both
    for (let i = 0; i < 6; i++) assert.equal(run('wasm-kernels-2', c, 'relu'), one, `run ${i} on two threads`);
  });
}
kernels('tensors outside the kernels\' memory (plain Float32Arrays, copied in and out) give the same bits as resident ones', () => {
  const c = CASES[0];
  const resident = run('wasm-kernels-1', c, 'relu');
  const plain = withBackend('wasm-kernels-1', () => {
    const g = new Generator(11);
    const copy = (t: Tensor) => new Tensor(Float32Array.from(t.data), t.shape, { requiresGrad: true });
    const x = copy(randn(c.x, { generator: g })), w = copy(randn(c.w, { generator: g })), b = copy(randn([c.w[0]], { generator: g }));
    assert.is(x.data.buffer.constructor.name, 'ArrayBuffer');
    const y = conv2d(x, w, b, { stride: c.stride, padding: c.padding, dilation: c.dilation, activation: 'relu' });
    y.mul(randn(y.shape, { generator: g })).sum().backward();
    return { y: Array.from(y.data), dx: Array.from(x.grad!.data), dw: Array.from(w.grad!.data), db: Array.from(b.grad!.data) };
  });
  assert.equal(plain, resident);
});
kernels('activation other than none or relu gets a clear error', () => {
  const x = randn([1, 1, 4, 4]), w = randn([1, 1, 3, 3]);
  assert.throws(() => conv2d(x, w, null, { activation: 'tanh' as never }), /conv2d: expected activation 'none' or 'relu', got "tanh"/);
});
kernels.run();

const fusion = suite('Sequential fuses Conv2d + ReLU');
fusion('a CNN through Sequential gives the layers run one by one, logits and gradients bit for bit, on the wasm kernels', () => {
  withBackend('wasm-kernels-1', () => {
    const g = new Generator(5);
    const model = new Sequential(new Conv2d(1, 6, 3, { padding: 1, generator: g }), new ReLU(), new MaxPool2d(2), new Conv2d(6, 8, 3, { generator: g }), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(8 * 2 * 2, 3, { generator: g }));
    const x = randn([4, 1, 12, 12], { generator: g }), target = [0, 2, 1, 2];
    const lossFused = crossEntropy(model.forward(x), target);
    lossFused.backward();
    const fused = model.parameters().map((p) => Array.from(p.grad!.data));
    for (const p of model.parameters()) p.grad = null;
    let h: Tensor = x;
    for (const layer of model.layers) h = layer.forward(h);
    const loss = crossEntropy(h, target);
    loss.backward();
    assert.is(lossFused.item(), loss.item());
    model.parameters().forEach((p, i) => assert.equal(Array.from(p.grad!.data), fused[i], `gradient ${i}`));
  });
});
fusion.run();

const pooling = suite('maxPool2d 2x2 through the wasm kernels');
pooling('ties, NaN, signed zeros and odd sizes: output and input gradient equal the cpu reference bit for bit', () => {
  const g = new Generator(3);
  const shape = [3, 2, 7, 13];
  const values = Array.from(randn(shape, { generator: g }).data, (v) => Math.round(v * 2) / 2); // many ties
  values[0] = NaN;
  values[20] = -0;
  values[21] = 0;
  values[13 * 2 + 4] = NaN;
  values[13 * 2 + 5] = NaN;
  const gy = Array.from(randn([3, 2, 3, 6], { generator: g }).data);
  gy[1] = -0;
  const runPool = (backend: string) => withBackend(backend, () => {
    const x = new Tensor(Float32Array.from(values), shape, { requiresGrad: true });
    const y = maxPool2d(x, 2);
    y.backward(new Tensor(Float32Array.from(gy), y.shape));
    return { y: Array.from(y.data), dx: Array.from(x.grad!.data) };
  });
  const ref = runPool('cpu');
  for (const backend of ['wasm-kernels-1', 'wasm-kernels-2']) {
    const got = runPool(backend);
    assert.equal(got.y.map(Object.is.bind(null, NaN)), ref.y.map(Object.is.bind(null, NaN)));
    assert.ok(got.y.every((v, i) => Object.is(v, ref.y[i])), `${backend} output`);
    assert.ok(got.dx.every((v, i) => Object.is(v, ref.dx[i])), `${backend} dL/dx`);
  }
});
pooling.run();
