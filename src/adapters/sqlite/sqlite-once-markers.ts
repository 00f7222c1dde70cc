import type { OnceMarkers } from '../../ports/once-markers.ts';
import type { SqliteDatabase } from './sqlite-database.ts';

/** Once-markers on node:sqlite: a row per key, inserted once. */
export class SqliteOnceMarkers implements OnceMarkers {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  markOnce(key: string, now: Date): Promise<boolean> {
    return Promise.resolve(
      this.#db.changes(
        'INSERT OR IGNORE INTO markers (key, at) VALUES (?, ?)',
        key,
        now.getTime(),
      ) === 1,
    );
  }

  isMarked(key: string): Promise<boolean> {
    return Promise.resolve(
      this.#db.db.prepare('SELECT 1 FROM markers WHERE key = ?').get(key) !== undefined,
    );
  }
}
