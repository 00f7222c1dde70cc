import type { Policy } from '../domain/policy.ts';
import type { EvidenceRow, VersionRow } from '../domain/evidence/evidence-row.ts';

/** An acknowledgement row as stored: its evidence, and the columns the sweeper needs beside it. */
export interface StoredAcknowledgement extends EvidenceRow {
  /** The row's key column (its id as queries see it; the signed record's id when it holds). */
  key: string;
  /** The audit event written with the row (absent on rows from before the column existed). */
  auditEventId?: string;
}

/** An `acknowledgement.signed` event as the log holds it, signed or not: id and subject only. */
export interface SignatureEventRef {
  id: string;
  subject: string;
  at: string;
}

/**
 * Every row of the evidence lists, as stored and untrusted, for the records check (the CLI's
 * `verify` and the service's nightly run read the same): each list read once.
 */
export interface StoredEvidence {
  acknowledgements: StoredAcknowledgement[];
  /** Approvals rows that carry a signed decision (pending rows carry none). */
  approvalDecisions: EvidenceRow[];
  /** Version rows that carry a signed published-version record (drafts carry none). */
  versions: VersionRow[];
  /** Chained audit events (events from before the chain carry no record and are left out). */
  auditEvents: EvidenceRow[];
  /** Every `acknowledgement.signed` event, chained or not: hints of rows since deleted. */
  signatureEvents: SignatureEventRef[];
}

/** What the sweeper reads: one listing of each list, only the columns it needs. */
export interface RepairRows {
  acknowledgements: StoredAcknowledgement[];
  signatureEvents: SignatureEventRef[];
  /** The acknowledgement id each readable Approvals row is for. */
  approvalsFor: string[];
  /** Approvals rows that name no acknowledgement (edited in SharePoint): skipped, reported. */
  unreadableApprovals: string[];
  /** Every policy of the site (a small list: one row per policy, read whole, paged). */
  policies: Policy[];
  /** Policies rows that do not read as a policy (edited in SharePoint): skipped, reported. */
  unreadablePolicies: string[];
  /** The subject (a policy key) of every `policy.created` event, from the same listing of the log. */
  policyCreatedFor: string[];
}
