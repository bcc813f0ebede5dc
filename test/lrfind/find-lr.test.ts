// The finder on any model and data: tables (regression, binary and multi-class classification), images through a
// CNN, an LSTM on a series, a user's own model module; the evidence of several seeds; and the bad input that must
// stop before any work with one line and exit 2.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import {
  findLr, formatLr, runPipeline, makeBlobs, buildModel, parseModelSpec, parseCsvTable, splitTable, pairedDifference, tQuantile975, reportMarkdown,
  Sequential, Linear, ReLU, Tensor, Generator, crossEntropy, findFashionMnist, fit, rangeTest, SGD, NonFiniteLossError, type FindLrResult,
} from '../../src/index.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'lrlab-findlr-'));
const TINY = { seeds: 2, rangeTest: { numIter: 100 }, sweep: { num: 3, epochs: 1 }, validation: { epochs: 2 }, training: { epochs: 4, patience: 2 } };

/** A table of `n` rows: 4 features and y = 3 x1 - 2 x2 + x3^2 + noise (regression). */
function regressionData(n: number, seed: number): { x: Tensor; y: Tensor } {
  const g = new Generator(seed);
  const x = new Float32Array(n * 4), y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 4; j++) x[i * 4 + j] = g.normal();
    y[i] = 3 * x[i * 4] - 2 * x[i * 4 + 1] + x[i * 4 + 2] ** 2 + 0.1 * g.normal();
  }
  return { x: new Tensor(x, [n, 4]), y: new Tensor(y, [n, 1]) };
}

const mlp = (inputs: number, outputs: number) => () => new Sequential(new Linear(inputs, 16), new ReLU(), new Linear(16, outputs));

const lib = suite('findLr: any model and data, in the library');

lib('regression on a table: every stage runs, each long run repeats over the seeds, R² beside the MSE', () => {
  const r = findLr({ makeModel: mlp(4, 1), train: regressionData(240, 1), valid: regressionData(60, 2), config: TINY });
  assert.is(r.task, 'regression');
  assert.equal(r.metric, { name: 'r2', higherIsBetter: true });
  assert.is(r.lossName, 'MSE');
  assert.is(r.rangeTest.lrs.length > 5, true);
  assert.equal(r.validation.seeds, [42, 43]);
  for (const run of [r.baseline, r.optimized]) {
    assert.equal(run.seeds.map((s) => s.seed), [42, 43]);
    assert.ok(Number.isFinite(run.finalValLoss));
    assert.is(run.finalValMse, run.finalValLoss);
    assert.ok(run.finalValMetric !== null && run.finalValMetric <= 1, `R² ${run.finalValMetric}`);
    assert.is(run.dynamics.features.length, run.dynamics.batchLoss.length);
  }
  // the paired gains are recomputable from the per-seed figures
  const gains = r.baseline.seeds.map((b, i) => (b.valLoss - r.optimized.seeds[i].valLoss) / b.valLoss);
  if (r.optimized.lr !== r.baseline.lr) assert.equal(r.comparisonOverSeeds!.differences, gains);
  assert.is(r.recommendation.lr, r.recommendation.keepCurrent ? r.baseline.lr : r.trained.lr);
});

lib('multi-class classification with class indices [n]: detected, cross-entropy, accuracy in the table', () => {
  const blobs = makeBlobs({ nSamples: 300, nFeatures: 2, centers: 3, clusterStd: 2, seed: 3 });
  const train = { x: new Tensor(blobs.x.data.slice(0, 480), [240, 2]), y: new Tensor(blobs.y.data.slice(0, 240), [240]) };
  const valid = { x: new Tensor(blobs.x.data.slice(480), [60, 2]), y: new Tensor(blobs.y.data.slice(240), [60]) };
  const r = findLr({ makeModel: mlp(2, 3), train, valid, config: { ...TINY, training: { epochs: 20, patience: 5 } } });
  assert.is(r.task, 'classification');
  assert.is(r.lossName, 'cross-entropy');
  assert.equal(r.metric, { name: 'accuracy', higherIsBetter: true });
  assert.is(r.baseline.finalValMse, undefined, 'no MSE for a classifier');
  const acc = Math.max(r.baseline.finalValMetric!, r.optimized.finalValMetric!);
  assert.ok(acc > 0.5 && acc <= 1, `accuracy ${acc} (chance is 1/3)`);
  // the accuracy kept is the one at the epoch of the lowest validation loss, per seed
  const h = r.baseline.history;
  const best = h.valLoss.indexOf(Math.min(...h.valLoss));
  assert.is(r.baseline.seeds[0].valMetric, h.valMetric[best]);
  const md = reportMarkdown(r);
  assert.match(md, /\| Final validation accuracy \(mean of 2 seeds\) \| [\d.]+% \| [\d.]+% \|/);
  assert.match(md, /Task: classification, loss cross-entropy, metric accuracy/);
});

