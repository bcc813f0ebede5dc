// linear with a fused activation against the composed ops, and the wasm backend's elementwise kernels (bias,
// ReLU, the activations' backward, column sums, the finiteness scan) against the readable loops they replace.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  linear, relu, tanh, sigmoid, randn, Generator, Tensor, Sequential, Linear, ReLU, Tanh, Sigmoid, mseLoss, createWasmBackend, cpuBackend, type FastKernels,
  matmul, reuseBuffers, alloc, getBackend, zeros,
} from '../../src/index.js';
import { availableBackends, backendLabel, withBackend, onFreshWasm } from '../helpers/backends.js';

const SHAPES: [number, number, number][] = [[6, 5, 4], [33, 20, 13], [3, 7, 1], [32, 64, 32]];
const ACT = { relu, tanh, sigmoid } as const;

function sameBits(a: Float32Array, b: Float32Array, what: string): void {
  assert.is(a.length, b.length, `${what}: length`);
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length), ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < a.length; i++) if (ua[i] !== ub[i]) assert.unreachable(`${what}: index ${i}: ${a[i]} vs ${b[i]}`);
}

const fused = suite('linear with a fused activation equals the composed ops bit for bit');
for (const backend of availableBackends()) {
  for (const activation of ['relu', 'tanh', 'sigmoid'] as const) {
    fused(`${backendLabel(backend)}: linear(x, W, b, { activation: '${activation}' }) and its gradients equal ${activation}(linear(x, W, b))`, () => withBackend(backend, () => {
      for (const [n, k, m] of SHAPES) {
        const make = () => [randn([n, k], { generator: new Generator(n) }), randn([m, k], { generator: new Generator(k) }), randn([m], { generator: new Generator(m) })].map((t) => t.requiresGrad_());
        const w = randn([n, m], { generator: new Generator(99) });
        const [x1, w1, b1] = make(), [x2, w2, b2] = make();
        const y1 = linear(x1, w1, b1, { activation }), y2 = ACT[activation](linear(x2, w2, b2));
        sameBits(y1.data, y2.data, `${activation} ${n}x${k}x${m} forward`);
        y1.mul(w).sum().backward();
        y2.mul(w).sum().backward();
        sameBits(x1.grad!.data, x2.grad!.data, 'dx');
        sameBits(w1.grad!.data, w2.grad!.data, 'dW');
        sameBits(b1.grad!.data, b2.grad!.data, 'db');
        // relu zeroes some outputs: the mask was exercised
        if (activation === 'relu' && n * m > 100) assert.ok(y1.data.some((v) => v === 0) && y1.data.some((v) => v > 0), 'some outputs are cut by relu');
      }
    }));
  }
  fused(`${backendLabel(backend)}: a Sequential of Linear and ReLU/Tanh/Sigmoid gives the values and gradients of its layers run one by one`, () => withBackend(backend, () => {
    const model = new Sequential(new Linear(20, 16, { generator: new Generator(1) }), new ReLU(), new Linear(16, 8, { generator: new Generator(2) }), new Tanh(), new Linear(8, 4, { generator: new Generator(3) }), new Sigmoid(), new Linear(4, 1, { generator: new Generator(4) }));
    const x = randn([10, 20], { generator: new Generator(5) }), y = randn([10, 1], { generator: new Generator(6) });
    const out = model.forward(x);
    mseLoss(out, y).backward();
    const fusedGrads = model.parameters().map((p) => p.grad!.data.slice());
    model.zeroGrad();
    let h = x;
    for (const layer of model.layers) h = layer.forward(h);
    sameBits(out.data, h.data, 'output');
    mseLoss(h, y).backward();
    model.parameters().forEach((p, i) => sameBits(p.grad!.data, fusedGrads[i], `parameter ${i}`));
    assert.is(out.creator!.op, 'linear');
    assert.is(out.creator!.inputs[0].creator!.op, 'linear+sigmoid');
  }));
}

fused('an unknown activation is named', () => {
  assert.throws(() => linear(randn([2, 3]), randn([4, 3]), null, { activation: 'gelu' as never }), /linear: expected activation 'none', 'relu', 'tanh', 'sigmoid', got "gelu"/);
});
fused.run();

// ---------------------------------------------------------------------------------------------------------------
const kernels = suite('wasm elementwise kernels against the reference loops');
const wasm = createWasmBackend({ threads: 1, name: 'wasm-elementwise-test' });
const fast: FastKernels = wasm.kernels;

/** Random values with the awkward ones mixed in: zeros of both signs, NaN, infinities. */
function values(n: number, seed: number, resident: boolean): Float32Array {
  const g = new Generator(seed), a = resident ? wasm.allocate(n) : new Float32Array(n);
  const odd = [0, -0, NaN, Infinity, -Infinity];
  for (let i = 0; i < n; i++) a[i] = i % 7 === 3 ? odd[(i / 7) % odd.length | 0] : g.normal();
  return a;
}

