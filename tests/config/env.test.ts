import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEV_SEAL_KEY, describeConfigError, loadEnv } from '../../src/config/env.ts';

/** The error loadEnv throws (a test failure if it does not throw). */
function tryLoad(source: Record<string, string>): unknown {
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

  it('needs the evidence key file in production, and a valid-from instant if one is given', () => {
    expect(() => loadEnv({ ...production, COUNTERSIGN_EVIDENCE_KEY_FILE: undefined })).toThrow(
      /COUNTERSIGN_EVIDENCE_KEY_FILE/,
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

  it('rejects a malformed value with the variable named', () => {
    expect(() => loadEnv({ PORT: 'eighty' })).toThrow(/PORT/);
  });
});
