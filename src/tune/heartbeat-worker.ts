// The heartbeat thread: beats for the running trials of one process on its own storage connection, so that a
// trial whose objective keeps the main thread busy for minutes (training a model is synchronous) still beats,
// while a process that dies stops beating with it. Messages: { beat: trialId }, { stop: trialId }.
import { parentPort, workerData } from 'node:worker_threads';
import { getStorage } from './storage/index.js';

const { url, interval } = workerData as { url: string; interval: number };
const storage = await getStorage(url);
const trials = new Set<number>();

async function beat(trialId: number): Promise<void> {
  try {
    await storage.recordHeartbeat(trialId);
  } catch {
    trials.delete(trialId); // finished meanwhile (or failed by another worker): nothing left to beat for
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
