import Database from 'better-sqlite3';
import { StorageError, resolveHeartbeat, type HeartbeatOptions } from './base.js';
import { SqlStorage, type Query, type SqlDriver } from './sql.js';

/**
 * The driver for one SQLite file (better-sqlite3). better-sqlite3 is synchronous, so a transaction that awaits
 * between statements could interleave with another async task's statements on the same connection: every
 * transaction therefore holds this connection's queue until it ends. Writers start with BEGIN IMMEDIATE, taking
 * the file's write lock up front (no deadlocking lock upgrades between processes); readers see a consistent
 * snapshot (WAL), and a busy file is waited on for up to `busyTimeout` ms. SQLite's own errors (a corrupt page, a
 * read-only file, a full disk) become StorageErrors naming the URL: better-sqlite3's messages name no file.
 */
class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite' as const;
  private db: Database.Database;
  private queue: Promise<unknown> = Promise.resolve();
  private statements = new Map<string, Database.Statement>();

  constructor(db: Database.Database, private url: string) {
    this.db = db;
  }

  private wrap(error: unknown): unknown {
    if (!(error instanceof Database.SqliteError)) return error;
    return new StorageError(`storage ${this.url}: ${error.message} (${error.code})`, { code: error.code, cause: error });
  }

  private run = async <T>(sql: string, params: readonly unknown[] = []): Promise<T[]> => {
    try {
      return this.runRaw<T>(sql, params);
    } catch (error) {
      throw this.wrap(error);
    }
  };

  private runRaw<T>(sql: string, params: readonly unknown[]): T[] {
    // $1, $2 ... (PostgreSQL's placeholders, used by the shared statements) become ?, with the values reordered
    let stmt = this.statements.get(sql);
    const order: number[] = [];
    const text = sql.replace(/\$(\d+)/g, (_, n: string) => {
      order.push(Number(n) - 1);
      return '?';
    });
    if (!stmt) {
      stmt = this.db.prepare(text);
      this.statements.set(sql, stmt);
    }
    const values = order.map((i) => params[i]);
    return (stmt.reader ? stmt.all(...values) : (stmt.run(...values), [])) as T[];
  }

  transaction<T>(fn: (q: Query) => Promise<T>, options: { readOnly?: boolean } = {}): Promise<T> {
    const next = this.queue.then(async () => {
      try {
        this.db.exec(options.readOnly ? 'BEGIN' : 'BEGIN IMMEDIATE');
        const result = await fn(this.run as Query);
        this.db.exec('COMMIT');
        return result;
      } catch (error) {
        try {
          if (this.db.inTransaction) this.db.exec('ROLLBACK');
        } catch {
          // the error that made the transaction fail is the one to report
        }
        throw this.wrap(error);
      }
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  statement<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    const next = this.queue.then(() => this.run<T>(sql, params));
    this.queue = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    await this.queue;
    this.db.close();
  }
}

/** Options of `SqliteStorage.open`: heartbeats, and how long to wait for a file another process is writing. */
export interface SqliteStorageOptions extends HeartbeatOptions {
  /** Milliseconds to wait for the write lock before failing. Default 60000. */
  busyTimeout?: number;
}

/**
 * Studies in one SQLite file (`sqlite:///path/to/study.db`) in Optuna's RDB schema, shared safely by the processes
 * of one machine, lrlab's and Optuna's: write-ahead logging, and every change one transaction. Opened with `SqliteStorage.open(path)` or through a URL.
 */
export class SqliteStorage extends SqlStorage {
  /**
   * Opens (creating when missing) the file and Optuna's tables, moving lrlab's earlier tables in (said once on
   * stderr); a directory that does not exist, a file that is not a database or one of another Optuna schema
   * version is an error naming the URL.
   */
  static async open(path: string, options: SqliteStorageOptions = {}): Promise<SqliteStorage> {
    const url = `sqlite:///${path}`;
    const heartbeat = resolveHeartbeat('SqliteStorage', options, ['busyTimeout']);
    let db: Database.Database;
    try {
      db = new Database(path, { timeout: options.busyTimeout ?? 60000 });
      db.pragma('journal_mode = WAL');
      db.pragma('foreign_keys = ON');
    } catch (error) {
      throw new RangeError(`storage: could not open '${url}': ${(error as Error).message}`);
    }
    const storage = new SqliteStorage(url, new SqliteDriver(db, url), heartbeat);
    try {
      await storage.driver.transaction((q) => storage.init(q));
    } catch (error) {
      db.close();
      // a database error of a file that opened (a corrupt page met while reading the schema version) names its code
      if (error instanceof StorageError) throw error;
      throw new RangeError(`storage: could not set up '${url}': ${((error as Error).cause as Error | undefined ?? (error as Error)).message}`);
    }
    storage.announceMigration();
    return storage;
  }
}
