import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SGD, tensor, AdaptiveLR } from '../../src/index.js';
import { assertClose } from '../helpers/assert.js';

const opt = (lr = 0.01) => new SGD([tensor([0], { requiresGrad: true })], { lr });
const test = suite('AdaptiveLR: the seed 003 heuristic');

test('raises the lr by increaseFactor after increaseAfter consecutive decreases, and logs why', () => {
  const o = opt(0.01);
  const a = new AdaptiveLR(o, { window: 1, increaseAfter: 3, increaseFactor: 1.5 });
  const actions = [10, 9, 8, 7, 6, 5, 4].map((loss) => a.step(loss).action);
  // step 1 sets the reference; steps 2, 3, 4 are three falls in a row -> increase at step 4, then again at step 7
  assert.equal(actions, ['hold', 'hold', 'hold', 'increase', 'hold', 'hold', 'increase']);
  assertClose(o.paramGroups[0].lr, 0.01 * 1.5 * 1.5, { rtol: 1e-12 });
  assert.match(a.decisions[3].reason, /consistent decrease: 3 falls in a row/);
});

test('cuts the lr on a rise beyond the tolerance, then holds for the cooldown', () => {
  const o = opt(0.01);
  const a = new AdaptiveLR(o, { window: 1, riseTolerance: 0.1, cooldown: 2, decreaseFactor: 0.5 });
  a.step(1);
  a.step(0.9);
  const rise = a.step(1.2); // 1.2 > 0.9 * 1.1
  assert.is(rise.action, 'decrease');
  assert.match(rise.reason, /^rise: smoothed loss 1.200 is more than 10% above the best 0.9000/);
  assert.is(o.paramGroups[0].lr, 0.005);
  assert.equal([a.step(2).action, a.step(3).action], ['hold', 'hold']);
  assert.match(a.decisions[3].reason, /cooldown/);
  assert.is(a.step(3).action, 'decrease'); // cooldown over, still far above the best
});

test('cuts the lr on a plateau after plateauPatience steps without a new best', () => {
  const o = opt(0.01);
  const a = new AdaptiveLR(o, { window: 1, plateauPatience: 3, cooldown: 0 });
  const actions = [1, 1, 1, 1, 1].map((l) => a.step(l).action);
  assert.equal(actions, ['hold', 'hold', 'hold', 'decrease', 'hold']);
  assert.match(a.decisions[3].reason, /plateau: no new best for 3 steps/);
});

test('smoothing: one noisy spike inside the window neither counts as a rise nor breaks the trend', () => {
  const o = opt(0.01);
  const a = new AdaptiveLR(o, { window: 5, riseTolerance: 0.2 });
  for (const l of [1, 0.95, 0.9, 0.85, 0.8, 1.0, 0.75]) a.step(l);
  assert.ok(a.decisions.every((d) => d.action !== 'decrease'), JSON.stringify(a.decisions.map((d) => d.reason)));
});

test('stays within [minLr, maxLr]', () => {
  const o = opt(0.01);
  const up = new AdaptiveLR(o, { window: 1, increaseAfter: 1, increaseFactor: 2, maxLr: 0.03 });
  for (let i = 0; i < 10; i++) up.step(10 - i);
  assert.is(o.paramGroups[0].lr, 0.03);
  const o2 = opt(0.01);
  const down = new AdaptiveLR(o2, { window: 1, plateauPatience: 1, cooldown: 0, minLr: 0.004 });
  for (let i = 0; i < 10; i++) down.step(1);
  assert.is(o2.paramGroups[0].lr, 0.004);
});

test('with a second metric, a falling loss with a worsening accuracy is not a consistent decrease', () => {
  const o = opt(0.01);
  const a = new AdaptiveLR(o, { window: 1, increaseAfter: 2 });
  const steps: [number, number][] = [[5, 0.5], [4, 0.4], [3, 0.3], [2, 0.2]];
  for (const [loss, acc] of steps) a.step(loss, acc);
  assert.ok(a.decisions.every((d) => d.action !== 'increase'));
  assert.is(o.paramGroups[0].lr, 0.01);
});

test('stateDict round trip continues with the same decisions', () => {
  const losses = [5, 4.5, 4.4, 4.6, 4.2, 4, 3.9, 3.95, 3.9, 3.9, 3.9, 3.91, 3.9, 3.6, 3.5, 3.4, 3.3, 3.2, 3.1, 3];
  const oa = opt(), a = new AdaptiveLR(oa, { window: 2, plateauPatience: 3, increaseAfter: 2 });
  losses.slice(0, 8).forEach((l) => a.step(l));
  const saved = JSON.parse(JSON.stringify(a.stateDict()));
  const savedLr = oa.paramGroups[0].lr;
  const rest = losses.slice(8).map((l) => a.step(l));
  const ob = opt(savedLr), b = new AdaptiveLR(ob, { window: 2, plateauPatience: 3, increaseAfter: 2, maxLr: 0.1 });
  b.loadStateDict(saved);
  assert.equal(losses.slice(8).map((l) => b.step(l)), rest);
  assert.throws(() => b.loadStateDict({}), /AdaptiveLR.loadStateDict: expected keys/);
});

test('bad input: NaN loss and invalid options', () => {
  const a = new AdaptiveLR(opt());
  assert.throws(() => a.step(NaN), /AdaptiveLR.step: expected a finite loss, got NaN at step 1/);
  assert.throws(() => new AdaptiveLR(opt(), { decreaseFactor: 1.5 }), /AdaptiveLR: decreaseFactor must be in \(0, 1\), got 1.5/);
  assert.throws(() => new AdaptiveLR(opt(), { window: 0 }), /AdaptiveLR: window must be a positive integer, got 0/);
  assert.throws(() => new AdaptiveLR(opt(), { increaseFactor: 0.5 }), /AdaptiveLR: increaseFactor must be >= 1, got 0.5/);
});

test.run();
