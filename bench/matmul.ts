import { fileURLToPath } from 'node:url';
import { Generator, randn, cpuBackend, createWasmBackend } from '../src/index.js';
import { time, tfjs, maxAbsDiff, resident, machine, type LrlabImpl, type Row } from './common.js';

/**
 * Square fp32 matmul at each size: every lrlab backend and TensorFlow.js's CPU and WASM backends, all checked
 * against the CPU reference (max abs error printed) before timing. GFLOPS = 2 n^3 / time.
 */
export async function matmulSuite(impls: LrlabImpl[], sizes: number[], log: (s: string) => void, quick: boolean): Promise<Row[]> {
  const rows: Row[] = [];
  for (const n of sizes) {
    const g = new Generator(n);
    const A = randn([n, n], { generator: g }).data, B = randn([n, n], { generator: g }).data;
    // the reference product in full up to 1024; above, 256 entries summed in double (the full product would take
    // the reference kernel most of a minute)
    const full = n <= 1024;
    const ref = new Float32Array(full ? n * n : 0);
    if (full) cpuBackend.matmul(A, B, ref, n, n, n, false, false);
    const probes = full ? [] : Array.from({ length: 256 }, () => [Math.floor(g.random() * n), Math.floor(g.random() * n)]);
    const errorOf = (C: ArrayLike<number>) => {
      if (full) return maxAbsDiff(C, ref);
      let worst = 0;
      for (const [i, j] of probes) {
        let s = 0;
        for (let p = 0; p < n; p++) s += A[i * n + p] * B[p * n + j];
        worst = Math.max(worst, Math.abs(C[i * n + j] - s));
      }
      return worst;
    };
    const flops = 2 * n ** 3;
    // a 2048 product takes a fast implementation a third of a second: 3 s and at least 5 samples, so that one slow
    // sample (the machine is shared) moves the mean by a few percent, not by a fifth as with 1 s and 3 samples
    const budget = quick ? { maxTime: 0.3, minSamples: 3 } : n >= 2048 ? { maxTime: 3, minSamples: 5 } : { maxTime: 1, minSamples: n >= 512 ? 2 : 3 };
    const add = (implementation: string, backend: string, mode: string, fn: () => void, result: () => ArrayLike<number>) => {
      fn();
      const err = errorOf(result());
      // a wrong result is never timed: the tolerance grows with the length of the sums
      if (!(err <= 1e-4 * Math.sqrt(n) * 10)) throw new Error(`matmul ${n}: ${implementation} disagrees with the reference (max abs error ${err})`);
      const t = time(`${implementation} ${n}`, fn, budget);
      rows.push({ suite: 'matmul', case: `${n}`, implementation, backend, mode, ...t, figures: { gflops: flops / (t.ms * 1e6), maxAbsError: err } });
      log(`  matmul ${String(n).padStart(4)}  ${implementation.padEnd(30)} ${(flops / (t.ms * 1e6)).toFixed(2).padStart(7)} GFLOPS  (max abs error ${err.toExponential(1)})`);
    };
    for (const impl of impls) {
      // gpu.js's own CPU modes are slow at large sizes: measured up to 256 only, and said so
      if ((impl.mode === 'cpu' || impl.mode === 'webasm') && n > 256) continue;
      // the reference kernel (under 1 GFLOPS) and gpu.js stop at 1024: a 2048 product would take them minutes
      if ((impl.mode !== '-' || impl.label.startsWith('lrlab cpu')) && n > 1024) continue;
      // operands and result where the backend keeps tensors (the wasm backend's memory), as in training and as
      // tfjs and PyTorch hold theirs: no copy in or out is timed
      const [a, b, out] = resident(impl.backend, A, B);
      add(impl.label, impl.backend.name, impl.mode, () => impl.backend.matmul(a, b, out, n, n, n, false, false), () => out);
    }
    for (const be of ['cpu', 'wasm'] as const) {
      if (be === 'cpu' && n > 1024) continue;
      const tf = await tfjs(be);
      const a = tf.tensor2d(A, [n, n]), b = tf.tensor2d(B, [n, n]);
      let last: Float32Array = new Float32Array(0);
      add(`tfjs-backend-${be}${be === 'wasm' ? ' (1 thread, SIMD)' : ''}`, `tfjs ${be}`, '-', () => {
        const c = tf.matMul(a, b);
        last = c.dataSync() as Float32Array;
        c.dispose();
      }, () => last);
      a.dispose();
      b.dispose();
    }
  }
  const refs = new Map(rows.filter((r) => r.implementation === 'lrlab cpu (reference)').map((r) => [r.case, r.figures.gflops as number]));
  for (const r of rows) r.figures.vsReference = (r.figures.gflops as number) / (refs.get(r.case) ?? NaN);
  return rows;
}

