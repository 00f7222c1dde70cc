import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  loadEvidenceKeyFile,
  memoryEvidenceKeys,
  NO_LOWER_BOUND,
  ringFileOf,
} from '../../../src/adapters/evidence-keys/local-evidence-keys.ts';
import {
  generateEvidenceKeyPair,
  privateKeyToPem,
} from '../../../src/domain/evidence/evidence-keys.ts';
import { signRecord } from '../../../src/domain/evidence/evidence-signer.ts';
import type { AuditEventRecord } from '../../../src/domain/evidence/evidence-record.ts';
import { GENESIS } from '../../../src/domain/evidence/evidence-record.ts';
import { keyRingSchema, prepareKeyRing } from '../../../src/domain/evidence/key-ring.ts';
import { checkSignature } from '../../../src/domain/evidence/signature-check.ts';

const dir = mkdtempSync(join(tmpdir(), 'countersign-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const event: AuditEventRecord = {
  kind: 'audit-event',
  id: 'evt-1',
  type: 'acknowledgement.signed',
  actorId: 'u1',
  at: '2026-09-01T08:00:00.123Z',
  subject: 'staff-aup:v1:u1',
  details: {},
  shard: 0,
  seq: 1,
  prev: GENESIS,
};

describe('the local evidence key file', () => {
  it('is made once, kept private, and gives the same key id on every start', async () => {
    const path = join(dir, 'nested', 'evidence-key.pem');
    const first = loadEvidenceKeyFile(path, { create: true });
    const again = loadEvidenceKeyFile(path);
    expect(readFileSync(path, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(again.signer.kid).toBe(first.signer.kid);
    expect(again.keyRing).toEqual(first.keyRing);
    expect(first.keyRing.keys).toEqual([
      expect.objectContaining({ kid: first.signer.kid, alg: 'Ed25519', validFrom: NO_LOWER_BOUND }),
    ]);
    // Only the public half is published.
    expect(JSON.stringify(first.keyRing)).not.toMatch(/"d"/);

    const signed = await signRecord(first.signer, event);
    expect(checkSignature(signed.record, signed.signature, prepareKeyRing(again.keyRing))).toEqual(
      expect.objectContaining({ status: 'valid' }),
    );
  });

  it('is never made where it should already exist (production)', () => {
    expect(() => loadEvidenceKeyFile(join(dir, 'absent.pem'))).toThrow(
      /absent\.pem does not exist/,
    );
  });

  it('publishes the validity it is given, and another key does not verify its records', async () => {
    const keys = loadEvidenceKeyFile(join(dir, 'dated', 'evidence-key.pem'), {
      create: true,
      validFrom: '2026-01-01T00:00:00.000Z',
    });
    expect(keys.keyRing.keys[0]?.validFrom).toBe('2026-01-01T00:00:00.000Z');
    const stranger = memoryEvidenceKeys();
    const signed = await signRecord(stranger.signer, event);
    expect(
      checkSignature(signed.record, signed.signature, prepareKeyRing(keys.keyRing)).status,
    ).toBe('unknown-key');
    // The ring file is the record: a different start for the same key is refused.
    expect(() =>
      loadEvidenceKeyFile(join(dir, 'dated', 'evidence-key.pem'), {
        validFrom: '2026-02-01T00:00:00.000Z',
      }),
    ).toThrow(/was published valid from 2026-01-01T00:00:00.000Z/);
  });

  it('keeps the retired key in the ring file after a rotation, so records from both verify', async () => {
    const path = join(dir, 'rotating', 'evidence-key.pem');
    const first = loadEvidenceKeyFile(path, { create: true });
    const before = await signRecord(first.signer, { ...event, at: '2026-09-01T08:00:00.000Z' });
    const firstPem = readFileSync(path, 'utf8');

    // The rotation: a new key in the file, first loaded at 2026-10-01.
    writeFileSync(path, privateKeyToPem(generateEvidenceKeyPair('Ed25519').privateKey));
    const rotatedAt = new Date('2026-10-01T00:00:00.000Z');
    const second = loadEvidenceKeyFile(path, { clock: { now: () => rotatedAt } });
    const after = await signRecord(second.signer, { ...event, at: '2026-10-02T08:00:00.000Z' });
    expect(second.signer.kid).not.toBe(first.signer.kid);

    // What the service publishes, as `countersign verify --keys` reads it.
    const published = keyRingSchema.parse(JSON.parse(JSON.stringify(second.keyRing)));
    expect(published.keys.map((k) => [k.kid, k.validFrom, k.validTo])).toEqual([
      [first.signer.kid, NO_LOWER_BOUND, rotatedAt.toISOString()],
      [second.signer.kid, rotatedAt.toISOString(), undefined],
    ]);
    expect(JSON.parse(readFileSync(ringFileOf(path), 'utf8'))).toEqual(published);
    const ring = prepareKeyRing(published);
    expect(checkSignature(before.record, before.signature, ring).status).toBe('valid');
    expect(checkSignature(after.record, after.signature, ring).status).toBe('valid');
    // The old key cannot sign past its retirement, nor can an unpublished key sign at all.
    const late = await signRecord(first.signer, { ...event, at: '2026-10-02T08:00:00.000Z' });
    expect(checkSignature(late.record, late.signature, ring).status).toBe(
      'key-not-valid-at-signing',
    );
    const stranger = await signRecord(memoryEvidenceKeys().signer, event);
    expect(checkSignature(stranger.record, stranger.signature, ring).status).toBe('unknown-key');
    // Putting the retired key back is refused: what it signed now would not verify.
    writeFileSync(path, firstPem);
    expect(() => loadEvidenceKeyFile(path)).toThrow(/was retired at 2026-10-01T00:00:00.000Z/);
  });
});
