import { describe, expect, it } from 'vitest';
import type { PersonStatus } from '../../src/domain/person-status.ts';
import type { PolicyVersion } from '../../src/domain/policy.ts';
import { impactOf, tallyImpacts, versionsAfterPublish } from '../../src/domain/publish-impact.ts';
import { computeStatus, currentVersion, type StatusInput } from '../../src/domain/status.ts';
import { planWithdrawal, versionsAfterWithdrawal } from '../../src/domain/withdrawal.ts';
import { aupV1, aupV2, aupV3 } from './aup-versions.ts';
import { acknowledge, staffAup, version } from './builders.ts';

const NOW = new Date('2026-10-01T12:00:00.000Z');
const v1 = version(1, aupV1, { status: 'retired', publishedAt: '2026-01-05T08:00:00.000Z' });
/** Published by mistake on 20 September, then withdrawn. */
const v2 = version(2, aupV2, { publishedAt: '2026-09-20T08:00:00.000Z' });
const v1Current = { ...v1, status: 'published' } satisfies PolicyVersion;
const v2Withdrawn = { ...v2, status: 'withdrawn' } satisfies PolicyVersion;
const afterWithdrawal = [v1Current, v2Withdrawn];

const signedV1 = acknowledge(v1, '2026-01-10T09:00:00.000Z');
const signedV2 = acknowledge(v2, '2026-09-21T09:00:00.000Z');

function statusOf(overrides: Partial<StatusInput>): PersonStatus {
  return computeStatus({
    policy: staffAup,
    versions: afterWithdrawal,
    acknowledgements: [],
    personAudiences: ['staff'],
    timeZone: 'Europe/London',
    now: NOW,
    ...overrides,
  });
}

describe('status once a version is withdrawn', () => {
  it('the version before it is current again', () => {
    expect(currentVersion(afterWithdrawal)?.number).toBe(1);
  });

  it('whoever had signed the previous version is signed again, from that signature', () => {
    // While v2 stood they had to sign it.
    expect(statusOf({ versions: [v1, v2], acknowledgements: [signedV1] })).toMatchObject({
      kind: 'due',
      reason: 'material-change',
    });
    expect(statusOf({ acknowledgements: [signedV1] })).toEqual({
      kind: 'signed',
      versionNumber: 1,
      signedAt: signedV1.signedAt,
      validUntil: '2027-01-10T09:00:00.000Z',
    });
  });

  it('whoever signed both is signed on the previous version: the withdrawn signature is kept but not counted', () => {
    expect(statusOf({ acknowledgements: [signedV1, signedV2] })).toEqual({
      kind: 'signed',
      versionNumber: 1,
      signedAt: signedV1.signedAt,
      validUntil: '2027-01-10T09:00:00.000Z',
    });
  });

  it('whoever signed only the withdrawn version is signed: it stands for the version current again', () => {
    expect(statusOf({ acknowledgements: [signedV2] })).toEqual({
      kind: 'signed',
      versionNumber: 2,
      signedAt: signedV2.signedAt,
      validUntil: '2027-09-21T09:00:00.000Z',
      standsFor: 1,
    });
  });

  it('whoever signed nothing is due for the version current again', () => {
    expect(statusOf({ acknowledgements: [] })).toEqual({
      kind: 'due',
      reason: 'never-signed',
      versionNumber: 1,
    });
  });

  it('the next material version counts from the version current again, not the withdrawn one', () => {
    const v3 = version(3, aupV3, { publishedAt: '2026-09-25T08:00:00.000Z' });
    const later = [{ ...v1Current, status: 'retired' } satisfies PolicyVersion, v2Withdrawn, v3];
    // v3 changes what staff read against v1: everyone who signed v1 must sign v3.
    expect(statusOf({ versions: later, acknowledgements: [signedV1, signedV2] })).toMatchObject({
      kind: 'due',
      reason: 'material-change',
      versionNumber: 3,
      lastSignedVersion: 1,
    });
    // Someone whose only signature is of v2 is due too, and "what changed" starts from v2.
    expect(statusOf({ versions: later, acknowledgements: [signedV2] })).toMatchObject({
      kind: 'due',
      reason: 'material-change',
      versionNumber: 3,
      lastSignedVersion: 2,
    });
    // A v3 that republishes exactly the text of v2 asks nothing more of those who signed v2.
    const v3SameAsV2 = version(3, aupV2, { publishedAt: '2026-09-25T08:00:00.000Z' });
    const republished = [
      { ...v1Current, status: 'retired' } satisfies PolicyVersion,
      v2Withdrawn,
      v3SameAsV2,
    ];
    expect(statusOf({ versions: republished, acknowledgements: [signedV2] })).toMatchObject({
      kind: 'signed',
      versionNumber: 2,
    });
  });
});

