// Starting the dashboard beside a running job: in a worker thread (see worker.ts), so that it answers while the
// job's own thread trains.
import { startWorker } from '../tune/threads.js';

/** A dashboard running in a worker thread. */
export interface DashboardThread {
  readonly url: string;
  /** Stops the server and ends the thread. */
  close(): Promise<void>;
}

/** Starts the dashboard for `storage` in a worker thread; resolves once it listens, rejects with its error. */
export function startDashboardThread(options: { storage: string; port: number; pollMs?: number }): Promise<DashboardThread> {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const worker = startWorker(new URL(`./worker${ext}`, import.meta.url), options);
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (m: { url?: string; error?: string }) => {
      if (m.error !== undefined || m.url === undefined) {
        void worker.terminate();
        reject(new Error(m.error ?? 'the dashboard thread did not start'));
        return;
      }
      worker.unref(); // the job's end ends the process, dashboard and all
      resolve({
        url: m.url,
        close: async () => {
          worker.postMessage('close');
          await new Promise((done) => {
            const timer = setTimeout(() => void worker.terminate().then(done), 2000);
            worker.once('exit', () => {
              clearTimeout(timer);
              done(undefined);
            });
          });
        },
      });
    });
  });
}
