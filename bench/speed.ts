// Training speed against PyTorch on one thread: the built-in MLP's epoch (plain loop and fit), a 256-1024-1024-1
// step at batch 256, matmul, optimizer update throughput, and typed arrays created per step. PyTorch runs in
// bench/torch_peer.py on the inputs lrlab writes (same weights, same data), checks agreement, then times.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as lr from '../src/index.js';
import { freshWasm, use, resident, type LrlabImpl, type Row } from './common.js';
import { countTypedArrays } from '../test/helpers/allocations.js';
import { sgdFloor, type FloorStep } from './wasm-floor.js';

const { builtInData, builtInModel, Adam, AdamW, SGD, RMSprop, Adagrad, Adadelta, NAdam, RAdam, Adamax, fit, Generator, manualSeed, mseLoss, reuseBuffers, batches, Sequential, Linear, ReLU, Tensor } = lr;
const here = dirname(fileURLToPath(import.meta.url));

/** The Python with torch: LRLAB_PYTHON, else python3 on the PATH, else Debian's interpreter (python3-torch). */
export function findTorch(): { python: string; version: string } | { skip: string } {
  const candidates = [process.env.LRLAB_PYTHON, 'python3', '/usr/bin/python3'].filter((c): c is string => !!c);
  for (const python of candidates) {
    const r = spawnSync(python, ['-c', 'import torch, numpy; print(torch.__version__, numpy.__version__)'], { encoding: 'utf8' });
    if (r.status === 0) return { python, version: r.stdout.trim() };
  }
  return { skip: `no Python with torch and numpy found (tried ${candidates.join(', ')}; install python3-torch and libopenblas0-pthread, or set LRLAB_PYTHON)` };
}

