// A scheduler validates everything before it touches the optimizer: invalid options (or none at all) leave the
// param groups exactly as they were, and no step ever writes a NaN or negative lr.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as lrlab from '../../src/index.js';
import { SGD, Adam, tensor, type AnyOptimizer } from '../../src/index.js';

const groups = (o: AnyOptimizer) => JSON.stringify(o.paramGroups.map(({ params: _p, ...rest }) => rest));
const sgd = () => new SGD([tensor([1], { requiresGrad: true })], { lr: 0.1, momentum: 0.9 }) as unknown as AnyOptimizer;
const adam = () => new Adam([tensor([1], { requiresGrad: true })], { lr: 0.1 }) as unknown as AnyOptimizer;

const test = suite('scheduler validation');
const S = lrlab as unknown as Record<string, new (...a: any[]) => any>;

// name, arguments after the optimizer, the expected message
const INVALID: [string, unknown[], RegExp][] = [
  ['StepLR', [], /StepLR: stepSize must be a positive integer, got undefined/],
  ['StepLR', [{ stepSize: 2, gama: 0.5 }], /StepLR: unknown option 'gama' \(known: stepSize, gamma, lastEpoch\)/],
  ['StepLR', [{ stepSize: '2' }], /StepLR: expected stepSize to be a finite number, got "2"/],
  ['StepLR', [null], /StepLR: expected an options object, got null/],
  ['MultiStepLR', [], /MultiStepLR: milestones must be a list of non-negative integers, got undefined/],
  ['ExponentialLR', [], /ExponentialLR: gamma must be > 0, got undefined/],
  ['ExponentialLR', [{ gamma: Infinity }], /ExponentialLR: expected gamma to be a finite number, got Infinity/],
  ['CosineAnnealingLR', [], /CosineAnnealingLR: tMax must be > 0, got undefined/],
  ['CosineAnnealingWarmRestarts', [], /CosineAnnealingWarmRestarts: t0 must be a positive integer, got undefined/],
  ['LambdaLR', [], /LambdaLR/],
  ['LambdaLR', [{ lrLambda: () => NaN }], /LambdaLR.step: expected a finite lr >= 0 for param group 0 at step 0, got NaN; the optimizer was left unchanged/],
  ['LambdaLR', [{ lrLambda: () => -1 }], /LambdaLR.step: expected a finite lr >= 0 for param group 0 at step 0, got -0.1/],
  ['MultiplicativeLR', [], /MultiplicativeLR/],
  ['CyclicLR', [], /CyclicLR: expected baseLr to be a number or one per param group, got undefined/],
  ['CyclicLR', [{ baseLr: -1, maxLr: 0.1 }], /CyclicLR: baseLr must be >= 0, got -1/],
  ['CyclicLR', [{ baseLr: 0.01, maxLr: NaN }], /CyclicLR: expected maxLr to be a finite number or a non-empty list of them, got NaN/],
  ['CyclicLR', [{ baseLr: 0.01, maxLr: 0.1, stepSizeUp: 0 }], /CyclicLR: stepSizeUp must be > 0, got 0/],
  ['OneCycleLR', [], /OneCycleLR: expected totalSteps or both epochs and stepsPerEpoch, got neither/],
  ['OneCycleLR', [{ maxLr: NaN, totalSteps: 10 }], /OneCycleLR: expected maxLr to be a finite number or a non-empty list of them, got NaN/],
  ['OneCycleLR', [{ maxLr: -1, totalSteps: 10 }], /OneCycleLR: maxLr must be >= 0, got -1/],
  ['OneCycleLR', [{ maxLr: 0.1, totalSteps: 10, divFactor: 0 }], /OneCycleLR: divFactor must be > 0, got 0/],
  ['OneCycleLR', [{ maxLr: 0.1, totalSteps: 10, maxMomentum: 2 }], /OneCycleLR: baseMomentum and maxMomentum must be in \[0, 1\], got 2/],
  ['ReduceLROnPlateau', [{ factor: '0.5' }], /ReduceLROnPlateau: expected factor to be a finite number, got "0.5"/],
  ['ReduceLROnPlateau', [{ minLr: -1 }], /ReduceLROnPlateau: minLr must be >= 0, got -1/],
  ['AdaptiveLR', [{ increaseFactor: Infinity }], /AdaptiveLR: expected increaseFactor to be a finite number, got Infinity/],
  ['AdaptiveLR', [{ speed: 2 }], /AdaptiveLR: unknown option 'speed'/],
  ['WarmupLR', [], /WarmupLR: warmupSteps must be a positive integer, got undefined/],
  ['TimeBasedDecayLR', [], /TimeBasedDecayLR|timeBasedDecay: decay must be >= 0, got undefined/],
  ['ExponentialDecayLR', [{ decay: NaN }], /expected decay to be a finite number, got NaN/],
  ['StepDecayLR', [], /stepDecay: decayRate must be > 0, got undefined/],
  ['LearningRateScheduler', [], /LearningRateScheduler: expected schedule to be a function, got undefined/],
  ['LearningRateScheduler', [{ schedule: () => Infinity }], /LearningRateScheduler: expected the schedule to return a finite lr >= 0 at epoch 0, got Infinity/],
  ['ScheduleLR', [], /ScheduleLR/],
  ['LinearLR', [{ startFactor: NaN }], /LinearLR: expected startFactor to be a finite number, got NaN/],
  ['ConstantLR', [{ factor: 2 }], /ConstantLR: factor must be in \[0, 1\], got 2/],
  ['PolynomialLR', [{ power: 'two' }], /PolynomialLR: expected power to be a finite number, got "two"/],
];

