// BasicBlock, resnet18 and smallResnet against torchvision (test/fixtures/layers-resnet.json, from
// gen_layers_resnet.py) on every backend: state-dict keys, train- and eval-mode outputs, gradients and running
// statistics; then init, determinism, a few training steps, and the errors.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  BasicBlock, ResNet, resnet18, smallResnet, Sequential, Conv2d, BatchNorm2d, Linear, Adam, crossEntropy, tensor, randn,
  Generator, manualSeed, stateDictFromJSON, Tensor, type StateDict, type Module,
} from '../../src/index.js';
import { assertClose, assertShape, fixture, type TensorJSONFixture } from '../helpers/assert.js';
import { availableBackends, backendLabel, withBackend } from '../helpers/backends.js';

interface BlockStep {
  mode: 'train' | 'eval'; input: TensorJSONFixture; w: TensorJSONFixture; output: TensorJSONFixture; inputGrad: TensorJSONFixture;
  grads: Record<string, TensorJSONFixture>; stateAfter: Record<string, TensorJSONFixture>;
}
interface BlockCase { inplanes: number; planes: number; stride: number; state: Record<string, TensorJSONFixture>; keys: string[]; steps: BlockStep[] }
interface GradSummary { shape: number[]; sum: number; sumSq: number; at: number[]; values: number[] }
interface NetworkStep { mode: 'train' | 'eval'; logits: TensorJSONFixture; loss: number; grads: Record<string, GradSummary>; bn1: Record<string, TensorJSONFixture> }
interface NetworkCase { keys: string[]; input: TensorJSONFixture; target: number[]; steps: NetworkStep[] }
const fx = fixture<{
  basicBlock: BlockCase[]; resnet18Keys: string[]; resnet18Shapes: number[][]; resnet18ParameterCount: number;
  resnet18Cifar: NetworkCase; resnet18Imagenet: NetworkCase; smallResnet: NetworkCase;
}>('layers-resnet.json');
const leaf = (t: TensorJSONFixture, requiresGrad = false) => tensor(t.data, { shape: t.shape, requiresGrad });

/**
 * gen_layers_resnet.py's lcg_fill, bit for bit: float32(low + (high - low) · k / 2^24) with k the top 24 bits of the
 * LCG state' = 1664525 · state + 1013904223 (mod 2^32). Both sides compute in double and round once.
 */
function lcgFill(shape: readonly number[], seed: number, low: number, high: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1), data = new Float32Array(n);
  let state = seed >>> 0;
  for (let i = 0; i < n; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    data[i] = low + (high - low) * ((state >>> 8) / 16777216);
  }
  return new Tensor(data, shape);
}

/** gen_layers_resnet.py's lcg_state: every entry by its key and its position in torch's state dict. */
function lcgState(keys: readonly string[], shapes: StateDict): StateDict {
  const out: StateDict = {};
  const fan = (k: string) => shapes[k].shape.slice(1).reduce((a, b) => a * b, 1);
  keys.forEach((k, i) => {
    const seed = 1000 + i, shape = shapes[k].shape;
    if (k.endsWith('num_batches_tracked')) out[k] = new Tensor(new Float32Array(1), shape);
    else if (k.endsWith('running_mean')) out[k] = lcgFill(shape, seed, -0.1, 0.1);
    else if (k.endsWith('running_var')) out[k] = lcgFill(shape, seed, 0.5, 1.5);
    else if (shape.length >= 2) out[k] = lcgFill(shape, seed, -1 / Math.sqrt(fan(k)), 1 / Math.sqrt(fan(k)));
    else if (k === 'fc.bias') out[k] = lcgFill(shape, seed, -1 / Math.sqrt(fan('fc.weight')), 1 / Math.sqrt(fan('fc.weight')));
    else if (k.endsWith('weight')) out[k] = lcgFill(shape, seed, 0.5, 1.5);
    else out[k] = lcgFill(shape, seed, -0.2, 0.2);
  });
  return out;
}

/** Compares a gradient with torch's summary: its sum, its sum of squares, and the values at 16 positions. */
function assertGradSummary(g: Tensor, s: GradSummary, tol: { rtol: number; atol: number }, label: string): void {
  assertShape(g, s.shape, `${label} shape`);
  let sum = 0, sumSq = 0;
  for (const v of g.data) {
    sum += v;
    sumSq += v * v;
  }
  const scale = Math.sqrt(s.sumSq / g.size); // the gradient's root mean square: the atol of a sum is relative to it
  assertClose(sumSq, s.sumSq, { rtol: 2 * tol.rtol, atol: 0 }, `${label} sum of squares`);
  assertClose(sum, s.sum, { rtol: tol.rtol, atol: tol.atol * scale * Math.sqrt(g.size) }, `${label} sum`);
  assertClose(s.at.map((i) => g.data[i]), s.values, { rtol: tol.rtol, atol: tol.atol * scale }, `${label} sampled values`);
}

