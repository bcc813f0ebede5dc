import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createStudy, type Study, type Trial } from '../../src/index.js';
import { GridSampler } from '../../src/tune/samplers/grid.js';

const space = { lr: [0.1, 0.01], layers: [1, 2, 3] };
const objective = (t: Trial) => t.suggestFloat('lr', 0.001, 1, { log: true }) * t.suggestInt('layers', 1, 3);

// counts study.stop() calls (the sampler reaches the study's stop through its view)
function watchStop(study: Study): { calls: number } {
  const seen = { calls: 0 };
  const stop = study.stop.bind(study);
  study.stop = () => {
    seen.calls++;
    stop();
  };
  return seen;
}

const test = suite('GridSampler evaluates every grid point once, then stops the study');

test('points are numbered with the parameters in sorted order, the last varying fastest', () => {
  const g = new GridSampler(space, { seed: 0 });
  assert.is(g.size, 6);
  assert.equal([0, 1, 2, 3, 4, 5].map((i) => g.point(i)), [
    { layers: 1, lr: 0.1 }, { layers: 1, lr: 0.01 }, { layers: 2, lr: 0.1 },
    { layers: 2, lr: 0.01 }, { layers: 3, lr: 0.1 }, { layers: 3, lr: 0.01 },
  ]);
});

test('asked for 20 trials, a 6-point grid runs 6, each point once, and calls study.stop()', async () => {
  const study = await createStudy({ sampler: new GridSampler(space, { seed: 3 }) });
  const stops = watchStop(study);
  await study.optimize(objective, { nTrials: 20 });
  assert.is(study.trials.length, 6);
  assert.is(stops.calls, 1);
  const seen = study.trials.map((t) => `${t.params.lr}/${t.params.layers}`).sort();
  assert.equal(seen, ['0.01/1', '0.01/2', '0.01/3', '0.1/1', '0.1/2', '0.1/3']);
  assert.equal(study.trials.map((t) => t.systemAttrs.gridId).sort(), [0, 1, 2, 3, 4, 5]);
});

test('a failed trial counts as visited, and the study is not stopped while a point is unassigned', async () => {
  const study = await createStudy({ sampler: new GridSampler({ x: [1, 2, 3] }, { seed: 0 }) });
  const stops = watchStop(study);
  const a = await study.ask();
  a.suggestInt('x', 1, 3);
  await study.tell(a, undefined, 'fail');
  assert.is(stops.calls, 0);
  await study.optimize((t) => t.suggestInt('x', 1, 3), { nTrials: 10 });
  assert.is(study.trials.length, 3);
  assert.is(new Set(study.trials.map((t) => t.params.x)).size, 3);
});

test('trials running at the same time get different points; once none is unassigned, the study stops', async () => {
  const study = await createStudy({ sampler: new GridSampler({ x: ['a', 'b', 'c'] }, { seed: 1 }) });
  const stops = watchStop(study);
  const running = [await study.ask(), await study.ask(), await study.ask()];
  const xs = running.map((t) => t.suggestCategorical('x', ['a', 'b', 'c']));
  assert.equal([...xs].sort(), ['a', 'b', 'c']);
  await study.tell(running[0], 1);
  assert.ok(stops.calls >= 1, 'the first trial to end finds every point taken');
});

test('the same seed visits the grid in the same order; another seed in another', async () => {
  const order = async (seed: number) => {
    const study = await createStudy({ sampler: new GridSampler({ a: [1, 2, 3, 4], b: [true, false] }, { seed }) });
    await study.optimize((t) => Number(t.suggestCategorical('a', [1, 2, 3, 4])) + Number(t.suggestCategorical('b', [true, false])), { nTrials: 8 });
    return study.trials.map((t) => t.systemAttrs.gridId);
  };
  assert.equal(await order(7), await order(7));
  assert.not.equal(await order(7), await order(8));
});

test('an enqueued trial keeps its parameters and does not take a grid point', async () => {
  const study = await createStudy({ sampler: new GridSampler({ x: [1, 2] }, { seed: 0 }) });
  await study.enqueueTrial({ x: 2 });
  await study.optimize((t) => t.suggestInt('x', 1, 2), { nTrials: 5 });
  assert.is(study.trials.length, 3, 'the enqueued trial, then the 2 grid points');
  assert.equal(study.trials[0].params, { x: 2 });
  assert.is(study.trials[0].systemAttrs.gridId, undefined);
  assert.equal(study.trials.slice(1).map((t) => t.params.x).sort(), [1, 2]);
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

errors('suggesting a parameter the grid does not have names it and the grid; the study keeps its trials', async () => {
  const study = await createStudy({ sampler: new GridSampler(space, { seed: 0 }) });
  await study.optimize(objective, { nTrials: 2 });
  const t = await study.ask();
  assert.throws(() => t.suggestFloat('momentum', 0, 1), /GridSampler: expected a parameter of the grid \(layers, lr\), got 'momentum'/);
  assert.is(study.trials.filter((x) => x.state === 'complete').length, 2);
});

errors.run();
