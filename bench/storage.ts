// The tuner's storages: milliseconds per trial (ask, three suggestions, three reports, tell) on memory, SQLite
// and PostgreSQL (a throwaway cluster, when one can be started), next to Optuna 3.1 doing the same loop on its
// in-memory and SQLite storages; and two processes sharing one study. Each run is checked before it counts:
// trial numbers 0..n-1, every trial complete.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createStudy, loadStudy, InMemoryStorage, RandomSampler, type Storage } from '../src/index.js';
import { getStorage } from '../src/tune/storage/index.js';
import { freshPostgresDatabase } from '../test/helpers/postgres.js';
import type { Row } from './common.js';

const here = fileURLToPath(new URL('.', import.meta.url));

function check(what: string, trials: readonly { number: number; state: string }[], n: number): void {
  const ok = trials.length === n && trials.every((t, i) => t.number === i && t.state === 'complete');
  if (!ok) throw new Error(`bench storage: ${what} did not record ${n} complete trials numbered 0..${n - 1}`);
}

async function loop(storage: Storage, n: number): Promise<number> {
  const study = await createStudy({ storage, sampler: new RandomSampler({ seed: 0 }) }); // Optuna's side uses RandomSampler too
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const trial = await study.ask();
    const x = trial.suggestFloat('x', -10, 10);
    trial.suggestFloat('lr', 1e-5, 1e-1, { log: true });
    trial.suggestCategorical('optimizer', ['adam', 'sgd']);
    for (let step = 0; step < 3; step++) trial.report(x + step, step);
    await study.tell(trial, x * x);
  }
  const ms = (performance.now() - start) / n;
  check(storage.url, study.trials, n);
  return ms;
}

function twoProcesses(url: string, n: number): Promise<number> {
  const script = join(here, '../test/tune/workers/process-worker.ts');
  const start = performance.now();
  const run = () => new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, url, 'bench-two', String(n / 2), 'run'], { cwd: join(here, '..'), stdio: 'ignore' });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`worker exited with ${code}`))));
  });
  return Promise.all([run(), run()]).then(() => performance.now() - start);
}

/** Rows: suite 'storage' (ms per trial, one process) and 'storage-two' (two processes on one study). */
export async function storageSuite(log: (s: string) => void, quick: boolean): Promise<Row[]> {
  const n = quick ? 50 : 200;
  const dir = mkdtempSync(join(tmpdir(), 'lrlab-bench-storage-'));
  const rows: Row[] = [];
  const pg = await freshPostgresDatabase();
  const targets: [string, () => Promise<Storage>][] = [
    ['memory', async () => new InMemoryStorage()],
    ['sqlite', () => getStorage(`sqlite:///${join(dir, 'one.db')}`)],
  ];
  if ('url' in pg) targets.push(['postgresql', () => getStorage(pg.url)]);
  else log(`  postgresql: not run (${pg.skip})`);
  const row = (c: string, impl: string, backend: string, ms: number, figures: Record<string, number | string>): Row =>
    ({ suite: 'storage', case: c, implementation: impl, backend, mode: '-', ms, rme: 0, samples: 1, figures });
  for (const [name, open] of targets) {
    const storage = await open();
    await loop(storage, 10); // warm-up, and a first check
    const ms = await loop(storage, n);
    await storage.close();
    rows.push(row(`${n} trials`, 'lrlab', name, ms, { trialsPerSecond: 1000 / ms }));
    log(`  lrlab  ${name.padEnd(10)} ${ms.toFixed(2)} ms / trial`);
  }
  const py = spawnSync('/usr/bin/python3', [join(here, 'optuna_storage.py'), String(n)], { encoding: 'utf8' });
  if (py.status === 0) {
    for (const line of py.stdout.trim().split('\n')) {
      const r = JSON.parse(line) as { storage: string; msPerTrial: number };
      rows.push(row(`${n} trials`, 'Optuna 3.1', r.storage, r.msPerTrial, { trialsPerSecond: 1000 / r.msPerTrial }));
      log(`  Optuna ${r.storage.padEnd(10)} ${r.msPerTrial.toFixed(2)} ms / trial`);
    }
  } else log(`  Optuna: not run (${(py.stderr || py.error?.message || '').trim().split('\n').pop()})`);
  const shared: [string, string][] = [['sqlite', `sqlite:///${join(dir, 'two.db')}`]];
  if ('url' in pg) shared.push(['postgresql', pg.url]);
  for (const [name, url] of shared) {
    const ms = await twoProcesses(url, n);
    const study = await loadStudy({ studyName: 'bench-two', storage: url });
    check(`two processes on ${name}`, study.trials, n);
    await study.storage.close();
    rows.push({ ...row(`${n} trials, 2 processes`, 'lrlab', name, ms, { trialsPerSecond: (n * 1000) / ms }), suite: 'storage-two' });
    log(`  lrlab  ${name.padEnd(10)} 2 processes: ${n} trials in ${(ms / 1000).toFixed(1)} s (process start included)`);
  }
  rmSync(dir, { recursive: true, force: true });
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await storageSuite(console.log, process.argv.includes('--quick'));
}
