// `lrlab dashboard`: a read-only HTTP server on 127.0.0.1 (Node's own http module: a handful of GET routes needs
// no framework) serving one page and the JSON it polls. The page's script is compiled TypeScript from ./page/ (from
// the built package; when lrlab runs from its sources, esbuild, a dev dependency, transpiles it on first request),
// and vega / vega-lite are lrlab's own dependencies, served from node_modules: nothing is fetched from elsewhere.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { checkOptionsObject } from '../format/check.js';
import { describe } from '../format/number.js';
import { parseStorageUrl } from '../tune/storage/index.js';
import { PAGE_CSS, PAGE_HTML } from './html.js';
import { StudySource } from './studies.js';
import { STUDY_PLOTS, studyPlot, type PlotResult, type StudyPlot } from './study-plots.js';
import { OutsideFolderError, ReportFolder, RUN_PLOTS, runPlot, UnreadableRunError, type RunPlot } from './reports.js';
import { directionsOf } from './data.js';

/** Options of {@link startDashboard}. */
export interface DashboardOptions {
  /** A study storage URL (`sqlite:///study.db`, `postgresql://...`) or a folder of finder reports. */
  storage: string;
  /** The port on 127.0.0.1; 0 picks any free one. Default 8080. */
  port?: number;
  /** How often the page asks for news, in milliseconds (and how long the server reuses a read). Default 1000. */
  pollMs?: number;
}

/** A running dashboard. */
export interface Dashboard {
  /** The page's address, `http://127.0.0.1:PORT/`. */
  readonly url: string;
  readonly port: number;
  /** What it shows: `studies` (a storage) or `runs` (a folder of finder reports). */
  readonly kind: 'studies' | 'runs';
  /** Stops the server and closes the storage. */
  close(): Promise<void>;
}

/** The browser modules of the page (page/NAME.ts), the only scripts served besides vega and vega-lite. */
const PAGE_MODULES = ['app', 'api', 'dom', 'chart', 'trials-table', 'study-view', 'runs-view'];
const HOST = '127.0.0.1';

/** A source of the page's scripts: the built .js beside this file, or its .ts transpiled once by esbuild. */
function pageScripts(): (name: string) => Promise<string> {
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'page');
  const cache = new Map<string, Promise<string>>();
  return (name) => {
    let hit = cache.get(name);
    if (hit === undefined) {
      hit = (async () => {
        const js = join(dir, `${name}.js`);
        if (existsSync(js)) return readFileSync(js, 'utf8');
        const esbuild = 'esbuild'; // a name, not a literal: bundlers of lrlab's browser build must not pull it in
        const { transform } = (await import(esbuild)) as typeof import('esbuild');
        return (await transform(readFileSync(join(dir, `${name}.ts`), 'utf8'), { loader: 'ts', format: 'esm', target: 'es2022', sourcefile: `${name}.ts` })).code;
      })();
      hit.catch(() => cache.delete(name));
      cache.set(name, hit);
    }
    return hit;
  };
}

/** vega's and vega-lite's browser builds, from the packages lrlab depends on. */
function vendorFile(name: string): string | null {
  const files: Record<string, [string, string]> = { 'vega.min.js': ['vega', 'vega.min.js'], 'vega-lite.min.js': ['vega-lite', 'vega-lite.min.js'] };
  const f = files[name];
  if (f === undefined) return null;
  return join(dirname(fileURLToPath(import.meta.resolve(f[0]))), f[1]);
}

function send(res: ServerResponse, status: number, body: string | Buffer, type: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, {
    'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff',
    // the page runs only its own scripts and talks only to this server
    'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; script-src 'self' 'unsafe-eval'",
    ...extra,
  });
  res.end(body);
}
const sendJson = (res: ServerResponse, status: number, value: unknown) => send(res, status, JSON.stringify(value), 'application/json; charset=utf-8');

/** A plot result as sent: a spec (with the page's config) or a reason. */
const plotJson = (p: PlotResult) => ('spec' in p ? { spec: p.spec } : { reason: p.reason });

