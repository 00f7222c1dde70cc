import { afterAll } from 'vitest';
import { appOnlyToken } from '../../src/adapters/graph/app-only-token.ts';
import { GraphGateway } from '../../src/adapters/graph/graph-gateway.ts';
import { teamsAppInstaller } from '../../src/adapters/graph/teams-app-installer.ts';
import { ConnectorMessenger } from '../../src/adapters/teams-connector/connector-messenger.ts';
import { TEAMS_CONNECTOR_URL } from '../../src/server/production-service.ts';
import { messengerContract } from './messenger.contract.ts';
import { RECORDED_DIR, recordingFetch, recordingWanted } from './recording.ts';
import { teamsTenantSettings } from './tenant.ts';

const settings = teamsTenantSettings(process.env);
const connectorUrl =
  'skip' in settings ? undefined : (settings.connectorUrl ?? TEAMS_CONNECTOR_URL);
// COUNTERSIGN_RECORD=1: every Bot Connector and Graph exchange kept, sanitised, in
// tests/recorded/messenger (never the token requests).
const recorder =
  'skip' in settings || !recordingWanted(process.env)
    ? undefined
    : recordingFetch(fetch, {
        suite: 'messenger',
        sitePath: '',
        graphBaseUrl: settings.graphBaseUrl,
        ...(connectorUrl === undefined ? {} : { connectorUrl }),
      });
afterAll(() => {
  recorder?.save(RECORDED_DIR);
});

/**
 * The Teams contract suite against a tenant's real Bot Connector, composed as
 * production-service.ts composes the messenger (a Bot Framework app-only token, the app
 * installed through Graph). Skipped, saying why, without a tenant's settings.
 */
messengerContract('the real Bot Connector of a test tenant', () => {
  if ('skip' in settings) return Promise.resolve(settings);
  const credentials = {
    tenantId: settings.tenantId,
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
  };
  const gateway = new GraphGateway({
    baseUrl: settings.graphBaseUrl,
    accessToken: appOnlyToken(credentials, settings.graphBaseUrl),
    ...(recorder === undefined ? {} : { fetch: recorder.fetch }),
  });
  const messenger = new ConnectorMessenger({
    serviceUrl: connectorUrl ?? TEAMS_CONNECTOR_URL,
    tenantId: settings.tenantId,
    botId: settings.clientId,
    getToken: appOnlyToken(credentials, 'https://api.botframework.com'),
    installApp: teamsAppInstaller(gateway, settings.teamsAppId),
    ...(recorder === undefined ? {} : { fetch: recorder.fetch }),
  });
  return Promise.resolve({
    messenger,
    userId: settings.userId,
    ...(settings.userWithoutApp === undefined ? {} : { userWithoutApp: settings.userWithoutApp }),
  });
});
