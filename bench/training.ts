import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as lr from '../src/index.js';
import { use, timeAsync, time, tfjs, type LrlabImpl, type Row } from './common.js';

const { builtInData, builtInModel, Adam, fit, Generator, manualSeed, rangeTest, runPipeline, writeReport, mseLoss } = lr;

/**
 * Seed 000's MLP (20-128-64-32-1, ReLU, Adam, batch 32, 1,149 windows): one epoch per cycle, per lrlab backend and
 * for tfjs-layers on TensorFlow.js's CPU and WASM backends. Each implementation's first-epoch loss is checked
 * first: lrlab's backends against the reference within 1e-3, tfjs (another initialization) within a factor of 2.
 */
export async function epochSuite(impls: LrlabImpl[], log: (s: string) => void, quick: boolean): Promise<Row[]> {
  const rows: Row[] = [];
  const d = builtInData();
  const n = d.train.x.shape[0];
  const oneEpoch = (seed: number, fusedGpuStep = true) => {
    manualSeed(seed);
    const model = builtInModel();
    const opt = new Adam(model.parameters(), { lr: 1e-3 });
    return () => fit(model, { x: d.train.x, y: d.train.y, optimizer: opt, epochs: 1, generator: new Generator(seed), progress: false, fusedGpuStep }).loss[0];
  };
  const referenceLoss = use(impls[0], () => oneEpoch(42)());
  const budget = quick ? 1 : 3;
  const variants = impls.filter((i) => i.mode === '-' || i.mode === 'headlessgl').flatMap((impl) =>
    impl.mode === 'headlessgl' ? [{ impl, fusedGpuStep: false, label: `${impl.label}, per-op autograd` }, { impl, fusedGpuStep: true, label: `${impl.label}, fused pipelined step` }] : [{ impl, fusedGpuStep: false, label: impl.label }]);
  for (const { impl, fusedGpuStep, label } of variants) {
    const loss = use(impl, () => oneEpoch(42, fusedGpuStep)());
    if (!(Math.abs(loss - referenceLoss) <= 1e-3 * referenceLoss)) throw new Error(`epoch: ${label} first-epoch loss ${loss} disagrees with the reference ${referenceLoss}`);
    const step = use(impl, () => oneEpoch(7, fusedGpuStep));
    const t = use(impl, () => time(label, () => void step(), { maxTime: budget, minSamples: 3 }));
    rows.push({ suite: 'epoch', case: 'built-in MLP epoch', implementation: label, backend: impl.backend.name, mode: impl.mode, ...t, figures: { examplesPerSecond: n / (t.ms / 1000), firstEpochLoss: loss } });
    log(`  MLP epoch    ${label.padEnd(32)} ${t.ms.toFixed(0).padStart(6)} ms  ${(n / (t.ms / 1000)).toFixed(0).padStart(7)} examples/s  (loss ${loss.toFixed(4)})`);
  }
  const layers = await import('@tensorflow/tfjs-layers');
  for (const be of ['cpu', 'wasm'] as const) {
    const tf = await tfjs(be);
    const model = layers.sequential({ layers: [
      layers.layers.dense({ inputShape: [20], units: 128, activation: 'relu' }), layers.layers.dense({ units: 64, activation: 'relu' }),
      layers.layers.dense({ units: 32, activation: 'relu' }), layers.layers.dense({ units: 1 }),
    ] });
    model.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError' });
    const x = tf.tensor2d(d.train.x.data, [n, 20]), y = tf.tensor2d(d.train.y.data, [n, 1]);
    const epoch = async () => {
      await model.fit(x, y, { epochs: 1, batchSize: 32, shuffle: true, verbose: 0 });
    };
    const h = await model.fit(x, y, { epochs: 1, batchSize: 32, shuffle: true, verbose: 0 });
    const loss = h.history.loss[0] as number;
    if (!(loss < 2 * referenceLoss && loss > referenceLoss / 2)) log(`  note: tfjs ${be} first-epoch loss ${loss.toFixed(4)} (lrlab ${referenceLoss.toFixed(4)}): another initialization`);
    const t = await timeAsync(`tfjs-layers ${be}`, epoch, budget);
    rows.push({ suite: 'epoch', case: 'built-in MLP epoch', implementation: `tfjs-layers on tfjs-backend-${be}`, backend: `tfjs ${be}`, mode: '-', ...t, figures: { examplesPerSecond: n / (t.ms / 1000), firstEpochLoss: loss } });
    log(`  MLP epoch    ${`tfjs-layers on tfjs-backend-${be}`.padEnd(32)} ${t.ms.toFixed(0).padStart(6)} ms  ${(n / (t.ms / 1000)).toFixed(0).padStart(7)} examples/s`);
    x.dispose();
    y.dispose();
    model.dispose();
  }
  const ref = rows.find((r) => r.implementation === 'lrlab cpu (reference)')!.ms;
  for (const r of rows) r.figures.vsReference = ref / r.ms;
  return rows;
}

