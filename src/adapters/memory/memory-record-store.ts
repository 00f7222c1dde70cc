import { z } from 'zod';
import {
  acknowledgementSchema,
  bySigningOrder,
  signatureFactsSchema,
} from '../../domain/acknowledgement.ts';
import type { Acknowledgement, SignatureFacts } from '../../domain/acknowledgement.ts';
import { approvalSchema } from '../../domain/approval.ts';
import type { Approval, ApprovalDecision } from '../../domain/approval.ts';
import { auditEventSchema } from '../../domain/audit-event.ts';
import type { AuditEvent, AuditEventType } from '../../domain/audit-event.ts';
import { campaignSchema } from '../../domain/campaign.ts';
import type { Campaign } from '../../domain/campaign.ts';
import { canonicalJson } from '../../domain/canonical-json.ts';
import {
  checkpointCopyText,
  parseCheckpointCopy,
  type CheckpointCopy,
} from '../../domain/evidence/checkpoint-copy.ts';
import type { RowList } from '../../domain/evidence/evidence-record.ts';
import type { EvidenceRow } from '../../domain/evidence/evidence-row.ts';
import type { EvidenceSignature } from '../../domain/evidence/evidence-signature.ts';
import type { SignedRecord } from '../../domain/evidence/evidence-signer.ts';
import { CountersignError } from '../../domain/errors.ts';
import { policySchema, policyVersionSchema } from '../../domain/policy.ts';
import type { Policy, PolicyVersion } from '../../domain/policy.ts';
import type { EvidenceLedger } from '../../ports/evidence-ledger.ts';
import type {
  RecordStore,
  SignatureForRepair,
  SignatureResult,
  SignedAcknowledgement,
  SignedDecision,
  SignedVersion,
  Tagged,
} from '../../ports/record-store.ts';
import type {
  RepairRows,
  SignatureEventRef,
  StoredAcknowledgement,
  StoredEvidence,
} from '../../ports/stored-evidence.ts';

interface Row<T> {
  value: T;
  etag: string;
}

/**
 * The RecordStore in memory, for unit tests of services, the API and the bot. It keeps the
 * SharePoint adapter's rules (one contract suite runs against both): eTags change on every
 * write, a stale eTag is 'precondition-failed', natural keys are unique ('conflict'), a repeated
 * signature is idempotent, audit events are unique by id, and values are copied in and out so a
 * caller cannot change a stored record by mutating what it got.
 */
export class MemoryRecordStore implements RecordStore, EvidenceLedger {
  readonly #policies = new Map<string, Row<Policy>>();
  readonly #versions = new Map<string, Row<PolicyVersion>>();
  readonly #acks = new Map<string, Row<Acknowledgement>>();
  readonly #approvals = new Map<string, Row<Approval>>();
  readonly #campaigns = new Map<string, Row<Campaign>>();
  readonly #audit = new Map<string, AuditEvent>();
  /** Each signature's audit event id, as the SharePoint row's AuditEventId column keeps it. */
  readonly #ackEventIds = new Map<string, string>();
  /** Signed records as stored (canonical JSON, signature, hash), by record id. */
  readonly #signed = new Map<
    string,
    { record: string; signature: EvidenceSignature; hash: string }
  >();
  /** The Checkpoints list: each checkpoint's copy text by number. */
  readonly #checkpoints = new Map<number, string>();
  #sequence = 0;

