import { ConfidentialClientApplication } from '@azure/msal-node';
import { CountersignError } from '../../domain/errors.ts';

export interface AppCredentials {
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

/**
 * App-only (client credentials) tokens for Graph from MSAL; MSAL caches them and refreshes
 * before expiry, so calling this per request costs nothing when a token is still good.
 */
export function appOnlyToken(
  credentials: AppCredentials,
  graphBaseUrl: string,
): () => Promise<string> {
  const app = new ConfidentialClientApplication({
    auth: {
      clientId: credentials.clientId,
      clientSecret: credentials.clientSecret,
      authority: `https://login.microsoftonline.com/${credentials.tenantId}`,
    },
  });
  const scope = `${new URL(graphBaseUrl).origin}/.default`;
  return async () => {
    let result;
    try {
      result = await app.acquireTokenByClientCredential({ scopes: [scope] });
    } catch (error) {
      // The service's own credentials failed: upstream (logged, 502), not the person's sign-in.
      throw new CountersignError(
        'upstream',
        'Could not get an app-only token for Microsoft Graph (check tenant, client id, secret).',
        { tenantId: credentials.tenantId, clientId: credentials.clientId },
        { cause: error },
      );
    }
    if (!result?.accessToken) {
      throw new CountersignError('upstream', 'Entra ID returned no access token for Graph.');
    }
    return result.accessToken;
  };
}
