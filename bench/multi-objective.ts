// NSGA-II against Optuna 3.1's NSGA-II: the median hypervolume after 100 and 300 trials over the fixture's 20 seeds
// (5 with --quick) on ZDT1, ZDT2 (30 variables), Binh and Korn and C2-DTLZ2 (constrained; only feasible trials
// count), with Optuna's defaults (population 50, uniform crossover), and milliseconds per trial (sampler plus
// in-memory study and objective), wall clock and CPU: on a loaded machine the CPU figure is the steadier one. Optuna's rows come from test/fixtures/nsga2.json (test/fixtures/gen_nsga2.py,
// its timing from the run that wrote it); the reference points are the fixture's. Before timing, lrlab's
// hypervolume is checked against Optuna's WFG on the fixture's point sets.
// Alone: node --import tsx bench/multi-objective.ts [--quick]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { hypervolume } from '../src/index.js';
import { runNsga2, type MoProblemName } from '../test/helpers/moProblems.js';
import type { Row } from './common.js';

interface Nsga2Fixture {
  optuna: string;
  hypervolume: { points: number[][]; reference: number[]; hypervolume: number }[];
  problems: Record<MoProblemName, { about: string; reference: number[]; seeds: number[]; hypervolume: Record<string, number[]>; msPerTrial: number; cpuMsPerTrial: number }>;
}

const CHECKPOINTS = [100, 300];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function checkHypervolume(fx: Nsga2Fixture): number {
  let worst = 0;
  for (const c of fx.hypervolume) worst = Math.max(worst, Math.abs(hypervolume(c.points, c.reference) - c.hypervolume) / Math.max(1, c.hypervolume));
  if (!(worst < 1e-12)) throw new Error(`multi-objective bench: lrlab's hypervolume differs from Optuna's WFG by ${worst} (relative); not timing`);
  return worst;
}

/** One row per problem and implementation: lrlab NSGA-II and Optuna's (fixture). */
export async function nsga2Suite(log: (s: string) => void, quick: boolean): Promise<Row[]> {
  const fx = JSON.parse(readFileSync(new URL('../test/fixtures/nsga2.json', import.meta.url), 'utf8')) as Nsga2Fixture;
  const worst = checkHypervolume(fx);
  log(`  hypervolume agrees with Optuna ${fx.optuna}'s WFG on ${fx.hypervolume.length} point sets (max relative diff ${worst.toExponential(1)})`);
  const rows: Row[] = [];
  const row = (problem: MoProblemName, implementation: string, backend: string, hv: number[][], msPerTrial: number, cpuMsPerTrial: number, seeds: number): Row => {
    const figures: Record<string, number> = { seeds, cpuMsPerTrial };
    CHECKPOINTS.forEach((n, k) => (figures[`hv@${n}`] = median(hv[k])));
    log(`  ${problem.padEnd(9)} ${implementation.padEnd(22)} ${CHECKPOINTS.map((n) => figures[`hv@${n}`].toPrecision(5).padStart(10)).join(' ')}   ${msPerTrial.toFixed(2)} ms/trial, ${cpuMsPerTrial.toFixed(2)} CPU ms/trial`);
    return { suite: 'nsga2', case: problem, implementation, backend, mode: '-', ms: msPerTrial, rme: 0, samples: seeds, figures };
  };
  for (const name of Object.keys(fx.problems) as MoProblemName[]) {
    const o = fx.problems[name];
    const seeds = quick ? o.seeds.slice(0, 5) : o.seeds;
    const hv: number[][] = CHECKPOINTS.map(() => []);
    let ms = 0;
    let cpuMs = 0;
    for (const seed of seeds) {
      const run = await runNsga2(name, seed, CHECKPOINTS[CHECKPOINTS.length - 1], CHECKPOINTS, o.reference);
      run.hypervolume.forEach((v, k) => hv[k].push(v));
      ms += run.ms / seeds.length;
      cpuMs += run.cpuMs / seeds.length;
    }
    rows.push(row(name, 'lrlab NSGA-II', 'JS float64', hv, ms, cpuMs, seeds.length));
    rows.push(row(name, `Optuna ${fx.optuna} NSGA-II`, 'Python/NumPy (fixture)', CHECKPOINTS.map((n) => o.hypervolume[n].slice(0, seeds.length)), o.msPerTrial, o.cpuMsPerTrial, seeds.length));
  }
  return rows;
}

/** The Markdown table of {@link nsga2Suite}'s rows. */
export function nsga2Table(rows: Row[]): string {
  const fx = JSON.parse(readFileSync(new URL('../test/fixtures/nsga2.json', import.meta.url), 'utf8')) as Nsga2Fixture;
  const seeds = rows[0]?.samples ?? 0;
  const refs = Object.entries(fx.problems).map(([k, p]) => `${k} [${p.reference.join(', ')}]`).join(', ');
  const body = rows.map((r) => `| ${r.case} | ${r.implementation} | ${r.backend} | ${CHECKPOINTS.map((n) => (r.figures[`hv@${n}`] as number).toPrecision(5)).join(' | ')} | ${r.ms.toFixed(2)} | ${(r.figures.cpuMsPerTrial as number).toFixed(2)} |`);
  return [
    `### NSGA-II: median hypervolume over ${seeds} seeds (larger is better; reference points ${refs})`,
    '',
    '| problem | sampler | backend | after 100 | after 300 | ms / trial | CPU ms / trial |',
    '|---|---|---|---|---|---|---|',
    ...body,
    '',
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const rows = await nsga2Suite((s) => console.log(s), process.argv.includes('--quick'));
  console.log(`\n${nsga2Table(rows)}`);
}
