import { createHash } from 'node:crypto';

/**
 * Partition keys that keep every Countersign query under SharePoint's list view threshold at any
 * list size (50,000 people × years of versions, a million audit events).
 *
 * On a list of more than 5,000 items, the condition SharePoint answers through an index must
 * itself match no more than 5,000 items: an index does not lift the threshold, it only lets a
 * selective filter through (SharePoint/sp-dev-docs#7149, pnp/pnpjs#3149, SharePoint/PnP-JS-Core#203;
 * the emulator enforces it, src/dev/graph-emulator/sharepoint/item-query.ts). Ranges are not
 * relied on (#7149: a range on an indexed column of a large list was refused), only equality on
 * an indexed column whose every value holds a bounded number of items, or no filter at all
 * (paging a whole list through `@odata.nextLink` is not subject to it).
 */

/** Buckets a version's acknowledgements are spread over: 16 × 5,000 = 80,000 signers a version. */
export const ACK_BUCKETS = 16;

/** Consecutive events of one shard's chain that share a Block value (a read of one is ≤ 1,000). */
export const AUDIT_BLOCK = 1000;

/** The bucket of a person: the first hex digit of SHA-256 of their id (even, stable). */
export function ackBucket(userId: string): number {
  return Number.parseInt(createHash('sha256').update(userId).digest('hex').slice(0, 1), 16);
}

/**
 * An acknowledgement's Partition column: policy, version and the signer's bucket. One version's
 * signatures are one person's at most each, so a partition holds at most 1/16 of the signers.
 */
export function ackPartition(policyKey: string, versionNumber: number, userId: string): string {
  return ackPartitionKey(policyKey, versionNumber, ackBucket(userId));
}

export function ackPartitionKey(policyKey: string, versionNumber: number, bucket: number): string {
  return `${policyKey}:${String(versionNumber)}:${bucket.toString(16)}`;
}

/** An audit event's Block column: its shard and which thousand of the shard's chain it is in. */
export function auditBlock(shard: number, seq: number): string {
  return `${String(shard)}:${String(Math.floor(seq / AUDIT_BLOCK))}`;
}
