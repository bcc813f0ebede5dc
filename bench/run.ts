// lrlab's benchmarks: `npm run bench` (full, a few minutes) or `npm run bench -- --quick`.
// Writes bench/results/latest.json and latest.md, and prints the tables as it goes.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import * as lr from '../src/index.js';
import { lrlabImplementations, machine, type Row } from './common.js';
import { matmulSuite, smallShapeSuite } from './matmul.js';
import { epochSuite, rangeTestSuite, demoSuite, memorySuite } from './training.js';
import { findTorch, trainingVsTorch, torchMatmulRows, optimizerSuite, allocationSuite } from './speed.js';
import { tpeSuite, tpeTable } from './tune.js';
import { nsga2Suite, nsga2Table } from './multi-objective.js';
import { storageSuite } from './storage.js';
import { overheadSuite, overheadTable } from './tune-overhead.js';
import { lstmEpochSuite } from './recurrent.js';
import { recurrentVsTorch } from './recurrent-torch.js';
import { cnnEpochSuite } from './cnn.js';
import { convSuite } from './conv.js';
import { dashboardSuite } from './dashboard.js';

const quick = process.argv.includes('--quick');
const here = dirname(fileURLToPath(import.meta.url));

// Without a display, re-run under Xvfb (when installed) so gpu.js can use headless GL.
if (!process.env.DISPLAY && !process.env.LRLAB_BENCH_CHILD && spawnSync('sh', ['-c', 'command -v xvfb-run']).status === 0) {
  const r = spawnSync('xvfb-run', ['-a', '-s', '-screen 0 1024x768x24', process.execPath, '--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, LRLAB_BENCH_CHILD: '1' } });
  process.exit(r.status ?? 1);
}

const log = (s: string) => console.log(s);
const started = new Date();
const info = machine();
log(`lrlab benchmarks${quick ? ' (quick)' : ''}: ${info.cpu}, ${info.cores} cores, Node ${info.node}`);
const impls = lrlabImplementations(log);
const gpuModes = impls.filter((i) => i.mode !== '-').map((i) => i.mode);
log(`gpu.js modes here: ${gpuModes.join(', ') || 'none'}`);
const torch = findTorch();
log('skip' in torch ? `PyTorch peer skipped: ${torch.skip}` : `PyTorch peer: torch ${torch.version.split(' ')[0]}, numpy ${torch.version.split(' ')[1]} (${torch.python}), one thread`);

const rows: Row[] = [];
// Between suites: end the current job and collect, so the tensors of a finished suite really are garbage (a weak
// reference keeps its target alive until the job that made it ends) and the wasm backend's memory gets their blocks back.
const settle = async () => {
  await new Promise((resolve) => setImmediate(resolve));
  (globalThis as { gc?: () => void }).gc?.();
};
log('\nmatmul (fp32, square)');
const matmulSizes = quick ? [64, 128, 256] : [64, 128, 256, 512, 1024, 2048];
rows.push(...(await matmulSuite(impls, matmulSizes, log, quick)));
rows.push(...torchMatmulRows(impls, torch, matmulSizes, log, quick));
log('\nsmall shapes (per-op overhead)');
rows.push(...smallShapeSuite(impls, log, quick, lr));
await settle(); // its ops ran outside reuseBuffers: thousands of short-lived tensors for the arena to take back
log('\ntraining');
rows.push(...(await epochSuite(impls, log, quick)));
rows.push(...rangeTestSuite(impls, log, quick));
await settle();
log('\ntraining beside PyTorch (one thread)');
rows.push(...trainingVsTorch(impls, torch, log, quick));
await settle();
log('\noptimizer updates');
rows.push(...optimizerSuite(impls, torch, log, quick));
log('\nrecurrent');
rows.push(...(await lstmEpochSuite(impls, log, quick)));
log('\nrecurrent and plain-loop epochs beside PyTorch (one thread)');
rows.push(...recurrentVsTorch(torch, log, quick));
if (!quick) rows.push(...(await demoSuite(impls, log)));
log('\nCNN on Fashion-MNIST');
rows.push(...(await cnnEpochSuite(impls, log, quick)));
await settle();
log('\nCNN rows of issue 26 beside PyTorch');
rows.push(...convSuite(log, quick ? { repetitions: 1, steps: 2, rounds: 3 } : {}));
await settle();
log('\nmemory');
rows.push(...memorySuite(impls, log, quick));
rows.push(...allocationSuite(impls, log));
log('\ntuning: TPE vs Optuna TPE vs random');
rows.push(...(await tpeSuite(log, quick)));
log('\ntuning, several objectives: NSGA-II vs Optuna NSGA-II');
rows.push(...(await nsga2Suite(log, quick)));
log('\ntuner storage');
rows.push(...(await storageSuite(log, quick)));
log('\ntuner overhead per trial, sampler by sampler, beside Optuna');
rows.push(...(await overheadSuite(log, quick)));
log('\ndashboard');
await dashboardSuite(log, quick ? 1 : 3);
for (const i of impls) (i.backend as { dispose?: () => void }).dispose?.();

const date = started.toISOString().slice(0, 10);
const fmt = (v: number | string | undefined, d = 2) => (typeof v === 'number' ? (Number.isFinite(v) ? v.toFixed(d) : '-') : v ?? '-');
const table = (title: string, header: string[], body: string[][]) => [`### ${title}`, '', `| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...body.map((r) => `| ${r.join(' | ')} |`), ''].join('\n');
const pick = (suite: string) => rows.filter((r) => r.suite === suite);
const sizes = [...new Set(pick('matmul').map((r) => r.case))];
const impNames = [...new Set(pick('matmul').map((r) => `${r.implementation}|${r.mode}`))];
const optimNames = [...new Set(pick('optim').map((r) => r.case))];
const md = [
  `## Benchmarks (${date}${quick ? ', quick run' : ''})`,
  '',
  `Machine: ${info.cpu}, ${info.cores} cores, ${info.memoryGiB} GiB, ${info.platform}, Node ${info.node}; gpu.js modes: ${gpuModes.join(', ') || 'none'}; ${'skip' in torch ? `PyTorch peer skipped (${torch.skip})` : `PyTorch ${torch.version.split(' ')[0]} with numpy ${torch.version.split(' ')[1]}, one thread (torch.set_num_threads(1))`}.`,
  'Every result was checked against the CPU reference before timing. Timings by benchmark.js (mean, ± relative margin).',
  '',
  table('matmul, GFLOPS (x = ratio to the lrlab CPU reference)', ['implementation', 'gpu.js mode', ...sizes.map((s) => `${s}`)], impNames.map((key) => {
    const [name, mode] = key.split('|');
    return [name, mode, ...sizes.map((s) => {
      const r = pick('matmul').find((x) => x.case === s && `${x.implementation}|${x.mode}` === key);
      return r ? `${fmt(r.figures.gflops)} (x${fmt(r.figures.vsReference, 1)})` : 'not run';
    })];
  })),
  table('32x20 @ 20x128, forward and backward', ['implementation', 'gpu.js mode', 'time (us)', 'vs one plain loop'], pick('small').map((r) => [r.implementation, r.mode, fmt(r.ms * 1000, 1), `x${fmt(r.figures.vsPlainLoop)}`])),
  table('the built-in MLP, one epoch (1,149 windows, batch 32, Adam)', ['implementation', 'gpu.js mode', 'ms / epoch', 'examples / s', 'speed vs lrlab cpu'], pick('epoch').map((r) => [r.implementation, r.mode, `${fmt(r.ms, 0)} ±${fmt(r.rme, 0)}%`, fmt(r.figures.examplesPerSecond, 0), `x${fmt(r.figures.vsReference)}`])),
  table('LSTM forecaster, one epoch (hidden 64, window 20, batch 32, Adam, built-in series)', ['implementation', 'backend', 'ms / epoch', 'examples / s', 'speed vs tfjs-wasm', 'first-epoch loss'], pick('lstmEpoch').map((r) => [r.implementation, r.backend, `${fmt(r.ms, 0)} ±${fmt(r.rme, 0)}%`, fmt(r.figures.examplesPerSecond, 0), `x${fmt(r.figures.vsTfjsWasm)}`, fmt(r.figures.firstEpochLoss, 4)])),
  table('recurrent and plain-loop epochs beside PyTorch on one thread (median CPU ms; x = median ratio to PyTorch within a turn, and its range over the turns)', ['implementation', 'case', 'ms / epoch', 'vs PyTorch', 'range'], pick('rnnVsTorch').map((r) => [r.implementation, r.case, fmt(r.ms, 1), `x${fmt(r.figures.vsTorch)}`, `x${fmt(r.figures.vsTorchMin)}-x${fmt(r.figures.vsTorchMax)}`])),
  table('training beside PyTorch on one thread (median ms: CPU time for one-thread rows, wall clock for two threads; x = ratio to PyTorch in the same turn, lower is faster)', ['implementation', 'case', 'plain loop (ms)', 'fit (ms)', 'plain / PyTorch', 'fit / PyTorch'], pick('vsTorch').map((r) => [r.implementation, r.case, fmt(r.figures.plainMs, 1), fmt(r.figures.fitMs, 1), `x${fmt(r.figures.vsTorchPlain)}`, `x${fmt(r.figures.vsTorchFit)}`])),
  table('optimizer update, one 2^20-element parameter (million parameters / s)', ['implementation', ...optimNames], [...new Set(pick('optim').map((r) => r.implementation))].map((impl) => [impl, ...optimNames.map((c) => {
    const r = pick('optim').find((x) => x.implementation === impl && x.case === c);
    return r ? fmt(r.figures.paramsPerSecond as number, 0) : '-';
  })])),
  table('100-step range test', ['implementation', 'gpu.js mode', 'ms'], pick('rangeTest').map((r) => [r.implementation, r.mode, fmt(r.ms, 0)])),
  ...(quick ? [] : [table('lrlab demo end to end (one run)', ['implementation', 'seconds'], pick('demo').map((r) => [r.implementation, fmt(r.figures.seconds, 1)]))]),
  table('typed arrays and views created per training step after the first', ['implementation', 'gpu.js mode', 'plain loop', 'fit'], pick('alloc').map((r) => [r.implementation, r.mode, fmt(r.figures.plainLoop), fmt(r.figures.fit)])),
  tpeTable(pick('tpe')),
  nsga2Table(pick('nsga2')),
  overheadTable(pick('tuneOverhead')),
  table('CNN on Fashion-MNIST, training (batch 64, Adam; a slice of the epoch, extrapolated to 60,000 images)', ['implementation', 'gpu.js mode', 'ms / batch', 'CPU ms / batch', 's / 60k epoch', 'images / s', 'agreement checked'], pick('cnn').map((r) => [r.implementation, r.mode, Number.isFinite(r.ms) ? fmt(r.figures.msPerBatch as number, 1) : (r.note ?? '-'), Number.isFinite(r.ms) ? fmt(r.figures.cpuMsPerBatch as number, 1) : '-', Number.isFinite(r.ms) ? fmt(r.figures.fullEpochSeconds as number, 0) : '-', Number.isFinite(r.ms) ? fmt(r.figures.imagesPerSecond as number, 0) : '-', String(r.figures.check ?? '-')])),
  table('CNN on Fashion-MNIST, inference (batches of 64)', ['implementation', 'ms / batch', 'CPU ms / batch', 'images / s', 'agreement checked'], pick('cnnInference').map((r) => [r.implementation, fmt(r.figures.msPerBatch as number, 1), fmt(r.figures.cpuMsPerBatch as number, 1), fmt(r.figures.imagesPerSecond as number, 0), String(r.figures.check)])),
  table(`CNNs beside PyTorch (${String(pick('convSpeed')[0]?.figures.setting ?? 'not run')}; ratio: median and range over the repetitions)`, ['case', 'implementation', 'wall ms', 'CPU ms', 'ratio'], pick('convSpeed').map((r) => [r.case, r.implementation, fmt(r.ms, 1), fmt(r.figures.cpuMs as number, 1), `${fmt(r.figures.ratio)} (${fmt(r.figures.ratioLow)}-${fmt(r.figures.ratioHigh)})`])),
  table('memory over training steps', ['implementation', 'gpu.js mode', 'steps', 'heap growth (KiB)', 'RSS growth (KiB)', 'new Float32Arrays / step'], pick('memory').map((r) => [r.implementation, r.mode, r.case.split(' ')[0], fmt(r.figures.heapGrowthKiB, 0), fmt(r.figures.rssGrowthKiB, 0), fmt(r.figures.float32ArraysPerStep, 0)])),
  table('tuner storage: ask, 3 suggestions, 3 reports, tell (one process)', ['implementation', 'storage', 'trials', 'ms / trial', 'trials / s'], pick('storage').map((r) => [r.implementation, r.backend, r.case.split(' ')[0], fmt(r.ms), fmt(r.figures.trialsPerSecond, 0)])),
  table('tuner storage: two processes on one study (process start included)', ['implementation', 'storage', 'trials', 'seconds', 'trials / s'], pick('storage-two').map((r) => [r.implementation, r.backend, r.case.split(' ')[0], fmt(r.ms / 1000, 1), fmt(r.figures.trialsPerSecond, 0)])),
].join('\n');
mkdirSync(join(here, 'results'), { recursive: true });
const name = quick ? 'latest-quick' : 'latest';
lr.writeFileAtomic(join(here, 'results', `${name}.json`), JSON.stringify({ date: started.toISOString(), quick, machine: info, gpuModes, rows }, null, 1));
lr.writeFileAtomic(join(here, 'results', `${name}.md`), md + '\n');
log(`\n${md}\nwrote bench/results/${name}.json and ${name}.md`);
