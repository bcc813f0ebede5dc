import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  fit, Sequential, Linear, ReLU, Adam, manualSeed, Generator, syntheticTimeSeries, temporalSplit, fitStandardizer,
  slidingWindows, createStudy, MedianPruner, PruningCallback, TrialPruned, type Trial,
} from '../../src/index.js';

const test = suite('PruningCallback: fit reports to a trial each epoch and stops when the pruner says so');

function data(window = 10) {
  const { values } = syntheticTimeSeries({ length: 300 });
  const { train } = temporalSplit(values, 0.8);
  const z = fitStandardizer(train);
  return { train: slidingWindows(z.transform(train), window), valid: slidingWindows(z.transform(values.slice(train.length - window)), window) };
}
const d = data();

/** Trains a small MLP at the trial's lr for 6 epochs with the callback, counting epochs; returns the best validation loss. */
function objective(epochsRun: number[], options = {}) {
  return (trial: Trial) => {
    const lr = trial.suggestFloat('lr', 1e-7, 1e-1, { log: true });
    manualSeed(0);
    const model = new Sequential(new Linear(10, 16), new ReLU(), new Linear(16, 1));
    const history = fit(model, {
      x: d.train.x, y: d.train.y, validationData: d.valid, optimizer: new Adam(model.parameters(), { lr }), epochs: 6, batchSize: 32,
      generator: new Generator(1), progress: false,
      callbacks: [{ onEpochEnd: () => void (epochsRun[trial.number] = (epochsRun[trial.number] ?? 0) + 1) }, new PruningCallback(trial, options)],
    });
    return Math.min(...history.valLoss);
  };
}

test('in a MedianPruner study, a trial that learns nothing is pruned at its first epoch; the others report every epoch', async () => {
  const study = await createStudy({ pruner: new MedianPruner({ nStartupTrials: 2 }) });
  for (const lr of [1e-2, 3e-3, 1e-7]) await study.enqueueTrial({ lr });
  const epochsRun: number[] = [];
  await study.optimize(objective(epochsRun), { nTrials: 3 });
  const [a, b, slow] = study.trials;
  assert.equal(study.trials.map((t) => t.state), ['complete', 'complete', 'pruned']);
  // the complete trials reported the validation loss of epochs 0..5, and their value is the lowest of them
  for (const t of [a, b]) {
    assert.equal([...t.intermediateValues.keys()], [0, 1, 2, 3, 4, 5]);
    assert.is(t.value, Math.min(...t.intermediateValues.values()));
  }
  // MedianPruner at step 0: lr 1e-7 barely moves, so its loss is above the median (here the mean) of the two others
  assert.equal([...slow.intermediateValues.keys()], [0]);
  const median = (a.intermediateValues.get(0)! + b.intermediateValues.get(0)!) / 2;
  assert.ok(slow.intermediateValues.get(0)! > median, `${slow.intermediateValues.get(0)} > ${median}`);
  assert.equal(epochsRun, [6, 6, 1], 'the pruned fit stopped at the end of its first epoch');
});

test('the pruned fit throws TrialPruned naming the trial, the epoch and the value; interval reports every n-th epoch', async () => {
  const reports: [number, number][] = [];
  let asked = 0;
  const trial = { number: 7, report: (v: number, s: number) => void reports.push([s, v]), shouldPrune: () => ++asked === 2 };
  manualSeed(0);
  const model = new Sequential(new Linear(10, 4), new ReLU(), new Linear(4, 1));
  let error: unknown = null;
  try {
    fit(model, {
      x: d.train.x, y: d.train.y, validationData: d.valid, optimizer: new Adam(model.parameters(), { lr: 1e-3 }), epochs: 8, progress: false,
      callbacks: [new PruningCallback(trial, { monitor: 'val_loss', interval: 2 })],
    });
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof TrialPruned, String(error));
  // Keras's interval: epochs 1 and 3 (0-based), the second time the trial is asked
  assert.equal(reports.map(([s]) => s), [1, 3]);
  assert.match((error as Error).message, new RegExp(`^trial 7 pruned at epoch 3 \\(valLoss ${reports[1][1]}\\)$`));
});

test('a monitor missing from the logs is an error naming the logs there are; bad arguments are refused', () => {
  const trial = { report: () => {}, shouldPrune: () => false };
  manualSeed(0);
  const model = new Sequential(new Linear(10, 1));
  assert.throws(() => fit(model, {
    x: d.train.x, y: d.train.y, optimizer: new Adam(model.parameters()), epochs: 1, progress: false, callbacks: [new PruningCallback(trial)],
  }), /PruningCallback: expected 'valLoss' in the epoch logs \(available: loss, lr\) at epoch 0/);
  assert.throws(() => new PruningCallback({} as never), /PruningCallback: expected a trial with report and shouldPrune, got/);
  assert.throws(() => new PruningCallback(trial, { interval: 0 }), /PruningCallback: expected interval to be an integer in \[1, Infinity\], got 0/);
  assert.throws(() => new PruningCallback(trial, { monitor: '' }), /PruningCallback: expected monitor to be a log name/);
  assert.throws(() => new PruningCallback(trial, { patience: 2 } as never), /PruningCallback: unknown option 'patience'/);
});

test.run();
