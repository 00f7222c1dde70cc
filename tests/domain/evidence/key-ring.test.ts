import { describe, expect, it } from 'vitest';
import { generateEvidenceKeyPair } from '../../../src/domain/evidence/evidence-keys.ts';
import { localEvidenceSigner, signRecord } from '../../../src/domain/evidence/evidence-signer.ts';
import {
  keyRingEntry,
  keyRingSchema,
  keyValidAt,
  prepareKeyRing,
  rotateKeyRing,
  type KeyRing,
} from '../../../src/domain/evidence/key-ring.ts';
import { checkSignature } from '../../../src/domain/evidence/signature-check.ts';
import { acknowledgementRecord } from './records.ts';

const first = generateEvidenceKeyPair();
const second = generateEvidenceKeyPair('ES256');
const unpublished = generateEvidenceKeyPair();
const ROTATED_AT = '2027-01-01T00:00:00.000Z';

const before: KeyRing = {
  keys: [keyRingEntry('countersign-2026', first.publicKey, { validFrom: '2026-08-01T00:00:00Z' })],
};
const after = rotateKeyRing(
  before,
  keyRingEntry('countersign-2027', second.publicKey, { validFrom: ROTATED_AT }),
);

describe('rotateKeyRing', () => {
  it('closes the open key at the new key’s start and publishes both', () => {
    expect(after.keys.map((k) => [k.kid, k.alg, k.validFrom, k.validTo])).toEqual([
      ['countersign-2026', 'Ed25519', '2026-08-01T00:00:00Z', ROTATED_AT],
      ['countersign-2027', 'ES256', ROTATED_AT, undefined],
    ]);
    expect(keyValidAt(after.keys[0]!, '2026-12-31T23:59:59.999Z')).toBe(true);
    expect(keyValidAt(after.keys[0]!, ROTATED_AT)).toBe(false);
    expect(keyValidAt(after.keys[1]!, ROTATED_AT)).toBe(true);
  });

  it('refuses a ring with two keys of one kid, or a key valid until before it starts', () => {
    expect(keyRingSchema.safeParse({ keys: [...before.keys, ...before.keys] }).success).toBe(false);
    expect(() =>
      keyRingEntry('x', first.publicKey, {
        validFrom: '2026-08-01T00:00:00Z',
        validTo: '2026-07-01T00:00:00Z',
      }),
    ).toThrow(/validTo must be after validFrom/);
  });

  it('refuses a ring whose key is not of its stated alg', () => {
    const entry = {
      ...keyRingEntry('k', first.publicKey, { validFrom: ROTATED_AT }),
      alg: 'ES256' as const,
    };
    expect(() => prepareKeyRing({ keys: [entry] })).toThrow(
      /published as ES256 but is an Ed25519 key/,
    );
  });
});

describe('verifying across a rotation', () => {
  const ring = prepareKeyRing(after);

  it('records signed before and after the rotation both verify with the published ring', async () => {
    const old = await signRecord(
      localEvidenceSigner('countersign-2026', first.privateKey),
      acknowledgementRecord('u1', { signedAt: '2026-09-03T08:12:00.000Z' }),
    );
    const fresh = await signRecord(
      localEvidenceSigner('countersign-2027', second.privateKey),
      acknowledgementRecord('u2', { signedAt: '2027-02-01T10:00:00.000Z' }),
    );
    expect(checkSignature(old.record, old.signature, ring)).toEqual({
      status: 'valid',
      kid: 'countersign-2026',
    });
    expect(checkSignature(fresh.record, fresh.signature, ring)).toEqual({
      status: 'valid',
      kid: 'countersign-2027',
    });
  });

  it('a record signed with an unpublished key fails, even under a published kid', async () => {
    const stranger = await signRecord(
      localEvidenceSigner('laptop-key', unpublished.privateKey),
      acknowledgementRecord('u3'),
    );
    expect(checkSignature(stranger.record, stranger.signature, ring)).toEqual({
      status: 'unknown-key',
      kid: 'laptop-key',
    });
    const posing = await signRecord(
      localEvidenceSigner('countersign-2026', unpublished.privateKey),
      acknowledgementRecord('u3'),
    );
    expect(checkSignature(posing.record, posing.signature, ring)).toEqual({
      status: 'bad-signature',
      kid: 'countersign-2026',
    });
  });

  it('a record whose signing time lies outside its key’s validity fails', async () => {
    const retiredKeyLater = await signRecord(
      localEvidenceSigner('countersign-2026', first.privateKey),
      acknowledgementRecord('u4', { signedAt: '2027-03-01T09:00:00.000Z' }),
    );
    expect(checkSignature(retiredKeyLater.record, retiredKeyLater.signature, ring)).toEqual({
      status: 'key-not-valid-at-signing',
      kid: 'countersign-2026',
      signingTime: '2027-03-01T09:00:00.000Z',
      validFrom: '2026-08-01T00:00:00Z',
      validTo: ROTATED_AT,
    });
    const newKeyBackdated = await signRecord(
      localEvidenceSigner('countersign-2027', second.privateKey),
      acknowledgementRecord('u5', { signedAt: '2026-10-01T09:00:00.000Z' }),
    );
    expect(checkSignature(newKeyBackdated.record, newKeyBackdated.signature, ring).status).toBe(
      'key-not-valid-at-signing',
    );
  });

  it('a missing or mangled signature is said so, not thrown', () => {
    const record = acknowledgementRecord('u6');
    expect(checkSignature(record, undefined, ring)).toEqual({ status: 'missing' });
    expect(checkSignature(record, { alg: 'HS256', kid: 'x', sig: 'abc' }, ring)).toEqual({
      status: 'malformed',
    });
    expect(
      checkSignature(record, { alg: 'Ed25519', kid: 'countersign-2026', sig: 'AAAA' }, ring),
    ).toEqual({
      status: 'bad-signature',
      kid: 'countersign-2026',
    });
  });
});
