import { createRequire } from 'node:module';
import { registerBackendFactory, type Backend } from './backend.js';
import { cpuBackend } from './cpu.js';
import { checkOptionsObject } from '../../format/check.js';
import { pixelTransfers, type OutputTexture, type PixelReader } from './gpu-pixels.js';

/** The modes gpu.js can run in; `gpu` asks it to pick the best GPU mode available. */
export type GpuMode = 'gpu' | 'webgl' | 'webgl2' | 'headlessgl' | 'webgpu' | 'webasm' | 'cpu';

/** The gpu.js backend: matmul and its two backward products as gpu.js kernels. */
export interface GpuBackend extends Backend {
  /** The mode gpu.js really runs in (it falls back quietly; this records what it picked). */
  readonly mode: string;
  readonly requestedMode: GpuMode;
  /** True when `mode` runs on a GPU (WebGL, headless GL or WebGPU), not one of gpu.js's CPU fallbacks. */
  readonly onGpu: boolean;
  /** Kernels compiled so far (one per shape and transposition). */
  readonly kernelCount: number;
  /** Releases every kernel and the GL context. */
  dispose(): void;
  /** A kernel built once by `build(gpu, input)` and cached under `key` (for fused paths such as the MLP step). */
  kernel(key: string, build: (gpu: any) => any): any;
  /** gpu.js's `input(array, [width, height])`, to pass a flat array as a 2-D kernel argument. */
  input(data: Float32Array, size: [number, number]): unknown;
  /**
   * A pipelined kernel's output texture read back as RGBA floats, value i at index 4i, into a buffer kept per
   * texture size (valid until the next read of that size): no new typed array per read.
   */
  read(texture: unknown): Float32Array;
}

const KERNEL_MODES: Record<string, string> = {
  HeadlessGLKernel: 'headlessgl', WebGL2Kernel: 'webgl2', WebGLKernel: 'webgl', WebGPUKernel: 'webgpu', WebAssemblyKernel: 'webasm', CPUKernel: 'cpu',
};
const GPU_MODES = new Set(['headlessgl', 'webgl', 'webgl2', 'webgpu']);

// One kernel source per transposition: A is m x k (or stored k x m), B is k x n (or stored n x k).
const SOURCES: Record<string, string> = {
  nn: `function (a, b) { let s = 0; for (let p = 0; p < this.constants.k; p++) { s += a[this.thread.y][p] * b[p][this.thread.x]; } return s; }`,
  nt: `function (a, b) { let s = 0; for (let p = 0; p < this.constants.k; p++) { s += a[this.thread.y][p] * b[this.thread.x][p]; } return s; }`,
  tn: `function (a, b) { let s = 0; for (let p = 0; p < this.constants.k; p++) { s += a[p][this.thread.y] * b[p][this.thread.x]; } return s; }`,
  tt: `function (a, b) { let s = 0; for (let p = 0; p < this.constants.k; p++) { s += a[p][this.thread.y] * b[this.thread.x][p]; } return s; }`,
};

/** The message when gpu.js is not installed: it is an optional peer dependency, so a default install lacks it. */
const GPU_JS_MISSING = 'gpu backend: needs the optional package gpu.js (npm install gpu.js); the cpu and wasm backends need nothing extra';

/**
 * Loads gpu.js (CommonJS) on first use. gpu.js is an optional peer dependency: a default install of lrlab has
 * neither it nor its headless GL addon `gl`, which compiles from source, so its absence is named as such.
 */
function loadGpuJs(): any {
  try {
    return createRequire(import.meta.url)('gpu.js');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    // the browser build's createRequire (src/platform/browser/module.ts) already says what the page lacks
    if (e.message.startsWith('gpu backend:')) throw e;
    // only gpu.js itself missing is "not installed"; a missing dependency of gpu.js names that module instead
    if (e.code === 'MODULE_NOT_FOUND' && /Cannot find module 'gpu\.js'/.test(e.message)) throw new Error(GPU_JS_MISSING);
    throw new Error(`gpu backend: gpu.js is installed but cannot be loaded (${e.message.split('\n')[0]}); reinstall it, or use the cpu or wasm backend`);
  }
}

/**
 * Creates the gpu.js backend. gpu.js is loaded here, on first use, not when lrlab is imported. One kernel is
 * compiled per (shape, transposition) and reused; `dispose()` frees them. Shapes beyond the GL texture limit run on
 * the CPU reference kernel instead (with a one-time notice), so a result is never wrong.
 */
