import type { TabConfig } from '../config/tab-config.ts';
import type { TeamsHost } from '../host/teams-host.ts';
import { createNaaTokenSource } from './naa-token-source.ts';
import { createTeamsSsoTokenSource } from './teams-sso-token-source.ts';
import type { TokenSource } from './token-source.ts';

/**
 * Inside Teams: nested app authentication where the client supports it, else the Teams SSO
 * token, as Microsoft documents. Outside Teams there is no Entra sign-in in this tab: dev mode
 * uses the user switcher (null here), production says to open the app in Teams.
 */
export async function chooseTeamsTokenSource(
  config: TabConfig,
  host: TeamsHost,
): Promise<TokenSource> {
  if (host.naaRecommended) {
    const naa = await createNaaTokenSource(config, host);
    if (naa !== null) return naa;
    console.warn('Countersign: the Teams client offered no nested app auth bridge; using SSO');
  }
  return createTeamsSsoTokenSource(host);
}
