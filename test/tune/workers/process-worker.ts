// A worker process for the multi-process tests: node --import tsx process-worker.ts URL STUDY N MODE
//   MODE 'run':  N quick trials (each yields to the event loop, so the two processes interleave)
//   MODE 'hang': one trial that prints 'started <number>' and then blocks its thread for good, as a long
//                synchronous training step would; heartbeats every 0.2 s from the heartbeat thread
import { createStudy } from '../../../src/index.js';
import { defaultSampler } from '../../../src/tune/default-sampler.js';

const [url, studyName, n, mode] = process.argv.slice(2);
const study = await createStudy({
  studyName, storage: url, loadIfExists: true, sampler: defaultSampler(process.pid),
  // a short grace period for the killed-worker test; a long one when two workers share a loaded machine
  heartbeat: { heartbeatInterval: 0.2, gracePeriod: mode === 'hang' ? 3 : 30 },
});
if (mode === 'hang') {
  await study.optimize((trial) => {
    trial.suggestFloat('x', 0, 1);
    trial.report(0.5, 0);
    // let the background writes land, then block this thread without spinning the CPU
    return trial.flush().then(() => {
      process.stdout.write(`started ${trial.number}\n`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
      return 0;
    });
  }, { nTrials: 1 });
} else {
  await study.optimize(async (trial) => {
    const x = trial.suggestFloat('x', 0, 1);
    await new Promise((r) => setImmediate(r));
    return x;
  }, { nTrials: Number(n) });
  process.stdout.write(`done ${process.pid}\n`);
}
await study.storage.close();
