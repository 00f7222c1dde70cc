import { existsSync, renameSync } from 'node:fs';
import { combineWorkStore, type WorkStore } from '../../ports/work-store.ts';
import { SqliteCheckpointArchive } from './sqlite-checkpoint-archive.ts';
import { SqliteConversationRefs } from './sqlite-conversation-refs.ts';
import {
  SqliteDatabase,
  WorkStoreDamagedError,
  type SqliteDatabaseOptions,
} from './sqlite-database.ts';
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
    checkIntegrity: () => Promise.resolve(db.checkIntegrity()),
    checkpoints: new SqliteCheckpointArchive(db),
    close: () => {
      db.close();
      return Promise.resolve();
    },
  });
}

/** What happened to a damaged work store file when it was set aside. */
export interface SetAside {
  path: string;
  /** Where the damaged file (and its -wal/-shm) now is, kept for investigation. */
  movedTo: string;
  reason: string;
}

/**
 * Opens the work store; a damaged file is moved aside (never deleted: it is the only record of
 * who was sent what) and a fresh, empty store opened in its place. The fresh store has a new
 * identity, so every campaign launched in the old one shows "delivery records lost" instead
 * of quietly counting from zero; `onSetAside` must tell an operator.
 */
export function openSqliteWorkStoreSettingAsideDamage(
  options: SqliteDatabaseOptions,
  onSetAside: (event: SetAside) => void,
  now: () => Date = () => new Date(),
): WorkStore {
  try {
    return openSqliteWorkStore(options);
  } catch (error) {
    if (!(error instanceof WorkStoreDamagedError) || options.path === ':memory:') throw error;
    const movedTo = `${options.path}.damaged-${now().toISOString().replace(/[:.]/g, '-')}`;
    for (const suffix of ['', '-wal', '-shm']) {
      if (existsSync(options.path + suffix)) renameSync(options.path + suffix, movedTo + suffix);
    }
    onSetAside({ path: options.path, movedTo, reason: error.message });
    return openSqliteWorkStore(options);
  }
}
