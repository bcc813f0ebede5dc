import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { lstmSequence, gruSequence, reuseBuffers, alloc, randn, Generator, registerBackend, useBackend, getBackend, createWasmBackend, LSTM, GRU, tensor, zeros, noGrad, sum, mul, type Tensor, type WasmBackend } from '../../src/index.js';
import { assertClose } from '../helpers/assert.js';

// The wasm backend runs a recurrent direction in one kernel call each way (assembly/recurrent.ts); without those
// kernels lstmSequence and gruSequence run their JavaScript loops, which call the backend's matmul once per step.
// The kernel must give the loop's bits on the same backend: the same products (the matmul's own packing and tiles,
// relaxed SIMD or not), and the cell's double-precision arithmetic with fdlibm's exp and tanh (those behind
// Math.exp and Math.tanh), operation for operation.
const kernels = suite('recurrent sequence kernels (wasm, one call per direction)');

const wasm: Record<string, WasmBackend> = {};
for (const relaxed of [false, true]) {
  const b = createWasmBackend({ threads: 1, relaxedSimd: relaxed, name: `wasm-rnn-${relaxed}` });
  wasm[String(relaxed)] = b;
  registerBackend(b);
  // the same backend without the recurrent kernels: the ops fall back to their loops
  registerBackend({ ...b, name: `wasm-rnn-${relaxed}-loops`, kernels: { ...b.kernels, recurrent: undefined } });
}

// two threads: the batch's rows split between this thread and the worker (a multiple of 4 rows here, the rest there)
const wasm2 = createWasmBackend({ threads: 2, split: 'always', relaxedSimd: false, name: 'wasm-rnn-2t' });
registerBackend(wasm2);

interface Run { out: Float32Array; grads: Float32Array[] }

function run(backend: string, kind: 'lstm' | 'gru', B: number, H: number, T: number, scale: number, reverse: boolean, bias: boolean, seed: number): Run {
  const previous = getBackend().name;
  useBackend(backend);
  try {
    const g = new Generator(seed), G = (kind === 'lstm' ? 4 : 3) * H;
    // scaled so that the gates saturate in places: every branch of exp's and tanh's reductions, and (scale 300)
    // the lanes past exp's and tanh's common range that the kernels hand to the scalar functions
    const xProj = randn([T * B, G], { generator: g });
    for (let i = 0; i < xProj.size; i++) xProj.data[i] *= scale;
    xProj.requiresGrad = true;
    const wHh = randn([G, H], { generator: g, requiresGrad: true });
    const bHh = bias ? randn([G], { generator: g, requiresGrad: true }) : null;
    const h0 = randn([B, H], { generator: g, requiresGrad: true }), c0 = randn([B, H], { generator: g, requiresGrad: true });
    const out = kind === 'lstm' ? lstmSequence(xProj, wHh, bHh, h0, c0, { reverse }) : gruSequence(xProj, wHh, bHh, h0, { reverse });
    const w = randn([...out.shape], { generator: g });
    out.backward(w);
    const leaves: (Tensor | null)[] = kind === 'lstm' ? [xProj, wHh, bHh, h0, c0] : [xProj, wHh, bHh, h0];
    return { out: out.data.slice(), grads: leaves.filter((t): t is Tensor => t !== null).map((t) => t.grad!.data.slice()) };
  } finally {
    useBackend(previous);
  }
}

function sameBits(a: Float32Array, b: Float32Array, what: string): void {
  assert.is(a.length, b.length, `${what}: length`);
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length), ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < a.length; i++) {
    if (ua[i] !== ub[i]) assert.unreachable(`${what}: index ${i} differs: ${a[i]} (kernel) and ${b[i]} (loop)`);
  }
}

const shapes = [
  { B: 3, H: 5, T: 4, scale: 3 }, // nothing a multiple of the tiles: edges of every panel; an odd H (a scalar tail)
  { B: 8, H: 16, T: 6, scale: 1 },
  { B: 16, H: 32, T: 8, scale: 10 },
  { B: 4, H: 6, T: 3, scale: 300 },
  { B: 5, H: 136, T: 2, scale: 3 }, // 4H = 544 > 512: the product's depth in two blocks
  { B: 32, H: 64, T: 20, scale: 1 }, // the benchmark's forecaster
];

