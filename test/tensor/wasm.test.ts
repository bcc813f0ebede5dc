// The fast CPU path: lrlab's WebAssembly SIMD kernel against the reference kernel, on awkward shapes, every
// transposition, one thread and two; and the committed module is the build of its source.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createWasmBackend, cpuBackend, randn, Generator } from '../../src/index.js';
import { assertClose } from '../helpers/assert.js';
import { Arena } from '../../src/tensor/backends/fast/arena.js';

const test = suite('wasm backend: SIMD kernel');
const single = createWasmBackend({ threads: 1 });
const threaded = createWasmBackend({ threads: 2, parallelThreshold: 0 });

const SHAPES: [number, number, number][] = [[1, 1, 1], [3, 5, 7], [4, 8, 8], [5, 1, 9], [13, 17, 31], [32, 20, 128], [128, 20, 32], [33, 64, 65], [37, 1100, 29], [130, 600, 9]]; // k past 512: the sums carry over k blocks

for (const [m, k, n] of SHAPES) {
  test(`(${m} x ${k}) x (${k} x ${n}) in all four transpositions equals the reference kernel, one thread and two`, () => {
    const g = new Generator(m * 1000 + k * 10 + n);
    const a = randn([m * k], { generator: g }).data, b = randn([k * n], { generator: g }).data;
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      const ref = new Float32Array(m * n), one = new Float32Array(m * n).fill(NaN), two = new Float32Array(m * n).fill(NaN);
      cpuBackend.matmul(a, b, ref, m, k, n, ta, tb);
      single.matmul(a, b, one, m, k, n, ta, tb);
      threaded.matmul(a, b, two, m, k, n, ta, tb);
      // float32 sums in another order: a few ulp of the sum's magnitude
      assertClose(one, ref, { atol: 1e-5 * Math.sqrt(k), rtol: 1e-5 }, `transA=${ta} transB=${tb} one thread`);
      assertClose(two, ref, { atol: 1e-5 * Math.sqrt(k), rtol: 1e-5 }, `transA=${ta} transB=${tb} two threads`);
    }
  });
}

test('with relaxed SIMD off, products agree with the reference kernel as closely as with it on', () => {
  const unfused = createWasmBackend({ threads: 1, relaxedSimd: false });
  assert.is(unfused.relaxedSimd, false);
  for (const [m, k, n] of SHAPES) {
    const g = new Generator(m + k + n);
    const a = randn([m * k], { generator: g }).data, b = randn([k * n], { generator: g }).data;
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      const ref = new Float32Array(m * n), out = new Float32Array(m * n).fill(NaN);
      cpuBackend.matmul(a, b, ref, m, k, n, ta, tb);
      unfused.matmul(a, b, out, m, k, n, ta, tb);
      assertClose(out, ref, { atol: 1e-5 * Math.sqrt(k), rtol: 1e-5 }, `(${m} x ${k}) x (${k} x ${n}) transA=${ta} transB=${tb}`);
    }
  }
  unfused.dispose();
});

test('relaxed SIMD is on where the engine has it (Node 20 after its flag is set) and fuses the multiply-adds', () => {
  assert.is(single.relaxedSimd, true);
  // 1 + 2^-13 squared is 1 + 2^-12 + 2^-26: the last term is lost when the product is rounded before the add
  const e = 2 ** -13;
  const a = new Float32Array([1 + e]), b = new Float32Array([1 + e]), out = new Float32Array(1);
  const c = new Float32Array(4);
  single.matmul(a, b, out, 1, 1, 1, false, false);
  assert.is(out[0], Math.fround(1 + 2 * e)); // one term: the product rounded once either way
  // (1 + e)^2 - (1 + 2e), as (1 + e)(1 + e) + 1 * -(1 + 2e): the rounded product leaves 0, the fused one 2^-26
  const a2 = new Float32Array([1 + e, 1]), b2 = new Float32Array([1 + e, -(1 + 2 * e)]);
  single.matmul(a2, b2, c, 1, 2, 1, false, false);
  const unfused = new Float32Array(1);
  createWasmBackend({ threads: 1, relaxedSimd: false }).matmul(a2, b2, unfused, 1, 2, 1, false, false);
  assert.is(unfused[0], 0);
  assert.ok(c[0] === 2 ** -26 || c[0] === 0, `fused or not (no FMA in this processor), got ${c[0]}`);
});

test('createWasmBackend rejects a relaxedSimd that is not a boolean', () => {
  assert.throws(() => createWasmBackend({ relaxedSimd: 'yes' as unknown as boolean }), (e: Error) => e instanceof TypeError && /createWasmBackend: expected relaxedSimd to be true or false, got/.test(e.message));
});

test('a large product grows the memory and splits across threads with the same result', () => {
  const g = new Generator(9);
  const n = 300;
  const a = randn([n * n], { generator: g }).data, b = randn([n * n], { generator: g }).data;
  const ref = new Float32Array(n * n), out = new Float32Array(n * n);
  cpuBackend.matmul(a, b, ref, n, n, n, false, false);
  threaded.matmul(a, b, out, n, n, n, false, false);
  assertClose(out, ref, { atol: 2e-4, rtol: 1e-5 });
});

test('the committed WebAssembly module is the build of assembly/', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const out = execFileSync(process.execPath, ['scripts/build-wasm.mjs', '--check'], { cwd: root, encoding: 'utf8' });
  assert.match(out, /matches/);
});

