// The scheduler folder's exports, re-exported by src/index.ts.
export { LRScheduler, type AnyOptimizer, type SchedulerStateDict } from './scheduler.js';
export { StepLR, MultiStepLR, ConstantLR, LinearLR, ExponentialLR, PolynomialLR, LambdaLR, MultiplicativeLR } from './decay.js';
export { CosineAnnealingLR, CosineAnnealingWarmRestarts } from './cosine.js';
export { CyclicLR, OneCycleLR, type CyclicLROptions, type OneCycleLROptions } from './cyclic.js';
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from './plateau.js';
export { SequentialLR, ChainedScheduler } from './compose.js';
