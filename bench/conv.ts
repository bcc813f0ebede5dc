// Convolutional networks side by side with PyTorch on one thread (issue 26): the 32/64 CNN's training step through
// `fit` and in a plain loop, the Fashion-MNIST CNN's step, a CNN with stride-2 convolutions' step, and the 32/64 CNN's
// forward at batch 256, on lrlab's wasm backend with one and with two threads. Each repetition times every lrlab row, then runs PyTorch's twin in a fresh
// process; the ratios are taken within a repetition, and the table gives their median and range.
// Run alone: npx tsx bench/conv.ts [repetitions]
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as lr from '../src/index.js';
import type { Row } from './common.js';

const { Sequential, Conv2d, ReLU, MaxPool2d, Flatten, Linear, Adam, fit, crossEntropy, noGrad, Tensor, Generator, manualSeed, randn, useBackend, registerBackend, createWasmBackend, fashionMnistCnn } = lr;

/** The 32/64 CNN of issue 26: conv(1,32,3)-pool-conv(32,64,3)-pool-fc128-fc10 on 28x28 images, no padding. */
const cnn3264 = () => new Sequential(
  new Conv2d(1, 32, 3), new ReLU(), new MaxPool2d(2), new Conv2d(32, 64, 3), new ReLU(), new MaxPool2d(2),
  new Flatten(), new Linear(64 * 5 * 5, 128), new ReLU(), new Linear(128, 10),
);

/** A CNN that downsamples with 3x3 stride-2 convolutions instead of pooling: 28x28 -> 14x14 -> 7x7. */
const cnnStrided = () => new Sequential(
  new Conv2d(1, 32, 3, { padding: 1 }), new ReLU(), new Conv2d(32, 64, 3, { stride: 2, padding: 1 }), new ReLU(),
  new Conv2d(64, 64, 3, { stride: 2, padding: 1 }), new ReLU(), new Flatten(), new Linear(64 * 7 * 7, 10),
);

// glibc's malloc would otherwise hand PyTorch's large step buffers back to the system after some steps and fault them
// in again on the next, which has tripled its time in some processes: the thresholds are raised for its CNN rows
export const TORCH_MALLOC_ENV = { MALLOC_MMAP_THRESHOLD_: String(1 << 30), MALLOC_TRIM_THRESHOLD_: String(2 ** 31) };

const TORCH_SCRIPT = `
import sys, time, json, torch, torch.nn as nn, torch.nn.functional as F
threads, steps, rounds = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
torch.set_num_threads(threads); torch.manual_seed(0)
def cnn3264(): return nn.Sequential(nn.Conv2d(1,32,3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32,64,3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1600,128), nn.ReLU(), nn.Linear(128,10))
def strided(): return nn.Sequential(nn.Conv2d(1,32,3,padding=1), nn.ReLU(), nn.Conv2d(32,64,3,stride=2,padding=1), nn.ReLU(), nn.Conv2d(64,64,3,stride=2,padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(3136,10))
def fashion(): return nn.Sequential(nn.Conv2d(1,16,3,padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16,32,3,padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1568,128), nn.ReLU(), nn.Linear(128,10))
x = torch.randn(steps * 64, 1, 28, 28); y = torch.randint(0, 10, (steps * 64,)); x256 = torch.randn(256, 1, 28, 28)
def trainer(make):
    m = make(); opt = torch.optim.Adam(m.parameters(), lr=1e-3)
    def run():
        for i in range(0, steps * 64, 64):
            opt.zero_grad(); F.cross_entropy(m(x[i:i+64]), y[i:i+64]).backward(); opt.step()
    return run, steps
def forward():
    m = cnn3264()
    def run():
        with torch.no_grad():
            for _ in range(steps): m(x256)
    return run, steps
out = {}
for name, (run, count) in [('cnnStep', trainer(cnn3264)), ('cnnLoop', trainer(cnn3264)), ('fashionStep', trainer(fashion)), ('stridedStep', trainer(strided)), ('cnnForward256', forward())]:
    run(); run()
    wall, cpu = [], []
    for _ in range(rounds):
        t, c = time.perf_counter(), time.process_time(); run()
        wall.append((time.perf_counter() - t) * 1000 / count); cpu.append((time.process_time() - c) * 1000 / count)
    wall.sort(); cpu.sort()
    out[name] = {'ms': wall[len(wall) // 2], 'cpuMs': cpu[len(cpu) // 2]}
print(json.dumps(out))
`;

