import { combineWorkStore, type WorkStore } from '../../ports/work-store.ts';
import { AzureTablesConversationRefs } from './azure-tables-conversation-refs.ts';
import { AzureTablesDeliveryQueue } from './azure-tables-delivery-queue.ts';
import { AzureTablesLeaseStore } from './azure-tables-lease-store.ts';
import { AzureTablesMembershipSnapshots } from './azure-tables-membership-snapshots.ts';
import { AzureTablesOnceMarkers } from './azure-tables-once-markers.ts';
import { openTableClients, type AzureTablesWorkStoreOptions } from './table-clients.ts';

/**
 * The work store on Azure Table storage, for several instances of the service: connects,
 * creates the tables that are missing, and puts a part per port on them (README.md has the
 * layout and how each port's promises are kept).
 */
export async function openAzureTablesWorkStore(
  options: AzureTablesWorkStoreOptions,
): Promise<WorkStore> {
  const tables = await openTableClients(options);
  const queue = new AzureTablesDeliveryQueue(
    { jobs: tables.Jobs, deliveries: tables.Deliveries, leases: tables.Leases },
    options.quietRecheckMs,
  );
  return combineWorkStore({
    queue,
    leases: new AzureTablesLeaseStore(tables.Leases),
    conversations: new AzureTablesConversationRefs(tables.Conversations),
    markers: new AzureTablesOnceMarkers(tables.Markers),
    snapshots: new AzureTablesMembershipSnapshots(tables.Members),
    close: () => {
      // The clients hold no connection of their own to end; forget what this process cached.
      queue.forget();
      return Promise.resolve();
    },
  });
}