for (const kind of ['lstm', 'gru'] as const) {
  for (const { B, H, T, scale } of shapes) {
    for (const reverse of [false, true]) {
      for (const bias of [true, false]) {
        kernels(`${kind}Sequence's kernel gives its loop's bits, forward and backward (B ${B}, H ${H}, T ${T}, inputs x${scale}${reverse ? ', reverse' : ''}${bias ? '' : ', no bias'}; relaxed SIMD off and on)`, () => {
          const seed = B * 1000 + H * 10 + T;
          for (const relaxed of [false, true]) {
            const a = run(`wasm-rnn-${relaxed}`, kind, B, H, T, scale, reverse, bias, seed), b = run(`wasm-rnn-${relaxed}-loops`, kind, B, H, T, scale, reverse, bias, seed);
            sameBits(a.out, b.out, `relaxed ${relaxed}: output`);
            a.grads.forEach((g, i) => sameBits(g, b.grads[i], `relaxed ${relaxed}: gradient of input ${i}`));
          }
        });
      }
    }
  }
}

// The kernels compute the cell's σ and tanh with a fast double-precision exp, check that every float they store is
// the one the exact functions give (its error bound does not straddle a rounding boundary), and compute the lanes
// that fail the check again with fdlibm's functions. These runs put a gate's σ within about 2e-16 of the midpoint
// between two floats: x + bias splits the logit of that midpoint into two floats, and (zero state, zero recurrent
// weights, tanh(30) = 1) the LSTM's c is that σ, the GRU's r scales n's argument. The check must send those lanes
// to the exact path, and the bits must still be the loop's.
const nearMidpoints = (n: number) => Array.from({ length: n }, (_, k) => {
  const a = Math.fround(0.55 + 0.03 * k), b = a + 2 ** (Math.floor(Math.log2(a)) - 23), m = (a + b) / 2;
  const logit = Math.log(m / (1 - m)), x = Math.fround(logit);
  return { x, bias: Math.fround(logit - x) };
});

for (const kind of ['lstm', 'gru'] as const) {
  kernels(`${kind}Sequence: lanes whose σ lies within the fast path's error bound of a float rounding boundary are computed exactly, with the loop's bits`, () => {
    const B = 2, H = 8, T = 1, G = (kind === 'lstm' ? 4 : 3) * H, points = nearMidpoints(H);
    const runOn = (backend: string) => {
      const previous = getBackend().name;
      useBackend(backend);
      try {
        const x = new Float32Array(T * B * G), bias = new Float32Array(G);
        for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) {
          x[b * G + j] = points[j].x; // the input gate (LSTM) or the reset gate (GRU)
          if (kind === 'lstm') x[b * G + 2 * H + j] = 30; // g = tanh(30) = 1: c = σ(i)
          else x[b * G + 2 * H + j] = 0.25;
        }
        for (let j = 0; j < H; j++) {
          bias[j] = points[j].bias;
          if (kind === 'gru') bias[2 * H + j] = 1; // n = tanh(x_n + r b_n)
        }
        const xProj = tensor(x, { shape: [T * B, G], requiresGrad: true }), wHh = zeros([G, H], { requiresGrad: true }), bHh = tensor(bias, { shape: [G], requiresGrad: true });
        const out = kind === 'lstm' ? lstmSequence(xProj, wHh, bHh, zeros([B, H]), zeros([B, H])) : gruSequence(xProj, wHh, bHh, zeros([B, H]));
        sum(mul(out, out)).backward();
        return { out: out.data.slice(), grads: [xProj.grad!.data.slice(), bHh.grad!.data.slice()] };
      } finally {
        useBackend(previous);
      }
    };
    const before = wasm.false.recurrentExactPairs;
    const a = runOn('wasm-rnn-false'), b = runOn('wasm-rnn-false-loops');
    assert.is(wasm.false.recurrentExactPairs - before, (B * H) / 2, 'every pair of lanes went to the exact path');
    sameBits(a.out, b.out, 'output');
    a.grads.forEach((g, i) => sameBits(g, b.grads[i], `gradient ${i}`));
  });
}

