import { spawnSync } from 'node:child_process';
import * as lr from '../src/index.js';
import { use, tfjs, type LrlabImpl, type Row } from './common.js';

const { fashionMnistCnn, loadFashionMnist, findFashionMnist, Adam, fit, Generator, manualSeed, crossEntropy, noGrad, Tensor } = lr;

/** Wall-clock and process CPU milliseconds of `fn` (CPU time is the steadier figure on a shared machine). */
async function measure(fn: () => unknown): Promise<{ ms: number; cpuMs: number }> {
  const c0 = process.cpuUsage(), t0 = performance.now();
  await fn();
  const c = process.cpuUsage(c0);
  return { ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 };
}

// PyTorch's twin of the same CNN and loop, timed in a child process (where python3-torch is installed)
const TORCH_SCRIPT = `
import sys, time, torch, torch.nn as nn, torch.nn.functional as F
torch.set_num_threads(int(sys.argv[2])); torch.manual_seed(0)
n = int(sys.argv[1])
m = nn.Sequential(nn.Conv2d(1,16,3,padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16,32,3,padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1568,128), nn.ReLU(), nn.Linear(128,10))
opt = torch.optim.Adam(m.parameters(), lr=1e-3)
x = torch.randn(n, 1, 28, 28); y = torch.randint(0, 10, (n,))
def epoch():
    for i in range(0, n, 64):
        opt.zero_grad(); F.cross_entropy(m(x[i:i+64]), y[i:i+64]).backward(); opt.step()
epoch()
t = time.perf_counter(); c = time.process_time(); epoch(); print((time.perf_counter() - t) * 1000, (time.process_time() - c) * 1000)
`;

/**
 * A training epoch of the image experiment's CNN on Fashion-MNIST (batch 64, Adam), per lrlab backend, against
 * tfjs-layers on TensorFlow.js's WASM backend (and PyTorch where installed) in the same run. The epoch is a fixed
 * slice of the training set (the CPU reference takes about a second a batch); the table gives ms per batch and the
 * time a full 60,000-image epoch takes at that rate. Before timing, every implementation computes the loss of the
 * same weights on the same batch: lrlab's backends must agree with the reference within 1e-5 relative, tfjs (the
 * weights copied in NHWC layout) within 1e-4.
 */
