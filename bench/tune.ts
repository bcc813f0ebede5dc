// TPE against Optuna's TPE, random search and CMA-ES: median best value after 20 / 50 / 100 trials over the fixture's
// 100 seeds (20 with --quick) on Branin, Hartmann-6 and a mixed space, and milliseconds per trial (sampler plus
// in-memory study; Optuna's likewise, median over its runs).
// Optuna's rows come from test/fixtures/tpe.json (test/fixtures/gen_tpe.py, run once on this machine class);
// before timing, lrlab's Parzen estimator is checked against Optuna's on that fixture's cases.
import { readFileSync } from 'node:fs';
import { CmaEsSampler, RandomSampler, TPESampler, type Sampler } from '../src/index.js';
import { ParzenEstimator, defaultWeights } from '../src/tune/samplers/parzen.js';
import type { SearchSpace } from '../src/tune/types.js';
import { runStudy } from '../test/helpers/tuneRun.js';
import { problems, type ProblemName } from '../test/helpers/tuneProblems.js';
import type { Row } from './common.js';

interface TpeFixture {
  optuna: string;
  nTrials: number;
  seeds: number[];
  problems: Record<ProblemName, { bestAfter: Record<string, number[]>; msPerTrial: number[] }>;
  parzen: { name: string; space: SearchSpace; observations: Record<string, number[]>; points: Record<string, number[]>; multivariate: boolean; options: Record<string, number | boolean>; logPdf: number[] }[];
}

const CHECKPOINTS = [20, 50, 100];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// The agreement check: lrlab's estimator gives Optuna's log densities on every fixture case.
function checkParzen(fx: TpeFixture): number {
  let worst = 0;
  for (const c of fx.parzen) {
    const obs: Record<string, Float64Array> = {};
    const pts: Record<string, Float64Array> = {};
    for (const k of Object.keys(c.space)) {
      obs[k] = Float64Array.from(c.observations[k]);
      pts[k] = Float64Array.from(c.points[k]);
    }
    const o = c.options;
    const pe = new ParzenEstimator(obs, c.space, { considerPrior: o.consider_prior as boolean, priorWeight: o.prior_weight as number, considerMagicClip: o.consider_magic_clip as boolean, considerEndpoints: o.consider_endpoints as boolean, weights: defaultWeights, multivariate: c.multivariate });
    pe.logPdf(pts).forEach((v, i) => (worst = Math.max(worst, Math.abs(v - c.logPdf[i]))));
  }
  if (!(worst < 1e-9)) throw new Error(`tpe bench: lrlab's Parzen estimator differs from Optuna's by ${worst} (log pdf); not timing`);
  return worst;
}

/** One row per problem and sampler: lrlab TPE, Optuna TPE (fixture), lrlab random, lrlab CMA-ES. */
export async function tpeSuite(log: (s: string) => void, quick: boolean): Promise<Row[]> {
  const fx = JSON.parse(readFileSync(new URL('../test/fixtures/tpe.json', import.meta.url), 'utf8')) as TpeFixture;
  const worst = checkParzen(fx);
  log(`  Parzen estimator agrees with Optuna ${fx.optuna}'s on ${fx.parzen.length} cases (max |log pdf diff| ${worst.toExponential(1)})`);
  const seeds = quick ? fx.seeds.slice(0, 20) : fx.seeds;
  const rows: Row[] = [];
  // bestAfter[n][k]: the best value of run k after n trials
  const row = (problem: string, implementation: string, backend: string, bestAfter: Record<string, number[]>, msPerTrial: number): Row => {
    const figures: Record<string, number> = { seeds: seeds.length };
    for (const n of CHECKPOINTS) figures[`best@${n}`] = median(bestAfter[n].slice(0, seeds.length));
    log(`  ${problem.padEnd(10)} ${implementation.padEnd(22)} ${CHECKPOINTS.map((n) => figures[`best@${n}`].toPrecision(4).padStart(9)).join(' ')}   ${msPerTrial.toFixed(2)} ms/trial`);
    return { suite: 'tpe', case: problem, implementation, backend, mode: '-', ms: msPerTrial, rme: 0, samples: seeds.length, figures };
  };
  const lrlab = async (make: (seed: number) => Sampler, f: (typeof problems)[ProblemName]) => {
    const bestAfter: Record<string, number[]> = Object.fromEntries(CHECKPOINTS.map((n) => [n, []]));
    const t0 = performance.now();
    for (const seed of seeds) {
      const { curve } = await runStudy(make(seed), f, fx.nTrials);
      for (const n of CHECKPOINTS) bestAfter[n].push(curve[n - 1]);
    }
    return { bestAfter, ms: (performance.now() - t0) / (seeds.length * fx.nTrials) };
  };
  for (const name of Object.keys(problems) as ProblemName[]) {
    const tpe = await lrlab((seed) => new TPESampler({ seed }), problems[name]);
    rows.push(row(name, 'lrlab TPE', 'JS float64', tpe.bestAfter, tpe.ms));
    const o = fx.problems[name];
    rows.push(row(name, `Optuna ${fx.optuna} TPE`, 'Python/NumPy (fixture)', o.bestAfter, median(o.msPerTrial.slice(0, seeds.length))));
    const rnd = await lrlab((seed) => new RandomSampler({ seed }), problems[name]);
    rows.push(row(name, 'lrlab random', 'JS float64', rnd.bestAfter, rnd.ms));
    const cma = await lrlab((seed) => new CmaEsSampler({ seed }), problems[name]);
    rows.push(row(name, 'lrlab CMA-ES', 'JS float64', cma.bestAfter, cma.ms));
  }
  return rows;
}

/** The Markdown table of {@link tpeSuite}'s rows. */
export function tpeTable(rows: Row[]): string {
  const seeds = rows[0]?.samples ?? 0;
  const body = rows.map((r) => `| ${r.case} | ${r.implementation} | ${r.backend} | ${CHECKPOINTS.map((n) => (r.figures[`best@${n}`] as number).toPrecision(4)).join(' | ')} | ${r.ms.toFixed(2)} |`);
  return [
    `### TPE: median best value over ${seeds} seeds (minimize; optima: Branin 0.3979, Hartmann-6 -3.3224, mixed 0)`,
    '',
    `| problem | sampler | backend | after 20 | after 50 | after 100 | ms / trial |`,
    '|---|---|---|---|---|---|---|',
    ...body,
    '',
  ].join('\n');
}
