import type { WorkStore } from '../../src/ports/work-store.ts';
import { checkpointArchiveContract } from './checkpoint-archive.contract.ts';
import { conversationRefsContract } from './conversation-refs.contract.ts';
import { deliveryQueueContract } from './delivery-queue.contract.ts';
import { leaseStoreContract } from './lease-store.contract.ts';
import { membershipSnapshotsContract } from './membership-snapshots.contract.ts';
import { onceMarkersContract } from './once-markers.contract.ts';
import type { OpenStore } from './opened-store.ts';

/** Every port of the work store, each by its own contract suite, on one adapter. */
export function workStoreContracts(name: string, open: OpenStore<WorkStore>): void {
  deliveryQueueContract(name, open);
  leaseStoreContract(name, open);
  conversationRefsContract(name, open);
  onceMarkersContract(name, open);
  membershipSnapshotsContract(name, open);
  checkpointArchiveContract(name, open);
}
