// Recurrent training and the plain training loop beside PyTorch on one thread (issue 26): one epoch of an LSTM
// 1x64, an LSTM 2x128 and a GRU 1x64 forecaster through `fit`, and the built-in MLP's epoch in a plain
// PyTorch-style loop (default zeroGrad, no reuseBuffers, no dispose), each as a ratio to PyTorch in the same turn.
// Run alone: node --expose-gc --import tsx bench/recurrent-torch.ts [--quick]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as lr from '../src/index.js';
import { machine, type LrlabImpl, type Row } from './common.js';
import { findTorch } from './speed.js';

const { builtInData, builtInModel, LSTM, GRU, Linear, Module, Adam, fit, Generator, manualSeed, mseLoss, batches, lastTimeStep, reshape, createWasmBackend } = lr;

const TORCH_SCRIPT = `
import json, os, statistics, sys, time
import numpy as np, torch
torch.set_num_threads(1)
d = sys.argv[1]
job = json.load(open(os.path.join(d, 'job.json')))
def load(name, shape):
    return torch.from_numpy(np.fromfile(os.path.join(d, name), dtype=np.float32).reshape(shape))
class Rnn(torch.nn.Module):
    def __init__(self, kind, hidden, layers):
        super().__init__()
        self.rnn = getattr(torch.nn, kind)(1, hidden, num_layers=layers, batch_first=True)
        self.head = torch.nn.Linear(hidden, 1)
    def forward(self, x):
        return self.head(self.rnn(x.unsqueeze(-1))[0][:, -1, :])
def mlp():
    return torch.nn.Sequential(torch.nn.Linear(20, 128), torch.nn.ReLU(), torch.nn.Linear(128, 64), torch.nn.ReLU(), torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 1))
x, y = load('x.f32', job['x']), load('y.f32', job['y'])
out = {'cases': []}
for case in job['cases']:
    m = mlp() if case['kind'] == 'MLP' else Rnn(case['kind'], case['hidden'], case['layers'])
    with torch.no_grad():
        for p, spec in zip(m.parameters(), case['params']):
            p.copy_(load(spec['file'], spec['shape']))
    opt = torch.optim.Adam(m.parameters(), lr=1e-3)
    n = x.shape[0]
    def epoch(order):
        total = 0.0
        for i in range(0, n, 32):
            idx = order[i:i + 32]
            opt.zero_grad()
            loss = torch.nn.functional.mse_loss(m(x[idx]), y[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        return total / n
    check = epoch(torch.arange(n))
    epoch(torch.randperm(n))
    times = []
    for _ in range(job['rounds']):
        t = time.process_time()
        epoch(torch.randperm(n))
        times.append((time.process_time() - t) * 1000)
    out['cases'].append({'checkLoss': check, 'ms': statistics.median(times)})
out['torch'] = torch.__version__
print(json.dumps(out))
`;

interface Case {
  name: string;
  kind: 'LSTM' | 'GRU' | 'MLP';
  hidden: number;
  layers: number;
  /** 'fit', or 'plain': a PyTorch-style loop (default zeroGrad, no reuseBuffers). */
  loop: 'fit' | 'plain';
  /** The recurrent layer's approximateActivations. */
  approximate?: boolean;
}

const CASES: Case[] = [
  { name: 'LSTM 1x64 epoch (fit)', kind: 'LSTM', hidden: 64, layers: 1, loop: 'fit' },
  { name: 'LSTM 2x128 epoch (fit)', kind: 'LSTM', hidden: 128, layers: 2, loop: 'fit' },
  { name: 'GRU 1x64 epoch (fit)', kind: 'GRU', hidden: 64, layers: 1, loop: 'fit' },
  { name: 'LSTM 1x64 epoch (fit, approximate)', kind: 'LSTM', hidden: 64, layers: 1, loop: 'fit', approximate: true },
  { name: 'LSTM 2x128 epoch (fit, approximate)', kind: 'LSTM', hidden: 128, layers: 2, loop: 'fit', approximate: true },
  { name: 'GRU 1x64 epoch (fit, approximate)', kind: 'GRU', hidden: 64, layers: 1, loop: 'fit', approximate: true },
  { name: 'LSTM 1x64 epoch (plain loop)', kind: 'LSTM', hidden: 64, layers: 1, loop: 'plain' },
  { name: 'MLP epoch (plain loop)', kind: 'MLP', hidden: 0, layers: 0, loop: 'plain' },
];

/** A recurrent layer over windows [batch, 20] and a linear head on its last step, as the PyTorch twin. */
class RnnModel extends Module {
  readonly rnn: lr.LSTM | lr.GRU;
  readonly head: lr.Linear;
  constructor(kind: 'LSTM' | 'GRU', hidden: number, layers: number, generator: lr.Generator, approximateActivations: boolean) {
    super();
    const Layer = kind === 'LSTM' ? LSTM : GRU;
    this.rnn = this.registerModule('rnn', new Layer(1, hidden, { numLayers: layers, batchFirst: true, generator, approximateActivations }));
    this.head = this.registerModule('head', new Linear(hidden, 1, { generator }));
  }
  forward(x: lr.Tensor): lr.Tensor {
    const [out] = this.rnn.forward(reshape(x, [x.shape[0], x.shape[1], 1]));
    return this.head.forward(lastTimeStep(out, { batchFirst: true }));
  }
}

const makeModel = (c: Case) => (c.kind === 'MLP' ? (manualSeed(42), builtInModel()) : new RnnModel(c.kind, c.hidden, c.layers, new Generator(42), c.approximate ?? false));

