// A worker process for the multi-process tests: node --import tsx process-worker.ts URL STUDY N MODE [GRACE]
//   MODE 'run':  N quick trials (each waits 10 ms, so that processes started together interleave from the start)
//   MODE 'slow': N trials of about 100 ms of awaited work with an intermediate value every 20 ms, printing
//                'trial <number>' after each (for a database restart in the middle of the run)
//   MODE 'hang': one trial that prints 'started <number>' and then blocks its thread for good, as a long
//                synchronous training step would
// Heartbeats every 0.2 s from the heartbeat thread; GRACE seconds of grace (default 3 for 'hang', else 30). The
// sampler is the default one, unseeded, as a user's processes would start it. With START_AT in the environment
// (milliseconds since 1970), the trials start then, so that processes started together really run together.
import { createStudy } from '../../../src/index.js';

const [url, studyName, n, mode, grace] = process.argv.slice(2);
const study = await createStudy({
  studyName, storage: url, loadIfExists: true,
  // a short grace period for the killed-worker test; a long one when workers share a loaded machine
  heartbeat: { heartbeatInterval: 0.2, gracePeriod: grace ? Number(grace) : mode === 'hang' ? 3 : 30 },
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
if (process.env.START_AT) await sleep(Number(process.env.START_AT) - Date.now());
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
} else if (mode === 'slow') {
  await study.optimize(async (trial) => {
    const x = trial.suggestFloat('x', 0, 1);
    for (let step = 0; step < 5; step++) {
      trial.report(x, step);
      await sleep(20);
    }
    return x;
  }, { nTrials: Number(n), callbacks: [(_, t) => void process.stdout.write(`trial ${t.number}\n`)] });
  process.stdout.write(`done ${process.pid}\n`);
} else {
  await study.optimize(async (trial) => {
    const x = trial.suggestFloat('x', 0, 1);
    await sleep(10);
    return x;
  }, { nTrials: Number(n) });
  process.stdout.write(`done ${process.pid}\n`);
}
await study.storage.close();
