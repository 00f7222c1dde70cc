import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DEV_SEAL_KEY,
  describeConfigError,
  evidenceKeySource,
  loadEnv,
} from '../../src/config/env.ts';

/** The error loadEnv throws (a test failure if it does not throw). */
function tryLoad(source: Record<string, string | undefined>): unknown {
  try {
    loadEnv(source);
  } catch (error) {
    return error;
  }
  throw new Error('loadEnv accepted it');
}

function parseEnvFile(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .filter((l) => /^[A-Z]/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

const production = {
  COUNTERSIGN_MODE: 'production',
  COUNTERSIGN_TENANT_ID: 't',
  COUNTERSIGN_CLIENT_ID: 'c',
  COUNTERSIGN_TAB_CLIENT_ID: 'tab',
  COUNTERSIGN_API_AUDIENCE: 'api://x/c',
  COUNTERSIGN_SITE: 'site',
  COUNTERSIGN_SEAL_KEY: 'k'.repeat(44),
  COUNTERSIGN_EVIDENCE_KEY_FILE: '/home/data/evidence-key.pem',
  COUNTERSIGN_PUBLIC_URL: 'https://x.example',
  COUNTERSIGN_CLIENT_SECRET: 'secret',
  COUNTERSIGN_SCHOOL: JSON.stringify({
    id: 'oak',
    name: 'Oakfield Primary',
    timeZone: 'Europe/London',
    audiences: [{ key: 'staff', label: 'Staff', groupIds: ['g-staff'] }],
    approverIds: ['head'],
    adminIds: ['dsl'],
  }),
};

describe('loadEnv', () => {
  it('runs on the embedded defaults with nothing set', () => {
    const env = loadEnv({});
    expect(env.COUNTERSIGN_MODE).toBe('dev');
    expect(env.PORT).toBe(3978);
    expect(env.COUNTERSIGN_DEV_ALLOW_UNAUTHENTICATED_BOT).toBe(false);
  });

  it('accepts .env.example as it stands (empty means unset)', () => {
    const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
    expect(loadEnv(parseEnvFile(example)).COUNTERSIGN_MODE).toBe('dev');
  });

  it('refuses production mode without the tenant settings, naming them', () => {
    expect(() => loadEnv({ COUNTERSIGN_MODE: 'production' })).toThrow(
      /COUNTERSIGN_TENANT_ID.*COUNTERSIGN_SEAL_KEY/,
    );
  });

  it('needs an evidence key in production, and a valid-from instant if one is given', () => {
    expect(
      describeConfigError(tryLoad({ ...production, COUNTERSIGN_EVIDENCE_KEY_FILE: undefined })),
    ).toMatch(
      /^COUNTERSIGN_EVIDENCE_KEY_VAULT_KEY_URL: is required in production mode, or COUNTERSIGN_EVIDENCE_KEY_FILE instead/,
    );
    expect(() =>
      loadEnv({ ...production, COUNTERSIGN_EVIDENCE_KEY_VALID_FROM: 'last tuesday' }),
    ).toThrow(/COUNTERSIGN_EVIDENCE_KEY_VALID_FROM/);
  });

  it('accepts a complete production configuration, with the school parsed', () => {
    const env = loadEnv(production);
    if (env.COUNTERSIGN_MODE !== 'production') throw new Error('production expected');
    expect(env.COUNTERSIGN_SCHOOL.name).toBe('Oakfield Primary');
    expect(env.COUNTERSIGN_SCHOOL.approverIds).toEqual(['head']);
  });

  it('refuses a school that is not JSON, or not a school, naming the variable', () => {
    expect(() =>
      describeConfigError(tryLoad({ ...production, COUNTERSIGN_SCHOOL: '{' })),
    ).not.toThrow();
    expect(describeConfigError(tryLoad({ ...production, COUNTERSIGN_SCHOOL: '{' }))).toMatch(
      /^COUNTERSIGN_SCHOOL: is not JSON/,
    );
    expect(
      describeConfigError(tryLoad({ ...production, COUNTERSIGN_SCHOOL: '{"id":"x"}' })),
    ).toMatch(/^COUNTERSIGN_SCHOOL: is not a valid school: name/);
  });

  it('takes Graph only from Microsoft over https, and the public URL only over https', () => {
    expect(
      describeConfigError(
        tryLoad({ ...production, COUNTERSIGN_GRAPH_BASE_URL: 'https://graph.evil.example/v1.0' }),
      ),
    ).toMatch(/^COUNTERSIGN_GRAPH_BASE_URL: must be Microsoft Graph over https/);
    expect(
      describeConfigError(
        tryLoad({ ...production, COUNTERSIGN_GRAPH_BASE_URL: 'http://graph.microsoft.com/v1.0' }),
      ),
    ).toMatch(/COUNTERSIGN_GRAPH_BASE_URL/);
    expect(
      describeConfigError(tryLoad({ ...production, COUNTERSIGN_PUBLIC_URL: 'http://x.example' })),
    ).toMatch(/^COUNTERSIGN_PUBLIC_URL: must be an https:\/\/ URL/);
    // Loopback (the local emulator) and the national clouds are accepted.
    for (const url of ['http://127.0.0.1:5081/v1.0', 'https://graph.microsoft.us/v1.0']) {
      expect(loadEnv({ ...production, COUNTERSIGN_GRAPH_BASE_URL: url }).COUNTERSIGN_MODE).toBe(
        'production',
      );
    }
  });

  it('needs the storage connection when the work store is Azure Tables', () => {
    expect(
      describeConfigError(tryLoad({ ...production, COUNTERSIGN_WORK_STORE: 'azure-tables' })),
    ).toMatch(
      /COUNTERSIGN_STORAGE_CONNECTION: is required when COUNTERSIGN_WORK_STORE=azure-tables/,
    );
  });

  it('needs the storage connection for the checkpoint container, and a valid container name', () => {
    expect(
      describeConfigError(
        tryLoad({ ...production, COUNTERSIGN_CHECKPOINT_CONTAINER: 'countersign-checkpoints' }),
      ),
    ).toMatch(
      /COUNTERSIGN_STORAGE_CONNECTION: is required when COUNTERSIGN_CHECKPOINT_CONTAINER is set/,
    );
    expect(
      describeConfigError(
        tryLoad({
          ...production,
          COUNTERSIGN_STORAGE_CONNECTION: 'UseDevelopmentStorage=true',
          COUNTERSIGN_CHECKPOINT_CONTAINER: 'Checkpoints--here',
        }),
      ),
    ).toMatch(/^COUNTERSIGN_CHECKPOINT_CONTAINER: must be a Blob container name/);
  });

  it('refuses a short seal key or the local demo key in production', () => {
    expect(() => loadEnv({ ...production, COUNTERSIGN_SEAL_KEY: 'short' })).toThrow(/32 bytes/);
    expect(() => loadEnv({ ...production, COUNTERSIGN_SEAL_KEY: DEV_SEAL_KEY })).toThrow(
      /not the local demo key/,
    );
  });

  it('refuses unauthenticated bot requests in production', () => {
    expect(() =>
      loadEnv({
        ...production,
        COUNTERSIGN_DEV_ALLOW_UNAUTHENTICATED_BOT: 'true',
      }),
    ).toThrow(/refused in production/);
  });

  it('takes the evidence key from Key Vault or a file, never both', () => {
    const vaultKey = 'https://kv-cs-oak.vault.azure.net/keys/evidence-signing';
    const inAzure = {
      ...production,
      COUNTERSIGN_EVIDENCE_KEY_FILE: undefined,
      COUNTERSIGN_EVIDENCE_KEY_VAULT_KEY_URL: vaultKey,
      COUNTERSIGN_MANAGED_IDENTITY_CLIENT_ID: '6c4b7c4e-3f5a-4d8e-9b1a-2f3e4d5c6b7a',
    };
    const env = loadEnv(inAzure);
    if (env.COUNTERSIGN_MODE !== 'production') throw new Error('production expected');
    expect(evidenceKeySource(env)).toEqual({
      kind: 'key-vault',
      keyUrl: vaultKey,
      managedIdentityClientId: '6c4b7c4e-3f5a-4d8e-9b1a-2f3e4d5c6b7a',
    });
    const fromFile = loadEnv(production);
    if (fromFile.COUNTERSIGN_MODE !== 'production') throw new Error('production expected');
    expect(evidenceKeySource(fromFile)).toEqual({
      kind: 'file',
      path: '/home/data/evidence-key.pem',
    });
    expect(
      describeConfigError(tryLoad({ ...inAzure, COUNTERSIGN_EVIDENCE_KEY_FILE: '/k.pem' })),
    ).toMatch(/both set: evidence has one signer/);
    // A pinned version would never follow a rotation; only Key Vault hosts (or loopback).
    expect(
      describeConfigError(
        tryLoad({ ...inAzure, COUNTERSIGN_EVIDENCE_KEY_VAULT_KEY_URL: `${vaultKey}/0123abcd` }),
      ),
    ).toMatch(/^COUNTERSIGN_EVIDENCE_KEY_VAULT_KEY_URL: must name the key without a version/);
    expect(
      describeConfigError(
        tryLoad({
          ...inAzure,
          COUNTERSIGN_EVIDENCE_KEY_VAULT_KEY_URL: 'https://vault.evil.example/keys/evidence',
        }),
      ),
    ).toMatch(/^COUNTERSIGN_EVIDENCE_KEY_VAULT_KEY_URL: must be a Key Vault key URL/);
  });

  it('refuses any setting that is still an unresolved Key Vault reference, naming it', () => {
    // What App Service passes when it cannot read the secret (app-service-key-vault-references,
    // "Troubleshoot Key Vault references"): long enough to pass as a seal key.
    const reference = '@Microsoft.KeyVault(VaultName=kv-cs-oak;SecretName=seal-key)';
    expect(reference.length).toBeGreaterThan(32);
    const message = describeConfigError(
      tryLoad({ ...production, COUNTERSIGN_SEAL_KEY: reference }),
    );
    expect(message).toMatch(
      /^COUNTERSIGN_SEAL_KEY is still a Key Vault reference \(@Microsoft\.KeyVault\(VaultName=kv-cs-oak;SecretName=seal-key\)\): App Service could not read the secret/,
    );
    expect(message).toMatch(/refresh the references \(infra\/README\.md/);
    // Every variable, in any mode, whatever the spelling of the reference; all named at once.
    const both = describeConfigError(
      tryLoad({
        COUNTERSIGN_CLIENT_SECRET:
          ' @microsoft.keyvault(SecretUri=https://kv.vault.azure.net/secrets/client-secret)',
        COUNTERSIGN_STORAGE_CONNECTION:
          '@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/s/)',
      }),
    );
    expect(both.split('; ').map((line) => line.split(' ')[0])).toEqual([
      'COUNTERSIGN_CLIENT_SECRET',
      'COUNTERSIGN_STORAGE_CONNECTION',
    ]);
    // A resolved secret that merely mentions Key Vault is a value like any other.
    expect(
      loadEnv({ ...production, COUNTERSIGN_SEAL_KEY: `k${'@Microsoft.KeyVault('.repeat(3)}` })
        .COUNTERSIGN_MODE,
    ).toBe('production');
  });

  it('rejects a malformed value with the variable named', () => {
    expect(() => loadEnv({ PORT: 'eighty' })).toThrow(/PORT/);
  });
});
