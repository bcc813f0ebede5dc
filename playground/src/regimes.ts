// The learning-rate regimes on a live run: one optimizer on one surface at a tenth of its rate, its rate, three times
// and ten times it, stepped side by side, each run named by what it did (no DOM here, so Node tests can run it).
import { tensor } from '../../src/index.js';
import type { Kind } from './optimizer-kinds.js';
import type { Surface } from './surfaces.js';

export const MULTIPLIERS = [0.1, 1, 3, 10] as const;

export interface RegimeRun {
  multiplier: number;
  lr: number;
  /** f(θ) − f(θ*) after each step (f(θ) on the saddle, which has no minimum). */
  losses: number[];
  /** The step at which the run left for infinity (a non-finite or refused step, or |θ| > 1e6), or null. */
  divergedAt: number | null;
  /** θ after the last step. */
  theta: [number, number];
}

/** Starts the four runs; `advance(n)` steps each n times, `outcome(run)` names what a run did. */
export function regimes(kind: Kind, surface: Surface, scale = 1) {
  const floor = surface.minimum === null ? 0 : surface.value(...surface.minimum);
  const runs = MULTIPLIERS.map((multiplier) => {
    const lr = surface.rates[kind.name] * scale * multiplier;
    const p = tensor(surface.start, { requiresGrad: true });
    const run: RegimeRun = { multiplier, lr, losses: [], divergedAt: null, theta: [...surface.start] };
    return { run, p, optimizer: kind.make(p, lr) };
  });
  let step = 0;
  const gap0 = surface.value(...surface.start) - floor;
  return {
    runs: () => runs.map((r) => r.run),
    advance(n: number): void {
      for (let i = 0; i < n; i++, step++) {
        for (const r of runs) {
          if (r.run.divergedAt !== null) continue;
          try {
            r.optimizer.zeroGrad();
            surface.loss(r.p, step).backward();
            r.optimizer.step();
          } catch {
            r.run.divergedAt = step; // lrlab refused a non-finite step
            continue;
          }
          const [x, y] = r.p.data;
          if (!(Math.abs(x) < 1e6 && Math.abs(y) < 1e6)) r.run.divergedAt = step;
          else {
            r.run.losses.push(surface.value(x, y) - floor);
            r.run.theta = [x, y];
          }
        }
      }
    },
    /**
     * What a run did: 'diverges (step t)'; else, with f − f* after the last step within 5% of where it started,
     * 'converges' (', oscillating' when more than a fifth of the steps raised the loss), or 'oscillates' / 'crawls'
     * when it is not there yet; on the saddle, 'escapes' or 'stays near the saddle'.
     */
    outcome(run: RegimeRun): string {
      if (run.divergedAt !== null) return `diverges (step ${run.divergedAt})`;
      const l = run.losses;
      let rises = 0;
      for (let i = 1; i < l.length; i++) if (l[i] > l[i - 1]) rises++;
      const oscillating = rises > 0.2 * l.length;
      // the saddle has no minimum: a run escapes once it is well away from the ridge y = 0
      if (surface.minimum === null) return Math.abs(run.theta[1]) > 0.5 ? (oscillating ? 'escapes, oscillating' : 'escapes') : 'stays near the saddle';
      if (l[l.length - 1] <= 0.05 * gap0) return oscillating ? 'converges, oscillating' : 'converges';
      return oscillating ? 'oscillates' : 'crawls';
    },
  };
}
