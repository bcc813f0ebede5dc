// Text: torchtext's basic_english tokenizer and build_vocab_from_iterator by hand-worked examples, padding and
// truncation, and the IMDB reader on a miniature aclImdb folder written here (its layout, file names and errors).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { basicEnglishTokenize, buildVocabFromIterator, padTruncate, Vocab, loadImdb, encodeImdb, Generator } from '../../src/index.js';
import { removeAtExit } from '../helpers/cleanup.js';

const tok = suite('basicEnglishTokenize is torchtext\'s basic_english');
tok('lowercases, splits . , ( ) ! ? off, makes the apostrophe a token, drops double quotes', () => {
  assert.equal(basicEnglishTokenize('Hello, World! It\'s "great" (really).'), ['hello', ',', 'world', '!', 'it', '\'', 's', 'great', '(', 'really', ')', '.']);
});
tok('HTML line breaks, ; and : separate words; other punctuation stays attached', () => {
  assert.equal(basicEnglishTokenize('One<br /><br />two;three:four - five*'), ['one', 'two', 'three', 'four', '-', 'five*']);
  assert.equal(basicEnglishTokenize('  \t\n '), []);
  assert.throws(() => basicEnglishTokenize(3 as never), /basicEnglishTokenize: expected a string, got number/);
});

const voc = suite('buildVocabFromIterator orders as torchtext does');
voc('specials first, then by falling count, ties by the token; maxTokens counts the specials', () => {
  // counts: b 3, a 2, c 2, d 1
  const docs = [['b', 'a', 'c'], ['b', 'c', 'a', 'd'], ['b']];
  const v = buildVocabFromIterator(docs, { specials: ['<pad>', '<unk>'] });
  assert.equal(v.getItos(), ['<pad>', '<unk>', 'b', 'a', 'c', 'd']);
  assert.equal(buildVocabFromIterator(docs, { specials: ['<pad>', '<unk>'], maxTokens: 4 }).getItos(), ['<pad>', '<unk>', 'b', 'a']);
  assert.equal(buildVocabFromIterator(docs, { minFreq: 2 }).getItos(), ['b', 'a', 'c']);
  assert.equal(buildVocabFromIterator(docs, { specials: ['<unk>'], specialFirst: false }).getItos(), ['b', 'a', 'c', 'd', '<unk>']);
});
voc('unknown tokens take the default index; without one they are an error', () => {
  const v = buildVocabFromIterator([['x', 'y', 'x']], { specials: ['<pad>', '<unk>'] });
  assert.throws(() => v.lookupIndices(['x', 'z']), /Vocab.lookupIndices: expected tokens of the vocabulary or a default index \(setDefaultIndex\), got 'z'/);
  v.setDefaultIndex(1);
  assert.equal(v.lookupIndices(['x', 'z', 'y']), [2, 1, 3]);
  assert.equal(v.lookupTokens([3, 0]), ['y', '<pad>']);
  assert.is(v.length, 4);
  assert.ok(v.has('y') && !v.has('z'));
});
voc('bad options and inputs are named', () => {
  assert.throws(() => buildVocabFromIterator([['a']], { maxTokens: 2, specials: ['<pad>', '<unk>'] }), /expected maxTokens to be an integer > the 2 specials, got 2/);
  assert.throws(() => buildVocabFromIterator([['a']], { minFreq: 0 }), /expected minFreq to be a positive integer, got 0/);
  assert.throws(() => buildVocabFromIterator(['abc'] as never), /expected an iterable of token arrays, got an entry of type string/);
  assert.throws(() => buildVocabFromIterator([['a']], { max: 3 } as never), /got unknown max/);
  assert.throws(() => new Vocab(['a', 'b', 'a']), /Vocab: expected distinct tokens, got 'a' at 0 and 2/);
});
voc('padTruncate keeps the first tokens and pads at the end', () => {
  assert.equal([...padTruncate([5, 6, 7], 5)], [5, 6, 7, 0, 0]);
  assert.equal([...padTruncate([5, 6, 7], 2)], [5, 6]);
  assert.equal([...padTruncate([], 2, 9)], [9, 9]);
  assert.throws(() => padTruncate([1], 0), /padTruncate: expected length to be a positive integer, got 0/);
});

const tmp = mkdtempSync(join(tmpdir(), 'lrlab-imdb-'));
/** A miniature aclImdb: per split, `n` reviews in pos (rating 8) and in neg (rating 2). */
function writeImdb(root: string, n: number): void {
  for (const split of ['train', 'test']) {
    for (const label of ['pos', 'neg']) {
      const dir = join(root, 'aclImdb', split, label);
      mkdirSync(dir, { recursive: true });
      for (let i = 0; i < n; i++) writeFileSync(join(dir, `${i}_${label === 'pos' ? 8 : 2}.txt`), label === 'pos' ? `A great film, truly great! Review ${i}.` : `An awful film.<br />Truly awful, review ${i}.`);
    }
  }
}
const root = join(tmp, 'imdb');
writeImdb(root, 6);

