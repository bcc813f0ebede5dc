import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { lrSearchSpace, enqueueLrTrials, suggestLr, createStudy, type RangeTestResult, type LrSuggestion } from '../../src/index.js';
import { rejects } from './helpers.js';

const test = suite('lrSearchSpace: a range test becomes the lr range and the first trials of a study');

// lr_i = 10^(-5 + 0.05 i): 1e-5 to 1 in steps of 0.05 decades, x_i = log10(lr_i)
const lrs = Array.from({ length: 101 }, (_, i) => 10 ** (-5 + 0.05 * i));
// the U: flat at 1 up to x = -4, down in a straight line to 0.1 at x = -1.8 (i = 64), up with slope 0.5 after
const u = (x: number) => (x <= -4 ? 1 : x <= -1.8 ? 1 - (0.9 * (x + 4)) / 2.2 : 0.1 + 0.5 * (x + 1.8));
const curve = (losses: number[], stopReason: RangeTestResult['stopReason'] = 'completed'): RangeTestResult => ({
  lrs: lrs.slice(0, losses.length), losses, smoothedLosses: losses, bestLoss: Math.min(...losses), bestLr: NaN, stopReason, iterations: losses.length,
});
const U = curve(lrs.map((lr) => u(Math.log10(lr))));
// the rules alone, without a divergence point (lrSearchSpace then finds it on the curve itself)
const suggestion = (lr: Record<string, number>): LrSuggestion => ({
  lr: lr.steepest, spreadDecades: 1, agree: true, warnings: [],
  suggestions: Object.fromEntries(Object.entries(lr).map(([method, v]) => [method, { method, lr: v, index: 0 }])) as LrSuggestion['suggestions'],
}) as Omit<LrSuggestion, 'divergenceLr' | 'divergenceIndex'> as LrSuggestion;
const rules = suggestion({ steepest: 1e-3, valley: 10 ** -2.5, minimum: 10 ** -2.8, slide: 10 ** -2.48 });

test('a clean U: low a decade below the fall start, high where the loss climbs back a tenth of its fall', () => {
  // P = 1, minimum 0.1 at i = 64, fall F = 0.9. Fall start: the last point at or above 0.1 + 0.9 F = 0.91 is
  // i = 24 (x = -3.8, S = 1 - 0.9 * 0.2 / 2.2 = 0.918; i = 25 has 0.898), so f = 25, lr 10^-3.75 = 1.778e-4, and
  // low = 1.778e-5, rounded up to 1.78e-5. Divergence: the first point past i = 64 at or above 0.1 + 0.1 F = 0.19
  // is i = 68 (0.1 + 0.5 * 0.2 = 0.2; i = 67 has 0.175): lr 10^-1.6 = 0.02512, rounded down to 0.0251.
  const s = lrSearchSpace(U, { suggestion: rules });
  assert.is(s.low, 1.78e-5);
  assert.is(s.high, 0.0251);
  assert.is(s.log, true);
  // valley 10^-2.5 and slide 10^-2.48 are 0.02 decades apart: one trial, named after both
  assert.equal(s.enqueue, [{ lr: 1e-3, rule: 'steepest' }, { lr: 10 ** -2.5, rule: 'valley+slide' }, { lr: 10 ** -2.8, rule: 'minimum' }]);
  assert.match(s.reason, /falls from 1 to 0.1 \(at 1.58e-2\), starting at 1.78e-4; low is a decade below the fall start \(1.78e-4\), high is the divergence point \(2.51e-2\)/);
});

test('the margin sets how many decades low lies below the fall start; the tested range clips it', () => {
  assert.is(lrSearchSpace(U, { suggestion: rules, margin: 0.5 }).low, 5.63e-5); // 1.778e-4 / 10^0.5 = 5.623e-5, up
  const wide = lrSearchSpace(U, { suggestion: rules, margin: 2 });
  assert.is(wide.low, 1e-5);
  assert.match(wide.reason, /2 decades below the fall start \(1.78e-4\), clipped to the start of the test/);
  // a rule below the fall start moves low down with it
  const early = lrSearchSpace(U, { suggestion: suggestion({ steepest: 1e-4, valley: 1e-3, minimum: 1e-3, slide: 1e-3 }) });
  assert.is(early.low, 1e-5);
  assert.match(early.reason, /a decade below the steepest rate \(1e-4\)/);
});

