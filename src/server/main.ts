// The service against a real tenant (App Service runs `node src/server/main.ts`). Reads the
// environment once, wires the Graph adapters, Entra token verification and the bot with its
// credentials. For the local demo use `npm start` instead.
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { AzureTablesWorkStore } from '../adapters/azure-tables/azure-tables-work-store.ts';
import { appOnlyToken } from '../adapters/graph/app-only-token.ts';
import {
  createGraphAdapters,
  graphConfigFromEnv,
} from '../adapters/graph/create-graph-adapters.ts';
import { teamsAppInstaller } from '../adapters/graph/teams-app-installer.ts';
import { SqliteWorkStore } from '../adapters/sqlite/sqlite-work-store.ts';
import { ConnectorMessenger } from '../adapters/teams-connector/connector-messenger.ts';
import { createEntraTokenVerifier } from '../api/auth/token-verifier.ts';
import { describeConfigError, loadEnv, type Env } from '../config/env.ts';
import { schoolSchema } from '../domain/school.ts';
import { systemClock } from '../ports/clock.ts';
import type { WorkStore } from '../ports/work-store.ts';
import { composeService } from './compose-service.ts';
import { close, listen } from './http-server.ts';

/** The Bot Connector for proactive messages in Teams (conversation refs carry their own). */
const TEAMS_CONNECTOR_URL = 'https://smba.trafficmanager.net/teams/';

let env: Env;
try {
  env = loadEnv(process.env);
} catch (error) {
  process.stderr.write(`Countersign cannot start: ${describeConfigError(error)}\n`);
  process.exit(1);
}
if (env.COUNTERSIGN_MODE !== 'production') {
  process.stderr.write(
    'src/server/main.ts runs against a tenant: set COUNTERSIGN_MODE=production (see .env.example), or use `npm start` for the local demo.\n',
  );
  process.exit(2);
}
// loadEnv has checked that production settings are present.
const required = (value: string | undefined, name: string): string => {
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};
const tenantId = required(env.COUNTERSIGN_TENANT_ID, 'COUNTERSIGN_TENANT_ID');
const clientId = required(env.COUNTERSIGN_CLIENT_ID, 'COUNTERSIGN_CLIENT_ID');
const audience = required(env.COUNTERSIGN_API_AUDIENCE, 'COUNTERSIGN_API_AUDIENCE');
const school = schoolSchema.parse(
  JSON.parse(required(env.COUNTERSIGN_SCHOOL, 'COUNTERSIGN_SCHOOL')),
);

const graph = createGraphAdapters(graphConfigFromEnv(env));
// Campaigns: per-recipient state in the work store, messages through the Bot Connector.
let work: WorkStore;
if (env.COUNTERSIGN_WORK_STORE === 'azure-tables') {
  // Scaled out: the instances share Table storage, and the sender lease picks who sends.
  const connectionString = env.COUNTERSIGN_STORAGE_CONNECTION;
  if (connectionString === undefined) {
    process.stderr.write(
      'Countersign cannot start: COUNTERSIGN_WORK_STORE=azure-tables needs COUNTERSIGN_STORAGE_CONNECTION (the storage account connection string).\n',
    );
    process.exit(1);
  }
  try {
    work = await AzureTablesWorkStore.open({ connectionString });
  } catch (error) {
    process.stderr.write(
      `Countersign cannot start: the work store tables are unreachable: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  }
} else {
  mkdirSync(dirname(env.COUNTERSIGN_WORK_DB), { recursive: true });
  work = new SqliteWorkStore({ path: env.COUNTERSIGN_WORK_DB });
}
const clientSecret = env.COUNTERSIGN_CLIENT_SECRET;
if (clientSecret === undefined) {
  process.stderr.write(
    'Countersign cannot start: COUNTERSIGN_CLIENT_SECRET is needed to send as the bot.\n',
  );
  process.exit(1);
}
const teamsAppId = env.COUNTERSIGN_TEAMS_APP_ID ?? clientId;
const { campaigns, server } = await composeService({
  graph,
  school,
  clock: systemClock,
  sealKey: required(env.COUNTERSIGN_SEAL_KEY, 'COUNTERSIGN_SEAL_KEY'),
  work,
  messenger: new ConnectorMessenger({
    serviceUrl: TEAMS_CONNECTOR_URL,
    tenantId,
    botId: clientId,
    getToken: appOnlyToken({ tenantId, clientId, clientSecret }, 'https://api.botframework.com'),
    installApp: teamsAppInstaller(graph.gateway, teamsAppId),
  }),
  cards: { appId: teamsAppId, timeZone: school.timeZone },
  // Only the tab's delegated scope: another app's token for this audience is refused.
  auth: createEntraTokenVerifier({
    tenantId,
    clientId,
    apiAudience: audience,
    requiredScope: 'access_as_user',
  }),
  // The Bot Connector's JWT is validated on every activity.
  bot: { devMode: false, clientId, clientSecret, tenantId },
  holderId: `${hostname()}-${process.pid}`,
  tabConfig: {
    mode: 'production',
    clientId,
    apiScope: `${audience}/access_as_user`,
    tenantId,
    ...(env.COUNTERSIGN_TEAMS_APP_ID ? { teamsAppId: env.COUNTERSIGN_TEAMS_APP_ID } : {}),
  },
  tabDir: join(import.meta.dirname, '..', '..', 'build', 'tab'),
  onError: (error, context) => console.error(`[countersign] ${context} failed`, error),
});
const port = await listen(server, env.PORT, '0.0.0.0');
console.log(`[countersign] listening on ${port}`);
process.on('SIGTERM', () => {
  void campaigns
    .stop()
    .then(() => close(server))
    .then(() => process.exit(0));
});
