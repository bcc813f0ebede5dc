// The tuner's overhead per trial, sampler by sampler: ask, four suggestions, one user attribute, tell, with an
// objective that costs nothing, so the figure is the study, the sampler and the storage. Random, TPE, TPE with a
// constraintsFunc and NSGA-II (with and without constraints), one objective and two, in memory and on SQLite;
// Optuna 3.1 runs the same loop (bench/optuna_overhead.py) in the same run; 300 trials in memory, 100 on SQLite
// (100 and 50 with --quick). Each run is checked before it counts:
// trial numbers 0..n-1, every trial complete, and with a constraintsFunc every trial's constraints stored.
// Alone: node --import tsx bench/tune-overhead.ts [--quick]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createStudy, InMemoryStorage, NSGAIISampler, RandomSampler, TPESampler, type Sampler, type Storage, type Trial } from '../src/index.js';
import { getStorage } from '../src/tune/storage/index.js';
import type { FrozenTrial } from '../src/tune/types.js';
import type { Row } from './common.js';

const here = fileURLToPath(new URL('.', import.meta.url));

/** The cases; optuna_overhead.py has the same list under the same names. */
export const OVERHEAD_CASES = [
  { name: 'random', objectives: 1, sampler: 'random', constrained: false },
  { name: 'TPE', objectives: 1, sampler: 'tpe', constrained: false },
  { name: 'TPE + constraints', objectives: 1, sampler: 'tpe', constrained: true },
  { name: 'random', objectives: 2, sampler: 'random', constrained: false },
  { name: 'TPE (MOTPE)', objectives: 2, sampler: 'tpe', constrained: false },
  { name: 'TPE + constraints', objectives: 2, sampler: 'tpe', constrained: true },
  { name: 'NSGA-II', objectives: 2, sampler: 'nsga2', constrained: false },
  { name: 'NSGA-II + constraints', objectives: 2, sampler: 'nsga2', constrained: true },
] as const;

type Case = (typeof OVERHEAD_CASES)[number];

const constraintsFunc = (t: FrozenTrial) => [t.userAttrs.c0 as number];

function makeSampler(c: Case): Sampler {
  const cf = c.constrained ? { constraintsFunc } : {};
  if (c.sampler === 'random') return new RandomSampler({ seed: 0 });
  if (c.sampler === 'tpe') return new TPESampler({ seed: 0, ...cf });
  return new NSGAIISampler({ seed: 0, ...cf });
}

// x, y in [0, 1], z log-uniform in [1e-3, 1], a categorical; the constraint x + y <= 1 as a user attribute
function objective(objectives: number) {
  return (trial: Trial): number | number[] => {
    const x = trial.suggestFloat('x', 0, 1);
    const y = trial.suggestFloat('y', 0, 1);
    const z = trial.suggestFloat('z', 1e-3, 1, { log: true });
    const k = trial.suggestCategorical('k', ['a', 'b', 'c']);
    trial.setUserAttr('c0', x + y - 1);
    const penalty = k === 'a' ? 0 : 0.1;
    if (objectives === 1) return (x - 0.3) ** 2 + (y - 0.7) ** 2 + z + penalty;
    return [x + z + penalty, (1 - x) ** 2 + y + z];
  };
}

async function run(c: Case, storage: Storage, n: number): Promise<{ ms: number; cpuMs: number }> {
  const directions = Array.from({ length: c.objectives }, () => 'minimize' as const);
  const study = await createStudy({ storage, directions, sampler: makeSampler(c) });
  const f = objective(c.objectives);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const trial = await study.ask();
    await study.tell(trial, f(trial));
  }
  const cpu = process.cpuUsage(c0);
  const ms = (performance.now() - t0) / n;
  const trials = study.trials;
  const ok = trials.length === n && trials.every((t, i) => t.number === i && t.state === 'complete' && (!c.constrained || Array.isArray(t.systemAttrs.constraints)));
  if (!ok) throw new Error(`bench tune-overhead: ${c.name} (${c.objectives} objective(s)) on ${storage.url} did not record ${n} complete trials numbered 0..${n - 1}${c.constrained ? ' with constraints' : ''}`);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000 / n };
}

const caseName = (c: { name: string; objectives: number }) => `${c.name}, ${c.objectives} objective${c.objectives > 1 ? 's' : ''}`;

