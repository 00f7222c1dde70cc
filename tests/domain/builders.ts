import {
  acknowledgementId,
  type Acknowledgement,
  type AcknowledgementFields,
  type ApprovalState,
} from '../../src/domain/acknowledgement.ts';
import { contentHash } from '../../src/domain/content-hash.ts';
import type { PolicyDocument } from '../../src/domain/policy-document.ts';
import type { ChangeKind, Policy, PolicyVersion, VersionStatus } from '../../src/domain/policy.ts';
import { sealAcknowledgement } from '../../src/domain/seal.ts';

export const SEAL_KEY = 'test-seal-key-0123456789abcdef0123456789abcdef';

export const staffAup: Policy = {
  key: 'staff-aup',
  schoolId: 'hollybank',
  title: 'Staff, Governor and Volunteer AUP',
  audiences: ['staff', 'governors', 'volunteers'],
  renewal: { kind: 'anniversary', months: 12 },
  approvalMode: 'none',
};

export function version(
  number: number,
  document: PolicyDocument,
  options: { changeKind?: ChangeKind; status?: VersionStatus; publishedAt?: string } = {},
): PolicyVersion {
  const status = options.status ?? 'published';
  return {
    policyKey: staffAup.key,
    number,
    label: `v${number}`,
    status,
    changeKind: options.changeKind ?? 'material',
    ...(status === 'draft'
      ? {}
      : { publishedAt: options.publishedAt ?? `2026-0${Math.min(number, 9)}-01T08:00:00.000Z` }),
    document,
    contentHash: contentHash(document),
  };
}

export function fields(overrides: Partial<AcknowledgementFields> = {}): AcknowledgementFields {
  return {
    policyKey: staffAup.key,
    versionNumber: 1,
    contentHash: 'a'.repeat(64),
    userId: '6a1e0c1b-4f4e-4d0a-9f55-1c2d3e4f5a6b',
    upn: 'j.patel@hollybank.sch.uk',
    displayName: 'Jas Patel',
    typedName: 'Jas Patel',
    statedRole: 'Class teacher',
    signedAt: '2026-09-03T08:12:00.000Z',
    channel: 'tab',
    consents: {},
    ...overrides,
  };
}

/** A sealed acknowledgement of a version, as the sign service would write it. */
export function acknowledge(
  signed: PolicyVersion,
  signedAt: string,
  approvalState: ApprovalState = 'not-required',
  overrides: Partial<AcknowledgementFields> = {},
): Acknowledgement {
  const sealed = fields({
    policyKey: signed.policyKey,
    versionNumber: signed.number,
    contentHash: signed.contentHash,
    signedAt,
    ...overrides,
  });
  return {
    ...sealed,
    id: acknowledgementId(sealed.policyKey, sealed.versionNumber, sealed.userId),
    approvalState,
    seal: sealAcknowledgement(sealed, SEAL_KEY),
  };
}
