// optimize with an objective module: the trials run in worker threads, each loading the study from its storage.
import { UpdateFinishedTrialError, type Storage } from '../storage/base.js';
import { sibling, startWorker } from '../threads.js';
import type { FrozenTrial } from '../types.js';
import { writeProgress, type CheckedOptimizeOptions, type ObjectiveModule, type OptimizeOptions } from './options.js';
import type { Study } from './study.js';

/**
 * Runs `nJobs` worker threads, each importing the objective module and loading `study` from its storage;
 * a shared counter spreads `nTrials` over them. Callbacks and progress lines run here, as trials finish.
 */
export async function optimizeInThreads(
  study: Study, objective: ObjectiveModule, o: CheckedOptimizeOptions, options: OptimizeOptions, setSharedFlags: (flags: Int32Array | null) => void,
): Promise<void> {
  const fn = 'optimize';
  const url = study.storage.connectionString;
  if (!url) {
    throw new TypeError(`${fn}: expected a SQLite or PostgreSQL storage for an objective module (worker threads cannot share a study in memory), got ${study.storage.url}`);
  }
  if (options.catch !== undefined) {
    throw new TypeError(`${fn}: expected no catch option with an objective module (export catch(error) => boolean from the module instead)`);
  }
  const exportName = objective.exportName ?? 'objective';
  if (typeof exportName !== 'string') throw new TypeError(`${fn}: expected exportName to be a string, got ${typeof exportName}`);
  let href: string;
  try {
    href = objective.module instanceof URL ? objective.module.href : /^[a-z]+:/.test(objective.module) ? objective.module : new URL(`file://${objective.module}`).href;
  } catch {
    throw new TypeError(`${fn}: expected module to be a URL or an absolute path, got ${String(objective.module)}`);
  }
  const shared = new SharedArrayBuffer(8);
  const flags = new Int32Array(shared);
  setSharedFlags(flags);
  const deadline = o.timeout === null ? null : Date.now() + o.timeout * 1000;
  let failure: Error | null = null;
  let chain: Promise<void> = Promise.resolve();
  let finished = 0;
  const stopAll = (error: Error) => {
    failure ??= error;
    Atomics.store(flags, 1, 1);
  };
  const runs = Array.from({ length: o.nJobs }, (_, worker) => new Promise<void>((resolve) => {
    // the trial this worker runs, and whether it ended its loop: a thread that exits otherwise (process.exit in
    // the objective, or an objective whose promise never settles, so that the thread's event loop runs dry)
    // has its trial failed here and the study stopped with an error
    let running: { trialId: number; number: number } | null = null;
    let done = false;
    const w = startWorker(sibling('optimize-worker'), {
      url, studyName: study.studyName, heartbeat: study.storage.heartbeat, module: href, exportName, worker, shared,
      nTrials: o.nTrials, deadline,
    });
    w.on('message', (m: { started?: { trialId: number; number: number }; trial?: FrozenTrial; error?: { name: string; message: string; stack?: string }; done?: boolean }) => {
      if (m.started) running = m.started;
      if (m.done) done = true;
      if (m.trial) {
        running = null;
        const trial = m.trial;
        chain = chain.then(async () => {
          finished++;
          await study.refresh();
          if (o.showProgressBar) writeProgress(study, trial, finished, o.nTrials);
          for (const cb of o.callbacks) await cb(study, trial);
        }).catch((error) => stopAll(error as Error));
      }
      if (m.error && failure === null) {
        failure = Object.assign(new Error(m.error.message), { name: m.error.name, stack: m.error.stack });
      }
    });
    w.on('error', (error) => {
      stopAll(error);
      done = true; // the error says what happened
    });
    w.on('exit', (code) => {
      if (!done) {
        const during = running ? `during trial ${running.number}` : 'between trials';
        const why = `worker thread ${worker} exited ${during} with code ${code} (the objective called process.exit, or returned a promise that never settles)`;
        stopAll(new Error(`${fn}: ${why}`));
        const abandoned = running;
        if (abandoned) chain = chain.then(() => failAbandoned(study.storage, abandoned.trialId, `trial ${abandoned.number}: ${why}`)).catch((error) => stopAll(error as Error));
      }
      resolve();
    });
  }));
  try {
    await Promise.all(runs);
    await chain;
    await study.refresh();
  } finally {
    setSharedFlags(null);
  }
  if (failure !== null) throw failure;
}

/** Fails a running trial whose worker is gone, from its stored record (nothing to do when it has ended). */
async function failAbandoned(storage: Storage, trialId: number, reason: string): Promise<void> {
  const t = await storage.getTrial(trialId);
  if (t.state !== 'running') return;
  try {
    await storage.finishTrial(trialId, {
      state: 'fail', values: null, params: t.params, distributions: t.distributions, intermediateValues: t.intermediateValues,
      userAttrs: t.userAttrs, systemAttrs: { ...t.systemAttrs, failReason: reason },
    });
  } catch (error) {
    if (!(error instanceof UpdateFinishedTrialError)) throw error;
  }
}
