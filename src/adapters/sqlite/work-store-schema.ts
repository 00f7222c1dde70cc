/** The WorkStore's tables; every statement idempotent so opening an existing file is safe. */
export const WORK_STORE_SCHEMA = `
CREATE TABLE IF NOT EXISTS store_identity (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  id TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS jobs (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  campaign_id TEXT,
  policy_key TEXT NOT NULL,
  version_number INTEGER NOT NULL,
  deadline INTEGER,
  status TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_by_campaign ON jobs (campaign_id);
CREATE INDEX IF NOT EXISTS jobs_by_version ON jobs (policy_key, version_number);

CREATE TABLE IF NOT EXISTS deliveries (
  seq INTEGER PRIMARY KEY,
  job_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  reason TEXT,
  not_before INTEGER NOT NULL,
  in_flight_at INTEGER,
  fence INTEGER,
  activity_id TEXT,
  variant TEXT,
  display_name TEXT,
  updated_at INTEGER NOT NULL,
  UNIQUE (job_id, user_id)
);
CREATE INDEX IF NOT EXISTS deliveries_queue ON deliveries (state, not_before, seq);
CREATE INDEX IF NOT EXISTS deliveries_by_user ON deliveries (user_id);

CREATE TABLE IF NOT EXISTS conversations (
  user_id TEXT PRIMARY KEY,
  conversation_id TEXT NOT NULL,
  service_url TEXT NOT NULL,
  tenant_id TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  user_mri TEXT
);

CREATE TABLE IF NOT EXISTS leases (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  token INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS markers (
  key TEXT PRIMARY KEY,
  at INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS member_scopes (
  scope TEXT PRIMARY KEY,
  first_seen_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS members_seen (
  scope TEXT NOT NULL,
  user_id TEXT NOT NULL,
  first_seen_at INTEGER NOT NULL,
  PRIMARY KEY (scope, user_id)
);

CREATE TABLE IF NOT EXISTS checkpoints (
  number INTEGER PRIMARY KEY,
  record_hash TEXT NOT NULL,
  copy TEXT NOT NULL,
  stored_at INTEGER NOT NULL
);
`;

/**
 * Columns added to tables after files were made with them: CREATE TABLE IF NOT EXISTS leaves an
 * existing table as it was, so each is added when missing (SQLite has no ADD COLUMN IF NOT
 * EXISTS). `table` and `column` are this file's own names, never input.
 */
export const ADDED_COLUMNS: readonly { table: string; column: string; definition: string }[] = [
  { table: 'conversations', column: 'user_mri', definition: 'user_mri TEXT' },
];
