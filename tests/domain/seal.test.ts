import { describe, expect, it } from 'vitest';
import { CountersignError } from '../../src/domain/errors.ts';
import { sealAcknowledgement, verifySeal, verifySeals } from '../../src/domain/seal.ts';
import { aupV2 } from './aup-versions.ts';
import { acknowledge, fields, SEAL_KEY, version } from './builders.ts';

const v2 = version(2, aupV2);
const ack = acknowledge(v2, '2026-09-03T08:12:00.000Z', 'pending', { consents: { photo: true } });

describe('sealAcknowledgement', () => {
  it('is an HMAC-SHA-256 in hex, the same for the same fields and key', () => {
    const seal = sealAcknowledgement(fields(), SEAL_KEY);
    expect(seal).toMatch(/^[0-9a-f]{64}$/);
    expect(sealAcknowledgement(fields(), SEAL_KEY)).toBe(seal);
    expect(sealAcknowledgement(fields(), new TextEncoder().encode(SEAL_KEY))).toBe(seal);
  });

  it('covers exactly the acknowledgement fields: extras are dropped, key order is irrelevant', () => {
    const seal = sealAcknowledgement(fields(), SEAL_KEY);
    const withExtras = { ...fields(), id: 'x', approvalState: 'approved', listItemId: '17' };
    expect(sealAcknowledgement(withExtras, SEAL_KEY)).toBe(seal);
    const reversed = Object.fromEntries(Object.entries(fields()).reverse()) as ReturnType<
      typeof fields
    >;
    expect(sealAcknowledgement(reversed, SEAL_KEY)).toBe(seal);
  });

  it('differs by key and by any field', () => {
    const seal = sealAcknowledgement(fields(), SEAL_KEY);
    expect(sealAcknowledgement(fields(), 'another-key')).not.toBe(seal);
    expect(sealAcknowledgement(fields({ statedRole: 'Teaching assistant' }), SEAL_KEY)).not.toBe(
      seal,
    );
    expect(sealAcknowledgement(fields({ consents: { photo: false } }), SEAL_KEY)).not.toBe(seal);
  });

  it('refuses invalid fields and an empty key', () => {
    expect(() => sealAcknowledgement(fields({ signedAt: 'yesterday' }), SEAL_KEY)).toThrow(
      expect.objectContaining({
        code: 'validation',
        message: expect.stringMatching(/signedAt/) as unknown,
      }),
    );
    expect(() => sealAcknowledgement(fields(), '')).toThrow(CountersignError);
  });
});

describe('verifySeal', () => {
  it('accepts an untouched record, whatever its (unsealed) approval state', () => {
    expect(verifySeal(ack, SEAL_KEY)).toBe(true);
    expect(verifySeal({ ...ack, approvalState: 'approved' }, SEAL_KEY)).toBe(true);
  });

  it('detects an edited typed name, signing time, version or consent', () => {
    expect(verifySeal({ ...ack, typedName: 'Someone Else' }, SEAL_KEY)).toBe(false);
    expect(verifySeal({ ...ack, signedAt: '2026-09-02T08:12:00.000Z' }, SEAL_KEY)).toBe(false);
    expect(verifySeal({ ...ack, versionNumber: 3 }, SEAL_KEY)).toBe(false);
    expect(verifySeal({ ...ack, consents: { photo: false } }, SEAL_KEY)).toBe(false);
  });

  it('detects a record sealed with another key', () => {
    expect(verifySeal(ack, 'not-the-server-key')).toBe(false);
  });

  it('fails a record whose seal or fields are malformed without throwing', () => {
    expect(verifySeal({ ...ack, seal: 'abc' }, SEAL_KEY)).toBe(false);
    expect(verifySeal({ ...ack, seal: ack.seal.toUpperCase() }, SEAL_KEY)).toBe(false);
    expect(verifySeal({ ...ack, signedAt: 'tuesday' }, SEAL_KEY)).toBe(false);
  });
});

describe('verifySeals', () => {
  it('checks every record and names each one that fails, with the reason', () => {
    const colleague = acknowledge(v2, '2026-09-04T12:00:00.000Z', 'not-required', {
      userId: '0b7e2d4c-1111-4222-8333-944455556666',
      upn: 'r.okafor@hollybank.sch.uk',
      displayName: 'Ruth Okafor',
      typedName: 'Ruth Okafor',
    });
    const editedName = { ...colleague, typedName: 'R. Okafor' };
    const editedTime = { ...ack, signedAt: '2026-09-01T08:12:00.000Z' };
    const noSeal = { ...ack, id: 'staff-aup:v2:nobody', seal: '' };
    const report = verifySeals([ack, colleague, editedName, editedTime, noSeal], SEAL_KEY);
    expect(report.checked).toBe(5);
    expect(report.failed.map((failure) => failure.id)).toEqual([
      colleague.id,
      ack.id,
      'staff-aup:v2:nobody',
    ]);
    expect(report.failed[0]?.reason).toMatch(/does not match/);
    expect(report.failed[2]?.reason).toMatch(/missing/);
  });

  it('names a record without an id by its position', () => {
    const anonymous = { ...ack, id: '', typedName: 'Forged' };
    expect(verifySeals([ack, anonymous], SEAL_KEY).failed).toEqual([
      { id: '(record 2 has no id)', reason: expect.stringMatching(/does not match/) as unknown },
    ]);
  });

  it('fails every record under the wrong key', () => {
    expect(verifySeals([ack, ack], 'wrong-key').failed).toHaveLength(2);
    expect(verifySeals([], SEAL_KEY)).toEqual({ checked: 0, failed: [] });
  });
});