lib('one-hot rows [n, C] are detected as classes; [n, 1] indices work with loss: crossEntropy', () => {
  const blobs = makeBlobs({ nSamples: 160, nFeatures: 2, centers: 3, clusterStd: 1, seed: 4 });
  const hot = new Float32Array(160 * 3);
  blobs.y.data.forEach((k, i) => (hot[i * 3 + k] = 1));
  const split = (t: Tensor, w: number, a: number, b: number) => new Tensor(t.data.slice(a * w, b * w), [b - a, ...t.shape.slice(1)]);
  const oneHot = new Tensor(hot, [160, 3]);
  const r = findLr({ makeModel: mlp(2, 3), train: { x: split(blobs.x, 2, 0, 120), y: split(oneHot, 3, 0, 120) }, valid: { x: split(blobs.x, 2, 120, 160), y: split(oneHot, 3, 120, 160) }, config: { ...TINY, seeds: 1 } });
  assert.is(r.task, 'classification');
  assert.is(r.lossName, 'cross-entropy');
  const col = new Tensor(blobs.y.data, [160, 1]);
  const c = findLr({ makeModel: mlp(2, 3), loss: crossEntropy, train: { x: split(blobs.x, 2, 0, 120), y: split(col, 1, 0, 120) }, valid: { x: split(blobs.x, 2, 120, 160), y: split(col, 1, 120, 160) }, config: { ...TINY, seeds: 1 } });
  assert.is(c.task, 'classification');
  // the same examples, the same seed: indices [n, 1] and one-hot rows train to the same bits
  assert.equal(c.baseline.history.valLoss, r.baseline.history.valLoss);
});

lib('with SGD and momentum from 1e-6 to 10 the range test diverges, and no suggestion lies past it', () => {
  const blobs = makeBlobs({ nSamples: 200, nFeatures: 2, centers: 2, clusterStd: 3, seed: 2 });
  const train = { x: new Tensor(blobs.x.data.slice(0, 320), [160, 2]), y: new Tensor(blobs.y.data.slice(0, 160), [160]) };
  const valid = { x: new Tensor(blobs.x.data.slice(320), [40, 2]), y: new Tensor(blobs.y.data.slice(160), [40]) };
  const r = findLr({ makeModel: mlp(2, 2), train, valid, optimizer: 'sgd', config: { ...TINY, seeds: 1, batchSize: 16, rangeTest: { startLr: 1e-6, endLr: 10, numIter: 100 } } });
  assert.is(r.rangeTest.stopReason, 'diverged');
  assert.ok(r.suggestion.divergenceLr !== null);
  for (const s of Object.values(r.suggestion.suggestions)) assert.ok(s.lr < r.suggestion.divergenceLr!, `${s.method} ${s.lr} >= ${r.suggestion.divergenceLr}`);
  assert.not.ok(r.suggestion.warnings.some((w) => /widen startLr/.test(w)), r.suggestion.warnings.join('; '));
  assert.ok(reportMarkdown(r).includes(`The loss starts to diverge at ${formatLr(r.suggestion.divergenceLr!)}; every rule reads the curve before that point.`));
});

