import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  loadEvidenceKeyFile,
  memoryEvidenceKeys,
  NO_LOWER_BOUND,
} from '../../../src/adapters/evidence-keys/local-evidence-keys.ts';
import { signRecord } from '../../../src/domain/evidence/evidence-signer.ts';
import type { AuditEventRecord } from '../../../src/domain/evidence/evidence-record.ts';
import { GENESIS } from '../../../src/domain/evidence/evidence-record.ts';
import { prepareKeyRing } from '../../../src/domain/evidence/key-ring.ts';
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
    const keys = loadEvidenceKeyFile(join(dir, 'nested', 'evidence-key.pem'), {
      validFrom: '2026-01-01T00:00:00.000Z',
    });
    expect(keys.keyRing.keys[0]?.validFrom).toBe('2026-01-01T00:00:00.000Z');
    const stranger = memoryEvidenceKeys();
    const signed = await signRecord(stranger.signer, event);
    expect(
      checkSignature(signed.record, signed.signature, prepareKeyRing(keys.keyRing)).status,
    ).toBe('unknown-key');
  });
});
