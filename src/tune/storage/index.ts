import { redact, type HeartbeatOptions, type Storage } from './base.js';

export { redact };
import { InMemoryStorage } from './memory.js';

/** Where a storage URL points. */
export type StorageLocation =
  | { kind: 'sqlite'; path: string }
  | { kind: 'postgresql'; url: string };

/**
 * Reads a storage URL: `sqlite:///relative/or/absolute.db` (Optuna's and SQLAlchemy's form: three slashes and a
 * relative path, four for an absolute one) or `postgresql://user:pass@host:port/db` (`postgres://` too).
 */
export function parseStorageUrl(url: string): StorageLocation {
  const fn = 'storage';
  if (typeof url !== 'string') throw new TypeError(`${fn}: expected a URL string or a Storage, got ${typeof url}`);
  if (url.startsWith('sqlite:')) {
    const m = /^sqlite:\/\/\/(.+)$/.exec(url);
    if (!m) throw new RangeError(`${fn}: expected 'sqlite:///path/to/file.db', got '${url}'`);
    return { kind: 'sqlite', path: m[1] };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new RangeError(`${fn}: expected 'postgresql://user:pass@host:port/db' (with / @ : in the password percent-encoded: %2F %40 %3A), got '${redact(url)}'`);
    }
    if (!parsed.hostname || parsed.pathname.length <= 1) {
      throw new RangeError(`${fn}: expected 'postgresql://user:pass@host:port/db' with a host and a database, got '${redact(url)}'`);
    }
    return { kind: 'postgresql', url };
  }
  throw new RangeError(`${fn}: expected a URL starting with sqlite:/// or postgresql://, got '${redact(url)}'`);
}

/**
 * The storage behind a study: a fresh in-memory storage for undefined, the given Storage itself, or one opened
 * from a URL (`sqlite:///...`, `postgresql://...`), checked by connecting to it. SQLite and PostgreSQL hold
 * studies in Optuna 3.1's RDB schema, which Optuna's `optuna.load_study(study_name, storage=url)` opens (the same
 * URL). Heartbeat options apply to storages opened here.
 */
export async function getStorage(storage?: string | Storage, options: HeartbeatOptions = {}): Promise<Storage> {
  if (storage === undefined || storage === null) return new InMemoryStorage(options);
  if (typeof storage === 'object' && typeof (storage as Storage).createTrial === 'function') return storage;
  if (typeof storage !== 'string') throw new TypeError(`storage: expected a URL string or a Storage, got ${typeof storage}`);
  const location = parseStorageUrl(storage);
  if (location.kind === 'sqlite') {
    const { SqliteStorage } = await import('./sqlite.js');
    return SqliteStorage.open(location.path, options);
  }
  const { PostgresStorage } = await import('./postgres.js');
  return PostgresStorage.open(location.url, options);
}
