import { loadEvidenceKeyFile } from '../../src/adapters/evidence-keys/local-evidence-keys.ts';
import { acknowledgementRecordSchema } from '../../src/domain/evidence/evidence-record.ts';
import { keyRingSchema, prepareKeyRing } from '../../src/domain/evidence/key-ring.ts';
import { checkSignature } from '../../src/domain/evidence/signature-check.ts';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphAdapters } from '../../src/adapters/graph/create-graph-adapters.ts';
import { localBotFrameworkKeys } from '../../src/bot/auth/bot-framework-keys.ts';
import { localBotToken } from '../../src/dev/local-bot-token.ts';
import { loadEnv } from '../../src/config/env.ts';
import { DEMO_SCHOOL, type DemoPerson } from '../../src/dev/demo/demo-school.ts';
import {
  startGraphEmulator,
  type GraphEmulator,
} from '../../src/dev/graph-emulator/graph-emulator.ts';
import {
  startConnectorEmulator,
  type ConnectorEmulator,
} from '../../src/dev/connector-emulator/connector-emulator.ts';
import {
  PRODUCTION_CLIENT_ID,
  productionEnvVars,
  provisionedDemoSite,
  rs256SigningKey,
  PRODUCTION_TENANT,
} from './support/production-fixture.ts';
import { close, listen } from '../../src/server/http-server.ts';
import { approvalJobId } from '../../src/services/approval-requests.ts';
import {
  composeProductionService,
  type ProductionService,
} from '../../src/server/production-service.ts';

// The service composed exactly as src/server/main.ts composes it (composeProductionService with
// a production environment), with only what a machine without a tenant must replace injected
// as parameters: Entra's and Bot Framework's signing keys (local key pairs), the bot's
// outgoing token, and where the Teams connector is (the connector emulator). Every attack the
// security review found on /api/messages is one test here.

const CLIENT_ID = PRODUCTION_CLIENT_ID;
const OTHER_BOT_ID = '99999999-2222-4333-8444-555555555555';
const TENANT = DEMO_SCHOOL.tenantId;
const OTHER_TENANT = '00000000-0000-4000-8000-0000000000ff';
const teacher = DEMO_SCHOOL.staff.find((p) => p.team === 'teaching');
const colleague = DEMO_SCHOOL.staff.find((p) => p.team === 'teaching' && p !== teacher);
if (teacher === undefined || colleague === undefined)
  throw new Error('the demo school has teachers');
const head = DEMO_SCHOOL.headteacher;

const MAX_IN_FLIGHT = 4;
let emulator: GraphEmulator;
let connector: ConnectorEmulator;
let composed: ProductionService;
let graph: GraphAdapters;
let base = '';
let connectorUrl = '';
const dir = mkdtempSync(join(tmpdir(), 'countersign-prod-'));

/** A server that must never hear from the bot: it records every request it gets. */
const sinkHits: { method: string; url: string; authorization: string | undefined }[] = [];
let sink: Server;
let sinkUrl = '';

interface SigningKey {
  privateKey: CryptoKey;
  jwk: JWK;
}
let entra: SigningKey;
let botFramework: SigningKey;
/** A key Bot Framework does not publish: what a forger would sign with. */
let forger: SigningKey;
let contentHash = '';

async function sign(key: SigningKey, claims: JWTPayload, iat?: number): Promise<string> {
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: key.jwk.kid ?? '' })
    .setNotBefore('-1m')
    .setExpirationTime('10m');
  return jwt.setIssuedAt(iat ?? Math.floor(Date.now() / 1000)).sign(key.privateKey);
}

/** The token Teams' tab gets for the API: what a member of staff can copy from any /api call. */
function tabToken(person: DemoPerson, tenant = TENANT, aud = CLIENT_ID): Promise<string> {
  return sign(entra, {
    iss: `https://login.microsoftonline.com/${tenant}/v2.0`,
    aud,
    tid: tenant,
    oid: person.id,
    scp: 'access_as_user',
    name: person.displayName,
    preferred_username: person.userPrincipalName,
  });
}

/** A Bot Connector token as Bot Framework issues it to a bot. */
function connectorToken(
  serviceurl: string,
  options: { aud?: string; key?: SigningKey; iat?: number; exp?: number } = {},
): Promise<string> {
  const claims: JWTPayload = {
    iss: 'https://api.botframework.com',
    aud: options.aud ?? CLIENT_ID,
    serviceurl,
  };
  if (options.exp !== undefined) {
    return new SignJWT({ ...claims, exp: options.exp, nbf: options.exp - 600 })
      .setProtectedHeader({ alg: 'RS256', kid: (options.key ?? botFramework).jwk.kid ?? '' })
      .setIssuedAt(options.exp - 600)
      .sign((options.key ?? botFramework).privateKey);
  }
  return sign(options.key ?? botFramework, claims, options.iat);
}

