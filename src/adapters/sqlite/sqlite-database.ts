import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import { CountersignError } from '../../domain/errors.ts';
import { WORK_STORE_SCHEMA } from './work-store-schema.ts';

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
    if (options.path !== ':memory:') {
      this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;');
    }
    this.db.exec(WORK_STORE_SCHEMA);
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

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}

export const iso = (ms: number): string => new Date(ms).toISOString();

export function isoToMs(value: string, what: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new CountersignError('validation', `${what} is not a date.`);
  return ms;
}
