// gridSearchCV: grid expansion, cross-validated scoring, a 2x2 grid worked out by hand, and bad input.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  gridSearchCV, parameterGrid, crossValidate, makeBlobs, Linear, Sequential, ReLU, SGD, Adam, Tensor, crossEntropy,
  accuracy, predict, manualSeed, type GridCell,
} from '../../src/index.js';
import { assertClose } from '../helpers/assert.js';

const grid = suite('parameterGrid');

grid("cells in scikit-learn's ParameterGrid order: names sorted, the last varying fastest", () => {
  assert.equal(parameterGrid({ lr: [0.1, 0.5], epochs: [1, 3] }), [
    { epochs: 1, lr: 0.1 }, { epochs: 1, lr: 0.5 }, { epochs: 3, lr: 0.1 }, { epochs: 3, lr: 0.5 },
  ]);
  // a list of grids is searched in turn; values may be arrays (hidden sizes)
  assert.equal(parameterGrid([{ hidden: [[8], [8, 4]] }, { lr: [1] }]), [{ hidden: [8] }, { hidden: [8, 4] }, { lr: 1 }]);
  assert.throws(() => parameterGrid({ lr: [] }), /parameterGrid: expected paramGrid.lr to be a non-empty array of values, got \[\]/);
  assert.throws(() => parameterGrid({ lr: 0.1 as any }), /parameterGrid: expected paramGrid.lr to be a non-empty array of values, got 0.1/);
  assert.throws(() => parameterGrid([{ a: [1] }, null as any]), (e: Error) => e instanceof TypeError && /expected paramGrid\[1\] to be an object of name: values\[\], got null/.test(e.message));
});

grid.run();

// ten points on a line: x_i = i / 8, y_i = 2 x_i + (-1)^i / 8, i = 1..10. Eighths, a learning rate of 1/8 or 1/2,
// batches of 8 and at most two steps keep every value the engine computes a short binary fraction, exact in
// float32: so training reproduces the hand computation exactly, not just to rounding.
const X = new Tensor(Float32Array.from({ length: 10 }, (_, i) => (i + 1) / 8), [10, 1]);
const Y = new Tensor(Float32Array.from({ length: 10 }, (_, i) => (2 * (i + 1)) / 8 + (-1) ** (i + 1) / 8), [10, 1]);
/** y = w x with w starting at 0: full-batch gradient descent on it has a closed form. */
const line = () => {
  const m = new Sequential(new Linear(1, 1, { bias: false }));
  m.parameters()[0].data[0] = 0;
  return m;
};

/**
 * The hand computation. Fold f holds out examples 2f and 2f + 1 (KFold, no shuffle); the other 8 are one batch
 * (batchSize 8), so each epoch is one step of w <- w - lr dL/dw with L = (1/8) Σ (w x - y)^2, i.e.
 * dL/dw = (2/8) (w Sxx - Sxy). The fold's score is neg_mse = -(1/2) Σ_held-out (w x - y)^2.
 * Fold 0 by hand: Sxx = (9 + 16 + ... + 100) / 64 = 380/64, Sxy = Σ (2 i^2 + (-1)^i i) / 64 = 764/64; at lr 1/8
 * after one epoch w = (1/8)(1/4)(764/64) = 191/512; the held-out points (1/8, 1/8) and (1/4, 5/8) miss by
 * -321/4096 and -1089/2048, so the score is -((321/4096)^2 + (1089/2048)^2) / 2 = -4846725/33554432.
 */
function handScores(lr: number, epochs: number): number[] {
  const x = Array.from(X.data), y = Array.from(Y.data);
  return [0, 1, 2, 3, 4].map((f) => {
    const held = [2 * f, 2 * f + 1], train = x.map((_, i) => i).filter((i) => !held.includes(i));
    const sxx = train.reduce((s, i) => s + x[i] * x[i], 0), sxy = train.reduce((s, i) => s + x[i] * y[i], 0);
    let w = 0;
    for (let e = 0; e < epochs; e++) w -= (lr * 2 * (w * sxx - sxy)) / 8;
    return -held.reduce((s, i) => s + (w * x[i] - y[i]) ** 2, 0) / 2;
  });
}

const search = suite('gridSearchCV');

