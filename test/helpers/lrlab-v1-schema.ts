// lrlab's own SQL schema before issue 21 (lrlab_* tables), copied from src/tune/storage/sql.ts as it was, so that
// the migration test can build a database in that layout without the old code. Frozen: never edit to follow the
// storage; it is the layout that old databases on users' disks have.

/** The DDL of lrlab's v1 tables, the same for SQLite and PostgreSQL but for the auto-increment key's spelling. */
export function lrlabV1Schema(dialect: 'sqlite' | 'postgresql'): string[] {
  const id = dialect === 'sqlite' ? 'INTEGER PRIMARY KEY AUTOINCREMENT' : 'BIGSERIAL PRIMARY KEY';
  return [
    `CREATE TABLE IF NOT EXISTS lrlab_studies (
      study_id ${id},
      study_name TEXT NOT NULL UNIQUE,
      direction TEXT NOT NULL CHECK (direction IN ('minimize', 'maximize')),
      user_attrs TEXT NOT NULL DEFAULT '{}'
    )`,
    `CREATE TABLE IF NOT EXISTS lrlab_trials (
      trial_id ${id},
      study_id BIGINT NOT NULL REFERENCES lrlab_studies (study_id) ON DELETE CASCADE,
      number BIGINT NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('running', 'waiting', 'complete', 'pruned', 'fail')),
      value TEXT,
      user_attrs TEXT NOT NULL DEFAULT '{}',
      system_attrs TEXT NOT NULL DEFAULT '{}',
      datetime_start BIGINT,
      datetime_complete BIGINT,
      heartbeat BIGINT,
      UNIQUE (study_id, number)
    )`,
    `CREATE TABLE IF NOT EXISTS lrlab_trial_params (
      trial_id BIGINT NOT NULL REFERENCES lrlab_trials (trial_id) ON DELETE CASCADE,
      name TEXT NOT NULL,
      distribution TEXT NOT NULL,
      value TEXT NOT NULL,
      PRIMARY KEY (trial_id, name)
    )`,
    `CREATE TABLE IF NOT EXISTS lrlab_trial_intermediate_values (
      trial_id BIGINT NOT NULL REFERENCES lrlab_trials (trial_id) ON DELETE CASCADE,
      step BIGINT NOT NULL,
      value TEXT NOT NULL,
      PRIMARY KEY (trial_id, step)
    )`,
    'CREATE INDEX IF NOT EXISTS lrlab_trials_study_state ON lrlab_trials (study_id, state)',
  ];
}
