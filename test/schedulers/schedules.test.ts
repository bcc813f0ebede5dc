import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  SGD, Adam, tensor, timeBasedDecay, stepDecay, exponentialDecay, LearningRateScheduler, TimeBasedDecayLR, StepDecayLR,
  ExponentialDecayLR, ExponentialDecay, InverseTimeDecay, PiecewiseConstantDecay, PolynomialDecay, CosineDecay,
  CosineDecayRestarts, ScheduleLR, WarmupLR, withWarmup, previewSchedule, StepLR, CosineAnnealingLR, CyclicLR, OneCycleLR,
  ReduceLROnPlateau, SequentialLR, LinearLR, ExponentialLR, CosineAnnealingWarmRestarts, MultiStepLR, ConstantLR,
  PolynomialLR, LambdaLR, ChainedScheduler, toJSONValue, fromJSONValue,
} from '../../src/index.js';
import { assertClose } from '../helpers/assert.js';

const sgd = (lr = 0.001) => new SGD([tensor([0], { requiresGrad: true })], { lr, momentum: 0.9 });
const run = (sched: { step(): void }, opt: SGD, epochs: number) => {
  const lrs = [opt.paramGroups[0].lr];
  for (let e = 1; e < epochs; e++) {
    sched.step();
    lrs.push(opt.paramGroups[0].lr);
  }
  return lrs;
};

const seed = suite('seed 004 formulas, exactly as written');

seed("time-based decay reproduces the seed's table 0.001, 0.00091, 0.000758, ..., 0.000102", () => {
  const opt = sgd(0.001);
  const lrs = run(new TimeBasedDecayLR(opt, { decay: 0.1 }), opt, 21);
  assert.is(lrs[0], 0.001);
  assert.is(lrs[1].toPrecision(2), '0.00091');
  assert.is(lrs[2].toPrecision(3), '0.000758');
  assert.is(lrs[7].toPrecision(3), '0.000102');
  // lr_new = lr_old / (1 + epoch * decay), step by step
  for (let e = 1; e < lrs.length; e++) assertClose(lrs[e], lrs[e - 1] / (1 + e * 0.1), { rtol: 1e-15 });
  // the pure function gives the same sequence
  const f = timeBasedDecay({ decay: 0.1 });
  let lr = 0.001;
  for (let e = 0; e < 21; e++) assert.is((lr = f(e, lr)), lrs[e]);
});

seed("step decay reproduces 0.001 -> 0.0005 -> 0.00025 -> ... -> 3.125e-5 (rate 0.5 every 20 epochs)", () => {
  const opt = sgd(0.001);
  const lrs = run(new StepDecayLR(opt, { decayRate: 0.5, decayEvery: 20 }), opt, 100);
  assert.equal([...new Set(lrs)], [0.001, 0.0005, 0.00025, 0.000125, 0.0000625, 0.00003125]);
  assert.is(lrs[18], 0.001); // floor((18 + 1) / 20) = 0
  assert.is(lrs[19], 0.0005); // floor((19 + 1) / 20) = 1
  assert.is(lrs[99], 3.125e-5);
  const f = stepDecay({ initialLr: 0.001, decayRate: 0.5, decayEvery: 20, startDecayEpoch: 10 });
  assert.is(f(0, 0), 0.001); // no decay before it starts
  assert.is(f(29, 0), 0.0005);
});

seed('exponential decay: lr_new = lr_old * exp(-(epoch + 1) * decay), applied from epoch 0', () => {
  const opt = sgd(0.001);
  const lrs = run(new ExponentialDecayLR(opt, { decay: 0.03 }), opt, 50);
  assertClose(lrs[0], 0.001 * Math.exp(-0.03), { rtol: 1e-15 });
  for (let e = 1; e < 50; e++) assertClose(lrs[e], lrs[e - 1] * Math.exp(-(e + 1) * 0.03), { rtol: 1e-15 });
  // closed form of the iteration: lr0 * exp(-decay (e+1)(e+2)/2)
  assertClose(lrs[49], 0.001 * Math.exp((-0.03 * 50 * 51) / 2), { rtol: 1e-12 });
  assert.is(exponentialDecay({ decay: 0.03 })(0, 1), Math.exp(-0.03));
});

seed("seed 001's LearningRateScheduler(lambda epoch: 0.001 * 0.95 ** epoch)", () => {
  const opt = sgd(0.001);
  const lrs = run(new LearningRateScheduler(opt, { schedule: (epoch) => 0.001 * 0.95 ** epoch }), opt, 100);
  lrs.forEach((lr, e) => assert.is(lr, 0.001 * 0.95 ** e));
});

