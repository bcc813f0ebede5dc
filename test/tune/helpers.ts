import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Asserts that `fn()` rejects with an error whose message matches `expected` (or that satisfies it). */
export async function rejects(fn: () => Promise<unknown>, expected: RegExp | ((e: unknown) => boolean)): Promise<void> {
  let error: unknown = null;
  let threw = false;
  try {
    await fn();
  } catch (e) {
    threw = true;
    error = e;
  }
  if (!threw) assert.unreachable(`expected a rejection matching ${String(expected)}, got none`);
  const message = error instanceof Error ? error.message : String(error);
  const ok = expected instanceof RegExp ? expected.test(message) : expected(error);
  assert.ok(ok, `expected a rejection matching ${String(expected)}, got: ${message}`);
}

/** A PostgreSQL cluster of a suite's own, which its tests may stop, start and restart. */
export interface OwnPostgres {
  url: string;
  /** pg_ctl restart -m fast: every connection is dropped, the server is back within about a second. */
  restart(): void;
  stop(): void;
  start(): void;
}

/**
 * A throwaway PostgreSQL cluster for this process alone (as test/helpers/postgres.ts makes the shared one, whose
 * restarts would disturb other suites): initdb in a temp dir, trust authentication, a free port on 127.0.0.1, run
 * by the `postgres` user when the tests run as root; stopped and deleted at exit. { skip: reason } when
 * PostgreSQL is not installed or the cluster cannot start.
 */
export async function ownPostgres(): Promise<OwnPostgres | { skip: string }> {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a)) : [];
  if (versions.length === 0) return { skip: 'PostgreSQL is not installed (no /usr/lib/postgresql/<version>/bin/initdb)' };
  const bin = join(root, versions[0], 'bin');
  let owner: [number, number] | null = null;
  if (process.getuid?.() === 0) {
    const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    if (uid.status !== 0) return { skip: "running as root and there is no 'postgres' user to run initdb as" };
    owner = [Number(uid.stdout.trim()), Number(gid.stdout.trim())];
  }
  const dir = mkdtempSync(join(tmpdir(), 'lrlab-own-pg-'));
  chmodSync(dir, 0o700);
  if (owner) chownSync(dir, owner[0], owner[1]);
  const data = join(dir, 'data');
  const run = (cmd: string, args: string[]) => {
    const [file, argv] = owner ? ['runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]] : [join(bin, cmd), args];
    execFileSync(file, argv, { stdio: 'pipe', encoding: 'utf8' });
  };
  const port = await new Promise<number>((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const p = (srv.address() as { port: number }).port;
      srv.close(() => resolve(p));
    });
  });
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  try {
    run('initdb', ['-D', data, '-U', 'lrlab', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    run('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '60', '-o', options, 'start']);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const e = error as { stderr?: string; message: string };
    return { skip: `could not start a PostgreSQL cluster: ${(e.stderr || e.message).trim().split('\n').slice(-2).join(' ')}` };
  }
  process.on('exit', () => {
    try {
      run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // already stopped
    }
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    url: `postgresql://lrlab@127.0.0.1:${port}/postgres`,
    restart: () => run('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '60', '-m', 'fast', '-o', options, 'restart']),
    stop: () => run('pg_ctl', ['-D', data, '-w', '-t', '60', '-m', 'fast', 'stop']),
    start: () => run('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '60', '-o', options, 'start']),
  };
}
