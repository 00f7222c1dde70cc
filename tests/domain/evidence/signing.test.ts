import { createHash, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CountersignError } from '../../../src/domain/errors.ts';
import {
  generateEvidenceKeyPair,
  privateKeyFromPem,
  privateKeyToPem,
  publicKeyFromMaterial,
  publicKeyToJwk,
  publicKeyToSpki,
} from '../../../src/domain/evidence/evidence-keys.ts';
import type { ApprovalDecisionRecord } from '../../../src/domain/evidence/evidence-record.ts';
import { localEvidenceSigner, signRecord } from '../../../src/domain/evidence/evidence-signer.ts';
import { keyRingEntry, prepareKeyRing } from '../../../src/domain/evidence/key-ring.ts';
import { checkSignature } from '../../../src/domain/evidence/signature-check.ts';
import {
  recordHash,
  signingPayload,
  signingTag,
} from '../../../src/domain/evidence/signing-payload.ts';
import { acknowledgementRecord, decisionRecord } from './records.ts';

const keys = generateEvidenceKeyPair();
const signer = localEvidenceSigner('k-2026', keys.privateKey);
const ring = prepareKeyRing({
  keys: [keyRingEntry('k-2026', keys.publicKey, { validFrom: '2026-01-01T00:00:00Z' })],
});

describe('signingPayload', () => {
  it('is the kind and schema tag, a newline, then the canonical JSON of the record', () => {
    const ack = acknowledgementRecord('u1');
    const text = new TextDecoder().decode(signingPayload(ack));
    expect(signingTag('acknowledgement')).toBe('countersign.evidence/acknowledgement/v1');
    expect(
      text.startsWith(
        'countersign.evidence/acknowledgement/v1\n{"approvalAtSigning":"not-required",',
      ),
    ).toBe(true);
    expect(text.split('\n')).toHaveLength(2);
    const reordered = Object.fromEntries(Object.entries(ack).reverse()) as typeof ack;
    expect(recordHash(reordered)).toBe(recordHash(ack));
    expect(recordHash(ack)).toBe(createHash('sha256').update(text).digest('hex'));
  });
});

describe('signRecord', () => {
  it('signs with Ed25519 as { alg, kid, sig (base64url) } and verifies with the published key', async () => {
    const signed = await signRecord(signer, acknowledgementRecord('u1'));
    expect(signed.signature.alg).toBe('Ed25519');
    expect(signed.signature.kid).toBe('k-2026');
    expect(signed.signature.sig).toMatch(/^[A-Za-z0-9_-]{86}$/); // 64 bytes
    expect(signed.hash).toBe(recordHash(signed.record));
    expect(checkSignature(signed.record, signed.signature, ring)).toEqual({
      status: 'valid',
      kid: 'k-2026',
    });
  });

  it('drops properties outside the schema and refuses an invalid record', async () => {
    const withExtra = { ...acknowledgementRecord('u1'), listItemId: '17' };
    const signed = await signRecord(signer, withExtra);
    expect(signed.record).not.toHaveProperty('listItemId');
    await expect(
      signRecord(signer, acknowledgementRecord('u1', { signedAt: 'yesterday' })),
    ).rejects.toThrow(/Cannot sign an invalid acknowledgement: signedAt/);
  });

  it('signs with ES256 (r‖s, 64 bytes) for a P-256 key, as Key Vault does', async () => {
    const p256 = generateEvidenceKeyPair('ES256');
    const kv = localEvidenceSigner('kv-1', p256.privateKey);
    const signed = await signRecord(kv, acknowledgementRecord('u1'));
    expect(signed.signature.alg).toBe('ES256');
    expect(Buffer.from(signed.signature.sig, 'base64url')).toHaveLength(64);
    const p256Ring = prepareKeyRing({
      keys: [keyRingEntry('kv-1', p256.publicKey, { validFrom: '2026-01-01T00:00:00Z' }, 'spki')],
    });
    expect(checkSignature(signed.record, signed.signature, p256Ring).status).toBe('valid');
    // The alg is the key's, not the signature's say-so.
    expect(
      checkSignature(signed.record, { ...signed.signature, alg: 'Ed25519' }, p256Ring).status,
    ).toBe('bad-signature');
  });
});

describe('domain separation', () => {
  it('an acknowledgement signature never verifies as an approval decision', async () => {
    const ack = await signRecord(signer, acknowledgementRecord('u1'));
    const decision: ApprovalDecisionRecord = decisionRecord(ack.record);
    expect(checkSignature(decision, ack.signature, ring)).toEqual({
      status: 'bad-signature',
      kid: 'k-2026',
    });
    // Even the same JSON under another kind's tag is other bytes.
    const relabelled = {
      ...ack.record,
      kind: 'approval-decision',
    } as unknown as ApprovalDecisionRecord;
    const bytes = new TextDecoder().decode(signingPayload(relabelled));
    expect(bytes.startsWith('countersign.evidence/approval-decision/v1\n')).toBe(true);
    expect(checkSignature(relabelled, ack.signature, ring).status).toBe('bad-signature');
  });
});

describe('keys', () => {
  it('round-trips the private key through PKCS#8 PEM and the public key through JWK and SPKI', async () => {
    const pem = privateKeyToPem(keys.privateKey);
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const loaded = privateKeyFromPem(pem);
    expect(loaded.alg).toBe('Ed25519');
    const jwk = publicKeyToJwk(keys.privateKey);
    expect(jwk).toEqual({
      kty: 'OKP',
      crv: 'Ed25519',
      x: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) as unknown,
    });
    const spki = publicKeyToSpki(keys.publicKey);
    expect(publicKeyFromMaterial(spki).equals(publicKeyFromMaterial(jwk))).toBe(true);
    const signed = await signRecord(
      localEvidenceSigner('k-2026', loaded.privateKey),
      acknowledgementRecord('u2'),
    );
    expect(checkSignature(signed.record, signed.signature, ring).status).toBe('valid');
  });

  it('refuses keys that are not Ed25519 or P-256, and a public key as a signer', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(() => localEvidenceSigner('rsa', rsa.privateKey)).toThrow(
      /Ed25519 or EC P-256, not rsa/,
    );
    expect(() => localEvidenceSigner('pub', keys.publicKey)).toThrow(CountersignError);
    expect(() => privateKeyFromPem('not a key')).toThrow(/not a PEM private key/);
  });
});
