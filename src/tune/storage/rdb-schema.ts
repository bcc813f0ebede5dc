// Optuna's RDB schema as Debian's python3-optuna 3.1 creates it (optuna/storages/_rdb/models.py through SQLAlchemy
// 1.4, alembic head v3.0.0.d): the same tables, columns, constraints and enum spellings, so that `optuna.load_study`
// opens what lrlab writes. The DDL below is what SQLAlchemy emits (SQLite) and what pg_dump shows (PostgreSQL),
// with IF NOT EXISTS. Times: trials' datetimes are the writer's local time without a zone (Python's
// datetime.now()); heartbeats are the database's clock (CURRENT_TIMESTAMP: UTC in SQLite, the session's zone in
// PostgreSQL), in whole seconds, as Optuna compares them.

/** The alembic revision Optuna 3.0 and 3.1 create and accept. */
export const ALEMBIC_HEAD = 'v3.0.0.d';
/** version_info's row as Optuna 3.1 writes it (SCHEMA_VERSION is frozen at 12 since alembic took over). */
export const VERSION_INFO = { schemaVersion: 12, libraryVersion: '3.1.0' } as const;

/** Every table of the schema, children first (the order to delete a study's rows in). */
export const TABLES = [
  'trial_heartbeats', 'trial_values', 'trial_intermediate_values', 'trial_params', 'trial_user_attributes',
  'trial_system_attributes', 'trials', 'study_directions', 'study_user_attributes', 'study_system_attributes', 'studies',
  'version_info', 'alembic_version',
] as const;

