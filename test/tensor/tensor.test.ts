import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import ndarray from 'ndarray';
import ops from 'ndarray-ops';
import {
  tensor, zeros, ones, full, arange, randn, rand, manualSeed, Generator, Tensor, broadcastShapes, toNdarray, fromNdarray,
  add, mul, useBackend, getBackend, listBackends,
} from '../../src/index.js';
import { assertClose } from '../helpers/assert.js';

const create = suite('tensor creation');

create('tensor() infers the shape from nesting and rounds to float32', () => {
  const t = tensor([[1, 2, 3], [4, 5, 6.1]]);
  assert.equal([...t.shape], [2, 3]);
  assert.ok(t.data instanceof Float32Array);
  assert.is(t.data[5], Math.fround(6.1));
  assert.equal(t.toArray(), [[1, 2, 3], [4, 5, Math.fround(6.1)]]);
  assert.is(tensor(7).item(), 7);
  assert.equal([...tensor(7).shape], []);
});

create('tensor() with a flat array and a shape, and from a typed array', () => {
  assert.equal(tensor([1, 2, 3, 4, 5, 6], { shape: [3, 2] }).toArray(), [[1, 2], [3, 4], [5, 6]]);
  assert.equal([...tensor(new Float64Array([1, 2])).shape], [2]);
});

create('tensor() rejects ragged nesting, non-numbers and a wrong shape with clear messages', () => {
  assert.throws(() => tensor([[1, 2], [3]]), /tensor: expected 2 entries at values\[1\] \(ragged nesting\), got 1/);
  assert.throws(() => tensor([1, 'a' as unknown as number]), /tensor: expected a number at values\[1\], got string/);
  assert.throws(() => tensor([1, 2, 3], { shape: [2, 2] }), /tensor: shape \[2,2\] needs 4 values, got 3/);
  assert.throws(() => tensor('x' as unknown as number), /tensor: expected a number, nested arrays or a typed array, got string/);
  assert.throws(() => zeros([2, -1]), /zeros|full: expected a shape of non-negative integers, got \[2,-1\]/);
  assert.throws(() => new Tensor([1, 2] as unknown as Float32Array, [2]), /Tensor: expected a Float32Array/);
});

create('NaN and Infinity are valid float32 values in a tensor and are kept', () => {
  const t = tensor([NaN, Infinity]);
  assert.ok(Number.isNaN(t.data[0]));
  assert.is(t.data[1], Infinity);
});

create('zeros, ones, full, arange', () => {
  assert.equal(zeros([2]).toArray(), [0, 0]);
  assert.equal(ones([1, 2]).toArray(), [[1, 1]]);
  assert.equal(full([2], 3.5).toArray(), [3.5, 3.5]);
  assert.equal(arange(4).toArray(), [0, 1, 2, 3]);
  assert.equal(arange(1, 2, 0.25).toArray(), [1, 1.25, 1.5, 1.75]);
  assert.throws(() => arange(0, 1, 0), /arange: expected finite start, end and a non-zero step/);
});

create('item() needs exactly one element', () => {
  assert.throws(() => zeros([2]).item(), /item: expected a tensor with 1 element, got shape \[2\]/);
});

create.run();

const random = suite('seeded generator');

random('the same seed gives the same stream; another seed another', () => {
  manualSeed(42);
  const a = randn([100]);
  manualSeed(42);
  const b = randn([100]);
  manualSeed(43);
  const c = randn([100]);
  assert.equal(Array.from(a.data), Array.from(b.data));
  assert.not.equal(Array.from(a.data), Array.from(c.data));
});

random('uniforms lie in [0, 1) with mean near 1/2; normals have mean near 0 and variance near 1', () => {
  const g = new Generator(7);
  const u = rand([20000], { generator: g }).data, n = randn([20000], { generator: g }).data;
  let su = 0, sn = 0, sn2 = 0;
  for (let i = 0; i < u.length; i++) {
    assert.ok(u[i] >= 0 && u[i] < 1);
    su += u[i];
    sn += n[i];
    sn2 += n[i] * n[i];
  }
  assertClose(su / u.length, 0.5, { atol: 0.01 });
  assertClose(sn / n.length, 0, { atol: 0.03 });
  assertClose(sn2 / n.length, 1, { atol: 0.05 });
});

random('getState / setState continue the same stream', () => {
  const g = new Generator(5);
  g.normal();
  const state = g.getState();
  const next = [g.normal(), g.random()];
  g.setState(state);
  assert.equal([g.normal(), g.random()], next);
});