lib('activations that overflow inside the model are divergence: fit stops as on a non-finite loss, the range test stops, the long runs count it', () => {
  // weights of 1e30: the first layer's output overflows float32, and the second layer is reached by Infinity
  const huge = () => {
    const m = new Sequential(new Linear(1, 1), new Linear(1, 1));
    for (const p of m.parameters()) p.data.fill(1e30);
    return m;
  };
  const data = { x: new Tensor(Float32Array.from([1e10, 2e10, 3e10, 4e10]), [4, 1]), y: new Tensor(new Float32Array(4), [4, 1]) };
  const m = huge();
  assert.throws(() => fit(m, { ...data, optimizer: new SGD(m.parameters(), { lr: 0.1 }), epochs: 1, progress: false }), (e: Error) => e instanceof NonFiniteLossError && /fit: the model's activations overflowed at epoch 1, batch 1 \(Linear.forward: expected finite inputs, got Infinity/.test(e.message));
  const m2 = huge();
  const rt = rangeTest(m2, { ...data, optimizer: new SGD(m2.parameters(), { lr: 0.1 }), numIter: 10 });
  assert.is(rt.stopReason, 'non-finite loss');
  assert.is(rt.iterations, 0);
  // your rate diverging in every long run where the found one trains: the found rate, with high confidence
  const x = regressionData(120, 3);
  const r = findLr({ makeModel: mlp(4, 1), train: x, valid: regressionData(40, 4), currentLr: 1e9, optimizer: (p, lr) => new SGD(p, { lr }), config: { ...TINY, rangeTest: { numIter: 100, endLr: 1 } } });
  assert.ok(r.baseline.seeds.every((s) => s.diverged), 'lr 1e9 diverges');
  assert.is(r.recommendation.keepCurrent, false);
  assert.match(r.recommendation.sentence, /your current 1e9 diverged in 2 of 2 long runs/);
});

lib('images through the built-in CNN: a bright quadrant is the class', () => {
  const g = new Generator(5);
  const make = (n: number) => {
    const x = new Float32Array(n * 64), y = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const c = i % 2;
      for (let p = 0; p < 64; p++) {
        const inTop = p < 32;
        x[i * 64 + p] = 0.3 * g.normal() + (inTop === (c === 0) ? 1 : 0);
      }
      y[i] = c;
    }
    return { x: new Tensor(x, [n, 1, 8, 8]), y: new Tensor(y, [n]) };
  };
  const spec = parseModelSpec('test', 'cnn', 'images');
  const r = findLr({ makeModel: () => buildModel(spec, { inputShape: [1, 8, 8], outputs: 2 }), train: make(96), valid: make(32), config: { ...TINY, seeds: 1, rangeTest: { numIter: 20 }, training: { epochs: 3, patience: 2 } } });
  assert.is(r.task, 'classification');
  assert.ok(r.optimized.finalValMetric! >= 0.9, `accuracy ${r.optimized.finalValMetric}`);
  assert.is(r.baseline.seeds.length, 1);
  assert.is(r.comparisonOverSeeds === null || r.comparisonOverSeeds.n === 1, true);
  assert.match(reportMarkdown(r), /One seed: the run-to-run noise is not measured/);
});

