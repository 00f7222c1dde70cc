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
  sayToBot,
  signedTabToken,
  PRODUCTION_TENANT,
} from './support/production-fixture.ts';
import { seedTrustDirectory, writeTrustSettings } from './support/trust-schools-fixture.ts';

// Cards carry their school (issue 14, item 3): one deployment (the demo school's, as main.ts
// composes it) serves the Northfield trust's schools, and its one sender sends every school's
// cards. A Kingsmead teacher who also works at Hazel Lane gets each school's prompt and signs
// each from its card, each signature in its own school's records; a card naming a school she is
// not in is refused and audited. An approver's card is drawn with the signer's school's
// settings, not the deployment's.

const CLIENT_ID = PRODUCTION_CLIENT_ID;
const TENANT = DEMO_SCHOOL.tenantId;
const [hazel, kings, northfield] = DEMO_TRUST.schools;
const HAZEL_KEY = 'hazel-devices';
const KINGS_KEY = 'kingsmead-devices';
const LAPTOPS_KEY = 'kingsmead-laptops';
/** Kingsmead's own permission choices: the deployment's (the demo school's) are others. */
const KINGS_CHOICES = ['Kingsmead iPad admin', 'Forest School tablet'];
const kingsTeachers = kings.people.filter((p) => p !== kings.admin && p !== kings.head);
/** A Kingsmead teacher who also teaches at Hazel Lane (in both schools' staff groups). */
const both = kingsTeachers[0] as DemoPerson;
const laptopSigner = kingsTeachers[1] as DemoPerson;

let emulator: GraphEmulator;
let connector: ConnectorEmulator;
let composed: ProductionService;
let graph: GraphAdapters;
let base = '';
const dir = mkdtempSync(join(tmpdir(), 'countersign-trust-cards-'));
let entra: { privateKey: CryptoKey; jwk: JWK };
let botFramework: { privateKey: CryptoKey; jwk: JWK };

