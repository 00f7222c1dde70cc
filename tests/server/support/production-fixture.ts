import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import type { GraphAdapters } from '../../../src/adapters/graph/create-graph-adapters.ts';
import { provisionSite } from '../../../src/adapters/graph/provision.ts';
import { DEMO_SCHOOL } from '../../../src/dev/demo/demo-school.ts';
import { seedDemoPolicy } from '../../../src/dev/demo/seed-demo-policy.ts';
import type {
  GraphEmulator,
  GraphEmulatorOptions,
} from '../../../src/dev/graph-emulator/graph-emulator.ts';
import { emulatorGraphAdapters } from '../../support/emulator-graph.ts';

/** The app registration's client id in every production-composition test. */
export const PRODUCTION_CLIENT_ID = '11111111-2222-4333-8444-555555555555';
/**
 * The Graph emulator as a school's tenant looks to the production service: the demo school,
 * and Countersign's app uploaded to the Teams app catalog (its manifest id is the client id
 * here), so proactive installs find it; strict, as Graph is (the service sends its dev token).
 */
export const PRODUCTION_TENANT: GraphEmulatorOptions = {
  seed: 'demo',
  permissions: { catalog: [PRODUCTION_CLIENT_ID] },
};

/** The tab's own registration (nested app authentication signs in as it). */
export const PRODUCTION_TAB_CLIENT_ID = '66666666-7777-4888-8999-aaaaaaaaaaaa';

/**
 * A production environment (COUNTERSIGN_MODE=production) as App Service would hold it, pointed
 * at a Graph emulator and a scratch folder; each test adds what it proves (an evidence key, a
 * Key Vault key, an Application Insights connection string, a small in-flight cap).
 */
export function productionEnvVars(
  emulator: GraphEmulator,
  dir: string,
  extra: Record<string, string>,
): Record<string, string> {
  return {
    COUNTERSIGN_MODE: 'production',
    PORT: '0',
    COUNTERSIGN_TENANT_ID: DEMO_SCHOOL.tenantId,
    COUNTERSIGN_CLIENT_ID: PRODUCTION_CLIENT_ID,
    COUNTERSIGN_CLIENT_SECRET: 'not-a-real-secret',
    COUNTERSIGN_TAB_CLIENT_ID: PRODUCTION_TAB_CLIENT_ID,
    COUNTERSIGN_API_AUDIENCE: `api://countersign.example/${PRODUCTION_CLIENT_ID}`,
    COUNTERSIGN_GRAPH_BASE_URL: emulator.url,
    COUNTERSIGN_SITE: emulator.siteId,
    COUNTERSIGN_SEAL_KEY: 'k'.repeat(48),
    COUNTERSIGN_PUBLIC_URL: 'https://countersign.example',
    COUNTERSIGN_SCHOOL: JSON.stringify(DEMO_SCHOOL.school),
    COUNTERSIGN_WORK_DB: join(dir, 'work.sqlite'),
    ...extra,
  };
}

/**
 * The site as `countersign provision` leaves it, with the demo school's AUP published as
 * version 1: what the service meets on its first morning.
 */
export async function provisionedDemoSite(
  emulator: GraphEmulator,
): Promise<{ graph: GraphAdapters; contentHash: string }> {
  const graph = emulatorGraphAdapters(emulator);
  await provisionSite(graph.gateway, graph.records.site);
  await seedDemoPolicy(graph.records, {
    schoolId: DEMO_SCHOOL.school.id,
    audiences: DEMO_SCHOOL.school.audiences.map((a) => a.key),
    document: DEMO_SCHOOL.aup,
    actorId: DEMO_SCHOOL.dsl.id,
    now: new Date(),
  });
  const contentHash = (await graph.records.getVersion('staff-aup', 1))?.value.contentHash ?? '';
  return { graph, contentHash };
}

/** An RS256 key pair standing in for Entra's or Bot Framework's signing key. */
export async function rs256SigningKey(
  kid: string,
  extra: Record<string, unknown> = {},
): Promise<{ privateKey: CryptoKey; jwk: JWK }> {
  const pair = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(pair.publicKey)), kid, alg: 'RS256', use: 'sig', ...extra };
  return { privateKey: pair.privateKey, jwk };
}

