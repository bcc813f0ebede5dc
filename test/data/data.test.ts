import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  syntheticTimeSeries, slidingWindows, temporalSplit, fitStandardizer, batches, parseCsvSeries, loadCsvSeries, parseCsvColumn, kFold,
  timeSeriesSplit, Generator, tensor,
} from '../../src/index.js';
import { assertClose } from '../helpers/assert.js';

const series = suite('synthetic series and windows');

series("seed 000's series: 1,461 daily points of trend + seasonality + noise, seeded", () => {
  const s = syntheticTimeSeries();
  assert.is(s.values.length, 1461);
  assert.equal(Array.from(syntheticTimeSeries().values), Array.from(s.values));
  assert.not.equal(Array.from(syntheticTimeSeries({ seed: 7 }).values), Array.from(s.values));
  // without noise, the formula at a few points: 10 + 0.05 t + 40 s((t mod 365) / 365)
  const clean = syntheticTimeSeries({ noiseLevel: 0 }).values;
  assertClose(clean[0], 10 + 40, { rtol: 1e-6 });
  assertClose(clean[100], 10 + 5 + 40 * Math.cos((100 / 365) * 2 * Math.PI), { rtol: 1e-6 });
  assertClose(clean[300], 10 + 15 + 40 * Math.exp((-3 * 300) / 365), { rtol: 1e-6 });
  // the noise has about the documented level
  let sq = 0;
  for (let t = 0; t < 1461; t++) sq += (s.values[t] - clean[t]) ** 2;
  assertClose(Math.sqrt(sq / 1461), 5, { rtol: 0.1 });
});

series('sliding windows: example i is values[i..i+w) and its target values[i+w]', () => {
  const { x, y } = slidingWindows([1, 2, 3, 4, 5], 3);
  assert.equal(x.toArray(), [[1, 2, 3], [2, 3, 4]]);
  assert.equal(y.toArray(), [[4], [5]]);
  assert.throws(() => slidingWindows([1, 2, 3], 3), /slidingWindows: expected a series longer than the window \(3\), got 3 values/);
  assert.throws(() => slidingWindows([1, NaN, 3, 4], 2), /slidingWindows: expected finite values, got NaN at index 1/);
  assert.throws(() => slidingWindows([], 20), /longer than the window \(20\), got 0 values/);
});

