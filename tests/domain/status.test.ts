import { describe, expect, it } from 'vitest';
import type { Acknowledgement } from '../../src/domain/acknowledgement.ts';
import type { Approval } from '../../src/domain/approval.ts';
import type { PersonStatus } from '../../src/domain/person-status.ts';
import type { Policy, PolicyVersion } from '../../src/domain/policy.ts';
import {
  computeStatus,
  currentVersion,
  effectiveApprovalState,
  materialChangeSince,
  policyAppliesTo,
  signatureNeedsApproval,
  type StatusInput,
} from '../../src/domain/status.ts';
import { aupV1, aupV2, aupV3, clarified } from './aup-versions.ts';
import { acknowledge, staffAup, version } from './builders.ts';

const LONDON = 'Europe/London';
const NOW = new Date('2026-10-01T12:00:00.000Z');

const v1 = version(1, aupV1, { status: 'retired', publishedAt: '2025-09-01T07:00:00.000Z' });
const v2 = version(2, aupV2, { publishedAt: '2026-09-01T07:00:00.000Z' });
/** v3 changes only the staff-only clause. */
const v3 = version(3, aupV3, { publishedAt: '2026-09-20T07:00:00.000Z' });

function statusOf(overrides: Partial<StatusInput> = {}): PersonStatus {
  return computeStatus({
    policy: staffAup,
    versions: [v1, v2],
    acknowledgements: [],
    personAudiences: ['staff'],
    timeZone: LONDON,
    now: NOW,
    ...overrides,
  });
}

function retire(version: PolicyVersion): PolicyVersion {
  return { ...version, status: 'retired' };
}

function approval(
  ack: Acknowledgement,
  decision: Approval['decision'],
  extra: Partial<Approval> = {},
): Approval {
  return {
    acknowledgementId: ack.id,
    userId: ack.userId,
    decision,
    additionalPermissions: [],
    ...(decision === 'pending'
      ? {}
      : { decidedAt: '2026-09-10T15:00:00.000Z', approverName: 'Emma Bonnin' }),
    ...extra,
  };
}

describe('currentVersion', () => {
  it('is the highest-numbered published version, never a draft or a retired one', () => {
    const draft = version(4, aupV3, { status: 'draft' });
    expect(currentVersion([v1, v2, draft])?.number).toBe(2);
    expect(currentVersion([retire(v3), v2, v1])?.number).toBe(2);
    expect(currentVersion([draft, v1])).toBeUndefined();
    expect(currentVersion([])).toBeUndefined();
  });
});

describe('not-required', () => {
  it('when none of the person’s audiences is the policy’s', () => {
    expect(policyAppliesTo(staffAup, ['pupils'])).toBe(false);
    expect(statusOf({ personAudiences: ['pupils'] })).toEqual({ kind: 'not-required' });
    expect(statusOf({ personAudiences: [] })).toEqual({ kind: 'not-required' });
  });

  it('when no version is published (drafts and retired ones do not count)', () => {
    expect(statusOf({ versions: [version(1, aupV1, { status: 'draft' })] })).toEqual({
      kind: 'not-required',
    });
    expect(statusOf({ versions: [v1] })).toEqual({ kind: 'not-required' });
    expect(statusOf({ versions: [] })).toEqual({ kind: 'not-required' });
  });

  it('ignores versions of other policies', () => {
    const other = { ...version(7, aupV3), policyKey: 'pupil-aup' };
    expect(statusOf({ versions: [other] })).toEqual({ kind: 'not-required' });
    expect(statusOf({ versions: [v1, v2, other] })).toMatchObject({ versionNumber: 2 });
  });
});

