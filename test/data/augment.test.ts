// augmentImages: random crop with padding and horizontal flip, checked against the pixel rule by hand and for
// seeded determinism.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { augmentImages, Tensor, Generator } from '../../src/index.js';

// two 1-channel 3x3 images: pixel (y, x) of image i is 100 i + 10 y + x + 1
const x = new Tensor(Float32Array.from({ length: 18 }, (_, k) => 100 * Math.floor(k / 9) + 10 * Math.floor((k % 9) / 3) + (k % 3) + 1), [2, 1, 3, 3]);
const at = (t: Tensor, i: number, y: number, xx: number) => t.data[i * 9 + y * 3 + xx];

const aug = suite('augmentImages: random crop with padding, horizontal flip, seeded');
aug('no padding and no flip copies the images', () => {
  const out = augmentImages(x, { generator: new Generator(0) });
  assert.equal([...out.data], [...x.data]);
  assert.ok(out.data !== x.data);
});
aug('flip 1 mirrors every row', () => {
  const out = augmentImages(x, { flip: 1 });
  assert.equal([at(out, 0, 0, 0), at(out, 0, 0, 2), at(out, 1, 2, 0)], [3, 1, 123]);
});
aug('each crop is the image shifted by its offset within ±padding, padded with fill', () => {
  const out = augmentImages(x, { padding: 1, fill: -7, generator: new Generator(5) });
  for (let i = 0; i < 2; i++) {
    // find the offset (dy, dx) in [-1, 1]² that explains the output: out(y, x) = in(y + dy, x + dx) or fill
    const fits = [-1, 0, 1].flatMap((dy) => [-1, 0, 1].map((dx) => [dy, dx])).filter(([dy, dx]) => {
      for (let y = 0; y < 3; y++) for (let xx = 0; xx < 3; xx++) {
        const sy = y + dy, sx = xx + dx;
        const want = sy < 0 || sy > 2 || sx < 0 || sx > 2 ? -7 : at(x, i, sy, sx);
        if (at(out, i, y, xx) !== want) return false;
      }
      return true;
    });
    assert.is(fits.length, 1, `image ${i}: one offset explains it`);
  }
});
aug('the same generator seed gives the same crops and flips; another seed, others', () => {
  const big = new Tensor(Float32Array.from({ length: 64 * 16 }, (_, k) => k), [64, 1, 4, 4]);
  const a = augmentImages(big, { padding: 2, flip: 0.5, generator: new Generator(9) });
  const b = augmentImages(big, { padding: 2, flip: 0.5, generator: new Generator(9) });
  const c = augmentImages(big, { padding: 2, flip: 0.5, generator: new Generator(10) });
  assert.equal([...a.data], [...b.data]);
  assert.not.equal([...a.data], [...c.data]);
});
aug('writes into out when given; bad inputs and options are named', () => {
  const out = new Tensor(new Float32Array(18), [2, 1, 3, 3]);
  assert.is(augmentImages(x, { out, flip: 1 }), out);
  assert.is(at(out, 0, 0, 0), 3);
  assert.throws(() => augmentImages(new Tensor(new Float32Array(9), [1, 3, 3])), /augmentImages: expected images \[n, channels, height, width\], got \[1, ?3, ?3\]/);
  assert.throws(() => augmentImages(x, { padding: 1.5 }), /expected padding to be an integer >= 0, got 1.5/);
  assert.throws(() => augmentImages(x, { flip: 2 }), /expected flip to be a probability in \[0, 1\], got 2/);
  assert.throws(() => augmentImages(x, { fill: NaN }), /expected fill to be a finite number, got NaN/);
  assert.throws(() => augmentImages(x, { out: x }), /expected out to be another tensor of shape .*, got the input itself/);
  assert.throws(() => augmentImages(x, { crop: 2 } as never), /got unknown crop/);
});

aug.run();