/** Rows of suite 'tuneOverhead': per case and storage, lrlab's and Optuna's (same run) ms and CPU ms per trial. */
export async function overheadSuite(log: (s: string) => void, quick: boolean, options: { optuna?: boolean; only?: RegExp; storages?: readonly string[] } = {}): Promise<Row[]> {
  // SQLite's trials are fewer: Optuna's RDBStorage commits (and syncs) several times per trial
  const trials: Record<string, number> = { memory: quick ? 100 : 300, sqlite: quick ? 50 : 100 };
  const dir = mkdtempSync(join(tmpdir(), 'lrlab-bench-overhead-'));
  const rows: Row[] = [];
  const row = (c: string, impl: string, backend: string, ms: number, cpuMs: number): Row =>
    ({ suite: 'tuneOverhead', case: c, implementation: impl, backend, mode: '-', ms, rme: 0, samples: trials[backend], figures: { cpuMsPerTrial: cpuMs, trials: trials[backend] } });
  const cases = OVERHEAD_CASES.filter((c) => !options.only || options.only.test(caseName(c)));
  try {
    for (const [backend, open] of ([['memory', async () => new InMemoryStorage()], ['sqlite', () => getStorage(`sqlite:///${join(dir, 'overhead.db')}`)]] as const).filter(([b]) => !options.storages || options.storages.includes(b))) {
      for (const c of cases) {
        const storage = await open();
        await run(c, storage, 20); // warm-up, and a first check
        const r = await run(c, storage, trials[backend]);
        await storage.close();
        rows.push(row(caseName(c), 'lrlab', backend, r.ms, r.cpuMs));
        log(`  lrlab  ${backend.padEnd(7)} ${caseName(c).padEnd(36)} ${r.ms.toFixed(2).padStart(7)} ms / trial, ${r.cpuMs.toFixed(2).padStart(7)} CPU ms / trial`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (options.optuna === false) return rows;
  const py = spawnSync('/usr/bin/python3', [join(here, 'optuna_overhead.py'), String(trials.memory), String(trials.sqlite), ...(options.only ? ['--only', options.only.source] : [])], { encoding: 'utf8' });
  if (py.status !== 0) {
    log(`  Optuna: not run (${(py.stderr || py.error?.message || '').trim().split('\n').pop()})`);
    return rows;
  }
  for (const line of py.stdout.trim().split('\n')) {
    const r = JSON.parse(line) as { case: string; storage: string; msPerTrial: number; cpuMsPerTrial: number; optuna: string };
    rows.push(row(r.case, `Optuna ${r.optuna}`, r.storage, r.msPerTrial, r.cpuMsPerTrial));
    log(`  Optuna ${r.storage.padEnd(7)} ${r.case.padEnd(36)} ${r.msPerTrial.toFixed(2).padStart(7)} ms / trial, ${r.cpuMsPerTrial.toFixed(2).padStart(7)} CPU ms / trial`);
  }
  return rows;
}

/** The Markdown table of {@link overheadSuite}'s rows: one line per case and storage, lrlab beside Optuna. */
export function overheadTable(rows: Row[]): string {
  const n = [...new Set(rows.map((r) => `${r.samples} trials on ${r.backend}`))].join(', ');
  const keys = [...new Set(rows.map((r) => `${r.backend}|${r.case}`))];
  const cell = (r: Row | undefined) => (r ? `${r.ms.toFixed(2)} (${(r.figures.cpuMsPerTrial as number).toFixed(2)})` : '-');
  const body = keys.map((key) => {
    const [backend, c] = key.split('|');
    const mine = rows.find((r) => r.backend === backend && r.case === c && r.implementation === 'lrlab');
    const theirs = rows.find((r) => r.backend === backend && r.case === c && r.implementation !== 'lrlab');
    const ratio = (f: (r: Row) => number) => (mine && theirs ? `${(f(theirs) / f(mine)).toFixed(1)}x` : '-');
    return `| ${backend} | ${c} | ${cell(mine)} | ${cell(theirs)} | ${ratio((r) => r.ms)} | ${ratio((r) => r.figures.cpuMsPerTrial as number)} |`;
  });
  return [
    `### Tuner overhead per trial: ask, 4 suggestions, a user attribute, tell (${n}; objective free; ms (CPU ms) per trial)`,
    '',
    '| storage | sampler | lrlab | Optuna | Optuna / lrlab | (CPU) |',
    '|---|---|---|---|---|---|',
    ...body,
    '',
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const only = process.argv.indexOf('--only');
  const rows = await overheadSuite((s) => console.log(s), process.argv.includes('--quick'), {
    optuna: !process.argv.includes('--no-optuna'),
    only: only > 0 ? new RegExp(process.argv[only + 1]) : undefined,
  });
  console.log(`\n${overheadTable(rows)}`);
}
