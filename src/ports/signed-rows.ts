/**
 * The signed columns of a stored row exactly as the store holds them (untrusted: whoever reads
 * them checks the signature against the published keys).
 */
export interface StoredSignedColumns {
  /** Record parsed from its JSON (or the text itself when it is not JSON: an edit). */
  record: unknown;
  signature?: unknown;
  recordHash?: string;
  /** The Record, Signature and RecordHash columns as stored, byte for byte (absent in memory). */
  stored?: { Record: string; Signature?: string; RecordHash?: string };
}

/** One row of a list whose rows carry signed records, as stored. */
export interface StoredSignedRow {
  itemId: string;
  /** null for a row without a signed record (a pending approval, a draft, a legacy signature). */
  evidence: StoredSignedColumns | null;
  /** The plain columns by record field name. */
  columns: Record<string, unknown>;
  /** A version row's text as stored (JSON text, unparsed). */
  document?: unknown;
}

/**
 * What an evidence pack copies: a policy's signed rows as stored, for an inspector to check
 * offline. SharePoint lists through Graph (sharepoint-record-store.ts); the pack's assembly is
 * src/services/evidence-pack.ts, used by `countersign evidence` and the Admin view's download.
 */
export interface SignedRowReader {
  /** Every acknowledgement row of the policy, signed or legacy. */
  scanAcknowledgements(query: { policyKey: string }): Promise<StoredSignedRow[]>;
  /** Every row of the list (versions come with their stored text). */
  scanSignedRows(list: 'approvals' | 'versions' | 'checkpoints'): Promise<StoredSignedRow[]>;
}