describe('due: never signed', () => {
  it('is due for the current version', () => {
    expect(statusOf()).toEqual({ kind: 'due', reason: 'never-signed', versionNumber: 2 });
  });

  it('ignores acknowledgements of other policies', () => {
    const otherPolicy = { ...acknowledge(v2, '2026-09-02T09:00:00.000Z'), policyKey: 'pupil-aup' };
    expect(statusOf({ acknowledgements: [otherPolicy] })).toMatchObject({
      kind: 'due',
      reason: 'never-signed',
    });
  });

  it('carries a campaign deadline that has not passed', () => {
    expect(statusOf({ deadline: '2026-10-15T16:00:00.000Z' })).toEqual({
      kind: 'due',
      reason: 'never-signed',
      versionNumber: 2,
      deadline: '2026-10-15T16:00:00.000Z',
    });
    // At the deadline itself it is still due; only past it is it overdue.
    expect(statusOf({ deadline: NOW.toISOString() })).toMatchObject({ kind: 'due' });
  });

  it('is overdue once the deadline has passed', () => {
    expect(statusOf({ deadline: '2026-09-30T16:00:00.000Z' })).toEqual({
      kind: 'overdue',
      reason: 'never-signed',
      versionNumber: 2,
      deadline: '2026-09-30T16:00:00.000Z',
    });
  });

  it('refuses a deadline that is not a date', () => {
    expect(() => statusOf({ deadline: 'end of term' })).toThrow(
      expect.objectContaining({ code: 'validation' }),
    );
  });
});

describe('signed and renewal', () => {
  const signedV2 = acknowledge(v2, '2026-09-03T08:12:00.000Z');

  it('is signed until the anniversary of the signature', () => {
    expect(statusOf({ acknowledgements: [signedV2] })).toEqual({
      kind: 'signed',
      versionNumber: 2,
      signedAt: '2026-09-03T08:12:00.000Z',
      validUntil: '2027-09-03T08:12:00.000Z',
    });
  });

  it('is signed until the fixed date (1 September, school time)', () => {
    const policy: Policy = { ...staffAup, renewal: { kind: 'fixed-date', month: 9, day: 1 } };
    expect(statusOf({ policy, acknowledgements: [signedV2] })).toMatchObject({
      kind: 'signed',
      validUntil: '2027-08-31T23:00:00.000Z',
    });
  });

  it('falls due for renewal when that moment comes', () => {
    const at = new Date('2027-09-03T08:12:00.000Z');
    expect(
      statusOf({ acknowledgements: [signedV2], now: new Date(at.getTime() - 1) }),
    ).toMatchObject({
      kind: 'signed',
    });
    expect(statusOf({ acknowledgements: [signedV2], now: at })).toEqual({
      kind: 'due',
      reason: 'renewal',
      versionNumber: 2,
      lastSignedVersion: 2,
    });
  });

  it('is overdue for renewal past a deadline', () => {
    expect(
      statusOf({
        acknowledgements: [signedV2],
        now: new Date('2027-10-01T00:00:00.000Z'),
        deadline: '2027-09-30T00:00:00.000Z',
      }),
    ).toEqual({
      kind: 'overdue',
      reason: 'renewal',
      versionNumber: 2,
      lastSignedVersion: 2,
      deadline: '2027-09-30T00:00:00.000Z',
    });
  });

  it('renews from the latest signature when a version was signed again', () => {
    const again = acknowledge(v2, '2027-09-04T10:00:00.000Z');
    expect(
      statusOf({ acknowledgements: [again, signedV2], now: new Date('2027-09-05T00:00:00.000Z') }),
    ).toMatchObject({ kind: 'signed', validUntil: '2028-09-04T10:00:00.000Z' });
  });
});

