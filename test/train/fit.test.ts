import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  fit, evaluate, Sequential, Linear, ReLU, Adam, SGD, manualSeed, Generator, syntheticTimeSeries, temporalSplit,
  fitStandardizer, slidingWindows, EarlyStopping, ModelCheckpoint, CSVLogger, TerminateOnNaN, NonFiniteLossError,
  StepLR, ReduceLROnPlateau, AdaptiveLR, DynamicsRecorder, analyzeDynamics, loadModel, toJSONValue, fromJSONValue,
  ReduceLROnPlateauCallback, tensor, zeros,
} from '../../src/index.js';
import { assertClose } from '../helpers/assert.js';

// seed 000's data at a reduced size so the suite stays quick
function seedData(window = 10) {
  const { values } = syntheticTimeSeries({ length: 400 });
  const { train } = temporalSplit(values, 0.8);
  const z = fitStandardizer(train);
  const train_ = slidingWindows(z.transform(train), window);
  const valid = slidingWindows(z.transform(values.slice(train.length - window)), window);
  return { train: train_, valid };
}
const makeModel = (seed: number, window = 10) => {
  manualSeed(seed);
  return new Sequential(new Linear(window, 32), new ReLU(), new Linear(32, 1));
};
const weights = (m: Sequential) => m.parameters().map((p) => Array.from(p.data));

const test = suite('fit');

test('trains (the loss falls) and is deterministic for a seed', () => {
  const { train, valid } = seedData();
  const run = () => {
    const model = makeModel(1);
    const h = fit(model, { x: train.x, y: train.y, validationData: valid, optimizer: new Adam(model.parameters(), { lr: 3e-3 }), epochs: 8, generator: new Generator(5), progress: false });
    return { h, w: weights(model) };
  };
  const a = run(), b = run();
  assert.ok(a.h.loss[7] < a.h.loss[0] / 2, JSON.stringify(a.h.loss));
  assert.equal(a.h.loss, b.h.loss);
  assert.equal(a.h.valLoss, b.h.valLoss);
  assert.equal(a.w, b.w);
  assert.is(a.h.epochsRun, 8);
  assert.is(a.h.timeMs.length, 8);
});

test('a scheduler steps per epoch by default, per batch on request; lr is logged', () => {
  const { train } = seedData();
  const model = makeModel(2);
  const opt = new SGD(model.parameters(), { lr: 0.1 });
  const h = fit(model, { x: train.x, y: train.y, optimizer: opt, epochs: 4, scheduler: new StepLR(opt, { stepSize: 1, gamma: 0.5 }), progress: false });
  assert.equal(h.lr, [0.1, 0.05, 0.025, 0.0125]);
  const model2 = makeModel(2);
  const opt2 = new SGD(model2.parameters(), { lr: 0.1 });
  const h2 = fit(model2, { x: train.x, y: train.y, optimizer: opt2, epochs: 1, batchSize: 100, scheduler: new StepLR(opt2, { stepSize: 1, gamma: 0.5 }), schedulerInterval: 'batch', recordBatches: true, progress: false });
  assert.equal(h2.batchLr, [0.1, 0.05, 0.025, 0.0125].slice(0, h2.batchLr.length));
  assert.is(h2.batchLoss.length, Math.ceil(train.x.shape[0] / 100));
});

test('metric-driven schedulers receive the validation loss (ReduceLROnPlateau, AdaptiveLR)', () => {
  const { train, valid } = seedData();
  const model = makeModel(3);
  const opt = new Adam(model.parameters(), { lr: 1e-3 });
  const plateau = new ReduceLROnPlateau(opt, { patience: 0, factor: 0.5 });
  fit(model, { x: train.x, y: train.y, validationData: valid, optimizer: opt, epochs: 3, scheduler: plateau, progress: false });
  assert.is(plateau.lastEpoch, 3);
  assert.ok(Number.isFinite(plateau.best) && plateau.best < 1);
  const model2 = makeModel(3);
  const opt2 = new Adam(model2.parameters(), { lr: 1e-3 });
  const adaptive = new AdaptiveLR(opt2, { window: 3 });
  fit(model2, { x: train.x, y: train.y, optimizer: opt2, epochs: 1, scheduler: adaptive, schedulerInterval: 'batch', progress: false });
  assert.is(adaptive.decisions.length, Math.ceil(train.x.shape[0] / 32));
});

