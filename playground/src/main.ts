// The playground page: four panels on lrlab's own classes, plus what the page learned about its backends.
import { useBackend, createWasmBackend, createGpuBackend, tensor, matmul } from '../../src/index.js';
import { mountOptimizers } from './optimizers-panel.js';
import { mountSchedules } from './schedules-panel.js';
import { mountRangeTest } from './range-panel.js';
import { mountGraph } from './graph-panel.js';
import { seededRun } from './seeded-run.js';

export interface BackendReport {
  isolated: boolean;
  hardwareConcurrency: number;
  wasm: { ok: boolean; threads: number; agrees: boolean; error?: string };
  gpu: { ok: boolean; mode: string; agrees: boolean; error?: string };
}

/** Runs one product on the wasm and gpu backends and compares it with the cpu reference. */
async function probeBackends(): Promise<BackendReport> {
  // 16 x 24 times 24 x 32: four column panels, so on two threads the product is really split between them
  const [m, k, n] = [16, 24, 32];
  const a = tensor(Array.from({ length: m }, (_, i) => Array.from({ length: k }, (_, j) => Math.sin(i * k + j))));
  const b = tensor(Array.from({ length: k }, (_, i) => Array.from({ length: n }, (_, j) => Math.cos(i * n + j))));
  useBackend('cpu');
  const want = Array.from(matmul(a, b).data);
  const close = (out: Float32Array) => Array.from(out).every((v, i) => Math.abs(v - want[i]) <= 1e-5 * (1 + Math.abs(want[i])));
  const report: BackendReport = {
    isolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true,
    hardwareConcurrency: (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1,
    wasm: { ok: false, threads: 0, agrees: false },
    gpu: { ok: false, mode: 'none', agrees: false },
  };
  try {
    const wasm = createWasmBackend({ threads: undefined, parallelThreshold: 0 });
    // a page's Web Workers start once this thread yields: wait for them (up to 5 s), so the product is really split
    for (let waited = 0; wasm.threadsReady() < wasm.threads && waited < 5000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    const out = new Float32Array(m * n);
    wasm.matmul(a.data, b.data, out, m, k, n, false, false);
    report.wasm = { ok: true, threads: wasm.threads, agrees: close(out) };
    wasm.dispose();
  } catch (err) {
    report.wasm.error = (err as Error).message;
  }
  try {
    const gpu = createGpuBackend({ quiet: true });
    const out = new Float32Array(m * n);
    gpu.matmul(a.data, b.data, out, m, k, n, false, false);
    report.gpu = { ok: true, mode: gpu.mode, agrees: close(out) };
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
const schedules = mountSchedules(document.getElementById('panel-schedules')!);
const range = mountRangeTest(document.getElementById('panel-range-test')!);
mountGraph(document.getElementById('panel-autograd')!);
const backends = await probeBackends();
document.getElementById('backend-status')!.textContent =
  `Backends: cpu (reference); wasm ${backends.wasm.ok ? `on ${backends.wasm.threads} thread${backends.wasm.threads > 1 ? 's' : ''}${backends.isolated ? '' : ' (the page is not cross-origin isolated, so one thread)'}` : `unavailable: ${backends.wasm.error}`}; ` +
  `gpu.js ${backends.gpu.ok ? `in mode ${backends.gpu.mode}` : `unavailable: ${backends.gpu.error}`}.`;
select('optimizers');

/** What tests and curious users can call from the console. */
(globalThis as unknown as { playground: unknown }).playground = { seededRun, backends, select, optimizers, schedules, range, ready: true };
