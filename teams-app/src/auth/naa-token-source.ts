import { loadChunk } from '../app/chunk-load.ts';
import type { TabConfig } from '../config/tab-config.ts';
import type { TeamsHost } from '../host/teams-host.ts';
import { AuthError, type TokenSource } from './token-source.ts';

/**
 * Nested app authentication (MSAL in Teams): acquireTokenSilent, then acquireTokenPopup when
 * the user must interact. MSAL is loaded only here, inside Teams, so the "My AUP" entry chunk in
 * a plain browser never carries it. Null when the host offers no nested app auth bridge after
 * all: the caller falls back to Teams SSO, as Microsoft documents for such clients.
 */
export async function createNaaTokenSource(
  config: TabConfig,
  host: TeamsHost,
): Promise<TokenSource | null> {
  const { clientId, apiScope } = config;
  if (clientId === undefined || apiScope === undefined) {
    throw new AuthError('auth-config-missing', '/config.json has no clientId or apiScope.');
  }
  const msal = await loadChunk(() => import('./msal-naa.ts'));
  const tenant = config.tenantId ?? host.tenantId ?? 'organizations';
  const pca = await msal.createNaaClient({
    auth: { clientId, authority: `https://login.microsoftonline.com/${tenant}` },
  });
  if (pca === null) return null;
  const scopes = [apiScope];
  return {
    kind: 'naa',
    async getToken() {
      const account =
        pca.getActiveAccount() ??
        (host.loginHint === undefined ? null : pca.getAccount({ loginHint: host.loginHint }));
      const request = {
        scopes,
        ...(account === null ? {} : { account }),
        ...(host.loginHint === undefined ? {} : { loginHint: host.loginHint }),
      };
      try {
        const result = await pca.acquireTokenSilent(request);
        return result.accessToken;
      } catch (error) {
        if (!(error instanceof msal.InteractionRequiredAuthError)) {
          throw new AuthError('auth-failed', 'Could not get a token silently.', { cause: error });
        }
        // Consent or MFA needed: Teams shows its own sign-in pop-up for the nested app.
        const result = await pca.acquireTokenPopup(request);
        if (result.account !== null) pca.setActiveAccount(result.account);
        return result.accessToken;
      }
    },
  };
}