describe('due: material change', () => {
  const signedV1 = acknowledge(v1, '2026-01-10T09:00:00.000Z');

  it('makes someone who signed an earlier version due, naming the version they signed', () => {
    expect(statusOf({ acknowledgements: [signedV1] })).toEqual({
      kind: 'due',
      reason: 'material-change',
      versionNumber: 2,
      lastSignedVersion: 1,
    });
  });

  it('is overdue past a deadline, and outranks a renewal that is also due', () => {
    expect(
      statusOf({
        acknowledgements: [signedV1],
        now: new Date('2027-02-01T00:00:00.000Z'),
        deadline: '2026-10-31T17:00:00.000Z',
      }),
    ).toEqual({
      kind: 'overdue',
      reason: 'material-change',
      versionNumber: 2,
      lastSignedVersion: 1,
      deadline: '2026-10-31T17:00:00.000Z',
    });
  });

  it('does not make governors due when only a staff-only clause changed', () => {
    const versions = [v1, retire(v2), v3];
    const governor = acknowledge(v2, '2026-09-03T08:12:00.000Z');
    expect(
      statusOf({ versions, acknowledgements: [governor], personAudiences: ['governors'] }),
    ).toEqual({
      kind: 'signed',
      versionNumber: 2,
      signedAt: '2026-09-03T08:12:00.000Z',
      validUntil: '2027-09-03T08:12:00.000Z',
    });
    expect(
      statusOf({ versions, acknowledgements: [governor], personAudiences: ['staff'] }),
    ).toEqual({
      kind: 'due',
      reason: 'material-change',
      versionNumber: 3,
      lastSignedVersion: 2,
    });
    // Someone in both audiences sees the staff clause.
    expect(
      statusOf({ versions, acknowledgements: [governor], personAudiences: ['governors', 'staff'] }),
    ).toMatchObject({ kind: 'due', reason: 'material-change' });
  });

  it('judges each material version against the one before it, not minor ones in between', () => {
    // v3 corrects a clause everyone sees (minor); v4 changes only the staff clause (material).
    const minor = version(3, clarified(aupV2), { changeKind: 'minor', status: 'retired' });
    const staffOnly = version(4, clarified(aupV3), { changeKind: 'material' });
    const versions = [v1, retire(v2), minor, staffOnly];
    const governor = acknowledge(v2, '2026-09-03T08:12:00.000Z');
    expect(
      statusOf({ versions, acknowledgements: [governor], personAudiences: ['governors'] }),
    ).toMatchObject({
      kind: 'signed',
      versionNumber: 2,
    });
    expect(
      statusOf({ versions, acknowledgements: [governor], personAudiences: ['staff'] }),
    ).toMatchObject({
      kind: 'due',
      reason: 'material-change',
      versionNumber: 4,
      lastSignedVersion: 2,
    });
  });

  it('leaves someone signed when a material change was later undone', () => {
    const undone = version(4, aupV2, { changeKind: 'material' });
    const staff = acknowledge(v2, '2026-09-03T08:12:00.000Z');
    expect(
      statusOf({ versions: [v1, retire(v2), retire(v3), undone], acknowledgements: [staff] }),
    ).toMatchObject({ kind: 'signed', versionNumber: 2 });
  });

  it('assumes a material version counts when the history before it is missing', () => {
    expect(statusOf({ versions: [v2], acknowledgements: [signedV1] })).toMatchObject({
      kind: 'due',
      reason: 'material-change',
    });
    const minorOnly = version(2, aupV2, { changeKind: 'minor' });
    expect(statusOf({ versions: [minorOnly], acknowledgements: [signedV1] })).toMatchObject({
      kind: 'signed',
      versionNumber: 1,
    });
  });

  it('materialChangeSince is false for the current version or a later one', () => {
    expect(materialChangeSince(2, v2, [v1, v2], ['staff'])).toBe(false);
    expect(materialChangeSince(3, v2, [v1, v2], ['staff'])).toBe(false);
    expect(materialChangeSince(1, v2, [v1, v2], ['staff'])).toBe(true);
  });
});

describe('minor changes', () => {
  it('never make anyone due: a signature on an older version still stands', () => {
    const minor = version(3, clarified(aupV2), { changeKind: 'minor' });
    const signed = acknowledge(v2, '2026-09-03T08:12:00.000Z');
    for (const audience of ['staff', 'governors', 'volunteers']) {
      expect(
        statusOf({
          versions: [v1, retire(v2), minor],
          acknowledgements: [signed],
          personAudiences: [audience],
        }),
      ).toEqual({
        kind: 'signed',
        versionNumber: 2,
        signedAt: '2026-09-03T08:12:00.000Z',
        validUntil: '2027-09-03T08:12:00.000Z',
      });
    }
  });

  it('but someone who never signed is due for the current (minor) version', () => {
    const minor = version(3, clarified(aupV2), { changeKind: 'minor' });
    expect(statusOf({ versions: [v1, retire(v2), minor] })).toMatchObject({
      kind: 'due',
      reason: 'never-signed',
      versionNumber: 3,
    });
  });
});