export async function cnnEpochSuite(impls: LrlabImpl[], log: (s: string) => void, quick: boolean): Promise<Row[]> {
  const rows: Row[] = [];
  if (findFashionMnist() === null) {
    log('  CNN epoch: skipped, Fashion-MNIST is not installed (Debian package dataset-fashion-mnist)');
    return rows;
  }
  const batches = quick ? 10 : 40, n = batches * 64, full = Math.ceil(60000 / 64);
  const data = loadFashionMnist(undefined, { trainSize: n, testSize: 0, generator: new Generator(1) });
  const x0 = new Tensor(data.train.x.data.slice(0, 64 * 784), [64, 1, 28, 28]), y0 = Array.from(data.train.y.data.subarray(0, 64));
  manualSeed(42);
  const reference = fashionMnistCnn();
  const state = reference.stateDict();
  const lossOf = (impl: LrlabImpl) => use(impl, () => {
    const m = fashionMnistCnn();
    m.loadStateDict(state);
    return noGrad(() => crossEntropy(m.forward(x0), y0).item());
  });
  const refLoss = lossOf(impls[0]);
  const record = (implementation: string, backend: string, mode: string, t: { ms: number; cpuMs: number }, check: string) => {
    const perBatch = t.ms / batches;
    rows.push({ suite: 'cnn', case: `CNN epoch slice (${n} images)`, implementation, backend, mode, ms: t.ms, rme: 0, samples: 1, figures: { msPerBatch: perBatch, cpuMsPerBatch: t.cpuMs / batches, fullEpochSeconds: (perBatch * full) / 1000, imagesPerSecond: n / (t.ms / 1000), check } });
    log(`  CNN epoch    ${implementation.padEnd(36)} ${perBatch.toFixed(1).padStart(7)} ms/batch (CPU ${(t.cpuMs / batches).toFixed(1)} ms)  ${((perBatch * full) / 1000).toFixed(0).padStart(5)} s per 60k epoch  (${check})`);
  };
  const recordInference = (implementation: string, backend: string, t: { ms: number; cpuMs: number }, check = 'same weights') => {
    rows.push({ suite: 'cnnInference', case: `CNN inference (${n} images)`, implementation, backend, mode: '-', ms: t.ms, rme: 0, samples: 1, figures: { msPerBatch: t.ms / batches, cpuMsPerBatch: t.cpuMs / batches, imagesPerSecond: n / (t.ms / 1000), check } });
    log(`  CNN predict  ${implementation.padEnd(36)} ${(t.ms / batches).toFixed(1).padStart(7)} ms/batch (CPU ${(t.cpuMs / batches).toFixed(1)} ms)  (${check})`);
  };
  const tfjsPeer = async (be: 'wasm' | 'cpu') => {
    const label = `tfjs-layers on tfjs-backend-${be}${be === 'wasm' ? ' (1 thread, SIMD)' : ''}`;
    const tf = await tfjs(be);
    const layers = await import('@tensorflow/tfjs-layers');
    // NHWC, the same weights transposed into tfjs's layouts
    const model = layers.sequential({ layers: [
      layers.layers.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }), layers.layers.maxPooling2d({ poolSize: 2 }),
      layers.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }), layers.layers.maxPooling2d({ poolSize: 2 }),
      layers.layers.flatten(), layers.layers.dense({ units: 128, activation: 'relu' }), layers.layers.dense({ units: 10 }),
    ] });
    const convKernel = (w: lr.Tensor) => { // [out, in, kh, kw] -> [kh, kw, in, out]
      const [o, i, kh, kw] = w.shape, out = new Float32Array(w.size);
      for (let a = 0; a < o; a++) for (let b = 0; b < i; b++) for (let r = 0; r < kh; r++) for (let c = 0; c < kw; c++) out[((r * kw + c) * i + b) * o + a] = w.data[((a * i + b) * kh + r) * kw + c];
      return tf.tensor4d(out, [kh, kw, i, o]);
    };
    const w1 = state['7.weight'], dense1 = new Float32Array(w1.size); // rows follow NHWC flattening (h, w, c), not (c, h, w)
    for (let o = 0; o < 128; o++) for (let c = 0; c < 32; c++) for (let p = 0; p < 49; p++) dense1[(p * 32 + c) * 128 + o] = w1.data[o * 1568 + c * 49 + p];
    const w2 = state['9.weight'], dense2 = new Float32Array(w2.size);
    for (let o = 0; o < 10; o++) for (let i = 0; i < 128; i++) dense2[i * 10 + o] = w2.data[o * 128 + i];
    model.setWeights([
      convKernel(state['0.weight']), tf.tensor1d(state['0.bias'].data), convKernel(state['3.weight']), tf.tensor1d(state['3.bias'].data),
      tf.tensor2d(dense1, [1568, 128]), tf.tensor1d(state['7.bias'].data), tf.tensor2d(dense2, [128, 10]), tf.tensor1d(state['9.bias'].data),
    ]);
    const nhwc = (t: lr.Tensor) => tf.tensor4d(t.data, [t.shape[0], 28, 28, 1]); // one channel: NCHW and NHWC share the order
    const labels = tf.oneHot(tf.tensor1d(Array.from(data.train.y.data), 'int32'), 10);
    const x0t = nhwc(x0), xs = nhwc(data.train.x);
    const tfLoss = tf.tidy(() => tf.losses.softmaxCrossEntropy(tf.slice(labels, [0, 0], [64, 10]), model.predict(x0t) as ReturnType<typeof tf.tensor2d>).dataSync()[0]);
    if (!(Math.abs(tfLoss - refLoss) <= 1e-4 * refLoss)) throw new Error(`cnn: ${label} loss ${tfLoss} disagrees with lrlab's ${refLoss}`);
    const check = `loss ${tfLoss.toFixed(6)}, same weights`;
    tf.tidy(() => void (model.predict(x0t, { batchSize: 64 }) as ReturnType<typeof tf.tensor2d>).dataSync());
    recordInference(label, `tfjs ${be}`, await measure(() => tf.tidy(() => void (model.predict(xs, { batchSize: 64 }) as ReturnType<typeof tf.tensor2d>).dataSync())), check);
    model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
    try {
      await model.fit(tf.slice(xs, [0, 0, 0, 0], [128, 28, 28, 1]), tf.slice(labels, [0, 0], [128, 10]), { epochs: 1, batchSize: 64, verbose: 0 }); // warm-up
      record(label, `tfjs ${be}`, '-', await measure(() => model.fit(xs, labels, { epochs: 1, batchSize: 64, shuffle: true, verbose: 0 })), check);
    } catch (err) {
      // tfjs-backend-wasm 4.x has no Conv2DBackpropFilter kernel: it can run this CNN but not train it
      const why = (err as Error).message.split('\n')[0];
      rows.push({ suite: 'cnn', case: `CNN epoch slice (${n} images)`, implementation: label, backend: `tfjs ${be}`, mode: '-', ms: NaN, rme: 0, samples: 0, figures: { check }, note: `cannot train: ${why}` });
      log(`  CNN epoch    ${label.padEnd(36)} cannot train: ${why}`);
    }
    x0t.dispose();
    xs.dispose();
    labels.dispose();
    model.dispose();
  };
  for (const impl of impls.filter((i) => i.mode === '-' || i.mode === 'headlessgl')) {
    if (impl.label.includes('cpu (reference)') && quick) continue;
    const loss = lossOf(impl);
    if (!(Math.abs(loss - refLoss) <= 1e-5 * refLoss)) throw new Error(`cnn: ${impl.label} loss ${loss} disagrees with the reference ${refLoss}`);
    const m = fashionMnistCnn();
    m.loadStateDict(state);
    const opt = new Adam(m.parameters(), { lr: 1e-3 });
    const slice = new Tensor(data.train.x.data.slice(0, 128 * 784), [128, 1, 28, 28]);
    use(impl, () => fit(m, { x: slice, y: new Tensor(data.train.y.data.slice(0, 128), [128]), optimizer: opt, epochs: 1, batchSize: 64, loss: (p, t) => crossEntropy(p, t), progress: false })); // warm-up
    const t = await measure(() => use(impl, () => fit(m, { x: data.train.x, y: data.train.y, optimizer: opt, epochs: 1, batchSize: 64, loss: (p, t) => crossEntropy(p, t), generator: new Generator(3), progress: false })));
    record(impl.label, impl.backend.name, impl.mode, t, `loss ${loss.toFixed(6)} = reference ${refLoss.toFixed(6)}`);
  }

  // lrlab's inference over the same slice (forward only, batches of 64), for the peers that cannot train a CNN
  for (const impl of impls.filter((i) => i.mode === '-' && !i.label.includes('reference'))) {
    const m = fashionMnistCnn();
    m.loadStateDict(state);
    use(impl, () => lr.predict(m, x0, { batchSize: 64 }));
    recordInference(impl.label, impl.backend.name, await measure(() => use(impl, () => lr.predict(m, data.train.x, { batchSize: 64 }))));
  }
  // tfjs's CPU backend takes seconds a batch: the full run only
  for (const be of quick ? (['wasm'] as const) : (['wasm', 'cpu'] as const)) await tfjsPeer(be);
  for (const threads of [1, 2]) {
    const r = spawnSync('/usr/bin/python3', ['-c', TORCH_SCRIPT, String(n), String(threads)], { encoding: 'utf8' });
    if (r.status !== 0) {
      log(`  CNN epoch: PyTorch not run (${(r.stderr || r.error?.message || 'python3 with torch not found').split('\n').filter(Boolean).pop()})`);
      break;
    }
    const [ms, cpuMs] = r.stdout.trim().split(' ').map(Number);
    record(`PyTorch (CPU, ${threads} thread${threads > 1 ? 's' : ''})`, 'torch', '-', { ms, cpuMs }, 'same architecture, random data');
  }
  return rows;
}
