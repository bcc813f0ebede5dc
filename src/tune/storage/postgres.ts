import pg from 'pg';
import { redact, resolveHeartbeat, type HeartbeatOptions } from './base.js';
import { SqlStorage, schema, type Query, type SqlDriver } from './sql.js';

/**
 * The driver for a PostgreSQL server (`pg`): a small pool; each transaction takes one connection for its length.
 * Writers run at READ COMMITTED and lock the rows they change (the study row FOR UPDATE when numbering a trial);
 * readers run REPEATABLE READ so a study's trials, parameters and values come from one snapshot.
 */
class PostgresDriver implements SqlDriver {
  readonly dialect = 'postgresql' as const;
  constructor(private pool: pg.Pool) {}

  async transaction<T>(fn: (q: Query) => Promise<T>, options: { readOnly?: boolean } = {}): Promise<T> {
    const client = await this.pool.connect();
    const q: Query = async <R>(sql: string, params: readonly unknown[] = []) => (await client.query(sql, params as unknown[])).rows as R[];
    try {
      await client.query(options.readOnly ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : 'BEGIN');
      const result = await fn(q);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async statement<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return (await this.pool.query(sql, params as unknown[])).rows as T[];
  }

  // the server's clock, so that workers on machines whose clocks differ judge heartbeats alike
  async now(q: Query): Promise<number> {
    const rows = await q<{ ms: string }>("SELECT (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT AS ms");
    return Number(rows[0].ms);
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
}

/**
 * Studies in a PostgreSQL database (`postgresql://user:pass@host:port/db`), shared by workers on many machines:
 * the same schema and statements as SQLite, every change one transaction. The tables are created when missing.
 */
export class PostgresStorage extends SqlStorage {
  /** Connects (an unreachable server or a refused login is an error naming the URL without its password) and sets up the tables. */
  static async open(url: string, options: PostgresStorageOptions = {}): Promise<PostgresStorage> {
    const heartbeat = resolveHeartbeat('PostgresStorage', options);
    // allowExitOnIdle: an idle pool does not keep a finished script alive
    const pool = new pg.Pool({
      connectionString: url, max: options.max ?? 4, connectionTimeoutMillis: options.connectionTimeout ?? 10000, allowExitOnIdle: true,
    });
    pool.on('error', () => undefined); // an idle connection dropped by the server is replaced on next use
    const storage = new PostgresStorage(redact(url), new PostgresDriver(pool), heartbeat, url);
    try {
      await storage.initLocked();
    } catch (error) {
      await pool.end().catch(() => undefined);
      const e = error as Error & { code?: string };
      throw new RangeError(`storage: could not connect to '${redact(url)}': ${e.message || e.code || String(error)}`);
    }
    return storage;
  }

  /** CREATE TABLE IF NOT EXISTS races between sessions in PostgreSQL; an advisory lock makes set-up one at a time. */
  private async initLocked(): Promise<void> {
    await this.driver.transaction(async (q) => {
      await q('SELECT pg_advisory_xact_lock(7201969)');
      for (const statement of schema('postgresql')) await q(statement);
    });
  }
}
