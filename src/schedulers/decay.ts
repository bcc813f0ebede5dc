import { LRScheduler, checkArg, readOptions, type AnyOptimizer } from './scheduler.js';

const current = (s: LRScheduler) => s.optimizer.paramGroups.map((g) => g.lr);

/**
 * Multiplies the lr by gamma every `stepSize` steps: lr_t = lr_0 γ^floor(t / stepSize). Matches
 * `torch.optim.lr_scheduler.StepLR`.
 */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;

  constructor(optimizer: AnyOptimizer, options: { stepSize: number; gamma?: number; lastEpoch?: number }) {
    options = readOptions<{ stepSize: number; gamma?: number; lastEpoch?: number }>('StepLR', options, { stepSize: 'number', gamma: 'number', lastEpoch: 'number' });
    super(optimizer, options.lastEpoch, 'StepLR');
    checkArg(Number.isInteger(options.stepSize) && options.stepSize >= 1, 'StepLR', 'stepSize', 'a positive integer', options.stepSize);
    this.stepSize = options.stepSize;
    this.gamma = options.gamma ?? 0.1;
    checkArg(this.gamma > 0, 'StepLR', 'gamma', '> 0', this.gamma);
    this.initialStep();
  }

  getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return current(this);
    return current(this).map((lr) => lr * this.gamma);
  }

  closedFormLr(): number[] {
    return this.baseLrs.map((lr) => lr * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
}

/** Multiplies the lr by gamma at each milestone (twice at a milestone listed twice). Matches `MultiStepLR`. */
export class MultiStepLR extends LRScheduler {
  readonly milestones: number[];
  readonly gamma: number;

  constructor(optimizer: AnyOptimizer, options: { milestones: number[]; gamma?: number; lastEpoch?: number }) {
    options = readOptions<{ milestones: number[]; gamma?: number; lastEpoch?: number }>('MultiStepLR', options, { milestones: 'number[]', gamma: 'number', lastEpoch: 'number' });
    super(optimizer, options.lastEpoch, 'MultiStepLR');
    checkArg(Array.isArray(options.milestones) && options.milestones.every((m) => Number.isInteger(m) && m >= 0), 'MultiStepLR', 'milestones', 'a list of non-negative integers', options.milestones);
    this.milestones = [...options.milestones].sort((a, b) => a - b);
    this.gamma = options.gamma ?? 0.1;
    this.initialStep();
  }

  getLr(): number[] {
    const hits = this.milestones.filter((m) => m === this.lastEpoch).length;
    if (hits === 0) return current(this);
    return current(this).map((lr) => lr * this.gamma ** hits);
  }

  closedFormLr(): number[] {
    const passed = this.milestones.filter((m) => m <= this.lastEpoch).length;
    return this.baseLrs.map((lr) => lr * this.gamma ** passed);
  }
}

/** lr_0 · factor for the first `totalIters` steps, then lr_0. Matches `ConstantLR` (defaults 1/3 and 5). */
export class ConstantLR extends LRScheduler {
  readonly factor: number;
  readonly totalIters: number;

  constructor(optimizer: AnyOptimizer, options: { factor?: number; totalIters?: number; lastEpoch?: number } = {}) {
    options = readOptions<{ factor?: number; totalIters?: number; lastEpoch?: number }>('ConstantLR', options, { factor: 'number', totalIters: 'number', lastEpoch: 'number' });
    super(optimizer, options.lastEpoch, 'ConstantLR');
    this.factor = options.factor ?? 1 / 3;
    this.totalIters = options.totalIters ?? 5;
    checkArg(this.factor >= 0 && this.factor <= 1, 'ConstantLR', 'factor', 'in [0, 1]', this.factor);
    checkArg(Number.isInteger(this.totalIters) && this.totalIters >= 0, 'ConstantLR', 'totalIters', 'a non-negative integer', this.totalIters);
    this.initialStep();
  }

  getLr(): number[] {
    if (this.lastEpoch === 0) return current(this).map((lr) => lr * this.factor);
    if (this.lastEpoch !== this.totalIters) return current(this);
    return current(this).map((lr) => lr * (1 / this.factor));
  }

  closedFormLr(): number[] {
    return this.baseLrs.map((lr) => lr * (this.factor + (this.lastEpoch >= this.totalIters ? 1 - this.factor : 0)));
  }
}

/**
 * Scales lr_0 by a factor moving linearly from `startFactor` to `endFactor` over `totalIters` steps:
 * lr_t = lr_0 (s + (e - s) min(t, T) / T). Matches `LinearLR` (defaults 1/3, 1, 5); the usual linear warmup.
 */
export class LinearLR extends LRScheduler {
  readonly startFactor: number;
  readonly endFactor: number;
  readonly totalIters: number;

  constructor(optimizer: AnyOptimizer, options: { startFactor?: number; endFactor?: number; totalIters?: number; lastEpoch?: number } = {}) {
    options = readOptions<{ startFactor?: number; endFactor?: number; totalIters?: number; lastEpoch?: number }>('LinearLR', options, { startFactor: 'number', endFactor: 'number', totalIters: 'number', lastEpoch: 'number' });
    super(optimizer, options.lastEpoch, 'LinearLR');
    this.startFactor = options.startFactor ?? 1 / 3;
    this.endFactor = options.endFactor ?? 1;
    this.totalIters = options.totalIters ?? 5;
    checkArg(this.startFactor > 0 && this.startFactor <= 1, 'LinearLR', 'startFactor', 'in (0, 1]', this.startFactor);
    checkArg(this.endFactor >= 0 && this.endFactor <= 1, 'LinearLR', 'endFactor', 'in [0, 1]', this.endFactor);
    checkArg(Number.isInteger(this.totalIters) && this.totalIters >= 1, 'LinearLR', 'totalIters', 'a positive integer', this.totalIters);
    this.initialStep();
  }

  getLr(): number[] {
    const { startFactor: s, endFactor: e, totalIters: T, lastEpoch: t } = this;
    if (t === 0) return current(this).map((lr) => lr * s);
    if (t > T) return current(this);
    return current(this).map((lr) => lr * (1 + (e - s) / (T * s + (t - 1) * (e - s))));
  }

  closedFormLr(): number[] {
    const { startFactor: s, endFactor: e, totalIters: T } = this;
    return this.baseLrs.map((lr) => lr * (s + ((e - s) * Math.min(T, this.lastEpoch)) / T));
  }
}

/** lr_t = lr_0 γ^t. Matches `ExponentialLR`. */
export class ExponentialLR extends LRScheduler {
  readonly gamma: number;

  constructor(optimizer: AnyOptimizer, options: { gamma: number; lastEpoch?: number }) {
    options = readOptions<{ gamma: number; lastEpoch?: number }>('ExponentialLR', options, { gamma: 'number', lastEpoch: 'number' });
    super(optimizer, options.lastEpoch, 'ExponentialLR');
    checkArg(options.gamma > 0, 'ExponentialLR', 'gamma', '> 0', options.gamma);
    this.gamma = options.gamma;
    this.initialStep();
  }

  getLr(): number[] {
    if (this.lastEpoch === 0) return current(this);
    return current(this).map((lr) => lr * this.gamma);
  }

  closedFormLr(): number[] {
    return this.baseLrs.map((lr) => lr * this.gamma ** this.lastEpoch);
  }
}

/** lr_t = lr_0 (1 - min(t, T) / T)^power, reaching 0 at T. Matches `PolynomialLR` (defaults T = 5, power 1). */
export class PolynomialLR extends LRScheduler {
  readonly totalIters: number;
  readonly power: number;

  constructor(optimizer: AnyOptimizer, options: { totalIters?: number; power?: number; lastEpoch?: number } = {}) {
    options = readOptions<{ totalIters?: number; power?: number; lastEpoch?: number }>('PolynomialLR', options, { totalIters: 'number', power: 'number', lastEpoch: 'number' });
    super(optimizer, options.lastEpoch, 'PolynomialLR');
    this.totalIters = options.totalIters ?? 5;
    this.power = options.power ?? 1;
    checkArg(Number.isInteger(this.totalIters) && this.totalIters >= 1, 'PolynomialLR', 'totalIters', 'a positive integer', this.totalIters);
    this.initialStep();
  }

  getLr(): number[] {
    const { totalIters: T, lastEpoch: t } = this;
    if (t === 0 || t > T) return current(this);
    const decay = ((1 - t / T) / (1 - (t - 1) / T)) ** this.power;
    return current(this).map((lr) => lr * decay);
  }

  closedFormLr(): number[] {
    return this.baseLrs.map((lr) => lr * (1 - Math.min(this.totalIters, this.lastEpoch) / this.totalIters) ** this.power);
  }
}

/** lr_t = lr_0 · λ(t), one λ for all groups or one per group. Matches `LambdaLR`. */
export class LambdaLR extends LRScheduler {
  private readonly lambdas: ((epoch: number) => number)[];

  constructor(optimizer: AnyOptimizer, options: { lrLambda: ((epoch: number) => number) | ((epoch: number) => number)[]; lastEpoch?: number }) {
    options = readOptions<{ lrLambda: ((epoch: number) => number) | ((epoch: number) => number)[]; lastEpoch?: number }>('LambdaLR', options, { lrLambda: 'function|function[]', lastEpoch: 'number' });
    super(optimizer, options.lastEpoch, 'LambdaLR');
    this.lambdas = lambdasFor('LambdaLR', optimizer, options.lrLambda);
    this.initialStep();
  }

  getLr(): number[] {
    return this.baseLrs.map((lr, i) => lr * this.lambdas[i](this.lastEpoch));
  }
}

/** lr_t = lr_{t-1} · λ(t) for t > 0. Matches `MultiplicativeLR`. */
export class MultiplicativeLR extends LRScheduler {
  private readonly lambdas: ((epoch: number) => number)[];

  constructor(optimizer: AnyOptimizer, options: { lrLambda: ((epoch: number) => number) | ((epoch: number) => number)[]; lastEpoch?: number }) {
    options = readOptions<{ lrLambda: ((epoch: number) => number) | ((epoch: number) => number)[]; lastEpoch?: number }>('MultiplicativeLR', options, { lrLambda: 'function|function[]', lastEpoch: 'number' });
    super(optimizer, options.lastEpoch, 'MultiplicativeLR');
    this.lambdas = lambdasFor('MultiplicativeLR', optimizer, options.lrLambda);
    this.initialStep();
  }

  getLr(): number[] {
    if (this.lastEpoch === 0) return current(this);
    return current(this).map((lr, i) => lr * this.lambdas[i](this.lastEpoch));
  }
}

function lambdasFor(name: string, optimizer: AnyOptimizer, f: ((e: number) => number) | ((e: number) => number)[]) {
  const n = optimizer.paramGroups.length;
  const list = Array.isArray(f) ? f : new Array(n).fill(f);
  if (list.length !== n) throw new RangeError(`${name}: expected ${n} lrLambda functions (one per param group), got ${list.length}`);
  list.forEach((fn, i) => {
    if (typeof fn !== 'function') throw new TypeError(`${name}: expected lrLambda[${i}] to be a function, got ${typeof fn}`);
  });
  return list;
}
