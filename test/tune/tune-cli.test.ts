import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadStudy, createStudy, resolveForecastSpace, forecastObjective, syntheticTimeSeries, DEFAULT_FORECAST_SPACE } from '../../src/index.js';
import { runCli } from '../helpers/cli.js';

const test = suite('lrlab tune: a tuning worker on the command line');
const dir = mkdtempSync(join(tmpdir(), 'lrlab-tune-cli-'));

const run = runCli;

test('tunes the MLP on the built-in series: a line per trial, the best trials, the study report', async () => {
  const storage = `sqlite:///${join(dir, 'cli.db')}`;
  const args = ['tune', '--storage', storage, '--study', 'mlp', '--n-trials', '2', '--epochs', '2', '--out', join(dir, 'out'), '--backend', 'cpu'];
  const r = await run(args);
  assert.is(r.code, 0, r.err);
  assert.match(r.err, /\[1\/2\] trial 0 (val MSE \d+\.\d{3}|failed|pruned at epoch \d)\s+lr \d\.\d\de-\d\s+hidden \[\d+(, \d+)*\]\s+batch \d+\s+(adam|adamw|sgd)\s+wd/);
  assert.match(r.err, /\[2\/2\] trial 1 /);
  assert.match(r.out, /study 'mlp' \(sqlite:\/\/\/.*cli.db\): 2 trials/);
  assert.match(r.out, /report: .*out\/history.svg, .*out\/trials.json, .*out\/report.md, .*out\/report.html/);
  const report = JSON.parse(readFileSync(join(dir, 'out', 'trials.json'), 'utf8'));
  assert.equal(report.trials.map((t: { number: number }) => t.number), [0, 1]);
  assert.match(readFileSync(join(dir, 'out', 'report.md'), 'utf8'), /# Study mlp\n\n2 trials/);
  // a second worker joins the study: its trials are added (numbers 2, 3) and drawn from another stream
  const again = await run(args);
  assert.is(again.code, 0, again.err);
  const study = await loadStudy({ studyName: 'mlp', storage });
  assert.equal(study.trials.map((t) => t.number), [0, 1, 2, 3]);
  assert.not.equal(study.trials[2].params, study.trials[0].params);
  for (const t of study.trials.filter((x) => x.state === 'complete')) {
    assert.is(t.value, Math.min(...t.intermediateValues.values()));
    assert.is(t.intermediateValues.size, 2);
  }
  await study.storage.close();
});

test('bad arguments give one clear line and exit code 2, and leave the study as it was', async () => {
  const storage = `sqlite:///${join(dir, 'cli.db')}`;
  const cases: [string[], RegExp][] = [
    [['--n-trials', '0'], /lrlab tune: --n-trials expects an integer >= 1, got '0'/],
    [['--timeout', 'soon'], /lrlab tune: --timeout expects seconds > 0, got 'soon'/],
    [['--storage', 'mysql://h/db'], /lrlab tune: storage: expected a URL starting with sqlite:\/\/\/ or postgresql:\/\/, got 'mysql:\/\/h\/db'/],
    [['--storage', 'postgresql://u:pw@127.0.0.1:1/db'], /lrlab tune: storage: could not connect to 'postgresql:\/\/u:\*\*\*@127.0.0.1:1\/db'/],
    [['--data', join(dir, 'missing.csv')], /lrlab tune: .*missing.csv/],
    [['--column', 'y'], /--column needs --data/],
    [['--bogus'], /lrlab tune: Unknown option '--bogus'/],
  ];
  for (const [extra, re] of cases) {
    const r = await run(['tune', '--storage', storage, '--study', 'mlp', ...extra]);
    assert.is(r.code, 2, `${extra.join(' ')}: ${r.err}`);
    assert.match(r.err, re);
  }
  const config = join(dir, 'space.json');
  writeFileSync(config, JSON.stringify({ lr: { low: 0, high: 1 } }));
  assert.match((await run(['tune', '--config', config])).err, /config: expected lr.low and weightDecay.low > 0 .* got 0 and 0.000001/);
  writeFileSync(config, JSON.stringify({ units: [] }));
  assert.match((await run(['tune', '--config', config])).err, /config: expected units to be a non-empty list of positive integers, got \[\]/);
  writeFileSync(config, JSON.stringify({ learningRate: 1 }));
  assert.match((await run(['tune', '--config', config])).err, /config: expected keys lr, layers, .* got an unknown key 'learningRate'/);
  const study = await loadStudy({ studyName: 'mlp', storage });
  assert.is(study.trials.length, 4);
  await study.storage.close();
});

test('the search space: defaults and overrides', () => {
  const s = resolveForecastSpace({ units: [8], epochs: 3 });
  assert.equal(s, { ...DEFAULT_FORECAST_SPACE, units: [8], epochs: 3 });
  assert.throws(() => resolveForecastSpace({ layers: { low: 2, high: 1 } }), /expected layers to be \{ "low": integer, "high": integer \} with low <= high/);
  assert.throws(() => resolveForecastSpace({ optimizer: ['rmsprop'] }), /expected optimizer to be a non-empty list of 'adam', 'adamw' or 'sgd'/);
});

test('the objective reports validation MSE per epoch, so a pruner stops a trial at the epoch it decides', async () => {
  const series = syntheticTimeSeries({ length: 200 }).values;
  const pruner = { prune: (_s: unknown, t: { intermediateValues: ReadonlyMap<number, number> }) => t.intermediateValues.size >= 2 };
  const study = await createStudy({ pruner });
  await study.optimize(forecastObjective(series, resolveForecastSpace({ epochs: 4, units: [4], layers: { low: 1, high: 1 } })), { nTrials: 2 });
  assert.equal(study.trials.map((t) => [t.state, t.intermediateValues.size]), [['pruned', 2], ['pruned', 2]]);
});

test('--lr-from-range-test: the range test sets lr\'s range, and the rules\' rates are the first trials', async () => {
  const storage = `sqlite:///${join(dir, 'range.db')}`;
  const config = join(dir, 'small.json');
  writeFileSync(config, JSON.stringify({ layers: { low: 1, high: 1 }, units: [8, 16], batchSize: [64] }));
  const args = (out: string) => ['tune', '--lr-from-range-test', '--storage', storage, '--study', 'ranged', '--n-trials', '5', '--epochs', '1', '--config', config, '--out', join(dir, out), '--backend', 'cpu', '--quiet'];
  const r = await run(args('ranged-1'));
  assert.is(r.code, 0, r.err);
  // two lines: the range test and the range it gives, then the rates enqueued
  const range = /^range test \(20-8-1 MLP, adam, batch 64, 100 steps from 1e-5 to 1e-1, (completed|diverged)\): lr in \[(\S+), (\S+)\] \(log\); the smoothed loss falls from .*\n/.exec(r.out);
  assert.ok(range, r.out);
  const [low, high] = [Number(range[2]), Number(range[3])];
  const first = /\nfirst trials: (.*)\n/.exec(r.out);
  assert.ok(first, r.out);
  const rates = first[1].split(', ').map((s) => s.split(' ')).map(([rule, lr]) => ({ rule, lr: Number(lr) }));
  assert.ok(rates.length >= 1 && rates.length <= 4, first[1]);
  assert.ok(rates.every((c) => /^(steepest|valley|minimum|slide)(\+(valley|minimum|slide))*$/.test(c.rule)), first[1]);
  const study = await loadStudy({ studyName: 'ranged', storage });
  const lr = (t: { params: Record<string, unknown> }) => t.params.lr as number;
  rates.forEach((c, i) => {
    assert.is(study.trials[i].userAttrs.lrRule, c.rule);
    assert.is(Number(lr(study.trials[i]).toPrecision(3)), c.lr, `trial ${i}`);
  });
  // the printed bounds are the distribution's own (rounded inward to 3 digits), and every trial keeps to them
  for (const t of study.trials) {
    assert.equal(t.distributions.lr, { type: 'float', low, high, log: true, step: null });
    assert.ok(lr(t) >= low && lr(t) <= high, `trial ${t.number}: lr ${lr(t)} outside [${low}, ${high}]`);
  }
  await study.storage.close();
  // a second worker finds the same range set up and enqueues nothing again
  const again = await run(args('ranged-2'));
  assert.is(again.code, 0, again.err);
  assert.match(again.out, /first trials: already enqueued in study 'ranged', which has this lr range\n/);
  const joined = await loadStudy({ studyName: 'ranged', storage });
  assert.is(joined.trials.length, 10);
  assert.is(joined.trials.filter((t) => t.userAttrs.lrRule !== undefined).length, rates.length);
  for (const t of joined.trials) assert.ok(lr(t) >= low && lr(t) <= high, `trial ${t.number}: lr ${lr(t)}`);
  await joined.storage.close();
  // a study that searches lr in another range is named, with both ranges, instead of failing later
  const plain = await createStudy({ studyName: 'plain', storage });
  await plain.optimize((t) => t.suggestFloat('lr', 1e-5, 1e-1, { log: true }), { nTrials: 1 });
  await plain.storage.close();
  const clash = await run(['tune', '--lr-from-range-test', '--storage', storage, '--study', 'plain', '--n-trials', '1', '--epochs', '1', '--config', config, '--backend', 'cpu']);
  assert.is(clash.code, 2, clash.err);
  assert.match(clash.err, new RegExp(`lrlab tune: --lr-from-range-test: expected study 'plain' to search 'lr' in \\[${range[2]}, ${range[3]}\\] log as the range test found, got \\[1e-5, 1e-1\\] log in its earlier trials`));
  // and a worker without the flag does not wander outside the range a range test set
  const outside = await run(['tune', '--storage', storage, '--study', 'ranged', '--n-trials', '1', '--epochs', '1', '--config', config, '--backend', 'cpu']);
  assert.is(outside.code, 2, outside.err);
  assert.match(outside.err, /lrlab tune: study 'ranged' searches lr in \[\S+, \S+\] as a range test set it: join it with --lr-from-range-test/);
  const after = await loadStudy({ studyName: 'ranged', storage });
  assert.is(after.trials.length, 10);
  await after.storage.close();
  assert.match((await run(['tune', '--help'])).out, /--lr-from-range-test\n\s+first run a range test/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
