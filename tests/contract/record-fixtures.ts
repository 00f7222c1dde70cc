import { randomUUID } from 'node:crypto';
import { acknowledgementId } from '../../src/domain/acknowledgement.ts';
import type { Acknowledgement } from '../../src/domain/acknowledgement.ts';
import type { Approval } from '../../src/domain/approval.ts';
import type { AuditEvent, AuditEventType } from '../../src/domain/audit-event.ts';
import type { Campaign } from '../../src/domain/campaign.ts';
import { contentHash } from '../../src/domain/content-hash.ts';
import type { Policy, PolicyVersion } from '../../src/domain/policy.ts';
import type { PolicyDocument } from '../../src/domain/policy-document.ts';
import { sealAcknowledgement } from '../../src/domain/seal.ts';

/**
 * Records for the contract suites. Every key is fresh, so the suite can run against a real
 * tenant's site (which keeps what earlier runs wrote) as well as a fresh store.
 */

export const CONTRACT_SEAL_KEY = 'contract-seal-key-0123456789abcdef0123456789';

export function freshKey(prefix = 'ct'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export function document(
  title = 'Staff Acceptable Use Policy',
  clause = 'I will keep my password private.',
): PolicyDocument {
  return {
    title,
    sections: [{ heading: 'What is an AUP?', clauses: [{ number: '1', text: clause, items: [] }] }],
    declaration: 'I have read, understood and agreed to this policy.',
    consents: [{ key: 'photo', text: 'You may use my photograph on the school website.' }],
    approval: null,
  };
}

export function policy(key: string, overrides: Partial<Policy> = {}): Policy {
  return {
    key,
    schoolId: 'contract-school',
    title: `Contract policy ${key}`,
    audiences: ['staff'],
    renewal: { kind: 'anniversary', months: 12 },
    approvalMode: 'none',
    ...overrides,
  };
}

export function policyVersion(
  policyKey: string,
  number: number,
  overrides: Partial<PolicyVersion> = {},
): PolicyVersion {
  const doc = overrides.document ?? document(`AUP ${number}`, `Clause text of version ${number}.`);
  return {
    policyKey,
    number,
    label: `Version ${number}`,
    status: 'draft',
    changeKind: 'material',
    document: doc,
    contentHash: contentHash(doc),
    ...overrides,
  };
}

export function audit(
  type: AuditEventType,
  subject: string,
  at = new Date().toISOString(),
  actorId = 'actor-1',
): AuditEvent {
  return { id: randomUUID(), type, actorId, at, subject, details: { note: 'contract' } };
}

export function signature(
  version: PolicyVersion,
  userId: string,
  signedAt = new Date().toISOString(),
): Acknowledgement {
  const fields = {
    policyKey: version.policyKey,
    versionNumber: version.number,
    contentHash: version.contentHash,
    userId,
    upn: `${userId}@contract.example`,
    displayName: `Person ${userId.slice(0, 6)}`,
    typedName: `Person ${userId.slice(0, 6)}`,
    statedRole: 'Teaching assistant',
    signedAt,
    channel: 'tab' as const,
    consents: { photo: true },
  };
  return {
    ...fields,
    id: acknowledgementId(fields.policyKey, fields.versionNumber, userId),
    approvalState: 'not-required',
    seal: sealAcknowledgement(fields, CONTRACT_SEAL_KEY),
  };
}

export function pendingApproval(ack: Acknowledgement): Approval {
  return {
    acknowledgementId: ack.id,
    userId: ack.userId,
    decision: 'pending',
    additionalPermissions: [],
  };
}

export function campaign(
  policyKey: string,
  versionNumber: number,
  overrides: Partial<Campaign> = {},
): Campaign {
  return {
    id: freshKey('campaign'),
    schoolId: 'contract-school',
    policyKey,
    versionNumber,
    audiences: ['staff'],
    deadline: '2026-10-01T16:00:00.000Z',
    reminderDays: [3, 7, 14],
    status: 'running',
    counts: { recipients: 80, sent: 0, failed: 0, signed: 0 },
    createdBy: 'admin-1',
    createdAt: new Date().toISOString(),
    ...overrides,
  };
}