/** Runs one case of bench/torch_peer.py on the given float32 files; returns its JSON. */
function runTorch(python: string, job: Record<string, unknown>, files: Record<string, Float32Array>): any {
  const dir = mkdtempSync(join(tmpdir(), 'lrlab-torch-'));
  try {
    for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)));
    writeFileSync(join(dir, 'job.json'), JSON.stringify(job));
    const r = spawnSync(python, [join(here, 'torch_peer.py'), dir], { encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' } });
    if (r.status !== 0) throw new Error(`torch peer failed: ${r.stderr.split('\n').slice(-3).join(' ')}`);
    return JSON.parse(r.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Median milliseconds per call over `rounds` rounds of `reps` calls (after one warm-up call), as the peer times:
 * CPU time of the process for one-thread runs (on a shared machine, what one core spent, whoever else runs),
 * wall-clock time for runs on two threads (whose CPU time would add both threads).
 */
function medianMs(fn: () => void, rounds: number, reps: number, clock: 'cpu' | 'wall' = 'cpu'): { ms: number; samples: number[] } {
  fn();
  const samples: number[] = [];
  const now = clock === 'cpu' ? () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; } : () => performance.now();
  for (let r = 0; r < rounds; r++) {
    const t0 = now();
    for (let i = 0; i < reps; i++) fn();
    samples.push((now() - t0) / reps);
  }
  const sorted = [...samples].sort((a, b) => a - b);
  return { ms: sorted[sorted.length >> 1], samples };
}

/** Runs `fn` over and over for `ms` milliseconds of wall-clock time (at least twice). */
function warmUp(fn: () => void, ms: number): void {
  const end = performance.now() + ms;
  let n = 0;
  while (n < 2 || performance.now() < end) {
    fn();
    n++;
  }
}

/** The plain training step fit runs: zeroGrad in place, forward, MSE, backward inside reuseBuffers, then step. */
function plainStep(model: lr.Module, opt: lr.Optimizer<{ lr: number }>, x: lr.Tensor, y: lr.Tensor): number {
  const v = reuseBuffers(() => {
    opt.zeroGrad({ setToNone: false });
    const l = mseLoss(model.forward(x), y);
    l.backward();
    return l.item();
  });
  opt.step();
  return v;
}

function paramFiles(model: lr.Module): { params: { file: string; shape: number[] }[]; files: Record<string, Float32Array> } {
  const files: Record<string, Float32Array> = {};
  const params = model.parameters().map((p, i) => {
    files[`p${i}.f32`] = p.data;
    return { file: `p${i}.f32`, shape: [...p.shape] };
  });
  return { params, files };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/**
 * The built-in MLP's epoch (1,149 windows, batch 32, Adam 1e-3) in a plain loop and through fit, and one
 * 256-1024-1024-1 step at batch 256, per lrlab CPU backend, beside PyTorch on one thread. Agreement first: the
 * first epoch (or step) in order from the same weights gives the same loss in lrlab and in torch (1e-4 relative).
 * The machine may be shared, so PyTorch and lrlab are timed in turns (PyTorch, then each lrlab backend, a few
 * times over) and each ratio is the median of the ratios of one turn.
 */
export function trainingVsTorch(impls: LrlabImpl[], torch: ReturnType<typeof findTorch>, log: (s: string) => void, quick: boolean): Row[] {
  const rows: Row[] = [];
  const backends = freshWasm(impls.filter((i) => i.mode === '-'));
  const cpuImpls = backends.impls;
  const rounds = quick ? 3 : 5, turns = quick ? 2 : 3;
  const d = builtInData();
  const n = d.train.x.shape[0];
  const peerNote = 'skip' in torch ? torch.skip : undefined;
  const peer = (job: Record<string, unknown>, files: Record<string, Float32Array>) => ('skip' in torch ? null : runTorch(torch.python, job, files));

  // --- the built-in MLP's epoch
  manualSeed(42);
  const initial = builtInModel();
  const { params, files } = paramFiles(initial);
  const fresh = () => {
    const m = builtInModel();
    m.parameters().forEach((p, i) => p.data.set(initial.parameters()[i].data));
    return m;
  };
  const firstEpochLoss = (impl: LrlabImpl) => use(impl, () => {
    const m = fresh();
    return fit(m, { x: d.train.x, y: d.train.y, optimizer: new Adam(m.parameters(), { lr: 1e-3 }), epochs: 1, shuffle: false, progress: false }).loss[0];
  });
  const reference = firstEpochLoss(cpuImpls[0]);
  for (const impl of cpuImpls) {
    const loss = firstEpochLoss(impl);
    if (!(Math.abs(loss - reference) <= 1e-4 * reference)) throw new Error(`MLP epoch: ${impl.label} first-epoch loss ${loss} disagrees with the reference ${reference}`);
  }
  const clockOf = (impl: LrlabImpl) => ((impl.backend as { threads?: number }).threads ?? 1) > 1 ? 'wall' : 'cpu';
  const runs = cpuImpls.map((impl) => use(impl, () => {
    const m = fresh(), opt = new Adam(m.parameters(), { lr: 1e-3 }), g = new Generator(7);
    const mf = fresh(), optf = new Adam(mf.parameters(), { lr: 1e-3 }), gf = new Generator(7);
    const reps = impl.label.startsWith('lrlab cpu') ? 1 : quick ? 3 : 10;
    return {
      impl, plain: [] as number[], fit: [] as number[],
      timePlain: () => medianMs(() => { for (const b of batches({ x: d.train.x, y: d.train.y }, { batchSize: 32, generator: g })) plainStep(m, opt, b.x, b.y); }, rounds, reps, clockOf(impl)).ms,
      timeFit: () => medianMs(() => void fit(mf, { x: d.train.x, y: d.train.y, optimizer: optf, epochs: 1, generator: gf, progress: false }), rounds, reps, clockOf(impl)).ms,
    };
  }));
  // Warm-up before any timing: V8 compiles the hot paths in the background for thousands of steps, and a one-thread
  // row's CPU time counts those compiler threads too (the first timed turn ran up to 2x slow without this).
  for (const run of runs) use(run.impl, () => warmUp(() => { run.timePlain(); run.timeFit(); }, quick ? 1500 : 4000));
  const torchEpoch: number[] = [];
  let torchVersion = '';
  for (let turn = 0; turn < turns; turn++) {
    const r = peer({ case: 'training', check: turn === 0, params, x: [n, 20], y: [n, 1], lr: 1e-3, batchSize: 32, rounds, reps: quick ? 3 : 10 }, { ...files, 'x.f32': d.train.x.data, 'y.f32': d.train.y.data });
    if (r !== null) {
      if (turn === 0 && !(Math.abs(r.checkLoss - reference) <= 1e-4 * reference)) throw new Error(`MLP epoch: torch's first-epoch loss ${r.checkLoss} disagrees with lrlab's ${reference}`);
      if (turn === 0) log(`  MLP epoch    agreement: first-epoch loss from the same weights, PyTorch ${r.checkLoss.toFixed(6)}, lrlab ${reference.toFixed(6)}`);
      torchEpoch.push(r.ms);
      torchVersion = r.torch;
    }
    for (const run of runs) {
      use(run.impl, () => {
        run.plain.push(run.timePlain());
        run.fit.push(run.timeFit());
      });
    }
  }
  if (torchEpoch.length > 0) {
    rows.push({ suite: 'vsTorch', case: 'MLP epoch', implementation: `PyTorch ${torchVersion} (1 thread)`, backend: 'torch', mode: '-', ms: median(torchEpoch), rme: 0, samples: torchEpoch.length, figures: { plainMs: median(torchEpoch), fitMs: NaN, vsTorchPlain: 1, vsTorchFit: NaN } });
    log(`  MLP epoch    ${`PyTorch ${torchVersion}, 1 thread`.padEnd(32)} ${median(torchEpoch).toFixed(1).padStart(6)} ms`);
  }
  for (const run of runs) {
    const ratio = (xs: number[]) => (torchEpoch.length > 0 ? median(xs.map((x, i) => x / torchEpoch[i])) : NaN);
    const plain = median(run.plain), viaFit = median(run.fit);
    rows.push({ suite: 'vsTorch', case: 'MLP epoch', implementation: run.impl.label, backend: run.impl.backend.name, mode: run.impl.mode, ms: plain, rme: 0, samples: run.plain.length, figures: { plainMs: plain, fitMs: viaFit, vsTorchPlain: ratio(run.plain), vsTorchFit: ratio(run.fit) }, note: peerNote });
    log(`  MLP epoch    ${run.impl.label.padEnd(32)} plain ${plain.toFixed(1).padStart(6)} ms, fit ${viaFit.toFixed(1).padStart(6)} ms  (x${ratio(run.plain).toFixed(2)} / x${ratio(run.fit).toFixed(2)} PyTorch)`);
  }

  // --- a 256-1024-1024-1 step at batch 256
  const makeBig = () => {
    const g = new Generator(5);
    return new Sequential(new Linear(256, 1024, { generator: g }), new ReLU(), new Linear(1024, 1024, { generator: g }), new ReLU(), new Linear(1024, 1, { generator: g }));
  };
  const big = makeBig();
  const g = new Generator(6);
  const X = lr.randn([256, 256], { generator: g }), Y = lr.randn([256, 1], { generator: g });
  const bigFiles = paramFiles(big);
  const bigRuns = cpuImpls.filter((i) => !i.label.startsWith('lrlab cpu')).map((impl) => use(impl, () => {
    const m = makeBig(), opt = new Adam(m.parameters(), { lr: 1e-3 });
    const first = plainStep(m, opt, X, Y);
    return { impl, m, opt, first, times: [] as number[], time: () => medianMs(() => void plainStep(m, opt, X, Y), rounds, quick ? 2 : 3, clockOf(impl)).ms };
  }));
  for (const run of bigRuns) use(run.impl, () => warmUp(() => void plainStep(run.m, run.opt, X, Y), quick ? 1000 : 3000));
  const torchBig: number[] = [];
  for (let turn = 0; turn < turns; turn++) {
    const r = peer({ case: 'training', check: turn === 0, params: bigFiles.params, x: [256, 256], y: [256, 1], lr: 1e-3, batchSize: 256, rounds, reps: quick ? 2 : 3 }, { ...bigFiles.files, 'x.f32': X.data, 'y.f32': Y.data });
    if (r !== null) {
      if (turn === 0) {
        for (const run of bigRuns) if (!(Math.abs(run.first - r.checkLoss) <= 1e-4 * Math.abs(r.checkLoss))) throw new Error(`big step: ${run.impl.label} first loss ${run.first} disagrees with torch's ${r.checkLoss}`);
        log(`  big step     agreement: first loss from the same weights, PyTorch ${r.checkLoss.toFixed(6)}, lrlab ${bigRuns[0]?.first.toFixed(6)}`);
      }
      torchBig.push(r.ms);
    }
    for (const run of bigRuns) use(run.impl, () => run.times.push(run.time()));
  }
  if (torchBig.length > 0) {
    rows.push({ suite: 'vsTorch', case: '256-1024-1024-1 step', implementation: `PyTorch ${torchVersion} (1 thread)`, backend: 'torch', mode: '-', ms: median(torchBig), rme: 0, samples: torchBig.length, figures: { plainMs: median(torchBig), fitMs: NaN, vsTorchPlain: 1, vsTorchFit: NaN } });
    log(`  big step     ${`PyTorch ${torchVersion}, 1 thread`.padEnd(32)} ${median(torchBig).toFixed(1).padStart(6)} ms`);
  }
  for (const run of bigRuns) {
    const ratio = torchBig.length > 0 ? median(run.times.map((x, i) => x / torchBig[i])) : NaN;
    rows.push({ suite: 'vsTorch', case: '256-1024-1024-1 step', implementation: run.impl.label, backend: run.impl.backend.name, mode: run.impl.mode, ms: median(run.times), rme: 0, samples: run.times.length, figures: { plainMs: median(run.times), fitMs: NaN, vsTorchPlain: ratio, vsTorchFit: NaN }, note: peerNote });
    log(`  big step     ${run.impl.label.padEnd(32)} ${median(run.times).toFixed(1).padStart(6)} ms  (x${ratio.toFixed(2)} PyTorch)`);
  }
  backends.dispose();
  return rows;
}

/**
 * One-thread matmul GFLOPS on the same clock as the peer (CPU time, so other work on a shared machine does not
 * count): lrlab's wasm backend on one thread and PyTorch on one thread, as rows of the matmul table. lrlab's
 * product is checked against the reference first (the wasm rows of the matmul suite did it on the same inputs),
 * torch's on a 64 x 64 product.
 */
export function torchMatmulRows(impls: LrlabImpl[], torch: ReturnType<typeof findTorch>, sizes: number[], log: (s: string) => void, quick: boolean): Row[] {
  const rows: Row[] = [];
  const one = impls.find((i) => i.mode === '-' && (i.backend as { threads?: number }).threads === 1);
  if (one !== undefined) {
    for (const n of sizes) {
      const g = new Generator(n);
      const [A, B, C] = resident(one.backend, lr.randn([n, n], { generator: g }).data, lr.randn([n, n], { generator: g }).data);
      // rounds of about 20 ms (of a billion flops), and 9 single products at the large sizes, so that a slow stretch
      // of a shared machine is outvoted
      const reps = Math.max(1, Math.round(1e9 / (2 * n ** 3)));
      const t = medianMs(() => one.backend.matmul(A, B, C, n, n, n, false, false), quick ? 3 : reps === 1 ? 9 : 7, reps, 'cpu');
      const gflops = (2 * n ** 3) / (t.ms * 1e6);
      rows.push({ suite: 'matmul', case: `${n}`, implementation: `${one.label} (CPU time)`, backend: one.backend.name, mode: '-', ms: t.ms, rme: 0, samples: t.samples.length, figures: { gflops } });
      log(`  matmul ${String(n).padStart(4)}  ${`${one.label} (CPU time)`.padEnd(30)} ${gflops.toFixed(2).padStart(7)} GFLOPS`);
    }
  }
  if ('skip' in torch) return rows;
  const g = new Generator(64);
  const A = lr.randn([64, 64], { generator: g }).data, B = lr.randn([64, 64], { generator: g }).data;
  const ref = new Float32Array(64 * 64);
  lr.cpuBackend.matmul(A, B, ref, 64, 64, 64, false, false);
  const r = runTorch(torch.python, { case: 'matmul', check: 64, sizes, rounds: quick ? 3 : 5 }, { 'a.f32': A, 'b.f32': B });
  let err = 0;
  for (let i = 0; i < ref.length; i++) err = Math.max(err, Math.abs(ref[i] - r.checkProduct[i]));
  if (!(err < 1e-4)) throw new Error(`matmul: torch's 64 x 64 product disagrees with lrlab's reference (max abs error ${err})`);
  for (const s of r.sizes as { n: number; gflops: number }[]) {
    log(`  matmul ${String(s.n).padStart(4)}  ${`PyTorch ${r.torch} (1 thread, CPU time)`.padEnd(30)} ${s.gflops.toFixed(2).padStart(7)} GFLOPS`);
    rows.push({ suite: 'matmul', case: `${s.n}`, implementation: `PyTorch ${r.torch} (1 thread, CPU time)`, backend: 'torch', mode: '-', ms: (2 * s.n ** 3) / (s.gflops * 1e6), rme: 0, samples: 1, figures: { gflops: s.gflops, maxAbsError: err } });
  }
  return rows;
}

/** The optimizer rows: lrlab's optimizer, and PyTorch's class and options for the same rule (none: lrlab only). */
const OPTIMIZERS: Record<string, { make: (p: lr.Tensor[]) => lr.Optimizer<{ lr: number }>; torch?: [string, Record<string, unknown>] }> = {
  Adam: { make: (p) => new Adam(p, { lr: 1e-3 }), torch: ['Adam', { lr: 1e-3 }] },
  AdamW: { make: (p) => new AdamW(p, { lr: 1e-3 }), torch: ['AdamW', { lr: 1e-3 }] },
  SGD: { make: (p) => new SGD(p, { lr: 1e-3, momentum: 0.9 }), torch: ['SGD', { lr: 1e-3, momentum: 0.9 }] },
  'SGD no momentum': { make: (p) => new SGD(p, { lr: 1e-3 }), torch: ['SGD', { lr: 1e-3 }] },
  RMSprop: { make: (p) => new RMSprop(p, { lr: 1e-2 }), torch: ['RMSprop', { lr: 1e-2 }] },
  Adagrad: { make: (p) => new Adagrad(p, { lr: 1e-2 }), torch: ['Adagrad', { lr: 1e-2 }] },
  Adadelta: { make: (p) => new Adadelta(p, { lr: 1 }), torch: ['Adadelta', { lr: 1 }] },
  NAdam: { make: (p) => new NAdam(p, { lr: 2e-3 }) },
  RAdam: { make: (p) => new RAdam(p, { lr: 1e-3 }) },
  Adamax: { make: (p) => new Adamax(p, { lr: 2e-3 }) },
};

/** Steps after which every backend's parameters must equal the cpu loop's bit for bit: RAdam's rectified step starts at 6. */
const AGREEMENT_STEPS = 6;
/** Values of PyTorch's first step compared with lrlab's (relative error below 1e-5: torch fuses some multiply-adds). */
const TORCH_CHECK = 4096;

/** Milliseconds per call over `rounds` rounds of `reps` calls, by CPU time of the process and by the wall clock, read around each round. */
function clocked(fn: () => void, rounds: number, reps: number): { cpu: number[]; wall: number[] } {
  const cpu: number[] = [], wall: number[] = [];
  const cpuNow = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
  for (let r = 0; r < rounds; r++) {
    const c = cpuNow(), w = performance.now();
    for (let i = 0; i < reps; i++) fn();
    cpu.push((cpuNow() - c) / reps);
    wall.push((performance.now() - w) / reps);
  }
  return { cpu, wall };
}

/**
 * Parameters updated per second by each optimizer's step on one 2^20-element parameter, per lrlab CPU backend
 * (the wasm one on one thread and on two), beside PyTorch on one thread, its single-tensor and foreach paths both.
 * Same data and initial state on every side (lrlab's parameter and gradient, written for the peer). Before timing,
 * each backend's parameter after a few steps must equal the cpu loop's bit for bit, and its first step PyTorch's
 * first (4,096 values, relative error below 1e-5). The machine may be shared, so the sides are timed in turns:
 * each turn runs PyTorch (every optimizer, both paths, `rounds` rounds each) and then lrlab, an optimizer's
 * backends taking `rounds` rounds in alternation, with CPU and wall time read around every round. A one-thread
 * row's ratio is lrlab's parameters per CPU second over PyTorch's faster path's in the same turn (medians of the
 * turn's rounds); the two-thread row compares wall time (its CPU time adds both threads). Printed: the median
 * ratio over the turns and its range.
 */
export function optimizerSuite(impls: LrlabImpl[], torch: ReturnType<typeof findTorch>, log: (s: string) => void, quick: boolean, only?: string[]): Row[] {
  const size = 1 << 20;
  const g = new Generator(8);
  const θ0 = lr.randn([size], { generator: g }).data.slice(), grad0 = lr.randn([size], { generator: g }).data.slice();
  const rows: Row[] = [];
  const rounds = quick ? 3 : 5, reps = quick ? 5 : 10, turns = quick ? 2 : 5;
  const names = Object.keys(OPTIMIZERS).filter((name) => only === undefined || only.includes(name));
  const compared = names.filter((name) => OPTIMIZERS[name].torch !== undefined);
  const peerJob = (warmUp: number) => ({
    case: 'optimizers', size, rounds, reps, warmUp, check: TORCH_CHECK,
    optimizers: Object.fromEntries(compared.map((name) => [name, OPTIMIZERS[name].torch![1]])),
    classes: Object.fromEntries(compared.map((name) => [name, OPTIMIZERS[name].torch![0]])),
  });
  const peer = (warmUp: number) => ('skip' in torch || compared.length === 0 ? null : runTorch(torch.python, peerJob(warmUp), { 'theta.f32': θ0, 'grad.f32': grad0 }));
  const fresh = freshWasm(impls.filter((i) => i.mode === '-'));
  // the cpu loop's parameters after AGREEMENT_STEPS steps, as bits, per optimizer
  const cpu: LrlabImpl = { label: 'lrlab cpu (reference)', backend: lr.cpuBackend, mode: '-' };
  const start = (name: string) => {
    const p = lr.tensor(θ0, { requiresGrad: true });
    p.grad = lr.tensor(grad0);
    return { p, opt: OPTIMIZERS[name].make([p]) };
  };
  const references = new Map(names.map((name) => [name, use(cpu, () => {
    const { p, opt } = start(name);
    for (let s = 0; s < AGREEMENT_STEPS; s++) opt.step();
    return new Uint32Array(p.data.slice().buffer);
  })]));
  // the first turn's peer also gives PyTorch's first steps, checked against every backend's before any timing
  const first = peer(quick ? 0.2 : 0.5);
  const runs = names.flatMap((name) => fresh.impls.map((impl) => use(impl, () => {
    const { p, opt } = start(name);
    opt.step();
    const theirs = first?.rows.find((r: any) => r.name === name && !r.foreach)?.firstStep as number[] | undefined;
    if (theirs !== undefined) {
      let err = 0;
      for (let i = 0; i < theirs.length; i++) err = Math.max(err, Math.abs(p.data[i] - theirs[i]) / Math.max(1e-6, Math.abs(theirs[i])));
      if (!(err < 1e-5)) throw new Error(`optimizer ${name}: ${impl.label}'s first step disagrees with torch's (relative error ${err})`);
    }
    for (let s = 1; s < AGREEMENT_STEPS; s++) opt.step();
    const bits = new Uint32Array(p.data.slice().buffer), reference = references.get(name)!;
    const at = bits.findIndex((b, i) => b !== reference[i]);
    if (at >= 0) throw new Error(`optimizer ${name}: ${impl.label} after ${AGREEMENT_STEPS} steps differs from the cpu loop at index ${at}: ${p.data[at]} vs ${new Float32Array(reference.buffer)[at]}`);
    const two = ((impl.backend as { threads?: number }).threads ?? 1) > 1;
    // half a second of steps first, as on PyTorch's side
    warmUp(() => void opt.step(), quick ? 200 : 500);
    return { impl, name, two, step: () => void opt.step(), reps: impl.label.startsWith('lrlab cpu') ? 1 : reps, turns: [] as { cpu: number; wall: number }[] };
  })));
  if (first !== null) log(`  optimizer    agreement: every backend's first step equals PyTorch's to 1e-5 (first ${TORCH_CHECK} values), and the cpu loop's bits after ${AGREEMENT_STEPS} steps`);
  // SGD's bound in WebAssembly SIMD (bench/wasm-floor.ts): the plainest float32 loop, with no check, timed in the same rounds
  const floors = new Map<string, FloorStep & { turns: number[] }>();
  for (const [name, μ] of [['SGD', 0.9], ['SGD no momentum', 0]] as const) {
    if (!names.includes(name)) continue;
    const floor = sgdFloor(θ0, grad0, 1e-3, μ);
    if ('skip' in floor) {
      log(`  optimizer    ${name}: wasm SIMD bound skipped: ${floor.skip}`);
      continue;
    }
    warmUp(floor.step, quick ? 200 : 500);
    floors.set(name, { ...floor, turns: [] });
  }
  const torchTurns: any[] = [];
  for (let turn = 0; turn < turns; turn++) {
    const r = turn === 0 ? first : peer(quick ? 0.2 : 0.3);
    if (r !== null) torchTurns.push(r);
    // one optimizer's backends take their rounds in alternation, so that each sees the machine as the others do
    for (const name of names) {
      const mine = runs.filter((run) => run.name === name);
      const times = mine.map(() => ({ cpu: [] as number[], wall: [] as number[] }));
      const floor = floors.get(name), floorCpu: number[] = [];
      for (let round = 0; round < rounds; round++) {
        mine.forEach((run, i) => use(run.impl, () => {
          const t = clocked(run.step, 1, run.reps);
          times[i].cpu.push(t.cpu[0]);
          times[i].wall.push(t.wall[0]);
        }));
        if (floor !== undefined) floorCpu.push(clocked(floor.step, 1, reps).cpu[0]);
      }
      mine.forEach((run, i) => run.turns.push({ cpu: median(times[i].cpu), wall: median(times[i].wall) }));
      if (floor !== undefined) floor.turns.push(median(floorCpu));
    }
  }
  const version = torchTurns[0]?.torch ?? '';
  const mps = (ms: number) => size / ms / 1000;
  const spread = (xs: number[]) => `${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)}`;
  for (const name of names) {
    // PyTorch's paths: per turn, the median CPU and wall ms of its rounds; the faster path by median CPU time over the turns
    const paths = [false, true].map((foreach) => {
      const per = torchTurns.map((t) => t.rows.find((r: any) => r.name === name && r.foreach === foreach)).filter((r) => r !== undefined);
      return { foreach, cpu: per.map((r: any) => median(r.cpuMs)), wall: per.map((r: any) => median(r.wallMs)) };
    }).filter((x) => x.cpu.length > 0);
    const best = paths.length === 0 ? undefined : paths.reduce((a, b) => (median(b.cpu) < median(a.cpu) ? b : a));
    for (const path of paths) {
      const label = `PyTorch ${version} (1 thread, ${path.foreach ? 'foreach' : 'single-tensor'})`;
      rows.push({ suite: 'optim', case: name, implementation: label, backend: 'torch', mode: '-', ms: median(path.cpu), rme: 0, samples: path.cpu.length, figures: { paramsPerSecond: mps(median(path.cpu)), wallParamsPerSecond: mps(median(path.wall)), faster: path === best ? 1 : 0 } });
      log(`  optimizer    ${name.padEnd(17)} ${label.padEnd(44)} ${mps(median(path.cpu)).toFixed(0).padStart(6)} M params/s (CPU), ${mps(median(path.wall)).toFixed(0).padStart(6)} wall${path === best ? '  <- faster path, the one compared' : ''}`);
    }
    for (const run of runs.filter((r) => r.name === name)) {
      const clock = run.two ? 'wall' : 'cpu';
      const ms = median(run.turns.map((t) => t[clock]));
      const ratios = best === undefined ? [] : run.turns.map((t, i) => (run.two ? best.wall[i] : best.cpu[i]) / t[clock]).filter((x) => Number.isFinite(x));
      const vsTorch = ratios.length > 0 ? median(ratios) : NaN;
      rows.push({ suite: 'optim', case: name, implementation: run.impl.label, backend: run.impl.backend.name, mode: run.impl.mode, ms, rme: 0, samples: run.turns.length, figures: { paramsPerSecond: mps(ms), cpuParamsPerSecond: mps(median(run.turns.map((t) => t.cpu))), wallParamsPerSecond: mps(median(run.turns.map((t) => t.wall))), vsTorch, vsTorchLow: ratios.length > 0 ? Math.min(...ratios) : NaN, vsTorchHigh: ratios.length > 0 ? Math.max(...ratios) : NaN }, note: best === undefined ? undefined : `vs PyTorch ${best.foreach ? 'foreach' : 'single-tensor'} (${run.two ? 'wall' : 'CPU'} time)` });
      const vs = ratios.length > 0 ? `  x${vsTorch.toFixed(2)} PyTorch ${best!.foreach ? 'foreach' : 'single-tensor'} (${spread(ratios)} over ${ratios.length} turns)` : '';
      log(`  optimizer    ${name.padEnd(17)} ${`${run.impl.label} (${run.two ? 'wall' : 'CPU'})`.padEnd(44)} ${mps(ms).toFixed(0).padStart(6)} M params/s (CPU ${mps(median(run.turns.map((t) => t.cpu))).toFixed(0)}, wall ${mps(median(run.turns.map((t) => t.wall))).toFixed(0)})${vs}`);
    }
    const floor = floors.get(name);
    if (floor !== undefined) {
      const label = 'wasm SIMD bound: float32 loop, no checks', ms = median(floor.turns);
      const ratios = best === undefined ? [] : floor.turns.map((t, i) => best.cpu[i] / t).filter((x) => Number.isFinite(x));
      const vsTorch = ratios.length > 0 ? median(ratios) : NaN;
      rows.push({ suite: 'optim', case: name, implementation: label, backend: 'wasm-bound', mode: '-', ms, rme: 0, samples: floor.turns.length, figures: { paramsPerSecond: mps(ms), vsTorch, vsTorchLow: ratios.length > 0 ? Math.min(...ratios) : NaN, vsTorchHigh: ratios.length > 0 ? Math.max(...ratios) : NaN }, note: 'not lrlab\'s rule: the fastest a wasm SIMD loop updates here (bench/wasm-floor.ts)' });
      const vs = ratios.length > 0 ? `  x${vsTorch.toFixed(2)} PyTorch ${best!.foreach ? 'foreach' : 'single-tensor'} (${spread(ratios)} over ${ratios.length} turns)` : '';
      log(`  optimizer    ${name.padEnd(17)} ${`${label} (CPU)`.padEnd(44)} ${mps(ms).toFixed(0).padStart(6)} M params/s${vs}`);
    }
  }
  fresh.dispose();
  return rows;
}

/**
 * Typed arrays and typed-array views created per training step after the first, through a plain loop and through
 * fit, per backend: every typed-array constructor and every subarray/slice/map/filter is counted.
 */
export function allocationSuite(impls: LrlabImpl[], log: (s: string) => void): Row[] {
  const d = builtInData();
  const rows: Row[] = [];
  const count = countTypedArrays;
  for (const impl of impls.filter((i) => i.mode === '-' || i.mode === 'headlessgl')) {
    use(impl, () => {
      manualSeed(1);
      const model = builtInModel(), opt = new Adam(model.parameters());
      const x = new Tensor(d.train.x.data.slice(0, 32 * 20), [32, 20]), y = new Tensor(d.train.y.data.slice(0, 32), [32, 1]);
      for (let i = 0; i < 3; i++) plainStep(model, opt, x, y);
      const plain = count(() => { for (let i = 0; i < 20; i++) plainStep(model, opt, x, y); }) / 20;
      // fit: the difference between a 3-epoch and a 1-epoch call, per step (what a call costs once is not per step)
      const run = (epochs: number) => count(() => void fit(model, { x: d.train.x, y: d.train.y, optimizer: opt, epochs, generator: new Generator(1), progress: false, shuffle: false }));
      run(1);
      const steps = 2 * Math.ceil(d.train.x.shape[0] / 32);
      const perStep = (run(3) - run(1)) / steps;
      rows.push({ suite: 'alloc', case: 'typed arrays per step', implementation: impl.label, backend: impl.backend.name, mode: impl.mode, ms: 0, rme: 0, samples: 1, figures: { plainLoop: plain, fit: perStep } });
      log(`  allocations  ${impl.label.padEnd(32)} plain loop ${plain.toFixed(2)}, fit ${perStep.toFixed(2)} typed arrays or views per step`);
    });
  }
  return rows;
}