test('with the rules computed by suggestLr: every enqueued rate lies in [low, high], and every rule is enqueued or named as outside', () => {
  const s = lrSearchSpace(U);
  const computed = suggestLr(U.lrs, U.losses, { smoothed: U.smoothedLosses });
  for (const c of s.enqueue) assert.ok(c.lr >= s.low && c.lr <= s.high, `${c.rule} ${c.lr} outside [${s.low}, ${s.high}]`);
  for (const r of Object.values(computed.suggestions)) {
    assert.ok(s.enqueue.some((c) => c.rule.split('+').includes(r.method)) || s.reason.includes(`${r.method} `), r.method);
  }
  assert.is(s.enqueue[0].rule.split('+')[0], 'steepest');
});

test('a curve that diverged: high stops where the loss turns up, never past it; rates beyond it are left out', () => {
  // the U up to its minimum at i = 64, then S = 0.1 * 1.5^(i - 64) until the test stopped at 5x the best (i = 68):
  // the first point at or above 0.19 is i = 66 (0.225), lr 10^-1.7 = 0.01995, rounded down to 0.0199
  const losses = lrs.slice(0, 69).map((lr, i) => (i <= 64 ? u(Math.log10(lr)) : 0.1 * 1.5 ** (i - 64)));
  const diverged = curve(losses, 'diverged');
  const s = lrSearchSpace(diverged, { suggestion: suggestion({ steepest: 1e-3, valley: 3e-3, minimum: 2e-3, slide: 10 ** -1.5 }) });
  assert.is(s.high, 0.0199);
  assert.equal(s.enqueue.map((c) => c.rule), ['steepest', 'valley', 'minimum']);
  assert.match(s.reason, /outside the range, not enqueued: slide 3.16e-2/);
  // without a suggestion, suggestLr reads the curve, and its divergence point (a running median climbing back by a
  // tenth of the fall and past the noise) is used: i = 68 here, the last point measured, 10^-1.6 = 0.0251
  const computed = lrSearchSpace(diverged);
  assert.is(computed.high, 0.0251);
  for (const c of computed.enqueue) assert.ok(c.lr <= computed.high, `${c.rule} ${c.lr}`);
});

test('a loss that turned non-finite before the curve rose: high is the last lr measured', () => {
  const s = lrSearchSpace(curve(U.losses.slice(0, 67), 'non-finite loss'), { suggestion: rules });
  assert.is(s.high, 0.0199); // lr_66 = 10^-1.7 = 0.019953, rounded down
  assert.match(s.reason, /the last lr before the loss became non-finite \(2e-2\)/);
});

test('a curve that never diverges: high is the end of the tested range', () => {
  const falling = curve(lrs.map((lr) => u(Math.min(Math.log10(lr), -1.8))).map((v, i) => v - 1e-4 * i));
  const s = lrSearchSpace(falling, { suggestion: rules });
  assert.is(s.high, 1);
  assert.match(s.reason, /high is the end of the tested range \(1e0\), as the curve did not diverge/);
});

test("the divergence point suggestLr reports, when its result has one, is used instead (null: it never diverged)", () => {
  assert.is(lrSearchSpace(U, { suggestion: { ...rules, divergenceLr: 0.01 } as LrSuggestion }).high, 0.01);
  assert.is(lrSearchSpace(U, { suggestion: { ...rules, divergenceLr: null } as unknown as LrSuggestion }).high, 1);
});

test('a curve that never falls clearly is a RangeError that says so', () => {
  const rising = curve(lrs.map((_, i) => 1 + 0.01 * i));
  assert.throws(() => lrSearchSpace(rising), /lrSearchSpace: expected a smoothed loss that falls clearly \(by at least 10% of its starting level\) before it rises, got a fall from 1 to 1 at lr 1e-5: the loss did not fall clearly anywhere in \[1e-5, 1e0\], so no range can be read from the curve \(start the test at a smaller lr, or check the data and the model\)/);
  const flat = curve(lrs.map((_, i) => 1 + 0.02 * Math.sin(i)));
  assert.throws(() => lrSearchSpace(flat), (e: Error) => e instanceof RangeError && /falls clearly/.test(e.message));
});