describe('approvals', () => {
  const everySignature: Policy = { ...staffAup, approvalMode: 'every-signature' };
  const firstSignature: Policy = { ...staffAup, approvalMode: 'first-signature' };
  const pendingV2 = acknowledge(v2, '2026-09-03T08:12:00.000Z', 'pending');

  it('every-signature: a pending signature is awaiting approval', () => {
    expect(statusOf({ policy: everySignature, acknowledgements: [pendingV2] })).toEqual({
      kind: 'awaiting-approval',
      versionNumber: 2,
      signedAt: '2026-09-03T08:12:00.000Z',
    });
  });

  it('a decision in the approvals outranks the state copied on the acknowledgement', () => {
    expect(
      statusOf({
        policy: everySignature,
        acknowledgements: [pendingV2],
        approvals: [approval(pendingV2, 'pending'), approval(pendingV2, 'approved')],
      }),
    ).toMatchObject({ kind: 'signed', versionNumber: 2, validUntil: '2027-09-03T08:12:00.000Z' });
    expect(
      statusOf({
        policy: everySignature,
        acknowledgements: [pendingV2],
        approvals: [
          approval(pendingV2, 'rejected', { comment: 'Please use your school account.' }),
        ],
      }),
    ).toEqual({
      kind: 'rejected',
      versionNumber: 2,
      signedAt: '2026-09-03T08:12:00.000Z',
      comment: 'Please use your school account.',
    });
  });

  it('reads approved and rejected states from the acknowledgement too', () => {
    const approved = { ...pendingV2, approvalState: 'approved' as const };
    const rejected = { ...pendingV2, approvalState: 'rejected' as const };
    expect(statusOf({ policy: everySignature, acknowledgements: [approved] })).toMatchObject({
      kind: 'signed',
    });
    expect(statusOf({ policy: everySignature, acknowledgements: [rejected] })).toEqual({
      kind: 'rejected',
      versionNumber: 2,
      signedAt: '2026-09-03T08:12:00.000Z',
    });
  });

  it('every-signature: each new signature needs approval again', () => {
    const approvedV1 = acknowledge(v1, '2026-01-10T09:00:00.000Z', 'approved');
    expect(
      statusOf({ policy: everySignature, acknowledgements: [approvedV1, pendingV2] }),
    ).toMatchObject({ kind: 'awaiting-approval', versionNumber: 2 });
  });

  it('first-signature: only a first signature needs approval', () => {
    const approvedV1 = acknowledge(v1, '2026-01-10T09:00:00.000Z', 'approved');
    expect(statusOf({ policy: firstSignature, acknowledgements: [pendingV2] })).toMatchObject({
      kind: 'awaiting-approval',
    });
    expect(
      statusOf({ policy: firstSignature, acknowledgements: [approvedV1, pendingV2] }),
    ).toMatchObject({ kind: 'signed', versionNumber: 2 });
  });

  it('first-signature: a refused new starter is not let through by the next version', () => {
    const rejectedV1 = acknowledge(v1, '2026-01-10T09:00:00.000Z', 'rejected');
    expect(
      statusOf({
        policy: firstSignature,
        versions: [retire(v2), { ...v1, status: 'published' }],
        acknowledgements: [rejectedV1],
      }),
    ).toMatchObject({
      kind: 'rejected',
      versionNumber: 1,
    });
    expect(
      statusOf({ policy: firstSignature, acknowledgements: [rejectedV1, pendingV2] }),
    ).toMatchObject({ kind: 'awaiting-approval', versionNumber: 2 });
    expect(signatureNeedsApproval('first-signature', [rejectedV1])).toBe(true);
  });

  it('mode none ignores approval states', () => {
    expect(statusOf({ acknowledgements: [pendingV2] })).toMatchObject({ kind: 'signed' });
  });

  it('a pending or refused signature superseded by a material change is due again', () => {
    const pendingV1 = acknowledge(v1, '2026-01-10T09:00:00.000Z', 'pending');
    expect(statusOf({ policy: everySignature, acknowledgements: [pendingV1] })).toMatchObject({
      kind: 'due',
      reason: 'material-change',
      lastSignedVersion: 1,
    });
  });

  it('signatureNeedsApproval and effectiveApprovalState', () => {
    const approvedV1 = acknowledge(v1, '2026-01-10T09:00:00.000Z', 'approved');
    const unneededV1 = acknowledge(v1, '2026-01-10T09:00:00.000Z', 'not-required');
    expect(signatureNeedsApproval('none', [])).toBe(false);
    expect(signatureNeedsApproval('every-signature', [approvedV1])).toBe(true);
    expect(signatureNeedsApproval('first-signature', [])).toBe(true);
    expect(signatureNeedsApproval('first-signature', [approvedV1])).toBe(false);
    // Signed before approval was switched on: that signature was accepted as it stood.
    expect(signatureNeedsApproval('first-signature', [unneededV1])).toBe(false);
    expect(
      signatureNeedsApproval('first-signature', [pendingV2], [approval(pendingV2, 'approved')]),
    ).toBe(false);
    expect(effectiveApprovalState(pendingV2)).toBe('pending');
    expect(effectiveApprovalState(approvedV1, [approval(approvedV1, 'pending')])).toBe('approved');
    expect(
      effectiveApprovalState(pendingV2, [
        approval(pendingV2, 'approved', { decidedAt: '2026-09-10T10:00:00.000Z' }),
        approval(pendingV2, 'rejected', { decidedAt: '2026-09-11T10:00:00.000Z' }),
      ]),
    ).toBe('rejected');
  });
});

