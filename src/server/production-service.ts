// The service against a real tenant, as App Service runs it (src/server/main.ts reads the
// environment and calls this with nothing else). Tests compose exactly this, injecting local
// signing keys and a local connector through `ProductionInjection`: parameters, never
// configuration variables, so nothing a deployment can set replaces Microsoft's keys.
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import type { KeyClientOptions } from '@azure/keyvault-keys';
import type { JWTVerifyGetKey } from 'jose';
import { openAzureTablesWorkStore } from '../adapters/azure-tables/azure-tables-work-store.ts';
import { openBlobCheckpointArchive } from '../adapters/azure-blob/blob-checkpoint-archive.ts';
import { openKeyVaultEvidenceKeys } from '../adapters/evidence-keys/key-vault-evidence-keys.ts';
import { loadEvidenceKeyFile } from '../adapters/evidence-keys/local-evidence-keys.ts';
import { createJsonLinesLogger } from '../adapters/logging/json-lines-logger.ts';
import type {
  AzureMonitorTelemetryOptions,
  StartedTelemetry,
} from '../adapters/telemetry/azure-monitor-telemetry.ts';
import { appOnlyToken } from '../adapters/graph/app-only-token.ts';
import {
  createGraphAdapters,
  graphConfigFromEnv,
} from '../adapters/graph/create-graph-adapters.ts';
import { teamsAppInstaller } from '../adapters/graph/teams-app-installer.ts';
import { openSqliteWorkStoreSettingAsideDamage } from '../adapters/sqlite/sqlite-work-store.ts';
import { ConnectorMessenger } from '../adapters/teams-connector/connector-messenger.ts';
import { createEntraTokenVerifier } from '../api/auth/token-verifier.ts';
import { remoteBotFrameworkKeys, type BotFrameworkKeys } from '../bot/auth/bot-framework-keys.ts';
import { createInboundActivityGate } from '../bot/auth/inbound-activity-gate.ts';
import { evidenceKeySource, type ProductionEnv } from '../config/env.ts';
import { CountersignError } from '../domain/errors.ts';
import { TEAMS_SERVICE_URL_POLICY, type ServiceUrlPolicy } from '../domain/teams-service-url.ts';
import type { CheckpointArchive } from '../ports/checkpoint-archive.ts';
import { systemClock } from '../ports/clock.ts';
import type { EvidenceKeys } from '../ports/evidence-keys.ts';
import type { Logger } from '../ports/logger.ts';
import { noTelemetry } from '../ports/telemetry.ts';
import type { WorkStore } from '../ports/work-store.ts';
import type { CampaignService } from '../services/campaigns/campaign-service.ts';
import { composeService } from './compose-service.ts';
import { createRequestScope } from './request-observer.ts';

/** The Bot Connector for proactive messages in Teams (conversation refs carry their own). */
export const TEAMS_CONNECTOR_URL = 'https://smba.trafficmanager.net/teams/';

/**
 * What tests replace, and nothing else: Microsoft's signing keys (Entra's for the tab, Bot
 * Framework's for the bot), and, because tests have no network, where the Bot Connector is and
 * the bot's outgoing token. Production passes none of these.
 */
export interface ProductionInjection {
  entraKeys?: JWTVerifyGetKey;
  botFrameworkKeys?: BotFrameworkKeys;
  /** The connector for proactive sends (default: Teams' global connector). */
  connectorUrl?: string;
  /** Which connectors the bot trusts (default: the Teams hosts only). */
  serviceUrls?: ServiceUrlPolicy;
  /** The bot's outgoing Bot Framework token (default: from Entra with the client secret). */
  botToken?: () => Promise<string>;
  /** This instance's lease name (default: host and pid). */
  holderId?: string;
  /**
   * How the evidence signer reaches Key Vault (default: the app's managed identity and the SDK's
   * defaults). Tests pass the Key Vault emulator's credential and its loopback options.
   */
  keyVault?: { credential: TokenCredential; clientOptions?: KeyClientOptions };
  /** Where the JSON log lines go (default: stdout). */
  writeLog?: (line: string) => void;
  /**
   * Application Insights settings a test needs where a tenant keeps the distro's defaults:
   * every trace kept (0 traces per second: no rate limit), no Live Metrics (it polls
   * Microsoft's service), and the certificate of a local ingestion sink. Where telemetry goes is
   * still APPLICATIONINSIGHTS_CONNECTION_STRING.
   */
  telemetry?: Pick<
    AzureMonitorTelemetryOptions,
    'tracesPerSecond' | 'liveMetrics' | 'trustedCertificates'
  >;
}

