import { Tensor, type NestedArray } from '../tensor/tensor.js';
import { zeros } from '../tensor/creation.js';
import { formatShape } from '../tensor/shape.js';
import { defaultGenerator, type Generator } from '../tensor/random.js';
import { embeddingRows, readIndices, checkPaddingIdx } from '../autograd/ops/embedding.js';
import { noGrad } from '../autograd/engine.js';
import { checkOptionsObject } from '../format/check.js';
import { describe } from '../format/number.js';
import { Module } from './module.js';
import { normal } from './init.js';

/** Options of `Embedding`, as `torch.nn.Embedding`'s. */
export interface EmbeddingOptions {
  /** This row starts at zero and receives no gradient (a padding token). Negative counts from the end. Default none. */
  paddingIdx?: number | null;
  /** Rows looked up whose `normType`-norm exceeds it are rescaled in place to this norm first. Default none. */
  maxNorm?: number | null;
  /** The p of the p-norm `maxNorm` bounds. Default 2. */
  normType?: number;
  /** Divide each row's gradient by how often the row occurs in the batch. Default false. */
  scaleGradByFreq?: boolean;
  /** PyTorch's sparse gradients: not supported (lrlab's gradients are dense); only false is accepted. */
  sparse?: boolean;
  generator?: Generator;
}

const KNOWN = ['paddingIdx', 'maxNorm', 'normType', 'scaleGradByFreq', 'sparse', 'generator'];

function checkPositiveInt(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0 || v > 2 ** 24) {
    throw new RangeError(`Embedding: expected ${name} to be a positive integer up to 2^24, got ${describe(v)}`);
  }
  return v;
}

/**
 * A lookup table: `forward(indices)` returns the rows `weight[indices]`, of shape [...indices.shape, embeddingDim].
 * Indices are integers held in a float32 tensor (or plain arrays), as crossEntropy takes class indices. The weight
 * [numEmbeddings, embeddingDim] starts from N(0, 1) drawn from the seeded generator, with the padding row zero; only
 * the rows used receive gradient (a repeated index sums its gradients), never the padding row. Matches
 * `torch.nn.Embedding` (dense gradients; `sparse: true` is refused).
 */
export class Embedding extends Module {
  readonly weight: Tensor;
  readonly paddingIdx: number | null;
  readonly maxNorm: number | null;
  readonly normType: number;
  readonly scaleGradByFreq: boolean;

  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, options: EmbeddingOptions = {}) {
    super();
    checkPositiveInt('numEmbeddings', numEmbeddings);
    checkPositiveInt('embeddingDim', embeddingDim);
    if (numEmbeddings * embeddingDim > 2 ** 31 - 1) {
      throw new RangeError(`Embedding: expected numEmbeddings * embeddingDim to be at most 2147483647, got ${numEmbeddings * embeddingDim}`);
    }
    const o = checkOptionsObject<EmbeddingOptions>('Embedding', options, KNOWN);
    const padding = checkPaddingIdx('Embedding', o.paddingIdx, numEmbeddings);
    this.paddingIdx = padding === -1 ? null : padding;
    const maxNorm = o.maxNorm ?? null;
    if (maxNorm !== null && (typeof maxNorm !== 'number' || !(maxNorm > 0) || !Number.isFinite(maxNorm))) {
      throw new RangeError(`Embedding: expected maxNorm to be a positive finite number or null, got ${describe(maxNorm)}`);
    }
    this.maxNorm = maxNorm;
    const normType = o.normType ?? 2;
    if (typeof normType !== 'number' || !(normType > 0)) throw new RangeError(`Embedding: expected normType to be a number > 0, got ${describe(normType)}`);
    this.normType = normType;
    const scale = o.scaleGradByFreq ?? false;
    if (typeof scale !== 'boolean') throw new TypeError(`Embedding: expected scaleGradByFreq to be true or false, got ${describe(scale)}`);
    this.scaleGradByFreq = scale;
    if (o.sparse !== undefined && o.sparse !== false) {
      throw new RangeError(`Embedding: expected sparse to be false (lrlab's gradients are dense), got ${describe(o.sparse)}`);
    }
    const weight = normal(zeros([numEmbeddings, embeddingDim]), 0, 1, { generator: o.generator ?? defaultGenerator });
    if (this.paddingIdx !== null) weight.data.fill(0, this.paddingIdx * embeddingDim, (this.paddingIdx + 1) * embeddingDim);
    this.weight = this.registerParameter('weight', weight);
  }

  /**
   * An Embedding whose weight is a copy of `embeddings` [num, dim], frozen unless `freeze: false`, as
   * `torch.nn.Embedding.from_pretrained` (the padding row is kept as given, not zeroed).
   */
  static fromPretrained(embeddings: Tensor, options: Omit<EmbeddingOptions, 'generator'> & { freeze?: boolean } = {}): Embedding {
    if (!(embeddings instanceof Tensor) || embeddings.ndim !== 2) {
      throw new TypeError(`Embedding.fromPretrained: expected embeddings to be a 2-d Tensor [num, dim], got ${embeddings instanceof Tensor ? formatShape(embeddings.shape) : describe(embeddings)}`);
    }
    const { freeze = true, ...rest } = checkOptionsObject<EmbeddingOptions & { freeze?: boolean }>('Embedding.fromPretrained', options, [...KNOWN.filter((k) => k !== 'generator'), 'freeze']);
    if (typeof freeze !== 'boolean') throw new TypeError(`Embedding.fromPretrained: expected freeze to be true or false, got ${describe(freeze)}`);
    const e = new Embedding(embeddings.shape[0], embeddings.shape[1], rest);
    e.weight.data.set(embeddings.data);
    e.weight.requiresGrad = !freeze;
    return e;
  }

  forward(indices: Tensor | NestedArray): Tensor {
    const read = readIndices('Embedding.forward', indices, this.numEmbeddings);
    if (this.maxNorm !== null) this.renorm(read.index);
    return embeddingRows(read, this.weight, this.paddingIdx ?? -1, this.scaleGradByFreq);
  }

  // PyTorch's embedding_renorm_: each row looked up whose norm exceeds maxNorm is scaled in place, outside the graph,
  // by maxNorm / (norm + 1e-7)
  private renorm(index: Int32Array): void {
    const W = this.weight.data, dim = this.embeddingDim, p = this.normType, maxNorm = this.maxNorm as number;
    const done = new Set<number>();
    noGrad(() => {
      for (let i = 0; i < index.length; i++) {
        const row = index[i];
        if (done.has(row)) continue;
        done.add(row);
        let s = 0;
        const at = row * dim;
        if (p === Infinity) for (let j = 0; j < dim; j++) s = Math.max(s, Math.abs(W[at + j]));
        else for (let j = 0; j < dim; j++) s += Math.abs(W[at + j]) ** p;
        const norm = p === Infinity ? s : s ** (1 / p);
        if (norm > maxNorm) {
          const scale = maxNorm / (norm + 1e-7);
          for (let j = 0; j < dim; j++) W[at + j] *= scale;
        }
      }
    });
  }
}
