// A throwaway PostgreSQL cluster for tests: initdb + pg_ctl from the Debian package's bin directory, in a temp
// dir, listening on 127.0.0.1 on a free port, trust authentication, stopped and deleted when the process exits.
// As root, initdb refuses to run, so the cluster is made and run by the `postgres` user (runuser). With
// LRLAB_TEST_POSTGRES_URL set, that server is used instead. When neither works, `postgresUrl()` resolves to
// { skip: reason } and the caller prints the reason.
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, chmodSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export type PostgresAvailability = { url: string } | { skip: string };

let cluster: Promise<PostgresAvailability> | null = null;

function binDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(root, versions[0], 'bin') : null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

async function start(): Promise<PostgresAvailability> {
  const given = process.env.LRLAB_TEST_POSTGRES_URL;
  if (given) return { url: given };
  const bin = binDir();
  if (!bin) return { skip: 'PostgreSQL is not installed (no /usr/lib/postgresql/<version>/bin/initdb); set LRLAB_TEST_POSTGRES_URL to use a server' };
  const asRoot = process.getuid?.() === 0;
  let uid: number | null = null, gid: number | null = null;
  if (asRoot) {
    const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gidOut = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    if (id.status !== 0) return { skip: "running as root and there is no 'postgres' user to run initdb as" };
    uid = Number(id.stdout.trim());
    gid = Number(gidOut.stdout.trim());
  }
  const dir = mkdtempSync(join(tmpdir(), 'lrlab-pg-'));
  chmodSync(dir, 0o700);
  if (uid !== null) chownSync(dir, uid, gid!);
  const run = (cmd: string, args: string[]) => {
    const [file, argv] = uid !== null ? ['runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]] : [join(bin, cmd), args];
    return execFileSync(file, argv, { stdio: 'pipe', encoding: 'utf8' });
  };
  const data = join(dir, 'data');
  try {
    run('initdb', ['-D', data, '-U', 'lrlab', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    const port = await freePort();
    run('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '60', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']);
    process.on('exit', () => {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } catch {
        // already gone
      }
      rmSync(dir, { recursive: true, force: true });
    });
    return { url: `postgresql://lrlab@127.0.0.1:${port}/postgres` };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const e = error as { stderr?: string; message: string };
    return { skip: `could not start a throwaway PostgreSQL cluster: ${(e.stderr || e.message).trim().split('\n').slice(-2).join(' ')}` };
  }
}

/** The URL of the test server (started on first use), or why there is none. */
export function postgresServer(): Promise<PostgresAvailability> {
  cluster ??= start();
  return cluster;
}

let counter = 0;

/** A new empty database on the test server, for one suite or test; or why there is none. */
export async function freshPostgresDatabase(): Promise<PostgresAvailability> {
  const server = await postgresServer();
  if ('skip' in server) return server;
  const name = `lrlab_test_${process.pid}_${++counter}`;
  const client = new pg.Client({ connectionString: server.url, connectionTimeoutMillis: 10000 });
  try {
    await client.connect();
    await client.query(`CREATE DATABASE ${name}`);
  } catch (error) {
    return { skip: `the PostgreSQL server at ${server.url.replace(/:[^:@/]*@/, ':***@')} is not reachable (${(error as Error).message})` };
  } finally {
    await client.end().catch(() => undefined);
  }
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  return { url: url.toString() };
}
