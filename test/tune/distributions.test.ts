import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { floatDistribution, intDistribution, categoricalDistribution, checkCompatible, contains } from '../../src/index.js';

const test = suite('search-space distributions: checked arguments, errors naming the parameter');

test('valid arguments build Optuna-shaped distributions', () => {
  assert.equal(floatDistribution('lr', 1e-4, 1e-1, { log: true }), { type: 'float', low: 1e-4, high: 1e-1, log: true, step: null });
  assert.equal(floatDistribution('d', 0, 1, { step: 0.1 }), { type: 'float', low: 0, high: 1, log: false, step: 0.1 });
  assert.equal(intDistribution('units', 8, 64, { step: 8 }), { type: 'int', low: 8, high: 64, log: false, step: 8 });
  assert.equal(categoricalDistribution('opt', ['adam', 'sgd']), { type: 'categorical', choices: ['adam', 'sgd'] });
});

test('low > high is a RangeError naming the parameter and both bounds', () => {
  assert.throws(() => floatDistribution('lr', 0.1, 0.01), /suggestFloat\('lr'\): expected low <= high, got low 0.1 > high 0.01/);
  assert.throws(() => intDistribution('units', 10, 2), /suggestInt\('units'\): expected low <= high, got low 10 > high 2/);
});

test('log with low <= 0 is a RangeError; log with a step is refused', () => {
  assert.throws(() => floatDistribution('lr', 0, 1, { log: true }), /suggestFloat\('lr'\): expected low > 0 with log, got low 0/);
  assert.throws(() => floatDistribution('lr', -1, 1, { log: true }), /got low -1/);
  assert.throws(() => intDistribution('n', 0, 10, { log: true }), /suggestInt\('n'\): expected low >= 1 with log, got low 0/);
  assert.throws(() => floatDistribution('lr', 1e-3, 1, { log: true, step: 0.1 }), /expected step or log, not both/);
  assert.throws(() => intDistribution('n', 1, 9, { log: true, step: 2 }), /expected step 1 with log, got step 2/);
});

test('an empty categorical list, a repeated or NaN choice are errors', () => {
  assert.throws(() => categoricalDistribution('opt', []), /suggestCategorical\('opt'\): expected at least one choice, got an empty list/);
  assert.throws(() => categoricalDistribution('opt', ['a', 'a']), /expected distinct choices, got "a" twice/);
  assert.throws(() => categoricalDistribution('opt', [1, NaN]), /TypeError|expected choices that are strings/);
  assert.throws(() => categoricalDistribution('opt', 'adam' as never), /expected an array of choices, got "adam"/);
});

test('a step that does not divide the range is a RangeError; a float step that does (0.1 over [0, 1]) is accepted', () => {
  assert.throws(() => floatDistribution('d', 0, 1, { step: 0.3 }), /suggestFloat\('d'\): expected a step that divides high - low = 1, got step 0.3/);
  assert.throws(() => intDistribution('units', 8, 60, { step: 8 }), /suggestInt\('units'\): expected a step that divides high - low = 52, got step 8/);
  assert.throws(() => floatDistribution('d', 0, 1, { step: 0 }), /expected a finite step > 0, got 0/);
  assert.ok(floatDistribution('d', 0, 0.3, { step: 0.1 }));
});

test('non-finite bounds, wrong types and unknown options are refused', () => {
  assert.throws(() => floatDistribution('x', NaN, 1), /suggestFloat\('x'\): expected a finite low, got NaN/);
  assert.throws(() => floatDistribution('x', 0, Infinity), /expected a finite high, got Infinity/);
  assert.throws(() => floatDistribution('x', '0' as never, 1), /expected low to be a number, got "0"/);
  assert.throws(() => intDistribution('n', 0.5, 3), /suggestInt\('n'\): expected integer bounds, got low 0.5, high 3/);
  assert.throws(() => floatDistribution('x', 0, 1, { lg: true } as never), /unknown option 'lg'/);
  assert.throws(() => floatDistribution('x', 0, 1, { log: 'yes' } as never), /expected log to be a boolean, got "yes"/);
  assert.throws(() => floatDistribution('' as string, 0, 1), /expected a non-empty parameter name/);
});

test('compatibility across trials: ranges may change, the kind and categorical choices may not', () => {
  checkCompatible('lr', floatDistribution('lr', 0, 1), floatDistribution('lr', 0, 2)); // a dynamic range is fine
  assert.throws(() => checkCompatible('n', floatDistribution('n', 0, 1), intDistribution('n', 0, 1)), /suggest\('n'\): expected the distribution the study already uses for 'n' \(float \[0, 1\]\), got int \[0, 1\]/);
  assert.throws(() => checkCompatible('o', categoricalDistribution('o', ['a', 'b']), categoricalDistribution('o', ['a'])), /categorical \["a","b"\]/);
});

test('contains respects bounds, grids and integer-ness', () => {
  const d = floatDistribution('d', 0, 1, { step: 0.25 });
  assert.ok(contains(d, 0.75));
  assert.not.ok(contains(d, 0.7));
  assert.not.ok(contains(intDistribution('n', 2, 10, { step: 2 }), 5));
  assert.not.ok(contains(floatDistribution('x', 0, 1), NaN));
  assert.ok(contains(categoricalDistribution('c', [null, true]), null));
});

test.run();
