// The recurrent suite alone (`npm run bench` runs it with everything else):
//   node --expose-gc --import tsx bench/lstm-only.ts [--quick]
// Writes bench/results/lstm.md (or lstm-quick.md) with the same table as the full run.
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../src/index.js';
import { lrlabImplementations, machine } from './common.js';
import { lstmEpochSuite } from './recurrent.js';

const quick = process.argv.includes('--quick');
const info = machine();
const started = new Date();
console.log(`LSTM epoch benchmark: ${info.cpu}, ${info.cores} cores, Node ${info.node}`);
const impls = lrlabImplementations(() => {}).filter((i) => i.mode === '-');
const rows = await lstmEpochSuite(impls, (s) => console.log(s), quick);
const fmt = (v: number | string | undefined, d = 2) => (typeof v === 'number' ? (Number.isFinite(v) ? v.toFixed(d) : '-') : v ?? '-');
const md = [
  `### LSTM forecaster, one epoch (hidden 64, window 20, batch 32, Adam, built-in series; ${started.toISOString().slice(0, 10)}${quick ? ', quick run' : ''})`,
  '',
  `Machine: ${info.cpu}, ${info.cores} cores, Node ${info.node}. lrlab rows agree on the first-epoch loss before timing; the peers start from their own weights.`,
  '',
  '| implementation | backend | ms / epoch | examples / s | speed vs tfjs-wasm | first-epoch loss |',
  '|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.implementation} | ${r.backend} | ${fmt(r.ms, 0)} ±${fmt(r.rme, 0)}% | ${fmt(r.figures.examplesPerSecond, 0)} | x${fmt(r.figures.vsTfjsWasm)} | ${fmt(r.figures.firstEpochLoss, 4)} |`),
  '',
].join('\n');
const out = join(dirname(fileURLToPath(import.meta.url)), 'results', quick ? 'lstm-quick.md' : 'lstm.md');
writeFileAtomic(out, md);
console.log(`\n${md}\nwrote ${out}`);
