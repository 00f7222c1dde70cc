import type { Acknowledgement, SignatureFacts } from '../domain/acknowledgement.ts';
import type { Approval, ApprovalDecision } from '../domain/approval.ts';
import type { AuditEvent, AuditEventType } from '../domain/audit-event.ts';
import type { Campaign } from '../domain/campaign.ts';
import type {
  AcknowledgementRecord,
  ApprovalDecisionRecord,
  PublishedVersionRecord,
} from '../domain/evidence/evidence-record.ts';
import type { SignedRecord } from '../domain/evidence/evidence-signer.ts';
import type { Policy, PolicyVersion } from '../domain/policy.ts';
import type { RepairRows, StoredAcknowledgement, StoredEvidence } from './stored-evidence.ts';

/** A record with the eTag its store returned, for optimistic concurrency on update. */
export interface Tagged<T> {
  value: T;
  etag: string;
}

/** An acknowledgement's signed record: stored as signed (canonical JSON), beside its columns. */
export type SignedAcknowledgement = SignedRecord<AcknowledgementRecord>;
/** A decision's signed record: stored on its Approvals row in the decision's batch. */
export type SignedDecision = SignedRecord<ApprovalDecisionRecord>;
/** A published version's signed record: stored on its version row in the publish batch. */
export type SignedVersion = SignedRecord<PublishedVersionRecord>;

export interface SignatureResult {
  acknowledgement: Acknowledgement;
  /** false when this person had already signed this version (idempotent repeat). */
  created: boolean;
}

/**
 * The record of truth: SharePoint lists through Graph in production, memory in unit tests.
 * One contract suite (tests/contract/record-store.contract.ts) runs against every adapter.
 *
 * Every method throws CountersignError: 'not-found', 'conflict' (already exists),
 * 'precondition-failed' (eTag mismatch), 'throttled'/'unavailable' after retries are spent.
 */
/** One signature's row as stored, and whether its audit event is there (under any id). */
export interface SignatureForRepair {
  acknowledgement: StoredAcknowledgement;
  signatureEvent: boolean;
}

export interface RecordStore {
  // Policies
  listPolicies(schoolId?: string): Promise<Policy[]>;
  getPolicy(key: string): Promise<Tagged<Policy> | null>;
  /** Creates or replaces (with the eTag of the copy read) a policy. */
  putPolicy(policy: Policy, etag?: string): Promise<Tagged<Policy>>;

  // Versions (document JSON included)
  listVersions(policyKey: string): Promise<Tagged<PolicyVersion>[]>;
  /**
   * The versions of several policies at once (text included), by policy key then number: one
   * paged listing of the whole versions list, kept here by key (no filter, so valid at any list
   * size). The trust report reads every school's versions this way, not a query per policy.
   */
  listVersionsOf(policyKeys: readonly string[]): Promise<Tagged<PolicyVersion>[]>;
  getVersion(policyKey: string, number: number): Promise<Tagged<PolicyVersion> | null>;
  /** Creates a version; 'conflict' when that number exists. */
  createVersion(version: PolicyVersion, audit: AuditEvent): Promise<Tagged<PolicyVersion>>;
  /**
   * Publishes a draft: one batch that marks it published, retires the versions named, and
   * appends the audit event. 'precondition-failed' when the draft changed since read.
   */
  publishVersion(
    draft: Tagged<PolicyVersion>,
    publishedAt: string,
    retire: Tagged<PolicyVersion>[],
    audit: AuditEvent,
    signed?: SignedVersion,
  ): Promise<Tagged<PolicyVersion>>;
  /**
   * Withdraws a version published by mistake: one batch that marks it withdrawn, makes `restore`
   * published again and appends the audit event. Nothing is deleted: the withdrawn version's row,
   * text, signed record and signatures stay. 'precondition-failed' when either changed since read.
   */
  withdrawVersion(
    withdraw: Tagged<PolicyVersion>,
    restore: Tagged<PolicyVersion>,
    audit: AuditEvent,
  ): Promise<{ withdrawn: Tagged<PolicyVersion>; restored: Tagged<PolicyVersion> }>;
  /** Replaces a draft's content (admin corrections before publishing). */
  updateDraft(draft: Tagged<PolicyVersion>, next: PolicyVersion): Promise<Tagged<PolicyVersion>>;

