import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadStudy, createStudy, resolveForecastSpace, forecastObjective, syntheticTimeSeries, DEFAULT_FORECAST_SPACE } from '../../src/index.js';
import { runCli } from '../helpers/cli.js';
import { epochProgress } from '../../src/cli/tune.js';

const test = suite('lrlab tune: a tuning worker on the command line');
const dir = mkdtempSync(join(tmpdir(), 'lrlab-tune-cli-'));

const run = runCli;

test('tunes the MLP on the built-in series: a line per trial, the best trials, the study report', async () => {
  const storage = `sqlite:///${join(dir, 'cli.db')}`;
  const args = ['tune', '--storage', storage, '--study', 'mlp', '--n-trials', '2', '--epochs', '2', '--out', join(dir, 'out'), '--backend', 'cpu'];
  const r = await run(args);
  assert.is(r.code, 0, r.err);
  assert.match(r.err, /\[1\/2\] trial 0 (val MSE \d+\.\d{3} \(series units\)|failed|pruned at epoch \d)\s+lr \d\.\d\de-\d\s+hidden \[\d+(, \d+)*\]\s+batch \d+\s+(adam|adamw|sgd)\s+wd/);
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
  const range = /^range test \(20-8-1 MLP, adam, batch 64, 100 steps from 1e-5 to 1e-1, (completed|diverged); its loss is the training MSE, standardized\): lr in \[(\S+), (\S+)\] \(log\); the smoothed loss falls from .*\n/.exec(r.out);
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

/** Runs the command with CI set: the output a log file or a pipe gets, even when these tests run in a terminal. */
async function runOffTerminal(args: string[]) {
  const ci = process.env.CI;
  process.env.CI = '1';
  try {
    return await run(args);
  } finally {
    if (ci === undefined) delete process.env.CI;
    else process.env.CI = ci;
  }
}

test('--data skips a date column as find does, and says which column it read', async () => {
  const csv = join(dir, 'dated.csv');
  writeFileSync(csv, ['date,sales', ...Array.from({ length: 120 }, (_, t) => `2024-01-${String(t + 1).padStart(3, '0')},${(10 + Math.sin(t / 4) * 3).toFixed(3)}`)].join('\n'));
  const r = await run(['tune', '--data', csv, '--n-trials', '1', '--epochs', '1', '--out', join(dir, 'dated'), '--backend', 'cpu']);
  assert.is(r.code, 0, r.err);
  assert.ok(r.err.includes(`data: ${csv}, column sales (the first numeric one): 120 values\n`), r.err);
  const chosen = await run(['tune', '--data', csv, '--column', 'sales', '--n-trials', '1', '--epochs', '1', '--out', join(dir, 'dated'), '--backend', 'cpu']);
  assert.is(chosen.code, 0, chosen.err);
  assert.ok(chosen.err.includes(`data: ${csv}, column sales: 120 values\n`), chosen.err);
  const named = await run(['tune', '--data', csv, '--column', 'date', '--n-trials', '1', '--out', join(dir, 'dated'), '--backend', 'cpu']);
  assert.is(named.code, 2);
  assert.match(named.err, /lrlab tune: parseCsvSeries: expected a number in column 'date' at line 2 of .*, got '2024-01-001'/);
});

test('each trial shows its epochs on stderr (off a terminal: the first and the last), every MSE says its units, and --quiet prints nothing', async () => {
  const args = ['tune', '--n-trials', '2', '--epochs', '4', '--out', join(dir, 'progress'), '--backend', 'cpu', '--overwrite'];
  const r = await runOffTerminal(args);
  assert.is(r.code, 0, r.err);
  for (const trial of [0, 1]) {
    const epochs = [...r.err.matchAll(new RegExp(`^  trial ${trial} epoch (\\d)/4: val MSE \\S+ \\(series units\\)$`, 'gm'))].map((m) => Number(m[1]));
    // a pruned trial stops early; a trial that takes longer than a second may add a line between
    assert.is(epochs[0], 1, r.err);
    assert.ok(epochs.every((e, i) => i === 0 || e > epochs[i - 1]), r.err);
    const line = r.err.indexOf(`] trial ${trial} `);
    assert.ok(line > r.err.indexOf(`  trial ${trial} epoch 1/4`), 'the epochs come before the trial\'s line');
    if (/\] trial \d val MSE/.test(r.err.slice(line, r.err.indexOf('\n', line)))) assert.is(epochs[epochs.length - 1], 4, r.err);
  }
  assert.not.match(r.err, /\r|\x1b\[/, 'no terminal control characters off a terminal');
  for (const line of [...r.out.split('\n'), ...r.err.split('\n')].filter((l) => /MSE|best \d/.test(l))) {
    assert.match(line, /series units|standardized/, `an MSE without its units: '${line}'`);
  }
  assert.match(r.out, /rank  trial  val MSE \(series units\)  parameters/);
  assert.match(r.out, /best: trial \d+, val MSE \d+\.\d{3} \(series units\)/);
  const quiet = await runOffTerminal([...args, '--quiet']);
  assert.is(quiet.code, 0);
  assert.is(quiet.err, '');
});

test('epochProgress: off a terminal the first and last epoch and at most a line a second between; on a terminal one line in place', async () => {
  const lines: string[] = [];
  const ci = process.env.CI;
  delete process.env.CI;
  try {
    const off = epochProgress({ isTTY: false, write: (s: string) => lines.push(s) });
    for (let e = 1; e <= 50; e++) off.onEpoch({ trial: 3, epoch: e, epochs: 50, valMse: 0.5, units: 'standardized' });
    assert.equal(lines, ['  trial 3 epoch 1/50: val MSE 0.5000 (standardized)\n', '  trial 3 epoch 50/50: val MSE 0.5000 (standardized)\n']);
    lines.length = 0;
    off.onEpoch({ trial: 4, epoch: 1, epochs: 3, valMse: 2, units: 'series', study: 'lstm' } as never);
    await new Promise((r) => setTimeout(r, 1050));
    off.onEpoch({ trial: 4, epoch: 2, epochs: 3, valMse: 1, units: 'series' });
    off.onEpoch({ trial: 4, epoch: 3, epochs: 3, valMse: 0.5, units: 'series' });
    assert.equal(lines, ['  LSTM trial 4 epoch 1/3: val MSE 2.000 (series units)\n', '  trial 4 epoch 2/3: val MSE 1.000 (series units)\n', '  trial 4 epoch 3/3: val MSE 0.5000 (series units)\n']);
    lines.length = 0;
    const tty = epochProgress({ isTTY: true, write: (s: string) => lines.push(s) });
    tty.clear();
    tty.onEpoch({ trial: 0, epoch: 1, epochs: 2, valMse: 1, units: 'series' });
    tty.onEpoch({ trial: 0, epoch: 2, epochs: 2, valMse: 1, units: 'series' });
    tty.clear();
    assert.equal(lines, ['\r\x1b[K  trial 0 epoch 1/2: val MSE 1.000 (series units)', '\r\x1b[K  trial 0 epoch 2/2: val MSE 1.000 (series units)', '\r\x1b[K']);
  } finally {
    if (ci !== undefined) process.env.CI = ci;
  }
});

test('trial parameters are camelCase (units0, units1, ...); a study stored with units_0, ... resumes with its own names', async () => {
  const storage = `sqlite:///${join(dir, 'names.db')}`;
  const fresh = await run(['tune', '--storage', storage, '--study', 'new', '--n-trials', '2', '--epochs', '1', '--out', join(dir, 'names-new'), '--backend', 'cpu', '--quiet']);
  assert.is(fresh.code, 0, fresh.err);
  const made = await loadStudy({ studyName: 'new', storage });
  for (const t of made.trials) {
    const keys = Object.keys(t.params);
    assert.ok(keys.includes('units0') && keys.every((k) => /^[a-z][A-Za-z0-9]*$/.test(k)), keys.join(', '));
  }
  await made.storage.close();
  // a study from before the rename: its trials named the widths units_0, ...
  const old = await createStudy({ studyName: 'old', storage });
  await old.optimize(forecastObjective(syntheticTimeSeries({ length: 200 }).values, resolveForecastSpace({ epochs: 1 }), { legacyParamNames: true }), { nTrials: 2 });
  await old.storage.close();
  const resumed = await run(['tune', '--storage', storage, '--study', 'old', '--n-trials', '2', '--epochs', '1', '--out', join(dir, 'names-old'), '--backend', 'cpu']);
  assert.is(resumed.code, 0, resumed.err);
  assert.match(resumed.err, /study 'old' names the layer widths units_0, units_1, \.\.\. as lrlab tune did before camelCase names \(units0, \.\.\.\): its new trials keep those names/);
  assert.match(resumed.err, /\] trial 2 .*hidden \[\d+/, 'the old names are read for the trial line');
  const study = await loadStudy({ studyName: 'old', storage });
  assert.is(study.trials.length, 4);
  for (const t of study.trials) assert.ok('units_0' in t.params && !('units0' in t.params), JSON.stringify(t.params));
  await study.storage.close();
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
