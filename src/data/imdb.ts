import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Tensor } from '../tensor/tensor.js';
import { defaultGenerator, type Generator } from '../tensor/random.js';
import { basicEnglishTokenize, buildVocabFromIterator, padTruncate, type Vocab } from './tokenizer.js';

/** IMDB's two classes, by label: 0 negative, 1 positive (the labels of Hugging Face's `imdb`). */
export const IMDB_CLASSES: readonly string[] = ['neg', 'pos'];

/** Reviews and their labels (0 neg, 1 pos). */
export interface TextSet {
  texts: string[];
  labels: number[];
}

/** Options of `loadImdb`. */
export interface ImdbOptions {
  /** Reviews kept from the 25,000 for training: a seeded random subset. Default all. */
  trainSize?: number;
  /** Reviews kept from the 25,000 for testing: a seeded random subset (the folders are sorted by label). Default all. */
  testSize?: number;
  generator?: Generator;
}

/** What `loadImdb` returns. */
export interface Imdb {
  train: TextSet;
  test: TextSet;
  classes: readonly string[];
  /** The `aclImdb` folder read. */
  dir: string;
}

const LAYOUT = 'aclImdb/{train,test}/{pos,neg}/<id>_<rating>.txt';
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The `aclImdb` folder: `dir` itself when it holds train/ and test/, or `dir/aclImdb`. */
function findImdb(dir: string): string | null {
  const ok = (d: string) => ['train', 'test'].every((s) => ['pos', 'neg'].every((l) => existsSync(join(d, s, l)) && statSync(join(d, s, l)).isDirectory()));
  for (const d of [dir, join(dir, 'aclImdb')]) if (ok(d)) return d;
  return null;
}

/** The review files of one split, checked by name (id and a rating that fits the folder), ordered by label and id. */
function listSplit(root: string, split: string): { path: string; label: number }[] {
  const out: { path: string; label: number; id: number }[] = [];
  for (const [label, folder] of IMDB_CLASSES.entries()) {
    for (const name of readdirSync(join(root, split, folder))) {
      if (!name.endsWith('.txt')) continue;
      const m = /^(\d+)_(\d+)\.txt$/.exec(name);
      const rating = m === null ? NaN : Number(m[2]);
      if (m === null || (label === 1 ? !(rating >= 7 && rating <= 10) : !(rating >= 1 && rating <= 4))) {
        throw new RangeError(`loadImdb: expected review files named <id>_<rating>.txt with a rating in ${label === 1 ? '7-10' : '1-4'} in ${join(root, split, folder)} (${LAYOUT}), got ${name}`);
      }
      out.push({ path: join(root, split, folder, name), label, id: Number(m[1]) });
    }
  }
  if (out.length === 0) throw new RangeError(`loadImdb: expected review files in ${join(root, split)}/pos and /neg (${LAYOUT}), got none`);
  return out.sort((a, b) => a.label - b.label || a.id - b.id);
}

function readSplit(files: { path: string; label: number }[], rows: number[]): TextSet {
  const texts: string[] = [], labels: number[] = [];
  for (const r of rows) {
    const { path, label } = files[r];
    let text: string;
    try {
      text = utf8.decode(readFileSync(path));
    } catch (err) {
      throw new RangeError(`loadImdb: expected a UTF-8 review in ${path}, got ${(err as NodeJS.ErrnoException).code === 'ERR_ENCODING_INVALID_ENCODED_DATA' ? 'bytes that are not UTF-8' : (err as Error).message}`);
    }
    if (text.trim() === '') throw new RangeError(`loadImdb: expected a review in ${path}, got an empty file`);
    texts.push(text);
    labels.push(label);
  }
  return { texts, labels };
}

function pick(fn: string, name: string, v: unknown, n: number, generator: Generator): number[] {
  if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > n)) throw new RangeError(`${fn}: expected ${name} to be an integer in [1, ${n}], got ${v}`);
  const order = generator.permutation(n);
  return v === undefined ? order.sort((a, b) => a - b) : order.slice(0, v as number);
}

/**
 * Reads the Large Movie Review Dataset (Maas et al., 2011; `aclImdb_v1.tar.gz`): `dir` is the `aclImdb` folder or
 * the one it unpacked into, holding `train/pos`, `train/neg`, `test/pos` and `test/neg` with one review per
 * `<id>_<rating>.txt` file (25,000 each for training and testing). Labels are 0 for neg, 1 for pos. A subset is
 * a seeded random draw. Every file name is checked (a rating that does not fit its folder is refused) and every
 * review read is decoded as strict UTF-8 before anything is returned: a malformed file is an error naming it.
 */
