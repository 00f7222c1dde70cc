// The service against a real tenant (App Service runs `node src/server/main.ts`). Reads the
// environment once, wires the Graph adapters, Entra token verification and the bot with its
// credentials. For the local demo use `npm start` instead.
import { join } from 'node:path';
import {
  createGraphAdapters,
  graphConfigFromEnv,
} from '../adapters/graph/create-graph-adapters.ts';
import { createEntraTokenVerifier } from '../api/auth/token-verifier.ts';
import { createApiHandler } from '../api/create-api-handler.ts';
import { createBot } from '../bot/bot-app.ts';
import { schoolActorResolver } from '../bot/resolve-actor.ts';
import { describeConfigError, loadEnv, type Env } from '../config/env.ts';
import { schoolSchema } from '../domain/school.ts';
import { importPolicyFile } from '../importer/read-policy-file.ts';
import { systemClock } from '../ports/clock.ts';
import { createCountersignService } from '../services/create-countersign-service.ts';
import { close, createHttpServer, listen } from './http-server.ts';
import { createStaticHandler } from './static-files.ts';
import { tabConfigHandler } from './tab-config.ts';

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
const service = createCountersignService({
  records: graph.records,
  directory: graph.directory,
  clock: systemClock,
  sealKey: required(env.COUNTERSIGN_SEAL_KEY, 'COUNTERSIGN_SEAL_KEY'),
  school,
});
const api = createApiHandler({
  service,
  importPolicy: importPolicyFile,
  auth: createEntraTokenVerifier({ tenantId, clientId, apiAudience: audience }),
});
const bot = createBot({
  service,
  resolveActor: schoolActorResolver({ directory: graph.directory, school }),
  cards: {
    appId: env.COUNTERSIGN_TEAMS_APP_ID ?? clientId,
    timeZone: school.timeZone,
    approverIds: school.approverIds,
  },
  audit: (event) => graph.records.appendAudit([event]),
  devMode: false,
  clientId,
  ...(env.COUNTERSIGN_CLIENT_SECRET ? { clientSecret: env.COUNTERSIGN_CLIENT_SECRET } : {}),
  tenantId,
  clock: systemClock,
});
await bot.initialize();

const server = createHttpServer(
  [
    async (req, res) => {
      if (!bot.matches(req)) return false;
      await bot.handle(req, res);
      return true;
    },
    api,
    tabConfigHandler({
      mode: 'production',
      clientId,
      apiScope: `${audience}/access_as_user`,
      tenantId,
      ...(env.COUNTERSIGN_TEAMS_APP_ID ? { teamsAppId: env.COUNTERSIGN_TEAMS_APP_ID } : {}),
    }),
    createStaticHandler(join(import.meta.dirname, '..', '..', 'build', 'tab')),
  ],
  (error, req) => console.error(`[countersign] ${req.method} ${req.url} failed`, error),
);
const port = await listen(server, env.PORT, '0.0.0.0');
console.log(`[countersign] listening on ${port}`);
process.on('SIGTERM', () => {
  void close(server).then(() => process.exit(0));
});