kernels('inside reuseBuffers the sequence ops write every element of the buffers the pool hands out again unzeroed', () => {
  const B = 3, H = 5, T = 4;
  for (const kind of ['lstm', 'gru'] as const) {
    const G = (kind === 'lstm' ? 4 : 3) * H;
    for (const backend of ['wasm-rnn-false', 'wasm-rnn-false-loops', 'cpu']) {
      const fresh = run(backend, kind, B, H, T, 3, false, true, 11);
      const previous = getBackend().name;
      useBackend(backend);
      let reused: Run;
      try {
        // the pool's buffers of every size the op takes, left full of NaN
        reuseBuffers(() => {
          for (const n of [(T + 1) * B * H, T * B * H, T * B * G, B * H, B * G, G * H, G]) for (let k = 0; k < 4; k++) alloc(n).fill(NaN);
        });
        reused = reuseBuffers(() => run(backend, kind, B, H, T, 3, false, true, 11));
      } finally {
        useBackend(previous);
      }
      sameBits(reused.out, fresh.out, `${kind} on ${backend}: output`);
      reused.grads.forEach((g, i) => sameBits(g, fresh.grads[i], `${kind} on ${backend}: gradient ${i}`));
    }
  }
});

kernels('outside reuseBuffers the sequence ops write every element of the blocks the wasm memory hands out again unzeroed', () => {
  const B = 3, H = 5, T = 4;
  for (const kind of ['lstm', 'gru'] as const) {
    const G = (kind === 'lstm' ? 4 : 3) * H;
    for (const name of ['false', 'true']) {
      const backend = wasm[name];
      const fresh = run(`wasm-rnn-${name}`, kind, B, H, T, 3, false, true, 12);
      // blocks of every size the op takes, given back full of NaN: the next requests of those sizes get them
      for (const n of [(T + 1) * B * H, T * B * H, T * B * G, B * H, B * G]) {
        for (let k = 0; k < 6; k++) {
          const a = backend.allocate(n);
          a.fill(NaN);
          assert.ok(backend.release!(a), 'the block goes back');
        }
      }
      const reused = run(`wasm-rnn-${name}`, kind, B, H, T, 3, false, true, 12);
      sameBits(reused.out, fresh.out, `${kind} on wasm-rnn-${name}: output`);
      reused.grads.forEach((g, i) => sameBits(g, fresh.grads[i], `${kind} on wasm-rnn-${name}: gradient ${i}`));
    }
  }
});

kernels('the fast path serves nearly every lane of an ordinary sequence', () => {
  const before = wasm.false.recurrentExactPairs;
  const B = 32, H = 64, T = 20;
  run('wasm-rnn-false', 'lstm', B, H, T, 1, false, true, 5);
  run('wasm-rnn-false', 'gru', B, H, T, 1, false, true, 5);
  const exact = wasm.false.recurrentExactPairs - before, pairs = (2 * B * H * T) / 2;
  assert.ok(exact < pairs / 1000, `${exact} of ${pairs} pairs of lanes computed by the exact path`);
});

kernels.before(async () => {
  // the worker starts asynchronously: wait for it, so the two-thread runs really split
  for (let i = 0; i < 500 && wasm2.threadsReady() < 2; i++) await new Promise((r) => setTimeout(r, 10));
  assert.is(wasm2.threadsReady(), 2);
});

for (const kind of ['lstm', 'gru'] as const) {
  kernels(`${kind}Sequence on two threads (the batch's rows split) gives the one-thread kernel's bits, forward and backward`, () => {
    for (const { B, H, T } of [{ B: 8, H: 16, T: 6 }, { B: 13, H: 7, T: 5 }, { B: 32, H: 64, T: 20 }]) {
      for (const reverse of [false, true]) {
        const seed = B * 1000 + H * 10 + T;
        const one = run('wasm-rnn-false', kind, B, H, T, 3, reverse, true, seed), two = run('wasm-rnn-2t', kind, B, H, T, 3, reverse, true, seed);
        sameBits(two.out, one.out, `B ${B} H ${H}${reverse ? ' reverse' : ''}: output`);
        two.grads.forEach((g, i) => sameBits(g, one.grads[i], `B ${B} H ${H}${reverse ? ' reverse' : ''}: gradient of input ${i}`));
      }
    }
  });
}