export interface ProductionService {
  server: Server;
  campaigns: CampaignService;
  work: WorkStore;
  /** The service's logger (JSON lines; entries in a request carry its request id). */
  log: Logger;
  /**
   * Stops the campaign sender and the sweeper, then flushes and stops telemetry (the caller
   * closes the server).
   */
  stop: () => Promise<void>;
}

async function openWorkStore(env: ProductionEnv, log: Logger): Promise<WorkStore> {
  const connectionString = env.COUNTERSIGN_STORAGE_CONNECTION;
  if (env.COUNTERSIGN_WORK_STORE === 'azure-tables' && connectionString !== undefined) {
    // Scaled out: the instances share Table storage, and the sender lease picks who sends.
    // (The environment's schema requires the connection string with azure-tables.)
    try {
      return await openAzureTablesWorkStore({ connectionString });
    } catch (error) {
      throw new CountersignError(
        'unavailable',
        `the work store tables are unreachable: ${error instanceof Error ? error.message : String(error)}`,
        {},
        { cause: error },
      );
    }
  }
  mkdirSync(dirname(env.COUNTERSIGN_WORK_DB), { recursive: true });
  // A damaged file is kept aside and a fresh store opened: its campaigns then show "delivery
  // records lost" to the admin, who chooses; the service does not loop on a corrupt file.
  return openSqliteWorkStoreSettingAsideDamage({ path: env.COUNTERSIGN_WORK_DB }, (event) =>
    log.error(
      `work store damaged: ${event.reason} It was moved to ${event.movedTo} and a fresh store opened; campaigns launched in it show "delivery records lost".`,
      { reason: event.reason, movedTo: event.movedTo },
    ),
  );
}

/**
 * Where each signed checkpoint is copied besides the work store: the Blob container with the
 * time-based retention (WORM) policy infra/main.bicep creates, when COUNTERSIGN_CHECKPOINT_CONTAINER
 * names it. Never created here: a container the service made would have no policy. Reached with
 * the account's connection string (a Key Vault reference in Azure); the WORM policy binds every
 * caller, the account key included, so the key cannot take a copy back.
 */
async function openCheckpointArchives(env: ProductionEnv): Promise<CheckpointArchive[]> {
  const containerName = env.COUNTERSIGN_CHECKPOINT_CONTAINER;
  const connectionString = env.COUNTERSIGN_STORAGE_CONNECTION;
  // The schema requires the connection string with the container: both or no copy.
  if (containerName === undefined || connectionString === undefined) return [];
  return [await openBlobCheckpointArchive({ connectionString, containerName, create: false })];
}

/**
 * The evidence signer: the Key Vault key in Azure, reached with the managed identity (a
 * ManagedIdentityCredential, not DefaultAzureCredential: Microsoft advises a deterministic
 * credential in production, since the default chain may silently pick another identity,
 * learn.microsoft.com/azure/developer/javascript/sdk/authentication/best-practices); or a key file.
 */
export async function openEvidenceKeys(
  env: ProductionEnv,
  inject: ProductionInjection,
): Promise<EvidenceKeys> {
  const source = evidenceKeySource(env);
  switch (source.kind) {
    case 'key-vault': {
      const clientId = source.managedIdentityClientId;
      const credential =
        inject.keyVault?.credential ??
        new ManagedIdentityCredential(clientId === undefined ? {} : { clientId });
      const clientOptions = inject.keyVault?.clientOptions;
      return openKeyVaultEvidenceKeys({
        keyUrl: source.keyUrl,
        credential,
        clock: systemClock,
        ...(clientOptions === undefined ? {} : { clientOptions }),
      });
    }
    case 'file':
      // Never made here: a tenant whose key file is missing must not start signing with a new key.
      return loadEvidenceKeyFile(source.path, {
        ...(source.validFrom === undefined ? {} : { validFrom: source.validFrom }),
      });
  }
}

