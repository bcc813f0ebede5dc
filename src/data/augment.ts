import { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { defaultGenerator, type Generator } from '../tensor/random.js';

/** Options of `augmentImages`. */
export interface AugmentOptions {
  /** Random crop of the original size from the image padded with `fill` on every side by this many pixels; 0: none. Default 0. */
  padding?: number;
  /** The value of the padding, in the tensor's units (with standardized images, 0 is the mean). Default 0. */
  fill?: number;
  /** Probability of a horizontal flip; 0: none. Default 0. */
  flip?: number;
  generator?: Generator;
  /** Write into this tensor (same shape) instead of a new one. */
  out?: Tensor;
}

function checkImages(fn: string, x: unknown): [number, number, number, number] {
  if (!(x instanceof Tensor) || x.ndim !== 4) throw new RangeError(`${fn}: expected images [n, channels, height, width], got ${x instanceof Tensor ? formatShape(x.shape) : typeof x}`);
  return x.shape as [number, number, number, number];
}

/**
 * Random crop with padding, then random horizontal flip, per image (torchvision's `RandomCrop(size, padding)` then
 * `RandomHorizontalFlip(p)` on [n, c, h, w] batches, with lrlab's seeded generator: two draws per image for the
 * crop's offsets, one for the flip). Output pixel (y, x) of a crop at offset (dy, dx) is input (y + dy - padding,
 * x + dx - padding), or `fill` outside the image; a flip reads column w - 1 - x. Returns a new tensor (or `out`).
 */
export function augmentImages(x: Tensor, options: AugmentOptions = {}): Tensor {
  const fn = 'augmentImages';
  const [n, c, h, w] = checkImages(fn, x);
  if (options === null || typeof options !== 'object') throw new TypeError(`${fn}: expected an options object, got ${options === null ? 'null' : typeof options}`);
  const unknown = Object.keys(options).filter((k) => !['padding', 'fill', 'flip', 'generator', 'out'].includes(k));
  if (unknown.length > 0) throw new RangeError(`${fn}: expected options among padding, fill, flip, generator, out, got unknown ${unknown.join(', ')}`);
  const { padding = 0, fill = 0, flip = 0, generator = defaultGenerator } = options;
  if (!Number.isInteger(padding) || padding < 0) throw new RangeError(`${fn}: expected padding to be an integer >= 0, got ${padding}`);
  if (typeof fill !== 'number' || !Number.isFinite(fill)) throw new RangeError(`${fn}: expected fill to be a finite number, got ${fill}`);
  if (typeof flip !== 'number' || !(flip >= 0 && flip <= 1)) throw new RangeError(`${fn}: expected flip to be a probability in [0, 1], got ${flip}`);
  const out = options.out ?? new Tensor(new Float32Array(x.size), x.shape);
  if (!(out instanceof Tensor) || formatShape(out.shape) !== formatShape(x.shape) || out.data === x.data) throw new RangeError(`${fn}: expected out to be another tensor of shape ${formatShape(x.shape)}, got ${out instanceof Tensor ? (out.data === x.data ? 'the input itself' : formatShape(out.shape)) : typeof out}`);
  const src = x.data, dst = out.data, plane = h * w;
  for (let i = 0; i < n; i++) {
    const dy = padding > 0 ? generator.randint(2 * padding + 1) - padding : 0;
    const dx = padding > 0 ? generator.randint(2 * padding + 1) - padding : 0;
    const flipped = flip > 0 && generator.random() < flip;
    for (let ch = 0; ch < c; ch++) {
      const o = (i * c + ch) * plane;
      for (let y = 0; y < h; y++) {
        const sy = y + dy;
        for (let xx = 0; xx < w; xx++) {
          const sx = (flipped ? w - 1 - xx : xx) + dx;
          dst[o + y * w + xx] = sy < 0 || sy >= h || sx < 0 || sx >= w ? fill : src[o + sy * w + sx];
        }
      }
    }
  }
  return out;
}
