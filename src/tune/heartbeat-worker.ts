// The heartbeat thread: beats for the running trials of one process on its own storage connection, so that a
// trial whose objective keeps the main thread busy for minutes (training a model is synchronous) still beats,
// while a process that dies stops beating with it. Messages: { beat: trialId }, { stop: trialId }.
import { parentPort, workerData } from 'node:worker_threads';
import { UpdateFinishedTrialError } from './storage/base.js';
import { getStorage } from './storage/index.js';

const { url, interval } = workerData as { url: string; interval: number };
const storage = await getStorage(url);
const trials = new Set<number>();
const beating = new Set<number>();

async function beat(trialId: number): Promise<void> {
  // one beat per trial at a time: while the storage waits for a restarting server, beats do not pile up
  if (beating.has(trialId)) return;
  beating.add(trialId);
  try {
    await storage.recordHeartbeat(trialId);
  } catch (error) {
    // only a trial that has ended (told, or failed by another worker) is dropped; any other error (a server
    // that stayed away longer than the storage waits for it) is retried at the next beat, so that a live trial
    // is not failed by another worker for a transient error
    if (error instanceof UpdateFinishedTrialError || error instanceof RangeError) trials.delete(trialId);
  } finally {
    beating.delete(trialId);
  }
}

parentPort!.on('message', (m: { beat?: number; stop?: number }) => {
  if (m.beat !== undefined) trials.add(m.beat);
  if (m.stop !== undefined) trials.delete(m.stop);
});
setInterval(() => {
  for (const id of trials) void beat(id);
}, interval * 1000);
parentPort!.postMessage('ready');
