// The dashboard in a worker thread of its own (`lrlab tune --dashboard`): the tuning worker trains synchronously,
// so a server on its thread would answer only between trials. Posts { url } once listening, or { error }.
import { parentPort, workerData } from 'node:worker_threads';
import { startDashboard } from './server.js';

const { storage, port, pollMs } = workerData as { storage: string; port: number; pollMs?: number };
try {
  const dashboard = await startDashboard({ storage, port, pollMs });
  parentPort!.postMessage({ url: dashboard.url });
  parentPort!.on('message', (m: unknown) => {
    if (m === 'close') void dashboard.close().then(() => process.exit(0));
  });
} catch (error) {
  parentPort!.postMessage({ error: (error as Error).message });
}
