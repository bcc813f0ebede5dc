import pg from 'pg';
import { StorageError, redact, resolveHeartbeat, scrub, type HeartbeatOptions } from './base.js';
import { SqlStorage, type Query, type SqlDriver, type TransactionOptions } from './sql.js';

// Error codes of a connection that failed or went away, as opposed to a statement that failed: Node's socket
// errors, PostgreSQL's class 08 (connection exception) and 57P01-57P03 (the server shutting down, restarting or
// not yet accepting connections).
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', '57P01', '57P02', '57P03']);

/** Whether `error` says the connection failed (worth reconnecting), not the statement. */
export function isConnectionError(error: unknown): boolean {
  if (error === null || typeof error !== 'object') return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (CONNECTION_CODES.has(code) || code.startsWith('08'))) return true;
  // pg's own errors carry no code
  return typeof message === 'string' && /Connection terminated|connection error|not queryable|timeout exceeded when trying to connect/i.test(message);
}

/** A connection lost while COMMIT was on its way: the server may or may not have committed. */
class CommitInDoubt extends Error {
  constructor(readonly lost: unknown) {
    super('the connection was lost during COMMIT');
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The driver for a PostgreSQL server (`pg`): a small pool; each transaction takes one connection for its length.
 * Writers run at READ COMMITTED and lock the rows they change (the study row FOR UPDATE when numbering a trial);
 * readers run REPEATABLE READ so a study's trials, parameters and values come from one snapshot.
 *
 * A server that restarts or a network that drops is waited out: a transaction whose connection fails is rolled
 * back by the server, so it is run again on a new connection, after 50 ms, 100 ms, ... (at most 1 s apart) until
 * `reconnectFor` ms have passed, and then a StorageError names the URL. One case is not retried blindly: a
 * connection lost during COMMIT leaves the outcome unknown, so only writes that can safely run twice (see
 * TransactionOptions.idempotent) are run again; the others raise a StorageError saying so.
 */
class PostgresDriver implements SqlDriver {
  readonly dialect = 'postgresql' as const;
  /** Milliseconds to keep reconnecting; 0 while the storage opens, so that a wrong URL is reported at once. */
  reconnectFor = 0;

  constructor(private pool: pg.Pool, private url: string) {}

  transaction<T>(fn: (q: Query) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    return this.retrying(() => this.attempt(fn, options), options.readOnly === true || options.idempotent === true);
  }

  // every statement run on its own is an upsert of a value (insertIfRunning): running it twice changes nothing
  statement<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return this.retrying(async () => (await this.pool.query(sql, params as unknown[])).rows as T[], true);
  }

  private async attempt<T>(fn: (q: Query) => Promise<T>, options: TransactionOptions): Promise<T> {
    const client = await this.pool.connect();
    // the pool listens for errors of idle connections only: a connection that breaks while checked out emits
    // 'error' on the client, and an 'error' event that nobody listens to ends the process
    let broken: unknown = null;
    const onError = (error: unknown) => void (broken ??= error);
    client.on('error', onError);
    const q: Query = async <R>(sql: string, params: readonly unknown[] = []) => (await client.query(sql, params as unknown[])).rows as R[];
    let committing = false, lost = false;
    try {
      await client.query(options.readOnly ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : 'BEGIN');
      const result = await fn(q);
      committing = true;
      await client.query('COMMIT');
      return result;
    } catch (error) {
      lost = broken !== null || isConnectionError(error);
      if (!lost) await client.query('ROLLBACK').catch(() => undefined);
      if (lost && committing) throw new CommitInDoubt(error);
      throw lost && !isConnectionError(error) ? broken : error;
    } finally {
      client.off('error', onError);
      client.release(lost || broken !== null ? true : undefined); // true: a broken connection is closed, not reused
    }
  }

  private async retrying<T>(run: () => Promise<T>, safeToRepeat: boolean): Promise<T> {
    const started = Date.now();
    let wait = 50;
    for (;;) {
      try {
        return await run();
      } catch (error) {
        const inDoubt = error instanceof CommitInDoubt;
        const cause = inDoubt ? error.lost : error;
        if (!inDoubt && !isConnectionError(error)) throw error;
        const why = this.describe(cause);
        const code = (cause as { code?: string }).code;
        if (inDoubt && !safeToRepeat) {
          throw new StorageError(`storage ${redact(this.url)}: the connection was lost while committing, so whether this change was made is unknown: ${why}`, { code, cause });
        }
        if (Date.now() - started + wait > this.reconnectFor) {
          const tried = this.reconnectFor > 0 ? ` and did not come back within ${this.reconnectFor / 1000} s` : '';
          throw new StorageError(`storage ${redact(this.url)}: lost the connection to the server${tried}: ${why}`, { code, cause });
        }
        await sleep(wait);
        wait = Math.min(2 * wait, 1000);
      }
    }
  }

  describe(error: unknown): string {
    const e = error as { message?: string; code?: string };
    return scrub(e?.message || e?.code || String(error), this.url);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** Options of `PostgresStorage.open`: heartbeats, pool size and how long to wait for the server. */
export interface PostgresStorageOptions extends HeartbeatOptions {
  /** Connections in the pool. Default 4. */
  max?: number;
  /** Milliseconds to wait for a connection before failing. Default 10000. */
  connectionTimeout?: number;
  /**
   * Seconds to keep reconnecting when the server goes away (a restart, a failover, a dropped network) before a
   * call fails with a StorageError naming the URL. Default 60.
   */
  reconnectTimeout?: number;
}

/**
 * Studies in a PostgreSQL database (`postgresql://user:pass@host:port/db`) in Optuna's RDB schema, shared by
 * workers on many machines, lrlab's and Optuna's: the same statements as SQLite, every change one transaction. The tables are created when missing.
 * The storage survives a restart of the server: calls wait for it (see `reconnectTimeout`).
 */
export class PostgresStorage extends SqlStorage {
  /** Connects (an unreachable server or a refused login is an error naming the URL without its password) and sets up the tables. */
  static async open(url: string, options: PostgresStorageOptions = {}): Promise<PostgresStorage> {
    const fn = 'PostgresStorage';
    const heartbeat = resolveHeartbeat(fn, options, ['max', 'connectionTimeout', 'reconnectTimeout']);
    const reconnect = options.reconnectTimeout ?? 60;
    if (typeof reconnect !== 'number' || !(reconnect >= 0) || !Number.isFinite(reconnect)) {
      throw new RangeError(`${fn}: expected reconnectTimeout >= 0 seconds, got ${reconnect}`);
    }
    // allowExitOnIdle: an idle pool does not keep a finished script alive
    // timestamps without a zone (Optuna's datetimes) come as text, read by rdb-schema.ts as Python reads them;
    // pg's default would place them in this process's zone
    const types = { getTypeParser: (oid: number, format?: string) => (oid === 1114 ? (s: string) => s : pg.types.getTypeParser(oid, format as 'text')) };
    const pool = new pg.Pool({
      connectionString: url, max: options.max ?? 4, connectionTimeoutMillis: options.connectionTimeout ?? 10000, allowExitOnIdle: true, types,
    });
    pool.on('error', () => undefined); // an idle connection dropped by the server is replaced on next use
    const driver = new PostgresDriver(pool, url);
    const storage = new PostgresStorage(redact(url), driver, heartbeat, url);
    try {
      await storage.initLocked();
    } catch (error) {
      await pool.end().catch(() => undefined);
      const cause = error instanceof StorageError ? error.cause : error;
      // a RangeError is the set-up's own verdict (another Optuna schema version, a move that cannot finish)
      const what = error instanceof RangeError ? 'set up' : 'connect to';
      throw new RangeError(`storage: could not ${what} '${redact(url)}': ${driver.describe(cause)}`);
    }
    driver.reconnectFor = reconnect * 1000;
    storage.announceMigration();
    return storage;
  }

  /** CREATE TABLE IF NOT EXISTS races between sessions in PostgreSQL; an advisory lock makes set-up one at a time. */
  private async initLocked(): Promise<void> {
    await this.driver.transaction(async (q) => {
      await q('SELECT pg_advisory_xact_lock(7201969)');
      await this.init(q);
    });
  }
}
