import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENV_VARIABLES } from '../../src/config/env.ts';

// There is no Bicep compiler on these machines, so the template is checked as text: every
// parameter documented and used, and the app settings exactly what the service reads.
const bicep = readFileSync(new URL('../../infra/main.bicep', import.meta.url), 'utf8');
const readme = readFileSync(new URL('../../infra/README.md', import.meta.url), 'utf8');
const envExample = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
const registration = JSON.parse(
  readFileSync(new URL('../../infra/entra-app-registration.json', import.meta.url), 'utf8'),
) as {
  appRoles: { value: string; allowedMemberTypes: string[] }[];
  api: {
    oauth2PermissionScopes: { id: string; value: string }[];
    preAuthorizedApplications: { appId: string; delegatedPermissionIds: string[] }[];
  };
  spa?: unknown;
  requiredResourceAccess: {
    resourceAppId: string;
    resourceAccess: { id: string; type: string }[];
  }[];
};
const tabRegistration = JSON.parse(
  readFileSync(new URL('../../infra/entra-tab-registration.json', import.meta.url), 'utf8'),
) as {
  api?: unknown;
  spa: { redirectUris: string[] };
  requiredResourceAccess: {
    resourceAppId: string;
    resourceAccess: { id: string; type: string }[];
  }[];
};

const lines = bicep.split('\n');
const params = lines.flatMap((line, i) => {
  const m = /^param (\w+) /.exec(line);
  return m ? [{ name: m[1]!, index: i }] : [];
});

/** Settings App Service provides itself, so the template must not set them. */
const PLATFORM_SET = new Set(['PORT']);

describe('infra/main.bicep', () => {
  it('declares parameters', () => {
    expect(params.map((p) => p.name)).toEqual([
      'name',
      'location',
      'tenantId',
      'clientId',
      'tabClientId',
      'teamsAppId',
      'sharePointSite',
      'schoolJson',
      'appServiceSku',
      'instanceCount',
      'logRetentionDays',
      'checkpointRetentionDays',
    ]);
  });

  it.each(params.map((p) => [p.name, p.index] as const))(
    'parameter %s has a @description and is documented in infra/README.md',
    (name, index) => {
      let i = index - 1;
      const decorators: string[] = [];
      while (i >= 0 && lines[i]!.startsWith('@')) decorators.push(lines[i--]!);
      expect(decorators.some((d) => d.startsWith('@description('))).toBe(true);
      expect(readme).toMatch(new RegExp(`\\|\\s*\`${name}\`\\s*\\|`));
    },
  );

  it.each(params.map((p) => [p.name] as const))('parameter %s is used', (name) => {
    const uses = bicep.match(new RegExp(`\\b${name}\\b`, 'g')) ?? [];
    // One match is the declaration; `name:` properties are not uses of the parameter.
    const realUses = bicep
      .split('\n')
      .filter((l) => !l.startsWith('param ') && new RegExp(`\\b${name}\\b(?!:)`).test(l));
    expect(uses.length).toBeGreaterThan(1);
    expect(realUses.length).toBeGreaterThan(0);
  });

  it('sets exactly the variables the config schema reads', () => {
    const settings = [...bicep.matchAll(/\{ name: '([A-Z0-9_]+)', value:/g)].map((m) => m[1]);
    const schemaKeys = ENV_VARIABLES.filter((k) => !PLATFORM_SET.has(k));
    expect([...settings].sort()).toEqual([...schemaKeys].sort());
    expect(new Set(settings).size).toBe(settings.length);
  });

  it('runs production mode and never allows unauthenticated bot requests', () => {
    expect(bicep).toContain("{ name: 'COUNTERSIGN_MODE', value: 'production' }");
    expect(bicep).toContain(
      "{ name: 'COUNTERSIGN_DEV_ALLOW_UNAUTHENTICATED_BOT', value: 'false' }",
    );
  });

  it('keeps secrets in Key Vault, never in the template', () => {
    for (const secret of [
      'COUNTERSIGN_CLIENT_SECRET',
      'COUNTERSIGN_SEAL_KEY',
      'COUNTERSIGN_STORAGE_CONNECTION',
    ]) {
      expect(bicep).toMatch(new RegExp(`name: '${secret}', value: '@Microsoft\\.KeyVault\\(`));
    }
  });

  it('copies checkpoints to a container under a time-based retention (WORM) policy', () => {
    const resources = bicep.split(/\n(?=resource )/);
    const container = resources.find((r) =>
      r.includes("'Microsoft.Storage/storageAccounts/blobServices/containers@"),
    );
    const policy = resources.find((r) =>
      r.includes(
        "'Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies@",
      ),
    );
    const symbol = /^resource (\w+) /.exec(container ?? '')?.[1] ?? '(none)';
    const containerName = /\n {2}name: '([^']+)'/.exec(container ?? '')?.[1] ?? '';
    expect(containerName).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    // The policy is the container's child, for the retention the parameter sets, and the service
    // is told that container by its symbol, so the two cannot drift apart.
    expect(policy).toContain(`parent: ${symbol}\n`);
    expect(policy).toContain("name: 'default'");
    expect(policy).toContain('immutabilityPeriodSinceCreationInDays: checkpointRetentionDays');
    expect(bicep).toContain(`{ name: 'COUNTERSIGN_CHECKPOINT_CONTAINER', value: ${symbol}.name }`);
  });

  it('every config variable is documented in .env.example', () => {
    for (const key of ENV_VARIABLES) expect(envExample).toContain(key);
  });
});