for (const resident of [true, false]) {
  const where = resident ? 'in the kernels\' memory' : 'in ordinary arrays';
  for (const [n, m] of [[1, 1], [3, 5], [4, 8], [7, 13], [32, 128]]) {
    kernels(`bias + ReLU, ReLU's backward, column sums and gradient accumulation on ${n} x ${m} (${where}) give the loops' bits`, () => {
      for (const withRelu of [false, true]) {
        const y = values(n * m, n * 100 + m, resident), b = values(m, m, resident), ref = y.slice();
        for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) ref[i * m + j] += b[j];
        if (withRelu) for (let i = 0; i < ref.length; i++) ref[i] = ref[i] > 0 ? ref[i] : 0;
        fast.biasRelu(y, b, n, m, withRelu);
        sameBits(y, ref, `biasRelu relu=${withRelu}`);
      }
      const y = values(n * m, 1, resident), g = values(n * m, 2, resident), d = resident ? wasm.allocate(n * m) : new Float32Array(n * m);
      const dRef = new Float32Array(n * m);
      for (let i = 0; i < dRef.length; i++) dRef[i] = y[i] > 0 ? g[i] : 0;
      fast.activationBackward('relu', y, g, d, null, n, m);
      sameBits(d, dRef, 'ReLU backward');
      const finite = values(n * m, 3, resident).map((v) => (Number.isFinite(v) ? v : 1));
      const db = resident ? wasm.allocate(m).fill(7) : new Float32Array(m).fill(7), dbRef = new Float32Array(m);
      for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) dbRef[j] += finite[i * m + j];
      fast.columnSums(finite, db, n, m);
      sameBits(db, dbRef, 'columnSums');
      // ReLU's backward and the bias gradient in one pass: the two kernels' bits
      const yf = values(n * m, 6, resident).map((v) => (Number.isFinite(v) ? v : -1)), gf = values(n * m, 7, resident).map((v) => (Number.isFinite(v) ? v : 2));
      const d2 = resident ? wasm.allocate(n * m) : new Float32Array(n * m), db2 = resident ? wasm.allocate(m).fill(7) : new Float32Array(m).fill(7);
      const d2Ref = new Float32Array(n * m), db2Ref = new Float32Array(m);
      for (let i = 0; i < d2Ref.length; i++) d2Ref[i] = yf[i] > 0 ? gf[i] : 0;
      for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) db2Ref[j] += d2Ref[i * m + j];
      fast.activationBackward('relu', yf, gf, d2, db2, n, m);
      sameBits(d2, d2Ref, 'ReLU backward with sums: d');
      sameBits(db2, db2Ref, 'ReLU backward with sums: db');
      const acc = values(n * m, 4, resident), more = values(n * m, 5, resident), accRef = acc.slice();
      for (let i = 0; i < accRef.length; i++) accRef[i] += more[i];
      fast.addInto(acc, more);
      sameBits(acc, accRef, 'addInto');
    });
  }
  for (const [n, m] of [[1, 1], [3, 5], [4, 8], [7, 13], [32, 128]]) {
    kernels(`tanh's and sigmoid's backward, with and without the bias gradient, on ${n} x ${m} (${where}) give the loops' bits`, () => {
      // outputs as the activations give them (and their ends: 0 of both signs, 1, -1), gradients of every size
      const ends = [0, -0, 1, -1];
      const g = values(n * m, 8, resident).map((v, i) => (Number.isFinite(v) ? v * 10 ** ((i % 5) - 2) : 0.5));
      for (const activation of ['tanh', 'sigmoid'] as const) {
        const y = values(n * m, 9, resident).map((v, i) => (i % 11 === 5 ? ends[i % 4] : Number.isFinite(v) ? (activation === 'tanh' ? Math.tanh(v) : 1 / (1 + Math.exp(-v))) : 0));
        const dRef = new Float32Array(n * m), dbRef = new Float32Array(m);
        // the readable loops of linear's backward on the cpu backend
        if (activation === 'tanh') for (let i = 0; i < dRef.length; i++) dRef[i] = g[i] * Math.fround(1 - Math.fround(y[i] * y[i]));
        else for (let i = 0; i < dRef.length; i++) dRef[i] = Math.fround(g[i] * Math.fround(1 - y[i])) * y[i];
        for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) dbRef[j] += dRef[i * m + j];
        const d = resident ? wasm.allocate(n * m) : new Float32Array(n * m), db = resident ? wasm.allocate(m).fill(7) : new Float32Array(m).fill(7);
        fast.activationBackward(activation, y, g, d, null, n, m);
        sameBits(d, dRef, `${activation} backward`);
        assert.ok(db.every((v) => v === 7), 'no bias gradient asked: db untouched');
        d.fill(3);
        fast.activationBackward(activation, y, g, d, db, n, m);
        sameBits(d, dRef, `${activation} backward with sums: d`);
        sameBits(db, dbRef, `${activation} backward with sums: db`);
        // the derivative is not the identity: some gradients were changed
        assert.ok(dRef.some((v, i) => v !== g[i]), `${activation}: the derivative scaled the gradient`);
      }
    });
  }
  kernels(`the finiteness scan finds one NaN or infinity anywhere in an array (${where})`, () => {
    for (const len of [1, 4, 5, 131]) {
      const a = resident ? wasm.allocate(len) : new Float32Array(len);
      for (let i = 0; i < len; i++) a[i] = i - 2.5;
      assert.ok(fast.allFinite(a));
      for (const bad of [NaN, Infinity, -Infinity]) {
        for (const at of [0, len - 1, len >> 1]) {
          const keep = a[at];
          a[at] = bad;
          assert.not.ok(fast.allFinite(a), `${bad} at ${at} of ${len}`);
          a[at] = keep;
        }
      }
    }
  });
}