test('bad input gets a clear message', () => {
  assert.throws(() => lrSearchSpace(undefined as never), /lrSearchSpace: expected a range-test result \{ lrs, losses, smoothedLosses, stopReason \}, got undefined/);
  assert.throws(() => lrSearchSpace({ ...U, losses: [1, 2] }), /expected lrs, losses and smoothedLosses of the same length, got 101, 2 and 101/);
  assert.throws(() => lrSearchSpace(curve([1, 0.5, 0.2, 0.3])), /expected a curve of at least 5 points, got 4/);
  assert.throws(() => lrSearchSpace({ ...U, lrs: [...lrs].reverse() }), /expected finite, positive, increasing lrs, got 0.891\d* at index 1 after 1/);
  assert.throws(() => lrSearchSpace({ ...U, smoothedLosses: [NaN, ...U.losses.slice(1)] }), /expected finite losses, got 1 \(smoothed NaN\) at index 0/);
  assert.throws(() => lrSearchSpace(U, { margin: -1 }), /lrSearchSpace: expected margin to be a finite number in \[0, Infinity\], got -1/);
  assert.throws(() => lrSearchSpace(U, { bogus: 1 } as never), /lrSearchSpace: unknown option 'bogus'/);
});

test('enqueueLrTrials: the rates are the first trials (their rule in the enqueued user attributes), and the study keeps the range', async () => {
  const space = lrSearchSpace(U, { suggestion: rules });
  const study = await createStudy();
  assert.equal(await enqueueLrTrials(study, space), space.enqueue);
  await study.optimize((t) => (Math.log10(t.suggestFloat('lr', space.low, space.high, { log: true })) + 3) ** 2, { nTrials: 6 });
  assert.equal(study.trials.slice(0, 3).map((t) => t.params.lr), space.enqueue.map((c) => c.lr));
  assert.equal(study.trials.slice(0, 3).map((t) => (t.systemAttrs.enqueuedUserAttrs as { lrRule: string }).lrRule), ['steepest', 'valley+slide', 'minimum']);
  for (const t of study.trials) assert.ok((t.params.lr as number) >= space.low && (t.params.lr as number) <= space.high, `trial ${t.number}: ${t.params.lr}`);
  assert.equal((await study.userAttrs()).lrSearchSpace, { paramName: 'lr', low: 1.78e-5, high: 0.0251, log: true, enqueue: space.enqueue });
  // another worker with the same range enqueues nothing again
  assert.equal(await enqueueLrTrials(study, space), []);
  assert.is(study.trials.length, 6);
  // another range is refused, with both ranges named
  await rejects(() => enqueueLrTrials(study, { ...space, low: 1e-4 }), /enqueueLrTrials: expected study '.*' to search 'lr' in \[1e-4, 2.51e-2\] log as the range test found, got \[1.78e-5, 2.51e-2\] log set up by an earlier range test; a study keeps one range/);
});

test('enqueueLrTrials refuses a study whose earlier trials searched the parameter in another range', async () => {
  const space = lrSearchSpace(U, { suggestion: rules });
  const study = await createStudy({ studyName: 'plain' });
  await study.optimize((t) => t.suggestFloat('learningRate', 1e-5, 1, { log: true }), { nTrials: 1 });
  await rejects(() => enqueueLrTrials(study, space, { paramName: 'learningRate' }), /expected study 'plain' to search 'learningRate' in \[1.78e-5, 2.51e-2\] log as the range test found, got \[1e-5, 1e0\] log in its earlier trials/);
  assert.is(study.trials.length, 1);
  // a study without that parameter yet takes the rates under the given name
  assert.is((await enqueueLrTrials(study, space, { paramName: 'lr' })).length, 3);
  assert.equal(study.trials.slice(1).map((t) => t.systemAttrs.fixedParams), space.enqueue.map((c) => ({ lr: c.lr })));
  await rejects(() => enqueueLrTrials({} as never, space), /enqueueLrTrials: expected a study \(from createStudy\) with studyName, trials/);
  await rejects(() => enqueueLrTrials(study, { ...space, enqueue: [{ lr: 1, rule: 'x' }] }), /enqueueLrTrials: expected enqueue to be a list of \{ lr, rule \} with lr in/);
});

test.run();
