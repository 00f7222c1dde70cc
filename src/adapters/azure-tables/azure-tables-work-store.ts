import { combineWorkStore, type WorkStore } from '../../ports/work-store.ts';
import { AzureTablesCheckpointArchive } from './azure-tables-checkpoint-archive.ts';
import { AzureTablesConversationRefs } from './azure-tables-conversation-refs.ts';
import { AzureTablesDeliveryQueue } from './azure-tables-delivery-queue.ts';
import { AzureTablesLeaseStore } from './azure-tables-lease-store.ts';
import { AzureTablesMembershipSnapshots } from './azure-tables-membership-snapshots.ts';
import { AzureTablesOnceMarkers } from './azure-tables-once-markers.ts';
import { HeldLeases } from './held-leases.ts';
import { openTableClients, type AzureTablesWorkStoreOptions } from './table-clients.ts';
import { storageError } from './table-errors.ts';

/**
 * The work store on Azure Table storage, for several instances of the service: connects,
 * creates the tables that are missing, and puts a part per port on them (README.md has the
 * layout and how each port's promises are kept).
 */
export async function openAzureTablesWorkStore(
  options: AzureTablesWorkStoreOptions,
): Promise<WorkStore> {
  const tables = await openTableClients(options);
  // The leases this process holds, shared: a claim fenced by a young grant of ours needs no read.
  const held = new HeldLeases();
  const queue = new AzureTablesDeliveryQueue(
    { jobs: tables.Jobs, deliveries: tables.Deliveries, leases: tables.Leases },
    {
      held,
      ...(options.quietRecheckMs === undefined ? {} : { quietRecheckMs: options.quietRecheckMs }),
      ...(options.jobsRecheckMs === undefined ? {} : { jobsRecheckMs: options.jobsRecheckMs }),
    },
  );
  return combineWorkStore({
    queue,
    leases: new AzureTablesLeaseStore(tables.Leases, held),
    conversations: new AzureTablesConversationRefs(tables.Conversations),
    markers: new AzureTablesOnceMarkers(tables.Markers),
    snapshots: new AzureTablesMembershipSnapshots(tables.Members),
    // Table storage keeps its own data whole; what can go wrong here is reaching it (or the
    // tables having been deleted): one small read of each table says both.
    checkIntegrity: async () => {
      try {
        await Promise.all(
          Object.values(tables).map(async (table) => {
            const pages = table.listEntities({ queryOptions: { select: ['PartitionKey'] } });
            await pages.byPage({ maxPageSize: 1 }).next();
          }),
        );
        return { ok: true };
      } catch (error) {
        return { ok: false, problem: storageError(error, 'read the work store tables').message };
      }
    },
    checkpoints: new AzureTablesCheckpointArchive(tables.Checkpoints),
    close: () => {
      // The clients hold no connection of their own to end; forget what this process cached.
      queue.forget();
      held.clear();
      return Promise.resolve();
    },
  });
}