seed('bad options and bad schedules are rejected with the option named', () => {
  assert.throws(() => timeBasedDecay({ decay: -1 }), /timeBasedDecay: decay must be >= 0, got -1/);
  assert.throws(() => stepDecay({ initialLr: 0.1, decayRate: 0.5, decayEvery: 0 }), /stepDecay: decayEvery must be a positive integer, got 0/);
  assert.throws(() => new LearningRateScheduler(sgd(), { schedule: () => NaN }), /LearningRateScheduler: expected the schedule to return a finite lr >= 0 at epoch 0, got NaN/);
  assert.throws(() => new LearningRateScheduler(sgd(), { schedule: 3 as never }), /expected schedule to be a function/);
});

seed.run();

const keras = suite("Keras's schedules against their formulas");

keras('ExponentialDecay: 0.96 every 10,000 steps (seed 003), smooth and staircase', () => {
  const s = new ExponentialDecay({ initialLearningRate: 1e-3, decaySteps: 10000, decayRate: 0.96 });
  assertClose(s.at(10000), 0.96e-3, { rtol: 1e-15 });
  assertClose(s.at(5000), 1e-3 * Math.sqrt(0.96), { rtol: 1e-15 });
  const stair = new ExponentialDecay({ initialLearningRate: 1e-3, decaySteps: 10000, decayRate: 0.96, staircase: true });
  assert.is(stair.at(9999), 1e-3);
  assertClose(stair.at(20000), 1e-3 * 0.96 ** 2, { rtol: 1e-15 });
});

keras('InverseTimeDecay, PiecewiseConstantDecay, PolynomialDecay', () => {
  assert.is(new InverseTimeDecay({ initialLearningRate: 0.1, decaySteps: 1, decayRate: 0.5 }).at(2), 0.05);
  assert.is(new InverseTimeDecay({ initialLearningRate: 0.1, decaySteps: 4, decayRate: 1, staircase: true }).at(7), 0.05);
  const pw = new PiecewiseConstantDecay({ boundaries: [100, 200], values: [1, 0.5, 0.1] });
  assert.equal([pw.at(0), pw.at(100), pw.at(101), pw.at(200), pw.at(201)], [1, 1, 0.5, 0.5, 0.1]);
  const poly = new PolynomialDecay({ initialLearningRate: 0.1, decaySteps: 10, endLearningRate: 0.01, power: 2 });
  assertClose(poly.at(5), 0.09 * 0.25 + 0.01, { rtol: 1e-15 });
  assert.is(poly.at(20), 0.01);
  const cyc = new PolynomialDecay({ initialLearningRate: 0.1, decaySteps: 10, endLearningRate: 0.01, power: 2, cycle: true });
  assertClose(cyc.at(15), 0.09 * (1 - 15 / 20) ** 2 + 0.01, { rtol: 1e-15 });
  assert.throws(() => new PiecewiseConstantDecay({ boundaries: [1, 2], values: [1, 2] }), /values must be one more than boundaries/);
});

keras('CosineDecay with and without warmup; CosineDecayRestarts', () => {
  assertClose(new CosineDecay({ initialLearningRate: 0.1, decaySteps: 100, alpha: 0.1 }).at(50), 0.1 * (0.9 * 0.5 + 0.1), { rtol: 1e-14 });
  const warm = new CosineDecay({ initialLearningRate: 0, decaySteps: 100, warmupTarget: 0.1, warmupSteps: 10 });
  assertClose([warm.at(0), warm.at(5), warm.at(10), warm.at(60), warm.at(110)], [0, 0.05, 0.1, 0.05, 0], { atol: 1e-15 });
  const r = new CosineDecayRestarts({ initialLearningRate: 1, firstDecaySteps: 10, tMul: 2, mMul: 0.5 });
  assertClose([r.at(0), r.at(5), r.at(10), r.at(20), r.at(30)], [1, 0.5, 0.5, 0.25, 0.25], { atol: 1e-12 });
});

keras('ScheduleLR drives an optimizer from a schedule (step t gets schedule(t))', () => {
  const lrs = previewSchedule((o) => new ScheduleLR(o, { schedule: new ExponentialDecay({ initialLearningRate: 1, decaySteps: 1, decayRate: 0.5 }) }), 4);
  assert.equal(lrs, [1, 0.5, 0.25, 0.125]);
});

keras.run();