kernels('a subarray of an array in the kernels\' memory gives the right values and leaves its neighbours alone', () => {
  const whole = wasm.allocate(20).fill(1);
  const part = whole.subarray(4, 10);
  fast.biasRelu(part, null, 2, 3, false);
  fast.activationBackward('relu', part, part, part, null, 2, 3);
  assert.equal(Array.from(whole), new Array(20).fill(1));
  const out = new Float32Array(4), ref = new Float32Array(4);
  wasm.matmul(part, part, out, 2, 3, 2, false, true);
  cpuBackend.matmul(part, part, ref, 2, 3, 2, false, true);
  assert.equal(Array.from(out), Array.from(ref));
  assert.equal(Array.from(out), [3, 3, 3, 3]);
});

kernels.after(() => wasm.dispose());
kernels.run();

// Products overwrite their output, so linear and matmul take their output and gradient buffers unzeroed: buffers the
// pool (inside reuseBuffers) or the wasm memory (outside it) hands out again, full of NaN, must not show through.
const unzeroed = suite('linear and matmul write every element of the buffers handed out again unzeroed');
const productRun = () => {
  const g = new Generator(21);
  const x = randn([5, 7], { generator: g }).requiresGrad_(), w = randn([3, 7], { generator: g }).requiresGrad_();
  const b = randn([3], { generator: g }).requiresGrad_(), a = randn([2, 5, 4], { generator: g }).requiresGrad_();
  const c = randn([4, 6], { generator: g }).requiresGrad_(), v = randn([4, 6], { generator: g }).requiresGrad_();
  const y = linear(x, w, b), z = matmul(a, c), u = matmul(a.reshape([10, 4]), v);
  y.sum().add(z.sum()).add(u.mul(u).sum()).backward();
  return [y, z, u, x.grad!, w.grad!, b.grad!, a.grad!, c.grad!, v.grad!].map((t) => t.data.slice());
};
const SIZES = [35, 21, 15, 20, 40, 60, 24, 3, 12, 48];
for (const backend of availableBackends()) {
  unzeroed(`${backendLabel(backend)}: inside reuseBuffers, the pool's buffers full of NaN`, () => withBackend(backend, () => {
    const fresh = productRun();
    reuseBuffers(() => {
      for (const n of SIZES) for (let k = 0; k < 4; k++) alloc(n).fill(NaN);
    });
    const reused = reuseBuffers(productRun);
    reused.forEach((r, i) => sameBits(r, fresh[i], `result ${i}`));
  }));
}
unzeroed('wasm backend: outside reuseBuffers, blocks of its memory given back full of NaN', () => onFreshWasm('wasm-unzeroed-products', (backend) => {
  const fresh = productRun();
  for (const n of SIZES) {
    for (let k = 0; k < 6; k++) {
      const a = backend.allocate(n);
      a.fill(NaN);
      assert.ok(backend.release!(a), 'the block goes back');
    }
  }
  productRun().forEach((r, i) => sameBits(r, fresh[i], `result ${i}`));
}));
unzeroed('a product over an empty inner dimension is zeros, on every backend, in a buffer handed out again', () => {
  for (const backend of availableBackends()) withBackend(backend, () => {
    reuseBuffers(() => {
      for (let k = 0; k < 4; k++) alloc(6).fill(NaN);
    });
    const y = reuseBuffers(() => matmul(zeros([2, 0]), zeros([0, 3])).data.slice());
    assert.equal(Array.from(y), [0, 0, 0, 0, 0, 0], backendLabel(backend));
    assert.is(getBackend().name, backend);
  });
});
unzeroed.run();
