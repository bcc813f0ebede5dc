// The gpu.js backend: kernel caching, agreement with the CPU path over a full training step, the texture-size
// fallback, and clear errors for modes or backends that are not available.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  createGpuBackend, useBackend, getBackend, cpuBackend, randn, Generator, Sequential, Linear, ReLU, Adam, mseLoss, manualSeed, type GpuBackend,
} from '../../src/index.js';
import { assertClose } from '../helpers/assert.js';
import { availableBackends, backendLabel, withBackend } from '../helpers/backends.js';

const errors = suite('backend selection errors');

errors('a gpu.js mode that cannot run here is a clear error', () => {
  assert.throws(() => createGpuBackend({ mode: 'webgl', quiet: true }), /gpu backend: gpu.js cannot run in mode 'webgl' here/);
});

errors('LRLAB_BACKEND picks the backend; an unknown name is named in the error', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const script = "import('./src/index.ts').then((m) => { try { m.tensor([[1]]).matmul(m.tensor([[2]])); console.log('ran on ' + m.getBackend().name); } catch (e) { console.log(e.message); } })";
  const run = (value: string) => execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, env: { ...process.env, LRLAB_BACKEND: value }, encoding: 'utf8' }).trim();
  assert.match(run('cpu'), /ran on cpu/);
  assert.match(run('tpu'), /useBackend: expected one of cpu, gpu, wasm, got 'tpu'/);
});

errors.run();

for (const backend of availableBackends().filter((b) => b === 'gpu')) {
  const test = suite(`gpu.js backend (${backendLabel(backend)})`);

  test('one kernel per shape and transposition, reused: no recompilation across steps', () => {
    const gpu = useBackend(backend) as GpuBackend;
    useBackend('cpu');
    const g = new Generator(1);
    const a = randn([8, 5], { generator: g }).data, b = randn([5, 3], { generator: g }).data, out = new Float32Array(24);
    gpu.matmul(a, b, out, 8, 5, 3, false, false);
    const after = gpu.kernelCount;
    for (let i = 0; i < 5; i++) gpu.matmul(a, b, out, 8, 5, 3, false, false);
    assert.is(gpu.kernelCount, after);
    gpu.matmul(a, randn([5, 5], { generator: g }).data, new Float32Array(40), 8, 5, 5, false, true);
    assert.is(gpu.kernelCount, after + 1);
  });

  test('a full training step (forward, backward, Adam) agrees with the CPU path over 5 steps', () => {
    const train = () => {
      manualSeed(3);
      const model = new Sequential(new Linear(20, 64), new ReLU(), new Linear(64, 1));
      const opt = new Adam(model.parameters(), { lr: 1e-2 });
      const g = new Generator(4);
      const x = randn([32, 20], { generator: g }), y = randn([32, 1], { generator: g });
      for (let i = 0; i < 5; i++) {
        opt.zeroGrad();
        mseLoss(model.forward(x), y).backward();
        opt.step();
      }
      return model.parameters().map((p) => p.data);
    };
    const cpu = withBackend('cpu', train), gpu = withBackend(backend, train);
    // float32 sums in another order on the GPU; Adam normalizes steps, so differences stay near float32 epsilon
    cpu.forEach((c, i) => assertClose(gpu[i], c, { atol: 1e-5, rtol: 1e-4 }, `parameter ${i}`));
  });

  test('a product beyond the texture limit runs on the CPU kernel and gives the CPU result', () => {
    const gpu = useBackend(backend) as GpuBackend;
    useBackend('cpu');
    const k = 40000;
    const g = new Generator(5);
    const a = randn([1, k], { generator: g }).data, b = randn([k, 1], { generator: g }).data;
    const o1 = new Float32Array(1), o2 = new Float32Array(1);
    cpuBackend.matmul(a, b, o1, 1, k, 1, false, false);
    gpu.matmul(a, b, o2, 1, k, 1, false, false);
    assertClose(o2, o1, { rtol: 1e-4, atol: 1e-4 });
  });

  test.run();
}
assert.is(getBackend().name, 'cpu');

for (const backend of availableBackends().filter((b) => b === 'gpu')) {
  const fused = suite(`fused GPU MLP step (${backendLabel(backend)})`);

  fused('forward and backward on the GPU give autograd\'s loss and gradients', async () => {
    const { gpuMlpStep, mlpLayers, Sequential: Seq, Linear: Lin, ReLU: Relu, tensor, mseLoss: mse, manualSeed: seed, randn: rn, Generator: Gen } = await import('../../src/index.js');
    seed(11);
    const model = new Seq(new Lin(20, 32), new Relu(), new Lin(32, 16), new Relu(), new Lin(16, 1));
    const g = new Gen(12);
    const x = rn([32, 20], { generator: g }), y = rn([32, 1], { generator: g });
    const expectedLoss = withBackend('cpu', () => {
      model.zeroGrad();
      const l = mse(model.forward(x), y);
      l.backward();
      return l.item();
    });
    const expected = model.parameters().map((p) => Array.from(p.grad!.data));
    model.zeroGrad();
    const loss = withBackend(backend, () => gpuMlpStep(model)!.step(x, y));
    assertClose(loss, expectedLoss, { rtol: 1e-5 });
    model.parameters().forEach((p, i) => assertClose(p.grad!, expected[i], { atol: 1e-6, rtol: 1e-4 }, `gradient ${i}`));
    assert.is(mlpLayers(new Seq(new Lin(2, 2), new Relu(), new Relu())), null);
    assert.is(withBackend('cpu', () => gpuMlpStep(model)), null);
    void tensor;
  });

  fused.run();
}
