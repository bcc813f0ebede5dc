import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { RandomSampler, sampleUniform } from '../../src/tune/samplers/random.js';
import { Generator, manualSeed } from '../../src/tensor/random.js';
import type { Distribution } from '../../src/tune/types.js';
import { runStudy } from '../helpers/tuneRun.js';

const test = suite('RandomSampler draws each parameter uniformly in its own space');

const float: Distribution = { type: 'float', low: -1, high: 3, log: false, step: null };
const logFloat: Distribution = { type: 'float', low: 1e-4, high: 1, log: true, step: null };
const stepped: Distribution = { type: 'float', low: 0, high: 1, log: false, step: 0.25 };
const int: Distribution = { type: 'int', low: 2, high: 11, log: false, step: 3 };
const logInt: Distribution = { type: 'int', low: 1, high: 100, log: true, step: 1 };
const cat: Distribution = { type: 'categorical', choices: ['a', 'b', null, 7] };

function draws(d: Distribution, n = 4000, seed = 1): number[] {
  const g = new Generator(seed);
  return Array.from({ length: n }, () => sampleUniform(g, d) as number);
}

test('a float stays in [low, high) and fills both halves evenly', () => {
  const xs = draws(float);
  assert.ok(xs.every((x) => x >= -1 && x < 3));
  const below = xs.filter((x) => x < 1).length / xs.length;
  assert.ok(Math.abs(below - 0.5) < 0.03, `fraction below the middle: ${below}`);
});

test('a log float is uniform in log space: half the draws fall below the geometric mean', () => {
  const xs = draws(logFloat);
  assert.ok(xs.every((x) => x >= 1e-4 && x <= 1));
  const below = xs.filter((x) => x < 1e-2).length / xs.length;
  assert.ok(Math.abs(below - 0.5) < 0.03, `fraction below 1e-2: ${below}`);
});

test('a stepped float and a stepped int land on their grids, every grid point (ends included) about equally often', () => {
  for (const [d, grid] of [[stepped, [0, 0.25, 0.5, 0.75, 1]], [int, [2, 5, 8, 11]]] as const) {
    const xs = draws(d);
    const counts = grid.map((g) => xs.filter((x) => x === g).length);
    assert.is(counts.reduce((a, b) => a + b, 0), xs.length, `every draw on the grid ${grid}`);
    for (const c of counts) assert.ok(Math.abs(c / xs.length - 1 / grid.length) < 0.03, `counts ${counts}`);
  }
});

test('a log int gives integers in range, small ones more often', () => {
  const xs = draws(logInt);
  assert.ok(xs.every((x) => Number.isInteger(x) && x >= 1 && x <= 100));
  assert.ok(xs.filter((x) => x <= 10).length > xs.filter((x) => x > 50).length * 2);
});

test('a categorical picks every choice, null included, about equally often', () => {
  const g = new Generator(2);
  const counts = new Map<unknown, number>();
  for (let i = 0; i < 4000; i++) {
    const v = sampleUniform(g, cat);
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  assert.equal([...counts.keys()].sort(), ['a', 'b', null, 7].sort());
  for (const c of counts.values()) assert.ok(Math.abs(c / 4000 - 0.25) < 0.03);
});

test.run();

const determinism = suite('RandomSampler is repeatable');

async function run(sampler: RandomSampler): Promise<unknown[]> {
  const { study } = await runStudy(sampler, (t) => t.suggestFloat('x', 0, 1) + t.suggestInt('n', 0, 9) + (t.suggestCategorical('c', ['u', 'v']) === 'u' ? 1 : 0), 8);
  return study.trials.map((t) => t.params);
}

determinism('the same seed gives the same parameters; another seed gives others', async () => {
  assert.equal(await run(new RandomSampler({ seed: 5 })), await run(new RandomSampler({ seed: 5 })));
  assert.not.equal(await run(new RandomSampler({ seed: 5 })), await run(new RandomSampler({ seed: 6 })));
});

determinism('without a seed, manualSeed makes it repeatable', async () => {
  manualSeed(11);
  const a = await run(new RandomSampler());
  manualSeed(11);
  assert.equal(await run(new RandomSampler()), a);
});

determinism.run();

const errors = suite('RandomSampler rejects bad options');

errors('an unknown option, a wrong type, NaN or a fractional seed is named in the message', () => {
  assert.throws(() => new RandomSampler({ sed: 1 } as never), (e: Error) => e instanceof TypeError && /RandomSampler: expected options among seed, got unknown option 'sed'/.test(e.message));
  assert.throws(() => new RandomSampler({ seed: '1' } as never), (e: Error) => e instanceof TypeError && /expected seed to be a number, got "1"/.test(e.message));
  assert.throws(() => new RandomSampler({ seed: NaN }), (e: Error) => e instanceof RangeError && /expected seed to be a safe integer, got NaN/.test(e.message));
  assert.throws(() => new RandomSampler({ seed: 1.5 }), /got 1.5/);
  assert.throws(() => new RandomSampler(42 as never), /RandomSampler: expected an options object, got 42/);
});

errors.run();