kernels('the kernels keep the sequence\'s arrays in the wasm memory (no copies in and out)', () => {
  const previous = getBackend().name;
  useBackend('wasm-rnn-false');
  try {
    const g = new Generator(3);
    const xProj = randn([4 * 2, 12], { generator: g }), wHh = randn([12, 3], { generator: g }), h0 = randn([2, 3], { generator: g }), c0 = randn([2, 3], { generator: g });
    const out = lstmSequence(xProj, wHh, null, h0, c0);
    assert.ok(wasm.false.arena.offsetOf(out.data) >= 0, 'the output is a block of the arena');
  } finally {
    useBackend(previous);
  }
});

kernels.run();

const approx = suite('recurrent kernels with approximateActivations (float32 σ and tanh)');

approx('σ and tanh are within 2e-7 of the exact functions over [-25, 25] (absolute)', () => {
  const previous = getBackend().name;
  useBackend('wasm-rnn-false');
  try {
    // one step from a zero state with zero recurrent weights: the cell state is c = σ(i) tanh(g); with the other gate
    // at 20 (σ(20) and tanh(20) are 1 in float32) it is σ or tanh of the grid value alone
    const B = 8000, H = 4, grid = (b: number) => -25 + (50 * b) / (B - 1);
    for (const which of ['sigmoid', 'tanh'] as const) {
      const x = new Float32Array(B * 4 * H);
      for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) {
        x[b * 4 * H + j] = which === 'sigmoid' ? grid(b) : 20;
        x[b * 4 * H + 2 * H + j] = which === 'sigmoid' ? 20 : grid(b);
      }
      const c = (approximate: boolean) => noGrad(() => lstmSequence(tensor(x, { shape: [B, 4 * H] }), zeros([4 * H, H]), null, zeros([B, H]), zeros([B, H]), { approximate })).data.slice(B * H);
      const exact = c(false), fast = c(true);
      let worst = 0, at = 0;
      for (let k = 0; k < exact.length; k++) if (Math.abs(exact[k] - fast[k]) > worst) { worst = Math.abs(exact[k] - fast[k]); at = grid(k >> 2); }
      assert.ok(worst <= 2e-7, `${which}: |approximate - exact| up to ${worst} (at ${at})`);
      assert.ok(worst > 0, `${which}: the approximation is in use (some value differs)`);
    }
  } finally {
    useBackend(previous);
  }
});

approx('an LSTM and a GRU with approximateActivations stay within 1e-5 of the exact layers over 20 steps, gradients included', () => {
  const previous = getBackend().name;
  useBackend('wasm-rnn-true');
  try {
    for (const Layer of [LSTM, GRU]) {
      const results = [false, true].map((approximateActivations) => {
        const m = new Layer(3, 16, { numLayers: 2, approximateActivations, generator: new Generator(8) });
        const x = randn([20, 5, 3], { generator: new Generator(9) });
        const [out] = m.forward(x);
        sum(mul(out, out)).backward();
        return { out: out.data.slice(), grads: m.parameters().map((p) => p.grad!.data.slice()) };
      });
      assertClose(results[1].out, results[0].out, { atol: 1e-5, rtol: 0 }, `${Layer.name} output`);
      results[1].grads.forEach((g, i) => assertClose(g, results[0].grads[i], { atol: 1e-5, rtol: 1e-4 }, `${Layer.name} parameter ${i} gradient`));
    }
  } finally {
    useBackend(previous);
  }
});

approx('the option is checked', () => {
  assert.throws(() => new LSTM(1, 4, { approximateActivations: 'yes' as never }), (e: Error) => e instanceof TypeError && /LSTM: expected approximateActivations to be true or false, got/.test(e.message));
  assert.throws(() => new GRU(1, 4, { approximateActivations: 1 as never }), (e: Error) => e instanceof TypeError && /GRU: expected approximateActivations to be true or false/.test(e.message));
  const g = new Generator(1);
  assert.throws(() => lstmSequence(randn([2, 8], { generator: g }), randn([8, 2], { generator: g }), null, zeros([1, 2]), zeros([1, 2]), { approximate: 'no' as never }), /lstmSequence: expected approximate to be true or false/);
  assert.throws(() => gruSequence(randn([2, 6], { generator: g }), randn([6, 2], { generator: g }), null, zeros([1, 2]), { approximate: 0 as never }), /gruSequence: expected approximate to be true or false/);
});

approx.run();
