// Python and lrlab workers on one study in Optuna's RDB schema, at the same time: a Python process running Optuna
// 3.1 (test/helpers/optuna_worker.py work: RandomSampler, a cheap objective) and a lrlab study in this process, 50
// trials each, on one SQLite file and on one PostgreSQL database. Counted afterwards, from both sides: 100 trials,
// numbers 0..99 once each, every trial complete with the parameters and value its worker logged, and the same best
// value. Skipped, with the reason printed, without /usr/bin/python3 and Optuna 3.1 (or without PostgreSQL).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createStudy, RandomSampler } from '../../src/index.js';
import { parsePythonJson } from '../../src/tune/storage/optuna-json.js';
import { freshPostgresDatabase } from '../helpers/postgres.js';
import { removeAtExit } from '../helpers/cleanup.js';

const dir = mkdtempSync(join(tmpdir(), 'lrlab-mixed-'));
const worker = fileURLToPath(new URL('../helpers/optuna_worker.py', import.meta.url));
const probe = spawnSync('/usr/bin/python3', ['-c', 'import optuna; assert optuna.__version__.startswith("3.1"), optuna.__version__'], { encoding: 'utf8' });
const noPython = probe.error ? `/usr/bin/python3 could not run (${probe.error.message})`
  : probe.status !== 0 ? `Optuna 3.1 is not importable by /usr/bin/python3 (${(probe.stderr || '').trim().split('\n').pop()})` : null;
const pgDb = await freshPostgresDatabase();
const N = 50;
removeAtExit(dir);

interface Logged { number: number; state: string; params: Record<string, unknown>; value: number }

/** Starts the Python worker; resolves `first` at its first finished trial and `done` with all it logged. */
function pythonWorker(url: string, name: string): { first: Promise<void>; done: Promise<Logged[]> } {
  const child = spawn('/usr/bin/python3', [worker, 'work', url, name, String(N), '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const logged: Logged[] = [];
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  let started!: () => void;
  const first = new Promise<void>((resolve) => (started = resolve));
  createInterface({ input: child.stdout }).on('line', (line) => {
    logged.push(parsePythonJson(line));
    started();
  });
  const done = new Promise<Logged[]>((resolve, reject) => child.on('exit', (code) => {
    started();
    if (code === 0) resolve(logged);
    else reject(new Error(`optuna_worker.py work exited with ${code}: ${stderr}`));
  }));
  return { first, done };
}

const targets: [string, string | (() => string)][] = [
  ['SQLite', () => `sqlite:///${join(dir, 'mixed.db')}`],
  ['PostgreSQL', 'skip' in pgDb ? pgDb.skip : () => pgDb.url],
];

for (const [kind, target] of targets) {
  const test = suite(`Python and lrlab workers on one ${kind} study`);
  const skip = noPython ?? (typeof target === 'string' ? target : null);
  if (skip !== null) {
    test(`skipped: ${skip}`, () => {
      console.log(`  skipped: mixed Python and lrlab workers on ${kind} (${skip})`);
      assert.ok(true);
    });
    test.run();
    continue;
  }

  test('2 x 50 trials at once: 100 trials numbered 0..99 once each, none lost, each as its worker wrote it, one best value', async () => {
    const url = (target as () => string)();
    const name = `mixed-${kind}`;
    const study = await createStudy({ studyName: name, storage: url, sampler: new RandomSampler({ seed: 2 }) });
    const py = pythonWorker(url, name);
    await py.first; // Python's first trial is in: from here on both workers run side by side
    const mine: Logged[] = [];
    await study.optimize(async (t) => {
      const x = t.suggestFloat('x', -10, 10);
      const k = t.suggestInt('k', 0, 5);
      t.setUserAttr('worker', 'lrlab');
      await new Promise((r) => setTimeout(r, 2));
      return x * x + k;
    }, { nTrials: N, callbacks: [(_, t) => void mine.push({ number: t.number, state: t.state, params: { ...t.params }, value: t.value! })] });
    const theirs = await py.done;
    await study.refresh();
    const trials = study.trials;
    await study.storage.close();

    assert.is(trials.length, 2 * N);
    assert.equal(trials.map((t) => t.number), Array.from({ length: 2 * N }, (_, i) => i));
    assert.ok(trials.every((t) => t.state === 'complete'), 'every trial complete');
    assert.is(mine.length, N);
    assert.is(theirs.length, N);
    // each worker's trials are the ones the database attributes to it, with the parameters and value it logged
    for (const [who, logged] of [['lrlab', mine], ['python', theirs]] as const) {
      const stored = trials.filter((t) => t.userAttrs.worker === who);
      assert.equal(stored.map((t) => t.number).sort((a, b) => a - b), logged.map((l) => l.number).sort((a, b) => a - b), `${who}'s trial numbers`);
      for (const l of logged) {
        const t = trials[l.number];
        assert.equal([t.params, t.value, t.userAttrs.worker], [l.params, l.value, who], `${who}'s trial ${l.number}`);
      }
    }
    // both sides read the same best value, the least of the 100
    const least = Math.min(...trials.map((t) => t.value!));
    assert.is(study.bestValue, least);
    const dumped = parsePythonJson<{ bestValue: number; trials: { number: number; params: unknown }[] }>(
      spawnSync('/usr/bin/python3', [worker, 'dump', url, name], { encoding: 'utf8' }).stdout,
    );
    assert.is(dumped.bestValue, least);
    assert.equal(dumped.trials.map((t) => [t.number, t.params]), trials.map((t) => [t.number, t.params]));
  });

  test.run();
}

