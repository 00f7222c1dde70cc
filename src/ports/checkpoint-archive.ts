import type { CheckpointCopy } from '../domain/evidence/checkpoint-copy.ts';
import type { EvidenceRow } from '../domain/evidence/evidence-row.ts';

/**
 * Copies of the signed checkpoints kept outside the SharePoint site, so whoever can edit the site
 * cannot take back what a checkpoint said: the work store (SQLite, Azure Tables) and, in Azure, a
 * Blob container under a time-based immutability (WORM) policy. Contract:
 * tests/contract/checkpoint-archive.contract.ts, run against every adapter.
 *
 * Every method throws CountersignError ('conflict', 'unavailable', …).
 */
export interface CheckpointArchive {
  /**
   * Keeps a copy under its number. A copy with the same number and the same record hash already
   * there is 'exists' (a retry); a different one is 'conflict': a copy is never replaced.
   */
  putCheckpoint(copy: CheckpointCopy): Promise<'created' | 'exists'>;
  /**
   * The copies with the highest numbers, newest first, at most `limit`, as stored (text parsed,
   * nothing trusted: the caller checks the signatures). `itemId` says where each was read.
   */
  latestCheckpoints(limit: number): Promise<EvidenceRow[]>;
}