async function api(
  person: DemoPerson,
  method: string,
  path: string,
  body?: unknown,
): Promise<Response> {
  return fetch(`${base}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${await signedTabToken(entra, person, TENANT, CLIENT_ID)}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function ok(res: Response, status = 200): Promise<void> {
  expect(res.status, await res.clone().text()).toBe(status);
}

/** A card action from the person's 1:1 chat, with a genuine Bot Connector token. */
async function press(person: DemoPerson, data: Record<string, unknown>): Promise<string> {
  const { status, value } = await pressCard(
    { base, connector, botFramework, tenant: TENANT, clientId: CLIENT_ID },
    person,
    data,
  );
  expect(status, value).toBe(200);
  return value;
}

/** Types a message in the person's 1:1 chat; answers the cards the bot sent back there. */
async function say(person: DemoPerson, text: string, expected: number): Promise<unknown[]> {
  const before = cardsTo(person).length;
  const status = await sayToBot(
    { base, connector, botFramework, tenant: TENANT, clientId: CLIENT_ID },
    person,
    text,
  );
  expect(status).toBe(200);
  for (let i = 0; i < 200 && cardsTo(person).length < before + expected; i++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return cardsTo(person).slice(before);
}

type Execute = { type: 'Action.Execute'; verb: string; data: Record<string, unknown> };

/** Every Action.Execute of a card (its actions, action sets, fallbacks and refresh). */
function executesOf(node: unknown): Execute[] {
  if (Array.isArray(node)) return node.flatMap(executesOf);
  if (typeof node !== 'object' || node === null) return [];
  const self = (node as { type?: unknown }).type === 'Action.Execute' ? [node as Execute] : [];
  return [...self, ...Object.values(node).flatMap(executesOf)];
}

/** The cards the connector delivered to a person, as Teams shows them. */
function cardsTo(person: DemoPerson): unknown[] {
  return connector
    .delivered()
    .filter((d) => d.userId === person.id)
    .map((d) => (d.activity as { attachments?: { content: unknown }[] }).attachments?.[0]?.content);
}

/** The Sign action of the prompt a person was sent for a policy. */
function signActionOf(person: DemoPerson, policyKey: string): Record<string, unknown> {
  const sign = cardsTo(person)
    .flatMap(executesOf)
    .find((a) => a.verb === 'sign' && a.data['policyKey'] === policyKey);
  if (sign === undefined) throw new Error(`no sign prompt for ${policyKey} reached the person`);
  return sign.data;
}

/** What the person types and ticks on the card before pressing Sign. */
function filled(person: DemoPerson, data: Record<string, unknown>): Record<string, unknown> {
  return {
    ...data,
    declarationAccepted: 'true',
    typedName: person.displayName,
    statedRole: person.jobTitle,
  };
}

async function schoolOfPolicy(key: string): Promise<string | undefined> {
  return (await graph.records.getPolicy(key))?.value.schoolId;
}

async function publish(
  admin: DemoPerson,
  key: string,
  title: string,
  approval: { statement: string } | null = null,
): Promise<void> {
  await ok(
    await api(admin, 'POST', '/api/admin/policies', { key, title, audiences: ['staff'] }),
    201,
  );
  await ok(
    await api(admin, 'PUT', `/api/admin/policies/${key}/draft`, {
      label: '2026-27',
      changeKind: 'material',
      document: { ...DEMO_TRUST.ownPolicy.document, title, approval },
    }),
  );
  await ok(await api(admin, 'POST', `/api/admin/policies/${key}/versions/1/publish`));
}

beforeAll(async () => {
  emulator = await startGraphEmulator(PRODUCTION_TENANT);
  ({ graph } = await provisionedDemoSite(emulator));
  connector = await startConnectorEmulator({ tenantId: TENANT, strict: true, recordBodies: true });
  entra = await rs256SigningKey('entra-1');
  botFramework = await rs256SigningKey('bf-1', { endorsements: ['msteams'] });
  const evidenceKeyFile = join(dir, 'evidence-key.pem');
  loadEvidenceKeyFile(evidenceKeyFile, { create: true });

  seedTrustDirectory(emulator, {
    people: [DEMO_TRUST.trustLead, ...DEMO_TRUST.schools.flatMap((s) => s.people)],
    schools: DEMO_TRUST.schools,
    // She teaches at both: Hazel Lane's staff group has her too.
    alsoIn: { school: hazel, person: both },
  });
  await writeTrustSettings(
    graph.settings,
    DEMO_TRUST.schools.map(({ school }) =>
      school === kings.school ? { ...school, permissionChoices: KINGS_CHOICES } : school,
    ),
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
    holderId: 'trust-cards-test',
  });
  base = `http://127.0.0.1:${await listen(composed.server, 0, '127.0.0.1')}`;

  // Each school's admin publishes its own policy in the tab and launches a campaign for it.
  await publish(hazel.admin, HAZEL_KEY, 'Hazel Lane Devices Agreement');
  await publish(kings.admin, KINGS_KEY, 'Kingsmead Devices Agreement');
  for (const [admin, policyKey] of [
    [hazel.admin, HAZEL_KEY],
    [kings.admin, KINGS_KEY],
  ] as const) {
    const launched = await api(admin, 'POST', '/api/admin/campaigns', {
      policyKey,
      versionNumber: 1,
      deadline: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    });
    await ok(launched, 201);
  }
  await composed.campaigns.sender.untilIdle();
}, 120_000);

