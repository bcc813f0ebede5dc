// The playground page: four panels on lrlab's own classes, plus what the page learned about its backends.
import { useBackend, createWasmBackend, createGpuBackend, tensor, matmul } from '../../src/index.js';
import { mountOptimizers } from './optimizers-panel.js';
import { mountSchedules } from './schedules-panel.js';
import { mountRangeTest } from './range-panel.js';
import { mountGraph } from './graph-panel.js';
import { seededRun } from './seeded-run.js';

export interface BackendReport {
  isolated: boolean;
  wasm: { ok: boolean; threads: number; agrees: boolean; error?: string };
  gpu: { ok: boolean; mode: string; agrees: boolean; error?: string };
}

/** Runs one product on the wasm and gpu backends and compares it with the cpu reference. */
function probeBackends(): BackendReport {
  const a = tensor([[1, 2, 3], [4, 5, 6]]), b = tensor([[1, 0], [0.5, 1], [-1, 2]]);
  useBackend('cpu');
  const want = Array.from(matmul(a, b).data);
  const report: BackendReport = {
    isolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true,
    wasm: { ok: false, threads: 0, agrees: false },
    gpu: { ok: false, mode: 'none', agrees: false },
  };
  try {
    const wasm = createWasmBackend({ threads: undefined, parallelThreshold: 0 });
    const out = new Float32Array(4);
    wasm.matmul(a.data, b.data, out, 2, 3, 2, false, false);
    report.wasm = { ok: true, threads: wasm.threads, agrees: Array.from(out).every((v, i) => v === want[i]) };
    wasm.dispose();
  } catch (err) {
    report.wasm.error = (err as Error).message;
  }
  try {
    const gpu = createGpuBackend({ quiet: true });
    const out = new Float32Array(4);
    gpu.matmul(a.data, b.data, out, 2, 3, 2, false, false);
    report.gpu = { ok: true, mode: gpu.mode, agrees: Array.from(out).every((v, i) => Math.abs(v - want[i]) < 1e-5) };
    gpu.dispose();
  } catch (err) {
    report.gpu.error = (err as Error).message;
  }
  useBackend('cpu');
  return report;
}

const panels = ['optimizers', 'schedules', 'range-test', 'autograd'] as const;

function select(name: string): void {
  for (const p of panels) {
    document.getElementById(`tab-${p}`)!.setAttribute('aria-selected', String(p === name));
    document.getElementById(`panel-${p}`)!.hidden = p !== name;
  }
}

for (const p of panels) document.getElementById(`tab-${p}`)!.addEventListener('click', () => select(p));
const optimizers = mountOptimizers(document.getElementById('panel-optimizers')!);
mountSchedules(document.getElementById('panel-schedules')!);
const range = mountRangeTest(document.getElementById('panel-range-test')!);
mountGraph(document.getElementById('panel-autograd')!);
const backends = probeBackends();
document.getElementById('backend-status')!.textContent =
  `Backends: cpu (reference); wasm ${backends.wasm.ok ? `on ${backends.wasm.threads} thread${backends.wasm.threads > 1 ? 's' : ''}${backends.isolated ? '' : ' (the page is not cross-origin isolated, so one thread)'}` : `unavailable: ${backends.wasm.error}`}; ` +
  `gpu.js ${backends.gpu.ok ? `in mode ${backends.gpu.mode}` : `unavailable: ${backends.gpu.error}`}.`;
select('optimizers');

/** What tests and curious users can call from the console. */
(globalThis as unknown as { playground: unknown }).playground = { seededRun, backends, select, optimizers, range, ready: true };