describe('infra/entra-app-registration.json', () => {
  it('declares the two app roles for users', () => {
    expect(registration.appRoles.map((r) => r.value).sort()).toEqual([
      'Policy.Admin',
      'Policy.Approver',
    ]);
    for (const role of registration.appRoles) expect(role.allowedMemberTypes).toEqual(['User']);
  });

  it('exposes the API scope, pre-authorised for the tab and every documented Teams, Microsoft 365 and Outlook client', () => {
    expect(registration.api.oauth2PermissionScopes.map((s) => s.value)).toEqual(['access_as_user']);
    const scope = registration.api.oauth2PermissionScopes[0]!.id;
    // "Configure your tab app in Microsoft Entra ID" (tab-sso-register-aad): Teams mobile or
    // desktop, Teams web, Microsoft 365 web, desktop and mobile (the last also Outlook desktop),
    // Outlook web and mobile; and the tab's own registration.
    expect(registration.api.preAuthorizedApplications.map((a) => a.appId)).toEqual([
      '1fec8e78-bce4-4aaf-ab1b-5451cc387264',
      '5e3ce6c0-2b1f-4285-8d4b-75ee78787346',
      '4765445b-32c6-49b0-83e6-1d93765276ca',
      '0ec893e0-5785-4de6-99da-4ed124e5296c',
      'd3590ed6-52b3-4102-aeff-aad2292ab01c',
      'bc59ab01-8403-45c6-8796-ac3ef710b3e3',
      '27922004-5251-4030-b22d-91ecd9a37ea4',
      '{{TAB_CLIENT_ID}}',
    ]);
    for (const client of registration.api.preAuthorizedApplications) {
      expect(client.delegatedPermissionIds).toEqual([scope]);
    }
    // The NAA redirect belongs to the tab's registration, never to the API's.
    expect(registration.spa).toBeUndefined();
  });
});

describe('infra/entra-tab-registration.json', () => {
  it('is a single-page app with the NAA redirect that asks for the API scope and sign-in only', () => {
    expect(tabRegistration.spa.redirectUris).toEqual(['brk-multihub://{{DOMAIN}}']);
    expect(tabRegistration.api).toBeUndefined();
    const [api, graph] = tabRegistration.requiredResourceAccess;
    expect(api).toEqual({
      resourceAppId: '{{CLIENT_ID}}',
      resourceAccess: [{ id: registration.api.oauth2PermissionScopes[0]!.id, type: 'Scope' }],
    });
    // openid, profile, offline_access (Microsoft Graph permissions reference): what MSAL adds to
    // every sign-in, consented for the organisation in step 4; delegated, never application.
    expect(graph?.resourceAppId).toBe('00000003-0000-0000-c000-000000000000');
    expect(graph?.resourceAccess).toEqual([
      { id: '37f7f235-527c-4136-accd-4a02d197296e', type: 'Scope' },
      { id: '14dad69e-099b-42c9-810b-d002981feec1', type: 'Scope' },
      { id: '7427e0e9-2fba-42fe-b0c0-848c9e6a8182', type: 'Scope' },
    ]);
  });

  it('asks for exactly the five least-privilege Graph application permissions, each justified', () => {
    const graph = registration.requiredResourceAccess.find(
      (r) => r.resourceAppId === '00000003-0000-0000-c000-000000000000',
    );
    const expected: Record<string, string> = {
      '883ea226-0bf2-4a8f-9f9d-92c9162a727d': 'Sites.Selected',
      'df021288-bdef-4463-88db-98f22de89214': 'User.Read.All',
      '98830695-27a2-44f7-8c18-0c3ebc9698f6': 'GroupMember.Read.All',
      '908de74d-f8b2-4d6b-a9ed-2a17b3b78179': 'TeamsAppInstallation.ReadWriteSelfForUser.All',
      'e12dae10-5a57-4817-b79d-dfbec5348930': 'AppCatalog.Read.All',
    };
    expect(registration.requiredResourceAccess).toHaveLength(1);
    expect(graph?.resourceAccess.map((a) => a.id).sort()).toEqual(Object.keys(expected).sort());
    for (const access of graph?.resourceAccess ?? []) {
      expect(access.type).toBe('Role');
      expect(readme).toMatch(new RegExp(`\\|\\s*\`${expected[access.id]}\`\\s*\\|`));
    }
  });
});