afterAll(async () => {
  await composed?.stop();
  if (composed) await close(composed.server);
  await connector?.close();
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('someone in two schools signs each school’s prompt from its card', () => {
  it('each school’s prompt reached her, every action on it naming its school', () => {
    const hazelSign = signActionOf(both, HAZEL_KEY);
    const kingsSign = signActionOf(both, KINGS_KEY);
    expect(hazelSign['school']).toBe(hazel.school.id);
    expect(kingsSign['school']).toBe(kings.school.id);
    // The refresh too: the card she opens later is redrawn by its own school.
    for (const action of cardsTo(both).flatMap(executesOf)) {
      const key = action.data['policyKey'];
      expect({ key, school: action.data['school'] }).toEqual({
        key,
        school: key === HAZEL_KEY ? hazel.school.id : kings.school.id,
      });
    }
  });

  it('a card naming a school she is not in is refused: nothing signed, the refusal audited', async () => {
    const forged = { ...filled(both, signActionOf(both, HAZEL_KEY)), school: northfield.school.id };
    const answer = await press(both, forged);
    expect(answer).toContain('not a member of that school');
    expect(await graph.records.listAcknowledgements({ userId: both.id })).toEqual([]);
    const audited = await graph.records.listAudit({ type: 'card.identity-mismatch' });
    expect(audited.filter((e) => e.actorId === both.id)).toMatchObject([
      {
        subject: `${HAZEL_KEY}:v1`,
        details: { verb: 'sign', cardSchool: northfield.school.id, reason: 'not-in-school' },
      },
    ]);
  });

  it('"status" lists both schools’ policies, each named with its school and signed there', async () => {
    const answered = await say(both, 'status', 1);
    expect(answered).toHaveLength(1);
    const drawn = JSON.stringify(answered[0]);
    for (const text of [
      'Hazel Lane Devices Agreement',
      hazel.school.name,
      'Kingsmead Devices Agreement',
      kings.school.name,
    ]) {
      expect(drawn).toContain(text);
    }
    const signNow = executesOf(answered[0]).filter((a) => a.verb === 'showPrompt');
    expect(signNow.map((a) => [a.data['policyKey'], a.data['school']]).sort()).toEqual([
      [HAZEL_KEY, hazel.school.id],
      [KINGS_KEY, kings.school.id],
    ]);
  });

  it('"sign" offers each school’s due prompt, each card naming its school', async () => {
    const answered = await say(both, 'sign', 2);
    expect(answered).toHaveLength(2);
    const offered = answered.map((card) => {
      const sign = executesOf(card).find((a) => a.verb === 'sign');
      const drawn = JSON.stringify(card);
      return {
        key: sign?.data['policyKey'],
        school: sign?.data['school'],
        named: [hazel.school.name, kings.school.name].filter((n) => drawn.includes(n)),
      };
    });
    expect(offered.sort((a, b) => String(a.key).localeCompare(String(b.key)))).toEqual([
      { key: HAZEL_KEY, school: hazel.school.id, named: [hazel.school.name] },
      { key: KINGS_KEY, school: kings.school.id, named: [kings.school.name] },
    ]);
  });

  it('she signs both from their cards, each signature in its own school’s records', async () => {
    for (const key of [HAZEL_KEY, KINGS_KEY]) {
      const answer = await press(both, filled(both, signActionOf(both, key)));
      expect(answer).not.toContain('Reference:');
      expect(answer).not.toContain('out of date');
    }
    const acks = await graph.records.listAcknowledgements({ userId: both.id });
    const landed = await Promise.all(
      acks.map(async (a) => ({ policy: a.policyKey, school: await schoolOfPolicy(a.policyKey) })),
    );
    expect(landed.sort((a, b) => a.policy.localeCompare(b.policy))).toEqual([
      { policy: HAZEL_KEY, school: hazel.school.id },
      { policy: KINGS_KEY, school: kings.school.id },
    ]);
    // Each school's tab says so, through its own service.
    for (const school of [hazel.school.id, kings.school.id]) {
      const res = await api(both, 'GET', `/api/me/policies?school=${school}`);
      const views = (await res.json()) as { status: { kind: string } }[];
      expect(views).toHaveLength(1);
      expect(views[0]?.status.kind).not.toBe('due');
    }
  });
});

describe('an approver’s card is drawn with the signer’s school’s settings', () => {
  it('Kingsmead’s head gets Kingsmead’s permission choices, and approves from the card', async () => {
    await publish(kings.admin, LAPTOPS_KEY, 'Kingsmead Laptop Loan Agreement', {
      statement: 'The headteacher approves each laptop loan.',
    });
    const views = (await (await api(laptopSigner, 'GET', '/api/me/policies')).json()) as {
      policy: { key: string };
      version: { contentHash: string };
    }[];
    const signed = await api(laptopSigner, 'POST', `/api/me/policies/${LAPTOPS_KEY}/sign`, {
      versionNumber: 1,
      contentHash: views.find((v) => v.policy.key === LAPTOPS_KEY)?.version.contentHash,
      declarationAccepted: true,
      typedName: laptopSigner.displayName,
      statedRole: laptopSigner.jobTitle,
      consents: {},
    });
    await ok(signed, 201);
    await composed.campaigns.sender.untilIdle();

    const request = cardsTo(kings.head).find((c) => JSON.stringify(c).includes('Laptop Loan'));
    const drawn = JSON.stringify(request);
    for (const choice of KINGS_CHOICES) expect(drawn).toContain(choice);
    expect(drawn).not.toContain('MIS (SIMS) admin');
    const approve = executesOf(request).find((a) => a.verb === 'approve');
    expect(approve?.data['school']).toBe(kings.school.id);

    const answer = await press(kings.head, {
      ...approve?.data,
      additionalPermissions: KINGS_CHOICES[0],
    });
    expect(answer).not.toContain('Reference:');
    const approvals = await graph.records.listApprovals({ userId: laptopSigner.id });
    expect(approvals.map((a) => a.value)).toMatchObject([
      { decision: 'approved', additionalPermissions: [KINGS_CHOICES[0]] },
    ]);
  });
});
