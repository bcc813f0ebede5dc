// Two threads against one on lrlab's wasm backend, workload by workload: the built-in MLP's epoch through fit, a
// 256-1024-1024-1 training step at batch 256, the Fashion-MNIST CNN's training step (plain loop) and its inference at
// batch 64, and an LSTM 1x64 forecaster's epoch. The two backends run in interleaved rounds (the order alternating),
// so that a slow stretch of the shared machine hits both; each workload gives the median wall time of each backend,
// its range, and the median and range over the rounds of the two-thread time over the one-thread time.
// Run alone: node --expose-gc --import tsx bench/threads.ts [--rounds 7] [--only mlp,big,cnn,predict,lstm]
import { fileURLToPath } from 'node:url';
import * as lr from '../src/index.js';
import { machine, type Row } from './common.js';

const { builtInData, builtInModel, LSTMForecaster, Adam, fit, Generator, manualSeed, mseLoss, crossEntropy, reuseBuffers, Sequential, Linear, ReLU, randn, fashionMnistCnn, predict, createWasmBackend } = lr;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

interface Workload {
  key: string;
  label: string;
  /** Builds the workload's state on the active backend; returns one timed unit (which may run several steps). */
  make: () => () => void;
}

const data = builtInData();
const WORKLOADS: Workload[] = [
  { key: 'mlp', label: 'built-in MLP epoch (fit, batch 32, Adam)', make: () => {
    manualSeed(42);
    const m = builtInModel(), optimizer = new Adam(m.parameters(), { lr: 1e-3 }), generator = new Generator(7);
    return () => void fit(m, { x: data.train.x, y: data.train.y, optimizer, epochs: 1, generator, progress: false });
  } },
  { key: 'big', label: '256-1024-1024-1 step, batch 256 (x5)', make: () => {
    const g = new Generator(5);
    const m = new Sequential(new Linear(256, 1024, { generator: g }), new ReLU(), new Linear(1024, 1024, { generator: g }), new ReLU(), new Linear(1024, 1, { generator: g }));
    const opt = new Adam(m.parameters(), { lr: 1e-3 }), x = randn([256, 256], { generator: g }), y = randn([256, 1], { generator: g });
    return () => {
      for (let i = 0; i < 5; i++) {
        reuseBuffers(() => {
          opt.zeroGrad({ setToNone: false });
          mseLoss(m.forward(x), y).backward();
        });
        opt.step();
      }
    };
  } },
  { key: 'cnn', label: 'Fashion-MNIST CNN train step, batch 64, plain loop (x4)', make: () => {
    manualSeed(0);
    const m = fashionMnistCnn(), opt = new Adam(m.parameters(), { lr: 1e-3 }), g = new Generator(3);
    const x = randn([64, 1, 28, 28], { generator: g }), y = Array.from({ length: 64 }, (_, i) => (i * 7) % 10);
    return () => {
      for (let i = 0; i < 4; i++) {
        opt.zeroGrad();
        crossEntropy(m.forward(x), y).backward();
        opt.step();
      }
    };
  } },
  { key: 'predict', label: 'Fashion-MNIST CNN inference, 640 images in batches of 64', make: () => {
    manualSeed(0);
    const m = fashionMnistCnn(), x = randn([640, 1, 28, 28], { generator: new Generator(4) });
    return () => void predict(m, x, { batchSize: 64 });
  } },
  { key: 'lstm', label: 'LSTM 1x64 forecaster epoch (fit, batch 32, Adam)', make: () => {
    const model = new LSTMForecaster(1, 64, 1, 0, 1, { generator: new Generator(42) });
    const optimizer = new Adam(model.parameters(), { lr: 1e-3 }), generator = new Generator(7);
    return () => void fit(model, { x: data.train.x, y: data.train.y, optimizer, epochs: 1, batchSize: 32, generator, progress: false });
  } },
];

/** Runs `fn` with backend `name` active. */
function on<T>(name: string, fn: () => T): T {
  const previous = lr.getBackend().name;
  lr.useBackend(name);
  try {
    return fn();
  } finally {
    lr.useBackend(previous);
  }
}

/** Each chosen workload on one thread and on two, in `rounds` interleaved rounds after three warm-up units each. */
export function threadsTrainingSuite(keys: string[], rounds: number, log: (s: string) => void): Row[] {
  const backends = [createWasmBackend({ threads: 1, name: 'wasm-threads-1' }), createWasmBackend({ threads: 2, name: 'wasm-threads-2' })];
  for (const b of backends) lr.registerBackend(b);
  const rows: Row[] = [];
  try {
    for (const w of WORKLOADS.filter((x) => keys.includes(x.key))) {
      const units = backends.map((b) => on(b.name, w.make));
      for (let i = 0; i < 3; i++) for (const b of [0, 1]) on(backends[b].name, units[b]);
      const wall: number[][] = [[], []], cpu: number[][] = [[], []];
      for (let round = 0; round < rounds; round++) {
        for (const b of round % 2 === 0 ? [0, 1] : [1, 0]) {
          const c0 = process.cpuUsage(), t0 = performance.now();
          on(backends[b].name, units[b]);
          const c = process.cpuUsage(c0);
          wall[b].push(performance.now() - t0);
          cpu[b].push((c.user + c.system) / 1000);
        }
      }
      const ratios = wall[1].map((t, r) => t / wall[0][r]);
      for (const b of [0, 1]) {
        const figures: Record<string, number> = { cpuMs: median(cpu[b]), low: Math.min(...wall[b]), high: Math.max(...wall[b]) };
        if (b === 1) Object.assign(figures, { vsOneThread: median(ratios), vsOneThreadLow: Math.min(...ratios), vsOneThreadHigh: Math.max(...ratios) });
        rows.push({ suite: 'threads', case: w.label, implementation: `lrlab wasm SIMD, ${b + 1} thread${b ? 's' : ''}`, backend: backends[b].name, mode: '-', ms: median(wall[b]), rme: 0, samples: rounds, figures });
      }
      const f = rows[rows.length - 1].figures as Record<string, number>;
      log(`  ${w.label.padEnd(58)} 1 thread ${median(wall[0]).toFixed(1).padStart(7)} ms (${Math.min(...wall[0]).toFixed(1)}-${Math.max(...wall[0]).toFixed(1)}, CPU ${median(cpu[0]).toFixed(1)})  2 threads ${median(wall[1]).toFixed(1).padStart(7)} ms (${Math.min(...wall[1]).toFixed(1)}-${Math.max(...wall[1]).toFixed(1)}, CPU ${median(cpu[1]).toFixed(1)})  2/1 x${f.vsOneThread.toFixed(2)} (x${f.vsOneThreadLow.toFixed(2)}-x${f.vsOneThreadHigh.toFixed(2)})`);
    }
  } finally {
    for (const b of backends) b.dispose();
  }
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name: string) => { const i = process.argv.indexOf(name); return i >= 0 ? process.argv[i + 1] : undefined; };
  const info = machine();
  console.log(`wasm backend, one thread against two: ${info.cpu}, ${info.cores} cores, Node ${info.node}`);
  threadsTrainingSuite((arg('--only') ?? WORKLOADS.map((w) => w.key).join(',')).split(','), Number(arg('--rounds') ?? 7), (s) => console.log(s));
}
