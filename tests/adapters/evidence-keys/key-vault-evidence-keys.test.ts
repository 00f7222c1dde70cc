import { KeyClient } from '@azure/keyvault-keys';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openKeyVaultEvidenceKeys } from '../../../src/adapters/evidence-keys/key-vault-evidence-keys.ts';
import { memoryEvidenceKeys } from '../../../src/adapters/evidence-keys/local-evidence-keys.ts';
import {
  startKeyVaultEmulator,
  type KeyVaultEmulator,
} from '../../../src/dev/key-vault-emulator/key-vault-emulator.ts';
import type { AuditEventRecord } from '../../../src/domain/evidence/evidence-record.ts';
import { GENESIS } from '../../../src/domain/evidence/evidence-record.ts';
import { signRecord } from '../../../src/domain/evidence/evidence-signer.ts';
import { keyRingSchema, prepareKeyRing } from '../../../src/domain/evidence/key-ring.ts';
import { checkSignature } from '../../../src/domain/evidence/signature-check.ts';

// The emulator listens on http://127.0.0.1: only here are two documented SDK options set, one to
// allow plain HTTP, one to skip the check that the challenge's resource (vault.azure.net) is the
// request's domain.
const clientOptions = { disableChallengeResourceVerification: true, allowInsecureConnection: true };
const MINUTE = 60_000;
// Key Vault states times in whole seconds; the test clock starts on one, two days back so the
// SDK's own not-before check (against the real clock) never interferes.
const T0 = Math.floor((Date.now() - 2 * 24 * 60 * MINUTE) / 1000) * 1000;

let vault: KeyVaultEmulator;
let nowMs: number;
const clock = { now: () => new Date(nowMs) };

function event(id: string): AuditEventRecord {
  return {
    kind: 'audit-event',
    id,
    type: 'acknowledgement.signed',
    actorId: 'u1',
    at: new Date(nowMs).toISOString(),
    subject: `staff-aup:v1:${id}`,
    details: {},
    shard: 0,
    seq: 1,
    prev: GENESIS,
  };
}

beforeEach(async () => {
  nowMs = T0;
  vault = await startKeyVaultEmulator({ now: clock.now });
});
afterEach(async () => {
  await vault.close();
});

async function createVersion(notBefore?: number): Promise<string> {
  const admin = new KeyClient(vault.url, vault.credential, clientOptions);
  const key = await admin.createEcKey('evidence', {
    curve: 'P-256',
    keyOps: ['sign', 'verify'],
    ...(notBefore === undefined ? {} : { notBefore: new Date(notBefore) }),
  });
  return key.id ?? '';
}

describe('the Key Vault evidence signer', () => {
  it('signs ES256 in the vault after the challenge, and the published ring verifies it', async () => {
    const kid = await createVersion();
    nowMs += MINUTE;
    const keys = await openKeyVaultEvidenceKeys({
      keyUrl: `${vault.url}/keys/evidence`,
      credential: vault.credential,
      clock,
      clientOptions,
    });
    const signed = await signRecord(keys.signer, event('evt-1'));
    expect(signed.signature).toMatchObject({ alg: 'ES256', kid });
    // r‖s: 64 bytes, what the domain's verifier reads.
    expect(Buffer.from(signed.signature.sig, 'base64url')).toHaveLength(64);
    const ring = keyRingSchema.parse(JSON.parse(JSON.stringify(keys.keyRing)));
    expect(ring.keys).toEqual([
      expect.objectContaining({ kid, alg: 'ES256', validFrom: new Date(T0).toISOString() }),
    ]);
    expect(ring.keys[0]?.validTo).toBeUndefined();
    expect(checkSignature(signed.record, signed.signature, prepareKeyRing(ring))).toEqual({
      status: 'valid',
      kid,
    });

    // Challenge flow: the first request goes without a token and is answered 401; the token is
    // then asked for the resource the challenge named, in the tenant it named.
    const first = vault.requests().find((r) => r.path.startsWith('/keys/evidence'));
    expect(first).toMatchObject({ authorized: false, status: 401 });
    expect(vault.tokenRequests()[0]).toEqual({
      scopes: ['https://vault.azure.net/.default'],
      tenantId: '00000000-0000-0000-0000-00000000cafe',
    });
    const signs = vault.requests().filter((r) => r.method === 'POST' && r.path.endsWith('/sign'));
    // Each SDK client meets the challenge once (the version's CryptographyClient is its own
    // client): the first sign goes out without a token or body, the second carries both.
    expect(signs.map((r) => [r.authorized, r.status])).toEqual([
      [false, 401],
      [true, 200],
    ]);
    await signRecord(keys.signer, event('evt-2'));
    expect(
      vault.requests().filter((r) => r.method === 'POST' && r.path.endsWith('/sign')),
    ).toHaveLength(3);
  });

  it('follows a rotation: each record is signed by the version valid at its time, and all verify', async () => {
    const v1 = await createVersion();
    nowMs += MINUTE;
    const keys = await openKeyVaultEvidenceKeys({
      keyUrl: `${vault.url}/keys/evidence`,
      credential: vault.credential,
      clock,
      clientOptions,
    });
    const before = await signRecord(keys.signer, event('evt-1'));

    // The rotation: a new version whose not-before lies ten minutes ahead.
    nowMs = T0 + 60 * MINUTE;
    const rotation = T0 + 70 * MINUTE;
    const v2 = await createVersion(rotation);
    nowMs += 2 * MINUTE;
    const during = await signRecord(keys.signer, event('evt-2'));
    nowMs = rotation + MINUTE;
    const after = await signRecord(keys.signer, event('evt-3'));

    expect([before, during, after].map((s) => s.signature.kid)).toEqual([v1, v1, v2]);
    const ring = keyRingSchema.parse(JSON.parse(JSON.stringify(keys.keyRing)));
    expect(ring.keys.map((k) => [k.kid, k.validFrom, k.validTo])).toEqual([
      [v1, new Date(T0).toISOString(), new Date(rotation).toISOString()],
      [v2, new Date(rotation).toISOString(), undefined],
    ]);
    const prepared = prepareKeyRing(ring);
    for (const signed of [before, during, after]) {
      expect(checkSignature(signed.record, signed.signature, prepared).status).toBe('valid');
    }
    // A key the vault never held is not in the ring.
    const stranger = await signRecord(memoryEvidenceKeys().signer, event('evt-4'));
    expect(checkSignature(stranger.record, stranger.signature, prepared).status).toBe(
      'unknown-key',
    );
    // The ring of before the rotation does not know the new version.
    const oldRing = prepareKeyRing({ keys: ring.keys.slice(0, 1) });
    expect(checkSignature(after.record, after.signature, oldRing).status).toBe('unknown-key');
  });

  it('refuses a key URL that pins one version, and a key that does not exist', async () => {
    const kid = await createVersion();
    await expect(
      openKeyVaultEvidenceKeys({ keyUrl: kid, credential: vault.credential, clock, clientOptions }),
    ).rejects.toThrow(/names one version/);
    await expect(
      openKeyVaultEvidenceKeys({
        keyUrl: `${vault.url}/keys/absent`,
        credential: vault.credential,
        clock,
        clientOptions,
      }),
    ).rejects.toMatchObject({ code: 'not-found' });
  });
});
