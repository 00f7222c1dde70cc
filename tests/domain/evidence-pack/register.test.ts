import { describe, expect, it } from 'vitest';
import { buildRegister, type PackPerson } from '../../../src/domain/evidence-pack/register.ts';
import { statusInWords } from '../../../src/domain/evidence-pack/status-words.ts';
import { ukDate, ukDateTime } from '../../../src/domain/evidence-pack/uk-time.ts';
import type {
  AcknowledgementRecord,
  ApprovalDecisionRecord,
  PublishedVersionRecord,
} from '../../../src/domain/evidence/evidence-record.ts';
import type { PolicyDocument } from '../../../src/domain/policy-document.ts';

const document: PolicyDocument = {
  title: 'Staff AUP 2026',
  sections: [{ heading: 'Use', clauses: [{ number: '1', text: 'I will be careful.', items: [] }] }],
  declaration: 'I agree.',
  consents: [{ key: 'photo', text: 'You may use my photo.' }],
  approval: null,
};

const version: PublishedVersionRecord = {
  kind: 'published-version',
  id: 'staff-aup:v2',
  policyKey: 'staff-aup',
  number: 2,
  label: '2026-27',
  contentHash: 'b'.repeat(64),
  changeKind: 'material',
  publishedAt: '2026-09-01T07:00:00.000Z',
  publishedBy: 'admin',
};

function ack(
  userId: string,
  name: string,
  over: Partial<AcknowledgementRecord> = {},
): AcknowledgementRecord {
  return {
    kind: 'acknowledgement',
    id: `staff-aup:v2:${userId}`,
    policyKey: 'staff-aup',
    versionNumber: 2,
    contentHash: 'b'.repeat(64),
    userId,
    upn: `${userId}@school.example`,
    displayName: name,
    typedName: name,
    statedRole: 'Teacher',
    signedAt: '2026-10-01T08:00:00.000Z',
    channel: 'tab',
    consents: { photo: true },
    approvalAtSigning: 'pending',
    ...over,
  };
}

function person(id: string, name: string, status: PackPerson['status']): PackPerson {
  return { id, displayName: name, upn: `${id}@school.example`, audiences: ['Staff'], status };
}

const decision: ApprovalDecisionRecord = {
  kind: 'approval-decision',
  id: 'd1',
  acknowledgementId: 'staff-aup:v2:u1',
  userId: 'u1',
  approverId: 'head',
  approverName: 'Helen Head',
  decision: 'approved',
  additionalPermissions: ['Remote access'],
  decidedAt: '2026-10-02T09:00:00.000Z',
};

describe('the register of a version', () => {
  const register = buildRegister({
    schoolName: 'Hollybank Primary',
    timeZone: 'Europe/London',
    policyKey: 'staff-aup',
    policyTitle: 'Staff AUP',
    version,
    document,
    acknowledgements: [
      ack('u1', 'Ann Able'),
      ack('u2', 'Ben Best', { approvalAtSigning: 'not-required', consents: {} }),
      ack('gone', 'Gail Gone', { approvalAtSigning: 'not-required' }),
      // A signature of another version is not in this register.
      ack('u3', 'Cat Cole', { id: 'staff-aup:v1:u3', versionNumber: 1 }),
    ],
    decisions: [decision],
    people: [
      person('u1', 'Ann Able', {
        kind: 'signed',
        versionNumber: 2,
        signedAt: '2026-10-01T08:00:00.000Z',
        validUntil: '2027-09-01T00:00:00.000Z',
      }),
      person('u2', 'Ben Best', {
        kind: 'signed',
        versionNumber: 2,
        signedAt: '2026-10-01T08:00:00.000Z',
        validUntil: '2027-09-01T00:00:00.000Z',
      }),
      person('u3', 'Cat Cole', {
        kind: 'due',
        reason: 'material-change',
        versionNumber: 2,
        lastSignedVersion: 1,
      }),
      person('u4', 'Dan Dale', {
        kind: 'overdue',
        reason: 'never-signed',
        versionNumber: 2,
        deadline: '2026-11-30T17:00:00.000Z',
      }),
    ],
    versionName: (n) => (n === 2 ? '2026-27' : `version ${n}`),
  });

  it('counts everyone once, and the sums hold', () => {
    expect(register.counts).toEqual({
      inAudiences: 4,
      signedThisVersion: 2,
      notSigned: 2,
      signedOutsideAudiences: 1,
      signatures: 3,
      byApproval: { 'not-required': 2, pending: 0, approved: 1, rejected: 0 },
      notSignedByStatus: { due: 1, overdue: 1 },
      reconciles: true,
    });
    expect(register.countLines).toContain(
      'Signed this version: 2. Not signed: 2 (1 due, 1 overdue). 2 + 2 = 4.',
    );
  });

  it('takes approval from the signed decision, with its permissions and UK time', () => {
    const ann = register.signatures.find((s) => s.userId === 'u1');
    expect(ann?.approval).toMatchObject({
      state: 'approved',
      words: 'Approved by Helen Head, 2 October 2026, 10:00 BST',
      additionalPermissions: ['Remote access'],
    });
    expect(ann?.signedAtLocal).toBe('1 October 2026, 09:00 BST');
    expect(ann?.consents).toEqual([{ key: 'photo', text: 'You may use my photo.', answer: 'Yes' }]);
    const ben = register.signatures.find((s) => s.userId === 'u2');
    expect(ben?.consents[0]?.answer).toBe('Not answered');
    expect(register.signatures.find((s) => s.userId === 'gone')?.inAudiences).toBe(false);
  });

  it('says who has not signed in plain words', () => {
    expect(register.outstanding.map((o) => o.statusWords)).toEqual([
      'Must sign 2026-27: it changed since version 1',
      'Overdue: has not signed yet (2026-27 to sign); the deadline was 30 November 2026',
    ]);
  });
});

describe('UK dates in the school zone', () => {
  it('names GMT and BST and never the ICU joining word', () => {
    expect(ukDateTime('2026-12-03T17:35:00Z', 'Europe/London')).toBe('3 December 2026, 17:35 GMT');
    expect(ukDateTime('2026-07-03T17:35:00Z', 'Europe/London')).toBe('3 July 2026, 18:35 BST');
    expect(ukDate('2026-03-28T23:30:00Z', 'Europe/London')).toBe('28 March 2026');
  });

  it('words a rejection with its reason', () => {
    expect(
      statusInWords(
        {
          kind: 'rejected',
          versionNumber: 1,
          signedAt: '2026-10-01T08:00:00.000Z',
          comment: 'Wrong role',
        },
        () => '2026-27',
        'Europe/London',
      ),
    ).toBe('Signed 2026-27 on 1 October 2026; the approver rejected it (Wrong role)');
  });
});
