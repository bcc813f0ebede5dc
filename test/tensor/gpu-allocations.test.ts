// The gpu.js backend creates no typed array or typed-array view per training step after the first (plain loop and
// fit), while its kernels keep reading the new data of every step: uploads reuse their textures, read-backs reuse
// one buffer per texture size.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  builtInData, builtInModel, Adam, fit, Generator, manualSeed, mseLoss, reuseBuffers, randn, useBackend, cpuBackend, gpuMlpStep,
  createGpuBackend, Tensor, type GpuBackend, type Module,
} from '../../src/index.js';
import { pixelTransfers } from '../../src/tensor/backends/gpu-pixels.js';
import { assertClose } from '../helpers/assert.js';
import { availableBackends, backendLabel, withBackend } from '../helpers/backends.js';
import { assertFitAllocatesNothingPerStep, countTypedArrays } from '../helpers/allocations.js';

const reader = suite('reading kernel outputs into kept buffers');

// a stand-in GL context: what a browser's native context offers (no headless GL layer behind it)
const fakeContext = () => {
  const calls: { size: [number, number]; buffer: Float32Array }[] = [];
  const gl = {
    FRAMEBUFFER: 1, COLOR_ATTACHMENT0: 2, TEXTURE_2D: 3, RGBA: 4, FLOAT: 5,
    getExtension: () => null,
    bindFramebuffer: () => {},
    framebufferTexture2D: () => {},
    readPixels: (_x: number, _y: number, w: number, h: number, _f: number, _t: number, buffer: Float32Array) => {
      calls.push({ size: [w, h], buffer });
      for (let i = 0; i < buffer.length; i++) buffer[i] = calls.length * 1000 + i;
    },
  };
  return { gl, calls };
};
const texture = (w: number, h: number) => ({ size: [w, h], texture: {}, framebuffer: () => ({}) });

reader('a read fills one RGBA buffer per texture size and hands the same buffer back on the next read of that size', () => {
  const { gl, calls } = fakeContext();
  const pixels = pixelTransfers(gl);
  const first = pixels.read(texture(3, 2));
  assert.is(first.length, 3 * 2 * 4);
  assert.is(first[5], 1005);
  const again = pixels.read(texture(3, 2));
  assert.is(again, first);
  assert.is(again[5], 2005, 'the second read overwrote the kept buffer');
  const other = pixels.read(texture(4, 1));
  assert.ok(other !== first);
  assert.is(other.length, 16);
  assert.equal(calls.map((c) => c.size), [[3, 2], [3, 2], [4, 1]]);
});

reader('a context without headless GL behind it keeps its own texImage2D (nothing replaced)', () => {
  const { gl } = fakeContext();
  const own = () => {};
  const withUpload = { ...gl, texImage2D: own };
  pixelTransfers(withUpload);
  assert.is(withUpload.texImage2D, own);
});

reader('reading a texture on a backend where gpu.js runs on the CPU is a clear error', () => {
  let gpu: GpuBackend;
  try {
    gpu = createGpuBackend({ mode: 'cpu', quiet: true });
  } catch (err) {
    console.log(`  gpu.js cpu mode unavailable, error path not exercised: ${(err as Error).message}`);
    return;
  }
  try {
    assert.throws(() => gpu.read({}), /gpu backend: reading a texture needs a GPU mode, but gpu.js runs in 'cpu' mode/);
  } finally {
    gpu.dispose();
  }
});

reader.run();

const gpuHere = availableBackends().includes('gpu');
const zero = suite('gpu.js backend: no typed array per training step');
if (!gpuHere) {
  console.log('  gpu allocation suite skipped: gpu.js has no GPU mode here (headless GL needs the gl addon and a display: run under xvfb-run -a)');
  zero.skip('no typed array or view per step, plain loop and fit', () => {});
}

const plainStep = (model: Module, opt: Adam, x: Tensor, y: Tensor) => {
  reuseBuffers(() => {
    opt.zeroGrad({ setToNone: false });
    mseLoss(model.forward(x), y).backward();
  });
  opt.step();
};

if (gpuHere) {
  const label = backendLabel('gpu');

  zero(`a plain training loop creates no typed array or view per step after the first (${label})`, () => {
    useBackend('gpu');
    try {
      manualSeed(1);
      const d = builtInData();
      const model = builtInModel(), opt = new Adam(model.parameters());
      const x = new Tensor(d.train.x.data.slice(0, 32 * 20), [32, 20]), y = new Tensor(d.train.y.data.slice(0, 32), [32, 1]);
      // the counter sees gpu.js's work: the first step compiles kernels and sizes buffers
      const first = countTypedArrays(() => plainStep(model, opt, x, y));
      assert.ok(first > 0, 'the first step created nothing the counter saw');
      plainStep(model, opt, x, y);
      const created = countTypedArrays(() => {
        for (let i = 0; i < 20; i++) plainStep(model, opt, x, y);
      });
      assert.is(created, 0, `${created} typed arrays or views in 20 steps`);
    } finally {
      useBackend('cpu');
    }
  });

  for (const fused of [true, false]) {
    zero(`fit ${fused ? 'through the fused GPU step' : 'through autograd on the GPU kernels'} creates per call what one epoch does: nothing per step (${label})`, () => {
      useBackend('gpu');
      try {
        manualSeed(1);
        const d = builtInData();
        const model = builtInModel(), opt = new Adam(model.parameters());
        assertFitAllocatesNothingPerStep((epochs) => void fit(model, { x: d.train.x, y: d.train.y, optimizer: opt, epochs, generator: new Generator(3), progress: false, fusedGpuStep: fused }), label, assert);
      } finally {
        useBackend('cpu');
      }
    });
  }

  zero(`a kernel called again with new data of the same shapes computes on the new data (${label})`, () => {
    const gpu = useBackend('gpu') as GpuBackend;
    useBackend('cpu');
    const g = new Generator(7);
    for (let call = 0; call < 4; call++) {
      const a = randn([9, 6], { generator: g }).data, b = randn([6, 5], { generator: g }).data;
      const want = new Float32Array(45), got = new Float32Array(45);
      cpuBackend.matmul(a, b, want, 9, 6, 5, false, false);
      gpu.matmul(a, b, got, 9, 6, 5, false, false);
      assertClose(got, want, { atol: 1e-5, rtol: 1e-5 }, `call ${call}`);
    }
  });

  zero(`the fused step on new batches and updated weights gives autograd's loss and gradients at every step (${label})`, () => {
    manualSeed(5);
    const model = builtInModel(), opt = new Adam(model.parameters(), { lr: 1e-2 });
    const g = new Generator(6);
    const step = withBackend('gpu', () => gpuMlpStep(model))!;
    for (let s = 0; s < 3; s++) {
      const x = randn([32, 20], { generator: g }), y = randn([32, 1], { generator: g });
      const want = withBackend('cpu', () => {
        opt.zeroGrad();
        const l = mseLoss(model.forward(x), y);
        l.backward();
        return { loss: l.item(), grads: model.parameters().map((p) => Float32Array.from(p.grad!.data)) };
      });
      opt.zeroGrad();
      const loss = withBackend('gpu', () => step.step(x, y));
      assertClose(loss, want.loss, { rtol: 1e-5 }, `loss at step ${s}`);
      model.parameters().forEach((p, i) => assertClose(p.grad!, want.grads[i], { atol: 1e-6, rtol: 1e-4 }, `gradient ${i} at step ${s}`));
      withBackend('cpu', () => opt.step());
    }
  });
}

zero.run();
