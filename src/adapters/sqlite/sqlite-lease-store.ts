import { z } from 'zod';
import type { LeaseGrant, LeaseStore } from '../../ports/lease-store.ts';
import { iso, type SqliteDatabase } from './sqlite-database.ts';

// Rows come back from our own file, but a file can be old or edited: parse, never cast.
const leaseRow = z.object({
  name: z.string(),
  holder: z.string(),
  token: z.number(),
  expires_at: z.number(),
});

function toGrant(row: z.infer<typeof leaseRow>): LeaseGrant {
  return {
    name: row.name,
    holder: row.holder,
    token: row.token,
    expiresAt: iso(row.expires_at),
  };
}

/**
 * Leases on node:sqlite: one row per lease, taken in an IMMEDIATE transaction. The delivery
 * queue's fenced writes check the same rows (sqlite-delivery-queue.ts).
 */
export class SqliteLeaseStore implements LeaseStore {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  acquireLease(name: string, holder: string, ttlMs: number, now: Date): Promise<LeaseGrant | null> {
    const at = now.getTime();
    return Promise.resolve(
      this.#db.transaction(() => {
        const found = this.#db.db.prepare('SELECT * FROM leases WHERE name = ?').get(name);
        if (found === undefined) {
          this.#db.changes(
            'INSERT INTO leases (name, holder, token, expires_at) VALUES (?, ?, 1, ?)',
            name,
            holder,
            at + ttlMs,
          );
          return toGrant({ name, holder, token: 1, expires_at: at + ttlMs });
        }
        const lease = leaseRow.parse(found);
        if (lease.holder === holder) {
          this.#db.changes('UPDATE leases SET expires_at = ? WHERE name = ?', at + ttlMs, name);
          return toGrant({ ...lease, expires_at: at + ttlMs });
        }
        if (lease.expires_at > at) return null;
        const token = lease.token + 1;
        this.#db.changes(
          'UPDATE leases SET holder = ?, token = ?, expires_at = ? WHERE name = ?',
          holder,
          token,
          at + ttlMs,
          name,
        );
        return toGrant({ name, holder, token, expires_at: at + ttlMs });
      }),
    );
  }

  renewLease(grant: LeaseGrant, ttlMs: number, now: Date): Promise<LeaseGrant | null> {
    const expires = now.getTime() + ttlMs;
    const changes = this.#db.changes(
      'UPDATE leases SET expires_at = ? WHERE name = ? AND holder = ? AND token = ?',
      expires,
      grant.name,
      grant.holder,
      grant.token,
    );
    return Promise.resolve(changes === 1 ? { ...grant, expiresAt: iso(expires) } : null);
  }

  releaseLease(grant: LeaseGrant): Promise<void> {
    // Expire it rather than delete it: the token must keep growing for fencing to work.
    this.#db.changes(
      'UPDATE leases SET expires_at = 0 WHERE name = ? AND holder = ? AND token = ?',
      grant.name,
      grant.holder,
      grant.token,
    );
    return Promise.resolve();
  }
}
