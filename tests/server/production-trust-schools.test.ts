import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphAdapters } from '../../src/adapters/graph/create-graph-adapters.ts';
import { loadEvidenceKeyFile } from '../../src/adapters/evidence-keys/local-evidence-keys.ts';
import { localBotFrameworkKeys } from '../../src/bot/auth/bot-framework-keys.ts';
import { loadEnv } from '../../src/config/env.ts';
import { DEMO_SCHOOL, type DemoPerson } from '../../src/dev/demo/demo-school.ts';
import { DEMO_TRUST } from '../../src/dev/demo/demo-trust.ts';
import {
  startConnectorEmulator,
  type ConnectorEmulator,
} from '../../src/dev/connector-emulator/connector-emulator.ts';
import {
  startGraphEmulator,
  type GraphEmulator,
} from '../../src/dev/graph-emulator/graph-emulator.ts';
import { localBotToken } from '../../src/dev/local-bot-token.ts';
import type { MyPolicyView } from '../../src/api/contract/responses.ts';
import { close, listen } from '../../src/server/http-server.ts';
import {
  composeProductionService,
  type ProductionService,
} from '../../src/server/production-service.ts';
import {
  PRODUCTION_CLIENT_ID,
  productionEnvVars,
  provisionedDemoSite,
  rs256SigningKey,
  pressCard,
  signedTabToken,
  PRODUCTION_TENANT,
} from './support/production-fixture.ts';
import { seedTrustDirectory, writeTrustSettings } from './support/trust-schools-fixture.ts';

// One deployment serves every school of the trust (issue 14, item 3): the service is composed as
// main.ts composes it for the demo school (COUNTERSIGN_SCHOOL), and the settings list also holds
// the Northfield Learning Trust's schools. Kingsmead's people are served by Kingsmead: its admin
// publishes and launches, its teachers sign in the tab and by card, its campaign reaches its
// people only; the demo school's and Hazel Lane's admins find none of it; nobody of no school is
// served at all.

const CLIENT_ID = PRODUCTION_CLIENT_ID;
const TENANT = DEMO_SCHOOL.tenantId;
const [hazel, kings] = DEMO_TRUST.schools;
const KEY = 'kingsmead-devices';
const teachers = kings.people.filter((p) => p !== kings.admin && p !== kings.head);
const tabSigner = teachers[0] as DemoPerson;
const cardSigner = teachers[1] as DemoPerson;
/** In the directory, in no school's group and holding no role. */
const stranger: DemoPerson = {
  ...tabSigner,
  id: '0f0f0f0f-0000-4000-8000-00000000abcd',
  displayName: 'Sam Stranger',
  userPrincipalName: 'sam.stranger@northfield-trust.example',
  mail: 'sam.stranger@northfield-trust.example',
};

let emulator: GraphEmulator;
let connector: ConnectorEmulator;
let composed: ProductionService;
let graph: GraphAdapters;
let base = '';
const dir = mkdtempSync(join(tmpdir(), 'countersign-trust-schools-'));
let entra: { privateKey: CryptoKey; jwk: JWK };
let botFramework: { privateKey: CryptoKey; jwk: JWK };

function tabToken(person: DemoPerson): Promise<string> {
  return signedTabToken(entra, person, TENANT, CLIENT_ID);
}

async function api(
  person: DemoPerson,
  method: string,
  path: string,
  body?: unknown,
): Promise<Response> {
  return fetch(`${base}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${await tabToken(person)}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** A card action from the person's 1:1 chat, with a genuine Bot Connector token. */
async function card(person: DemoPerson, data: Record<string, unknown>): Promise<string> {
  const { status, value } = await pressCard(
    { base, connector, botFramework, tenant: TENANT, clientId: CLIENT_ID },
    person,
    data,
  );
  expect(status, value).toBe(200);
  return value;
}

async function policiesOf(person: DemoPerson): Promise<MyPolicyView[]> {
  const res = await api(person, 'GET', '/api/me/policies');
  expect(res.status).toBe(200);
  return (await res.json()) as MyPolicyView[];
}

beforeAll(async () => {
  emulator = await startGraphEmulator(PRODUCTION_TENANT);
  ({ graph } = await provisionedDemoSite(emulator));
  connector = await startConnectorEmulator({ tenantId: TENANT, strict: true });
  entra = await rs256SigningKey('entra-1');
  botFramework = await rs256SigningKey('bf-1', { endorsements: ['msteams'] });
  const evidenceKeyFile = join(dir, 'evidence-key.pem');
  loadEvidenceKeyFile(evidenceKeyFile, { create: true });

  // The trust as an IT lead sets it up before the service starts: its people and staff groups
  // in Entra, the trust's row and each school's settings row in the settings list.
  seedTrustDirectory(emulator, {
    people: [DEMO_TRUST.trustLead, stranger, ...DEMO_TRUST.schools.flatMap((s) => s.people)],
    schools: DEMO_TRUST.schools,
  });
  await writeTrustSettings(
    graph.settings,
    DEMO_TRUST.schools.map(({ school }) => school),
    new Date(),
  );

  const env = loadEnv(
    productionEnvVars(emulator, dir, { COUNTERSIGN_EVIDENCE_KEY_FILE: evidenceKeyFile }),
  );
  if (env.COUNTERSIGN_MODE !== 'production') throw new Error('a production environment');
  composed = await composeProductionService(env, {
    entraKeys: createLocalJWKSet({ keys: [entra.jwk] }),
    botFrameworkKeys: localBotFrameworkKeys({ keys: [botFramework.jwk] }),
    connectorUrl: connector.url,
    serviceUrls: { hosts: [], origins: [new URL(connector.url).origin] },
    botToken: () => Promise.resolve(localBotToken(CLIENT_ID)()),
    holderId: 'trust-schools-test',
  });
  base = `http://127.0.0.1:${await listen(composed.server, 0, '127.0.0.1')}`;

  // Kingsmead's admin publishes Kingsmead's own policy, in the tab, as any school's admin does.
  const created = await api(kings.admin, 'POST', '/api/admin/policies', {
    key: KEY,
    title: 'Kingsmead Devices Agreement',
    audiences: ['staff'],
  });
  expect(created.status, await created.clone().text()).toBe(201);
  const drafted = await api(kings.admin, 'PUT', `/api/admin/policies/${KEY}/draft`, {
    label: '2026-27',
    changeKind: 'material',
    document: { ...DEMO_TRUST.ownPolicy.document, title: 'Kingsmead Devices Agreement' },
  });
  expect(drafted.status, await drafted.clone().text()).toBe(200);
  const published = await api(kings.admin, 'POST', `/api/admin/policies/${KEY}/versions/1/publish`);
  expect(published.status, await published.clone().text()).toBe(200);
}, 90_000);