test('EarlyStopping with restoreBestWeights leaves the model at its best validation loss', () => {
  const { train, valid } = seedData();
  const model = makeModel(4);
  const stopper = new EarlyStopping({ patience: 2, restoreBestWeights: true });
  // a large SGD rate makes the validation loss bounce, so the last epoch is not the best
  const h = fit(model, { x: train.x, y: train.y, validationData: valid, optimizer: new SGD(model.parameters(), { lr: 0.01, momentum: 0.9 }), epochs: 40, callbacks: [stopper], progress: false, generator: new Generator(1) });
  const best = Math.min(...h.valLoss);
  assert.ok(h.epochsRun < 40, `ran ${h.epochsRun} epochs`);
  assert.match(h.stopReason!, /EarlyStopping: valLoss did not improve for 2 epoch\(s\)/);
  assert.is(h.valLoss.indexOf(best), stopper.bestEpoch);
  assert.is(evaluate(model, valid.x, valid.y), best);
});

test('EarlyStopping counts patience and minDelta as Keras does, and names a missing log', () => {
  const s = new EarlyStopping({ monitor: 'loss', patience: 2, minDelta: 0.1 });
  const ctx = { stopTraining: false, stopReason: null } as any;
  s.onTrainBegin();
  for (const [e, loss] of [[0, 1], [1, 0.95], [2, 0.93]] as const) s.onEpochEnd(e, { loss, lr: 0.1 }, ctx);
  assert.ok(ctx.stopTraining); // neither 0.95 nor 0.93 beat 1 by 0.1
  assert.throws(() => new EarlyStopping({ monitor: 'valAcc' }).onEpochEnd(0, { loss: 1, lr: 0.1 }, ctx), /EarlyStopping: expected 'valAcc' in the epoch logs \(available: loss, lr\) at epoch 0/);
  assert.is(new EarlyStopping({ monitor: 'valAccuracy' }).mode, 'max');
});

test('a NaN loss stops training with the epoch and batch named, weights finite and as before that batch', () => {
  const { train } = seedData();
  const model = makeModel(5);
  const opt = new SGD(model.parameters(), { lr: 1e6 });
  let caught: unknown;
  try {
    fit(model, { x: train.x, y: train.y, optimizer: opt, epochs: 3, progress: false });
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof NonFiniteLossError, String(caught));
  assert.match((caught as Error).message, /fit: (the loss became (NaN|Infinity) at epoch \d+, batch \d+|the optimizer step at epoch \d+, batch \d+ made parameter \d+ non-finite)/);
  assert.ok(model.parameters().every((p) => p.data.every(Number.isFinite)));
  const model2 = makeModel(5);
  const h = fit(model2, { x: train.x, y: train.y, optimizer: new SGD(model2.parameters(), { lr: 1e6 }), epochs: 3, callbacks: [new TerminateOnNaN()], progress: false });
  assert.match(h.stopReason!, /fit: /);
  assert.ok(model2.parameters().every((p) => p.data.every(Number.isFinite)));
});

test('with an optimizer object of its own whose step writes NaN, fit undoes the step from its copy and stops', () => {
  const { train } = seedData();
  const model = makeModel(5);
  const inner = new SGD(model.parameters(), { lr: 0.01 });
  let steps = 0;
  // not an lrlab Optimizer: fit cannot rely on the step undoing itself
  const own = {
    paramGroups: inner.paramGroups,
    zeroGrad: (o?: { setToNone?: boolean }) => inner.zeroGrad(o),
    step: () => {
      inner.step();
      if (++steps === 3) model.parameters()[1].data[0] = NaN;
    },
  };
  let before: number[][] = [];
  const h = fit(model, { x: train.x, y: train.y, optimizer: own as unknown as SGD, epochs: 1, batchSize: 4, progress: false, callbacks: [new TerminateOnNaN(), { onBatchEnd: () => { before = model.parameters().map((p) => Array.from(p.data)); } }] });
  assert.match(h.stopReason!, /fit: the optimizer step at epoch 1, batch 3 made parameter 1 non-finite; it was undone and training stopped/);
  assert.equal(model.parameters().map((p) => Array.from(p.data)), before);
});

