import {
  errors as joseErrors,
  exportJWK,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JWK,
} from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  localBotFrameworkKeys,
  type BotFrameworkKeys,
} from '../../src/bot/auth/bot-framework-keys.ts';
import {
  createInboundActivityGate,
  type GateResult,
} from '../../src/bot/auth/inbound-activity-gate.ts';
import { TEAMS_SERVICE_URL_POLICY } from '../../src/domain/teams-service-url.ts';

// The gate on its own: the production-composition suite (tests/server) proves it wired in.
const APP_ID = 'bot-app-id';
const TENANT = 'tenant-1';
const SERVICE_URL = 'https://smba.trafficmanager.net/uk/';

let privateKey: CryptoKey;
let jwk: JWK;
beforeAll(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true });
  privateKey = pair.privateKey;
  jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256' };
});

function gate(keys: BotFrameworkKeys) {
  return createInboundActivityGate({
    appId: APP_ID,
    tenantId: TENANT,
    keys,
    serviceUrls: TEAMS_SERVICE_URL_POLICY,
  });
}

function token(serviceurl = SERVICE_URL): Promise<string> {
  return new SignJWT({ serviceurl })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer('https://api.botframework.com')
    .setAudience(APP_ID)
    .setIssuedAt()
    .setNotBefore('-1m')
    .setExpirationTime('5m')
    .sign(privateKey);
}

function activity(overrides: Record<string, unknown> = {}) {
  return {
    type: 'message',
    serviceUrl: SERVICE_URL,
    channelId: 'msteams',
    from: { id: '29:x', aadObjectId: 'user-1' },
    conversation: { id: 'a:1', tenantId: TENANT },
    channelData: { tenant: { id: TENANT } },
    ...overrides,
  };
}

function reason(result: GateResult): string {
  return result.kind === 'accepted' ? 'accepted' : `${result.status} ${result.reason}`;
}

describe('the inbound activity gate', () => {
  it('accepts a Bot Connector token for this bot, and hands the SDK a verified caller', async () => {
    const g = gate(localBotFrameworkKeys({ keys: [{ ...jwk, endorsements: ['msteams'] }] }));
    const result = await g.check(`Bearer ${await token()}`, activity());
    expect(result).toMatchObject({ kind: 'accepted', token: { serviceUrl: SERVICE_URL } });
    // Trailing slash and host case are not a different connector.
    const upper = await g.check(
      `Bearer ${await token('https://SMBA.trafficmanager.net/uk')}`,
      activity(),
    );
    expect(reason(upper)).toBe('accepted');
  });

  it('refuses a key not endorsed for the activity’s channel', async () => {
    const g = gate(localBotFrameworkKeys({ keys: [{ ...jwk, endorsements: ['webchat'] }] }));
    expect(reason(await g.check(`Bearer ${await token()}`, activity()))).toBe(
      '401 channel-not-endorsed',
    );
    const none = gate(localBotFrameworkKeys({ keys: [jwk] }));
    expect(reason(await none.check(`Bearer ${await token()}`, activity()))).toBe(
      '401 channel-not-endorsed',
    );
  });

  it('refuses an activity with no tenant, or whose two tenant fields disagree', async () => {
    const g = gate(localBotFrameworkKeys({ keys: [{ ...jwk, endorsements: ['msteams'] }] }));
    const t = `Bearer ${await token()}`;
    expect(
      reason(await g.check(t, activity({ conversation: { id: 'a:1' }, channelData: {} }))),
    ).toBe('403 wrong-tenant');
    expect(
      reason(await g.check(t, activity({ channelData: { tenant: { id: 'tenant-2' } } }))),
    ).toBe('403 wrong-tenant');
  });

  it('refuses what is not an activity, and a header that is not a bearer token', async () => {
    const g = gate(localBotFrameworkKeys({ keys: [{ ...jwk, endorsements: ['msteams'] }] }));
    const t = await token();
    expect(reason(await g.check(`Bearer ${t}`, { type: 'message' }))).toBe('401 bad-activity');
    expect(reason(await g.check(`Basic ${t}`, activity()))).toBe('401 missing-token');
    expect(reason(await g.check(undefined, activity()))).toBe('401 missing-token');
  });

  it('answers 503 when the key set answers with an error status, not 401', async () => {
    const g = gate({
      getKey: () =>
        Promise.reject(
          new joseErrors.JOSEError('Expected 200 OK from the JSON Web Key Set HTTP response'),
        ),
      endorsementsOf: () => undefined,
    });
    expect(reason(await g.check(`Bearer ${await token()}`, activity()))).toBe(
      '503 keys-unavailable',
    );
  });

  it('answers 503 when the signing keys cannot be fetched, so the connector retries', async () => {
    const g = gate({
      getKey: () => Promise.reject(new TypeError('fetch failed')),
      endorsementsOf: () => undefined,
    });
    expect(reason(await g.check(`Bearer ${await token()}`, activity()))).toBe(
      '503 keys-unavailable',
    );
  });
});
