export { PercentilePruner, type PercentilePrunerOptions } from './percentile.js';
export { MedianPruner, type MedianPrunerOptions } from './median.js';
export { SuccessiveHalvingPruner, type SuccessiveHalvingPrunerOptions } from './successive-halving.js';
export { HyperbandPruner, type HyperbandPrunerOptions } from './hyperband.js';
export { ThresholdPruner, type ThresholdPrunerOptions } from './threshold.js';
export { PatientPruner, type PatientPrunerOptions } from './patient.js';
export { NopPruner } from './nop.js';
