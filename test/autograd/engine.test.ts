import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { tensor, noGrad, isGradEnabled, toDot, ones, Tensor } from '../../src/index.js';

const test = suite('autograd engine');

test('a tensor used twice accumulates both gradients (d(x*x)/dx = 2x)', () => {
  const x = tensor([3], { requiresGrad: true });
  x.mul(x).backward();
  assert.is(x.grad!.item(), 6);
});

test('a diamond graph sums the two paths: y = (x+1)(x+2) gives dy/dx = 2x + 3', () => {
  const x = tensor([2], { requiresGrad: true });
  x.add(1).mul(x.add(2)).backward();
  assert.is(x.grad!.item(), 7);
});

test('gradients accumulate across backward calls until cleared, as in PyTorch', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  x.mul(3).sum().backward();
  x.mul(3).sum().backward();
  assert.equal(Array.from(x.grad!.data), [6, 6]);
});

test('backward of a non-scalar needs an explicit gradient of the same shape', () => {
  const x = tensor([1, 2, 3], { requiresGrad: true });
  const y = x.mul(2);
  assert.throws(() => y.backward(), /backward: expected a one-element tensor or an explicit gradient, got shape \[3\]/);
  assert.throws(() => y.backward(ones([2])), /backward: expected a gradient of shape \[3\], got \[2\]/);
  y.backward(tensor([1, 0, -1]));
  assert.equal(Array.from(x.grad!.data), [2, 0, -2]);
});

test('backward on a tensor that needs no gradient explains why', () => {
  assert.throws(() => tensor([1]).mul(2).backward(), /backward: expected a tensor that requires grad/);
});

test('noGrad records nothing and restores the mode, also after a throw', () => {
  const x = tensor([1], { requiresGrad: true });
  const y = noGrad(() => x.mul(2));
  assert.is(y.requiresGrad, false);
  assert.is(y.creator, null);
  assert.throws(() => noGrad(() => { throw new Error('boom'); }), /boom/);
  assert.is(isGradEnabled(), true);
});

test('detach cuts the graph: no gradient flows through the detached branch', () => {
  const x = tensor([2], { requiresGrad: true });
  x.mul(x.detach()).backward(); // d(x * c)/dx = c
  assert.is(x.grad!.item(), 2);
});

test('intermediate tensors get no grad; only leaves do', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  const h = x.mul(2);
  h.sum().backward();
  assert.is(h.grad, null);
  assert.ok(x.grad instanceof Tensor);
});

test('a long chain (10,000 ops) backpropagates without overflowing the stack', () => {
  const x = tensor([1], { requiresGrad: true });
  let y = x;
  for (let i = 0; i < 10000; i++) y = y.add(0);
  y.backward();
  assert.is(x.grad!.item(), 1);
});

test('toDot draws the graph with ops, shapes and names', () => {
  const w = tensor([[1, 2]], { requiresGrad: true }), x = tensor([[3], [4]]);
  const loss = w.matmul(x).relu().sum();
  const dot = toDot(loss, { w });
  assert.match(dot, /^digraph G \{/);
  assert.match(dot, /label="matmul"/);
  assert.match(dot, /label="relu"/);
  assert.match(dot, /label="w\\n\[1,2\]", style=filled/);
  assert.match(dot, /label="output\\n\[\]"/);
});

test.run();