test('arrays from the backend\'s memory are used in place before and after the memory grows, on one thread and two', () => {
  for (const backend of [single, threaded]) {
    const early = backend.allocate(10);
    const big = backend.allocate(1 << 21); // grows the memory
    const late = backend.allocate(7);
    for (const a of [early, big, late]) {
      assert.ok(backend.arena.blockOf(a) >= 0, `an array of ${a.length} is a block of the memory`);
      assert.is(backend.kernels.resident(a), a);
    }
    const plain = new Float32Array(5).fill(2);
    const copy = backend.kernels.resident(plain);
    assert.ok(copy !== plain && backend.arena.blockOf(copy) >= 0);
    assert.equal(Array.from(copy), [2, 2, 2, 2, 2]);
    assert.is(backend.arena.blockOf(plain), -1);
    assert.is(backend.arena.offsetOf(early.subarray(1, 3)), -1); // a subarray is copied in and out, not trusted
  }
});

test('optimizer updates and maxAbs on long arrays, split in halves between two threads, equal one thread bit for bit', () => {
  const n = (1 << 17) + 7; // past the split threshold, and not a multiple of 8: the halves meet inside the array
  const g = new Generator(11);
  const θ0 = randn([n], { generator: g }).data, grad = randn([n], { generator: g }).data;
  const run = (backend: typeof single) => {
    const θ = backend.kernels.resident(θ0.slice()), m = backend.allocate(n), v = backend.allocate(n), b = backend.allocate(n);
    for (let t = 1; t <= 3; t++) {
      backend.kernels.adam(θ, backend.kernels.resident(grad), m, v, null, 0.9, 0.999, 0.1, 0.001, 1e-8, 0.01, -1e-3 / (1 - 0.9 ** t), Math.sqrt(1 - 0.999 ** t), 1, false);
      backend.kernels.sgd(θ, grad, b, 0.01, 0, 0.9, 1, t === 1, true, false);
    }
    return [θ, m, v, b].map((a) => Array.from(a));
  };
  assert.equal(run(threaded), run(single));
  const x = randn([n], { generator: g }).data;
  const far = x.reduce((a, b) => Math.max(a, Math.abs(b)), 0);
  assert.is(threaded.kernels.maxAbs([x]), single.kernels.maxAbs([x]));
  assert.is(threaded.kernels.maxAbs([x]), Math.fround(far));
  for (const at of [3, n - 2]) {
    const y = x.slice();
    y[at] = NaN;
    assert.ok(Number.isNaN(threaded.kernels.maxAbs([y])), `NaN at ${at} is seen by the half holding it`);
    y[at] = -Infinity;
    assert.is(threaded.kernels.maxAbs([y]), Infinity);
  }
});

test('the arena counts live blocks through takes and releases, a released block is given out again, and a second release is a no-op', () => {
  const arena = createWasmBackend({ threads: 1 }).arena;
  const before = arena.stats().blocks;
  const offsets = Array.from({ length: 2000 }, (_, i) => arena.take(1 + (i % 7)));
  assert.is(arena.stats().blocks, before + 2000);
  for (const o of offsets) arena.release(o);
  arena.release(offsets[0]);
  assert.is(arena.stats().blocks, before);
  const again = arena.take(1);
  assert.ok(offsets.includes(again), 'a freed block of the size is reused');
  arena.release(again);
  const view = arena.allocate(3);
  assert.is(arena.blockOf(view), arena.offsetOf(view));
  assert.ok(arena.blockOf(view) >= 0);
});

test('tensors fill at most three quarters of the memory: past that they are ordinary arrays, and kernels still find room for their temporary blocks', () => {
  const memory = new (globalThis as any).WebAssembly.Memory({ initial: 1, maximum: 64, shared: true });
  const arena = new Arena(memory, 64 * 65536);
  const kept: Float32Array[] = [];
  // a synchronous loop: nothing it allocates can be freed before it ends
  for (let i = 0; i < 100; i++) kept.push(arena.allocate(16384)); // 64 KiB each, 6.25 MiB in all
  const inMemory = kept.filter((a) => arena.blockOf(a) >= 0).length;
  assert.is(inMemory, Math.floor((64 * 65536 * 3) / 4 / 65536) - 1, 'tensors stop at three quarters (the first 64 bytes are reserved)');
  assert.ok(kept.every((a) => a.length === 16384 && a.every((v) => v === 0)));
  assert.is(arena.tryAllocate(16384), null, 'tryAllocate says there is no room instead of making an array to discard');
  const staged = arena.take(16384 * 3);
  assert.ok(staged >= 0, 'a temporary block still fits');
  arena.release(staged);
});

test('when the memory is full, a small request is served from the front of a larger free block', () => {
  const memory = new (globalThis as any).WebAssembly.Memory({ initial: 1, maximum: 16, shared: true });
  const arena = new Arena(memory, 16 * 65536);
  const big = arena.take(200_000); // 800 KB of the 1 MiB
  while (arena.take(10_000) >= 0); // the rest, in blocks of other sizes
  while (arena.take(1000) >= 0);
  arena.release(big);
  const small = arena.take(1000);
  assert.is(small, big, 'the front of the free 800 KB block');
  const next = arena.take(1000);
  assert.is(next, big + 4000, 'and then the block after it, from the remainder');
});

test.after(() => {
  single.dispose();
  threaded.dispose();
});
test.run();
