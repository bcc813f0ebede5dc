// The optimizer-update rows of the speed benchmark alone, beside PyTorch: `node --expose-gc --import tsx
// bench/optimizers.ts [--quick] [--only Adam,SGD]` (names as in bench/speed.ts's OPTIMIZERS, comma-separated).
// Prints the rows; writes nothing.
import { cpuBackend, createWasmBackend } from '../src/index.js';
import { machine, type LrlabImpl } from './common.js';
import { findTorch, optimizerSuite } from './speed.js';

const quick = process.argv.includes('--quick');
const at = process.argv.indexOf('--only');
const only = at >= 0 ? process.argv[at + 1]?.split(',') : undefined;
const info = machine();
console.log(`optimizer updates${quick ? ' (quick)' : ''}: ${info.cpu}, ${info.cores} cores, Node ${info.node}`);
const impls: LrlabImpl[] = [
  { label: 'lrlab cpu (reference)', backend: cpuBackend, mode: '-' },
  { label: 'lrlab wasm SIMD, 1 thread', backend: createWasmBackend({ threads: 1, name: 'wasm-1' }), mode: '-' },
  { label: 'lrlab wasm SIMD, 2 threads', backend: createWasmBackend({ threads: 2, name: 'wasm' }), mode: '-' },
];
const torch = findTorch();
console.log('skip' in torch ? `PyTorch peer skipped: ${torch.skip}` : `PyTorch peer: torch ${torch.version.split(' ')[0]}, one thread`);
optimizerSuite(impls, torch, (s) => console.log(s), quick, only);
for (const i of impls) (i.backend as { dispose?: () => void }).dispose?.();
