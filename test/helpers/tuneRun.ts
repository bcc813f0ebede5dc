// Runs a fresh in-memory study with a given sampler, for the sampler tests and the tuning benchmark.
import { createStudy, type Study, type Trial } from '../../src/index.js';
import type { Sampler, StudyDirection } from '../../src/tune/types.js';

/** Runs `nTrials` trials (fewer if the sampler stops the study); returns the study and its best value after each. */
export async function runStudy(sampler: Sampler, objective: (t: Trial) => number, nTrials: number, direction: StudyDirection = 'minimize'): Promise<{ study: Study; curve: number[] }> {
  const study = await createStudy({ sampler, direction });
  await study.optimize(objective, { nTrials });
  const curve: number[] = [];
  let best = direction === 'minimize' ? Infinity : -Infinity;
  for (const t of study.trials) {
    if (t.state === 'complete') best = direction === 'minimize' ? Math.min(best, t.value!) : Math.max(best, t.value!);
    curve.push(best);
  }
  return { study, curve };
}
