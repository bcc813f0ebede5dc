import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { tuneLstm, forecastData, buildForecaster, naiveLastValueMse, syntheticTimeSeries, loadModel, evaluate, createStudy } from '../../src/index.js';
import { main } from '../../src/cli/main.js';

const test = suite('the tuned LSTM study end to end');
const dir = mkdtempSync(join(tmpdir(), 'lrlab-lstm-study-'));
const values = syntheticTimeSeries({ length: 360 }).values;

// The budget: 8 LSTM trials and 3 MLP trials of 4 epochs on a 360-value series with windows of 10, hidden sizes 4 or
// 8: a few seconds on the wasm backend. The space keeps the full lr range, so some trials learn far slower than the
// median and are pruned once the first five have completed.
const budget = { values, window: 10, nTrials: 8, mlpTrials: 3, epochs: 4, space: { hiddenSize: [4, 8], numLayers: [1, 2] as [number, number], batchSize: [16, 32] } };

test('a short study runs, prunes a trial, saves its files, and its best model reloads with the same validation loss', async () => {
  const out = join(dir, 'run');
  const r = await tuneLstm({ ...budget, outDir: out });
  const states = r.study.trials.map((t) => t.state);
  assert.is(states.length, 8);
  assert.ok(states.includes('pruned'), `expected a pruned trial, got ${states.join(', ')}`);
  assert.ok(states.filter((s) => s === 'complete').length >= 5, `states ${states.join(', ')}`);
  for (const f of ['best-model.json', 'results.json', 'summary.md', 'study/history.svg', 'study/slice.svg', 'study/parallel-coordinate.svg', 'study/report.md']) {
    assert.ok(existsSync(join(out, f)), `${f} written`);
    assert.ok(r.files.includes(f), `${f} listed`);
  }
  const best = r.bestTrial;
  // camelCase, as lrlab tune's: lr, weightDecay, batchSize and optimizer are named alike in both tuners
  assert.equal(Object.keys(best.params).sort(), ['batchSize', 'dropout', 'hiddenSize', 'lr', 'numLayers', 'optimizer', 'weightDecay']);
  assert.equal(Object.keys(r.mlpStudy.bestParams).sort(), ['batchSize', 'lr', 'optimizer', 'weightDecay']);
  const model = buildForecaster('lstm', best.params, 10, 0); // other initial weights: the file must replace them all
  loadModel(model, join(out, 'best-model.json'));
  const data = forecastData(values, { window: 10 });
  assert.is(evaluate(model, data.valid.x, data.valid.y), best.value, 'the reloaded model reproduces the best validation MSE');

  const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
  assert.is(results.bestTrial.number, best.number);
  assert.is(results.sampler, 'TPESampler(seed=42)');
  assert.equal(results.bestModelFile, { trial: best.number, value: best.value });
  assert.is(results.counts.pruned, states.filter((s) => s === 'pruned').length);
  assert.equal(results.comparison.map((c: { model: string }) => c.model), ['tuned LSTM', 'tuned MLP', 'naive last value']);
  for (const c of r.comparison) assert.ok(Number.isFinite(c.validMse) && Number.isFinite(c.testMse) && c.testMse > 0, JSON.stringify(c));
  assert.ok(Math.abs(r.comparison[2].validMse - naiveLastValueMse(data.valid) * data.mseScale) < 1e-9, 'the naive row is the last-value MSE in series units');
  // retrained for as many epochs from the trial's seed, the best LSTM gets its trial's validation loss back
  assert.ok(Math.abs(r.comparison[0].validMse - (best.value as number) * data.mseScale) <= 1e-6 * r.comparison[0].validMse, `${r.comparison[0].validMse} vs ${(best.value as number) * data.mseScale}`);
});

test('the same seed gives the same trials', async () => {
  const a = await tuneLstm({ ...budget, nTrials: 3, mlpTrials: 1, epochs: 2 });
  const b = await tuneLstm({ ...budget, nTrials: 3, mlpTrials: 1, epochs: 2 });
  assert.equal(a.study.trials.map((t) => [t.params, t.value]), b.study.trials.map((t) => [t.params, t.value]));
});

test('a study in SQLite storage resumes: a second run adds its trials to those of the first', async () => {
  const storage = `sqlite:///${join(dir, 'study.db')}`;
  const quick = { ...budget, nTrials: 2, mlpTrials: 1, epochs: 1, storage, studyName: 'resume' };
  await tuneLstm(quick);
  const r = await tuneLstm({ ...quick, nTrials: 1 });
  assert.equal(r.study.trials.map((t) => t.number), [0, 1, 2]);
  assert.ok(r.study.trials.every((t) => t.state === 'complete'), r.study.trials.map((t) => t.state).join(', '));
});