/** The CREATE statements of Optuna's schema for one dialect. */
export function rdbSchema(dialect: 'sqlite' | 'postgresql'): string[] {
  const pg = dialect === 'postgresql';
  // SQLAlchemy's Integer primary key: SQLite's rowid alias, PostgreSQL's SERIAL (integer + sequence table_col_seq)
  const key = (col: string) => (pg ? `${col} SERIAL NOT NULL` : `${col} INTEGER NOT NULL`);
  const enumType = (pgName: string, sqliteLength: number) => (pg ? pgName : `VARCHAR(${sqliteLength})`);
  const datetime = pg ? 'TIMESTAMP WITHOUT TIME ZONE' : 'DATETIME';
  const float = pg ? 'DOUBLE PRECISION' : 'FLOAT';
  const attrs = (table: string, id: string, owner: string, ownerTable: string) => `CREATE TABLE IF NOT EXISTS ${table} (
	${key(id)},
	${owner} INTEGER,
	"key" VARCHAR(512),
	value_json TEXT,
	PRIMARY KEY (${id}),
	UNIQUE (${owner}, "key"),
	FOREIGN KEY(${owner}) REFERENCES ${ownerTable} (${owner})
)`;
  const types = pg
    ? [
      ['studydirection', "'NOT_SET', 'MINIMIZE', 'MAXIMIZE'"],
      ['trialintermediatevaluetype', "'FINITE', 'INF_POS', 'INF_NEG', 'NAN'"],
      ['trialstate', "'RUNNING', 'COMPLETE', 'PRUNED', 'FAIL', 'WAITING'"],
      ['trialvaluetype', "'FINITE', 'INF_POS', 'INF_NEG'"],
    ].map(([name, labels]) => `DO $$ BEGIN CREATE TYPE ${name} AS ENUM (${labels}); EXCEPTION WHEN duplicate_object THEN NULL; END $$`)
    : [];
  return [
    ...types,
    `CREATE TABLE IF NOT EXISTS studies (
	${key('study_id')},
	study_name VARCHAR(512) NOT NULL,
	PRIMARY KEY (study_id)
)`,
    'CREATE UNIQUE INDEX IF NOT EXISTS ix_studies_study_name ON studies (study_name)',
    `CREATE TABLE IF NOT EXISTS version_info (
	version_info_id INTEGER NOT NULL,
	schema_version INTEGER,
	library_version VARCHAR(256),
	PRIMARY KEY (version_info_id),
	CHECK (version_info_id=1)
)`,
    `CREATE TABLE IF NOT EXISTS study_directions (
	${key('study_direction_id')},
	direction ${enumType('studydirection', 8)} NOT NULL,
	study_id INTEGER NOT NULL,
	objective INTEGER NOT NULL,
	PRIMARY KEY (study_direction_id),
	UNIQUE (study_id, objective),
	FOREIGN KEY(study_id) REFERENCES studies (study_id)
)`,
    attrs('study_user_attributes', 'study_user_attribute_id', 'study_id', 'studies'),
    attrs('study_system_attributes', 'study_system_attribute_id', 'study_id', 'studies'),
    `CREATE TABLE IF NOT EXISTS trials (
	${key('trial_id')},
	number INTEGER,
	study_id INTEGER,
	state ${enumType('trialstate', 8)} NOT NULL,
	datetime_start ${datetime},
	datetime_complete ${datetime},
	PRIMARY KEY (trial_id),
	FOREIGN KEY(study_id) REFERENCES studies (study_id)
)`,
    attrs('trial_user_attributes', 'trial_user_attribute_id', 'trial_id', 'trials'),
    attrs('trial_system_attributes', 'trial_system_attribute_id', 'trial_id', 'trials'),
    `CREATE TABLE IF NOT EXISTS trial_params (
	${key('param_id')},
	trial_id INTEGER,
	param_name VARCHAR(512),
	param_value ${float},
	distribution_json TEXT,
	PRIMARY KEY (param_id),
	UNIQUE (trial_id, param_name),
	FOREIGN KEY(trial_id) REFERENCES trials (trial_id)
)`,
    `CREATE TABLE IF NOT EXISTS trial_values (
	${key('trial_value_id')},
	trial_id INTEGER NOT NULL,
	objective INTEGER NOT NULL,
	value ${float},
	value_type ${enumType('trialvaluetype', 7)} NOT NULL,
	PRIMARY KEY (trial_value_id),
	UNIQUE (trial_id, objective),
	FOREIGN KEY(trial_id) REFERENCES trials (trial_id)
)`,
    `CREATE TABLE IF NOT EXISTS trial_intermediate_values (
	${key('trial_intermediate_value_id')},
	trial_id INTEGER NOT NULL,
	step INTEGER NOT NULL,
	intermediate_value ${float},
	intermediate_value_type ${enumType('trialintermediatevaluetype', 7)} NOT NULL,
	PRIMARY KEY (trial_intermediate_value_id),
	UNIQUE (trial_id, step),
	FOREIGN KEY(trial_id) REFERENCES trials (trial_id)
)`,
    `CREATE TABLE IF NOT EXISTS trial_heartbeats (
	${key('trial_heartbeat_id')},
	trial_id INTEGER NOT NULL,
	heartbeat ${datetime} NOT NULL,
	PRIMARY KEY (trial_heartbeat_id),
	UNIQUE (trial_id),
	FOREIGN KEY(trial_id) REFERENCES trials (trial_id)
)`,
    `CREATE TABLE IF NOT EXISTS alembic_version (
	version_num VARCHAR(32) NOT NULL,
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
)`,
  ];
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** A datetime as SQLAlchemy stores Python's naive datetime.now(): local time, 'YYYY-MM-DD HH:MM:SS.ffffff'. */
export function toDbDatetime(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}000`;
}

const STAMP = /^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:\.(\d+))?/;

/** Reads a stored naive datetime as local time (milliseconds: a Python datetime's microseconds are cut). */
export function fromDbDatetime(text: string | null): Date | null {
  if (text === null) return null;
  const m = STAMP.exec(text);
  if (!m) throw new RangeError(`storage: expected a datetime 'YYYY-MM-DD HH:MM:SS', got '${text}'`);
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms);
}

/** Milliseconds of a stored naive datetime read as UTC: for differences between two stamps of one clock. */
export function stampMs(text: string): number {
  const m = STAMP.exec(text);
  if (!m) throw new RangeError(`storage: expected a datetime 'YYYY-MM-DD HH:MM:SS', got '${text}'`);
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms);
}