interface ActivityOptions {
  serviceUrl?: string;
  channelId?: string;
  tenant?: string;
  conversationType?: 'personal' | 'groupChat';
  conversationId?: string;
}

function activityBase(person: DemoPerson, o: ActivityOptions) {
  const tenant = o.tenant ?? TENANT;
  return {
    id: crypto.randomUUID(),
    timestamp: new Date().toISOString(),
    serviceUrl: o.serviceUrl ?? connectorUrl,
    channelId: o.channelId ?? 'msteams',
    from: { id: `29:${person.id}`, aadObjectId: person.id, name: person.displayName },
    recipient: { id: `28:${CLIENT_ID}`, name: 'Countersign' },
    conversation: {
      id: o.conversationId ?? connector.conversationIdFor(person.id),
      conversationType: o.conversationType ?? 'personal',
      tenantId: tenant,
    },
    channelData: { tenant: { id: tenant } },
    locale: 'en-GB',
  };
}

function invoke(person: DemoPerson, data: Record<string, unknown>, o: ActivityOptions = {}) {
  return {
    ...activityBase(person, o),
    type: 'invoke',
    name: 'adaptiveCard/action',
    value: { action: { type: 'Action.Execute', verb: data.action, data }, trigger: 'manual' },
  };
}

/** An older Teams client's Action.Submit (our buttons' fallback): a message whose value is the data. */
function submit(person: DemoPerson, data: Record<string, unknown>, o: ActivityOptions = {}) {
  return { ...activityBase(person, o), type: 'message', value: data };
}

function message(person: DemoPerson, text: string, o: ActivityOptions = {}) {
  return { ...activityBase(person, o), type: 'message', text };
}

function post(activity: unknown, token?: string): Promise<Response> {
  return fetch(`${base}/api/messages`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(activity),
  });
}

function signData(person: DemoPerson, typedName = person.displayName) {
  return {
    action: 'sign',
    policyKey: 'staff-aup',
    versionNumber: 1,
    contentHash,
    userId: person.id,
    // The "I have read this policy" toggle, ticked, as Teams sends it.
    declarationAccepted: 'true',
    typedName,
    statedRole: person.jobTitle,
  };
}

async function acknowledgementsOf(person: DemoPerson) {
  return graph.records.listAcknowledgements({ policyKey: 'staff-aup', userId: person.id });
}

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  sink = createServer((req: IncomingMessage, res) => {
    sinkHits.push({
      method: req.method ?? '',
      url: req.url ?? '',
      authorization: req.headers.authorization,
    });
    res.writeHead(201, { 'Content-Type': 'application/json' }).end('{"id":"sink"}');
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/`;

  emulator = await startGraphEmulator(PRODUCTION_TENANT);
  ({ graph, contentHash } = await provisionedDemoSite(emulator));

  // Strict: the production messenger's requests must pass the documented shapes (tenant id, Entra member ids).
  connector = await startConnectorEmulator({ tenantId: TENANT, recordBodies: true, strict: true });
  connectorUrl = connector.url;
  entra = await rs256SigningKey('entra-1');
  botFramework = await rs256SigningKey('bf-1', { endorsements: ['msteams', 'webchat', 'skype'] });
  forger = await rs256SigningKey('bf-1', { endorsements: ['msteams'] });

  const evidenceKeyFile = join(dir, 'evidence-key.pem');
  loadEvidenceKeyFile(evidenceKeyFile, { create: true });
  const env = loadEnv(
    productionEnvVars(emulator, dir, {
      COUNTERSIGN_EVIDENCE_KEY_FILE: evidenceKeyFile,
      // Small, so the overload tests below can fill it.
      COUNTERSIGN_MAX_IN_FLIGHT: String(MAX_IN_FLIGHT),
    }),
  );
  if (env.COUNTERSIGN_MODE !== 'production') throw new Error('a production environment');
  composed = await composeProductionService(env, {
    entraKeys: createLocalJWKSet({ keys: [entra.jwk] }),
    botFrameworkKeys: localBotFrameworkKeys({ keys: [botFramework.jwk] }),
    connectorUrl,
    // The connector emulator stands in for Teams' connector; the sink never does.
    serviceUrls: { hosts: [], origins: [new URL(connectorUrl).origin] },
    botToken: () => Promise.resolve(localBotToken(CLIENT_ID)()),
    holderId: 'production-composition-test',
  });
  base = `http://127.0.0.1:${await listen(composed.server, 0, '127.0.0.1')}`;
}, 60_000);

