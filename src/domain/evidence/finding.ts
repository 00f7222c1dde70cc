import type { ApprovalState } from './domain-imports.ts';
import type { EvidenceList, RowList } from './evidence-record.ts';

/** Which record a finding is about: its list and id (or shard and seq), and where it was read. */
export interface FindingSubject {
  list: EvidenceList;
  /** The record's id (acknowledgement id, "policyKey:vN", event id, "checkpoint:N"). */
  id?: string;
  /** Where the row was read (a list item id, a blob name), when the reader said. */
  itemId?: string;
  shard?: number;
  seq?: number;
}

/** A failure means the evidence cannot be relied on as it stands; a warning does not. */
export type Severity = 'failure' | 'warning';

interface Base {
  severity: Severity;
  subject: FindingSubject;
  /** Plain English, naming the record: for the CLI, the digest and the Admin view. */
  message: string;
}

/**
 * Everything verify can say is wrong, by stable code (the CLI's --json, the tests and the admin
 * digest key on these; the messages may be reworded).
 */
export type Finding =
  /** The record no longer matches its signature, or a plain column no longer matches the record. */
  | (Base & { code: 'field-edited'; column?: string })
  /** A row with no signature (and, for an acknowledgement, no legacy seal either). */
  | (Base & { code: 'record-forged' })
  /** Two rows claim one id with different contents (identical copies are only a warning). */
  | (Base & { code: 'record-duplicated' })
  /** A signed event or record names this row, and it is not there. */
  | (Base & { code: 'row-deleted'; namedBy: FindingSubject })
  /**
   * A checkpoint counted more rows of a list in a shard (signed by its cutoff) than are there,
   * and nothing still present names them: their audit events went too.
   */
  | (Base & {
      code: 'row-and-event-deleted';
      checkpointId: string;
      rowList: RowList;
      missing: number;
      /** Seqs missing from the shard's chain up to the checkpoint's head: the deleted events. */
      eventSeqs: number[];
    })
  /** Seqs missing from a shard's chain (below an event still present). */
  | (Base & { code: 'event-deleted'; seqs: number[] })
  /** An event whose signature does not hold (edited, or made up). */
  | (Base & { code: 'event-forged' })
  /** An extra event in the chain: at a seq a genuine event holds, or not linking to its predecessor. */
  | (Base & { code: 'event-inserted' })
  /** An event's plain Shard/Seq columns put it elsewhere in the chain than it was signed at. */
  | (Base & { code: 'event-reordered'; signedSeq: number; storedSeq: number })
  /** A signed row with no audit event announcing it (a fault the sweeper repairs, or a deletion). */
  | (Base & { code: 'event-missing' })
  /** The unsigned approval column says a decision (or pending) the signed records do not. */
  | (Base & { code: 'approval-flipped'; column: string; signed: ApprovalState })
  /**
   * An approval.superseded event closes a signature that it cannot close: the newer signature is
   * someone else's, of another policy, not newer, or the closed one was decided or never pending.
   */
  | (Base & { code: 'closure-unfounded'; supersededBy?: string })
  /** Approval was required at signing (signed) but the unsigned column says it was not. */
  | (Base & { code: 'approval-bypassed'; column: string })
  /** The stored document no longer hashes to the signed content hash. */
  | (Base & { code: 'version-text-edited'; signedHash: string; documentHash: string | null })
  /** The chain ends before the head the latest checkpoint recorded. */
  | (Base & {
      code: 'chain-truncated';
      checkpointId: string;
      expectedSeq: number;
      foundSeq: number;
    })
  /** A checkpoint's count or set digest disagrees with the rows in a way no finding above explains. */
  | (Base & { code: 'checkpoint-mismatch'; checkpointId: string })
  | (Base & { code: 'unknown-key'; kid: string })
  | (Base & { code: 'key-not-valid-at-signing'; kid: string; signingTime: string })
  /** An acknowledgement from before signatures, carrying only the HMAC seal. */
  | (Base & { code: 'legacy-seal'; verified: boolean });

export function describeSubject(subject: FindingSubject): string {
  const where = subject.itemId === undefined ? '' : ` (item ${subject.itemId})`;
  if (subject.id !== undefined) return `${subject.list} ${subject.id}${where}`;
  if (subject.shard !== undefined) {
    return `${subject.list} shard ${subject.shard}${subject.seq === undefined ? '' : ` seq ${subject.seq}`}${where}`;
  }
  return `${subject.list}${where}`;
}
