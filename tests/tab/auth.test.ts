// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createDevTokenSource,
  jwtExpiry,
  listDevUsers,
} from '../../teams-app/src/auth/dev-token-source.ts';
import { chooseTeamsTokenSource } from '../../teams-app/src/auth/choose-token-source.ts';
import { AuthError } from '../../teams-app/src/auth/token-source.ts';
import { ChunkLoadError } from '../../teams-app/src/app/chunk-load.ts';
import { initialDevUser } from '../../teams-app/src/app/session.ts';
import type { TeamsHost } from '../../teams-app/src/host/teams-host.ts';

const msal = vi.hoisted(() => {
  class InteractionRequiredAuthError extends Error {}
  const state = {
    silent: vi.fn<(request: unknown) => Promise<{ accessToken: string; account: null }>>(),
    popup: vi.fn<(request: unknown) => Promise<{ accessToken: string; account: null }>>(),
    configs: [] as unknown[],
    bridge: true,
  };
  return { InteractionRequiredAuthError, state };
});

// The tab's one door to MSAL (msal-naa.test.ts runs the real one against a fake Teams bridge).
vi.mock('../../teams-app/src/auth/msal-naa.ts', () => ({
  InteractionRequiredAuthError: msal.InteractionRequiredAuthError,
  createNaaClient: (config: unknown) => {
    msal.state.configs.push(config);
    if (!msal.state.bridge) return Promise.resolve(null);
    return Promise.resolve({
      getActiveAccount: () => null,
      getAccount: () => null,
      setActiveAccount: () => undefined,
      acquireTokenSilent: msal.state.silent,
      acquireTokenPopup: msal.state.popup,
    });
  },
}));

afterEach(() => {
  vi.restoreAllMocks();
  msal.state.silent.mockReset();
  msal.state.popup.mockReset();
  msal.state.configs.length = 0;
  msal.state.bridge = true;
  window.localStorage.clear();
});

function jwt(payload: object): string {
  const b64 = (value: object) =>
    btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return `${b64({ alg: 'RS256' })}.${b64(payload)}.sig`;
}

function host(overrides: Partial<TeamsHost> = {}): TeamsHost {
  return {
    kind: 'teams',
    theme: 'default',
    loginHint: 'sam.patel@school.example',
    tenantId: 'tenant-1',
    naaRecommended: true,
    onThemeChange: () => undefined,
    getSsoToken: () => Promise.resolve('sso-token'),
    ...overrides,
  };
}

const config = {
  mode: 'production' as const,
  clientId: 'client-1',
  apiScope: 'api://countersign.example/client-1/access_as_user',
};

describe('nested app authentication in Teams', () => {
  it('gets the token silently for the API scope, with the tenant authority', async () => {
    msal.state.silent.mockResolvedValue({ accessToken: 'silent-token', account: null });
    const source = await chooseTeamsTokenSource(config, host());
    expect(source.kind).toBe('naa');
    expect(await source.getToken()).toBe('silent-token');
    expect(msal.state.configs[0]).toEqual({
      auth: { clientId: 'client-1', authority: 'https://login.microsoftonline.com/tenant-1' },
    });
    expect(msal.state.silent.mock.calls[0]?.[0]).toMatchObject({
      scopes: [config.apiScope],
      loginHint: 'sam.patel@school.example',
    });
    expect(msal.state.popup).not.toHaveBeenCalled();
  });

  it('falls back to the pop-up when interaction is required', async () => {
    msal.state.silent.mockRejectedValue(new msal.InteractionRequiredAuthError('consent'));
    msal.state.popup.mockResolvedValue({ accessToken: 'popup-token', account: null });
    const source = await chooseTeamsTokenSource(config, host());
    expect(await source.getToken()).toBe('popup-token');
  });

  it('reports any other silent failure as auth-failed rather than hiding it', async () => {
    msal.state.silent.mockRejectedValue(new Error('network down'));
    const source = await chooseTeamsTokenSource(config, host());
    await expect(source.getToken()).rejects.toMatchObject({ code: 'auth-failed' });
    expect(msal.state.popup).not.toHaveBeenCalled();
  });

  it('uses the Teams SSO token where the client has no nested app auth', async () => {
    const source = await chooseTeamsTokenSource(config, host({ naaRecommended: false }));
    expect(source.kind).toBe('teams-sso');
    expect(await source.getToken()).toBe('sso-token');
    expect(msal.state.configs).toHaveLength(0);
  });

  it('falls back to the Teams SSO token when the host answers nothing on the NAA bridge', async () => {
    msal.state.bridge = false;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const source = await chooseTeamsTokenSource(config, host());
    expect(source.kind).toBe('teams-sso');
    expect(await source.getToken()).toBe('sso-token');
    expect(msal.state.configs).toHaveLength(1);
    expect(warn).toHaveBeenCalledOnce();
  });

  it('says "reload" when the MSAL chunk cannot be fetched', async () => {
    vi.doMock('../../teams-app/src/auth/msal-naa.ts', () => {
      throw new TypeError('Failed to fetch dynamically imported module: /assets/msal-naa-old.js');
    });
    try {
      await expect(chooseTeamsTokenSource(config, host())).rejects.toBeInstanceOf(ChunkLoadError);
    } finally {
      vi.doUnmock('../../teams-app/src/auth/msal-naa.ts');
    }
  });

  it('needs the client id and scope from /config.json', async () => {
    await expect(chooseTeamsTokenSource({ mode: 'production' }, host())).rejects.toBeInstanceOf(
      AuthError,
    );
  });
});

describe('dev identity provider', () => {
  it('lists the demo users and caches each token until shortly before it expires', async () => {
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const calls: string[] = [];
    const fetchImpl: typeof fetch = (input, init) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      const body = typeof init?.body === 'string' ? init.body : '';
      calls.push(`${init?.method ?? 'GET'} ${url} ${body}`);
      if (url === '/dev/users') {
        return Promise.resolve(
          Response.json([{ key: 'staff', id: 'u1', displayName: 'Sam Patel', roles: [] }]),
        );
      }
      return Promise.resolve(Response.json({ accessToken: jwt({ exp }) }));
    };
    expect(await listDevUsers(fetchImpl)).toEqual([
      { key: 'staff', id: 'u1', displayName: 'Sam Patel', roles: [] },
    ]);
    const source = createDevTokenSource('staff', fetchImpl);
    const first = await source.getToken();
    expect(await source.getToken()).toBe(first);
    expect(calls).toEqual(['GET /dev/users ', 'POST /dev/token {"user":"staff"}']);
    expect(jwtExpiry(first)).toBe(exp);
  });

  it('says so when the service is not in dev mode', async () => {
    const fetchImpl: typeof fetch = () => Promise.resolve(new Response('', { status: 404 }));
    await expect(listDevUsers(fetchImpl)).rejects.toMatchObject({ code: 'dev-users-unavailable' });
  });

  it('starts as ?user=, else the last user chosen, else the first', () => {
    const users = ['staff', 'dsl', 'head'].map((key) => ({
      key,
      id: key,
      displayName: key,
      roles: [],
    }));
    expect(initialDevUser(users, '?user=head')).toBe('head');
    expect(initialDevUser(users, '')).toBe('staff');
    window.localStorage.setItem('countersign.devUser', 'dsl');
    expect(initialDevUser(users, '?user=nobody')).toBe('dsl');
  });
});