/** A 100-step range test on the built-in model and data, per lrlab backend. */
export function rangeTestSuite(impls: LrlabImpl[], log: (s: string) => void, quick: boolean): Row[] {
  const d = builtInData();
  const rows: Row[] = [];
  for (const impl of impls.filter((i) => i.mode === '-' || i.mode === 'headlessgl')) {
    manualSeed(42);
    const model = builtInModel();
    const opt = new Adam(model.parameters());
    const t = use(impl, () => time(impl.label, () => void rangeTest(model, { x: d.train.x, y: d.train.y, optimizer: opt, numIter: 100 }), { maxTime: quick ? 0.5 : 2, minSamples: 2 }));
    rows.push({ suite: 'rangeTest', case: '100-step range test', implementation: impl.label, backend: impl.backend.name, mode: impl.mode, ...t, figures: {} });
    log(`  range test   ${impl.label.padEnd(32)} ${t.ms.toFixed(0).padStart(6)} ms`);
  }
  return rows;
}

/** `lrlab demo` end to end (pipeline and report), once per CPU backend: wall-clock seconds. */
export async function demoSuite(impls: LrlabImpl[], log: (s: string) => void): Promise<Row[]> {
  const rows: Row[] = [];
  for (const impl of impls.filter((i) => i.mode === '-' && !i.label.includes('1 thread'))) {
    const dir = mkdtempSync(join(tmpdir(), 'lrlab-bench-'));
    const t0 = performance.now();
    const result = use(impl, () => runPipeline());
    await writeReport(dir, result);
    const ms = performance.now() - t0;
    rmSync(dir, { recursive: true, force: true });
    rows.push({ suite: 'demo', case: 'lrlab demo end to end', implementation: impl.label, backend: impl.backend.name, mode: impl.mode, ms, rme: 0, samples: 1, figures: { seconds: ms / 1000, foundLr: result.suggestion.lr } });
    log(`  demo         ${impl.label.padEnd(32)} ${(ms / 1000).toFixed(1).padStart(6)} s (one run)`);
  }
  return rows;
}

/** Heap and RSS growth over 1,000 training steps at the built-in model's shapes, and Float32Arrays created per step. */
export function memorySuite(impls: LrlabImpl[], log: (s: string) => void, quick: boolean): Row[] {
  const gc = (globalThis as { gc?: () => void }).gc;
  const rows: Row[] = [];
  const d = builtInData();
  for (const impl of impls.filter((i) => i.mode === '-' || i.mode === 'headlessgl')) {
    use(impl, () => {
      manualSeed(1);
      const model = builtInModel();
      const opt = new Adam(model.parameters());
      const x = new lr.Tensor(d.train.x.data.slice(0, 32 * 20), [32, 20]), y = new lr.Tensor(d.train.y.data.slice(0, 32), [32, 1]);
      // the step as fit runs it: gradients zeroed in place, the step's tensors in reuseBuffers
      const step = () => {
        lr.reuseBuffers(() => {
          opt.zeroGrad({ setToNone: false });
          mseLoss(model.forward(x), y).backward();
        });
        opt.step();
      };
      for (let i = 0; i < 100; i++) step();
      // count `new Float32Array(...)` calls during 10 steps (lrlab allocates through `new`; gpu.js's own arrays count too)
      const Original = globalThis.Float32Array;
      let created = 0;
      globalThis.Float32Array = new Proxy(Original, { construct(target, args) { created++; return Reflect.construct(target, args); } });
      try {
        for (let i = 0; i < 10; i++) step();
      } finally {
        globalThis.Float32Array = Original;
      }
      gc?.();
      const before = process.memoryUsage();
      const steps = quick ? 300 : 1000;
      for (let i = 0; i < steps; i++) step();
      gc?.();
      const after = process.memoryUsage();
      const heapKiB = (after.heapUsed - before.heapUsed) / 1024, rssKiB = (after.rss - before.rss) / 1024;
      rows.push({ suite: 'memory', case: `${steps} training steps`, implementation: impl.label, backend: impl.backend.name, mode: impl.mode, ms: 0, rme: 0, samples: 1, figures: { heapGrowthKiB: heapKiB, rssGrowthKiB: rssKiB, float32ArraysPerStep: created / 10 }, note: gc ? undefined : 'run node with --expose-gc for exact heap figures' });
      log(`  memory       ${impl.label.padEnd(32)} heap ${heapKiB.toFixed(0).padStart(6)} KiB  rss ${rssKiB.toFixed(0).padStart(6)} KiB over ${steps} steps; ${(created / 10).toFixed(0)} new Float32Arrays per step`);
    });
  }
  return rows;
}
