import { acknowledgementId } from '../../../src/domain/acknowledgement.ts';
import type {
  AcknowledgementRecord,
  ApprovalDecisionRecord,
  PublishedVersionRecord,
} from '../../../src/domain/evidence/evidence-record.ts';
import { versionRecordId } from '../../../src/domain/evidence/evidence-record.ts';
import { contentHash } from '../../../src/domain/content-hash.ts';
import { aupV1 } from '../aup-versions.ts';

export const POLICY = 'staff-aup';

export function publishedVersion(
  overrides: Partial<PublishedVersionRecord> = {},
): PublishedVersionRecord {
  const number = overrides.number ?? 1;
  return {
    kind: 'published-version',
    id: versionRecordId(POLICY, number),
    policyKey: POLICY,
    number,
    label: '2026-27',
    contentHash: contentHash(aupV1),
    changeKind: 'material',
    publishedAt: '2026-09-01T07:00:00.000Z',
    publishedBy: 'dsl-0001',
    ...overrides,
  };
}

export function acknowledgementRecord(
  userId: string,
  overrides: Partial<AcknowledgementRecord> = {},
): AcknowledgementRecord {
  return {
    kind: 'acknowledgement',
    id: acknowledgementId(POLICY, 1, userId),
    policyKey: POLICY,
    versionNumber: 1,
    contentHash: contentHash(aupV1),
    userId,
    upn: `${userId}@hollybank.sch.uk`,
    displayName: `Person ${userId}`,
    typedName: `Person ${userId}`,
    statedRole: 'Class teacher',
    signedAt: '2026-09-03T08:12:00.000Z',
    channel: 'tab',
    consents: { photo: true },
    approvalAtSigning: 'not-required',
    ...overrides,
  };
}

export function decisionRecord(
  ack: AcknowledgementRecord,
  overrides: Partial<ApprovalDecisionRecord> = {},
): ApprovalDecisionRecord {
  return {
    kind: 'approval-decision',
    id: `${ack.id}:d1`,
    acknowledgementId: ack.id,
    userId: ack.userId,
    approverId: 'head-0001',
    approverName: 'Helen Mirza',
    decision: 'approved',
    additionalPermissions: ['Use of personal laptop'],
    decidedAt: '2026-09-04T09:30:00.000Z',
    ...overrides,
  };
}