/** Wires the service for a tenant from a parsed production environment. */
export async function composeProductionService(
  env: ProductionEnv,
  inject: ProductionInjection = {},
): Promise<ProductionService> {
  // Telemetry first: its tracer and meter must exist before anything records (see the adapter).
  // Loaded only when configured: the distro and the OpenTelemetry SDK take seconds to import,
  // which a service without Application Insights (and every start-up refusal) need not pay.
  const connectionString = env.APPLICATIONINSIGHTS_CONNECTION_STRING;
  let started: StartedTelemetry | undefined;
  if (connectionString !== undefined) {
    const { startAzureMonitorTelemetry } =
      await import('../adapters/telemetry/azure-monitor-telemetry.ts');
    started = startAzureMonitorTelemetry({ connectionString, ...inject.telemetry });
  }
  const telemetry = started ?? noTelemetry;
  const requestScope = createRequestScope(telemetry);
  const log = createJsonLinesLogger({
    context: requestScope.logContext,
    ...(inject.writeLog === undefined ? {} : { write: inject.writeLog }),
  });
  // The schema has checked and parsed all of these (src/config/env.ts): no second ladder here.
  const tenantId = env.COUNTERSIGN_TENANT_ID;
  const clientId = env.COUNTERSIGN_CLIENT_ID;
  const audience = env.COUNTERSIGN_API_AUDIENCE;
  const clientSecret = env.COUNTERSIGN_CLIENT_SECRET;
  const school = env.COUNTERSIGN_SCHOOL;
  const evidence = await openEvidenceKeys(env, inject);
  const graph = createGraphAdapters({
    ...graphConfigFromEnv(env),
    evidenceSigner: evidence.signer,
    telemetry,
    log: log.child({ component: 'graph' }),
  });
  const work = await openWorkStore(env, log);
  const checkpointArchives = await openCheckpointArchives(env);
  const serviceUrls = inject.serviceUrls ?? TEAMS_SERVICE_URL_POLICY;
  const botToken =
    inject.botToken ??
    appOnlyToken({ tenantId, clientId, clientSecret }, 'https://api.botframework.com');
  const teamsAppId = env.COUNTERSIGN_TEAMS_APP_ID ?? clientId;
  const connectorUrl = inject.connectorUrl ?? TEAMS_CONNECTOR_URL;
  const { campaigns, server, stop } = await composeService({
    graph,
    school,
    clock: systemClock,
    sealKey: env.COUNTERSIGN_SEAL_KEY,
    evidence,
    work,
    checkpointArchives,
    messenger: new ConnectorMessenger({
      serviceUrl: connectorUrl,
      serviceUrls,
      tenantId,
      botId: clientId,
      getToken: botToken,
      installApp: teamsAppInstaller(graph.gateway, teamsAppId),
    }),
    cards: { appId: teamsAppId, timeZone: school.timeZone },
    // Only the tab's delegated scope: another app's token for this audience is refused.
    auth: createEntraTokenVerifier({
      tenantId,
      clientId,
      apiAudience: audience,
      requiredScope: 'access_as_user',
      ...(inject.entraKeys === undefined ? {} : { keys: inject.entraKeys }),
    }),
    // Every activity passes Countersign's gate (Bot Connector token for this bot, Teams
    // service URL, the school's tenant, channel msteams) before the SDK sees it.
    bot: {
      devMode: false,
      clientId,
      tenantId,
      serviceUrl: connectorUrl,
      // The SDK prefers a client secret over a token function when given both.
      ...(inject.botToken === undefined ? { clientSecret } : { token: inject.botToken }),
      inbound: createInboundActivityGate({
        appId: clientId,
        tenantId,
        keys: inject.botFrameworkKeys ?? remoteBotFrameworkKeys(),
        serviceUrls,
      }),
    },
    holderId: inject.holderId ?? `${hostname()}-${process.pid}`,
    teamsTenantRps: env.COUNTERSIGN_TEAMS_TENANT_RPS,
    http: {
      maxInFlight: env.COUNTERSIGN_MAX_IN_FLIGHT,
      handlerTimeoutMs: env.COUNTERSIGN_REQUEST_TIMEOUT_MS,
    },
    tabConfig: {
      mode: 'production',
      // The tab signs in as its own registration and asks for this API's scope.
      clientId: env.COUNTERSIGN_TAB_CLIENT_ID,
      apiScope: `${audience}/access_as_user`,
      tenantId,
      ...(env.COUNTERSIGN_TEAMS_APP_ID ? { teamsAppId: env.COUNTERSIGN_TEAMS_APP_ID } : {}),
    },
    tabDir: join(import.meta.dirname, '..', '..', 'build', 'tab'),
    log,
    telemetry,
    requestScope,
  });
  return {
    server,
    campaigns,
    work,
    log,
    stop: async () => {
      await stop();
      // What is still buffered (spans every 5 s, metrics every 60 s) leaves now, not never.
      await started?.shutdown();
    },
  };
}