test('bad input to fit is named', () => {
  const model = makeModel(6);
  const opt = new Adam(model.parameters());
  assert.throws(() => fit(model, { x: zeros([4, 10]), y: zeros([3, 1]), optimizer: opt, epochs: 1 }), /fit: expected training x \[n, features\] and y \[n, outputs\] with the same n, got \[4,10\] and \[3,1\]/);
  assert.throws(() => fit(model, { x: zeros([4, 10]), y: zeros([4, 1]), optimizer: opt, epochs: 0 }), /fit: expected epochs to be a positive integer, got 0/);
  assert.throws(() => fit(model, { x: zeros([0, 10]), y: zeros([0, 1]), optimizer: opt, epochs: 1 }), /fit: expected training data with at least one example, got 0/);
  assert.throws(() => fit(model, { x: tensor([[NaN, 0, 0, 0, 0, 0, 0, 0, 0, 0]]), y: zeros([1, 1]), optimizer: opt, epochs: 1, progress: false }), /Linear.forward: expected finite inputs, got NaN at row 0, column 0/);
});

test('a run saved mid-way (model, optimizer, scheduler, shuffling) and resumed continues identically', () => {
  const { train } = seedData();
  const setup = () => {
    const model = makeModel(7);
    const opt = new Adam(model.parameters(), { lr: 1e-3 });
    return { model, opt, sched: new StepLR(opt, { stepSize: 2, gamma: 0.5 }), gen: new Generator(11) };
  };
  const go = (s: ReturnType<typeof setup>, epochs: number) => fit(s.model, { x: train.x, y: train.y, optimizer: s.opt, scheduler: s.sched, epochs, generator: s.gen, progress: false });
  const a = setup();
  go(a, 2);
  const saved = JSON.parse(JSON.stringify(toJSONValue({ model: a.model.stateDict(), opt: a.opt.stateDict(), sched: a.sched.stateDict(), gen: a.gen.getState() })));
  const straight = go(a, 3);
  const b = setup();
  const r = fromJSONValue(saved) as any;
  b.model.loadStateDict(r.model);
  b.opt.loadStateDict(r.opt);
  b.sched.loadStateDict(r.sched);
  b.gen.setState(r.gen);
  const resumed = go(b, 3);
  assert.equal(resumed.loss, straight.loss);
  assert.equal(weights(b.model), weights(a.model));
});

test.run();

const cbs = suite('callbacks that write files');
const dir = mkdtempSync(join(tmpdir(), 'lrlab-fit-'));

