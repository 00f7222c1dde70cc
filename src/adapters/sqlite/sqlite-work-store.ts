import { combineWorkStore, type WorkStore } from '../../ports/work-store.ts';
import { SqliteConversationRefs } from './sqlite-conversation-refs.ts';
import { SqliteDatabase, type SqliteDatabaseOptions } from './sqlite-database.ts';
import { SqliteDeliveryQueue } from './sqlite-delivery-queue.ts';
import { SqliteLeaseStore } from './sqlite-lease-store.ts';
import { SqliteMembershipSnapshots } from './sqlite-membership-snapshots.ts';
import { SqliteOnceMarkers } from './sqlite-once-markers.ts';

/**
 * The work store on node:sqlite: one file (or ':memory:'), one connection, a part per port.
 * Several processes on one host can share the file; the sender's writes are fenced by the
 * lease token inside the same statement.
 */
export function openSqliteWorkStore(options: SqliteDatabaseOptions): WorkStore {
  const db = new SqliteDatabase(options);
  return combineWorkStore({
    queue: new SqliteDeliveryQueue(db),
    leases: new SqliteLeaseStore(db),
    conversations: new SqliteConversationRefs(db),
    markers: new SqliteOnceMarkers(db),
    snapshots: new SqliteMembershipSnapshots(db),
    close: () => {
      db.close();
      return Promise.resolve();
    },
  });
}
