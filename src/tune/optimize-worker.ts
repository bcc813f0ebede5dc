// One worker thread of `study.optimize(objectiveModule, { nJobs })`: it imports the objective from its module
// (a closure cannot cross into a thread), loads the study from the shared storage, and runs trials while the
// shared budget lasts. Shared Int32Array: [0] trials launched by all workers, [1] stop flag.
import { parentPort, workerData } from 'node:worker_threads';
import { defaultSampler } from './default-sampler.js';
import { loadStudy } from './study.js';
import type { Objective } from './study.js';
import type { HeartbeatOptions } from './storage/base.js';

const d = workerData as {
  url: string; studyName: string; heartbeat: HeartbeatOptions; module: string; exportName: string; worker: number;
  shared: SharedArrayBuffer; nTrials: number | null; deadline: number | null;
};
const flags = new Int32Array(d.shared);
const post = (m: unknown) => parentPort!.postMessage(m);
const serialize = (e: unknown) => (e instanceof Error ? { name: e.name, message: e.message, stack: e.stack } : { name: 'Error', message: String(e) });

try {
  const mod = (await import(d.module)) as Record<string, unknown>;
  const objective = mod[d.exportName];
  if (typeof objective !== 'function') {
    throw new TypeError(`optimize: expected module ${d.module} to export a function '${d.exportName}', got ${typeof objective}`);
  }
  const make = (name: string) => (typeof mod[name] === 'function' ? (mod[name] as (worker: number) => never)(d.worker) : undefined);
  const catches = typeof mod.catch === 'function' ? (mod.catch as (e: unknown) => boolean) : () => false;
  const study = await loadStudy({
    studyName: d.studyName, storage: d.url, heartbeat: d.heartbeat,
    sampler: make('createSampler') ?? defaultSampler(d.worker), pruner: make('createPruner'),
  });
  try {
    for (;;) {
      if (Atomics.load(flags, 1) !== 0 || (d.deadline !== null && Date.now() >= d.deadline)) break;
      if (Atomics.add(flags, 0, 1) >= (d.nTrials ?? Infinity)) break;
      const frozen = await study.runTrial(objective as Objective, catches, (t) => post({ started: { trialId: t.trialId, number: t.number } }));
      post({ trial: frozen });
      if (study.isStopped) Atomics.store(flags, 1, 1);
    }
  } finally {
    await study.storage.close();
  }
} catch (error) {
  Atomics.store(flags, 1, 1);
  post({ error: serialize(error) });
}
post({ done: true });