series('temporal split keeps order (validation is the future) and standardization is fitted on training only', () => {
  const v = Float32Array.from({ length: 10 }, (_, i) => i);
  const { train, valid } = temporalSplit(v, 0.8);
  assert.equal(Array.from(train), [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.equal(Array.from(valid), [8, 9]);
  const z = fitStandardizer(train);
  assertClose(z.mean, 3.5);
  assertClose(z.std, Math.sqrt(5.25));
  assertClose(z.inverse(z.transform(valid)), valid, { rtol: 1e-6 });
  assert.throws(() => temporalSplit(v, 1), /temporalSplit: expected trainFraction in \(0, 1\), got 1/);
  assert.throws(() => temporalSplit(new Float32Array(1), 0.5), /leaves an empty part/);
  assert.throws(() => fitStandardizer([3, 3, 3]), /fitStandardizer: expected values that vary, got a constant series/);
});

series('batches: buffers kept by the caller are refilled by the next call, not made again', () => {
  const data = { x: tensor(Array.from({ length: 10 }, (_, i) => [i, -i])), y: tensor(Array.from({ length: 10 }, (_, i) => [i])) };
  const buffers = new Map();
  const first = [...batches(data, { batchSize: 4, generator: new Generator(1), buffers })].map((b) => b.x);
  const firstValues = first.map((t) => Array.from(t.data));
  const second = [...batches(data, { batchSize: 4, generator: new Generator(2), buffers })].map((b) => b.x);
  assert.is(second[0], first[0]);
  assert.is(second[2], first[2]); // the short last batch too
  assert.is(buffers.size, 2);
  assert.not.equal(Array.from(second[0].data), firstValues[0]); // refilled in the new order
});

series('batches: every example once per epoch, seeded order, buffers reused, short last batch', () => {
  const data = slidingWindows(Float32Array.from({ length: 12 }, (_, i) => i), 2); // 10 examples
  const seen: number[] = [];
  const objects = new Set<unknown>();
  for (const b of batches(data, { batchSize: 4, generator: new Generator(1) })) {
    objects.add(b.x);
    for (let r = 0; r < b.x.shape[0]; r++) seen.push(b.x.data[r * 2]);
  }
  assert.equal([...seen].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.is(objects.size, 2); // one buffer for size 4, one for the last batch of 2
  const again: number[] = [];
  for (const b of batches(data, { batchSize: 4, generator: new Generator(1) })) for (let r = 0; r < b.x.shape[0]; r++) again.push(b.x.data[r * 2]);
  assert.equal(again, seen);
  const inOrder = [...batches(data, { batchSize: 3, shuffle: false, dropLast: true })];
  assert.is(inOrder.length, 3);
  assert.throws(() => [...batches(data, { batchSize: 0 })], /batches: expected a positive integer batchSize, got 0/);
});

series.run();

const csv = suite('CSV series');
const dir = mkdtempSync(join(tmpdir(), 'lrlab-csv-'));

csv('a column by name or by index, with or without a header, quoted fields', () => {
  const text = 'date,"sales, units",temp\n2024-01-01,10,1.5\n2024-01-02,"12",2.5\n2024-01-03,9,3\n\n';
  assert.equal(Array.from(parseCsvSeries(text, { column: 'sales, units' })), [10, 12, 9]);
  assert.equal(Array.from(parseCsvSeries(text, { column: 2 })), [1.5, 2.5, 3]);
  assert.equal(Array.from(parseCsvSeries('1\n2\n3\n')), [1, 2, 3]);
  assert.equal(Array.from(parseCsvSeries('a;b\n1;2\n3;4', { column: 'b', separator: ';' })), [2, 4]);
  const path = join(dir, 'series.csv');
  writeFileSync(path, text);
  assert.equal(Array.from(loadCsvSeries(path, { column: 'temp' })), [1.5, 2.5, 3]);
});

csv('missing columns, holes, non-numbers, short series and unreadable files are clear errors', () => {
  assert.throws(() => parseCsvSeries('a,b\n1,2\n3,4', { column: 'c' }), /parseCsvSeries: expected a column named 'c' in CSV, got columns 'a', 'b' \(numeric: 'a', 'b'\)/);
  assert.throws(() => parseCsvSeries('a,b\n1,2\n3,\n5,6', { column: 'b' }), /expected a value in column 'b' at line 3 of CSV, got an empty cell/);
  assert.throws(() => parseCsvSeries('a\n1\nn/a\n3', { column: 'a' }), /expected a number in column 'a' at line 3 of CSV, got 'n\/a'/);
  assert.throws(() => parseCsvSeries('a\n1\n2', { column: 'a', minLength: 21 }), /expected at least 21 values in CSV, got 2/);
  assert.throws(() => parseCsvSeries(''), /expected rows in CSV, got an empty file/);
  assert.throws(() => parseCsvSeries('1,2', { column: 5 }), /expected a column index in \[0, 2\) for CSV, got 5/);
  assert.throws(() => loadCsvSeries(join(dir, 'none.csv')), /loadCsvSeries: cannot read '.*none.csv'/);
});

csv('a value beyond float32\'s range is refused at its line, not carried on as Infinity', () => {
  // 1e39 rounds to Infinity in a Float32Array and had failed later as a "constant series"
  assert.throws(() => parseCsvSeries('v\n1\n1e39\n3'), (e: Error) => e instanceof RangeError && e.message === "parseCsvSeries: expected a number within float32's range (magnitude up to about 3.4e38) in column 'v' at line 3 of CSV, got '1e39'");
  assert.throws(() => parseCsvSeries('1;-4e38\n2;5', { column: 1, separator: ';' }), /in column 1 at line 1 of CSV, got '-4e38'/);
  assert.equal(Array.from(parseCsvSeries('v\n3.4e38\n-3.4e38\n1e-50')), [Math.fround(3.4e38), Math.fround(-3.4e38), 0], 'the largest float32 values load; underflow to 0 is no error');
});

csv('the default column is the first numeric one, so a leading date column is skipped', () => {
  const text = 'date,station,temp,rain\n2024-01-01,Oslo,1.5,0\n2024-01-02,Oslo,2.5,3\n';
  const c = parseCsvColumn(text);
  assert.equal(Array.from(c.values), [1.5, 2.5]);
  assert.is(c.column, 'temp');
  assert.equal(c.numericColumns, ['temp', 'rain']);
  // a header-less file with a date column: the first row is data, not a header
  assert.equal(Array.from(parseCsvSeries('2024-01-01,5\n2024-01-02,6\n2024-01-03,7')), [5, 6, 7]);
  assert.throws(() => parseCsvSeries('date,name\n2024-01-01,a\n2024-01-02,b'), /parseCsvSeries: expected a numeric column in CSV, got columns 'date', 'name' \(numeric: none\)/);
});

csv('separators: comma, semicolon and tab are detected, and any other can be given', () => {
  assert.equal(Array.from(parseCsvSeries('d;v\n1;2,5\n2;3,5'.replace(/,5/g, '.5'))), [1, 2]);
  const semi = parseCsvColumn('date;value\n2024-01-01;2.5\n2024-01-02;3.5');
  assert.is(semi.separator, ';');
  assert.equal(Array.from(semi.values), [2.5, 3.5]);
  const tab = parseCsvColumn('date\tvalue\n2024-01-01\t4\n2024-01-02\t5');
  assert.is(tab.separator, '\t');
  assert.equal(Array.from(tab.values), [4, 5]);
  assert.equal(Array.from(parseCsvSeries('a|b\n1|2\n3|4', { separator: '|', column: 'b' })), [2, 4]);
  assert.throws(() => parseCsvSeries('a;b\n1,5;2\n', { separator: ',' , column: 'a;b' }), /parseCsvSeries/);
  assert.throws(() => parseCsvSeries('a\n1', { separator: '' }), /parseCsvSeries: expected separator to be a non-empty string without quotes or line breaks, got ""/);
  assert.throws(() => parseCsvSeries('a\n1', { separator: 1 as any }), /parseCsvSeries: expected separator to be a string, got 1/);
});

csv('a blank line inside the data is an error with its line number; blank lines at the ends are fine', () => {
  assert.throws(() => parseCsvSeries('v\n1\n2\n\n3\n'), /parseCsvSeries: expected a row at line 4 of CSV, got a blank line inside the data/);
  assert.equal(Array.from(parseCsvSeries('\nv\n1\n2\n\n\n')), [1, 2]);
});

csv('only plain decimal numbers count: 0x10, Infinity, NaN and decimal commas are refused', () => {
  for (const bad of ['0x10', 'Infinity', 'NaN', '1e', '--1', '1 000']) {
    assert.throws(() => parseCsvSeries(`v\n1\n${bad}\n`), new RegExp(`expected a number in column 'v' at line 3 of CSV, got '${bad.replace(/[+]/g, '\\+')}'`), bad);
  }
  assert.throws(() => parseCsvSeries('d;v\nx;1\nx;1,5', { column: 'v' }), /got '1,5' \(a decimal comma\? write 1.5, not 1,5\)/);
  assert.equal(Array.from(parseCsvSeries('v\n-1.5e-3\n+.5\n2.')), [Math.fround(-1.5e-3), 0.5, 2]);
});

csv('options are checked: kinds, ranges and unknown names', () => {
  assert.throws(() => parseCsvSeries('a\n1\n2', { column: -1 }), /parseCsvSeries: expected column to be a 0-based index, got -1/);
  assert.throws(() => parseCsvSeries('a\n1\n2', { column: true as any }), /expected column to be a name or a 0-based index, got true/);
  assert.throws(() => parseCsvSeries('a\n1\n2', { header: 'yes' as any }), /expected header to be a boolean, got "yes"/);
  assert.throws(() => parseCsvSeries('a\n1\n2', { minLength: 0 }), /expected minLength to be a positive integer, got 0/);
  assert.throws(() => parseCsvSeries('a\n1\n2', { sep: ';' } as any), /parseCsvSeries: unknown option 'sep'/);
  assert.throws(() => parseCsvSeries(undefined as any), /parseCsvSeries: expected the CSV text as a string, got undefined/);
  assert.throws(() => loadCsvSeries(undefined as any), /loadCsvSeries: expected a file path, got undefined/);
});

csv.after(() => rmSync(dir, { recursive: true, force: true }));
csv.run();

const folds = suite('k-fold splits');

folds('kFold: k disjoint validation folds covering everything, sizes as scikit-learn', () => {
  const f = kFold(11, 5);
  assert.equal(f.map((x) => x.valid.length), [3, 2, 2, 2, 2]);
  assert.equal(f.flatMap((x) => x.valid).sort((a, b) => a - b), Array.from({ length: 11 }, (_, i) => i));
  for (const x of f) assert.is(x.train.length + x.valid.length, 11);
  const shuffled = kFold(11, 5, { shuffle: true, generator: new Generator(3) });
  assert.not.equal(shuffled[0].valid, f[0].valid);
  assert.throws(() => kFold(3, 5), /kFold: expected at least k = 5 examples, got 3/);
  assert.throws(() => kFold(10, 1), /kFold: expected k to be an integer >= 2, got 1/);
});

folds('timeSeriesSplit: expanding windows, validation always after training', () => {
  const f = timeSeriesSplit(12, 3);
  assert.equal(f.map((x) => [x.train.length, x.valid[0], x.valid.length]), [[3, 3, 3], [6, 6, 3], [9, 9, 3]]);
  for (const x of f) assert.ok(Math.max(...x.train) < Math.min(...x.valid));
});

folds.run();