type Workload = 'cnnStep' | 'cnnLoop' | 'fashionStep' | 'stridedStep' | 'cnnForward256';
const WORKLOADS: { key: Workload; label: string }[] = [
  { key: 'cnnStep', label: '32/64 CNN train step, batch 64, through fit' },
  { key: 'cnnLoop', label: '32/64 CNN train step, batch 64, plain loop' },
  { key: 'fashionStep', label: 'Fashion-MNIST CNN (16/32) train step, batch 64, fit' },
  { key: 'stridedStep', label: 'CNN with 3x3 stride-2 convs, train step, batch 64, fit' },
  { key: 'cnnForward256', label: '32/64 CNN forward, batch 256' },
];

function median(a: number[]): number {
  const s = [...a].sort((p, q) => p - q);
  return s[s.length >> 1];
}

/** Median wall and CPU ms per step of `run` (which runs `count` steps) over `rounds` rounds. */
function timeRounds(run: () => void, count: number, rounds: number): { ms: number; cpuMs: number } {
  run();
  run();
  const wall: number[] = [], cpu: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const c0 = process.cpuUsage(), t0 = performance.now();
    run();
    const c = process.cpuUsage(c0);
    wall.push((performance.now() - t0) / count);
    cpu.push((c.user + c.system) / 1000 / count);
  }
  return { ms: median(wall), cpuMs: median(cpu) };
}

function lrlabRows(backendName: string, steps: number, rounds: number): Record<Workload, { ms: number; cpuMs: number }> {
  const previous = lr.getBackend().name;
  useBackend(backendName);
  try {
    manualSeed(0);
    const g = new Generator(7);
    const x = randn([steps * 64, 1, 28, 28], { generator: g });
    const y = new Tensor(Float32Array.from({ length: steps * 64 }, (_, i) => (i * 7) % 10), [steps * 64]);
    const batches = Array.from({ length: steps }, (_, i) => ({
      x: new Tensor(x.data.slice(i * 64 * 784, (i + 1) * 64 * 784), [64, 1, 28, 28]),
      y: Array.from(y.data.subarray(i * 64, (i + 1) * 64)),
    }));
    const x256 = randn([256, 1, 28, 28], { generator: g });
    const viaFit = (make: () => lr.Module) => {
      const m = make(), optimizer = new Adam(m.parameters(), { lr: 1e-3 });
      return () => void fit(m, { x, y, optimizer, epochs: 1, batchSize: 64, shuffle: false, loss: (p, t) => crossEntropy(p, t), progress: false });
    };
    const plain = () => {
      const m = cnn3264(), opt = new Adam(m.parameters(), { lr: 1e-3 });
      return () => {
        for (const b of batches) {
          opt.zeroGrad();
          const loss = crossEntropy(m.forward(b.x), b.y);
          loss.backward();
          opt.step();
        }
      };
    };
    const m256 = cnn3264();
    const forward = () => noGrad(() => { for (let i = 0; i < steps; i++) m256.forward(x256); });
    return {
      cnnStep: timeRounds(viaFit(cnn3264), steps, rounds),
      cnnLoop: timeRounds(plain(), steps, rounds),
      fashionStep: timeRounds(viaFit(fashionMnistCnn), steps, rounds),
      stridedStep: timeRounds(viaFit(cnnStrided), steps, rounds),
      cnnForward256: timeRounds(forward, steps, rounds),
    };
  } finally {
    useBackend(previous);
  }
}

function torchRows(threads: number, steps: number, rounds: number): Record<Workload, { ms: number; cpuMs: number }> | string {
  const r = spawnSync('/usr/bin/python3', ['-c', TORCH_SCRIPT, String(threads), String(steps), String(rounds)], { encoding: 'utf8', env: { ...process.env, ...TORCH_MALLOC_ENV } });
  if (r.status !== 0) return (r.stderr || r.error?.message || 'python3 with torch not found').split('\n').filter(Boolean).pop() ?? 'failed';
  return JSON.parse(r.stdout);
}

/**
 * The CNN rows of issue 26: per repetition, lrlab wasm on 1 and 2 threads and PyTorch on 1 and 2 threads (glibc malloc
 * thresholds raised, see TORCH_MALLOC_ENV); ratios to PyTorch one thread within each repetition.
 */
