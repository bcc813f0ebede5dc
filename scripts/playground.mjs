// npm run playground: builds the playground and serves it on http://127.0.0.1:PORT (default 5173; --port N).
// The server sends the two headers that make the page cross-origin isolated, so the wasm backend may use
// SharedArrayBuffer; --no-isolation serves it without them, to see the one-thread path.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPlayground } from './build-browser.mjs';

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json', '.png': 'image/png' };

/** Serves `dir` on loopback; resolves to the server once it listens. */
export function serve(dir, { port = 5173, isolated = true } = {}) {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(dir, path === '/' ? 'index.html' : path);
    try {
      const body = await readFile(file);
      const headers = { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' };
      if (isolated) Object.assign(headers, { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' });
      res.writeHead(200, headers).end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name) => { const i = process.argv.indexOf(name); return i === -1 ? undefined : process.argv[i + 1]; };
  const dir = await buildPlayground();
  const server = await serve(dir, { port: Number(arg('--port') ?? 5173), isolated: !process.argv.includes('--no-isolation') });
  const { port } = server.address();
  console.log(`lrlab playground: http://127.0.0.1:${port}/  (Ctrl-C stops it)`);
}