afterAll(async () => {
  await composed?.stop();
  if (composed) await close(composed.server);
  await connector?.close();
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a Kingsmead teacher is served by Kingsmead', () => {
  it('reads her school’s policy and signs it in the tab', async () => {
    const me = (await (await api(tabSigner, 'GET', '/api/me')).json()) as Record<string, unknown>;
    expect(me).toMatchObject({ school: kings.school.id, roles: [] });
    const [view, ...others] = await policiesOf(tabSigner);
    expect(others).toEqual([]);
    expect(view).toMatchObject({ policy: { key: KEY }, status: { kind: 'due' } });
    const signed = await api(tabSigner, 'POST', `/api/me/policies/${KEY}/sign`, {
      versionNumber: 1,
      contentHash: view?.version.contentHash,
      declarationAccepted: true,
      typedName: tabSigner.displayName,
      statedRole: tabSigner.jobTitle,
      consents: {},
    });
    expect(signed.status, await signed.clone().text()).toBe(201);
    expect((await policiesOf(tabSigner))[0]?.status.kind).not.toBe('due');
  });

  it('signs it by card; a card naming a school she is not in is refused', async () => {
    const [view] = await policiesOf(cardSigner);
    const data = {
      action: 'sign',
      policyKey: KEY,
      versionNumber: 1,
      contentHash: view?.version.contentHash,
      userId: cardSigner.id,
      declarationAccepted: 'true',
      typedName: cardSigner.displayName,
      statedRole: cardSigner.jobTitle,
    };
    const refused = await card(cardSigner, { ...data, school: DEMO_SCHOOL.school.id });
    expect(refused).toContain('not a member of that school');
    expect((await policiesOf(cardSigner))[0]?.status.kind).toBe('due');
    const answer = await card(cardSigner, { ...data, school: kings.school.id });
    expect(answer).not.toContain('Reference:');
    expect((await policiesOf(cardSigner))[0]?.status.kind).not.toBe('due');
  });
});

describe('Kingsmead’s admin runs a campaign to Kingsmead’s people only', () => {
  let campaignId = '';

  it('launches it, and the one sender delivers it to every Kingsmead person still due, nobody else', async () => {
    const launched = await api(kings.admin, 'POST', '/api/admin/campaigns', {
      policyKey: KEY,
      versionNumber: 1,
      deadline: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    });
    expect(launched.status, await launched.clone().text()).toBe(201);
    campaignId = ((await launched.json()) as { id: string }).id;
    await composed.campaigns.sender.untilIdle();
    const reached = [...connector.sendsPerUser().keys()].sort();
    const due = kings.people
      .filter((p) => p !== tabSigner && p !== cardSigner)
      .map((p) => p.id)
      .sort();
    expect(reached).toEqual(due);
    // One prompt each; Kingsmead's head, its approver, has also been asked about signatures.
    const twice = [...connector.sendsPerUser()].filter(([, n]) => n !== 1);
    expect(twice.map(([id]) => id)).toEqual(twice.length === 0 ? [] : [kings.head.id]);
  });

  it('the demo school’s and Hazel Lane’s admins find none of Kingsmead’s things (404)', async () => {
    for (const admin of [DEMO_SCHOOL.dsl, hazel.admin]) {
      for (const [method, path] of [
        ['GET', `/api/admin/people?policyKey=${KEY}`],
        ['GET', `/api/admin/policies/${KEY}/versions/1/publish-preview`],
        ['POST', `/api/admin/campaigns/${campaignId}/pause`],
      ] as const) {
        const res = await api(admin, method, path);
        expect({ admin: admin.displayName, path, status: res.status }).toMatchObject({
          status: 404,
        });
      }
    }
    const listed = await (await api(hazel.admin, 'GET', '/api/admin/campaigns')).text();
    expect(listed).not.toContain(campaignId);
    expect((await graph.records.getCampaign(campaignId))?.value.status).toBe('running');
  });
});

describe('nobody is served by a school they are not in', () => {
  it('a person of no school gets a 403 that says why, in the tab and by card', async () => {
    const res = await api(stranger, 'GET', '/api/me/policies');
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'forbidden', details: { reason: 'no-school' } });
    const answer = await card(stranger, { action: 'showPrompt', policyKey: KEY });
    expect(answer).toContain('not in any school of Northfield Learning Trust');
  });

  it('the trust lead, in no school, still reaches the trust’s routes', async () => {
    const res = await api(DEMO_TRUST.trustLead, 'GET', '/api/trust/compliance');
    expect(res.status).toBe(200);
  });
});