const compose = suite('warmup, preview and resuming');

compose('previewSchedule gives the lr at each step without training', () => {
  assert.equal(previewSchedule((o) => new StepLR(o, { stepSize: 2, gamma: 0.5 }), 5, { lr: 1 }), [1, 1, 0.5, 0.5, 0.25]);
  assert.equal(previewSchedule((o) => new ReduceLROnPlateau(o, { patience: 0, factor: 0.5 }), 4, { lr: 1, metrics: [1, 1, 1] }), [1, 1, 0.5, 0.25]);
  assert.throws(() => previewSchedule((o) => new StepLR(o, { stepSize: 1 }), 0), /previewSchedule: expected a positive integer steps, got 0/);
});

compose('WarmupLR multiplies any scheduler by a warmup factor until it reaches 1', () => {
  const lrs = previewSchedule((o) => new WarmupLR(o, { warmupSteps: 4, startFactor: 0.2, after: new CosineAnnealingLR(o, { tMax: 10 }) }), 12, { lr: 1 });
  lrs.forEach((lr, t) => {
    const w = 0.2 + 0.8 * Math.min(t, 4) / 4;
    assertClose(lr, w * 0.5 * (1 + Math.cos((Math.PI * t) / 10)), { rtol: 1e-12, atol: 1e-15 }, `t=${t}`);
  });
  const plain = previewSchedule((o) => new WarmupLR(o, { warmupSteps: 2, mode: 'exponential', startFactor: 0.01 }), 4, { lr: 1 });
  assertClose(plain, [0.01, 0.1, 1, 1], { rtol: 1e-12 });
  const f = withWarmup(() => 2, { warmupSteps: 2, startFactor: 0.5 });
  assert.equal([f(0), f(1), f(2)], [1, 1.5, 2]);
  assert.throws(() => new WarmupLR(sgd(), { warmupSteps: 0 }), /WarmupLR: warmupSteps must be a positive integer, got 0/);
});

type Maker = (o: any) => { step(m?: number): void; getLastLr(): number[]; stateDict(): any; loadStateDict(s: any): void };
const RESUMABLE: [string, Maker][] = [
  ['StepLR', (o) => new StepLR(o, { stepSize: 3, gamma: 0.5 })],
  ['MultiStepLR', (o) => new MultiStepLR(o, { milestones: [4, 8] })],
  ['ConstantLR', (o) => new ConstantLR(o, { totalIters: 7 })],
  ['PolynomialLR', (o) => new PolynomialLR(o, { totalIters: 12, power: 2 })],
  ['LambdaLR', (o) => new LambdaLR(o, { lrLambda: (e) => 1 / (1 + e) })],
  ['CosineAnnealingWarmRestarts', (o) => new CosineAnnealingWarmRestarts(o, { t0: 3, tMult: 2 })],
  ['CyclicLR', (o) => new CyclicLR(o, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 3, mode: 'triangular2' })],
  ['OneCycleLR', (o) => new OneCycleLR(o, { maxLr: 0.1, totalSteps: 30 })],
  ['ReduceLROnPlateau', (o) => new ReduceLROnPlateau(o, { patience: 1, cooldown: 1 })],
  ['SequentialLR', (o) => new SequentialLR(o, [new LinearLR(o, { startFactor: 0.1, totalIters: 4 }), new ExponentialLR(o, { gamma: 0.9 })], [4])],
  ['ChainedScheduler', (o) => new ChainedScheduler([new ConstantLR(o, { factor: 0.5, totalIters: 6 }), new ExponentialLR(o, { gamma: 0.9 })])],
  ['WarmupLR', (o) => new WarmupLR(o, { warmupSteps: 5, after: new CosineAnnealingLR(o, { tMax: 20 }) })],
  ['TimeBasedDecayLR', (o) => new TimeBasedDecayLR(o, { decay: 0.1 })],
];
const metricAt = (i: number) => 1 / (1 + (i % 7));

for (const [name, make] of RESUMABLE) {
  compose(`${name}: optimizer and scheduler state saved mid-run continue identically`, () => {
    const optA = sgd(0.1), a = make(optA);
    for (let i = 0; i < 6; i++) a.step(metricAt(i));
    const saved = JSON.parse(JSON.stringify(toJSONValue({ opt: optA.stateDict(), sched: a.stateDict() })));
    const straight: number[][] = [];
    for (let i = 6; i < 20; i++) {
      a.step(metricAt(i));
      straight.push(optA.paramGroups.map((g) => g.lr));
    }
    const optB = sgd(0.1), b = make(optB);
    const restored = fromJSONValue(saved) as any;
    optB.loadStateDict(restored.opt);
    b.loadStateDict(restored.sched);
    const resumed: number[][] = [];
    for (let i = 6; i < 20; i++) {
      b.step(metricAt(i));
      resumed.push(optB.paramGroups.map((g) => g.lr));
    }
    assert.equal(resumed, straight);
  });
}

