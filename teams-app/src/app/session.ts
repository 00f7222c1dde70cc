import { ApiClient } from '../api/api-client.ts';
import { ApiError } from '../api/api-error.ts';
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

/** Where the tab keeps the school chosen in the picker, for the rest of the session. */
export const SCHOOL_STORAGE_KEY = 'countersign.school';

function storedSchool(): string | undefined {
  try {
    return window.sessionStorage.getItem(SCHOOL_STORAGE_KEY) ?? undefined;
  } catch (error) {
    // Storage can be blocked (third-party iframe): the service's default school then.
    console.warn('Countersign: session storage unavailable', error);
    return undefined;
  }
}

function storeSchool(school: string | undefined): void {
  try {
    if (school === undefined) window.sessionStorage.removeItem(SCHOOL_STORAGE_KEY);
    else window.sessionStorage.setItem(SCHOOL_STORAGE_KEY, school);
  } catch (error) {
    console.warn('Countersign: could not remember the school', error);
  }
}

/** The service refused the school named: the person is not (or no longer) in it. */
function notInSchool(error: unknown): boolean {
  if (!(error instanceof ApiError) || error.status !== 403) return false;
  const details = error.problem['details'];
  return typeof details === 'object' && details !== null && 'reason' in details
    ? details.reason === 'not-in-school'
    : false;
}

/**
 * Signs in: the school a deep link named (the card's school) when the person is in it, else the
 * school chosen earlier in this session when there is one (someone in several schools of a
 * trust), else the service's default for the person. A linked school that is not theirs is
 * passed over, and a remembered one that is no longer theirs (another person signed in, or
 * they left it) is forgotten; neither is an error. The API decides both (403 not-in-school).
 */
export async function startSession(tokens: TokenSource, linkedSchool?: string): Promise<Session> {
  const api = new ApiClient(tokens);
  if (linkedSchool !== undefined) {
    const inSchool = api.forSchool(linkedSchool);
    try {
      const me = await inSchool.me();
      storeSchool(linkedSchool);
      return { api: inSchool, me, tokenKind: tokens.kind };
    } catch (error) {
      // Any refusal of the linked school (not theirs, or they are in none) leaves it unused.
      if (!(error instanceof ApiError) || error.status !== 403) throw error;
    }
  }
  const remembered = storedSchool();
  if (remembered !== undefined) {
    const inSchool = api.forSchool(remembered);
    try {
      return { api: inSchool, me: await inSchool.me(), tokenKind: tokens.kind };
    } catch (error) {
      if (!notInSchool(error)) throw error;
      storeSchool(undefined);
    }
  }
  return { api, me: await api.me(), tokenKind: tokens.kind };
}

/**
 * The session in another of the person's schools: every request names it from now on, and the
 * choice is kept for this session (sessionStorage). Their roles are that school's (`me` again).
 */
export async function chooseSchool(session: Session, school: string): Promise<Session> {
  const api = session.api.forSchool(school);
  const me = await api.me();
  storeSchool(school);
  return { ...session, api, me };
}

export async function startTeamsSession(config: TabConfig, host: TeamsHost): Promise<Session> {
  return startSession(await chooseTeamsTokenSource(config, host), host.entry?.school);
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