/** One epoch as the case runs it; returns the mean loss. */
function epoch(c: Case, model: lr.Module, opt: lr.Optimizer<{ lr: number }>, d: ReturnType<typeof builtInData>, generator: lr.Generator | null): number {
  if (c.loop === 'fit') return fit(model, { x: d.train.x, y: d.train.y, optimizer: opt, epochs: 1, shuffle: generator !== null, generator: generator ?? undefined, progress: false }).loss[0];
  let total = 0;
  for (const b of batches({ x: d.train.x, y: d.train.y }, { batchSize: 32, shuffle: generator !== null, generator: generator ?? undefined })) {
    opt.zeroGrad();
    const loss = mseLoss(model.forward(b.x), b.y);
    loss.backward();
    opt.step();
    total += loss.item() * b.x.shape[0];
  }
  return total / d.train.x.shape[0];
}

const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/**
 * Each case's epoch on lrlab's wasm backend (one thread) and in PyTorch (one thread, same initial weights), in
 * turns: PyTorch's process times every case, then lrlab does; a ratio is taken within one turn, and the row gives
 * the median ratio and the spread over the turns. Agreement first: the first epoch in order gives the same mean
 * loss as PyTorch's (1e-4 relative; 1e-3 with approximateActivations).
 */
export function recurrentVsTorch(torch: ReturnType<typeof findTorch>, log: (s: string) => void, quick: boolean): Row[] {
  if ('skip' in torch) {
    log(`  skipped: ${torch.skip}`);
    return [];
  }
  const rounds = quick ? 3 : 5, turns = quick ? 2 : 4;
  const impl: LrlabImpl = { label: 'lrlab wasm SIMD, 1 thread', backend: createWasmBackend({ threads: 1, name: 'wasm-rnn-1' }), mode: '-' };
  lr.registerBackend(impl.backend);
  const previous = lr.getBackend().name;
  lr.useBackend(impl.backend.name);
  const d = builtInData();
  const files: Record<string, Float32Array> = { 'x.f32': d.train.x.data, 'y.f32': d.train.y.data };
  const jobCases = CASES.map((c, ci) => ({ kind: c.kind, hidden: c.hidden, layers: c.layers, params: makeModel(c).parameters().map((p, i) => {
    files[`c${ci}p${i}.f32`] = p.data;
    return { file: `c${ci}p${i}.f32`, shape: [...p.shape] };
  }) }));
  const dir = mkdtempSync(join(tmpdir(), 'lrlab-rnn-torch-'));
  for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)));
  writeFileSync(join(dir, 'script.py'), TORCH_SCRIPT);
  writeFileSync(join(dir, 'job.json'), JSON.stringify({ x: [...d.train.x.shape], y: [...d.train.y.shape], rounds, cases: jobCases }));
  const runTorch = () => {
    const r = spawnSync(torch.python, [join(dir, 'script.py'), dir], { encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' } });
    if (r.status !== 0) throw new Error(`torch peer failed: ${r.stderr.split('\n').slice(-3).join(' ')}`);
    return JSON.parse(r.stdout) as { cases: { checkLoss: number; ms: number }[]; torch: string };
  };
  const rows: Row[] = [];
  try {
    const runs = CASES.map((c) => {
      const model = makeModel(c), opt = new Adam(model.parameters(), { lr: 1e-3 }), g = new Generator(7);
      const first = epoch(c, model, opt, d, null);
      return { c, first, ms: [] as number[], ratios: [] as number[], time: () => {
        epoch(c, model, opt, d, g);
        const samples: number[] = [];
        for (let r = 0; r < rounds; r++) {
          const t0 = cpuMs();
          epoch(c, model, opt, d, g);
          samples.push(cpuMs() - t0);
        }
        return median(samples);
      } };
    });
    let version = '';
    for (let turn = 0; turn < turns; turn++) {
      const peer = runTorch();
      version = peer.torch;
      runs.forEach((run, i) => {
        const check = peer.cases[i].checkLoss;
        if (turn === 0 && !(Math.abs(run.first - check) <= (run.c.approximate ? 1e-3 : 1e-4) * Math.abs(check))) throw new Error(`${run.c.name}: lrlab's first-epoch loss ${run.first} disagrees with PyTorch's ${check}`);
        const ms = run.time();
        run.ms.push(ms);
        run.ratios.push(ms / peer.cases[i].ms);
        log(`  turn ${turn + 1}  ${run.c.name.padEnd(30)} lrlab ${ms.toFixed(1).padStart(7)} ms  PyTorch ${peer.cases[i].ms.toFixed(1).padStart(7)} ms  x${(ms / peer.cases[i].ms).toFixed(2)}`);
      });
    }
    for (const run of runs) {
      const lo = Math.min(...run.ratios), hi = Math.max(...run.ratios);
      rows.push({ suite: 'rnnVsTorch', case: run.c.name, implementation: impl.label, backend: impl.backend.name, mode: '-', ms: median(run.ms), rme: 0, samples: run.ms.length, figures: { vsTorch: median(run.ratios), vsTorchMin: lo, vsTorchMax: hi, torch: version } });
      log(`  ${run.c.name.padEnd(30)} ${median(run.ms).toFixed(1).padStart(7)} ms  x${median(run.ratios).toFixed(2)} PyTorch (turns x${lo.toFixed(2)}-x${hi.toFixed(2)})`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    lr.useBackend(previous);
    (impl.backend as lr.WasmBackend).dispose();
  }
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const info = machine();
  console.log(`recurrent and plain-loop epochs beside PyTorch: ${info.cpu}, ${info.cores} cores, Node ${info.node}`);
  recurrentVsTorch(findTorch(), (s) => console.log(s), process.argv.includes('--quick'));
}
