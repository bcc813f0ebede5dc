import type { Tensor } from '../tensor.js';
import { getBackend } from './backend.js';
import type { GpuBackend } from './gpujs.js';
import { Sequential, Linear, ReLU } from '../../nn/layers.js';
import type { Module } from '../../nn/module.js';

/** One training step's forward and backward on the GPU: returns the loss and leaves the gradients in `grad`. */
export interface FusedStep {
  step(x: Tensor, y: Tensor): number;
}

interface Layer {
  linear: Linear;
  relu: boolean;
}

/** The layers of a Sequential made only of Linear layers, each optionally followed by a ReLU; else null. */
export function mlpLayers(model: Module): Layer[] | null {
  if (!(model instanceof Sequential)) return null;
  const layers: Layer[] = [];
  for (const m of model.layers) {
    if (m instanceof Linear) layers.push({ linear: m, relu: false });
    else if (m instanceof ReLU && layers.length > 0 && !layers[layers.length - 1].relu) layers[layers.length - 1].relu = true;
    else return null;
  }
  return layers.length > 0 ? layers : null;
}

// forward: out[i][j] = act(sum_p x[i][p] w[j][p] + b[j]), one fused kernel per layer (matmul, bias, ReLU)
const FORWARD = (relu: boolean) => `function (x, w, b) {
  let s = 0;
  for (let p = 0; p < this.constants.k; p++) { s += x[this.thread.y][p] * w[this.thread.x][p]; }
  s += b[this.thread.x];
  return ${relu ? 's > 0 ? s : 0' : 's'};
}`;
// dL/dyhat of the mean squared error
const LOSS_GRAD = `function (yhat, y) { return 2 * (yhat[this.thread.y][this.thread.x] - y[this.thread.y][this.thread.x]) / this.constants.count; }`;
// gz = g * relu'(a) is folded into each backward kernel: the activation a > 0 where the ReLU passed the gradient
const GZ = (relu: boolean, i: string, j: string) => (relu ? `(a[${i}][${j}] > 0 ? g[${i}][${j}] : 0)` : `g[${i}][${j}]`);
const DW = (relu: boolean) => `function (g, a, x) { let s = 0; for (let i = 0; i < this.constants.n; i++) { s += ${GZ(relu, 'i', 'this.thread.y')} * x[i][this.thread.x]; } return s; }`;
const DB = (relu: boolean) => `function (g, a) { let s = 0; for (let i = 0; i < this.constants.n; i++) { s += ${GZ(relu, 'i', 'this.thread.x')}; } return s; }`;
const DX = (relu: boolean) => `function (g, a, w) { let s = 0; for (let j = 0; j < this.constants.m; j++) { s += ${GZ(relu, 'this.thread.y', 'j')} * w[j][this.thread.x]; } return s; }`;

/**
 * A fused training step for a ReLU MLP under the mean squared error on the gpu.js backend: the forward pass and
 * the backward pass stay on the GPU from layer to layer (pipelined textures, no read-back in between); only the
 * predictions (for the loss value) and the parameter gradients (for the CPU optimizer) come back. Kernels are
 * compiled once per shape and their output textures reused. Returns null when the backend is not a GPU or the
 * model is not such an MLP; `fit` then uses the general autograd path. A test checks it against autograd.
 */
export function gpuMlpStep(model: Module): FusedStep | null {
  const backend = getBackend() as Partial<GpuBackend>;
  if (!backend.onGpu || typeof backend.kernel !== 'function') return null;
  const layers = mlpLayers(model);
  if (layers === null) return null;
  const gpu = backend as GpuBackend;
  const zeros = new Map<number, Float32Array>();
  const bias = (l: Linear) => l.bias?.data ?? zeros.get(l.outFeatures) ?? (zeros.set(l.outFeatures, new Float32Array(l.outFeatures)), zeros.get(l.outFeatures)!);
  const settings = (output: number[], constants: Record<string, number>, pipeline: boolean, loop: number) =>
    ({ output, constants, pipeline, precision: 'single', tactic: 'precision', loopMaxIterations: loop, dynamicOutput: false, optimizeFloatMemory: false });

  return {
    step(x: Tensor, y: Tensor): number {
      const n = x.shape[0];
      const acts: unknown[] = [gpu.input(x.data, [x.shape[1], n])];
      layers.forEach(({ linear: l, relu }, li) => {
        const k = l.inFeatures, m = l.outFeatures;
        const fwd = gpu.kernel(`mlp-fwd:${li}:${n}:${k}:${m}:${relu}`, (g) => g.createKernel(FORWARD(relu), settings([m, n], { k }, true, k)));
        acts.push(fwd(acts[li], gpu.input(l.weight.data, [k, m]), bias(l)));
      });
      const last = layers[layers.length - 1].linear, out = last.outFeatures;
      const yhatTexture = acts[acts.length - 1];
      // predictions read into a kept buffer: value i of the n x out output at index 4i
      const yhat = gpu.read(yhatTexture);
      let sq = 0;
      for (let i = 0, size = n * out; i < size; i++) sq += (yhat[4 * i] - y.data[i]) ** 2;
      const loss = sq / (n * out);
      if (!Number.isFinite(loss)) return loss;
      const lossGrad = gpu.kernel(`mlp-dloss:${n}:${out}`, (g) => g.createKernel(LOSS_GRAD, settings([out, n], { count: n * out }, true, 1)));
      let grad = lossGrad(yhatTexture, gpu.input(y.data, [out, n]));
      for (let li = layers.length - 1; li >= 0; li--) {
        const { linear: l, relu } = layers[li];
        const k = l.inFeatures, m = l.outFeatures;
        const key = `${li}:${n}:${k}:${m}:${relu}`;
        const dw = gpu.kernel(`mlp-dw:${key}`, (g) => g.createKernel(DW(relu), settings([k, m], { n }, true, n)));
        const db = gpu.kernel(`mlp-db:${key}`, (g) => g.createKernel(DB(relu), settings([m], { n }, true, n)));
        addGrad(l.weight, gpu.read(dw(grad, acts[li + 1], acts[li])));
        if (l.bias !== null) addGrad(l.bias, gpu.read(db(grad, acts[li + 1])));
        if (li > 0) {
          const dx = gpu.kernel(`mlp-dx:${key}`, (g) => g.createKernel(DX(relu), settings([k, n], { m }, true, m)));
          grad = dx(grad, acts[li + 1], gpu.input(l.weight.data, [k, m]));
        }
      }
      return loss;
    },
  };
}

/** Adds a gradient read back from the GPU (value i at index 4i) into a parameter's gradient, as backward() does. */
function addGrad(p: Tensor, raw: Float32Array): void {
  if (p.grad === null) p.grad = new (p.constructor as typeof Tensor)(new Float32Array(p.size), p.shape);
  const g = p.grad.data;
  for (let i = 0; i < g.length; i++) g[i] += raw[4 * i];
}