export function convSuite(log: (s: string) => void, options: { repetitions?: number; steps?: number; rounds?: number } = {}): Row[] {
  const repetitions = options.repetitions ?? 3, steps = options.steps ?? 4, rounds = options.rounds ?? 5;
  const backends = ([['wasm-conv-1', 1], ['wasm-conv-2', 2]] as const).map(([name, threads]) => createWasmBackend({ threads, name }));
  for (const b of backends) registerBackend(b);
  try {
    return convRows(log, repetitions, steps, rounds);
  } finally {
    for (const b of backends) b.dispose();
  }
}

function convRows(log: (s: string) => void, repetitions: number, steps: number, rounds: number): Row[] {
  const setting = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores; ${repetitions} repetitions of ${rounds} rounds of ${steps} steps; PyTorch run with ${Object.entries(TORCH_MALLOC_ENV).map(([k, v]) => `${k}=${v}`).join(' ')}`;
  log(`  CNN rows: ${setting}`);
  // one-thread rows: CPU time of the process (what one core spent; steadier on a machine others share), as a ratio to
  // PyTorch's one-thread CPU time; two-thread rows: wall time, as a ratio to the same library's one-thread wall time
  const per: Record<string, { ms: number[]; cpuMs: number[]; ratio: number[] }> = {};
  const add = (key: string, t: { ms: number; cpuMs: number }, ratio: number) => {
    per[key] ??= { ms: [], cpuMs: [], ratio: [] };
    per[key].ms.push(t.ms);
    per[key].cpuMs.push(t.cpuMs);
    per[key].ratio.push(ratio);
  };
  for (let rep = 0; rep < repetitions; rep++) {
    const one = lrlabRows('wasm-conv-1', steps, rounds), two = lrlabRows('wasm-conv-2', steps, rounds);
    const t1 = torchRows(1, steps, rounds), t2 = torchRows(2, steps, rounds);
    if (typeof t1 === 'string' || typeof t2 === 'string') {
      log(`  CNN rows: PyTorch not run (${typeof t1 === 'string' ? t1 : t2})`);
      return [];
    }
    for (const { key } of WORKLOADS) {
      add(`${key}|lrlab wasm, 1 thread (CPU ms / PyTorch 1 thread CPU ms)`, one[key], one[key].cpuMs / t1[key].cpuMs);
      add(`${key}|PyTorch, 1 thread`, t1[key], 1);
      add(`${key}|lrlab wasm, 2 threads (wall / lrlab 1 thread wall)`, two[key], two[key].ms / one[key].ms);
      add(`${key}|PyTorch, 2 threads (wall / PyTorch 1 thread wall)`, t2[key], t2[key].ms / t1[key].ms);
    }
    log(`  repetition ${rep + 1} (CPU ms, lrlab 1 thread vs PyTorch 1 thread): ${WORKLOADS.map(({ key }) => `${key} ${one[key].cpuMs.toFixed(1)} vs ${t1[key].cpuMs.toFixed(1)}`).join(', ')}`);
  }
  const rows: Row[] = [];
  for (const { key, label } of WORKLOADS) {
    for (const k of Object.keys(per).filter((q) => q.startsWith(`${key}|`))) {
      const p = per[k], impl = k.slice(key.length + 1);
      const ms = median(p.ms), cpuMs = median(p.cpuMs), lo = Math.min(...p.ratio), hi = Math.max(...p.ratio), mid = median(p.ratio);
      rows.push({ suite: 'convSpeed', case: label, implementation: impl, backend: impl.startsWith('PyTorch') ? 'torch' : 'wasm', mode: '-', ms, rme: 0, samples: p.ms.length, figures: { cpuMs, ratio: mid, ratioLow: lo, ratioHigh: hi, setting } });
      log(`  ${label.padEnd(52)} ${impl.padEnd(58)} wall ${ms.toFixed(1).padStart(7)} ms  CPU ${cpuMs.toFixed(1).padStart(7)} ms  ratio ${mid.toFixed(2)} (${lo.toFixed(2)}-${hi.toFixed(2)})`);
    }
  }
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  convSuite(console.log, { repetitions: Number(process.argv[2] ?? 3) });
  process.exit(0);
}