/**
 * The built-in model's smallest product, forward and backward (32x20 by 20x128 and its two gradient products),
 * through lrlab's op against one plain loop doing the same multiply-adds: the per-op overhead.
 */
export function smallShapeSuite(impls: LrlabImpl[], log: (s: string) => void, quick: boolean, ops: typeof import('../src/index.js')): Row[] {
  const rows: Row[] = [];
  const g = new Generator(3);
  const x = randn([32, 20], { generator: g }), w = randn([20, 128], { generator: g, requiresGrad: true }), gy = randn([32, 128], { generator: g });
  const budget = { maxTime: quick ? 0.3 : 1 };
  const plain = time('plain loop', () => {
    const y = new Float32Array(32 * 128), dw = new Float32Array(20 * 128), dx = new Float32Array(32 * 20);
    const X = x.data, W = w.data, G = gy.data;
    for (let i = 0; i < 32; i++) for (let p = 0; p < 20; p++) { const a = X[i * 20 + p]; for (let j = 0; j < 128; j++) y[i * 128 + j] += a * W[p * 128 + j]; }
    for (let p = 0; p < 20; p++) for (let i = 0; i < 32; i++) { const a = X[i * 20 + p]; for (let j = 0; j < 128; j++) dw[p * 128 + j] += a * G[i * 128 + j]; }
    for (let i = 0; i < 32; i++) for (let p = 0; p < 20; p++) { let s = 0; for (let j = 0; j < 128; j++) s += G[i * 128 + j] * W[p * 128 + j]; dx[i * 20 + p] = s; }
  }, budget);
  rows.push({ suite: 'small', case: '32x20 @ 20x128 fwd+bwd', implementation: 'plain JS loop (same multiply-adds)', backend: '-', mode: '-', ...plain, figures: { vsPlainLoop: 1 } });
  log(`  small shape  plain loop                       ${(plain.ms * 1000).toFixed(1)} us`);
  for (const impl of impls.filter((i) => i.mode === '-' || i.mode === 'headlessgl')) {
    ops.useBackend('cpu');
    const run = () => {
      w.grad = null;
      ops.matmul(x, w).backward(gy);
    };
    const previous = ops.getBackend().name;
    ops.registerBackend(impl.backend);
    ops.useBackend(impl.backend.name);
    try {
      const t = time(impl.label, run, budget);
      rows.push({ suite: 'small', case: '32x20 @ 20x128 fwd+bwd', implementation: impl.label, backend: impl.backend.name, mode: impl.mode, ...t, figures: { vsPlainLoop: t.ms / plain.ms } });
      log(`  small shape  ${impl.label.padEnd(32)} ${(t.ms * 1000).toFixed(1)} us  (${(t.ms / plain.ms).toFixed(2)}x the plain loop)`);
    } finally {
      ops.useBackend(previous);
    }
  }
  return rows;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/**
 * The wasm backend on one thread and on two, product by product ([m, k, n]), in interleaved rounds (a round times a
 * batch of products of about 50 ms on each backend, the order alternating), so that a slow stretch of the shared
 * machine hits both, after at least 12 products on each (the two-thread backend times its first calls of a shape
 * both ways before it chooses): wall-clock GFLOPS of each (median over the rounds, and its range), and the median and range
 * over the rounds of two threads' time over one thread's. The two backends' products are checked to be the same
 * bits first (a split by column panels changes no sum).
 */
export function threadsSuite(shapes: [number, number, number][], rounds: number, log: (s: string) => void): Row[] {
  const backends = [createWasmBackend({ threads: 1, name: 'wasm-matmul-1' }), createWasmBackend({ threads: 2, name: 'wasm-matmul-2' })];
  const rows: Row[] = [];
  try {
    for (const [m, k, n] of shapes) {
      const g = new Generator(m + 7 * k + 13 * n);
      const A = randn([m, k], { generator: g }).data, B = randn([k, n], { generator: g }).data;
      const operands = backends.map((be) => {
        const [a, , out] = resident(be, A, A), b = be.allocate(B.length), c = out.length === m * n ? out : be.allocate(m * n);
        b.set(B);
        return { a, b, c };
      });
      const product = (i: number) => backends[i].matmul(operands[i].a, operands[i].b, operands[i].c, m, k, n, false, false);
      product(0);
      product(1);
      const at = operands[0].c.findIndex((x, i) => !Object.is(x, operands[1].c[i]));
      if (at >= 0) throw new Error(`matmul ${m}x${k}x${n}: two threads' product differs from one thread's at ${at}`);
      const reps = Math.max(1, Math.round(5e7 / (m * k * n)));
      const wall: number[][] = [[], []], cpu: number[] = [];
      for (let i = 0; i < 2; i++) for (let r = 0; r < Math.max(12, reps); r++) product(i);
      for (let round = 0; round < rounds; round++) {
        for (const i of round % 2 === 0 ? [0, 1] : [1, 0]) {
          const c0 = process.cpuUsage(), t0 = performance.now();
          for (let r = 0; r < reps; r++) product(i);
          wall[i].push((performance.now() - t0) / reps);
          if (i === 0) { const c = process.cpuUsage(c0); cpu.push((c.user + c.system) / 1000 / reps); }
        }
      }
      const gflops = (ms: number) => (2 * m * k * n) / (ms * 1e6);
      const ratios = wall[1].map((t, r) => t / wall[0][r]);
      const shape = `${m}x${k}x${n}`;
      for (const i of [0, 1]) {
        const ms = median(wall[i]);
        const figures: Record<string, number> = { gflops: gflops(ms), gflopsLow: gflops(Math.max(...wall[i])), gflopsHigh: gflops(Math.min(...wall[i])) };
        if (i === 0) figures.cpuGflops = gflops(median(cpu));
        else Object.assign(figures, { vsOneThread: median(ratios), vsOneThreadLow: Math.min(...ratios), vsOneThreadHigh: Math.max(...ratios) });
        rows.push({ suite: 'matmulThreads', case: shape, implementation: `lrlab wasm SIMD, ${i + 1} thread${i ? 's' : ''}`, backend: backends[i].name, mode: '-', ms, rme: 0, samples: rounds, figures });
      }
      const [f1, f2] = [rows[rows.length - 2].figures, rows[rows.length - 1].figures] as Record<string, number>[];
      log(`  ${shape.padEnd(16)} 1 thread ${f1.gflops.toFixed(1).padStart(6)} GFLOPS (${f1.gflopsLow.toFixed(1)}-${f1.gflopsHigh.toFixed(1)}; CPU time ${f1.cpuGflops.toFixed(1)})  2 threads ${f2.gflops.toFixed(1).padStart(6)} GFLOPS (${f2.gflopsLow.toFixed(1)}-${f2.gflopsHigh.toFixed(1)})  time 2/1 x${f2.vsOneThread.toFixed(2)} (x${f2.vsOneThreadLow.toFixed(2)}-x${f2.vsOneThreadHigh.toFixed(2)})`);
    }
  } finally {
    for (const be of backends) be.dispose();
  }
  return rows;
}

// Run alone: node --expose-gc --import tsx bench/matmul.ts [--sizes 64,128,...] [--rounds 15]: one thread against two,
// square products and the products of a 256-1024-1024-1 step at batch 256 (forward and both gradients)
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name: string) => { const i = process.argv.indexOf(name); return i >= 0 ? process.argv[i + 1] : undefined; };
  const sizes = (arg('--sizes') ?? '64,128,256,512,1024,2048').split(',').map(Number);
  const step: [number, number, number][] = arg('--sizes') === undefined ? [[256, 256, 1024], [256, 1024, 1024], [1024, 256, 1024], [1024, 256, 256], [256, 1024, 256]] : [];
  const info = machine();
  console.log(`matmul, wasm backend, one thread against two: ${info.cpu}, ${info.cores} cores, Node ${info.node}`);
  threadsSuite([...sizes.map((s) => [s, s, s] as [number, number, number]), ...step], Number(arg('--rounds') ?? 15), (s) => console.log(s));
}