/** Runs the fixture's train step then eval step on `model` (weights from lcgState) and compares each with torch's. */
function checkNetwork(model: ResNet, c: NetworkCase, tol: { logits: number; grad: number }): void {
  assert.equal(Object.keys(model.stateDict()), c.keys, 'state-dict keys in torchvision\'s order');
  model.loadStateDict(lcgState(c.keys, model.stateDict()));
  const x = leaf(c.input);
  for (const step of c.steps) {
    model.train(step.mode === 'train');
    model.zeroGrad();
    const logits = model.forward(x);
    assertClose(logits, step.logits.data, { atol: tol.logits, rtol: tol.logits }, `${step.mode} logits`);
    const loss = crossEntropy(logits, c.target);
    assertClose(loss.item(), step.loss, { rtol: tol.logits, atol: 0 }, `${step.mode} loss`);
    loss.backward();
    for (const [name, p] of model.namedParameters()) assertGradSummary(p.grad!, step.grads[name], { rtol: tol.grad, atol: tol.grad }, `${step.mode} grad ${name}`);
    const state = model.stateDict();
    for (const [k, v] of Object.entries(step.bn1)) assertClose(state[k], v.data, { atol: 1e-6, rtol: 1e-5 }, `${step.mode} ${k}`);
  }
}

for (const backend of availableBackends()) {
  const blocks = suite(`BasicBlock matches torchvision's BasicBlock (${backendLabel(backend)})`);
  fx.basicBlock.forEach((c) => {
    const name = `BasicBlock(${c.inplanes}, ${c.planes}, { stride: ${c.stride} })${c.state['downsample.0.weight'] ? ' with a 1x1 conv + BatchNorm downsample' : ''}`;
    blocks(`${name}: torchvision's keys and weights load; train then eval outputs, every gradient and the running statistics agree`, () => {
      withBackend(backend, () => {
        const downsample = c.state['downsample.0.weight'] ? new Sequential(new Conv2d(c.inplanes, c.planes, 1, { stride: c.stride, bias: false }), new BatchNorm2d(c.planes)) : null;
        const block = new BasicBlock(c.inplanes, c.planes, { stride: c.stride, downsample });
        assert.equal(Object.keys(block.stateDict()), c.keys);
        block.loadStateDict(stateDictFromJSON(c.state));
        for (const step of c.steps) {
          block.train(step.mode === 'train');
          block.zeroGrad();
          const x = leaf(step.input, true);
          const y = block.forward(x);
          assertShape(y, step.output.shape);
          // two 3x3 convolutions and BatchNorm's batch statistics: float32 sums in another order than torch's
          assertClose(y, step.output.data, { atol: 2e-5, rtol: 1e-4 }, `${step.mode} output`);
          y.backward(leaf(step.w));
          assertClose(x.grad!, step.inputGrad.data, { atol: 2e-5, rtol: 1e-4 }, `${step.mode} dL/dinput`);
          for (const [k, p] of block.namedParameters()) assertClose(p.grad!, step.grads[k].data, { atol: 1e-4, rtol: 1e-4 }, `${step.mode} dL/d${k}`);
          const state = block.stateDict();
          for (const [k, v] of Object.entries(step.stateAfter)) assertClose(state[k], v.data, { atol: 1e-5, rtol: 1e-5 }, `${step.mode} ${k}`);
        }
      });
    });
  });

  const nets = suite(`resnet18 (both stems) and smallResnet match torchvision's (${backendLabel(backend)})`);
  nets('smallResnet on 4 one-channel 28x28 images: train and eval logits, loss, gradients and bn1\'s running statistics', () => {
    withBackend(backend, () => {
      // float32 sums in another order than torch's, through 7 convolutions and BatchNorms: logits within 1e-6,
      // gradients within about 2e-5 of their root mean square (the fixture's batch keeps every ReLU input away from
      // 0, so no element takes the other side of a kink: gen_layers_resnet.py's relu_margin)
      checkNetwork(smallResnet({ numClasses: 10, inChannels: 1 }), fx.smallResnet, { logits: 1e-5, grad: 1e-4 });
    });
  });
  nets('resnet18({ numClasses: 10, stem: \'cifar\' }) on 2 images 3x32x32, weights loaded by torchvision\'s keys: train and eval logits, loss, gradients', () => {
    withBackend(backend, () => {
      // 20 convolutions deep, batch statistics over 2 images: logits within 1.2e-6 and gradients within 2.2e-5 of
      // their root mean square measured; with a batch that brings a ReLU input within 1e-6 of 0, one element flips
      // and moves its whole BatchNorm channel's gradient (1% on every earlier layer): see relu_margin
      checkNetwork(resnet18({ numClasses: 10, stem: 'cifar' }), fx.resnet18Cifar, { logits: 1e-5, grad: 1e-4 });
    });
  });
  nets('resnet18({ numClasses: 10 }) with torchvision\'s own stem (7x7 stride-2 conv1, max pool) on 2 images 3x64x64: train and eval', () => {
    withBackend(backend, () => {
      // the same measure as above; layer4 sees 2x2 per image, so its batch statistics come from 8 values
      checkNetwork(resnet18({ numClasses: 10 }), fx.resnet18Imagenet, { logits: 1e-5, grad: 1e-4 });
    });
  });
  blocks.run();
  nets.run();
}