  #tag(): string {
    this.#sequence += 1;
    return `"mem-${this.#sequence}"`;
  }

  #out<T>(row: Row<T>): Tagged<T> {
    return { value: structuredClone(row.value), etag: row.etag };
  }

  #put<T>(map: Map<string, Row<T>>, key: string, value: T): Tagged<T> {
    const row = { value: structuredClone(value), etag: this.#tag() };
    map.set(key, row);
    return this.#out(row);
  }

  /** The row, when the eTag given is the current one; else the typed failure. */
  #current<T>(map: Map<string, Row<T>>, key: string, etag: string, what: string): Row<T> {
    const row = map.get(key);
    if (!row) throw new CountersignError('not-found', `${what} ${key} does not exist.`, { key });
    if (row.etag !== etag) {
      throw new CountersignError(
        'precondition-failed',
        `${what} ${key} changed since it was read.`,
        {
          key,
          status: 412,
        },
      );
    }
    return row;
  }

  #appendAudit(event: AuditEvent): void {
    const parsed = auditEventSchema.parse(event);
    if (!this.#audit.has(parsed.id)) this.#audit.set(parsed.id, structuredClone(parsed));
  }

  listPolicies(schoolId?: string): Promise<Policy[]> {
    const all = [...this.#policies.values()]
      .map((r) => structuredClone(r.value))
      .filter((p) => schoolId === undefined || p.schoolId === schoolId)
      .sort((a, b) => a.key.localeCompare(b.key));
    return Promise.resolve(all);
  }

  getPolicy(key: string): Promise<Tagged<Policy> | null> {
    const row = this.#policies.get(key);
    return Promise.resolve(row ? this.#out(row) : null);
  }

  putPolicy(policy: Policy, etag?: string): Promise<Tagged<Policy>> {
    return attempt(() => {
      const value = policySchema.parse(policy);
      if (etag === undefined) {
        if (this.#policies.has(value.key)) {
          throw new CountersignError('conflict', `Policy ${value.key} already exists.`, {
            key: value.key,
            status: 409,
          });
        }
      } else {
        this.#current(this.#policies, value.key, etag, 'Policy');
      }
      return this.#put(this.#policies, value.key, value);
    });
  }

  listVersions(policyKey: string): Promise<Tagged<PolicyVersion>[]> {
    const rows = [...this.#versions.values()]
      .filter((r) => r.value.policyKey === policyKey)
      .sort((a, b) => a.value.number - b.value.number)
      .map((r) => this.#out(r));
    return Promise.resolve(rows);
  }

  listVersionsOf(policyKeys: readonly string[]): Promise<Tagged<PolicyVersion>[]> {
    const keys = new Set(policyKeys);
    const rows = [...this.#versions.values()]
      .filter((r) => keys.has(r.value.policyKey))
      .sort(
        (a, b) =>
          a.value.policyKey.localeCompare(b.value.policyKey) || a.value.number - b.value.number,
      )
      .map((r) => this.#out(r));
    return Promise.resolve(rows);
  }

  getVersion(policyKey: string, number: number): Promise<Tagged<PolicyVersion> | null> {
    const row = this.#versions.get(versionKey(policyKey, number));
    return Promise.resolve(row ? this.#out(row) : null);
  }

  createVersion(version: PolicyVersion, audit: AuditEvent): Promise<Tagged<PolicyVersion>> {
    return attempt(() => {
      const value = policyVersionSchema.parse(version);
      const key = versionKey(value.policyKey, value.number);
      if (this.#versions.has(key)) {
        throw new CountersignError('conflict', `Version ${key} already exists.`, {
          key,
          status: 409,
        });
      }
      const tagged = this.#put(this.#versions, key, value);
      this.#appendAudit(audit);
      return tagged;
    });
  }

  publishVersion(
    draft: Tagged<PolicyVersion>,
    publishedAt: string,
    retire: Tagged<PolicyVersion>[],
    audit: AuditEvent,
    signed?: SignedVersion,
  ): Promise<Tagged<PolicyVersion>> {
    return attempt(() => {
      const key = versionKey(draft.value.policyKey, draft.value.number);
      const row = this.#current(this.#versions, key, draft.etag, 'Version');
      const retiring = retire.map((r) =>
        this.#current(
          this.#versions,
          versionKey(r.value.policyKey, r.value.number),
          r.etag,
          'Version',
        ),
      );
      const published = policyVersionSchema.parse({
        ...row.value,
        status: 'published',
        publishedAt,
      });
      for (const r of retiring) {
        this.#put(this.#versions, versionKey(r.value.policyKey, r.value.number), {
          ...r.value,
          status: 'retired',
        });
      }
      this.#appendAudit(audit);
      this.#keepSigned(signed);
      return this.#put(this.#versions, key, published);
    });
  }

  withdrawVersion(
    withdraw: Tagged<PolicyVersion>,
    restore: Tagged<PolicyVersion>,
    audit: AuditEvent,
  ): Promise<{ withdrawn: Tagged<PolicyVersion>; restored: Tagged<PolicyVersion> }> {
    return attempt(() => {
      const withdrawKey = versionKey(withdraw.value.policyKey, withdraw.value.number);
      const restoreKey = versionKey(restore.value.policyKey, restore.value.number);
      const target = this.#current(this.#versions, withdrawKey, withdraw.etag, 'Version');
      const previous = this.#current(this.#versions, restoreKey, restore.etag, 'Version');
      this.#appendAudit(audit);
      return {
        withdrawn: this.#put(this.#versions, withdrawKey, { ...target.value, status: 'withdrawn' }),
        restored: this.#put(this.#versions, restoreKey, { ...previous.value, status: 'published' }),
      };
    });
  }

  updateDraft(draft: Tagged<PolicyVersion>, next: PolicyVersion): Promise<Tagged<PolicyVersion>> {
    return attempt(() => {
      const value = policyVersionSchema.parse(next);
      const key = versionKey(draft.value.policyKey, draft.value.number);
      if (versionKey(value.policyKey, value.number) !== key) {
        throw new CountersignError('validation', 'A draft keeps its policy and number.', { key });
      }
      const row = this.#current(this.#versions, key, draft.etag, 'Version');
      if (row.value.status !== 'draft') {
        throw new CountersignError(
          'conflict',
          `Version ${key} is ${row.value.status}, not a draft.`,
          {
            key,
          },
        );
      }
      return this.#put(this.#versions, key, value);
    });
  }

  recordSignature(
    ack: Acknowledgement,
    audit: AuditEvent,
    signed?: SignedAcknowledgement,
  ): Promise<SignatureResult> {
    return attempt(() => {
      const value = acknowledgementSchema.parse(ack);
      const existing = this.#acks.get(value.id);
      if (existing) return { acknowledgement: structuredClone(existing.value), created: false };
      this.#put(this.#acks, value.id, value);
      this.#keepSigned(signed);
      this.#ackEventIds.set(value.id, audit.id);
      this.#appendAudit(audit);
      return { acknowledgement: structuredClone(value), created: true };
    });
  }

  listAcknowledgements(query: {
    policyKey?: string;
    userId?: string;
    versionNumber?: number;
  }): Promise<Acknowledgement[]> {
    const rows = [...this.#acks.values()]
      .map((r) => r.value)
      .filter(
        (a) =>
          (query.policyKey === undefined || a.policyKey === query.policyKey) &&
          (query.userId === undefined || a.userId === query.userId) &&
          (query.versionNumber === undefined || a.versionNumber === query.versionNumber),
      )
      .sort(bySigningOrder)
      .map((a) => structuredClone(a));
    return Promise.resolve(rows);
  }

  listSignatureFacts(query: { policyKey?: string }): Promise<SignatureFacts[]> {
    return this.listAcknowledgements(query).then((acks) =>
      acks.map((ack) => signatureFactsSchema.parse(ack)),
    );
  }

  /** Kept as signed (canonical JSON), as a SharePoint row keeps it. */
  #keepSigned(signed: SignedRecord | undefined): void {
    if (signed === undefined) return;
    this.#signed.set(signed.record.id, {
      record: canonicalJson(signed.record),
      signature: structuredClone(signed.signature),
      hash: signed.hash,
    });
  }

  /** The signed record stored under a record id (null for a row stored without one). */
  signedRecord(id: string): { record: unknown; signature: EvidenceSignature; hash: string } | null {
    const stored = this.#signed.get(id);
    return stored === undefined
      ? null
      : {
          ...stored,
          record: JSON.parse(stored.record) as unknown,
          signature: { ...stored.signature },
        };
  }

  // Evidence ledger: what the checkpoint writer reads. Events here are not chained (no Shard or
  // Seq), so no chain moves; the counted lists and the checkpoints list behave as SharePoint's.

  readCountedLists(): Promise<Record<RowList, EvidenceRow[]>> {
    const signed = (kind: string): EvidenceRow[] =>
      [...this.#signed.entries()].flatMap(([id, stored]) => {
        const record = JSON.parse(stored.record) as { kind?: unknown };
        return record.kind === kind
          ? [{ itemId: id, record, signature: structuredClone(stored.signature) }]
          : [];
      });
    const legacy = [...this.#acks.values()]
      .filter((row) => !this.#signed.has(row.value.id))
      .map((row) => ({ itemId: row.value.id, record: structuredClone(row.value) }));
    return Promise.resolve({
      acknowledgements: [...signed('acknowledgement'), ...legacy],
      approvalDecisions: signed('approval-decision'),
      versions: signed('published-version'),
    });
  }

  readEventsAfter(_seq: number): Promise<EvidenceRow[]> {
    return Promise.resolve([]);
  }

  readCheckpointsFrom(number: number): Promise<EvidenceRow[]> {
    return Promise.resolve(
      [...this.#checkpoints.entries()]
        .filter(([n]) => n >= number)
        .map(([n, text]) => parseCheckpointCopy(text, `checkpoint:${String(n)}`)),
    );
  }

  putCheckpoint(copy: CheckpointCopy): Promise<'created' | 'exists'> {
    if (this.#checkpoints.has(copy.record.number)) return Promise.resolve('exists');
    this.#checkpoints.set(copy.record.number, checkpointCopyText(copy));
    return Promise.resolve('created');
  }

  getAcknowledgement(id: string): Promise<Tagged<Acknowledgement> | null> {
    const row = this.#acks.get(id);
    return Promise.resolve(row ? this.#out(row) : null);
  }

  readSignatureForRepair(ackId: string): Promise<SignatureForRepair | null> {
    return attempt(() => {
      const acknowledgement = this.#storedAcknowledgements().find((r) => r.key === ackId);
      if (acknowledgement === undefined) return null;
      const signatureEvent = this.#signatureEvents().some((e) => e.subject === ackId);
      return { acknowledgement, signatureEvent };
    });
  }

  ensureAuditEvent(event: AuditEvent): Promise<boolean> {
    return attempt(() => {
      const value = auditEventSchema.parse(event);
      if (this.#audit.has(value.id)) return false;
      this.#appendAudit(value);
      return true;
    });
  }

  /** The lists as SharePointRecordStore.readEvidence reads them (events here are unchained). */
  readEvidence(): Promise<StoredEvidence> {
    const signed = [...this.#signed.values()].map((s) => ({
      itemId: (JSON.parse(s.record) as { id?: string }).id ?? '',
      record: JSON.parse(s.record) as unknown,
      signature: structuredClone(s.signature),
      columns: { hash: s.hash },
    }));
    const ofKind = (kind: string) =>
      signed.filter((r) => (r.record as { kind?: unknown }).kind === kind);
    const documents = new Map(
      [...this.#versions.values()].map((v) => [
        `${v.value.policyKey}:v${v.value.number}`,
        structuredClone(v.value.document),
      ]),
    );
    return Promise.resolve({
      acknowledgements: this.#storedAcknowledgements(),
      approvalDecisions: ofKind('approval-decision'),
      versions: ofKind('published-version').map((r) => ({
        ...r,
        document: documents.get(r.itemId),
      })),
      auditEvents: [],
      signatureEvents: this.#signatureEvents(),
    });
  }

  readRepairRows(): Promise<RepairRows> {
    return Promise.resolve({
      acknowledgements: this.#storedAcknowledgements(),
      signatureEvents: this.#signatureEvents(),
      approvalsFor: [...this.#approvals.keys()],
      unreadableApprovals: [],
      policies: [...this.#policies.values()].map((r) => structuredClone(r.value)),
      unreadablePolicies: [],
      policyCreatedFor: [...this.#audit.values()]
        .filter((e) => e.type === 'policy.created')
        .map((e) => e.subject),
    });
  }

  #signatureEvents(): SignatureEventRef[] {
    return [...this.#audit.values()]
      .filter((e) => e.type === 'acknowledgement.signed')
      .map((e) => ({ id: e.id, subject: e.subject, at: e.at }));
  }

  /** Each row as stored: its signed record (else the legacy acknowledgement) and its columns. */
  #storedAcknowledgements(): StoredAcknowledgement[] {
    return [...this.#acks.values()].map(({ value }) => {
      const ack = structuredClone(value);
      const eventId = this.#ackEventIds.get(ack.id);
      const base = {
        itemId: ack.id,
        key: ack.id,
        ...(eventId === undefined ? {} : { auditEventId: eventId }),
      };
      const stored = this.signedRecord(ack.id);
      if (stored === null) return { ...base, record: ack };
      const columns: Record<string, unknown> = { ...ack, hash: stored.hash };
      delete columns.seal;
      return { ...base, record: stored.record, signature: stored.signature, columns };
    });
  }

  /** Tests: blank a row's AuditEventId column, as a site owner could. */
  blankAuditEventId(ackId: string): void {
    this.#ackEventIds.delete(ackId);
  }

  /** Tests: lose a signature's audit event, as a fault between the batch's writes would. */
  dropAuditEvent(eventId: string): void {
    this.#audit.delete(eventId);
  }

  /** Tests: lose a pending signature's Approvals row, as a fault after the signature would. */
  dropApproval(acknowledgementId: string): void {
    this.#approvals.delete(acknowledgementId);
  }

  createApproval(approval: Approval): Promise<Tagged<Approval>> {
    return attempt(() => {
      const value = approvalSchema.parse(approval);
      if (this.#approvals.has(value.acknowledgementId)) {
        throw new CountersignError(
          'conflict',
          `An approval for ${value.acknowledgementId} already exists.`,
          { key: value.acknowledgementId, status: 409 },
        );
      }
      return this.#put(this.#approvals, value.acknowledgementId, value);
    });
  }

  listApprovals(query: {
    decision?: ApprovalDecision;
    userId?: string;
  }): Promise<Tagged<Approval>[]> {
    const rows = [...this.#approvals.values()]
      .filter(
        (r) =>
          (query.decision === undefined || r.value.decision === query.decision) &&
          (query.userId === undefined || r.value.userId === query.userId),
      )
      .map((r) => this.#out(r));
    return Promise.resolve(rows);
  }

  decideApproval(
    current: Tagged<Approval>,
    decided: Approval,
    audit: AuditEvent,
    signed?: SignedDecision,
  ): Promise<Tagged<Approval>> {
    return attempt(() => {
      const value = approvalSchema.parse(decided);
      const key = current.value.acknowledgementId;
      if (value.acknowledgementId !== key) {
        throw new CountersignError('validation', 'A decision keeps its acknowledgement.', { key });
      }
      this.#current(this.#approvals, key, current.etag, 'Approval');
      const tagged = this.#put(this.#approvals, key, value);
      const ack = this.#acks.get(key);
      if (ack) this.#put(this.#acks, key, { ...ack.value, approvalState: value.decision });
      this.#appendAudit(audit);
      this.#keepSigned(signed);
      return tagged;
    });
  }

  createCampaign(campaign: Campaign, audit: AuditEvent): Promise<Tagged<Campaign>> {
    return attempt(() => {
      const value = campaignSchema.parse(campaign);
      if (this.#campaigns.has(value.id)) {
        throw new CountersignError('conflict', `Campaign ${value.id} already exists.`, {
          key: value.id,
          status: 409,
        });
      }
      const tagged = this.#put(this.#campaigns, value.id, value);
      this.#appendAudit(audit);
      return tagged;
    });
  }

  getCampaign(id: string): Promise<Tagged<Campaign> | null> {
    const row = this.#campaigns.get(id);
    return Promise.resolve(row ? this.#out(row) : null);
  }

  listCampaigns(query: {
    policyKey?: string;
    status?: Campaign['status'];
  }): Promise<Tagged<Campaign>[]> {
    const rows = [...this.#campaigns.values()]
      .filter(
        (r) =>
          (query.policyKey === undefined || r.value.policyKey === query.policyKey) &&
          (query.status === undefined || r.value.status === query.status),
      )
      .sort((a, b) => a.value.createdAt.localeCompare(b.value.createdAt))
      .map((r) => this.#out(r));
    return Promise.resolve(rows);
  }

  updateCampaign(current: Tagged<Campaign>, next: Campaign): Promise<Tagged<Campaign>> {
    return attempt(() => {
      const value = campaignSchema.parse(next);
      if (value.id !== current.value.id) {
        throw new CountersignError('validation', 'A campaign keeps its id.', { key: value.id });
      }
      this.#current(this.#campaigns, value.id, current.etag, 'Campaign');
      return this.#put(this.#campaigns, value.id, value);
    });
  }

  appendAudit(events: AuditEvent[]): Promise<void> {
    return attempt(() => {
      const parsed = events.map((e) => auditEventSchema.parse(e));
      for (const event of parsed) this.#appendAudit(event);
    });
  }

  listAudit(query: { type?: AuditEventType; since?: string }): Promise<AuditEvent[]> {
    const rows = [...this.#audit.values()]
      .filter(
        (e) =>
          (query.type === undefined || e.type === query.type) &&
          (query.since === undefined || e.at >= query.since),
      )
      .sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id))
      .map((e) => structuredClone(e));
    return Promise.resolve(rows);
  }

  getAuditEvent(id: string): Promise<AuditEvent | null> {
    const event = this.#audit.get(id);
    return Promise.resolve(event === undefined ? null : structuredClone(event));
  }

  /** Every acknowledgement row, as SharePointRecordStore.scanAcknowledgements (for verify). */
  scanAcknowledgements(query: {
    policyKey?: string;
    userId?: string;
    versionNumber?: number;
  }): Promise<
    {
      itemId: string;
      key: string;
      acknowledgement: Acknowledgement;
      evidence: { record: unknown; signature: unknown; recordHash: string } | null;
      columns: Record<string, unknown>;
    }[]
  > {
    return this.listAcknowledgements(query).then((acks) =>
      acks.map((a) => {
        const signed = this.signedRecord(a.id);
        const columns: Record<string, unknown> = { ...a };
        delete columns.seal;
        return {
          itemId: a.id,
          key: a.id,
          acknowledgement: a,
          evidence:
            signed === null
              ? null
              : { record: signed.record, signature: signed.signature, recordHash: signed.hash },
          columns: signed === null ? columns : { ...columns, hash: signed.hash },
        };
      }),
    );
  }

  /** Test helper: what an editor in SharePoint could do to a row (for seal tests). */
  tamperAcknowledgement(id: string, change: Partial<Acknowledgement>): void {
    const row = this.#acks.get(id);
    if (!row) throw new CountersignError('not-found', `Acknowledgement ${id} does not exist.`);
    this.#put(this.#acks, id, { ...row.value, ...change });
  }

  /** Test helper: a row deleted in SharePoint (its audit event stays). */
  deleteAcknowledgement(id: string): void {
    this.#acks.delete(id);
  }
}

export function versionKey(policyKey: string, number: number): string {
  return `${policyKey}:v${number}`;
}

/** Runs synchronous store work as a promise, so a thrown error becomes a rejection. */
function attempt<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(toStoreError(error));
  }
}

/** zod failures on the way in are a validation error with the issues, like the API's. */
function toStoreError(error: unknown): Error {
  if (error instanceof CountersignError) return error;
  if (error instanceof z.ZodError) {
    return new CountersignError('validation', 'The record does not match its schema.', {
      issues: error.issues,
    });
  }
  return error instanceof Error ? error : new Error(String(error));
}
