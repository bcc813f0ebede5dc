import type { AnyOptimizer } from './scheduler.js';

/**
 * Reads and writes a group's momentum for the cycling schedulers: `momentum` (SGD, RMSprop) or beta1 of `betas`
 * (Adam, AdamW), as newer PyTorch versions do. Throws for optimizers that have neither.
 */
export function momentumAccess(name: string, optimizer: AnyOptimizer) {
  const groups = optimizer.paramGroups as unknown as Record<string, unknown>[];
  const useBeta1 = 'betas' in optimizer.defaults;
  if (!useBeta1 && !('momentum' in optimizer.defaults)) {
    throw new RangeError(`${name}: expected an optimizer with momentum or betas for cycleMomentum, got ${optimizer.name} (pass cycleMomentum: false)`);
  }
  return {
    get: (i: number): number => (useBeta1 ? (groups[i].betas as number[])[0] : (groups[i].momentum as number)),
    set: (i: number, m: number): void => {
      if (useBeta1) groups[i].betas = [m, (groups[i].betas as number[])[1]];
      else groups[i].momentum = m;
    },
  };
}