  // Acknowledgements: immutable; one per person per version.
  /**
   * Stores the acknowledgement and its audit event in one round trip (a $batch).
   * Idempotent: if this person already signed this version, returns the stored one with
   * created: false and writes nothing. `signed` (the service always passes it) is stored in the
   * same row: the record's canonical JSON, its signature and hash; rows without it are legacy.
   */
  recordSignature(
    ack: Acknowledgement,
    audit: AuditEvent,
    signed?: SignedAcknowledgement,
  ): Promise<SignatureResult>;
  listAcknowledgements(query: {
    policyKey?: string;
    userId?: string;
    versionNumber?: number;
  }): Promise<Acknowledgement[]>;
  /**
   * A policy's signatures as the people report needs them (SignatureFacts: no seal, consents,
   * channel or content hash; the store reads only those columns), in listAcknowledgements' order
   * and with the same rows left out. Without a policy key, every policy's (the trust report: one
   * paged read of the whole list, not one per policy).
   */
  listSignatureFacts(query: { policyKey?: string }): Promise<SignatureFacts[]>;
  getAcknowledgement(id: string): Promise<Tagged<Acknowledgement> | null>;
  /**
   * What a repeat of a signature mends from: its row as stored (the signed record, the row's own
   * AuditEventId, the plain columns) and whether an acknowledgement.signed event names it, in one
   * read of each list; null when no row has that id. The caller verifies the record before it
   * re-creates anything (repair-records.ts), never trusting the columns.
   */
  readSignatureForRepair(ackId: string): Promise<SignatureForRepair | null>;
  /**
   * Appends an audit event unless one with its id is there (a repair re-creating a lost event
   * under its own id): true when this call created it.
   */
  ensureAuditEvent(event: AuditEvent): Promise<boolean>;

  // Evidence, as stored (untrusted: the caller verifies it against the published keys).
  /** Every row of the evidence lists, each list read once (paged), for the records check. */
  readEvidence(): Promise<StoredEvidence>;
  /** What the sweeper reads: acknowledgements, signature event ids, Approvals keys; once each. */
  readRepairRows(): Promise<RepairRows>;

  // Approvals
  /** The pending approval row is created with the signature when the policy needs approval. */
  createApproval(approval: Approval): Promise<Tagged<Approval>>;
  listApprovals(query: {
    decision?: ApprovalDecision;
    userId?: string;
  }): Promise<Tagged<Approval>[]>;
  /**
   * Records a decision: one batch updating the approval (If-Match) and the acknowledgement's
   * approval state, plus the audit event. 'precondition-failed' if someone decided first.
   */
  decideApproval(
    current: Tagged<Approval>,
    decided: Approval,
    audit: AuditEvent,
    signed?: SignedDecision,
  ): Promise<Tagged<Approval>>;

  // Campaigns: the record and its totals only, never per-recipient bookkeeping.
  createCampaign(campaign: Campaign, audit: AuditEvent): Promise<Tagged<Campaign>>;
  getCampaign(id: string): Promise<Tagged<Campaign> | null>;
  listCampaigns(query: {
    policyKey?: string;
    status?: Campaign['status'];
  }): Promise<Tagged<Campaign>[]>;
  updateCampaign(current: Tagged<Campaign>, next: Campaign): Promise<Tagged<Campaign>>;

  // Audit: append-only.
  appendAudit(events: AuditEvent[]): Promise<void>;
  listAudit(query: { type?: AuditEventType; since?: string }): Promise<AuditEvent[]>;
  /**
   * One audit event by its id (a point read on the unique EventId), or null: e.g. the closure
   * `<ack id>:superseded` a person's page looks for, without reading a whole event type.
   */
  getAuditEvent(id: string): Promise<AuditEvent | null>;
}