random('permutation is a permutation', () => {
  const p = new Generator(1).permutation(50);
  assert.equal([...p].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
});

random('bad seeds are rejected', () => {
  assert.throws(() => manualSeed(1.5), /manualSeed: expected a safe integer seed, got 1.5/);
});

random.run();

const broadcast = suite('broadcasting');

broadcast('NumPy rules: align right, 1 stretches', () => {
  assert.equal(broadcastShapes('add', [2, 3], [3]), [2, 3]);
  assert.equal(broadcastShapes('add', [4, 1], [1, 5]), [4, 5]);
  assert.equal(broadcastShapes('add', [], [2, 2]), [2, 2]);
  assert.equal(broadcastShapes('add', [2, 1, 3], [4, 1]), [2, 4, 3]);
});

broadcast('incompatible shapes name the op and both shapes', () => {
  assert.throws(() => add(zeros([2, 3]), zeros([4])), /add: cannot broadcast \[2,3\] with \[4\]/);
  assert.throws(() => mul(zeros([2, 3]), zeros([3, 2])), /mul: cannot broadcast \[2,3\] with \[3,2\]/);
});

broadcast('a number operand is a constant; other kinds are TypeErrors', () => {
  assert.equal(add(tensor([1, 2]), 1).toArray(), [2, 3]);
  assert.throws(() => add(tensor([1]), '1' as unknown as number), (e: Error) => e instanceof TypeError && /add: expected a Tensor or a number, got string 1/.test(e.message));
});

broadcast.run();

const interop = suite('ndarray interop');

interop('toNdarray shares the buffer (zero-copy)', () => {
  const t = tensor([[1, 2], [3, 4]]);
  const a = toNdarray(t);
  assert.is(a.data, t.data);
  assert.is(a.get(1, 0), 3);
  a.set(0, 1, 9);
  assert.is(t.data[1], 9);
});

interop('fromNdarray copies strided views in row-major order and shares contiguous ones', () => {
  const base = ndarray(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
  const transposed = fromNdarray(base.transpose(1, 0));
  assert.equal(transposed.toArray(), [[1, 4], [2, 5], [3, 6]]);
  const stepped = fromNdarray(base.step(1, -1));
  assert.equal(stepped.toArray(), [[3, 2, 1], [6, 5, 4]]);
  assert.is(fromNdarray(base).data, base.data);
  assert.equal(fromNdarray(ndarray([1, 2, 3, 4], [2, 2])).toArray(), [[1, 2], [3, 4]]);
  assert.throws(() => fromNdarray({} as never), /fromNdarray: expected an ndarray/);
});

interop('ndarray-ops agrees with lrlab elementwise kernels (an independent oracle)', () => {
  const a = randn([4, 5], { generator: new Generator(3) }), b = randn([4, 5], { generator: new Generator(4) });
  const expected = ndarray(new Float32Array(20), [4, 5]);
  ops.mul(expected, toNdarray(a), toNdarray(b));
  assert.equal(Array.from(mul(a, b).data), Array.from(expected.data));
  ops.add(expected, toNdarray(a), toNdarray(b));
  assert.equal(Array.from(add(a, b).data), Array.from(expected.data));
});

interop.run();

const backends = suite('backend seam');

backends('the CPU backend is registered and active by default; unknown names are rejected', () => {
  assert.ok(listBackends().includes('cpu'));
  assert.is(getBackend().name, 'cpu');
  assert.throws(() => useBackend('tpu'), /useBackend: expected one of .*cpu.*, got 'tpu'/);
  assert.is(getBackend().name, 'cpu');
});

backends('every transposed variant of the CPU matmul equals the product of explicit transposes', () => {
  const g = new Generator(11);
  const A = randn([3, 4], { generator: g }), B = randn([4, 5], { generator: g });
  const expected = A.matmul(B).data;
  const cpu = getBackend();
  const At = A.T.data, Bt = B.T.data;
  for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
    const out = new Float32Array(15);
    cpu.matmul(ta ? At : A.data, tb ? Bt : B.data, out, 3, 4, 5, ta, tb);
    assertClose(out, expected, { atol: 1e-6 }, `transA=${ta} transB=${tb}`);
  }
});

backends('(AB)^T = B^T A^T', () => {
  const g = new Generator(12);
  const A = randn([6, 3], { generator: g }), B = randn([3, 7], { generator: g });
  assertClose(A.matmul(B).T, B.T.matmul(A.T), { atol: 1e-6 });
});

backends('matmul rejects 0-d operands, mismatched inner dimensions and unbroadcastable batches', () => {
  assert.throws(() => zeros([2, 3]).matmul(zeros([4, 2])), /matmul: inner dimensions must agree, got \[2,3\] and \[4,2\]/);
  assert.throws(() => tensor(2).matmul(zeros([1, 2])), /matmul: expected tensors with at least 1 dimension, got \[\] and \[1,2\]/);
  assert.throws(() => zeros([2, 3, 4]).matmul(zeros([3, 4, 5])), /matmul: cannot broadcast \[2\] with \[3\]/);
});

backends('matmul with vectors and batches: shapes as torch.matmul', () => {
  assert.equal([...zeros([4]).matmul(zeros([4])).shape], []);
  assert.equal([...zeros([3, 4]).matmul(zeros([4])).shape], [3]);
  assert.equal([...zeros([4]).matmul(zeros([2, 4, 3])).shape], [2, 3]);
  assert.equal([...zeros([5, 1, 3, 4]).matmul(zeros([2, 4, 6])).shape], [5, 2, 3, 6]);
  assert.is(tensor([1, 2, 3]).matmul(tensor([4, 5, 6])).item(), 32);
});

backends.run();