export function createGpuBackend(options: { mode?: GpuMode; name?: string; quiet?: boolean } = {}): GpuBackend {
  options = checkOptionsObject('createGpuBackend', options, ['mode', 'name', 'quiet']);
  const requestedMode = options.mode ?? 'gpu';
  const gpujs = loadGpuJs();
  const GPU = gpujs.GPU;
  let gpu: any;
  try {
    gpu = new GPU({ mode: requestedMode });
  } catch (err) {
    throw new Error(`gpu backend: gpu.js cannot run in mode '${requestedMode}' here: ${(err as Error).message}`);
  }
  const input = GPU.input ?? gpujs.input;
  const kernels = new Map<string, any>();
  let maxTexture = Infinity;
  let warnedSize = false;

  // one compiled kernel per key, reused on every later call: the matmul variants and the fused MLP step share it
  const cached = (key: string, make: () => any) => {
    let kernel = kernels.get(key);
    if (kernel === undefined) {
      try {
        kernel = make();
      } catch (err) {
        throw new Error(`gpu backend: compiling kernel '${key}' failed: ${(err as Error).message}`);
      }
      kernels.set(key, kernel);
    }
    return kernel;
  };
  // on a GPU the result stays in the kernel's texture and is read into a kept buffer (gpu.js would allocate per row)
  let pipeline = false;
  const build = (variant: string, m: number, k: number, n: number) =>
    cached(`matmul ${variant} (${m} x ${k}) x (${k} x ${n})`, () =>
      gpu.createKernel(SOURCES[variant], { output: [n, m], constants: { k }, loopMaxIterations: k, precision: 'single', tactic: 'precision', dynamicOutput: false, optimizeFloatMemory: false }).setPipeline(pipeline));

  // a probe kernel tells which mode gpu.js really chose
  const probe = cached('probe', () => gpu.createKernel(SOURCES.nn, { output: [1, 1], constants: { k: 1 }, loopMaxIterations: 1, precision: 'single', tactic: 'precision', dynamicOutput: false }));
  probe(input(new Float32Array([1]), [1, 1]), input(new Float32Array([1]), [1, 1]));
  const kernelClass = probe.kernel?.constructor?.name ?? probe.constructor?.name ?? '';
  const mode = KERNEL_MODES[kernelClass] ?? gpu.mode ?? 'unknown';
  const onGpu = GPU_MODES.has(mode);
  let pixels: PixelReader | null = null;
  if (onGpu && probe.kernel?.context?.getParameter) {
    const ctx = probe.kernel.context;
    maxTexture = ctx.getParameter(ctx.MAX_TEXTURE_SIZE) ?? Infinity;
    pixels = pixelTransfers(ctx);
    pipeline = true;
  }
  if (requestedMode === 'gpu' && !onGpu && !options.quiet) {
    console.warn(`lrlab: the gpu backend asked gpu.js for a GPU, but gpu.js runs in '${mode}' mode here (no WebGL or headless GL; on Linux, build the gl addon and run under xvfb-run). Results are correct, not GPU-accelerated.`);
  }

  const backend: GpuBackend = {
    name: options.name ?? 'gpu',
    mode,
    requestedMode,
    onGpu,
    get kernelCount() {
      return kernels.size;
    },
    matmul(a, b, out, m, k, n, transA, transB) {
      // an empty sum (gpu.js takes no input of size 0): `out` is overwritten whatever it held
      if (k === 0) {
        out.fill(0, 0, m * n);
        return;
      }
      if (Math.max(m, n, k) > maxTexture) {
        if (!warnedSize && !options.quiet) {
          warnedSize = true;
          console.warn(`lrlab: a ${m} x ${k} x ${n} product exceeds the GL texture limit (${maxTexture}); such products run on the CPU reference kernel`);
        }
        cpuBackend.matmul(a, b, out, m, k, n, transA, transB);
        return;
      }
      const variant = `${transA ? 't' : 'n'}${transB ? 't' : 'n'}`;
      const kernel = build(variant, m, k, n);
      // gpu.js reads a flat array with its [width, height]: width is the stored row length
      const A = input(a.length === m * k ? a : a.subarray(0, m * k), transA ? [m, k] : [k, m]);
      const B = input(b.length === k * n ? b : b.subarray(0, k * n), transB ? [k, n] : [n, k]);
      if (pipeline) {
        const raw = backend.read(kernel(A, B));
        for (let i = 0, size = m * n; i < size; i++) out[i] = raw[4 * i];
        return;
      }
      const rows = kernel(A, B) as Float32Array[];
      for (let i = 0; i < m; i++) out.set(rows[i], i * n);
    },
    kernel(key, make) {
      return cached(key, () => make(gpu));
    },
    input(data, size) {
      return input(data, size);
    },
    read(texture) {
      if (pixels === null) throw new Error(`gpu backend: reading a texture needs a GPU mode, but gpu.js runs in '${mode}' mode`);
      return pixels.read(texture as OutputTexture);
    },
    dispose() {
      for (const kernel of kernels.values()) kernel.destroy?.();
      kernels.clear();
      gpu.destroy?.();
    },
  };
  return backend;
}

registerBackendFactory('gpu', () => createGpuBackend());