describe('planWithdrawal', () => {
  it('withdraws the current version and restores the one before it', () => {
    const plan = planWithdrawal([v1, v2], 2);
    expect(plan.withdraw.number).toBe(2);
    expect(plan.restore.number).toBe(1);
    expect(versionsAfterWithdrawal([v1, v2], plan).map((v) => [v.number, v.status])).toEqual([
      [1, 'published'],
      [2, 'withdrawn'],
    ]);
  });

  it('skips a version already withdrawn when choosing what to restore', () => {
    const v3 = version(3, aupV3);
    const plan = planWithdrawal([{ ...v1Current, status: 'retired' }, v2Withdrawn, v3], 3);
    expect(plan.restore.number).toBe(1);
  });

  it('refuses a version that is not the current one, an unknown one and a first version', () => {
    expect(() => planWithdrawal([v1, v2], 1)).toThrow(
      expect.objectContaining({ code: 'conflict' }),
    );
    expect(() => planWithdrawal(afterWithdrawal, 2)).toThrow(
      expect.objectContaining({ code: 'conflict' }),
    );
    expect(() => planWithdrawal([v1, v2], 9)).toThrow(
      expect.objectContaining({ code: 'not-found' }),
    );
    expect(() => planWithdrawal([v1Current], 1)).toThrow(/first version of this policy/);
  });
});

describe('publish impact', () => {
  const draft = version(2, aupV2, { status: 'draft' });
  const before = [v1Current, draft];
  const after = versionsAfterPublish(before, 2, '2026-09-20T08:00:00.000Z');

  it('publishing retires the current version and publishes the draft', () => {
    expect(after.map((v) => [v.number, v.status])).toEqual([
      [1, 'retired'],
      [2, 'published'],
    ]);
  });

  it('counts who must sign again, who still has to, and who is signed again', () => {
    const impact = (
      acks: StatusInput['acknowledgements'],
      versionsBefore = before,
      versionsAfter = after,
    ) =>
      impactOf(
        statusOf({ versions: versionsBefore, acknowledgements: acks }),
        statusOf({ versions: versionsAfter, acknowledgements: acks }),
      );
    expect(impact([signedV1])).toBe('must-sign-again');
    expect(impact([])).toBe('still-to-sign');
    // A minor correction asks nobody to sign again.
    const minor = versionsAfterPublish(
      [v1Current, { ...draft, changeKind: 'minor' }],
      2,
      '2026-09-20T08:00:00.000Z',
    );
    expect(impact([signedV1], before, minor)).toBe('unaffected');
    // Withdrawing v2 restores the signature of v1.
    expect(impact([signedV1], [v1, v2], afterWithdrawal)).toBe('signed-again');
  });

  it('tallies per audience, a person in two audiences counting in both', () => {
    expect(
      tallyImpacts(
        ['staff', 'governors'],
        [
          { audiences: ['staff'], impact: 'must-sign-again' },
          { audiences: ['staff', 'governors'], impact: 'still-to-sign' },
          { audiences: ['governors'], impact: 'unaffected' },
          { audiences: ['pupils'], impact: 'must-sign-again' },
        ],
      ),
    ).toEqual([
      { audience: 'staff', people: 2, mustSignAgain: 1, stillToSign: 1, signedAgain: 0 },
      { audience: 'governors', people: 2, mustSignAgain: 0, stillToSign: 1, signedAgain: 0 },
    ]);
  });
});
