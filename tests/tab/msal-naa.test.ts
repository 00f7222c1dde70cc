// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { chooseTeamsTokenSource } from '../../teams-app/src/auth/choose-token-source.ts';
import type { TeamsHost } from '../../teams-app/src/host/teams-host.ts';

// The real MSAL nested app auth classes: the tab reaches them through the msal-browser-internal
// alias (teams-app/vite.config.ts), which vitest does not know, so load the same files here
// (vitest resolves /node_modules/… against the repository root).
vi.mock('../../teams-app/src/auth/msal-internals.ts', async () => {
  const load = (path: string) =>
    import(/* @vite-ignore */ `/node_modules/@azure/msal-browser/dist/${path}.mjs`) as Promise<
      Record<string, unknown>
    >;
  const [controller, context] = await Promise.all([
    load('controllers/NestedAppAuthController'),
    load('operatingcontext/NestedAppOperatingContext'),
  ]);
  return { ...controller, ...context };
});

interface BridgeRequest {
  method: string;
  requestId: string;
  tokenParams?: { clientId: string; scope: string; correlationId: string };
}

const CLIENT_ID = 'client-1';
const SCOPE = 'api://countersign.example/client-1/access_as_user';
const TENANT = '11111111-2222-3333-4444-555555555555';
const OID = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';

function b64url(value: object): string {
  return btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function idToken(): string {
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    aud: CLIENT_ID,
    iss: `https://login.microsoftonline.com/${TENANT}/v2.0`,
    iat: now,
    nbf: now,
    exp: now + 3600,
    oid: OID,
    sub: 'subject-1',
    tid: TENANT,
    name: 'Sam Patel',
    preferred_username: 'sam.patel@school.example',
  };
  return `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url(claims)}.signature`;
}

const account = {
  homeAccountId: `${OID}.${TENANT}`,
  environment: 'login.microsoftonline.com',
  tenantId: TENANT,
  localAccountId: OID,
  username: 'sam.patel@school.example',
  name: 'Sam Patel',
};

/**
 * What the Teams host puts on window for nested app auth (teams-js sets it up in
 * app.initialize): MSAL posts JSON requests and listens for JSON answers.
 */
function installBridge(answer: (request: BridgeRequest) => object | undefined) {
  const requests: BridgeRequest[] = [];
  const listeners: ((message: string) => void)[] = [];
  const bridge = {
    addEventListener: (_type: string, listener: (message: string) => void) =>
      listeners.push(listener),
    removeEventListener: () => undefined,
    postMessage: (message: string) => {
      const request = JSON.parse(message) as BridgeRequest;
      requests.push(request);
      const reply = answer(request);
      if (reply === undefined) return;
      queueMicrotask(() => {
        const text = JSON.stringify({ messageType: 'NestedAppAuthResponse', ...reply });
        listeners.forEach((listener) => listener(text));
      });
    },
  };
  Object.defineProperty(window, 'nestedAppAuthBridge', { value: bridge, configurable: true });
  return requests;
}

function initContext(request: BridgeRequest): object {
  return {
    requestId: request.requestId,
    success: true,
    initContext: {
      sdkName: 'fake-teams',
      sdkVersion: '1.0.0',
      capabilities: {},
      accountContext: {
        homeAccountId: account.homeAccountId,
        environment: account.environment,
        tenantId: TENANT,
      },
    },
  };
}

function tokenAnswer(request: BridgeRequest, accessToken: string): object {
  return {
    requestId: request.requestId,
    success: true,
    token: {
      access_token: accessToken,
      id_token: idToken(),
      expires_in: 3600,
      scope: SCOPE,
      token_type: 'Bearer',
    },
    account,
  };
}

const host: TeamsHost = {
  kind: 'teams',
  theme: 'default',
  loginHint: 'sam.patel@school.example',
  tenantId: TENANT,
  naaRecommended: true,
  onThemeChange: () => undefined,
  getSsoToken: () => Promise.resolve('sso-token'),
};

const config = { mode: 'production' as const, clientId: CLIENT_ID, apiScope: SCOPE };

afterEach(() => {
  Reflect.deleteProperty(window, 'nestedAppAuthBridge');
  window.localStorage.clear();
  window.sessionStorage.clear();
  vi.restoreAllMocks();
});

describe('MSAL nested app authentication against a Teams host bridge', () => {
  it('gets the API token from the host for this app and scope', async () => {
    const requests = installBridge((request) =>
      request.method === 'GetInitContext'
        ? initContext(request)
        : tokenAnswer(request, 'access-from-host'),
    );
    const source = await chooseTeamsTokenSource(config, host);
    expect(source.kind).toBe('naa');
    expect(await source.getToken()).toBe('access-from-host');
    const tokenRequest = requests.find((r) => r.method === 'GetToken');
    expect(tokenRequest?.tokenParams).toMatchObject({ clientId: CLIENT_ID, scope: SCOPE });
    expect(requests.some((r) => r.method === 'GetTokenPopup')).toBe(false);
  });

  it('asks the host for its sign-in pop-up when the host says interaction is required', async () => {
    const requests = installBridge((request) => {
      switch (request.method) {
        case 'GetInitContext':
          return initContext(request);
        case 'GetToken':
          return {
            requestId: request.requestId,
            success: false,
            error: { status: 'USER_INTERACTION_REQUIRED', code: 'consent_required' },
          };
        default:
          return tokenAnswer(request, 'access-after-consent');
      }
    });
    const source = await chooseTeamsTokenSource(config, host);
    expect(await source.getToken()).toBe('access-after-consent');
    expect(requests.map((r) => r.method)).toEqual(['GetInitContext', 'GetToken', 'GetTokenPopup']);
  });

  it('uses Teams SSO when the host has no bridge after all', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined); // MSAL logs the missing bridge
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const source = await chooseTeamsTokenSource(config, host);
    expect(source.kind).toBe('teams-sso');
    expect(await source.getToken()).toBe('sso-token');
    expect(warn).toHaveBeenCalledOnce();
  });
});
