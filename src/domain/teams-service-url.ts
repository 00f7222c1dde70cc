/**
 * Where the bot may send its Bot Framework token: the Teams Bot Connector hosts, nowhere else.
 *
 * The hosts are Microsoft's documented Teams service endpoints ("Send proactive messages",
 * Teams platform docs: https://smba.trafficmanager.net/teams/ for the public cloud and the
 * regional paths under it such as /uk/ and /emea/; smba.infra.gcc.teams.microsoft.com,
 * smba.infra.gov.teams.microsoft.us and smba.infra.dod.teams.microsoft.us for government
 * clouds; the same list is `TeamsServiceEndpoints` in microsoft/Agents-for-js). An activity's
 * `serviceUrl` is trusted only when it is one of these AND equals the `serviceurl` claim of a
 * verified Bot Connector token; a stored conversation reference elsewhere is ignored.
 */
export const TEAMS_SERVICE_HOSTS: readonly string[] = [
  'smba.trafficmanager.net',
  'smba.infra.gcc.teams.microsoft.com',
  'smba.infra.gov.teams.microsoft.us',
  'smba.infra.dod.teams.microsoft.us',
];

export interface ServiceUrlPolicy {
  /** Hosts (lower case, no port) the bot may call over https. */
  readonly hosts: readonly string[];
  /**
   * Whole origins (scheme, host and port) also trusted. Empty in production; tests and local
   * runs name their connector emulator here, through a composition parameter.
   */
  readonly origins?: readonly string[];
}

export const TEAMS_SERVICE_URL_POLICY: ServiceUrlPolicy = { hosts: TEAMS_SERVICE_HOSTS };

/** True when `url` is a Teams connector URL under `policy` (https, a listed host, no userinfo). */
export function isTeamsServiceUrl(url: string, policy: ServiceUrlPolicy): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.username !== '' || parsed.password !== '') return false;
  if ((policy.origins ?? []).includes(parsed.origin)) return true;
  return (
    parsed.protocol === 'https:' &&
    parsed.port === '' &&
    policy.hosts.includes(parsed.hostname.toLowerCase())
  );
}

/** Two service URLs name the same connector (trailing slash and host case aside). */
export function sameServiceUrl(a: string, b: string): boolean {
  const normalise = (value: string): string => value.trim().replace(/\/+$/, '').toLowerCase();
  return normalise(a) === normalise(b);
}
