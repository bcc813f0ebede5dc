// `lrlab dashboard STORAGE`: serves the dashboard until Ctrl-C (SIGINT) or SIGTERM.
import { parseArgs } from 'node:util';
import { startDashboard } from '../dashboard/server.js';
import { redact } from '../tune/storage/base.js';

export const DASHBOARD_HELP = `lrlab dashboard: watch studies and finder runs in the browser while they run

Usage:
  lrlab dashboard STORAGE [--port P] [--poll-ms N]

STORAGE is a study storage (sqlite:///study.db, postgresql://user:pass@host:port/db) or a folder of finder
reports (what lrlab find --out and lrlab demo write, or a folder holding several). The page, on
http://127.0.0.1:P/ only, lists the studies and shows each one's trials (sortable, filtered by state and by a
parameter), a trial's detail, the optimization history, intermediate values, importances, slice, contour,
parallel coordinates and, for several objectives, the Pareto front; for finder reports, the range test with its
four rules, the sweep, the validation run, the long runs per epoch and the recommendation, and a run under way
with lrlab find --live (or demo --live) as it goes. It follows the workers as they write, without a reload, and
says when the storage cannot be reached. It only reads: any request but GET is refused. Ctrl-C stops it.

Options:
  --port P       the port on 127.0.0.1 (default 8080; 0: any free port)
  --poll-ms N    how often the page asks for news, in milliseconds (default 1000)
  -h, --help     this text
`;

/** Runs `lrlab dashboard` with its arguments (after 'dashboard'); resolves with the exit code once stopped. */
export async function dashboardCommand(argv: string[], write: (s: string) => void): Promise<number> {
  let o, positionals;
  try {
    ({ values: o, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { port: { type: 'string' }, 'poll-ms': { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (err) {
    process.stderr.write(`lrlab dashboard: ${(err as Error).message.split(/\.\s/)[0]} (try lrlab dashboard --help)\n`); // its first sentence: one line
    return 2;
  }
  if (o.help) {
    write(DASHBOARD_HELP);
    return 0;
  }
  const usage = (m: string) => {
    process.stderr.write(`lrlab dashboard: ${m} (try lrlab dashboard --help)\n`);
    return 2;
  };
  if (positionals.length === 0) return usage('expected a study storage URL or a folder of finder reports');
  if (positionals.length > 1) return usage(`unexpected argument '${positionals[1]}'`);
  const port = o.port === undefined ? 8080 : /^\d+$/.test(o.port) ? Number(o.port) : NaN;
  if (!(port >= 0 && port <= 65535)) return usage(`--port expects an integer in [0, 65535], got '${o.port}'`);
  const pollMs = o['poll-ms'] === undefined ? 1000 : Number(o['poll-ms']);
  if (!(pollMs >= 50 && pollMs <= 600_000)) return usage(`--poll-ms expects milliseconds in [50, 600000], got '${o['poll-ms']}'`);
  let dashboard;
  try {
    dashboard = await startDashboard({ storage: positionals[0], port, pollMs });
  } catch (err) {
    return usage((err as Error).message.replace(/^startDashboard: /, ''));
  }
  write(`lrlab dashboard: ${dashboard.url} (${dashboard.kind === 'studies' ? 'studies in' : 'finder reports in'} ${redact(positionals[0])}; Ctrl-C stops it)\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await dashboard.close();
  return 0;
}