describe('a new starter’s year, through every transition', () => {
  it('goes due → overdue → awaiting approval → signed → signed (minor) → due (material) → signed → due (renewal)', () => {
    const policy: Policy = { ...staffAup, approvalMode: 'first-signature' };
    const base = { policy, personAudiences: ['staff'], timeZone: LONDON };
    const deadline = '2026-09-19T16:00:00.000Z';
    const p2 = version(2, aupV2, { publishedAt: '2026-09-01T07:00:00.000Z' });

    expect(
      computeStatus({
        ...base,
        versions: [v1, p2],
        acknowledgements: [],
        now: new Date('2026-09-10T09:00:00Z'),
        deadline,
      }).kind,
    ).toBe('due');
    expect(
      computeStatus({
        ...base,
        versions: [v1, p2],
        acknowledgements: [],
        now: new Date('2026-09-22T09:00:00Z'),
        deadline,
      }).kind,
    ).toBe('overdue');

    const first = acknowledge(p2, '2026-09-22T10:00:00.000Z', 'pending');
    const afterSigning = { ...base, versions: [v1, p2], acknowledgements: [first], deadline };
    expect(computeStatus({ ...afterSigning, now: new Date('2026-09-22T11:00:00Z') }).kind).toBe(
      'awaiting-approval',
    );
    const approvals = [approval(first, 'approved', { decidedAt: '2026-09-23T08:00:00.000Z' })];
    expect(
      computeStatus({ ...afterSigning, approvals, now: new Date('2026-09-23T09:00:00Z') }).kind,
    ).toBe('signed');

    const minor = version(3, clarified(aupV2), { changeKind: 'minor' });
    const withMinor = [v1, retire(p2), minor];
    expect(
      computeStatus({
        ...base,
        versions: withMinor,
        acknowledgements: [first],
        approvals,
        now: new Date('2026-11-01T09:00:00Z'),
      }),
    ).toMatchObject({ kind: 'signed', versionNumber: 2 });

    const material = version(4, clarified(aupV3), { changeKind: 'material' });
    const withMaterial = [v1, retire(p2), retire(minor), material];
    expect(
      computeStatus({
        ...base,
        versions: withMaterial,
        acknowledgements: [first],
        approvals,
        now: new Date('2027-01-10T09:00:00Z'),
      }),
    ).toMatchObject({
      kind: 'due',
      reason: 'material-change',
      versionNumber: 4,
      lastSignedVersion: 2,
    });

    // Their second signature needs no approval: the first was approved.
    const second = acknowledge(material, '2027-01-11T09:00:00.000Z', 'not-required');
    const both = { ...base, versions: withMaterial, acknowledgements: [first, second], approvals };
    expect(computeStatus({ ...both, now: new Date('2027-01-12T09:00:00Z') })).toEqual({
      kind: 'signed',
      versionNumber: 4,
      signedAt: '2027-01-11T09:00:00.000Z',
      validUntil: '2028-01-11T09:00:00.000Z',
    });
    expect(computeStatus({ ...both, now: new Date('2028-01-11T09:00:00Z') })).toMatchObject({
      kind: 'due',
      reason: 'renewal',
      versionNumber: 4,
      lastSignedVersion: 4,
    });
  });
});
