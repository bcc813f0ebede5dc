import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { prepareSeries, batches, builtInData, syntheticTimeSeries, tensor, zeros } from '../../src/index.js';

const names = suite('the names a user guesses first are named in the error');

names('prepareSeries: val, validation and test throw naming `valid`, where they would have been undefined', () => {
  const data = prepareSeries(syntheticTimeSeries({ length: 200 }).values, { window: 5 });
  const read = (name: string) => () => (data as unknown as Record<string, unknown>)[name];
  assert.throws(read('val'), (e: Error) => e instanceof TypeError && e.message === 'prepareSeries: the validation windows are `valid` (got `val`)');
  assert.throws(read('validation'), /^prepareSeries: the validation windows are `valid` \(got `validation`\)$/);
  assert.throws(read('test'), /^prepareSeries: the validation windows are `valid` \(got `test`; prepareSeries makes no test split\)$/);
  // the guards are not enumerable: the result still spreads, prints and compares as its four fields
  assert.equal(Object.keys(data), ['train', 'valid', 'scaler', 'mseScale']);
  assert.equal(Object.keys({ ...data }), ['train', 'valid', 'scaler', 'mseScale']);
  assert.ok(data.valid.x.shape[0] > 0);
  // the built-in data is prepared the same way
  assert.throws(() => (builtInData(5) as unknown as { val: unknown }).val, /the validation windows are `valid` \(got `val`\)/);
});

names('batches(x, y) with two tensors is named, at the call rather than at the first batch', () => {
  const x = zeros([4, 2]), y = zeros([4, 1]);
  assert.throws(() => batches(x as never, y as never), /^batches: expected batches\(\{ x, y \}, options\), got batches\(x, y\) with two tensors$/);
  assert.throws(() => batches(x as never), /^batches: expected data \{ x, y \}, got a Tensor \(write batches\(\{ x, y \}, options\)\)$/);
  assert.throws(() => batches({ x } as never), /^batches: expected data \{ x, y \} with x, y, got one without y$/);
  assert.throws(() => batches({ x, y: [[1]] } as never), /^batches: expected data.y to be a Tensor, got \[\[1\]\]$/);
  assert.throws(() => batches({ x, y }, { batch_size: 2 } as never), /^batches: unknown option 'batch_size'/);
  assert.throws(() => batches({ x, y }, { batchSize: 0 }), /^batches: expected a positive integer batchSize, got 0$/);
  assert.throws(() => batches({ x, y: zeros([3, 1]) }), /^batches: expected x and y with the same number of rows, got 4 and 3$/);
  assert.throws(() => batches({ x, y }, { buffers: {} as never }), /^batches: expected buffers to be a Map, got \{\}$/);
  // the right call still works
  const sizes = [...batches({ x: tensor([[1, 2], [3, 4], [5, 6]]), y: tensor([[1], [2], [3]]) }, { batchSize: 2, shuffle: false })].map((b) => b.x.shape[0]);
  assert.equal(sizes, [2, 1]);
});

names.run();
