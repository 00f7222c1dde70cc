import {
  checkpointCopyText,
  parseCheckpointCopy,
  type CheckpointCopy,
} from '../../domain/evidence/checkpoint-copy.ts';
import type { EvidenceRow } from '../../domain/evidence/evidence-row.ts';
import { CountersignError } from '../../domain/errors.ts';
import type { CheckpointArchive } from '../../ports/checkpoint-archive.ts';
import type { SqliteDatabase } from './sqlite-database.ts';

/** Checkpoint copies on node:sqlite: a row per number, inserted once, never replaced. */
export class SqliteCheckpointArchive implements CheckpointArchive {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  putCheckpoint(copy: CheckpointCopy): Promise<'created' | 'exists'> {
    const { number } = copy.record;
    const inserted = this.#db.changes(
      'INSERT OR IGNORE INTO checkpoints (number, record_hash, copy, stored_at) VALUES (?, ?, ?, ?)',
      number,
      copy.hash,
      checkpointCopyText(copy),
      Date.now(),
    );
    if (inserted === 1) return Promise.resolve('created');
    const held = this.#db.db
      .prepare('SELECT record_hash FROM checkpoints WHERE number = ?')
      .get(number) as { record_hash?: unknown } | undefined;
    if (held?.record_hash === copy.hash) return Promise.resolve('exists');
    return Promise.reject(
      new CountersignError('conflict', `The work store holds another checkpoint ${number}.`, {
        key: copy.record.id,
      }),
    );
  }

  latestCheckpoints(limit: number): Promise<EvidenceRow[]> {
    const rows = this.#db.db
      .prepare('SELECT number, copy FROM checkpoints ORDER BY number DESC LIMIT ?')
      .all(Math.max(0, Math.trunc(limit))) as { number: number; copy: string }[];
    return Promise.resolve(
      rows.map((row) => parseCheckpointCopy(row.copy, `work store checkpoint ${row.number}`)),
    );
  }
}
