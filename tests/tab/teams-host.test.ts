// @vitest-environment jsdom
import {
  teamsDarkTheme,
  teamsHighContrastTheme,
  teamsLightTheme,
} from '@fluentui/react-components';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChunkLoadError } from '../../teams-app/src/app/chunk-load.ts';
import { detectTeams, mayBeInTeams } from '../../teams-app/src/host/teams-host.ts';
import { fluentTheme, toThemeName } from '../../teams-app/src/host/theme.ts';

const teams = vi.hoisted(() => ({
  initialize: vi.fn<() => Promise<void>>(),
  themeHandlers: [] as ((theme: string) => void)[],
  naa: true,
}));

vi.mock('@microsoft/teams-js', () => ({
  app: {
    initialize: teams.initialize,
    getContext: () =>
      Promise.resolve({
        app: { theme: 'dark' },
        user: { loginHint: 'sam.patel@school.example', tenant: { id: 'tenant-1' } },
      }),
    registerOnThemeChangeHandler: (handler: (theme: string) => void) =>
      teams.themeHandlers.push(handler),
  },
  authentication: { getAuthToken: () => Promise.resolve('sso-token') },
  nestedAppAuth: { isNAAChannelRecommended: () => teams.naa },
}));

// MSAL is fetched alongside teams-js inside a frame; nothing here needs it.
vi.mock('../../teams-app/src/auth/msal-naa.ts', () => ({}));

function framed(): void {
  Object.defineProperty(window, 'parent', { value: {}, configurable: true });
}

afterEach(() => {
  Object.defineProperty(window, 'parent', { value: window, configurable: true });
  teams.initialize.mockReset();
  teams.themeHandlers.length = 0;
  teams.naa = true;
});

describe('detecting Teams', () => {
  it('does not even load teams-js in a top-level browser window', async () => {
    expect(await detectTeams(50)).toBeNull();
    expect(teams.initialize).not.toHaveBeenCalled();
  });

  it('reads the theme, login hint, tenant and NAA support from a Teams host', async () => {
    framed();
    teams.initialize.mockResolvedValue(undefined);
    const host = await detectTeams(1_000);
    expect(host).toMatchObject({
      kind: 'teams',
      theme: 'dark',
      loginHint: 'sam.patel@school.example',
      tenantId: 'tenant-1',
      naaRecommended: true,
    });
    expect(await host?.getSsoToken()).toBe('sso-token');
    const seen: string[] = [];
    host?.onThemeChange((theme) => seen.push(theme));
    teams.themeHandlers.forEach((handler) => handler('contrast'));
    teams.themeHandlers.forEach((handler) => handler('default'));
    expect(seen).toEqual(['contrast', 'default']);
  });

  it('gives up after the timeout when nothing in the parent frame answers', async () => {
    framed();
    teams.initialize.mockReturnValue(new Promise(() => undefined));
    expect(await detectTeams(50)).toBeNull();
  });

  it('says "reload" when the teams-js chunk cannot be fetched (a deploy replaced it)', async () => {
    framed();
    vi.doMock('../../teams-app/src/host/teams-js.ts', () => {
      throw new TypeError('Failed to fetch dynamically imported module: /assets/teams-js-old.js');
    });
    try {
      await expect(detectTeams(1_000)).rejects.toBeInstanceOf(ChunkLoadError);
    } finally {
      vi.doUnmock('../../teams-app/src/host/teams-js.ts');
    }
  });

  it('finds Teams mobile, which runs the tab frameless with a native interface', async () => {
    // Top level, no opener, an ordinary mobile browser's user agent: only nativeInterface says Teams.
    const win = window as Window & { nativeInterface?: unknown };
    win.nativeInterface = { framelessPostMessage: () => undefined };
    try {
      expect(mayBeInTeams()).toBe(true);
      teams.initialize.mockResolvedValue(undefined);
      expect(await detectTeams(1_000)).toMatchObject({ kind: 'teams', tenantId: 'tenant-1' });
      expect(teams.initialize).toHaveBeenCalledTimes(1);
    } finally {
      delete win.nativeInterface;
    }
    expect(mayBeInTeams()).toBe(false);
  });

  it('treats a failed initialise as not in Teams', async () => {
    framed();
    teams.initialize.mockRejectedValue(new Error('not a Teams host'));
    expect(await detectTeams(1_000)).toBeNull();
  });
});

describe('themes', () => {
  it('maps the Teams themes to Fluent’s Teams themes', () => {
    expect(fluentTheme(toThemeName('default'))).toBe(teamsLightTheme);
    expect(fluentTheme(toThemeName('dark'))).toBe(teamsDarkTheme);
    expect(fluentTheme(toThemeName('contrast'))).toBe(teamsHighContrastTheme);
    expect(toThemeName(null)).toBe('default');
    expect(toThemeName('sepia')).toBe('default');
  });
});
