import { readTabSubPageId, type TabTarget } from '../../../src/domain/tab-deep-link.ts';
import { loadChunk } from '../app/chunk-load.ts';
import type { ThemeName } from './theme.ts';
import { toThemeName } from './theme.ts';

/** What the tab needs from the Teams client once app.initialize() has answered. */
export interface TeamsHost {
  kind: 'teams';
  theme: ThemeName;
  /** The signed-in user's UPN: the login hint for MSAL. */
  loginHint?: string;
  tenantId?: string;
  /**
   * The page a deep link asked for (the link's `context.subEntityId`, which teams-js gives as
   * `page.subPageId`: "Get context for your tab", learn.microsoft.com/microsoftteams/platform/
   * concepts/tabs/tabs-context; src/domain/tab-deep-link.ts). Only a wish: the shell still
   * shows pages by the roles the API gives.
   */
  entry?: TabTarget;
  /** teams-js says nested app authentication is supported by this client. */
  naaRecommended: boolean;
  onThemeChange(handler: (theme: ThemeName) => void): void;
  /** The Teams SSO token (teams-js authentication.getAuthToken): the fallback when NAA is not there. */
  getSsoToken(): Promise<string>;
}

function timeout(ms: number): Promise<'timeout'> {
  return new Promise((resolve) => setTimeout(() => resolve('timeout'), ms));
}

/**
 * Could a Teams host be listening? teams-js's own rule (initializeCommunication in
 * @microsoft/teams-js 2.x, internal/communication.js): it talks to the parent frame, else the
 * opener, else, frameless (Teams mobile), to `window.nativeInterface`, which the mobile host
 * injects; with none of them app.initialize() rejects "No Parent window found". Teams mobile
 * runs the tab frameless, so a frame test alone would tell mobile users to open it in Teams.
 */
export function mayBeInTeams(win: Window = window): boolean {
  const framed = win.parent !== win;
  const opened = win.opener !== null && win.opener !== undefined;
  const frameless =
    'nativeInterface' in win && Boolean((win as { nativeInterface?: unknown }).nativeInterface);
  return framed || opened || frameless;
}

/**
 * Are we inside Teams? app.initialize() answers only when a Teams host is listening; outside it
 * never settles, so a short timeout decides. Where teams-js itself could not reach a host (see
 * mayBeInTeams) it is not loaded at all, which keeps a plain browser's first load small.
 */
export async function detectTeams(timeoutMs = 1500): Promise<TeamsHost | null> {
  if (!mayBeInTeams()) return null;
  // Inside a frame this is probably Teams, which will want MSAL next: fetch both at once.
  void import('../auth/msal-naa.ts').catch((error: unknown) => {
    console.warn('Countersign: could not preload MSAL', error);
  });
  const { app, authentication, nestedAppAuth } = await loadChunk(() => import('./teams-js.ts'));
  const outcome = await Promise.race([
    app.initialize().then(
      () => 'ready' as const,
      () => 'failed' as const,
    ),
    timeout(timeoutMs),
  ]);
  if (outcome !== 'ready') return null;
  const context = await app.getContext();
  // `page` is typed as always there; a host that leaves it out simply asked for no page.
  const entry = readTabSubPageId(context.page?.subPageId);
  return {
    kind: 'teams',
    theme: toThemeName(context.app.theme),
    ...(context.user?.loginHint === undefined ? {} : { loginHint: context.user.loginHint }),
    ...(context.user?.tenant?.id === undefined ? {} : { tenantId: context.user.tenant.id }),
    ...(entry === undefined ? {} : { entry }),
    naaRecommended: nestedAppAuth.isNAAChannelRecommended(),
    onThemeChange(handler) {
      app.registerOnThemeChangeHandler((theme) => handler(toThemeName(theme)));
    },
    getSsoToken: () => authentication.getAuthToken(),
  };
}
