import { TableClient, type TableServiceClientOptions } from '@azure/data-tables';
import { CountersignError } from '../../domain/errors.ts';
import { storageError } from './table-errors.ts';
import { TABLE_PREFIX_PATTERN, tableName } from './table-keys.ts';

export interface AzureTablesWorkStoreOptions {
  /** A storage account connection string (Azurite's for local runs and tests). */
  connectionString: string;
  /** Letters and digits; table names are `<prefix>Jobs`, `<prefix>Deliveries`, …. */
  tablePrefix?: string;
  /** Passed to every TableClient (retry options, extra pipeline policies). */
  clientOptions?: TableServiceClientOptions;
  /**
   * How long the sender reuses its list of running jobs (default 2 s): how long a campaign
   * launched on another instance may wait to be noticed by the sender.
   */
  jobsRecheckMs?: number;
  /**
   * How long a job with nothing due is left unread by nextQueued while its entity is unchanged
   * (default 10 minutes: any instance's enqueue changes the entity, so this is a safety net).
   */
  quietRecheckMs?: number;
}

const TABLE_KEYS = [
  'Jobs',
  'Deliveries',
  'Leases',
  'Conversations',
  'Markers',
  'Members',
  'Checkpoints',
] as const;
type TableKey = (typeof TABLE_KEYS)[number];
export type TableClients = Record<TableKey, TableClient>;

/** The work store's connection: a client per table, the tables created when missing. */
export async function openTableClients(
  options: AzureTablesWorkStoreOptions,
): Promise<TableClients> {
  const prefix = options.tablePrefix ?? 'countersign';
  if (!TABLE_PREFIX_PATTERN.test(prefix)) {
    throw new CountersignError(
      'validation',
      'The table prefix must be a letter followed by up to 40 letters or digits.',
      { prefix },
    );
  }
  // Azurite (and only a local emulator) is reached over plain http.
  const local = /TableEndpoint=http:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]/i.test(
    options.connectionString,
  );
  const clients = {} as TableClients;
  for (const key of TABLE_KEYS) {
    clients[key] = TableClient.fromConnectionString(
      options.connectionString,
      tableName(prefix, key),
      { ...options.clientOptions, ...(local ? { allowInsecureConnection: true } : {}) },
    );
  }
  try {
    await Promise.all(TABLE_KEYS.map((key) => clients[key].createTable()));
  } catch (error) {
    throw storageError(error, 'create the work store tables');
  }
  return clients;
}