/**
 * Starts the dashboard: a read-only server on 127.0.0.1 (only GET; any other method is 405) serving a page that
 * lists the studies of a storage, or the runs of a folder of finder reports, and follows them as workers write.
 * Resolves once it listens; a storage that cannot be reached does not stop it (the page says so and keeps trying).
 */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const fn = 'startDashboard';
  const o = checkOptionsObject<DashboardOptions>(fn, options, ['storage', 'port', 'pollMs']);
  if (options === undefined) throw new TypeError(`${fn}: expected options with storage (a study storage URL or a folder of finder reports), got undefined`);
  if (typeof o.storage !== 'string' || o.storage === '') throw new TypeError(`${fn}: expected storage to be a study storage URL or a folder of finder reports, got ${describe(o.storage)}`);
  const port = o.port ?? 8080;
  if (!Number.isSafeInteger(port) || port < 0 || port > 65535) throw new RangeError(`${fn}: expected port an integer in [0, 65535], got ${describe(port)}`);
  const pollMs = o.pollMs ?? 1000;
  if (typeof pollMs !== 'number' || !Number.isFinite(pollMs) || pollMs < 50 || pollMs > 600_000) throw new RangeError(`${fn}: expected pollMs a number of milliseconds in [50, 600000], got ${describe(pollMs)}`);

  let studies: StudySource | null = null;
  let folder: ReportFolder | null = null;
  if (/^(sqlite|postgres(ql)?):/.test(o.storage)) {
    try {
      parseStorageUrl(o.storage);
    } catch (error) {
      throw new RangeError(`${fn}: ${(error as Error).message}`);
    }
    studies = new StudySource(o.storage, pollMs / 2);
  } else {
    if (!existsSync(o.storage)) throw new RangeError(`${fn}: expected a study storage URL (sqlite:///..., postgresql://...) or a folder of finder reports, got '${o.storage}', which does not exist`);
    if (!statSync(o.storage).isDirectory()) {
      const head = Buffer.alloc(15), fd = openSync(o.storage, 'r');
      readSync(fd, head, 0, 15, 0);
      closeSync(fd);
      const sqlite = head.toString('latin1') === 'SQLite format 3';
      throw new RangeError(`${fn}: expected a study storage URL (sqlite:///..., postgresql://...) or a folder of finder reports, got the file '${o.storage}'${sqlite ? ` (a SQLite database: give sqlite:///${o.storage})` : ''}`);
    }
    folder = new ReportFolder(o.storage);
  }
  const kind = studies !== null ? 'studies' : 'runs';
  const scripts = pageScripts();
  const plotCache = new Map<string, PlotResult>();
  // fANOVA takes seconds on a thousand trials and blocks the server meanwhile: in a study that gains a trial a
  // second it is computed again at most every 10 s (or 5 times as long as it took), its title saying from how many
  const importances = new Map<string, { at: number; spentMs: number; result: PlotResult }>();

  async function api(path: string, q: URLSearchParams, res: ServerResponse): Promise<void> {
    if (path === '/api/source') {
      return sendJson(res, 200, { kind, name: studies?.name ?? folder!.root, pollMs, readOnly: true });
    }
    if (studies !== null) {
      if (path === '/api/studies') {
        const r = await studies.studies();
        return r.ok ? sendJson(res, 200, { studies: r.data }) : sendJson(res, 503, { error: `cannot reach the storage ${studies.name}: ${r.error}` });
      }
      const m = /^\/api\/studies\/(\d+)\/(trials|plots\/([a-z-]+))$/.exec(path);
      if (m) {
        const r = await studies.trials(Number(m[1]));
        if (!r.ok) return r.notFound ? sendJson(res, 404, { error: r.error }) : sendJson(res, 503, { error: `cannot reach the storage ${studies.name}: ${r.error}` });
        const { summary, trials, json, revision } = r.data;
        if (m[2] === 'trials') {
          if (q.get('since') === revision) return sendJson(res, 200, { revision, unchanged: true });
          return sendJson(res, 200, { revision, directions: directionsOf(summary), trials: json });
        }
        const plot = m[3] as StudyPlot;
        if (!STUDY_PLOTS.includes(plot)) return sendJson(res, 404, { error: `dashboard: expected a panel among ${STUDY_PLOTS.join(', ')}, got '${plot}'` });
        const objective = Number(q.get('objective') ?? 0);
        const key = `${summary.studyId}:${revision}:${plot}:${objective}`;
        let result = plotCache.get(key);
        const reuse = importances.get(`${summary.studyId}:${objective}`);
        if (result === undefined && plot === 'importances' && reuse !== undefined && performance.now() - reuse.at < Math.max(10_000, 5 * reuse.spentMs)) result = reuse.result;
        if (result === undefined) {
          const started = performance.now();
          result = studyPlot(plot, trials, directionsOf(summary), objective, summary.studyName);
          if (plot === 'importances') importances.set(`${summary.studyId}:${objective}`, { at: performance.now(), spentMs: performance.now() - started, result });
          if (plotCache.size > 64) plotCache.clear();
          plotCache.set(key, result);
        }
        return sendJson(res, 200, { revision, ...plotJson(result) });
      }
    }
    if (folder !== null) {
      if (path === '/api/runs') {
        const runs = [];
        for (const id of folder.ids()) {
          try {
            const run = folder.run(id);
            if (run !== null) runs.push(run);
          } catch (error) {
            runs.push({ id, error: (error as Error).message });
          }
        }
        return sendJson(res, 200, { folder: folder.root, runs });
      }
      if (path === '/api/run' || path === '/api/run/plot') {
        const id = q.get('id') ?? '';
        try {
          if (path === '/api/run') {
            const run = folder.run(id);
            return run === null ? sendJson(res, 404, { error: `dashboard: no finder report '${id}' in the folder` }) : sendJson(res, 200, run);
          }
          const plot = (q.get('kind') ?? '') as RunPlot;
          if (!RUN_PLOTS.includes(plot)) return sendJson(res, 404, { error: `dashboard: expected a panel among ${RUN_PLOTS.join(', ')}, got '${plot}'` });
          const result = folder.result(id);
          return result === null ? sendJson(res, 404, { error: `dashboard: no finder report '${id}' in the folder` }) : sendJson(res, 200, plotJson(runPlot(plot, result)));
        } catch (error) {
          if (error instanceof OutsideFolderError) return sendJson(res, 400, { error: error.message });
          if (error instanceof UnreadableRunError) return sendJson(res, 503, { error: error.message });
          throw error;
        }
      }
    }
    return sendJson(res, 404, { error: `dashboard: no endpoint ${path}` });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET') return send(res, 405, `dashboard: only GET is served (read-only), got ${req.method}\n`, 'text/plain; charset=utf-8', { allow: 'GET' });
    // a page elsewhere that resolves its own host name to 127.0.0.1 (DNS rebinding) must not read the studies
    const host = req.headers.host ?? '';
    if (host !== `${HOST}:${actualPort}` && host !== `localhost:${actualPort}`) return send(res, 403, `dashboard: expected the host ${HOST}:${actualPort}, got '${host}'\n`, 'text/plain; charset=utf-8');
    let url: URL;
    try {
      url = new URL(req.url ?? '/', `http://${HOST}`);
    } catch {
      return send(res, 400, 'dashboard: bad request\n', 'text/plain; charset=utf-8');
    }
    const path = url.pathname;
    if (path === '/' || path === '/index.html') return send(res, 200, PAGE_HTML, 'text/html; charset=utf-8');
    if (path === '/style.css') return send(res, 200, PAGE_CSS, 'text/css; charset=utf-8');
    if (path.startsWith('/api/')) return api(path, url.searchParams, res);
    const page = /^\/app\/([a-z-]+)\.js$/.exec(path);
    if (page && PAGE_MODULES.includes(page[1])) return send(res, 200, await scripts(page[1]), 'text/javascript; charset=utf-8');
    const vendor = /^\/vendor\/([a-z.-]+)$/.exec(path);
    const file = vendor ? vendorFile(vendor[1]) : null;
    if (file !== null) return send(res, 200, readFileSync(file), 'text/javascript; charset=utf-8');
    return send(res, 404, 'not found\n', 'text/plain; charset=utf-8');
  }

  let actualPort = port;
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      if (!res.headersSent) sendJson(res, 500, { error: `dashboard: ${(error as Error).message}` });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new RangeError(`${fn}: port ${port} on ${HOST} is in use (give another port, or 0 for any free one)`) : error);
    });
    server.listen(port, HOST, () => resolve());
  });
  actualPort = (server.address() as AddressInfo).port;
  return {
    url: `http://${HOST}:${actualPort}/`, port: actualPort, kind,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await studies?.close();
    },
  };
}
