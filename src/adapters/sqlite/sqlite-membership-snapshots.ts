import type { MembershipSnapshots } from '../../ports/membership-snapshots.ts';
import type { SqliteDatabase } from './sqlite-database.ts';

/** Membership snapshots on node:sqlite: a row per scope, and one per member seen in it. */
export class SqliteMembershipSnapshots implements MembershipSnapshots {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  recordMembers(
    scope: string,
    userIds: readonly string[],
    now: Date,
  ): Promise<{ baseline: boolean; added: string[] }> {
    return Promise.resolve(
      this.#db.transaction(() => {
        const baseline = this.#db.changes(
          'INSERT OR IGNORE INTO member_scopes (scope, first_seen_at) VALUES (?, ?)',
          scope,
          now.getTime(),
        );
        const insert = this.#db.db.prepare(
          'INSERT OR IGNORE INTO members_seen (scope, user_id, first_seen_at) VALUES (?, ?, ?)',
        );
        const added: string[] = [];
        for (const userId of userIds) {
          if (Number(insert.run(scope, userId, now.getTime()).changes) === 1) added.push(userId);
        }
        return baseline === 1 ? { baseline: true, added: [] } : { baseline: false, added };
      }),
    );
  }
}
