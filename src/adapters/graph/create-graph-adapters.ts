import type { EvidenceSigner } from '../../domain/evidence/evidence-signer.ts';
import type { GraphEnv } from '../../config/env.ts';
import { CountersignError } from '../../domain/errors.ts';
import type { Directory } from '../../ports/directory.ts';
import type { Logger } from '../../ports/logger.ts';
import type { Telemetry } from '../../ports/telemetry.ts';
import { appOnlyToken } from './app-only-token.ts';
import { emulatorAppToken, isLocalEmulator } from './emulator-app-token.ts';
import { GraphDirectory } from './graph-directory.ts';
import { GraphGateway } from './graph-gateway.ts';
import type { RetryOptions } from './graph-gateway.ts';
import { SharePointRecordStore } from './sharepoint-record-store.ts';
import { SharePointSettingsStore } from './sharepoint-settings-store.ts';
import type { SettingsStore } from '../../ports/settings-store.ts';

export interface GraphAdaptersConfig {
  /** https://graph.microsoft.com/v1.0, or the emulator's …/v1.0 */
  baseUrl: string;
  /** A site id, `hostname:/sites/path`, or `root`. */
  site: string;
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  /**
   * The token source when there are no credentials for an https Graph: the local emulator's
   * (emulatorAppToken; graphConfigFromEnv sets it for a plain-http Graph on this machine).
   */
  accessToken?: () => Promise<string>;
  fetch?: typeof fetch;
  retry?: Partial<RetryOptions>;
  /** Each Graph exchange is abandoned after this (ms; the gateway's default 10 s). */
  timeoutMs?: number;
  /** Signs and chains every audit event the record store writes (the service's evidence key). */
  evidenceSigner?: EvidenceSigner;
  /** Graph call spans and failure/retry counts (see GraphGatewayOptions). */
  telemetry?: Telemetry;
  /** Graph failures and retries, with client-request-id and Graph's request-id. */
  log?: Logger;
}

export interface GraphAdapters {
  gateway: GraphGateway;
  /** The RecordStore port, plus scanAcknowledgements, warmUp and the site for provisioning. */
  records: SharePointRecordStore;
  directory: Directory;
  /** Each school's settings: the site's CountersignSettings list. */
  settings: SettingsStore;
}

/**
 * The Graph-backed adapters, wired once: one gateway (one retry policy, one token source)
 * shared by the record store and the directory. With tenant, client id and secret an app-only
 * token is sent to an https Graph; to the plain-http emulator, the `accessToken` given (its dev
 * app token), else none (and the emulator answers 401, as Graph would).
 */
export function createGraphAdapters(config: GraphAdaptersConfig): GraphAdapters {
  const { tenantId, clientId, clientSecret } = config;
  // A token only ever goes to an https Graph: never in clear text to a plain-http emulator.
  const secure = new URL(config.baseUrl).protocol === 'https:';
  const credentials =
    secure && tenantId && clientId && clientSecret
      ? { tenantId, clientId, clientSecret }
      : undefined;
  const accessToken = credentials ? appOnlyToken(credentials, config.baseUrl) : config.accessToken;
  const gateway = new GraphGateway({
    baseUrl: config.baseUrl,
    ...(accessToken ? { accessToken } : {}),
    ...(config.fetch ? { fetch: config.fetch } : {}),
    ...(config.retry ? { retry: config.retry } : {}),
    ...(config.timeoutMs === undefined ? {} : { timeoutMs: config.timeoutMs }),
    ...(config.telemetry ? { telemetry: config.telemetry } : {}),
    ...(config.log ? { log: config.log } : {}),
  });
  const records = new SharePointRecordStore({
    gateway,
    site: config.site,
    ...(config.evidenceSigner ? { evidenceSigner: config.evidenceSigner } : {}),
  });
  return {
    gateway,
    records,
    directory: new GraphDirectory(gateway),
    settings: new SharePointSettingsStore(gateway, records.site),
  };
}

/** True for Microsoft's Graph hosts (a real tenant), false for the emulator. */
export function isMicrosoftGraph(baseUrl: string): boolean {
  return /(^|\.)graph\.microsoft\.(com|us|de)$|microsoftgraph\.chinacloudapi\.cn$/.test(
    new URL(baseUrl).hostname,
  );
}

/**
 * The Graph settings from the environment (config read once by the caller). Against the
 * emulator an unnamed site is its root site; against a real tenant the site must be named, so
 * nothing is ever written to a tenant's root site by accident.
 */
export function graphConfigFromEnv(env: GraphEnv, site?: string): GraphAdaptersConfig {
  const chosen = site ?? env.COUNTERSIGN_SITE;
  if (chosen === undefined && isMicrosoftGraph(env.COUNTERSIGN_GRAPH_BASE_URL)) {
    throw new CountersignError(
      'validation',
      'Name the SharePoint site: --site <site id or hostname:/sites/path> or COUNTERSIGN_SITE.',
    );
  }
  return {
    baseUrl: env.COUNTERSIGN_GRAPH_BASE_URL,
    site: chosen ?? 'root',
    ...(env.COUNTERSIGN_TENANT_ID ? { tenantId: env.COUNTERSIGN_TENANT_ID } : {}),
    ...(env.COUNTERSIGN_CLIENT_ID ? { clientId: env.COUNTERSIGN_CLIENT_ID } : {}),
    ...(env.COUNTERSIGN_CLIENT_SECRET ? { clientSecret: env.COUNTERSIGN_CLIENT_SECRET } : {}),
    // The emulator answers like Graph (401 without a token): it gets its published dev app
    // token, never the tenant's credentials.
    ...(isLocalEmulator(env.COUNTERSIGN_GRAPH_BASE_URL) ? { accessToken: emulatorAppToken } : {}),
    timeoutMs: env.COUNTERSIGN_GRAPH_TIMEOUT_MS,
  };
}