search('reproduces a hand-computed 2x2 grid (lr x epochs) with cv=5 on ten points exactly', async () => {
  assert.is(handScores(1 / 8, 1)[0], -4846725 / 33554432, 'the worked fold');
  const r = await gridSearchCV(line, {
    x: X, y: Y, paramGrid: { lr: [1 / 8, 1 / 2], epochs: [1, 2] }, cv: 5, scoring: 'neg_mse', batchSize: 8,
    makeOptimizer: (p, lr) => new SGD(p, { lr }),
  });
  const cells: [number, number][] = [[1, 1 / 8], [1, 1 / 2], [2, 1 / 8], [2, 1 / 2]];
  assert.equal(r.cvResults.params, cells.map(([epochs, lr]) => ({ epochs, lr })));
  cells.forEach(([epochs, lr], i) => {
    const hand = handScores(lr, epochs);
    assert.equal(r.cvResults.splitTestScores[i], hand, `cell ${i}: every fold's score equals the hand computation`);
    const mean = hand.reduce((a, b) => a + b, 0) / 5;
    assert.is(r.cvResults.meanTestScore[i], mean);
    assert.is(r.cvResults.stdTestScore[i], Math.sqrt(hand.reduce((a, b) => a + (b - mean) ** 2, 0) / 5));
    assert.ok(r.cvResults.meanFitTime[i] >= 0 && r.cvResults.meanScoreTime[i] >= 0);
  });
  // by hand: means -1.883, -0.650, -1.452, -0.204: two steps at lr 1/2 come closest to the slope 2
  assert.equal(r.cvResults.rankTestScore, [4, 2, 3, 1]);
  assert.equal(r.bestParams, { epochs: 2, lr: 1 / 2 });
  assert.is(r.bestIndex, 3);
  assert.is(r.bestScore, r.cvResults.meanTestScore[3]);
  assert.equal(r.cvResults.errors, [null, null, null, null]);
  // one trial per cell, each assigned its cell by a GridSampler, valued at the cell's mean score
  assert.equal(r.study.trials.map((t) => t.systemAttrs.gridId).sort(), [0, 1, 2, 3]);
  r.study.trials.forEach((t) => assert.is(t.value, r.cvResults.meanTestScore[t.userAttrs.cell as number]));
  // the refit trains the best cell on all ten points, as fit does with the same seed
  const refit = line();
  const { fit, Generator } = await import('../../src/index.js');
  fit(refit, { x: X, y: Y, optimizer: new SGD(refit.parameters(), { lr: 0.5 }), epochs: 2, batchSize: 8, generator: new Generator(42), progress: false });
  assert.is(r.bestModel!.parameters()[0].data[0], refit.parameters()[0].data[0]);
});

search('on a generated classification set: scored by accuracy over lr and a model option, deterministic', async () => {
  const data = makeBlobs({ nSamples: 90, centers: 3, clusterStd: 2.5, seed: 11 });
  const makeModel = (cell: GridCell) => {
    const hidden = cell.hidden as number;
    return new Sequential(new Linear(2, hidden), new ReLU(), new Linear(hidden, 3));
  };
  const run = () => gridSearchCV(makeModel, { x: data.x, y: data.y, loss: crossEntropy, paramGrid: { lr: [1e-3, 3e-2], hidden: [2, 16] }, cv: 3, epochs: 8, batchSize: 16, shuffle: true, nJobs: 2 });
  const a = await run(), b = await run();
  assert.equal(a.cvResults.splitTestScores, b.cvResults.splitTestScores);
  const means = a.cvResults.meanTestScore;
  assert.is(a.bestScore, Math.max(...means));
  assert.is(a.bestIndex, means.indexOf(Math.max(...means)));
  // accuracies are fractions of the 30 held-out examples per fold
  for (const scores of a.cvResults.splitTestScores) for (const s of scores) assert.ok(Number.isInteger(Math.round(s * 30)) && Math.abs(s * 30 - Math.round(s * 30)) < 1e-9 && s >= 0 && s <= 1, String(s));
  // the slow lr with 2 hidden units is worse than the best cell by a clear margin
  assert.ok(a.bestScore - means[0] > 0.1, JSON.stringify(means));
  assert.ok(accuracy(data.y, predict(a.bestModel!, data.x)) >= a.bestScore - 0.1);
  // each cell's folds are crossValidate's, with the same seed
  manualSeed(0);
  const cell = a.cvResults.params[2];
  const cvr = crossValidate({ makeModel: () => makeModel(cell), makeOptimizer: (p) => new Adam(p, { lr: cell.lr as number }), x: data.x, y: data.y, k: 3, shuffle: true, epochs: 8, batchSize: 16, seed: 42, fitOptions: { loss: crossEntropy }, scoring: 'accuracy' });
  assert.equal(cvr.foldScores, a.cvResults.splitTestScores[2]);
});