const imdb = suite('loadImdb and encodeImdb on a miniature aclImdb folder');
imdb('reviews come back with labels 0 (neg) and 1 (pos); the folder or its parent both work', () => {
  const a = loadImdb(root), b = loadImdb(join(root, 'aclImdb'));
  assert.is(a.train.texts.length, 12);
  assert.equal(a.train.labels, [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
  assert.ok(a.train.texts[6].startsWith('A great film'));
  assert.equal(b.test.texts, a.test.texts);
  assert.equal(a.classes, ['neg', 'pos']);
});
imdb('subsets are seeded random draws from both classes', () => {
  const a = loadImdb(root, { trainSize: 5, testSize: 4, generator: new Generator(2) });
  const b = loadImdb(root, { trainSize: 5, testSize: 4, generator: new Generator(2) });
  assert.equal(a.train.texts, b.train.texts);
  assert.is(a.test.labels.length, 4);
  assert.throws(() => loadImdb(root, { trainSize: 13 }), /loadImdb: expected trainSize to be an integer in \[1, 12\], got 13/);
});
imdb('encodeImdb: <pad> = 0, <unk> = 1, the vocabulary from the training reviews only, padded and cut to maxLength', () => {
  const data = { train: { texts: ['good good film', 'bad film'], labels: [1, 0] }, test: { texts: ['good unseen film and more words'], labels: [1] } };
  const e = encodeImdb(data, { maxLength: 4 });
  assert.equal(e.vocab.getItos(), ['<pad>', '<unk>', 'film', 'good', 'bad']);
  assert.equal([...e.train.x.data], [3, 3, 2, 0, 4, 2, 0, 0]);
  assert.equal([...e.test.x.data], [3, 1, 2, 1], 'unseen words are <unk>; cut after 4 tokens');
  assert.equal(e.train.x.shape, [2, 4]);
  assert.equal([...e.train.y.data], [1, 0]);
  const v = encodeImdb(data, { maxLength: 3, validationSize: 1, vocabSize: 3 });
  assert.equal(v.vocab.getItos(), ['<pad>', '<unk>', 'good'], 'the validation review is not counted; 3 tokens at most');
  assert.equal([...v.valid!.x.data], [1, 1, 0]);
  assert.throws(() => encodeImdb(data, { validationSize: 2 }), /encodeImdb: expected validationSize to be an integer in \[0, 1\], got 2/);
  assert.throws(() => encodeImdb(data, { vocab: 3 } as never), /got unknown vocab/);
});

const bad = suite('loadImdb refuses a wrong folder and malformed reviews, returning nothing');
bad('a folder without train/ and test/ pos and neg names the layout', () => {
  const empty = join(tmp, 'empty');
  mkdirSync(join(empty, 'train', 'pos'), { recursive: true });
  assert.throws(() => loadImdb(empty), /loadImdb: expected the IMDB review folders \(aclImdb\/\{train,test\}\/\{pos,neg\}\/<id>_<rating>.txt\) in .*empty or .*empty\/aclImdb, got a folder without them/);
  assert.throws(() => loadImdb(join(tmp, 'nowhere')), /got no directory/);
});
bad('a file name without its rating, or a rating that does not fit the folder, is refused by name', () => {
  const odd = join(tmp, 'odd');
  writeImdb(odd, 2);
  writeFileSync(join(odd, 'aclImdb', 'test', 'pos', '7_3.txt'), 'a review rated 3 among the positive ones');
  assert.throws(() => loadImdb(odd), /loadImdb: expected review files named <id>_<rating>.txt with a rating in 7-10 in .*test\/pos .*, got 7_3.txt/);
  rmSync(join(odd, 'aclImdb', 'test', 'pos', '7_3.txt'));
  writeFileSync(join(odd, 'aclImdb', 'train', 'neg', 'review.txt'), 'no id');
  assert.throws(() => loadImdb(odd), /got review.txt/);
});
bad('bytes that are not UTF-8 and empty reviews are refused by name', () => {
  const enc = join(tmp, 'enc');
  writeImdb(enc, 2);
  writeFileSync(join(enc, 'aclImdb', 'train', 'neg', '1_1.txt'), Buffer.from([0x62, 0x61, 0x64, 0xff, 0xfe]));
  assert.throws(() => loadImdb(enc), /loadImdb: expected a UTF-8 review in .*train\/neg\/1_1.txt, got bytes that are not UTF-8/);
  writeFileSync(join(enc, 'aclImdb', 'train', 'neg', '1_1.txt'), '  \n');
  assert.throws(() => loadImdb(enc), /expected a review in .*1_1.txt, got an empty file/);
});

tok.run();
voc.run();
imdb.run();
bad.run();
removeAtExit(tmp);
