import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { GridSampler } from '../../src/tune/samplers/grid.js';
import { DriverStudy, type DriverTrial } from '../helpers/tuneDriver.js';

const space = { lr: [0.1, 0.01], layers: [1, 2, 3] };
const objective = (t: DriverTrial) => t.suggestFloat('lr', 0.001, 1, { log: true }) * t.suggestInt('layers', 1, 3);

const test = suite('GridSampler evaluates every grid point once, then stops the study');

test('points are numbered with the parameters in sorted order, the last varying fastest', () => {
  const g = new GridSampler(space, { seed: 0 });
  assert.is(g.size, 6);
  assert.equal([0, 1, 2, 3, 4, 5].map((i) => g.point(i)), [
    { layers: 1, lr: 0.1 }, { layers: 1, lr: 0.01 }, { layers: 2, lr: 0.1 },
    { layers: 2, lr: 0.01 }, { layers: 3, lr: 0.1 }, { layers: 3, lr: 0.01 },
  ]);
});

test('asked for 20 trials, a 6-point grid runs 6, each point once, and calls study.stop()', () => {
  const study = new DriverStudy(new GridSampler(space, { seed: 3 }));
  study.optimize(objective, 20);
  assert.is(study.trials.length, 6);
  assert.ok(study.stopped, 'study.stop() was called');
  const seen = study.trials.map((t) => `${t.params.lr}/${t.params.layers}`).sort();
  assert.equal(seen, ['0.01/1', '0.01/2', '0.01/3', '0.1/1', '0.1/2', '0.1/3']);
  assert.equal(study.trials.map((t) => t.systemAttrs.gridId).sort(), [0, 1, 2, 3, 4, 5]);
});

test('the study is not stopped while a point is unassigned, and a failed trial counts as visited', () => {
  const study = new DriverStudy(new GridSampler({ x: [1, 2, 3] }, { seed: 0 }));
  const a = study.ask();
  a.suggestInt('x', 1, 3);
  study.tell(a, null, 'fail');
  assert.not.ok(study.stopped);
  study.optimize((t) => t.suggestInt('x', 1, 3), 10);
  assert.is(study.trials.length, 3);
  assert.is(new Set(study.trials.map((t) => t.params.x)).size, 3);
});

test('trials running at the same time get different points; the last to end stops the study', () => {
  const study = new DriverStudy(new GridSampler({ x: ['a', 'b', 'c'] }, { seed: 1 }));
  const running = [study.ask(), study.ask(), study.ask()];
  const xs = running.map((t) => t.suggestCategorical('x', ['a', 'b', 'c']));
  assert.equal([...xs].sort(), ['a', 'b', 'c']);
  study.tell(running[0], 1);
  study.tell(running[1], 2);
  assert.ok(study.stopped, 'no point is left unassigned once the first trials end');
});

test('the same seed visits the grid in the same order; another seed in another', () => {
  const order = (seed: number) => {
    const study = new DriverStudy(new GridSampler({ a: [1, 2, 3, 4], b: [true, false] }, { seed }));
    study.optimize((t) => Number(t.suggestCategorical('a', [1, 2, 3, 4])) + Number(t.suggestCategorical('b', [true, false])), 8);
    return study.trials.map((t) => t.systemAttrs.gridId);
  };
  assert.equal(order(7), order(7));
  assert.not.equal(order(7), order(8));
});

test.run();

const errors = suite('GridSampler rejects a bad grid, bad options and parameters outside the grid');

errors('an empty value list, a non-array, an object value or no parameters at all', () => {
  assert.throws(() => new GridSampler({ lr: [] }), (e: Error) => e instanceof RangeError && /GridSampler: expected at least one value for 'lr', got \[\]/.test(e.message));
  assert.throws(() => new GridSampler({ lr: 0.1 } as never), (e: Error) => e instanceof TypeError && /expected an array of values for 'lr', got 0.1/.test(e.message));
  assert.throws(() => new GridSampler({ lr: [{}] } as never), /expected 'lr' values to be strings, numbers, booleans or null, got object/);
  assert.throws(() => new GridSampler({}), /expected at least one parameter/);
  assert.throws(() => new GridSampler(null as never), TypeError);
});

errors('unknown option names and bad seeds', () => {
  assert.throws(() => new GridSampler(space, { seeds: 1 } as never), /GridSampler: expected options among seed, got unknown option 'seeds'/);
  assert.throws(() => new GridSampler(space, { seed: Infinity }), /expected seed to be a safe integer, got Infinity/);
});

errors('suggesting a parameter the grid does not have names it and the grid', () => {
  const study = new DriverStudy(new GridSampler(space, { seed: 0 }));
  const t = study.ask();
  assert.throws(() => t.suggestFloat('momentum', 0, 1), /GridSampler: expected a parameter of the grid \(layers, lr\), got 'momentum'/);
});

errors.run();
