// A tuning worker for the dashboard's browser test, run as its own process: adds N trials of the test objective to
// a study, each about `ms` milliseconds apart, so that a page watching the study sees them arrive.
// Usage: node --import tsx test/dashboard/write-trials.ts STORAGE_URL STUDY N SEED MS
import { createStudy } from '../../src/tune/study.js';
import { RandomSampler } from '../../src/tune/samplers/random.js';
import { objective } from './helpers.js';

const [url, name, n, seed, ms] = process.argv.slice(2);
const pause = new Int32Array(new SharedArrayBuffer(4));
const study = await createStudy({ studyName: name, storage: url, direction: 'minimize', loadIfExists: true, sampler: new RandomSampler({ seed: Number(seed) }) });
await study.optimize((trial) => {
  Atomics.wait(pause, 0, 0, Number(ms)); // a trial that takes a while, as training does
  return objective(trial);
}, { nTrials: Number(n), catch: [Error] });
await study.storage.close();
