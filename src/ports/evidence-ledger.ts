import type { CheckpointCopy } from '../domain/evidence/checkpoint-copy.ts';
import type { RowList } from '../domain/evidence/evidence-record.ts';
import type { EvidenceRow } from '../domain/evidence/evidence-row.ts';

/**
 * The evidence as stored in the site, for the checkpoint writer: rows as plain data (the domain
 * reads them and checks their signatures), and the site's own list of checkpoints. SharePoint
 * lists through Graph in production (sharepoint-record-store.ts), memory in unit tests.
 */
export interface EvidenceLedger {
  /** Every row of the lists a checkpoint counts (complete lists), as stored. */
  readCountedLists(): Promise<Record<RowList, EvidenceRow[]>>;
  /**
   * The chained audit events whose stored Seq is above `seq` (in any shard), as stored: with the
   * lowest head of the previous checkpoint, every event appended since and few more.
   */
  readEventsAfter(seq: number): Promise<EvidenceRow[]>;
  /** The site's checkpoints numbered `number` or above, as stored. */
  readCheckpointsFrom(number: number): Promise<EvidenceRow[]>;
  /** Adds a checkpoint to the site's list; 'exists' when that number is already there. */
  putCheckpoint(copy: CheckpointCopy): Promise<'created' | 'exists'>;
}
