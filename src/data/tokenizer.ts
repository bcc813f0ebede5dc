// torchtext's basic_english normalization, in its order: each pattern replaced by its string, then split on space
const BASIC_ENGLISH: [RegExp, string][] = [
  [/'/g, " '  "], [/"/g, ''], [/\./g, ' . '], [/<br \/>/g, ' '], [/,/g, ' , '], [/\(/g, ' ( '], [/\)/g, ' ) '],
  [/!/g, ' ! '], [/\?/g, ' ? '], [/;/g, ' '], [/:/g, ' '], [/\s+/g, ' '],
];

/**
 * Splits English text into tokens as torchtext's `get_tokenizer('basic_english')`: lowercase; `.` `,` `(` `)` `!`
 * `?` and the apostrophe become tokens of their own (`don't` gives `don`, `'`, `t`), double quotes are
 * dropped, `;` `:` and HTML line breaks (`<br />`, as IMDB reviews hold them) separate words; then split on
 * whitespace.
 */
export function basicEnglishTokenize(text: string): string[] {
  if (typeof text !== 'string') throw new TypeError(`basicEnglishTokenize: expected a string, got ${text === null ? 'null' : typeof text}`);
  let line = text.toLowerCase();
  for (const [pattern, replacement] of BASIC_ENGLISH) line = line.replace(pattern, replacement);
  return line.split(' ').filter((t) => t !== '');
}

/** Options of `buildVocabFromIterator`, as torchtext names them. */
export interface BuildVocabOptions {
  /** Tokens seen fewer times are left out. Default 1. */
  minFreq?: number;
  /** Tokens placed before (or after) the counted ones, e.g. ['<pad>', '<unk>']. Default none. */
  specials?: string[];
  /** Specials first (indices 0, 1, ...) or last. Default true. */
  specialFirst?: boolean;
  /** At most this many tokens, specials included: the most frequent. Default all. */
  maxTokens?: number;
}

/**
 * A vocabulary: tokens to indices and back, as torchtext's `Vocab`. A token it does not hold maps to the default
 * index when one is set (`setDefaultIndex`), else is an error.
 */
export class Vocab {
  readonly #itos: string[];
  readonly #stoi = new Map<string, number>();
  #default: number | null = null;

  constructor(tokens: readonly string[]) {
    if (!Array.isArray(tokens) || tokens.some((t) => typeof t !== 'string')) throw new TypeError('Vocab: expected an array of token strings');
    this.#itos = [...tokens];
    this.#itos.forEach((t, i) => {
      if (this.#stoi.has(t)) throw new RangeError(`Vocab: expected distinct tokens, got '${t}' at ${this.#stoi.get(t)} and ${i}`);
      this.#stoi.set(t, i);
    });
  }

  /** Number of tokens (`len(vocab)`). */
  get length(): number {
    return this.#itos.length;
  }

  /** Whether `token` is held (`token in vocab`). */
  has(token: string): boolean {
    return this.#stoi.has(token);
  }

  /** The index unknown tokens map to (`set_default_index`); null to make them errors again. */
  setDefaultIndex(index: number | null): void {
    if (index !== null && (!Number.isInteger(index) || index < 0 || index >= this.#itos.length)) throw new RangeError(`Vocab.setDefaultIndex: expected an index in [0, ${this.#itos.length}) or null, got ${index}`);
    this.#default = index;
  }

  getDefaultIndex(): number | null {
    return this.#default;
  }

  /** The index of each token (`lookup_indices`); an unknown one takes the default index. */
  lookupIndices(tokens: readonly string[]): number[] {
    return tokens.map((t) => {
      const i = this.#stoi.get(t) ?? this.#default;
      if (i === null) throw new RangeError(`Vocab.lookupIndices: expected tokens of the vocabulary or a default index (setDefaultIndex), got '${t}'`);
      return i;
    });
  }

  /** The token at each index (`lookup_tokens`). */
  lookupTokens(indices: readonly number[]): string[] {
    return indices.map((i) => {
      if (!Number.isInteger(i) || i < 0 || i >= this.#itos.length) throw new RangeError(`Vocab.lookupTokens: expected indices in [0, ${this.#itos.length}), got ${i}`);
      return this.#itos[i];
    });
  }

  /** Index to token (`get_itos`). */
  getItos(): string[] {
    return [...this.#itos];
  }

  /** Token to index (`get_stoi`). */
  getStoi(): Map<string, number> {
    return new Map(this.#stoi);
  }
}

/**
 * A vocabulary from token lists, as torchtext's `build_vocab_from_iterator`: tokens counted, sorted by falling
 * count and, on ties, by the token (code-unit order), cut to `maxTokens - specials.length`, those seen fewer than
 * `minFreq` times dropped, then the specials put first (or last). With `specials: ['<pad>', '<unk>']` and
 * `setDefaultIndex(1)` this is the usual text-classification setup: `<pad>` = 0, `<unk>` = 1.
 */
export function buildVocabFromIterator(iterator: Iterable<readonly string[]>, options: BuildVocabOptions = {}): Vocab {
  const fn = 'buildVocabFromIterator';
  if (options === null || typeof options !== 'object') throw new TypeError(`${fn}: expected an options object, got ${options === null ? 'null' : typeof options}`);
  const unknown = Object.keys(options).filter((k) => !['minFreq', 'specials', 'specialFirst', 'maxTokens'].includes(k));
  if (unknown.length > 0) throw new RangeError(`${fn}: expected options among minFreq, specials, specialFirst, maxTokens, got unknown ${unknown.join(', ')}`);
  const { minFreq = 1, specials = [], specialFirst = true, maxTokens } = options;
  if (!Number.isInteger(minFreq) || minFreq < 1) throw new RangeError(`${fn}: expected minFreq to be a positive integer, got ${minFreq}`);
  if (!Array.isArray(specials) || specials.some((s) => typeof s !== 'string')) throw new TypeError(`${fn}: expected specials to be an array of strings, got ${typeof specials}`);
  if (maxTokens !== undefined && (!Number.isInteger(maxTokens) || maxTokens <= specials.length)) throw new RangeError(`${fn}: expected maxTokens to be an integer > the ${specials.length} specials, got ${maxTokens}`);
  if (iterator === null || typeof (iterator as Iterable<unknown>)?.[Symbol.iterator] !== 'function') throw new TypeError(`${fn}: expected an iterable of token arrays, got ${iterator === null ? 'null' : typeof iterator}`);
  const counts = new Map<string, number>();
  for (const tokens of iterator) {
    if (!Array.isArray(tokens)) throw new TypeError(`${fn}: expected an iterable of token arrays, got an entry of type ${typeof tokens}`);
    for (const t of tokens) counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  let sorted = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  if (maxTokens !== undefined) sorted = sorted.slice(0, maxTokens - specials.length);
  const special = new Set(specials);
  const tokens = sorted.filter(([t, c]) => !special.has(t) && c >= minFreq).map(([t]) => t);
  return new Vocab(specialFirst ? [...specials, ...tokens] : [...tokens, ...specials]);
}

/**
 * `ids` cut to its first `length` (torchtext's `Truncate`) and padded at the end with `padIndex` up to `length`
 * (its `PadTransform`), as an Int32Array.
 */
export function padTruncate(ids: readonly number[], length: number, padIndex = 0): Int32Array {
  if (!Number.isInteger(length) || length < 1) throw new RangeError(`padTruncate: expected length to be a positive integer, got ${length}`);
  const out = new Int32Array(length).fill(padIndex);
  for (let i = 0; i < Math.min(length, ids.length); i++) out[i] = ids[i];
  return out;
}
