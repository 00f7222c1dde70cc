import { appOnlyToken } from '../../src/adapters/graph/app-only-token.ts';
import { GraphGateway } from '../../src/adapters/graph/graph-gateway.ts';
import { teamsAppInstaller } from '../../src/adapters/graph/teams-app-installer.ts';
import { ConnectorMessenger } from '../../src/adapters/teams-connector/connector-messenger.ts';
import { TEAMS_CONNECTOR_URL } from '../../src/server/production-service.ts';
import { messengerContract } from './messenger.contract.ts';
import { teamsTenantSettings } from './tenant.ts';

/**
 * The Teams contract suite against a tenant's real Bot Connector, composed as
 * production-service.ts composes the messenger (a Bot Framework app-only token, the app
 * installed through Graph). Skipped, saying why, without a tenant's settings.
 */
messengerContract('the real Bot Connector of a test tenant', () => {
  const settings = teamsTenantSettings(process.env);
  if ('skip' in settings) return Promise.resolve(settings);
  const credentials = {
    tenantId: settings.tenantId,
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
  };
  const gateway = new GraphGateway({
    baseUrl: settings.graphBaseUrl,
    accessToken: appOnlyToken(credentials, settings.graphBaseUrl),
  });
  const messenger = new ConnectorMessenger({
    serviceUrl: settings.connectorUrl ?? TEAMS_CONNECTOR_URL,
    tenantId: settings.tenantId,
    botId: settings.clientId,
    getToken: appOnlyToken(credentials, 'https://api.botframework.com'),
    installApp: teamsAppInstaller(gateway, settings.teamsAppId),
  });
  return Promise.resolve({
    messenger,
    userId: settings.userId,
    ...(settings.userWithoutApp === undefined ? {} : { userWithoutApp: settings.userWithoutApp }),
  });
});