compose.run();

const errors = suite('schedulers: bad options');

errors('invalid options get a clear message naming the scheduler, the option and the value', () => {
  const o = sgd();
  assert.throws(() => new StepLR(o, { stepSize: -1 }), /StepLR: stepSize must be a positive integer, got -1/);
  assert.throws(() => new StepLR(o, { stepSize: 0 }), /StepLR: stepSize must be a positive integer, got 0/);
  assert.throws(() => new ReduceLROnPlateau(o, { factor: 1.5 }), /ReduceLROnPlateau: factor must be in \[0, 1\), got 1.5/);
  assert.throws(() => new ReduceLROnPlateau(o, { mode: 'up' as never }), /ReduceLROnPlateau: mode must be 'min' or 'max', got "up"/);
  assert.throws(() => new CosineAnnealingWarmRestarts(o, { t0: 0 }), /CosineAnnealingWarmRestarts: t0 must be a positive integer, got 0/);
  assert.throws(() => new CosineAnnealingWarmRestarts(o, { t0: 2, tMult: 0.5 }), /tMult must be an integer >= 1, got 0.5/);
  assert.throws(() => new LinearLR(o, { startFactor: 0 }), /LinearLR: startFactor must be in \(0, 1\], got 0/);
  assert.throws(() => new ConstantLR(o, { factor: 2 }), /ConstantLR: factor must be in \[0, 1\], got 2/);
  assert.throws(() => new CyclicLR(o, { baseLr: 0.1, maxLr: 1, stepSizeUp: -2 }), /CyclicLR: stepSizeUp must be > 0, got -2/);
  assert.throws(() => new CyclicLR(o, { baseLr: [0.1, 0.2], maxLr: 1 }), /CyclicLR: expected 1 values for baseLr \(one per param group\), got 2/);
  assert.throws(() => new OneCycleLR(o, { maxLr: 0.1 }), /OneCycleLR: expected totalSteps or both epochs and stepsPerEpoch, got neither/);
  assert.throws(() => new OneCycleLR(o, { maxLr: 0.1, totalSteps: 10, pctStart: 1.5 }), /OneCycleLR: pctStart must be in \[0, 1\], got 1.5/);
  assert.throws(() => new OneCycleLR(o, { maxLr: 0.1, totalSteps: 10, annealStrategy: 'exp' as never }), /annealStrategy must be 'cos' or 'linear'/);
  assert.throws(() => new ExponentialLR(o, { gamma: 0 }), /ExponentialLR: gamma must be > 0, got 0/);
  assert.throws(() => new SequentialLR(o, [new StepLR(o, { stepSize: 1 })], [3]), /SequentialLR: milestones must be an increasing list of 0 positive step\(s\)/);
  assert.throws(() => new StepLR(null as never, { stepSize: 1 }), /StepLR: expected an Optimizer, got null/);
  assert.throws(() => new StepLR(sgd(), { stepSize: 1, lastEpoch: 3 }), /StepLR: resuming at lastEpoch 3 needs initialLr in param group 0, got none/);
  assert.throws(() => new ReduceLROnPlateau(o).step(NaN), /ReduceLROnPlateau.step: expected a numeric metric, got NaN/);
  assert.throws(() => new StepLR(o, { stepSize: 1 }).loadStateDict({ bogus: 1 }), /StepLR.loadStateDict: expected keys of StepLR, got unknown \["bogus"\]/);
});

errors('OneCycleLR refuses to step past totalSteps; cycling momentum needs an optimizer with momentum or betas', () => {
  const o = sgd();
  const s = new OneCycleLR(o, { maxLr: 0.1, totalSteps: 3 });
  s.step();
  s.step();
  s.step();
  assert.throws(() => s.step(), /OneCycleLR: tried to step 4 times, but totalSteps is 3/);
  const adam = new Adam([tensor([0], { requiresGrad: true })]);
  new OneCycleLR(adam, { maxLr: 0.1, totalSteps: 10, maxMomentum: 0.93 });
  assert.is(adam.paramGroups[0].betas[0], 0.93);
});

errors.run();