cbs('ModelCheckpoint saves the best epoch atomically; CSVLogger writes one row per finished epoch', () => {
  const { train, valid } = seedData();
  const model = makeModel(8);
  const ckpt = new ModelCheckpoint({ path: join(dir, 'best.json'), saveBestOnly: true });
  const every = new ModelCheckpoint({ path: join(dir, 'epoch-{epoch}.json') });
  const csvPath = join(dir, 'log.csv');
  const h = fit(model, { x: train.x, y: train.y, validationData: valid, optimizer: new Adam(model.parameters(), { lr: 1e-3 }), epochs: 3, callbacks: [ckpt, every, new CSVLogger(csvPath), new ReduceLROnPlateauCallback({ patience: 5 })], progress: false });
  assert.equal(every.saved.map((p) => p.split('/').pop()), ['epoch-1.json', 'epoch-2.json', 'epoch-3.json']);
  assert.ok(ckpt.saved.length >= 1);
  const restored = makeModel(99);
  loadModel(restored, join(dir, 'best.json'));
  assertClose(evaluate(restored, valid.x, valid.y), Math.min(...h.valLoss), { rtol: 0 });
  const lines = readFileSync(csvPath, 'utf8').trim().split('\n');
  assert.is(lines[0], 'epoch,loss,lr,valLoss');
  assert.is(lines.length, 4);
  assert.is(Number(lines[3].split(',')[1]), h.loss[2]);
  assert.equal(readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
});

cbs.after(() => rmSync(dir, { recursive: true, force: true }));
cbs.run();

const dyn = suite('training dynamics');

dyn('analyzeDynamics: a steady descent is smooth; a zigzag is oscillatory; convergence epoch and variance', () => {
  const smooth = analyzeDynamics({ batchLoss: [], epochLoss: [10, 8, 6, 5, 4.5, 4.2, 4.1, 4.05], valLoss: [] });
  assert.is(smooth.classification, 'smooth');
  assert.is(smooth.oscillationIndex, 0);
  assert.is(smooth.convergenceEpoch, 6); // 4.2 <= 1.05 * 4.05 = 4.2525
  assertClose(smooth.lossVariance, [4.5, 4.2, 4.1, 4.05].reduce((a, b) => a + (b - 4.2125) ** 2, 0) / 4, { rtol: 1e-12 });
  const zig = analyzeDynamics({ batchLoss: [], epochLoss: [5, 4, 5, 4, 5, 4, 5, 4, 5], valLoss: [] });
  assert.is(zig.classification, 'oscillatory');
  assert.is(zig.oscillationIndex, 0.5);
  const noisy = analyzeDynamics({ batchLoss: Array.from({ length: 100 }, (_, i) => (i % 2 ? 0.2 : 1.8)), epochLoss: [1, 0.9], valLoss: [] });
  assert.is(noisy.classification, 'oscillatory');
  assert.ok(noisy.relativeNoise > 0.5);
  assert.throws(() => analyzeDynamics({ batchLoss: [], epochLoss: [], valLoss: [] }), /analyzeDynamics: expected at least one epoch of losses, got none/);
});

dyn('DynamicsRecorder logs loss, gradient norm, lr and batch statistics for every batch', () => {
  const { train, valid } = seedData();
  const model = makeModel(9);
  const rec = new DynamicsRecorder();
  fit(model, { x: train.x, y: train.y, validationData: valid, optimizer: new Adam(model.parameters(), { lr: 1e-3 }), epochs: 2, callbacks: [rec], progress: false });
  const batchesPerEpoch = Math.ceil(train.x.shape[0] / 32);
  assert.is(rec.record.batchLoss.length, 2 * batchesPerEpoch);
  assert.ok(rec.record.gradNorm.every((g) => g > 0 && Number.isFinite(g)));
  assert.ok(rec.record.features.every((m) => Number.isFinite(m.mean) && m.std > 0));
  assert.is(rec.record.valLoss.length, 2);
  const analysis = rec.analyze();
  assert.is(analysis.monitored, 'valLoss');
  assert.ok(['smooth', 'oscillatory'].includes(analysis.classification));
});

dyn.run();

const cv = suite('crossValidate');

cv('k folds, a fresh model each from the same seed, deterministic, future-only folds for time series', async () => {
  const { crossValidate } = await import('../../src/index.js');
  const { train } = seedData();
  const run = (split: 'kfold' | 'timeseries') => crossValidate({ makeModel: () => makeModel(1), x: train.x, y: train.y, k: 3, split, epochs: 1 });
  const a = run('kfold'), b = run('kfold');
  assert.is(a.foldLosses.length, 3);
  assert.equal(a.foldLosses, b.foldLosses);
  assert.ok(a.foldLosses.every((l) => Number.isFinite(l) && l > 0));
  assertClose(a.mean, a.foldLosses.reduce((s, v) => s + v, 0) / 3, { rtol: 1e-12 });
  const t = run('timeseries');
  for (const f of t.folds) assert.ok(Math.max(...f.train) < Math.min(...f.valid));
  assert.throws(() => crossValidate({ makeModel: () => makeModel(1), x: train.x, y: zeros([3, 1]), epochs: 1 }), /crossValidate: expected x \[n, features\] and y \[n, outputs\] with the same n/);
});

cv.run();
