import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as lr from '../src/index.js';
import { use, timeAsync, time, tfjs, type LrlabImpl, type Row } from './common.js';

const { builtInData, LSTMForecaster, Adam, fit, Generator } = lr;

// the same epoch in PyTorch: nn.LSTM(1, 64, batch_first=True) + Linear(64, 1), Adam 1e-3, batch 32, shuffled
const TORCH_SCRIPT = `
import json, sys, time, torch
d = json.load(open(sys.argv[1]))
torch.manual_seed(0)
x = torch.tensor(d['x'], dtype=torch.float32).reshape(-1, 20, 1)
y = torch.tensor(d['y'], dtype=torch.float32).reshape(-1, 1)
class M(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(1, 64, batch_first=True)
        self.head = torch.nn.Linear(64, 1)
    def forward(self, x):
        return self.head(self.lstm(x)[0][:, -1, :])
m = M()
opt = torch.optim.Adam(m.parameters(), lr=1e-3)
def epoch():
    total = 0.0
    perm = torch.randperm(x.shape[0])
    for i in range(0, x.shape[0], 32):
        idx = perm[i:i + 32]
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(m(x[idx]), y[idx])
        loss.backward()
        opt.step()
        total += loss.item() * len(idx)
    return total / x.shape[0]
first = epoch()
times = []
for _ in range(int(sys.argv[2])):
    t0 = time.perf_counter(); epoch(); times.append((time.perf_counter() - t0) * 1000)
print(json.dumps({'firstEpochLoss': first, 'ms': sum(times) / len(times), 'samples': len(times), 'threads': torch.get_num_threads(), 'version': torch.__version__}))
`;

/**
 * An LSTM forecaster (hidden 64, window 20, batch 32, Adam) training one epoch on the built-in series: lrlab's
 * backends with the fused and the composed LSTM, tfjs-layers' LSTM on tfjs-backend-wasm and -cpu, and PyTorch
 * (through /usr/bin/python3) where it is installed. Agreement first: every lrlab row's first-epoch loss equals the
 * cpu fused one within 1e-3 (same seed, same weights); the peers start from their own weights, so their first-epoch
 * loss is printed beside ours.
 */
export async function lstmEpochSuite(impls: LrlabImpl[], log: (s: string) => void, quick: boolean): Promise<Row[]> {
  const rows: Row[] = [];
  const d = builtInData();
  const n = d.train.x.shape[0];
  const epochFn = (seed: number, implementation: 'fused' | 'composed') => {
    const model = new LSTMForecaster(1, 64, 1, 0, 1, { generator: new Generator(seed), implementation });
    const opt = new Adam(model.parameters(), { lr: 1e-3 });
    return () => fit(model, { x: d.train.x, y: d.train.y, optimizer: opt, epochs: 1, batchSize: 32, generator: new Generator(seed), progress: false }).loss[0];
  };
  const budget = quick ? 1 : 3;
  const referenceLoss = use(impls[0], () => epochFn(42, 'fused')());
  const record = (implementation: string, backend: string, t: { ms: number; rme: number; samples: number }, loss: number, note?: string) => {
    rows.push({ suite: 'lstmEpoch', case: 'LSTM forecaster epoch', implementation, backend, mode: '-', ...t, figures: { examplesPerSecond: n / (t.ms / 1000), firstEpochLoss: loss }, note });
    log(`  LSTM epoch   ${implementation.padEnd(40)} ${t.ms.toFixed(0).padStart(6)} ms ±${t.rme.toFixed(0)}%  ${(n / (t.ms / 1000)).toFixed(0).padStart(6)} examples/s  (first-epoch loss ${loss.toFixed(4)})`);
  };
  for (const impl of impls.filter((i) => i.mode === '-')) {
    for (const implementation of ['fused', 'composed'] as const) {
      const label = `${impl.label}, ${implementation} LSTM`;
      const loss = use(impl, () => epochFn(42, implementation)());
      if (!(Math.abs(loss - referenceLoss) <= 1e-3 * referenceLoss)) throw new Error(`lstmEpoch: ${label} first-epoch loss ${loss} disagrees with the reference ${referenceLoss}`);
      const step = use(impl, () => epochFn(7, implementation));
      record(label, impl.backend.name, use(impl, () => time(label, () => void step(), { maxTime: budget, minSamples: 3 })), loss);
    }
  }
  const layers = await import('@tensorflow/tfjs-layers');
  // tfjs-layers' default orthogonal recurrent initializer fails on tfjs-backend-wasm (rMat.flatten is not a
  // function); glorot uniform changes only the starting weights, not the work per epoch
  for (const be of ['wasm', 'cpu'] as const) {
    const tf = await tfjs(be);
    const model = layers.sequential({ layers: [layers.layers.lstm({ inputShape: [20, 1], units: 64, recurrentInitializer: 'glorotUniform' }), layers.layers.dense({ units: 1 })] });
    model.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError' });
    const x = tf.tensor3d(d.train.x.data, [n, 20, 1]), y = tf.tensor2d(d.train.y.data, [n, 1]);
    const h = await model.fit(x, y, { epochs: 1, batchSize: 32, shuffle: true, verbose: 0 });
    const loss = h.history.loss[0] as number;
    const t = await timeAsync(`tfjs-layers ${be}`, async () => void (await model.fit(x, y, { epochs: 1, batchSize: 32, shuffle: true, verbose: 0 })), budget);
    rows.push({ suite: 'lstmEpoch', case: 'LSTM forecaster epoch', implementation: `tfjs-layers LSTM on tfjs-backend-${be}`, backend: `tfjs ${be}`, mode: '-', ...t, figures: { examplesPerSecond: n / (t.ms / 1000), firstEpochLoss: loss } });
    log(`  LSTM epoch   ${`tfjs-layers LSTM on tfjs-backend-${be}`.padEnd(40)} ${t.ms.toFixed(0).padStart(6)} ms ±${t.rme.toFixed(0)}%  ${(n / (t.ms / 1000)).toFixed(0).padStart(6)} examples/s  (first-epoch loss ${loss.toFixed(4)})`);
    x.dispose();
    y.dispose();
    model.dispose();
  }
  const python = '/usr/bin/python3';
  if (spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0) {
    const dir = mkdtempSync(join(tmpdir(), 'lrlab-bench-'));
    try {
      writeFileSync(join(dir, 'data.json'), JSON.stringify({ x: Array.from(d.train.x.data), y: Array.from(d.train.y.data) }));
      const r = spawnSync(python, ['-c', TORCH_SCRIPT, join(dir, 'data.json'), quick ? '3' : '8'], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`lstmEpoch: PyTorch run failed: ${r.stderr.slice(-400)}`);
      const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { firstEpochLoss: number; ms: number; samples: number; threads: number; version: string };
      record(`PyTorch ${out.version} nn.LSTM, ${out.threads} thread${out.threads === 1 ? '' : 's'}`, 'torch cpu', { ms: out.ms, rme: 0, samples: out.samples }, out.firstEpochLoss, 'timed in Python with perf_counter');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } else {
    log('  LSTM epoch   PyTorch row skipped: /usr/bin/python3 cannot import torch here');
  }
  const wasmPeer = rows.find((r) => r.backend === 'tfjs wasm')!.ms;
  for (const r of rows) r.figures.vsTfjsWasm = wasmPeer / r.ms;
  return rows;
}