const layout = suite('resnet18 and smallResnet: torchvision\'s layout');
layout('resnet18() has torchvision\'s state-dict keys, shapes and parameter count (11,689,512 with 1000 classes)', () => {
  const m = resnet18({ generator: new Generator(1) });
  const state = m.stateDict();
  assert.equal(Object.keys(state), fx.resnet18Keys);
  assert.equal(Object.values(state).map((t) => [...t.shape]), fx.resnet18Shapes);
  assert.is(m.parameters().reduce((n, p) => n + p.size, 0), fx.resnet18ParameterCount);
  assertShape(state['conv1.weight'], [64, 3, 7, 7]);
  assert.equal(m.namedChildren().map(([n]) => n), ['conv1', 'bn1', 'relu', 'maxpool', 'layer1', 'layer2', 'layer3', 'layer4', 'avgpool', 'fc']);
});
layout('the cifar stem is a 3x3 stride-1 conv1 and no max pool, with the same keys; 32x32 stays 32x32 into layer1', () => {
  const m = resnet18({ numClasses: 10, stem: 'cifar', generator: new Generator(2) });
  assert.equal(Object.keys(m.stateDict()), fx.resnet18Cifar.keys);
  assertShape(m.conv1.weight, [64, 3, 3, 3]);
  assert.equal(m.conv1.stride, [1, 1]);
  assert.is(m.maxpool, null);
  assertShape(m.fc.weight, [10, 512]);
});
layout('smallResnet: 16 channels into three one-block stages at 16, 32, 64; 28x28 gives logits [N, 10]', () => {
  const m = smallResnet({ generator: new Generator(3) });
  assert.equal(Object.keys(m.stateDict()), fx.smallResnet.keys);
  assert.equal(m.stages.map((s) => s.layers.length), [1, 1, 1]);
  assertShape(m.fc.weight, [10, 64]);
  m.eval();
  assertShape(m.forward(randn([3, 1, 28, 28], { generator: new Generator(4) })), [3, 10]);
  assertShape(smallResnet({ numClasses: 4, inChannels: 3 }).conv1.weight, [16, 3, 3, 3]);
});

const init = suite('ResNet init and determinism');
init('convolutions are kaiming normal (fan_out, relu); BatchNorm starts at weight 1, bias 0; zeroInitResidual zeroes each block\'s bn2', () => {
  const m = smallResnet({ generator: new Generator(5) });
  const w = m.stages[2].layers[0] as BasicBlock;
  // fan_out of layer3.0.conv2 = 64 · 3 · 3; std = sqrt(2 / fan_out)
  const data = w.conv2.weight.data, std = Math.sqrt(data.reduce((a, v) => a + v * v, 0) / data.length);
  assertClose(std, Math.sqrt(2 / (64 * 9)), { rtol: 0.05 }, 'layer3.0.conv2 std');
  assert.ok(w.bn2.weight!.data.every((v) => v === 1) && w.bn2.bias!.data.every((v) => v === 0));
  const z = smallResnet({ zeroInitResidual: true, generator: new Generator(5) });
  for (const s of z.stages) for (const b of s.layers as BasicBlock[]) assert.ok(b.bn2.weight!.data.every((v) => v === 0));
});
init('the same seed builds the same network, bit for bit; another seed another one', () => {
  manualSeed(12);
  const a = smallResnet().stateDict();
  manualSeed(12);
  const b = smallResnet().stateDict();
  for (const k of Object.keys(a)) assert.equal([...a[k].data], [...b[k].data], k);
  const c = smallResnet({ generator: new Generator(13) }).stateDict();
  assert.not.equal([...a['layer1.0.conv1.weight'].data], [...c['layer1.0.conv1.weight'].data]);
});
init('a few Adam steps of smallResnet on one batch lower its loss (the network trains end to end)', () => {
  withBackend(availableBackends().includes('wasm') ? 'wasm' : 'cpu', () => {
    const g = new Generator(21);
    const model = smallResnet({ generator: g });
    const x = randn([8, 1, 28, 28], { generator: g }), y = [0, 1, 2, 3, 4, 5, 6, 7];
    const opt = new Adam(model.parameters(), { lr: 1e-2 });
    const losses: number[] = [];
    for (let i = 0; i < 4; i++) {
      opt.zeroGrad();
      const loss = crossEntropy(model.forward(x), y);
      loss.backward();
      opt.step();
      losses.push(loss.item());
    }
    assert.ok(losses[3] < losses[0], `losses ${losses.join(', ')}`);
  });
});

