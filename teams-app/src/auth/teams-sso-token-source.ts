import type { TeamsHost } from '../host/teams-host.ts';
import { AuthError, type TokenSource } from './token-source.ts';

/**
 * The fallback Microsoft documents for Teams clients without nested app authentication: the
 * Teams SSO token (audience: the app's API), which the API verifies like any Entra token.
 */
export function createTeamsSsoTokenSource(host: TeamsHost): TokenSource {
  return {
    kind: 'teams-sso',
    async getToken() {
      try {
        return await host.getSsoToken();
      } catch (error) {
        throw new AuthError('auth-failed', 'Teams single sign-on failed.', { cause: error });
      }
    },
  };
}
