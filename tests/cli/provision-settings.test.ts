import { describe, expect, it } from 'vitest';
import { provisionCommand } from '../../src/cli/commands/provision.ts';
import { ConfigError, loadEnv, loadGraphEnv } from '../../src/config/env.ts';

/** A tenant's settings for provisioning only: nothing of the service (issue 12, item 13). */
const PROVISION_ONLY = {
  COUNTERSIGN_MODE: 'production',
  COUNTERSIGN_TENANT_ID: '11111111-1111-1111-1111-111111111111',
  COUNTERSIGN_CLIENT_ID: '22222222-2222-2222-2222-222222222222',
  COUNTERSIGN_CLIENT_SECRET: 'provisioning-secret',
  COUNTERSIGN_SITE: 'school.sharepoint.com:/sites/countersign',
};

const SERVICE_ONLY = [
  'COUNTERSIGN_API_AUDIENCE',
  'COUNTERSIGN_SEAL_KEY',
  'COUNTERSIGN_PUBLIC_URL',
  'COUNTERSIGN_SCHOOL',
  'COUNTERSIGN_EVIDENCE_KEY_VAULT_KEY_URL',
];

describe('countersign provision reads only the settings it needs', () => {
  it('takes a production environment without the service settings', () => {
    const env = loadGraphEnv(PROVISION_ONLY);
    expect(env).toMatchObject({
      COUNTERSIGN_MODE: 'production',
      COUNTERSIGN_SITE: PROVISION_ONLY.COUNTERSIGN_SITE,
      COUNTERSIGN_GRAPH_BASE_URL: 'https://graph.microsoft.com/v1.0',
    });
    // The service's own loader still demands them all.
    expect(() => loadEnv(PROVISION_ONLY)).toThrow(ConfigError);
  });

  it('names only the Graph setting that is missing, never a service setting', async () => {
    let err = '';
    const io = {
      stdout: () => undefined,
      stderr: (text: string) => {
        err += text;
      },
      env: { ...PROVISION_ONLY, COUNTERSIGN_CLIENT_SECRET: undefined },
    };
    expect(await provisionCommand([], io)).toBe(1);
    expect(err).toContain('COUNTERSIGN_CLIENT_SECRET');
    for (const name of SERVICE_ONLY) expect(err).not.toContain(name);
  });

  it('still refuses a Graph address that is not Microsoft Graph over https in production', () => {
    expect(() =>
      loadGraphEnv({
        ...PROVISION_ONLY,
        COUNTERSIGN_GRAPH_BASE_URL: 'http://graph.example.com/v1.0',
      }),
    ).toThrow(/COUNTERSIGN_GRAPH_BASE_URL/);
  });
});