const errors = suite('BasicBlock and ResNet: bad arguments get a clear error');
errors('BasicBlock checks its sizes, stride and downsample, and needs a downsample where the shape changes', () => {
  assert.throws(() => new BasicBlock(0, 4), /BasicBlock: expected inplanes to be a positive integer up to 65536, got 0/);
  assert.throws(() => new BasicBlock(1e12, 4), /BasicBlock: expected inplanes .* got 1000000000000/);
  assert.throws(() => new BasicBlock(4, NaN), /BasicBlock: expected planes .* got NaN/);
  assert.throws(() => new BasicBlock(4, 4, { stride: 0 }), /BasicBlock: expected stride to be an integer in \[1, 64\], got 0/);
  assert.throws(() => new BasicBlock(4, 4, { stride: Infinity }), /expected stride .* got Infinity/);
  assert.throws(() => new BasicBlock(4, 4, { downsample: 'yes' as never }), /BasicBlock: expected downsample to be a Module or null, got "yes"/);
  assert.throws(() => new BasicBlock(4, 8), /BasicBlock: expected a downsample module when stride is not 1 or inplanes differs from planes .* got stride 1, inplanes 4, planes 8 and no downsample/);
  assert.throws(() => new BasicBlock(4, 4, { stride: 2 }), /got stride 2, inplanes 4, planes 4 and no downsample/);
  assert.throws(() => new BasicBlock(4, 4, { bogus: 1 } as never), /BasicBlock: unknown option 'bogus'/);
  const wrong = new BasicBlock(4, 8, { stride: 2, downsample: new Conv2d(4, 8, 1) as Module });
  assert.throws(() => wrong.forward(randn([1, 4, 6, 6])), /BasicBlock.forward: expected downsample to give the block's output shape \[1,8,3,3\], got \[1,8,6,6\]/);
  assert.throws(() => new BasicBlock(4, 4).forward(randn([1, 3, 6, 6])), /BasicBlock.forward: expected input \[N, 4, H, W\], got \[1,3,6,6\]/);
});
errors('ResNet, resnet18 and smallResnet check their options and input', () => {
  assert.throws(() => new ResNet([]), /ResNet: expected layers to be 1 to 8 block counts, each an integer in \[1, 64\], got \[\]/);
  assert.throws(() => new ResNet([2, NaN]), /ResNet: expected layers .* got \[2, NaN\]/);
  assert.throws(() => new ResNet([1], { widths: [8, 16] }), /ResNet: expected widths to give one channel count per stage \(1\), got \[8, 16\]/);
  assert.throws(() => resnet18({ stem: 'tiny' as never }), /ResNet: expected stem 'imagenet' or 'cifar', got "tiny"/);
  assert.throws(() => resnet18({ numClasses: NaN }), /ResNet: expected numClasses to be a positive integer up to 65536, got NaN/);
  assert.throws(() => resnet18({ numClasses: 0 }), /expected numClasses .* got 0/);
  assert.throws(() => resnet18({ widths: [8, 8, 8, 8] } as never), /resnet18: unknown option 'widths'/);
  assert.throws(() => resnet18({ num_classes: 10 } as never), /resnet18: unknown option 'num_classes'/);
  assert.throws(() => resnet18(null as never), /resnet18: expected an options object, got null/);
  assert.throws(() => smallResnet({ stem: 'imagenet' } as never), /smallResnet: unknown option 'stem'/);
  assert.throws(() => smallResnet({ inChannels: 2.5 }), /ResNet: expected inChannels to be a positive integer up to 65536, got 2.5/);
  assert.throws(() => smallResnet({ zeroInitResidual: 'no' as never }), /ResNet: expected zeroInitResidual to be true or false, got "no"/);
  const m = smallResnet({ generator: new Generator(1) });
  assert.throws(() => m.forward(randn([1, 28, 28])), /ResNet.forward: expected input \[N, 1, H, W\], got \[1,28,28\] \(one image\? add the batch dimension/);
  assert.throws(() => m.forward(randn([2, 3, 28, 28])), /ResNet.forward: expected input \[N, 1, H, W\], got \[2,3,28,28\]/);
  assert.throws(() => m.forward(new Linear(1, 1) as never), /ResNet.forward: expected input to be a Tensor, got/);
});

layout.run();
init.run();
errors.run();
