import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The emulator's SQLite file. List items are JSON documents in one table; a column marked
 * `indexed` gets a SQL expression index on `json_extract(fields, '$."Name"')` so filters on it stay
 * fast past SharePoint's 5,000-item threshold, as they do in SharePoint.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sites (
  id TEXT PRIMARY KEY, hostname TEXT NOT NULL, path TEXT NOT NULL, data TEXT NOT NULL,
  UNIQUE (hostname, path)
);
CREATE TABLE IF NOT EXISTS lists (
  id TEXT PRIMARY KEY, site_id TEXT NOT NULL, name TEXT NOT NULL, display_name TEXT NOT NULL,
  data TEXT NOT NULL, next_item_id INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS lists_by_site ON lists (site_id, display_name COLLATE NOCASE);
CREATE TABLE IF NOT EXISTS columns (
  list_id TEXT NOT NULL, name TEXT NOT NULL COLLATE NOCASE, position INTEGER NOT NULL,
  def TEXT NOT NULL, PRIMARY KEY (list_id, name)
);
CREATE TABLE IF NOT EXISTS items (
  list_id TEXT NOT NULL, id INTEGER NOT NULL, etag_guid TEXT NOT NULL, version INTEGER NOT NULL,
  created TEXT NOT NULL, modified TEXT NOT NULL, fields TEXT NOT NULL,
  PRIMARY KEY (list_id, id)
);
CREATE TABLE IF NOT EXISTS drive_items (
  id TEXT PRIMARY KEY, drive_id TEXT NOT NULL, name TEXT NOT NULL COLLATE NOCASE,
  content BLOB NOT NULL, version INTEGER NOT NULL, created TEXT NOT NULL, modified TEXT NOT NULL,
  UNIQUE (drive_id, name)
);
CREATE TABLE IF NOT EXISTS users (
  id TEXT PRIMARY KEY, upn TEXT NOT NULL UNIQUE COLLATE NOCASE, data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS groups (id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS members (
  group_id TEXT NOT NULL, member_id TEXT NOT NULL, member_type TEXT NOT NULL,
  PRIMARY KEY (group_id, member_id)
);
CREATE TABLE IF NOT EXISTS teams_apps (
  id TEXT PRIMARY KEY, external_id TEXT NOT NULL UNIQUE, data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS app_installations (
  id TEXT PRIMARY KEY, user_id TEXT NOT NULL, app_id TEXT NOT NULL, chat_id TEXT NOT NULL,
  created TEXT NOT NULL, UNIQUE (user_id, app_id)
);
`;

export function openEmulatorDatabase(path: string): DatabaseSync {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  if (path !== ':memory:') {
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = NORMAL');
  }
  db.exec(SCHEMA);
  return db;
}

export function readMeta(db: DatabaseSync, key: string): string | undefined {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(key);
  return row === undefined ? undefined : String(row.value);
}

export function writeMeta(db: DatabaseSync, key: string, value: string): void {
  db.prepare(
    'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = ?',
  ).run(key, value, value);
}

let savepoints = 0;
const rollbackListeners = new WeakMap<DatabaseSync, (() => void)[]>();

/** In-memory caches register here so a rolled-back write cannot leave them stale. */
export function onRollback(db: DatabaseSync, listener: () => void): void {
  rollbackListeners.set(db, [...(rollbackListeners.get(db) ?? []), listener]);
}

function rolledBack(db: DatabaseSync): void {
  for (const listener of rollbackListeners.get(db) ?? []) listener();
}

/**
 * Runs `work` in one transaction (node:sqlite has no helper for it). Inside an open transaction
 * it uses a savepoint, so a failed step undoes only its own writes (a `$batch` runs its requests
 * in one transaction, one savepoint each: one commit per batch, each request still on its own).
 */
export function inTransaction<T>(db: DatabaseSync, work: () => T): T {
  if (db.isTransaction) {
    savepoints += 1;
    const name = `sp${savepoints}`;
    db.exec(`SAVEPOINT ${name}`);
    try {
      const result = work();
      db.exec(`RELEASE ${name}`);
      return result;
    } catch (error) {
      db.exec(`ROLLBACK TO ${name}`);
      db.exec(`RELEASE ${name}`);
      rolledBack(db);
      throw error;
    }
  }
  db.exec('BEGIN');
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    db.exec('ROLLBACK');
    rolledBack(db);
    throw error;
  }
}

/** Runs `work` under a savepoint that is kept only when `keep(result)` (inside a transaction). */
export function keepIf<T>(db: DatabaseSync, work: () => T, keep: (result: T) => boolean): T {
  savepoints += 1;
  const name = `sp${savepoints}`;
  db.exec(`SAVEPOINT ${name}`);
  let kept = false;
  try {
    const result = work();
    kept = keep(result);
    return result;
  } finally {
    if (!kept) db.exec(`ROLLBACK TO ${name}`);
    db.exec(`RELEASE ${name}`);
    if (!kept) rolledBack(db);
  }
}

/** The SQL expression the filter compiler and the column indexes share (they must match). */
export function fieldExpression(columnName: string): string {
  return `json_extract(fields, '$."${columnName}"')`;
}

export function ensureColumnIndex(db: DatabaseSync, columnName: string): void {
  db.exec(
    `CREATE INDEX IF NOT EXISTS "items_f_${columnName}" ON items (list_id, ${fieldExpression(columnName)} COLLATE NOCASE, id)`,
  );
}

const statementCaches = new WeakMap<DatabaseSync, Map<string, StatementSync>>();

/** A prepared statement, compiled once per database: preparing costs more than running. */
export function cachedStatement(db: DatabaseSync, sql: string): StatementSync {
  let cache = statementCaches.get(db);
  if (cache === undefined) {
    cache = new Map();
    statementCaches.set(db, cache);
  }
  let statement = cache.get(sql);
  if (statement === undefined) {
    statement = db.prepare(sql);
    cache.set(sql, statement);
  }
  return statement;
}
