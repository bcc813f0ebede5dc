import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  reuseBuffers, alloc, poolStats, tensor, linear, matmul, add, transpose, gradcheck, Generator, randn, Sequential, Linear,
  ReLU, Adam, mseLoss, manualSeed, useBackend, fit, builtInData,
} from '../../src/index.js';
import { assertClose } from '../helpers/assert.js';
import { availableBackends, backendLabel } from '../helpers/backends.js';
import { assertFitAllocatesNothingPerStep, countTypedArrays } from '../helpers/allocations.js';

const pool = suite('buffer reuse');

pool('a buffer allocated in reuseBuffers is handed back, zeroed, to the next request of its length', () => {
  let first: Float32Array | null = null;
  reuseBuffers(() => {
    first = alloc(7);
    first.fill(3);
  });
  const again = reuseBuffers(() => alloc(7));
  assert.is(again, first);
  assert.equal(Array.from(again), new Array(7).fill(0));
});

pool('a tensor returned from the scope keeps its buffer; outside any scope alloc always creates', () => {
  const kept = reuseBuffers(() => tensor([1, 2]).mul(2));
  const other = reuseBuffers(() => tensor([5, 5]).mul(1));
  assert.ok(other.data !== kept.data);
  assert.equal(Array.from(kept.data), [2, 4]);
  assert.ok(alloc(3) !== alloc(3));
});

pool('nested scopes recycle their own buffers when they end', () => {
  reuseBuffers(() => {
    const inner = reuseBuffers(() => alloc(11));
    const outerBuf = alloc(11);
    assert.is(outerBuf === inner, false); // inner was returned, so it stays with the outer scope
  });
});

pool('a buffer made on one backend is not handed to a backend with storage of its own, and comes back on its own', () => {
  if (!availableBackends().includes('wasm')) return;
  const pooled = reuseBuffers(() => alloc(13).fill(1)); // kept by the caller: not pooled
  reuseBuffers(() => void alloc(13)); // this one goes back to the cpu backend's pool
  useBackend('wasm');
  try {
    const onWasm = reuseBuffers(() => {
      const b = alloc(13);
      assert.ok(b !== pooled && b.every((v) => v === 0));
      return b;
    });
    const wasm = useBackend('wasm') as unknown as { kernels: { resident(a: Float32Array): Float32Array } };
    assert.is(wasm.kernels.resident(onWasm), onWasm, 'the buffer is in the wasm backend\'s memory');
  } finally {
    useBackend('cpu');
  }
  const again = reuseBuffers(() => { const b = alloc(13); assert.ok(b instanceof Float32Array && !(b.buffer instanceof SharedArrayBuffer)); return null; });
  assert.is(again, null);
});

pool.run();

const fused = suite('linear (fused) equals matmul + transpose + add');

for (const backend of availableBackends()) {
  fused(`values and gradients agree (${backendLabel(backend)})`, () => {
    useBackend(backend);
    try {
      const g = new Generator(1);
      const make = () => [randn([6, 5], { generator: new Generator(2) }), randn([4, 5], { generator: new Generator(3) }), randn([4], { generator: new Generator(4) })].map((t) => t.requiresGrad_());
      const w = randn([6, 4], { generator: g });
      const [x1, w1, b1] = make(), [x2, w2, b2] = make();
      const y1 = linear(x1, w1, b1), y2 = add(matmul(x2, transpose(w2, 0, 1)), b2);
      assertClose(y1, y2, { atol: 1e-6, rtol: 1e-6 });
      y1.mul(w).sum().backward();
      y2.mul(w).sum().backward();
      assertClose(x1.grad!, x2.grad!, { atol: 1e-6, rtol: 1e-6 }, 'dx');
      assertClose(w1.grad!, w2.grad!, { atol: 1e-6, rtol: 1e-6 }, 'dW');
      assertClose(b1.grad!, b2.grad!, { atol: 1e-6, rtol: 1e-6 }, 'db');
      assert.ok(gradcheck((x, ww, b) => linear(x, ww, b), make()).ok);
      assert.ok(gradcheck((x, ww) => linear(x, ww), make().slice(0, 2)).ok);
    } finally {
      useBackend('cpu');
    }
  });
}

fused('bad shapes are named', () => {
  assert.throws(() => linear(randn([2, 3]), randn([4, 5])), /linear: expected input \[N, in\] and weight \[out, in\] with the same in, got \[2,3\] and \[4,5\]/);
  assert.throws(() => linear(randn([2, 3]), randn([4, 3]), randn([5])), /linear: expected bias of shape \[4\], got \[5\]/);
});

fused.run();

const zero = suite('zero allocations per training step');

for (const backend of availableBackends().filter((b) => b !== 'gpu')) {
  zero(`after the first step, a training step of the seed 000 MLP creates no Float32Array (${backendLabel(backend)})`, () => {
    useBackend(backend);
    const Original = globalThis.Float32Array;
    try {
      manualSeed(1);
      const model = new Sequential(new Linear(20, 128), new ReLU(), new Linear(128, 64), new ReLU(), new Linear(64, 32), new ReLU(), new Linear(32, 1));
      const opt = new Adam(model.parameters());
      const g = new Generator(2);
      const x = randn([32, 20], { generator: g }), y = randn([32, 1], { generator: g });
      const step = () => {
        reuseBuffers(() => {
          opt.zeroGrad({ setToNone: false });
          mseLoss(model.forward(x), y).backward();
        });
        opt.step();
      };
      step();
      step();
      let created = 0;
      globalThis.Float32Array = new Proxy(Original, { construct(target, args) { created++; return Reflect.construct(target, args); } });
      const before = poolStats().created;
      for (let i = 0; i < 20; i++) step();
      globalThis.Float32Array = Original;
      assert.is(created, 0, `${created} new Float32Array(...) calls in 20 steps`);
      assert.is(poolStats().created, before, 'the pool had to create buffers');
    } finally {
      globalThis.Float32Array = Original;
      useBackend('cpu');
    }
  });
}

for (const backend of availableBackends().filter((b) => b !== 'gpu')) {
  zero(`fit creates no typed array or view per step: three epochs create what one does (${backendLabel(backend)})`, () => {
    useBackend(backend);
    try {
      manualSeed(1);
      const d = builtInData();
      const model = new Sequential(new Linear(20, 32), new ReLU(), new Linear(32, 1));
      const opt = new Adam(model.parameters());
      assertFitAllocatesNothingPerStep((epochs) => void fit(model, { x: d.train.x, y: d.train.y, optimizer: opt, epochs, generator: new Generator(3), progress: false }), backendLabel(backend), assert);
    } finally {
      useBackend('cpu');
    }
  });
}

zero.run();
