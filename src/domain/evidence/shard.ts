import { createHash } from 'node:crypto';

/**
 * How many independent audit chains there are. Each signature's events go to the chain its subject
 * hashes to, so two people signing at the same moment share a chain head only one time in 16
 * (and then one of them retries once); a person's own events stay in one chain, in order.
 * Changing the number changes where subjects land: it takes a new schema version.
 */
export const SHARD_COUNT = 16;

/** The chain a subject (an acknowledgement id, "policyKey:vN") belongs to: 0 … SHARD_COUNT − 1. */
export function shardOf(subject: string): number {
  const digest = createHash('sha256').update(subject, 'utf8').digest();
  // SHARD_COUNT divides 256, so the first byte spreads subjects evenly.
  return (digest[0] ?? 0) % SHARD_COUNT;
}
