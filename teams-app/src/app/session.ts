import { ApiClient } from '../api/api-client.ts';
import type { Me } from '../api/api-types.ts';
import { chooseTeamsTokenSource } from '../auth/choose-token-source.ts';
import { createDevTokenSource, listDevUsers, type DevUser } from '../auth/dev-token-source.ts';
import { AuthError, type TokenSource } from '../auth/token-source.ts';
import { loadTabConfig, type TabConfig } from '../config/tab-config.ts';
import { detectTeams, type TeamsHost } from '../host/teams-host.ts';

/** Everything a signed-in view needs. */
export interface Session {
  api: ApiClient;
  me: Me;
  tokenKind: TokenSource['kind'];
}

/** How the tab was opened: inside Teams, or in a browser against a dev-mode service. */
export type Launch =
  | { kind: 'teams'; config: TabConfig; host: TeamsHost }
  | { kind: 'dev'; config: TabConfig; users: DevUser[] };

export const DEV_USER_STORAGE_KEY = 'countersign.devUser';

export async function detectLaunch(fetchImpl: typeof fetch = fetch): Promise<Launch> {
  const [config, host] = await Promise.all([loadTabConfig(fetchImpl), detectTeams()]);
  if (host !== null) return { kind: 'teams', config, host };
  if (config.mode !== 'dev') {
    throw new AuthError(
      'auth-config-missing',
      'Countersign signs you in through Microsoft Teams. Open it from the Countersign app in Teams.',
    );
  }
  return { kind: 'dev', config, users: await listDevUsers(fetchImpl) };
}

export async function startSession(tokens: TokenSource): Promise<Session> {
  const api = new ApiClient(tokens);
  return { api, me: await api.me(), tokenKind: tokens.kind };
}

export async function startTeamsSession(config: TabConfig, host: TeamsHost): Promise<Session> {
  return startSession(await chooseTeamsTokenSource(config, host));
}

export function startDevSession(userKey: string): Promise<Session> {
  return startSession(createDevTokenSource(userKey));
}

/** The demo user to start as: ?user=, then the last one chosen, then the first listed. */
export function initialDevUser(users: readonly DevUser[], search: string): string | undefined {
  const fromQuery = new URLSearchParams(search).get('user');
  if (fromQuery !== null && users.some((u) => u.key === fromQuery)) return fromQuery;
  let stored: string | null = null;
  try {
    stored = window.localStorage.getItem(DEV_USER_STORAGE_KEY);
  } catch (error) {
    // Storage can be blocked (third-party iframe): starting as the first user is fine.
    console.warn('Countersign: local storage unavailable', error);
  }
  if (stored !== null && users.some((u) => u.key === stored)) return stored;
  return users[0]?.key;
}