test('a study stored with the earlier snake_case names resumes with them, and its best configuration retrains', async () => {
  const storage = `sqlite:///${join(dir, 'legacy.db')}`;
  // a trial as tuneLstm recorded it before the camelCase names, with a value no new trial beats
  const old = await createStudy({ studyName: 'legacy', storage });
  await old.optimize((t) => {
    t.suggestCategorical('hidden_size', [4, 8]);
    t.suggestInt('num_layers', 1, 2);
    t.suggestFloat('learning_rate', 1e-5, 1e-1, { log: true });
    t.suggestFloat('dropout', 0.1, 0.5);
    t.suggestFloat('weight_decay', 1e-6, 1e-3, { log: true });
    t.suggestCategorical('batch_size', [16, 32]);
    t.suggestCategorical('optimizer', ['Adam', 'AdamW']);
    return 1e-9;
  }, { nTrials: 1 });
  await old.storage.close();
  const lines: string[] = [];
  const r = await tuneLstm({ ...budget, nTrials: 2, mlpTrials: 1, epochs: 1, storage, studyName: 'legacy', log: (l) => lines.push(l) });
  assert.ok(lines.some((l) => /^study 'legacy' names its parameters hidden_size, num_layers, learning_rate, weight_decay, batch_size as lrlab did before camelCase names .*: its new trials keep those names, so that its sampler sees one search space$/.test(l)), lines.join('\n'));
  assert.is(r.study.trials.length, 3);
  for (const t of r.study.trials) assert.equal(Object.keys(t.params).sort(), ['batch_size', 'dropout', 'hidden_size', 'learning_rate', 'num_layers', 'optimizer', 'weight_decay']);
  assert.is(r.bestTrial.number, 0);
  assert.ok(Number.isFinite(r.comparison[0].validMse), 'the old best configuration is retrained from its snake_case parameters');
  // the model its parameters describe, under either name
  const a = buildForecaster('lstm', { hidden_size: 8, num_layers: 2, dropout: 0.1 }, 10, 1), b = buildForecaster('lstm', { hiddenSize: 8, numLayers: 2, dropout: 0.1 }, 10, 1);
  assert.equal(Object.keys(a.stateDict()), Object.keys(b.stateDict()));
  assert.throws(() => buildForecaster('lstm', { hiddenSize: 8, dropout: 0.1 }, 10, 1), /buildForecaster: expected params with hiddenSize, numLayers, dropout, got one without numLayers/);
});

test('progress: onEpoch after every epoch of both studies in standardized units; the log labels each MSE and leaves the comparison to the caller', async () => {
  const epochs: string[] = [];
  const lines: string[] = [];
  const r = await tuneLstm({ ...budget, nTrials: 2, mlpTrials: 1, epochs: 2, onEpoch: (e) => epochs.push(`${e.study} ${e.trial} ${e.epoch}/${e.epochs} ${e.units}`), log: (l) => lines.push(l) });
  const expected = [...r.study.trials.flatMap((t) => Array.from({ length: t.intermediateValues.size }, (_, i) => `lstm ${t.number} ${i + 1}/2 standardized`)), 'mlp 0 1/2 standardized', 'mlp 0 2/2 standardized'];
  assert.equal(epochs, expected);
  for (const l of lines.filter((x) => /MSE/.test(x))) assert.match(l, /\(standardized\)/, l);
  assert.not.ok(lines.some((l) => /tuned LSTM|naive last value/.test(l)), 'the comparison table is not logged (the command prints it once)');
});

test('bad options are refused before any file is written', async () => {
  const out = join(dir, 'bad');
  const cases: [object, RegExp][] = [
    [{ nTrials: 0 }, /tuneLstm: expected nTrials to be a positive integer, got 0/],
    [{ epochs: 2.5 }, /tuneLstm: expected epochs to be a positive integer, got 2.5/],
    [{ timeout: -1 }, /tuneLstm: expected timeout to be a positive number of seconds, got -1/],
    [{ space: { hidden: [8] } }, /tuneLstm: expected space keys among hiddenSize, .*, got 'hidden'/],
    [{ values: Float32Array.from([1, 2, 3]) }, /forecastData: expected a series long enough for window 20 and three parts, got 3 values/],
  ];
  for (const [options, re] of cases) {
    let error: Error | null = null;
    try {
      await tuneLstm({ ...options, outDir: out });
    } catch (err) {
      error = err as Error;
    }
    assert.ok(error !== null && re.test(error.message), `${JSON.stringify(options)}: got ${error?.message}`);
    assert.not.ok(existsSync(out), 'no folder left behind');
  }
});

test('lrlab tune --model takes lstm or mlp, and tune-lstm checks its counts', async () => {
  const errors: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((s: string) => (errors.push(s), true)) as typeof process.stderr.write;
  try {
    assert.is(await main(['tune', '--model', 'gru'], () => {}), 2);
    assert.is(await main(['tune-lstm', '--n-trials', '0'], () => {}), 2);
    assert.is(await main(['tune', '--model=lstm', '--n-jobs', 'x'], () => {}), 2);
  } finally {
    process.stderr.write = write;
  }
  assert.match(errors[0], /lrlab: tune --model expects lstm or mlp, got 'gru'/);
  assert.match(errors[1], /lrlab: --n-trials expects an integer >= 1, got '0'/);
  assert.match(errors[2], /lrlab: --n-jobs expects an integer >= 1, got 'x'/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test('tuneLstm({ outDir }) under /proc fails at once naming the folder (a recursive mkdir had spun forever there)', () => {
  const index = pathToFileURL(fileURLToPath(new URL('../../src/index.ts', import.meta.url))).href;
  const script = `import { tuneLstm } from ${JSON.stringify(index)};\ntuneLstm({ outDir: '/proc/lrlab-z', nTrials: 1, epochs: 1 }).catch((e) => { console.log(e.message); });`;
  const c = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.is(c.signal, null, 'returned instead of spinning');
  assert.is(c.stdout, "tuneLstm: outDir: cannot create '/proc/lrlab-z' (ENOENT)\n");
});

test.run();
