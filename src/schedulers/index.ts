// The scheduler folder's exports, re-exported by src/index.ts.
export { LRScheduler, type AnyOptimizer, type SchedulerStateDict } from './scheduler.js';
export { StepLR, MultiStepLR, ConstantLR, LinearLR, ExponentialLR, PolynomialLR, LambdaLR, MultiplicativeLR } from './decay.js';
export { CosineAnnealingLR, CosineAnnealingWarmRestarts } from './cosine.js';
export { CyclicLR, OneCycleLR, type CyclicLROptions, type OneCycleLROptions } from './cyclic.js';
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from './plateau.js';
export { SequentialLR, ChainedScheduler } from './compose.js';
export { timeBasedDecay, stepDecay, exponentialDecay, LearningRateScheduler, TimeBasedDecayLR, StepDecayLR, ExponentialDecayLR, type EpochSchedule } from './functional.js';
export { ExponentialDecay, InverseTimeDecay, PiecewiseConstantDecay, PolynomialDecay, CosineDecay, CosineDecayRestarts, ScheduleLR, type LearningRateSchedule } from './keras.js';
export { WarmupLR, withWarmup, type WarmupOptions } from './warmup.js';
export { AdaptiveLR, type AdaptiveLROptions, type AdaptiveDecision } from './adaptive.js';
export { previewSchedule, type SteppingScheduler } from './preview.js';
