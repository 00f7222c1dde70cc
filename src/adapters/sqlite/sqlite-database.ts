import { randomUUID } from 'node:crypto';
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import { CountersignError } from '../../domain/errors.ts';
import type { IntegrityCheck } from '../../ports/work-store.ts';
import { ADDED_COLUMNS, WORK_STORE_SCHEMA } from './work-store-schema.ts';

export interface SqliteDatabaseOptions {
  /** A file path, or ':memory:'. */
  path: string;
}

/**
 * The one connection the work store's parts share. Every write is one statement or one
 * IMMEDIATE transaction, so several processes on one host can share the file (WAL, busy
 * timeout).
 */
export class SqliteDatabase {
  readonly db: DatabaseSync;

  constructor(options: SqliteDatabaseOptions) {
    this.db = new DatabaseSync(options.path, { timeout: 10_000 });
    try {
      if (options.path !== ':memory:') {
        this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;');
      }
      // A damaged file is found here, once, by name: not by the sender failing every turn.
      const check = this.db.prepare('PRAGMA quick_check').all();
      const verdict = check.map((row) => Object.values(row).join(' ')).join('; ');
      if (verdict !== 'ok') throw new WorkStoreDamagedError(options.path, verdict);
      this.db.exec(WORK_STORE_SCHEMA);
      this.#addMissingColumns();
      this.db
        .prepare(
          'INSERT OR IGNORE INTO store_identity (singleton, id, created_at) VALUES (1, ?, ?)',
        )
        .run(randomUUID(), new Date().toISOString());
    } catch (error) {
      this.close();
      if (error instanceof WorkStoreDamagedError) throw error;
      // SQLITE_CORRUPT (11) and SQLITE_NOTADB (26): the file is not a sound database. Anything
      // else (busy, permissions) is not damage and is thrown as it is.
      const code = (error as { errcode?: unknown }).errcode;
      if (code === 11 || code === 26) {
        throw new WorkStoreDamagedError(options.path, (error as Error).message, error);
      }
      throw error;
    }
  }

  #addMissingColumns(): void {
    for (const { table, column, definition } of ADDED_COLUMNS) {
      const columns = this.db.prepare(`PRAGMA table_info(${table})`).all();
      if (!columns.some((c) => c['name'] === column)) {
        this.db.exec(`ALTER TABLE ${table} ADD COLUMN ${definition}`);
      }
    }
  }

  transaction<T>(work: () => T): T {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = work();
      this.db.exec('COMMIT');
      return result;
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
  }

  /** Runs one statement; the number of rows it changed. */
  changes(sql: string, ...params: SQLInputValue[]): number {
    return Number(this.db.prepare(sql).run(...params).changes);
  }

  /**
   * SQLite's own check of the file (PRAGMA quick_check: every page and index entry readable,
   * without the slower cross-checks of integrity_check). A corrupt file answers with what is
   * wrong, or throws "database disk image is malformed": both are a problem, never an exception.
   */
  checkIntegrity(): IntegrityCheck {
    try {
      const rows = this.db.prepare('PRAGMA quick_check').all();
      const said = rows.map((row) => String(Object.values(row)[0]));
      if (said.length === 1 && said[0] === 'ok') return { ok: true };
      return { ok: false, problem: said.join('; ').slice(0, 500) || 'quick_check said nothing' };
    } catch (error) {
      return { ok: false, problem: error instanceof Error ? error.message : String(error) };
    }
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}

/** The work store file is damaged (corrupt, or not a database): it cannot be trusted or used. */
export class WorkStoreDamagedError extends CountersignError {
  constructor(path: string, verdict: string, cause?: unknown) {
    super(
      'unavailable',
      `The work store ${path} is damaged (${verdict}); its delivery records cannot be used.`,
      { path, reason: 'work-store-damaged' },
      cause === undefined ? undefined : { cause },
    );
  }
}

export const iso = (ms: number): string => new Date(ms).toISOString();

export function isoToMs(value: string, what: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new CountersignError('validation', `${what} is not a date.`);
  return ms;
}