lib('an LSTM on a series goes through the same pipeline (runPipeline with model lstm:8)', () => {
  const series = Float32Array.from({ length: 200 }, (_, t) => 50 + 10 * Math.sin(t / 5) + (t % 3));
  const r = runPipeline({ series, model: 'lstm:8', config: { ...TINY, window: 8, hidden: [8] } });
  assert.is(r.task, 'series');
  assert.match(r.model, /^LSTM forecaster \(8 hidden units x 1 layer/);
  assert.ok(Number.isFinite(r.optimized.finalValLoss));
  assert.throws(() => runPipeline({ series, model: 'cnn' }), /runPipeline: the model 'cnn' reads images/);
});

lib('a batches source is read once and joined; targets reached are counted per seed', () => {
  const data = regressionData(200, 7);
  const train = function* () {
    for (let s = 0; s < 160; s += 40) yield { x: new Tensor(data.x.data.slice(s * 4, (s + 40) * 4), [40, 4]), y: new Tensor(data.y.data.slice(s, s + 40), [40, 1]) };
  };
  const valid = { x: new Tensor(data.x.data.slice(640), [40, 4]), y: new Tensor(data.y.data.slice(160), [40, 1]) };
  const r = findLr({ makeModel: mlp(4, 1), train, valid, targetMetric: -100, config: TINY });
  assert.is(r.data.trainExamples, 160);
  assert.equal(r.target, { kind: 'metric', value: -100 });
  // an R² of -100 is reached after the first epoch by any sane run
  assert.equal(r.baseline.seeds.map((s) => s.epochsToTarget), [1, 1]);
});

lib('the same seed gives the same result, timings aside', () => {
  const strip = (r: FindLrResult) => JSON.parse(JSON.stringify(r, (k, v) => (k === 'timingsMs' || k === 'trainingTimeMs' || k === 'timeMs' ? undefined : v)));
  const opts = () => ({ makeModel: mlp(4, 1), train: regressionData(120, 1), valid: regressionData(40, 2), config: TINY });
  assert.equal(strip(findLr(opts())), strip(findLr(opts())));
});

lib('bad options name findLr, what it expected and what it got', () => {
  const data = regressionData(40, 1);
  assert.throws(() => findLr({ makeModel: mlp(4, 1), train: data, val: data } as never), /findLr: unknown option 'val' \(did you mean valid\?\)/);
  assert.throws(() => findLr({ makeModel: mlp(4, 1), train: [data.x, data.y], valid: data } as never), /findLr: expected train to be \{ x, y \} .* got an array \[x, y\]: write train: \{ x, y \}/);
  assert.throws(() => findLr({ makeModel: mlp(4, 1), train: data, valid: { x: data.x, y: new Tensor(new Float32Array(3), [3, 1]) } }), /findLr: expected valid.x \[n, \.\.\.\] .* with the same n, got \[40,4\] and \[3,1\]/);
  assert.throws(() => findLr({ makeModel: () => new ReLU(), train: data, valid: data }), /findLr: expected makeModel\(\) to return a model with parameters, got ReLU with none/);
  assert.throws(() => findLr({ makeModel: mlp(4, 1), train: data, valid: data, config: { seeds: 0 } }), /config: expected 'seeds' to be a positive integer, got 0/);
  assert.throws(() => findLr({ makeModel: mlp(4, 1), train: data, valid: data, currentLr: NaN }), /findLr: expected currentLr to be a finite number > 0, got NaN/);
  const nan = new Tensor(data.x.data.slice(), data.x.shape);
  nan.data[5] = NaN;
  assert.throws(() => findLr({ makeModel: mlp(4, 1), train: { x: nan, y: data.y }, valid: data }), /findLr: expected finite values in train.x, got NaN at flat index 5/);
  const one = { x: data.x, y: new Tensor(new Float32Array(40), [40]) };
  assert.throws(() => findLr({ makeModel: mlp(4, 2), train: one, valid: one }), /findLr: expected at least two classes in train.y, got only class 0/);
});

lib('the paired interval is scipy.stats.t\'s', () => {
  // scipy.stats.t.ppf(0.975, [1, 2, 4, 29]) = 12.7062, 4.3027, 2.7764, 2.0452
  assert.equal([1, 2, 4, 29].map(tQuantile975), [12.7062, 4.3027, 2.7764, 2.0452]);
  const p = pairedDifference([0.05, 0.03, 0.04]);
  assert.ok(Math.abs(p.mean - 0.04) < 1e-12);
  assert.ok(Math.abs(p.halfWidth - (4.3027 * 0.01) / Math.sqrt(3)) < 1e-12);
  assert.is(p.wins, 3);
  assert.ok(Number.isNaN(pairedDifference([0.1]).halfWidth), 'one seed: the noise is unknown');
});

lib.run();

const table = suite('parseCsvTable and splitTable');

table('text labels are classes, features are the other numeric columns, the task is said with its reason', () => {
  const t = parseCsvTable('a,b,name,label\n1,2,x,yes\n3,4,y,no\n5,6,z,yes\n', { target: 'label' });
  assert.is(t.task, 'classification');
  assert.equal(t.classes, ['no', 'yes']);
  assert.equal(Array.from(t.y.data), [1, 0, 1]);
  assert.equal(t.features, ['a', 'b']);
  assert.equal(t.skipped, ['name']);
  assert.match(t.taskReason, /holds text labels \(2 distinct\)/);
  const r = parseCsvTable('a;price\n1;2.5\n2;3.25\n3;1\n', { target: 'price' });
  assert.is(r.task, 'regression');
  assert.is(r.separator, ';');
  assert.equal(r.y.shape, [3, 1]);
});

table('errors name the column, the line and the cell', () => {
  const csv = 'a,b,label\n1,2,x\n3,,y\n';
  assert.throws(() => parseCsvTable(csv, { target: 'nope' }), /parseCsvTable: expected a target column named 'nope' in CSV, got columns 'a', 'b', 'label' \(numeric: 'a', 'b'\)/);
  assert.throws(() => parseCsvTable(csv, { target: 'label' }), /expected a value in column 'b' at line 3 of CSV, got an empty cell/);
  assert.throws(() => parseCsvTable('a,b,label\n1,x,p\n2,y,q\n', { target: 'label', features: ['a', 'b'] }), /expected numeric features, got 'b' holding 'x' at line 2/);
  assert.throws(() => parseCsvTable('a,label\n1,p\n2,p\n', { target: 'label' }), /expected at least two classes in the target 'label' of CSV, got one \('p'\)/);
  assert.throws(() => parseCsvTable('a,y\n1e39,1\n2,2.5\n', { target: 'y' }), /within float32's range .* column 'a' at line 2 of CSV, got '1e39'/);
});

table('splitTable standardizes with the training part only, and the temporal split keeps the order', () => {
  const x = new Tensor(Float32Array.from({ length: 10 }, (_, i) => i), [10, 1]);
  const s = splitTable({ x, y: new Tensor(Float32Array.from({ length: 10 }, (_, i) => 2 * i), [10, 1]), task: 'regression' }, { split: 'temporal' });
  // training rows 0..7: mean 3.5, population std sqrt(5.25)
  const sd = Math.sqrt(5.25);
  assert.ok(Math.abs(s.train.x.data[0] - (0 - 3.5) / sd) < 1e-6);
  assert.ok(Math.abs(s.valid.x.data[1] - (9 - 3.5) / sd) < 1e-6);
  assert.equal(s.targetScale, { mean: 7, std: 2 * sd });
  const r = splitTable({ x, y: x, task: 'classification' }, { split: 'random', seed: 1 });
  assert.is(r.train.x.shape[0], 8);
  assert.is(r.targetScale, null);
});

table.run();

const cli = suite('lrlab find on a table, and bad input');
const tiny = join(dir, 'tiny.json');
writeFileSync(tiny, JSON.stringify(TINY));

function writeClassCsv(path: string, classes: string[]): void {
  const blobs = makeBlobs({ nSamples: 150, nFeatures: 3, centers: classes.length, clusterStd: 1.5, seed: 9 });
  const rows = Array.from({ length: 150 }, (_, i) => `${[0, 1, 2].map((j) => blobs.x.data[i * 3 + j].toFixed(3)).join(',')},note${i % 4},${classes[blobs.y.data[i]]}`);
  writeFileSync(path, ['f1,f2,f3,note,kind', ...rows].join('\n'));
}

cli('binary classification from a CSV: the task is detected and said, accuracy is reported, the same seed repeats', async () => {
  const csv = join(dir, 'binary.csv');
  writeClassCsv(csv, ['cat', 'dog']);
  const r = await runCli(['find', '--data', csv, '--target', 'kind', '--config', tiny, '--out', join(dir, 'bin')]);
  assert.is(r.code, 0, r.err);
  assert.match(r.err, /task: classification \(detected: the target 'kind' holds text labels \(2 distinct\)\), classes cat, dog\n/);
  assert.match(r.err, /120 training and 30 validation \(random split\)/);
  assert.match(r.err, /not used: note/);
  assert.match(r.out, /Final validation accuracy \(mean of 2 seeds\)\s+[\d.]+%\s+[\d.]+%/);
  const result = JSON.parse(readFileSync(join(dir, 'bin', 'results.json'), 'utf8'));
  assert.is(result.task, 'classification');
  assert.equal(result.metric, { name: 'accuracy', higherIsBetter: true });
  assert.equal(result.baseline.seeds.map((s: { seed: number }) => s.seed), [42, 43]);
  for (const k of ['lr', 'sentence', 'confidence', 'keepCurrent']) assert.ok(k in result.recommendation, k);
  const again = await runCli(['find', '--data', csv, '--target', 'kind', '--config', tiny, '--out', join(dir, 'bin2'), '--quiet']);
  assert.is(again.code, 0, again.err);
  const strip = (text: string) => JSON.stringify(JSON.parse(text, (k, v) => (k === 'timingsMs' || k === 'trainingTimeMs' || k === 'timeMs' || k === 'comparison' ? undefined : v)));
  assert.is(strip(readFileSync(join(dir, 'bin2', 'results.json'), 'utf8')), strip(readFileSync(join(dir, 'bin', 'results.json'), 'utf8')));
});

cli('multi-class and regression from a CSV, with --features, --model and --seeds', async () => {
  const csv = join(dir, 'three.csv');
  writeClassCsv(csv, ['a', 'b', 'c']);
  let r = await runCli(['find', '--data', csv, '--target', 'kind', '--features', 'f1,f2', '--model', 'mlp:8', '--seeds', '1', '--config', tiny, '--out', join(dir, 'three'), '--quiet']);
  assert.is(r.code, 0, r.err);
  let result = JSON.parse(readFileSync(join(dir, 'three', 'results.json'), 'utf8'));
  assert.is(result.model, '2-8-3 ReLU MLP');
  assert.is(result.baseline.seeds.length, 1);
  const reg = join(dir, 'reg.csv');
  const data = regressionData(120, 4);
  writeFileSync(reg, ['x1,x2,x3,x4,y', ...Array.from({ length: 120 }, (_, i) => [...data.x.data.slice(i * 4, i * 4 + 4), data.y.data[i] * 100 + 1000].map((v) => v.toFixed(4)).join(','))].join('\n'));
  r = await runCli(['find', '--data', reg, '--target', 'y', '--split', 'temporal', '--config', tiny, '--out', join(dir, 'reg')]);
  assert.is(r.code, 0, r.err);
  assert.match(r.err, /task: regression \(detected: the target 'y' holds fractional numbers\)\n[^]*96 training and 24 validation \(temporal split\)/);
  result = JSON.parse(readFileSync(join(dir, 'reg', 'results.json'), 'utf8'));
  assert.is(result.task, 'regression');
  // losses are in the target's units: the target was scaled by 100, so its MSE is about 10^4 times the standardized one
  assert.ok(result.data.lossScale > 1000, `lossScale ${result.data.lossScale}`);
});

cli('your own model module: makeModel() (and a loss) from an ES module', async () => {
  const csv = join(dir, 'binary.csv');
  const index = pathToFileURL(fileURLToPath(new URL('../../src/index.ts', import.meta.url))).href;
  const mod = join(dir, 'my-model.mjs');
  writeFileSync(mod, `import { Sequential, Linear, Tanh, crossEntropy } from ${JSON.stringify(index)};\nexport function makeModel({ inputShape, outputs }) { return new Sequential(new Linear(inputShape[0], 6), new Tanh(), new Linear(6, outputs)); }\nexport const loss = crossEntropy;\n`);
  const r = await runCli(['find', '--data', csv, '--target', 'kind', '--model', mod, '--config', tiny, '--out', join(dir, 'mine'), '--quiet']);
  assert.is(r.code, 0, r.err);
  const result = JSON.parse(readFileSync(join(dir, 'mine', 'results.json'), 'utf8'));
  assert.is(result.model, 'Sequential with 38 parameters'); // 3 features: (3 x 6 + 6) + (6 x 2 + 2)
});

cli('docs/find-your-lr.md: the documented command prints the lines the page shows', async () => {
  const page = readFileSync(fileURLToPath(new URL('../../docs/find-your-lr.md', import.meta.url)), 'utf8');
  const m = /```sh\nnpx lrlab (find --data examples\/data\/fruit\.csv [^\n]*)\n```\n\nIt says what it read[^\n]*\n\n```text\n([\s\S]*?)```/.exec(page);
  assert.ok(m, 'the page shows a command and its first lines');
  const args = m![1].split(' ').map((a) => (a === 'fruit-report' ? join(dir, 'fruit-report') : a));
  const r = await runCli([...args, '--config', tiny]);
  assert.is(r.code, 0, r.err);
  for (const line of m![2].trimEnd().split('\n')) assert.ok(r.err.includes(`${line}\n`), `the run did not print: ${line}`);
});

cli('bad input: one clear line and exit 2 before any work', async () => {
  const csv = join(dir, 'bad.csv');
  writeFileSync(csv, 'f1,f2,word,kind\n1,2,x,a\n3,4,y,a\n5,6,z,a\n');
  const noExport = join(dir, 'no-export.mjs');
  writeFileSync(noExport, 'export const model = 1;\n');
  const cases: [string[], RegExp][] = [
    [['--target', 'species'], /^lrlab: parseCsvTable: expected a target column named 'species' in '.*bad.csv', got columns 'f1', 'f2', 'word', 'kind' \(numeric: 'f1', 'f2'\)\n$/],
    [['--target', 'kind', '--features', 'f1,word'], /^lrlab: parseCsvTable: expected numeric features, got 'word' holding 'x' at line 2 of '.*bad.csv'\n$/],
    [['--target', 'kind'], /^lrlab: parseCsvTable: expected at least two classes in the target 'kind' of '.*bad.csv', got one \('a'\)\n$/],
    [['--target', 'kind', '--model', noExport], /^lrlab: --model .*no-export.mjs must export a function makeModel\(\) returning a fresh model, got exports model\n$/],
    [['--target', 'kind', '--seeds', '0'], /^lrlab: --seeds expects an integer from 1 to 100 \(the seeds each long run repeats over\), got '0'\n$/],
    [['--target', 'kind', '--model', 'lstm:8'], /^lrlab: --model: the model 'lstm:8' reads windows of a series; for a table use 'mlp:128,64'\n$/],
    [['--target', 'kind', '--task', 'ranking'], /^lrlab: --task expects regression or classification, got 'ranking'\n$/],
    [['--features', 'f1'], /^lrlab: --features is for a table \(with --target COLUMN\)/],
  ];
  for (const [args, message] of cases) {
    const out = join(dir, 'never');
    const r = await runCli(['find', '--data', csv, ...args, '--out', out, '--quiet']);
    assert.is(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, message);
    assert.not.ok(existsSync(out));
  }
});

if (findFashionMnist() === null) {
  console.log('  find --data fashion-mnist skipped: the Debian package dataset-fashion-mnist is not installed');
  cli.skip('images from the command line: --data fashion-mnist trains the built-in CNN', () => {});
} else {
  cli('images from the command line: --data fashion-mnist trains the built-in CNN', async () => {
    const cfg = join(dir, 'img.json');
    writeFileSync(cfg, JSON.stringify({ seeds: 1, rangeTest: { numIter: 20 }, sweep: { num: 2, epochs: 1 }, validation: { epochs: 1 }, training: { epochs: 1, patience: 1 } }));
    const r = await runCli(['find', '--data', 'fashion-mnist', '--train-size', '48', '--config', cfg, '--out', join(dir, 'img')]);
    assert.is(r.code, 0, r.err);
    assert.match(r.err, /48 training and 12 validation images of 1 x 28 x 28 \(pixels standardized\), 10 classes, read from /);
    const result = JSON.parse(readFileSync(join(dir, 'img', 'results.json'), 'utf8'));
    assert.is(result.task, 'classification');
    assert.match(result.model, /^CNN \(conv 3x3 1-16/);
  });
}

cli.after(() => rmSync(dir, { recursive: true, force: true }));
cli.run();