for (const [name, args, message] of INVALID) {
  test(`${name}(${args.map((a) => (typeof a === 'object' && a !== null ? Object.keys(a).join('+') || '{}' : String(a))).join(', ') || 'no options'}) throws a clear error and leaves the optimizer as it was`, () => {
    for (const opt of [sgd(), adam()]) {
      const before = groups(opt);
      assert.throws(() => new S[name](opt, ...args), (e: Error) => {
        assert.not.match(e.message, /Cannot read properties|undefined is not/);
        assert.match(e.message, message);
        return e instanceof RangeError || e instanceof TypeError;
      });
      assert.is(groups(opt), before);
    }
  });
}

test('a LambdaLR that turns negative at step 3 throws there and changes neither the lr nor the step count', () => {
  const opt = sgd();
  const s = new lrlab.LambdaLR(opt, { lrLambda: (t: number) => 1 - t / 2 });
  s.step();
  s.step(); // lr = 0.1 (1 - 1) = 0
  const before = groups(opt);
  assert.throws(() => s.step(), /LambdaLR.step: expected a finite lr >= 0 for param group 0 at step 3, got -0.05/);
  assert.is(groups(opt), before);
  assert.is(s.lastEpoch, 2);
  assert.equal(s.getLastLr(), [0]);
});

test('step(-3), step(NaN) and step("2") are refused and change nothing', () => {
  const opt = sgd();
  const s = new lrlab.StepLR(opt, { stepSize: 2 });
  const before = groups(opt);
  for (const bad of [-3, NaN, Infinity, '2']) {
    assert.throws(() => s.step(bad as number), /StepLR.step: expected epoch to be a finite number >= 0, got /);
  }
  assert.is(groups(opt), before);
  assert.is(s.lastEpoch, 0);
});

test('a failed OneCycleLR constructor writes neither initialLr nor momentum', () => {
  const opt = sgd();
  assert.throws(() => new lrlab.OneCycleLR(opt, { maxLr: 0.1, totalSteps: 10, finalDivFactor: -1 }), /finalDivFactor must be > 0, got -1/);
  assert.not.ok('initialLr' in opt.paramGroups[0]);
  assert.is((opt.paramGroups[0] as any).momentum, 0.9);
});

test('Keras schedules refuse missing and non-finite options too', () => {
  assert.throws(() => new lrlab.ExponentialDecay(undefined as never), /ExponentialDecay: initialLearningRate must be >= 0, got undefined/);
  assert.throws(() => new lrlab.CosineDecay({ initialLearningRate: NaN, decaySteps: 10 }), /CosineDecay: expected initialLearningRate to be a finite number, got NaN/);
  assert.throws(() => new lrlab.PiecewiseConstantDecay({ boundaries: [1], values: [1, 2], extra: 1 } as never), /PiecewiseConstantDecay: unknown option 'extra'/);
});

test.run();
