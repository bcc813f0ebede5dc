// Shared by the dashboard's tests: a SQLite study with known trials, a small finder report, and GET with a status.
import { runPipeline } from '../../src/lrfind/pipeline.js';
import { writeReport } from '../../src/report/report.js';
import { createStudy } from '../../src/tune/study.js';
import { TrialPruned, type Trial } from '../../src/tune/trial.js';

/** The objective of the test studies: x^2 + y, reporting three steps; x > 3 is pruned at step 1, x < -4 fails. */
export function objective(trial: Trial): number {
  const x = trial.suggestFloat('x', -5, 5);
  const y = trial.suggestInt('y', 0, 4);
  const kind = trial.suggestCategorical('kind', ['a', 'b']);
  if (x < -4) {
    trial.setUserAttr('failReason', 'x below -4 diverges');
    throw new Error('x below -4 diverges');
  }
  for (let step = 0; step < 3; step++) {
    trial.report(x * x + y + step, step);
    if (x > 3 && step === 1) throw new TrialPruned();
  }
  trial.setUserAttr('kindSeen', kind);
  return x * x + y;
}

/** A study named `name` in `url` with `nTrials` trials of {@link objective} (failures caught). */
export async function makeStudy(url: string, name: string, nTrials: number, seed = 0): Promise<void> {
  const { RandomSampler } = await import('../../src/tune/samplers/random.js');
  const study = await createStudy({ studyName: name, storage: url, direction: 'minimize', loadIfExists: true, sampler: new RandomSampler({ seed }) });
  await study.optimize(objective, { nTrials, catch: [Error] });
  await study.storage.close();
}

/** Writes a small finder report (a short series, few steps) into `dir`. */
export async function makeFinderReport(dir: string): Promise<void> {
  const series = Float32Array.from({ length: 240 }, (_, t) => 5 + Math.sin(t / 6) + (t % 4) * 0.1);
  const r = runPipeline({ series, source: 'a test series', config: { window: 10, hidden: [8], rangeTest: { numIter: 30 }, sweep: { num: 3, epochs: 1 }, validation: { epochs: 1 }, training: { epochs: 3, patience: 2 }, seeds: 1 } });
  await writeReport(dir, r);
}

/** GET (or another method) of `url`: its status and body as text. */
export async function request(url: string, method = 'GET', headers: Record<string, string> = {}): Promise<{ status: number; text: string; json: () => any }> {
  const res = await fetch(url, { method, headers });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) };
}