search('runs as a study: one complete trial per cell valued at its mean score; lists of grids and array values', async () => {
  const opts = { x: X, y: Y, cv: 5, scoring: 'neg_mse', batchSize: 8, makeOptimizer: (p: Tensor[], lr: number) => new SGD(p, { lr }) };
  const r = await gridSearchCV(line, { ...opts, paramGrid: [{ lr: [0.5], epochs: [2] }, { lr: [0.125], epochs: [1] }], studyName: 'two grids' });
  assert.is(r.study.studyName, 'two grids');
  assert.is(r.study.direction, 'maximize');
  assert.equal(r.study.trials.map((t) => t.state), ['complete', 'complete']);
  assert.equal(r.study.trials.map((t) => t.value), r.cvResults.meanTestScore);
  assert.equal(r.study.bestParams, { epochs: 2, lr: 0.5 });
  // a list of grids is not one product: its cells are fixed through the study's queue
  assert.ok(r.study.trials.every((t) => t.systemAttrs.fixedParams !== undefined && t.systemAttrs.gridId === undefined));
  assert.equal(r.cvResults.splitTestScores[1], handScores(0.125, 1));
  // a value listed twice is two cells (as scikit-learn), tied at rank 1; the first is best
  const twice = await gridSearchCV(line, { ...opts, paramGrid: { lr: [0.5, 0.5], epochs: [3] }, refit: false });
  assert.equal(twice.cvResults.splitTestScores[0], twice.cvResults.splitTestScores[1]);
  assert.equal(twice.cvResults.rankTestScore, [1, 1]);
  assert.is(twice.bestIndex, 0);
  assert.equal(twice.study.trials.map((t) => t.userAttrs.cell).sort(), [0, 1]);
  // hidden sizes as arrays reach makeModel as arrays (they travel through the study as JSON text)
  const blobs = makeBlobs({ nSamples: 40, centers: 2, seed: 5 });
  const seen: unknown[] = [];
  const mlp = (cell: GridCell) => {
    seen.push(cell.hidden);
    const sizes = [2, ...(cell.hidden as number[]), 2];
    return new Sequential(...sizes.slice(1).flatMap((n, i) => (i < sizes.length - 2 ? [new Linear(sizes[i], n), new ReLU()] : [new Linear(sizes[i], n)])));
  };
  const h = await gridSearchCV(mlp, { x: blobs.x, y: blobs.y, loss: crossEntropy, cv: 2, epochs: 2, paramGrid: { hidden: [[4], [4, 4]] }, refit: false });
  assert.equal(h.cvResults.params, [{ hidden: [4] }, { hidden: [4, 4] }]);
  // a single grid runs on a GridSampler, which visits the cells in a seeded random order
  assert.equal(seen.map((v) => JSON.stringify(v)).sort(), ['[4,4]', '[4,4]', '[4]', '[4]']);
  assert.equal(h.study.trials.map((t) => t.params.hidden).sort(), ['[4,4]', '[4]']);
  assert.equal(h.study.trials.map((t) => t.systemAttrs.gridId).sort(), [0, 1]);
  h.study.trials.forEach((t) => assert.is(t.value, h.cvResults.meanTestScore[t.userAttrs.cell as number]));
});

search('a model module with nJobs 2 runs the cells in worker threads, with the same results as one thread', async () => {
  const data = makeBlobs({ nSamples: 60, centers: 3, clusterStd: 2, seed: 12 });
  const model = { module: new URL('./workers/grid-model.ts', import.meta.url) };
  const common = { x: data.x, y: data.y, paramGrid: { lr: [1e-3, 3e-2], hidden: [2, 8] }, cv: 3, epochs: 3, batchSize: 16 };
  const threads = await gridSearchCV(model, { ...common, nJobs: 2 });
  const one = await gridSearchCV(model, { ...common, nJobs: 1 });
  assert.equal(threads.cvResults.splitTestScores, one.cvResults.splitTestScores);
  assert.equal(threads.bestParams, one.bestParams);
  assert.equal(Array.from(threads.bestModel!.parameters()[0].data), Array.from(one.bestModel!.parameters()[0].data));
  // the module's loss is crossEntropy, so the default scoring is accuracy: fractions of 20 held-out examples
  assert.ok(threads.cvResults.splitTestScores.flat().every((s) => Math.abs(s * 20 - Math.round(s * 20)) < 1e-9));
  assert.is(threads.study.trials.length, 4);
  assert.match(threads.study.storage.url, /^sqlite:/);
  try {
    await gridSearchCV(model, { ...common, nJobs: 2, scoring: (t, p) => accuracy(t, p) });
    assert.unreachable('expected a TypeError');
  } catch (err) {
    assert.match((err as Error).message, /gridSearchCV: expected scoring to be a name with nJobs > 1 \(a function cannot cross into a worker thread\), got a function/);
  }
});