afterAll(async () => {
  await composed?.stop();
  if (composed) await close(composed.server);
  await connector?.close();
  await emulator?.close();
  await new Promise<void>((r) => sink.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

describe('the bot endpoint in the production composition', () => {
  it('the teacher’s tab token is genuine: the API accepts it', async () => {
    const res = await fetch(`${base}/api/me/policies`, {
      headers: { Authorization: `Bearer ${await tabToken(teacher)}` },
    });
    expect(res.status).toBe(200);
  });

  it('a tab token on /api/messages is refused with 401 and nothing is written', async () => {
    const token = await tabToken(teacher);
    const before = await graph.records.listAudit({});
    const asColleague = await post(invoke(colleague, signData(colleague)), token);
    expect(asColleague.status).toBe(401);
    const asHerself = await post(invoke(teacher, signData(teacher)), token);
    expect(asHerself.status).toBe(401);
    expect(await acknowledgementsOf(colleague)).toEqual([]);
    expect(await acknowledgementsOf(teacher)).toEqual([]);
    expect(await graph.records.listAudit({})).toHaveLength(before.length);
  });

  it('an Entra token of another tenant, or for another audience, is refused too', async () => {
    for (const token of [
      await tabToken(teacher, OTHER_TENANT),
      await tabToken(teacher, TENANT, OTHER_BOT_ID),
      await tabToken(teacher, TENANT, 'https://api.botframework.com'),
    ]) {
      expect((await post(invoke(teacher, signData(teacher)), token)).status).toBe(401);
    }
  });

  it('a Bot Connector token for another bot is refused', async () => {
    const token = await connectorToken(connectorUrl, { aud: OTHER_BOT_ID });
    expect((await post(invoke(teacher, signData(teacher)), token)).status).toBe(401);
  });

  it('a token signed by a key Bot Framework does not publish is refused', async () => {
    const token = await connectorToken(connectorUrl, { key: forger });
    expect((await post(invoke(teacher, signData(teacher)), token)).status).toBe(401);
  });

  it('a token whose serviceurl differs from the activity’s is refused', async () => {
    const token = await connectorToken('https://smba.trafficmanager.net/uk/');
    expect((await post(invoke(teacher, signData(teacher)), token)).status).toBe(401);
  });

  it('an expired token, or one issued in the future, is refused', async () => {
    const expired = await connectorToken(connectorUrl, {
      exp: Math.floor(Date.now() / 1000) - 3600,
    });
    expect((await post(message(teacher, 'status'), expired)).status).toBe(401);
    const future = await connectorToken(connectorUrl, {
      iat: Math.floor(Date.now() / 1000) + 3600,
    });
    expect((await post(message(teacher, 'status'), future)).status).toBe(401);
  });

  it('no token at all is refused', async () => {
    expect((await post(message(teacher, 'status'))).status).toBe(401);
  });

  it('a serviceUrl outside Teams gets 401, and the sink never hears from the bot', async () => {
    // Even a token naming the sink as its serviceurl: the sink is not a Teams connector.
    const token = await connectorToken(sinkUrl);
    const res = await post(message(head, 'status', { serviceUrl: sinkUrl }), token);
    expect(res.status).toBe(401);
    const tabForged = await post(
      invoke(head, signData(head), { serviceUrl: sinkUrl }),
      await tabToken(teacher),
    );
    expect(tabForged.status).toBe(401);
    // Nothing was remembered for the head either.
    expect(await composed.work.getConversation(head.id)).toBeNull();
    expect(sinkHits).toEqual([]);
  });

  it('an activity from another tenant is refused and audited', async () => {
    const token = await connectorToken(connectorUrl);
    const res = await post(invoke(teacher, signData(teacher), { tenant: OTHER_TENANT }), token);
    expect(res.status).toBe(403);
    expect(await acknowledgementsOf(teacher)).toEqual([]);
    const refused = await graph.records.listAudit({ type: 'bot.activity-refused' });
    expect(
      refused.some((e) => e.details.reason === 'wrong-tenant' && e.actorId === teacher.id),
    ).toBe(true);
  });

  it('an activity from another channel is refused and audited', async () => {
    const token = await connectorToken(connectorUrl);
    const res = await post(message(head, 'status', { channelId: 'webchat' }), token);
    expect(res.status).toBe(403);
    const refused = await graph.records.listAudit({ type: 'bot.activity-refused' });
    expect(
      refused.some(
        (e) => e.details.reason === 'wrong-channel' && e.details.channelId === 'webchat',
      ),
    ).toBe(true);
  });

  it('a genuine Bot Connector Sign without the “I have read” toggle is refused and stores nothing', async () => {
    const token = await connectorToken(connectorUrl);
    const forged: Record<string, unknown> = { ...signData(teacher) };
    delete forged['declarationAccepted'];
    for (const data of [forged, { ...forged, declarationAccepted: 'false' }]) {
      const res = await post(invoke(teacher, data), token);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { statusCode: number; value: unknown };
      expect(JSON.stringify(body.value)).toContain(
        'Tick “I have read this policy and I accept the declaration above” to sign. Nothing was signed.',
      );
    }
    expect(await acknowledgementsOf(teacher)).toEqual([]);
  });

  it('a valid activity signs from the card end to end, and the approval request goes to Teams', async () => {
    const token = await connectorToken(connectorUrl);
    const res = await post(invoke(teacher, signData(teacher)), token);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { statusCode: number; value: { body: unknown[] } };
    expect(body.statusCode).toBe(200);
    expect(JSON.stringify(body.value)).toMatch(/signed/i);
    const acks = await acknowledgementsOf(teacher);
    expect(acks).toHaveLength(1);
    expect(acks[0]?.userId).toBe(teacher.id);
    expect(acks[0]?.channel).toBe('card');
    // The row holds the signed record, which the keys the service publishes verify.
    const ring = keyRingSchema.parse(await (await fetch(`${base}/api/evidence/keys`)).json());
    const [row] = (await graph.records.scanAcknowledgements({ userId: teacher.id })).filter(
      (r) => r.key === acks[0]?.id,
    );
    const record = acknowledgementRecordSchema.parse(row?.evidence?.record);
    expect(record).toMatchObject({ id: acks[0]?.id, approvalAtSigning: 'pending' });
    expect(checkSignature(record, row?.evidence?.signature, prepareKeyRing(ring)).status).toBe(
      'valid',
    );
    // The first signature needs the head: the request reaches the head through the connector.
    await until(
      () => connector.delivered().some((d) => d.userId === head.id),
      'the approval request to the head',
    );
    expect(sinkHits).toEqual([]);
  });

  it('an older client’s Action.Submit of the teacher’s card, sent by a colleague, is refused and signs nothing', async () => {
    const token = await connectorToken(connectorUrl);
    const before = await acknowledgementsOf(teacher);
    const toColleague = () => connector.delivered().filter((d) => d.userId === colleague.id);
    const answered = toColleague().length;
    // The teacher's card data (userId: the teacher), pressed by the colleague: the activity's
    // sender acts, and the card was not sent to her.
    const res = await post(submit(colleague, signData(teacher, colleague.displayName)), token);
    expect(res.status).toBe(200);
    await until(() => toColleague().length > answered, 'the answer to the colleague');
    expect(JSON.stringify(toColleague().at(-1)?.activity)).toContain('This card is not for you');
    expect(await acknowledgementsOf(colleague)).toEqual([]);
    expect(await acknowledgementsOf(teacher)).toEqual(before);
    const mismatches = await graph.records.listAudit({ type: 'card.identity-mismatch' });
    expect(mismatches.map((e) => e.actorId)).toContain(colleague.id);
  });

  it('the teacher cannot approve her own signature as the head with her tab token', async () => {
    const [ack] = await acknowledgementsOf(teacher);
    if (ack === undefined) throw new Error('the teacher signed in the test before');
    const approve = { action: 'approve', acknowledgementId: ack.id, comment: 'ok' };
    const res = await post(invoke(head, approve), await tabToken(teacher));
    expect(res.status).toBe(401);
    const approvals = await graph.records.listApprovals({ userId: teacher.id });
    expect(approvals.map((a) => a.value.decision)).toEqual(['pending']);
  });

  it('a stored conversation reference outside Teams is ignored: later sends go to Teams', async () => {
    // As if stored before the endpoint was closed: the head's 1:1 "at" the attacker's address.
    await composed.work.putConversation({
      userId: head.id,
      conversationId: 'a:attacker-chosen',
      serviceUrl: sinkUrl,
      tenantId: TENANT,
      updatedAt: new Date().toISOString(),
    });
    const sentBefore = connector.delivered().filter((d) => d.userId === head.id).length;
    const token = await connectorToken(connectorUrl);
    const res = await post(invoke(colleague, signData(colleague)), token);
    expect(res.status).toBe(200);
    await until(
      () => connector.delivered().filter((d) => d.userId === head.id).length > sentBefore,
      'the second approval request to the head',
    );
    expect(sinkHits).toEqual([]);
    // The forged reference was replaced by the real one.
    expect((await composed.work.getConversation(head.id))?.serviceUrl).toBe(connectorUrl);
  });

  it('"status" in a group chat is answered privately, never in front of the group', async () => {
    const group = connector.conversationIdFor('group-chat-1');
    const token = await connectorToken(connectorUrl);
    const res = await post(
      message(teacher, 'status', { conversationType: 'groupChat', conversationId: group }),
      token,
    );
    expect(res.status).toBe(200);
    await until(
      () => connector.delivered().some((d) => d.conversationId === group),
      'the reply in the group chat',
    );
    const inGroup = connector.delivered().filter((d) => d.conversationId === group);
    expect(JSON.stringify(inGroup.map((d) => d.activity))).not.toMatch(/adaptive/i);
    expect(JSON.stringify(inGroup.map((d) => d.activity))).toMatch(/private chat/);
    await until(
      () =>
        connector
          .delivered()
          .some(
            (d) =>
              d.conversationId === connector.conversationIdFor(teacher.id) &&
              JSON.stringify(d.activity).includes('application/vnd.microsoft.card.adaptive'),
          ),
      'the status card in the teacher’s own chat',
    );
  });
});

describe('the bot’s authorisation matrix: identity × card verb × tenant/channel', () => {
  // Data that can change nothing even when served (an unknown acknowledgement, a wrong hash),
  // so the matrix measures the gate alone; the tests above prove the served path end to end.
  const verbs: Record<string, Record<string, unknown>> = {
    sign: {
      ...{ action: 'sign', policyKey: 'staff-aup', versionNumber: 1 },
      contentHash: 'f'.repeat(64),
    },
    approve: { action: 'approve', acknowledgementId: 'staff-aup:v1:nobody' },
    reject: { action: 'reject', acknowledgementId: 'staff-aup:v1:nobody', comment: 'no' },
    showPrompt: { action: 'showPrompt', policyKey: 'staff-aup' },
    refreshPrompt: { action: 'refreshPrompt', policyKey: 'staff-aup', versionNumber: 1 },
    refreshApproval: { action: 'refreshApproval', acknowledgementId: 'staff-aup:v1:nobody' },
  };
  const identities: Record<string, () => Promise<string | undefined>> = {
    'no token': () => Promise.resolve(undefined),
    'the tab token of the head': () => tabToken(head),
    'a connector token for another bot': () => connectorToken(connectorUrl, { aud: OTHER_BOT_ID }),
    'a connector token signed by a forger': () => connectorToken(connectorUrl, { key: forger }),
    'a connector token for this bot': () => connectorToken(connectorUrl),
  };
  const contexts: Record<string, ActivityOptions> = {
    'the school in Teams': {},
    'another tenant': { tenant: OTHER_TENANT },
    'another channel': { channelId: 'webchat' },
  };
  const expected = (identity: string, context: string): number => {
    if (identity !== 'a connector token for this bot') return 401;
    return context === 'the school in Teams' ? 200 : 403;
  };
  const cases = Object.keys(identities).flatMap((identity) =>
    Object.keys(verbs).flatMap((verb) =>
      Object.keys(contexts).map((context) => [identity, verb, context] as const),
    ),
  );

  it.each(cases)('%s, %s, from %s', async (identity, verb, context) => {
    const data = verbs[verb] ?? {};
    const before = (await graph.records.listApprovals({})).map((a) => a.value.decision);
    const res = await post(
      invoke(head, { ...data, userId: head.id }, contexts[context]),
      await identities[identity]?.(),
    );
    expect(res.status).toBe(expected(identity, context));
    expect((await graph.records.listApprovals({})).map((a) => a.value.decision)).toEqual(before);
    expect(await acknowledgementsOf(head)).toEqual([]);
    expect(sinkHits).toEqual([]);
  });
});

describe('approvals that close: the head’s own signature, and signatures from the tab', () => {
  // After the matrix above, which checks that the head has signed nothing.
  const chair = DEMO_SCHOOL.chairOfGovernors;
  const requestsTo = (person: DemoPerson) =>
    connector
      .delivered()
      .filter(
        (d) => d.userId === person.id && JSON.stringify(d.activity).includes('Approval needed'),
      );

  it('a signature made in the tab sends the head the approval card too', async () => {
    const signer = DEMO_SCHOOL.staff.find(
      (p) => p.team === 'support' && p !== teacher && p !== colleague,
    );
    if (signer === undefined) throw new Error('the demo school has support staff');
    const before = requestsTo(head).length;
    const res = await fetch(`${base}/api/me/policies/staff-aup/sign`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${await tabToken(signer)}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({
        versionNumber: 1,
        contentHash,
        declarationAccepted: true,
        typedName: signer.displayName,
        statedRole: signer.jobTitle,
        consents: {},
      }),
    });
    expect(res.status).toBe(201);
    await until(() => requestsTo(head).length > before, 'the approval card for a tab signature');
    expect(JSON.stringify(requestsTo(head).at(-1)?.activity)).toContain(signer.displayName);
    // Through the work store's queue, sent by the campaign sender (approval-requests.ts), not in
    // the sign request: the signature's approval job holds the head's row, sent once.
    const [ack] = await acknowledgementsOf(signer);
    if (ack === undefined) throw new Error('the tab signature is stored');
    const job = await composed.work.getJob(approvalJobId(ack.id));
    expect(job).toMatchObject({ kind: 'approval', policyKey: 'staff-aup' });
    await until(
      async () =>
        (await composed.work.getDelivery(approvalJobId(ack.id), head.id))?.state === 'sent',
      'the head’s row of the approval job settled as sent',
    );
    expect(await composed.work.countDeliveries({ jobId: approvalJobId(ack.id) })).toMatchObject({
      sent: 1,
      total: 1,
    });
    expect(
      requestsTo(head).filter((d) => JSON.stringify(d.activity).includes(ack.id)),
    ).toHaveLength(1);
  });

  it('the head’s own signature goes to the chair of governors, never to the head', async () => {
    const headBefore = requestsTo(head).length;
    const res = await post(invoke(head, signData(head)), await connectorToken(connectorUrl));
    expect(res.status).toBe(200);
    const [ack] = await acknowledgementsOf(head);
    expect(ack?.approvalState).toBe('pending');
    await until(() => requestsTo(chair).length > 0, 'the approval card to the chair');
    expect(JSON.stringify(requestsTo(chair)[0]?.activity)).toContain(head.displayName);
    expect(requestsTo(head)).toHaveLength(headBefore);
  });

  it('the head cannot approve her own signature through the card', async () => {
    const [ack] = await acknowledgementsOf(head);
    if (ack === undefined) throw new Error('the head signed in the test before');
    const res = await post(
      invoke(head, { action: 'approve', acknowledgementId: ack.id }),
      await connectorToken(connectorUrl),
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { value: unknown };
    expect(JSON.stringify(body.value)).toContain('Not allowed');
    expect(JSON.stringify(body.value)).toContain('own signature');
    const approvals = await graph.records.listApprovals({ userId: head.id });
    expect(approvals.map((a) => a.value.decision)).toEqual(['pending']);
    // Nor is it offered to her in the tab.
    const listed = await fetch(`${base}/api/approvals`, {
      headers: { Authorization: `Bearer ${await tabToken(head)}` },
    });
    // Her tab token carries no roles claim: the school's settings make her an approver, as
    // they do on cards, and her own signature is not among those she may decide.
    expect(listed.status).toBe(200);
    expect(JSON.stringify(await listed.json())).not.toContain(ack.id);
  });

  it('the chair of governors, the named approver, approves it through the card', async () => {
    const [ack] = await acknowledgementsOf(head);
    if (ack === undefined) throw new Error('the head signed in the test before');
    const res = await post(
      invoke(chair, {
        action: 'approve',
        acknowledgementId: ack.id,
        additionalPermissions: 'MIS (SIMS) admin',
      }),
      await connectorToken(connectorUrl),
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { value: unknown };
    expect(JSON.stringify(body.value)).toContain(`Approved: ${head.displayName}`);
    const [approval] = await graph.records.listApprovals({ userId: head.id });
    expect(approval?.value).toMatchObject({
      decision: 'approved',
      approverId: chair.id,
      additionalPermissions: ['MIS (SIMS) admin'],
    });
  });

  it('the chair cannot decide on a member of staff’s signature', async () => {
    const [ack] = await acknowledgementsOf(colleague);
    if (ack === undefined) throw new Error('the colleague signed in a test before');
    const res = await post(
      invoke(chair, { action: 'approve', acknowledgementId: ack.id }),
      await connectorToken(connectorUrl),
    );
    const body = (await res.json()) as { value: unknown };
    expect(JSON.stringify(body.value)).toContain('Not allowed');
    const approvals = await graph.records.listApprovals({ userId: colleague.id });
    expect(approvals.map((a) => a.value.decision)).toEqual(['pending']);
  });
});

describe('one source of truth for roles: the same people get the same answers on a card and in the tab', () => {
  // Tab tokens carry no `roles` claim (tabToken): the school's settings alone decide, for the
  // API and the bot alike (issue 14, item 2).
  const people: Record<string, { person: DemoPerson; roles: string[] }> = {
    'a teacher': { person: teacher, roles: [] },
    'the head (an approver)': { person: head, roles: ['Policy.Approver'] },
    'the chair (the approvers’ approver)': {
      person: DEMO_SCHOOL.chairOfGovernors,
      roles: ['Policy.Approver'],
    },
    'the DSL (an admin)': { person: DEMO_SCHOOL.dsl, roles: ['Policy.Admin'] },
    'the office manager (an admin)': { person: DEMO_SCHOOL.officeManager, roles: ['Policy.Admin'] },
  };
  const nobody = 'staff-aup:v1:nobody';
  const CARD_CODE: Record<number, string> = { 403: 'forbidden', 404: 'not-found' };

  it.each(Object.keys(people))('%s', async (who) => {
    const { person, roles } = people[who] ?? { person: teacher, roles: [] };
    const auth = { Authorization: `Bearer ${await tabToken(person)}` };
    const me = (await (await fetch(`${base}/api/me`, { headers: auth })).json()) as {
      roles: string[];
    };
    expect(me.roles).toEqual(roles);
    const admin = await fetch(`${base}/api/admin/policies`, { headers: auth });
    expect(admin.status).toBe(roles.includes('Policy.Admin') ? 200 : 403);
    // Deciding on a signature that does not exist: an approver hears it is not there, anyone
    // else that they may not decide at all; the card must answer exactly as the tab does.
    const inTab = await fetch(`${base}/api/approvals/${encodeURIComponent(nobody)}/decision`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ decision: 'approved', additionalPermissions: [] }),
    });
    expect(inTab.status).toBe(roles.includes('Policy.Approver') ? 404 : 403);
    const onCard = await post(
      invoke(person, { action: 'approve', acknowledgementId: nobody }),
      await connectorToken(connectorUrl),
    );
    expect(onCard.status).toBe(200);
    const card = JSON.stringify(((await onCard.json()) as { value: unknown }).value);
    expect(card).toContain(`Reference: ${CARD_CODE[inTab.status] ?? 'none'}`);
  });

  it('the service seeded the settings list from COUNTERSIGN_SCHOOL on its first start, audited', async () => {
    const stored = await graph.settings.get(DEMO_SCHOOL.school.id);
    expect(stored).toMatchObject({ revision: 1, updatedBy: 'bootstrap' });
    expect(stored?.school.adminIds).toEqual(DEMO_SCHOOL.school.adminIds);
    const events = await graph.records.listAudit({ type: 'settings.changed' });
    expect(events.map((e) => e.details.source)).toEqual(['bootstrap']);
  });

  it('an Entra app role in the token grants nothing the settings do not', async () => {
    const forged = await sign(entra, {
      iss: `https://login.microsoftonline.com/${TENANT}/v2.0`,
      aud: CLIENT_ID,
      tid: TENANT,
      oid: teacher.id,
      scp: 'access_as_user',
      name: teacher.displayName,
      roles: ['Policy.Admin', 'Policy.Approver'],
    });
    const auth = { Authorization: `Bearer ${forged}` };
    const me = (await (await fetch(`${base}/api/me`, { headers: auth })).json()) as {
      roles: string[];
    };
    expect(me.roles).toEqual([]);
    expect((await fetch(`${base}/api/admin/policies`, { headers: auth })).status).toBe(403);
    expect((await fetch(`${base}/api/approvals`, { headers: auth })).status).toBe(403);
  });
});

describe('refusals cannot flood the audit log', () => {
  it('repeated activities from another channel leave one audit event for that channel and tenant', async () => {
    const token = await connectorToken(connectorUrl);
    for (let i = 0; i < 5; i++) {
      expect((await post(message(teacher, 'status', { channelId: 'skype' }), token)).status).toBe(
        403,
      );
    }
    const events = (await graph.records.listAudit({ type: 'bot.activity-refused' })).filter(
      (e) => e.details.channelId === 'skype',
    );
    expect(events).toHaveLength(1);
    expect(events[0]?.details).toMatchObject({ reason: 'wrong-channel', count: 1 });
  });
});

describe('health, readiness and overload in the production composition', () => {
  interface ReadyBody {
    ready: boolean;
    checks: Record<string, { ok: boolean; detail: string }>;
  }
  const ready = async (): Promise<{ status: number; body: ReadyBody }> => {
    const res = await fetch(`${base}/readyz`);
    return { status: res.status, body: (await res.json()) as ReadyBody };
  };
  /** /readyz caches its answer 5 s: wait for one computed after what the test changed. */
  async function readyAfterCache(): Promise<{ status: number; body: ReadyBody }> {
    await new Promise((r) => setTimeout(r, 5_100));
    return ready();
  }
  const signBody = () => ({
    versionNumber: 1,
    contentHash,
    declarationAccepted: true,
    typedName: colleague.displayName,
    statedRole: colleague.jobTitle,
    consents: {},
  });

  it('/healthz answers ok and /readyz names each check when Graph, the site, the store and the schedule are fine', async () => {
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.text()).toBe('ok');
    const { status, body } = await ready();
    expect(status).toBe(200);
    expect(body.ready).toBe(true);
    expect(Object.keys(body.checks).sort()).toEqual(['graph', 'scheduledWork', 'workStore']);
    for (const check of Object.values(body.checks)) expect(check.ok).toBe(true);
  });

  it('past the in-flight cap a request gets 503 with Retry-After at once, while /healthz and /readyz still answer', async () => {
    const token = await tabToken(teacher);
    // Every Graph call now takes 1.5 s: MAX_IN_FLIGHT requests fill the instance.
    emulator.setFaults({ latencyMs: 1_500 });
    try {
      const slow = Array.from({ length: MAX_IN_FLIGHT }, () =>
        fetch(`${base}/api/me/history`, { headers: { Authorization: `Bearer ${token}` } }),
      );
      await new Promise((r) => setTimeout(r, 300));
      const refused = await fetch(`${base}/api/me/history`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await refused.json()).toMatchObject({ code: 'unavailable', status: 503 });
      const health = await fetch(`${base}/healthz`);
      expect(health.status).toBe(200);
      expect((await fetch(`${base}/readyz`)).status).toBeLessThan(600);
      // The requests that were let in are all answered.
      expect((await Promise.all(slow)).map((r) => r.status)).toEqual(
        Array.from({ length: MAX_IN_FLIGHT }, () => 200),
      );
    } finally {
      emulator.setFaults({});
    }
    // And with the slots free again, the same request is served.
    const again = await fetch(`${base}/api/me/history`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(again.status).toBe(200);
  });

  it('Graph down: a sign answers 503 with Retry-After, /readyz says Graph is not ready, and both recover without a restart', async () => {
    const token = await tabToken(colleague);
    const sign = () =>
      fetch(`${base}/api/me/policies/staff-aup/sign`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(signBody()),
      });
    // Every connection to Graph dropped: as if it were down.
    emulator.setFaults({ rateReset: 1 });
    try {
      const details: string[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await sign();
        expect(res.status).toBe(503);
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
        const problem = (await res.json()) as { code: string; detail: string };
        expect(problem.code).toBe('unavailable');
        // Plain words, no Graph request line.
        expect(problem.detail).not.toMatch(/sites\/|lists\//);
        details.push(problem.detail);
      }
      // The first sign's failures opened the circuit: the next are refused at once, saying
      // nothing was done.
      expect(
        details.slice(1).every((d) => /not answering just now, so nothing was done/.test(d)),
      ).toBe(true);
      const notReady = await readyAfterCache();
      expect(notReady.status).toBe(503);
      expect(notReady.body.ready).toBe(false);
      expect(notReady.body.checks.graph?.ok).toBe(false);
      expect(notReady.body.checks.workStore?.ok).toBe(true);
    } finally {
      emulator.setFaults({});
    }
    // Graph is back: once the circuit lets a probe through, signing works again.
    let recovered: Response | undefined;
    for (let i = 0; i < 40 && recovered?.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 500));
      recovered = await sign();
    }
    expect(recovered?.status).toBe(200);
    expect(await acknowledgementsOf(colleague)).toHaveLength(1);
    const back = await readyAfterCache();
    expect(back.status).toBe(200);
  }, 60_000);
});
