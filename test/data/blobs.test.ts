import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { makeBlobs } from '../../src/index.js';

const test = suite('makeBlobs');

test('same seed, same data; classes split as evenly as possible; each blob centred on its centre', () => {
  const a = makeBlobs({ nSamples: 301, nFeatures: 3, centers: 4, clusterStd: 0.5, seed: 7 });
  const b = makeBlobs({ nSamples: 301, nFeatures: 3, centers: 4, clusterStd: 0.5, seed: 7 });
  assert.equal(Array.from(a.x.data), Array.from(b.x.data));
  assert.equal(Array.from(a.y.data), Array.from(b.y.data));
  assert.equal(a.x.shape, [301, 3]);
  assert.equal(a.y.shape, [301]);
  assert.equal(a.centers.shape, [4, 3]);
  assert.ok(Array.from(makeBlobs({ seed: 8 }).x.data).some((v, i) => v !== makeBlobs({ seed: 7 }).x.data[i]));
  // 301 = 4 * 75 + 1: class 0 gets 76
  const counts = [0, 1, 2, 3].map((k) => a.y.data.filter((v) => v === k).length);
  assert.equal(counts, [76, 75, 75, 75]);
  for (let k = 0; k < 4; k++) {
    for (let j = 0; j < 3; j++) {
      let s = 0;
      for (let i = 0; i < 301; i++) if (a.y.data[i] === k) s += a.x.data[i * 3 + j];
      // the mean of 75 draws of std 0.5 lies within 4 standard errors (0.23) of the centre
      assert.ok(Math.abs(s / counts[k] - a.centers.data[k * 3 + j]) < 0.25, `class ${k}, feature ${j}`);
      assert.ok(a.centers.data[k * 3 + j] >= -10 && a.centers.data[k * 3 + j] <= 10);
    }
  }
  const ordered = makeBlobs({ nSamples: 6, centers: 3, shuffle: false });
  assert.equal(Array.from(ordered.y.data), [0, 0, 1, 1, 2, 2]);
});

test('bad options are named', () => {
  assert.throws(() => makeBlobs({ nSamples: 0 }), /makeBlobs: expected nSamples to be a positive integer, got 0/);
  assert.throws(() => makeBlobs({ centers: 2.5 }), /makeBlobs: expected centers to be a positive integer, got 2.5/);
  assert.throws(() => makeBlobs({ clusterStd: -1 }), /makeBlobs: expected clusterStd to be a finite number >= 0, got -1/);
  assert.throws(() => makeBlobs({ clusterStd: Infinity }), /makeBlobs: expected clusterStd to be a finite number >= 0, got Infinity/);
  assert.throws(() => makeBlobs({ centerBox: [1, 1] }), /makeBlobs: expected centerBox \[low, high\] with low < high, got \[1,1\]/);
});

test.run();