search('a fold that fails scores errorScore (NaN by default) with its error kept, or rethrows with errorScore raise', async () => {
  const opts = { x: X, y: Y, paramGrid: { lr: [0.1, 1e15] }, cv: 2, epochs: 3, batchSize: 8, scoring: 'neg_mse', makeOptimizer: (p: Tensor[], lr: number) => new SGD(p, { lr }) };
  const r = await gridSearchCV(line, opts);
  assert.ok(Number.isNaN(r.cvResults.meanTestScore[1]));
  assert.match(r.cvResults.errors[1]!, /fit: (the loss became|the optimizer step)/);
  assert.equal(r.cvResults.rankTestScore, [1, 2]);
  assert.equal(r.bestParams, { lr: 0.1 });
  // in the study, the failed cell is a failed trial (NaN mean) and the other one complete
  assert.equal(Object.fromEntries(r.study.trials.map((t) => [t.userAttrs.cell, t.state])), { 0: 'complete', 1: 'fail' });
  const zero = await gridSearchCV(line, { ...opts, errorScore: 0, refit: false });
  assert.equal(zero.cvResults.splitTestScores[1], [0, 0]);
  assert.is(zero.bestModel, null);
  try {
    await gridSearchCV(line, { ...opts, errorScore: 'raise' });
    assert.unreachable('expected a throw');
  } catch (err) {
    assert.match((err as Error).message, /fit: /);
  }
});

search('bad input is named before any training', async () => {
  let built = 0;
  const counting = () => {
    built++;
    return line();
  };
  const base = { x: X, y: Y, paramGrid: { lr: [0.1] } };
  const rejects = async (p: Promise<unknown>, re: RegExp, kind: ErrorConstructor = RangeError) => {
    try {
      await p;
    } catch (err) {
      assert.ok(err instanceof kind, `${(err as Error).name}: ${(err as Error).message}`);
      assert.match((err as Error).message, re);
      return;
    }
    assert.unreachable(`expected a rejection matching ${re}`);
  };
  await rejects(gridSearchCV(counting, { ...base, paramGrid: { lr: [0.1, -1] } }), /gridSearchCV: expected lr to be a finite number > 0, got -1/);
  await rejects(gridSearchCV(counting, { ...base, paramGrid: { epochs: [2, 1.5] } }), /gridSearchCV: expected epochs to be a positive integer, got 1.5/);
  await rejects(gridSearchCV(counting, { ...base, paramGrid: { batchSize: ['8'] } }), /gridSearchCV: expected batchSize to be a positive integer, got "8"/);
  await rejects(gridSearchCV(counting, { ...base, scoring: 'neg_msee' }), /gridSearchCV: expected scoring among accuracy, .*neg_mse.* or a function, got "neg_msee"/);
  await rejects(gridSearchCV(counting, { ...base, scoring: 'mae' }), /gridSearchCV: expected scoring among .* got "mae"/);
  await rejects(gridSearchCV(counting, { ...base, cv: 1 }), /gridSearchCV: expected cv to be an integer >= 2, got 1/);
  await rejects(gridSearchCV(counting, { ...base, nJobs: 0 }), /gridSearchCV: expected nJobs to be an integer >= 1 or -1, got 0/);
  await rejects(gridSearchCV(counting, { ...base, paramGrid: {} as any, scoring: 3 as any }), /gridSearchCV: expected scoring to be a name or a function, got number/, TypeError);
  await rejects(gridSearchCV('model' as any, base), /gridSearchCV: expected makeModel to be a function of the grid cell or \{ module \}, got string/, TypeError);
  assert.throws(() => crossValidate({ makeModel: counting, x: X, y: Y, epochs: 1, scoring: 'nope' }), /crossValidate: expected scoring among accuracy, .* or a function, got "nope"/);
  const moduleUrl = new URL('./workers/grid-model.ts', import.meta.url);
  await rejects(gridSearchCV({ module: moduleUrl, exportName: 'nothing' }, base), /gridSearchCV: expected module .*grid-model.ts to export a function 'nothing', got undefined/, TypeError);
  await rejects(gridSearchCV({ module: 'workers/grid-model.ts' }, base), /gridSearchCV: expected module to be a URL or an absolute path, got "workers\/grid-model.ts"/, TypeError);
  await rejects(gridSearchCV({ module: moduleUrl }, { ...base, nJobs: 2, makeOptimizer: (p, lr) => new SGD(p, { lr }) }), /gridSearchCV: expected makeOptimizer to be exported by the model module with nJobs > 1/, TypeError);
  assert.is(built, 0);
});

search.run();
