// The multi-objective test problems of test/fixtures/gen_nsga2.py, written as lrlab objectives for the NSGA-II
// test and bench: ZDT1 and ZDT2 (30 variables), Binh and Korn (2 variables, 2 constraints) and C2-DTLZ2
// (3 objectives, 12 variables, 1 constraint). A constrained objective stores its constraint values in the user
// attribute `constraints`, which the sampler's constraintsFunc hands back (as Optuna's constraints example does).
import { createStudy, NSGAIISampler, hypervolume, type Trial } from '../../src/index.js';
import type { FrozenTrial } from '../../src/tune/types.js';

export type MoProblemName = 'zdt1' | 'zdt2' | 'binhKorn' | 'c2dtlz2';

function zdt(kind: 1 | 2) {
  return (t: Trial): number[] => {
    const x = Array.from({ length: 30 }, (_, i) => t.suggestFloat(`x${i}`, 0, 1));
    let s = 0;
    for (let i = 1; i < 30; i++) s += x[i];
    const g = 1 + (9 * s) / 29;
    const h = kind === 1 ? 1 - Math.sqrt(x[0] / g) : 1 - (x[0] / g) ** 2;
    return [x[0], g * h];
  };
}

function binhKorn(t: Trial): number[] {
  const x = t.suggestFloat('x', 0, 5);
  const y = t.suggestFloat('y', 0, 3);
  t.setUserAttr('constraints', [(x - 5) ** 2 + y ** 2 - 25, -((x - 8) ** 2) - (y + 3) ** 2 + 7.7]);
  return [4 * x ** 2 + 4 * y ** 2, (x - 5) ** 2 + (y - 5) ** 2];
}

function c2dtlz2(t: Trial): number[] {
  const x = Array.from({ length: 12 }, (_, i) => t.suggestFloat(`x${i}`, 0, 1));
  let g = 0;
  for (let i = 2; i < 12; i++) g += (x[i] - 0.5) ** 2;
  const a = (x[0] * Math.PI) / 2;
  const b = (x[1] * Math.PI) / 2;
  const f = [(1 + g) * Math.cos(a) * Math.cos(b), (1 + g) * Math.cos(a) * Math.sin(b), (1 + g) * Math.sin(a)];
  const r = 0.4;
  let nearAxis = Infinity;
  for (let i = 0; i < 3; i++) {
    let v = (f[i] - 1) ** 2 - r ** 2;
    for (let j = 0; j < 3; j++) if (j !== i) v += f[j] ** 2;
    nearAxis = Math.min(nearAxis, v);
  }
  const nearCentre = f.reduce((s, fi) => s + (fi - 1 / Math.sqrt(3)) ** 2, 0) - r ** 2;
  t.setUserAttr('constraints', [Math.min(nearAxis, nearCentre)]);
  return f;
}

export const moProblems: Record<MoProblemName, { objective: (t: Trial) => number[]; constrained: boolean; nObjectives: number }> = {
  zdt1: { objective: zdt(1), constrained: false, nObjectives: 2 },
  zdt2: { objective: zdt(2), constrained: false, nObjectives: 2 },
  binhKorn: { objective: binhKorn, constrained: true, nObjectives: 2 },
  c2dtlz2: { objective: c2dtlz2, constrained: true, nObjectives: 3 },
};

/** The hypervolume of the feasible complete trials among `trials` (all objectives minimized). */
export function studyHypervolume(trials: readonly FrozenTrial[], reference: readonly number[], constrained: boolean): number {
  const points = trials
    .filter((t) => t.state === 'complete' && (!constrained || (t.systemAttrs.constraints as number[]).every((c) => c <= 0)))
    .map((t) => t.values as number[]);
  return hypervolume(points, reference);
}

/**
 * lrlab's NSGA-II (Optuna's defaults) on one problem for `nTrials`: the hypervolume after each checkpoint, and the
 * wall-clock and CPU (this process, user + system) milliseconds per trial.
 */
export async function runNsga2(name: MoProblemName, seed: number, nTrials: number, checkpoints: readonly number[], reference: readonly number[]): Promise<{ hypervolume: number[]; ms: number; cpuMs: number }> {
  const p = moProblems[name];
  const sampler = new NSGAIISampler({ seed, constraintsFunc: p.constrained ? (t) => t.userAttrs.constraints as number[] : undefined });
  const study = await createStudy({ directions: Array.from({ length: p.nObjectives }, () => 'minimize' as const), sampler });
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await study.optimize(p.objective, { nTrials });
  const c = process.cpuUsage(c0);
  const ms = (performance.now() - t0) / nTrials;
  const cpuMs = (c.user + c.system) / 1000 / nTrials;
  const trials = study.trials;
  return { hypervolume: checkpoints.map((n) => studyHypervolume(trials.slice(0, n), reference, p.constrained)), ms, cpuMs };
}
