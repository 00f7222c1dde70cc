import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyClient } from '@azure/keyvault-keys';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphAdapters } from '../../src/adapters/graph/create-graph-adapters.ts';
import { localBotFrameworkKeys } from '../../src/bot/auth/bot-framework-keys.ts';
import { loadEnv } from '../../src/config/env.ts';
import {
  startConnectorEmulator,
  type ConnectorEmulator,
} from '../../src/dev/connector-emulator/connector-emulator.ts';
import { DEMO_SCHOOL } from '../../src/dev/demo/demo-school.ts';
import {
  startGraphEmulator,
  type GraphEmulator,
} from '../../src/dev/graph-emulator/graph-emulator.ts';
import {
  startKeyVaultEmulator,
  type KeyVaultEmulator,
} from '../../src/dev/key-vault-emulator/key-vault-emulator.ts';
import { localBotToken } from '../../src/dev/local-bot-token.ts';
import { acknowledgementRecordSchema } from '../../src/domain/evidence/evidence-record.ts';
import { keyRingSchema, prepareKeyRing } from '../../src/domain/evidence/key-ring.ts';
import { checkSignature } from '../../src/domain/evidence/signature-check.ts';
import {
  PRODUCTION_CLIENT_ID,
  productionEnvVars,
  provisionedDemoSite,
  PRODUCTION_TENANT,
} from './support/production-fixture.ts';
import { close, listen } from '../../src/server/http-server.ts';
import {
  composeProductionService,
  type ProductionService,
} from '../../src/server/production-service.ts';

// The service as main.ts composes it for Azure: the evidence key is a Key Vault key
// (COUNTERSIGN_EVIDENCE_KEY_VAULT_KEY_URL), here the Key Vault emulator, reached with the
// emulator's credential instead of the managed identity (the one injected parameter).
const CLIENT_ID = PRODUCTION_CLIENT_ID;
const TENANT = DEMO_SCHOOL.tenantId;
const teacher = DEMO_SCHOOL.staff.find((p) => p.team === 'teaching');
if (teacher === undefined) throw new Error('the demo school has teachers');
const dir = mkdtempSync(join(tmpdir(), 'countersign-prod-kv-'));

let emulator: GraphEmulator;
let vault: KeyVaultEmulator;
let connector: ConnectorEmulator;
let graph: GraphAdapters;
let composed: ProductionService;
let base = '';
let entra: { privateKey: CryptoKey; kid: string };
let keyId = '';
let contentHash = '';

beforeAll(async () => {
  emulator = await startGraphEmulator(PRODUCTION_TENANT);
  ({ graph, contentHash } = await provisionedDemoSite(emulator));

  vault = await startKeyVaultEmulator();
  const clientOptions = {
    disableChallengeResourceVerification: true,
    allowInsecureConnection: true,
  };
  const key = await new KeyClient(vault.url, vault.credential, clientOptions).createEcKey(
    'evidence-signing',
    { curve: 'P-256', keyOps: ['sign', 'verify'] },
  );
  keyId = key.id ?? '';
  connector = await startConnectorEmulator({ tenantId: TENANT });
  const pair = await generateKeyPair('RS256', { extractable: true });
  entra = { privateKey: pair.privateKey, kid: 'entra-1' };
  const entraJwk = { ...(await exportJWK(pair.publicKey)), kid: 'entra-1', alg: 'RS256' };

  const env = loadEnv(
    productionEnvVars(emulator, dir, {
      COUNTERSIGN_EVIDENCE_KEY_VAULT_KEY_URL: `${vault.url}/keys/evidence-signing`,
    }),
  );
  if (env.COUNTERSIGN_MODE !== 'production') throw new Error('a production environment');
  composed = await composeProductionService(env, {
    entraKeys: createLocalJWKSet({ keys: [entraJwk] }),
    botFrameworkKeys: localBotFrameworkKeys({ keys: [] }),
    connectorUrl: connector.url,
    serviceUrls: { hosts: [], origins: [new URL(connector.url).origin] },
    botToken: () => Promise.resolve(localBotToken(CLIENT_ID)()),
    holderId: 'production-key-vault-test',
    keyVault: { credential: vault.credential, clientOptions },
  });
  base = `http://127.0.0.1:${await listen(composed.server, 0, '127.0.0.1')}`;
}, 60_000);

afterAll(async () => {
  await composed?.stop();
  if (composed) await close(composed.server);
  await connector?.close();
  await vault?.close();
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the production composition with the evidence key in Key Vault', () => {
  it('publishes the Key Vault key and signs a tab signature in the vault', async () => {
    const ring = keyRingSchema.parse(await (await fetch(`${base}/api/evidence/keys`)).json());
    expect(ring.keys).toEqual([expect.objectContaining({ kid: keyId, alg: 'ES256' })]);

    const token = await new SignJWT({
      iss: `https://login.microsoftonline.com/${TENANT}/v2.0`,
      aud: CLIENT_ID,
      tid: TENANT,
      oid: teacher.id,
      scp: 'access_as_user',
      name: teacher.displayName,
      preferred_username: teacher.userPrincipalName,
    })
      .setProtectedHeader({ alg: 'RS256', kid: entra.kid })
      .setIssuedAt()
      .setNotBefore('-1m')
      .setExpirationTime('10m')
      .sign(entra.privateKey);
    const res = await fetch(`${base}/api/me/policies/staff-aup/sign`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        versionNumber: 1,
        contentHash,
        declarationAccepted: true,
        typedName: teacher.displayName,
        statedRole: 'Class teacher',
        consents: { photo: false },
      }),
    });
    expect(res.status).toBe(201);
    const [row] = await graph.records.scanAcknowledgements({ userId: teacher.id });
    const record = acknowledgementRecordSchema.parse(row?.evidence?.record);
    expect(row?.evidence?.signature).toMatchObject({ alg: 'ES256', kid: keyId });
    expect(checkSignature(record, row?.evidence?.signature, prepareKeyRing(ring))).toEqual({
      status: 'valid',
      kid: keyId,
    });
    // The vault signed it: the sign calls reached the emulator with its token.
    expect(
      vault.requests().filter((r) => r.path.endsWith('/sign') && r.status === 200).length,
    ).toBeGreaterThan(0);
  });
});