export function loadImdb(dir: string, options: ImdbOptions = {}): Imdb {
  const fn = 'loadImdb';
  if (typeof dir !== 'string' || dir === '') throw new TypeError(`${fn}: expected a directory path, got ${dir === '' ? 'an empty string' : typeof dir}`);
  if (options === null || typeof options !== 'object') throw new TypeError(`${fn}: expected an options object, got ${options === null ? 'null' : typeof options}`);
  const unknown = Object.keys(options).filter((k) => !['trainSize', 'testSize', 'generator'].includes(k));
  if (unknown.length > 0) throw new RangeError(`${fn}: expected options among trainSize, testSize, generator, got unknown ${unknown.join(', ')}`);
  const root = existsSync(dir) && statSync(dir).isDirectory() ? findImdb(dir) : null;
  if (root === null) throw new Error(`${fn}: expected the IMDB review folders (${LAYOUT}) in ${dir} or ${join(dir, 'aclImdb')}, got ${existsSync(dir) ? 'a folder without them' : 'no directory'}`);
  const generator = options.generator ?? defaultGenerator;
  const trainFiles = listSplit(root, 'train'), testFiles = listSplit(root, 'test');
  const trainRows = pick(fn, 'trainSize', options.trainSize, trainFiles.length, generator);
  const testRows = pick(fn, 'testSize', options.testSize, testFiles.length, generator);
  return { train: readSplit(trainFiles, trainRows), test: readSplit(testFiles, testRows), classes: IMDB_CLASSES, dir: root };
}

/** Options of `encodeImdb`. */
export interface EncodeImdbOptions {
  /** Vocabulary size, `<pad>` and `<unk>` included: the most frequent training words. Default 20,000. */
  vocabSize?: number;
  /** Tokens per review: longer ones cut to their first `maxLength`, shorter padded at the end. Default 200. */
  maxLength?: number;
  /** Reviews moved from the training set (its last ones, already in random order) to a validation set. Default 0. */
  validationSize?: number;
}

/** Token indices [n, maxLength] (as floats, for `Embedding`) and labels [n]. */
export interface EncodedText {
  x: Tensor;
  y: Tensor;
}

/** What `encodeImdb` returns. */
export interface EncodedImdb {
  train: EncodedText;
  valid: EncodedText | null;
  test: EncodedText;
  classes: readonly string[];
  vocab: Vocab;
}

/**
 * Reviews as fixed-length index sequences: `basicEnglishTokenize`, a vocabulary of the `vocabSize` most frequent
 * training tokens built by `buildVocabFromIterator` with specials `<pad>` = 0 and `<unk>` = 1 (torchtext's
 * convention: specials first, unknown words to `<unk>`), then `padTruncate` to `maxLength` with `<pad>`. The
 * vocabulary sees the training reviews only (not the validation or test ones).
 */
export function encodeImdb(data: Pick<Imdb, 'train' | 'test'>, options: EncodeImdbOptions = {}): EncodedImdb {
  const fn = 'encodeImdb';
  if (data === null || typeof data !== 'object' || !Array.isArray(data.train?.texts) || !Array.isArray(data.test?.texts)) throw new TypeError(`${fn}: expected the result of loadImdb, got ${data === null ? 'null' : typeof data}`);
  const unknown = Object.keys(options).filter((k) => !['vocabSize', 'maxLength', 'validationSize'].includes(k));
  if (unknown.length > 0) throw new RangeError(`${fn}: expected options among vocabSize, maxLength, validationSize, got unknown ${unknown.join(', ')}`);
  const { vocabSize = 20000, maxLength = 200, validationSize = 0 } = options;
  if (!Number.isInteger(vocabSize) || vocabSize < 3) throw new RangeError(`${fn}: expected vocabSize to be an integer >= 3, got ${vocabSize}`);
  if (!Number.isInteger(maxLength) || maxLength < 1) throw new RangeError(`${fn}: expected maxLength to be a positive integer, got ${maxLength}`);
  const n = data.train.texts.length;
  if (!Number.isInteger(validationSize) || validationSize < 0 || validationSize >= n) throw new RangeError(`${fn}: expected validationSize to be an integer in [0, ${n - 1}], got ${validationSize}`);
  const trainTokens = data.train.texts.slice(0, n - validationSize).map(basicEnglishTokenize);
  const vocab = buildVocabFromIterator(trainTokens, { specials: ['<pad>', '<unk>'], maxTokens: vocabSize });
  vocab.setDefaultIndex(1);
  const encode = (tokens: string[][], labels: number[]): EncodedText => {
    const x = new Float32Array(tokens.length * maxLength);
    tokens.forEach((t, i) => x.set(padTruncate(vocab.lookupIndices(t), maxLength, 0), i * maxLength));
    return { x: new Tensor(x, [tokens.length, maxLength]), y: new Tensor(Float32Array.from(labels), [labels.length]) };
  };
  const validTokens = data.train.texts.slice(n - validationSize).map(basicEnglishTokenize);
  return {
    train: encode(trainTokens, data.train.labels.slice(0, n - validationSize)),
    valid: validationSize > 0 ? encode(validTokens, data.train.labels.slice(n - validationSize)) : null,
    test: encode(data.test.texts.map(basicEnglishTokenize), data.test.labels),
    classes: IMDB_CLASSES,
    vocab,
  };
}