type SigningKey = { privateKey: CryptoKey; jwk: JWK };

/** A tab's Entra access token for the API (access_as_user), signed with the test's Entra key. */
export function signedTabToken(
  entra: SigningKey,
  person: { id: string; displayName: string; userPrincipalName: string },
  tenant: string,
  clientId: string = PRODUCTION_CLIENT_ID,
): Promise<string> {
  return new SignJWT({
    iss: `https://login.microsoftonline.com/${tenant}/v2.0`,
    aud: clientId,
    tid: tenant,
    oid: person.id,
    scp: 'access_as_user',
    name: person.displayName,
    preferred_username: person.userPrincipalName,
  })
    .setProtectedHeader({ alg: 'RS256', kid: entra.jwk.kid ?? '' })
    .setIssuedAt()
    .setNotBefore('-1m')
    .setExpirationTime('10m')
    .sign(entra.privateKey);
}

/** A Bot Connector token for an activity from serviceUrl, signed with the test's Bot Framework key. */
function signedConnectorToken(
  botFramework: SigningKey,
  serviceUrl: string,
  clientId: string = PRODUCTION_CLIENT_ID,
): Promise<string> {
  return new SignJWT({ iss: 'https://api.botframework.com', aud: clientId, serviceurl: serviceUrl })
    .setProtectedHeader({ alg: 'RS256', kid: botFramework.jwk.kid ?? '' })
    .setIssuedAt()
    .setNotBefore('-1m')
    .setExpirationTime('10m')
    .sign(botFramework.privateKey);
}

/** Where a production test's card actions go: the composed service and its connector. */
export interface CardPressTarget {
  base: string;
  connector: { url: string; conversationIdFor(userId: string): string };
  botFramework: SigningKey;
  tenant: string;
  clientId?: string;
}

/**
 * A card action (Action.Execute) from the person's 1:1 chat, with a genuine Bot Connector
 * token, as Teams sends it: answers the invoke's HTTP status and its value as JSON text.
 */
export async function pressCard(
  to: CardPressTarget,
  person: { id: string; displayName: string },
  data: Record<string, unknown>,
): Promise<{ status: number; value: string }> {
  const res = await postActivity(to, person, {
    type: 'invoke',
    name: 'adaptiveCard/action',
    value: { action: { type: 'Action.Execute', verb: data['action'], data }, trigger: 'manual' },
  });
  const value =
    res.status === 200
      ? JSON.stringify(((await res.json()) as { value: unknown }).value)
      : await res.text();
  return { status: res.status, value };
}

/**
 * A message the person types in their 1:1 chat with the bot ("status", "sign"), with a genuine
 * Bot Connector token: the bot answers in that chat through the connector, not in the response.
 */
export async function sayToBot(
  to: CardPressTarget,
  person: { id: string; displayName: string },
  text: string,
): Promise<number> {
  const res = await postActivity(to, person, { type: 'message', text });
  await res.body?.cancel();
  return res.status;
}

async function postActivity(
  to: CardPressTarget,
  person: { id: string; displayName: string },
  activity: Record<string, unknown>,
): Promise<Response> {
  const clientId = to.clientId ?? PRODUCTION_CLIENT_ID;
  const token = await signedConnectorToken(to.botFramework, to.connector.url, clientId);
  return fetch(`${to.base}/api/messages`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({
      id: crypto.randomUUID(),
      timestamp: new Date().toISOString(),
      serviceUrl: to.connector.url,
      channelId: 'msteams',
      from: { id: `29:${person.id}`, aadObjectId: person.id, name: person.displayName },
      recipient: { id: `28:${clientId}`, name: 'Countersign' },
      conversation: {
        id: to.connector.conversationIdFor(person.id),
        conversationType: 'personal',
        tenantId: to.tenant,
      },
      channelData: { tenant: { id: to.tenant } },
      locale: 'en-GB',
      ...activity,
    }),
  });
}
