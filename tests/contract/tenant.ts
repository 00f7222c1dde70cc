/**
 * The real-tenant runs of the contract suites: only when a test site and app credentials are in
 * the environment (never in CI by default). They write into that site with fresh keys each run.
 */
export interface TenantSettings {
  baseUrl: string;
  site: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

export function tenantSettings(env: NodeJS.ProcessEnv): TenantSettings | { skip: string } {
  const site = env.COUNTERSIGN_TEST_SITE;
  const tenantId = env.COUNTERSIGN_TENANT_ID;
  const clientId = env.COUNTERSIGN_CLIENT_ID;
  const clientSecret = env.COUNTERSIGN_CLIENT_SECRET;
  if (!site || !tenantId || !clientId || !clientSecret) {
    return {
      skip: 'skipped: no real tenant (set COUNTERSIGN_TEST_SITE, COUNTERSIGN_TENANT_ID, COUNTERSIGN_CLIENT_ID and COUNTERSIGN_CLIENT_SECRET to run it)',
    };
  }
  return {
    baseUrl: env.COUNTERSIGN_GRAPH_BASE_URL ?? 'https://graph.microsoft.com/v1.0',
    site,
    tenantId,
    clientId,
    clientSecret,
  };
}

/** What the Teams contract suite needs of a tenant: the bot's app and a test person. */
export interface TeamsTenantSettings {
  tenantId: string;
  /** The bot's app (client) id: Azure Bot's app id, as production uses it. */
  clientId: string;
  clientSecret: string;
  /** The Teams app's manifest id (COUNTERSIGN_TEAMS_APP_ID; the client id by default). */
  teamsAppId: string;
  graphBaseUrl: string;
  /** The Bot Connector to send through (COUNTERSIGN_TEST_CONNECTOR_URL); production's by default. */
  connectorUrl?: string;
  /** The Entra object id of a test person; the suite installs the app for them if needed. */
  userId: string;
  /** The Entra object id of a person without the app, left so (optional). */
  userWithoutApp?: string;
}

/** The real Bot Connector run of the Teams contract suite: only with these settings given. */
export function teamsTenantSettings(
  env: NodeJS.ProcessEnv,
): TeamsTenantSettings | { skip: string } {
  const tenantId = env.COUNTERSIGN_TENANT_ID;
  const clientId = env.COUNTERSIGN_CLIENT_ID;
  const clientSecret = env.COUNTERSIGN_CLIENT_SECRET;
  const userId = env.COUNTERSIGN_TEST_TEAMS_USER;
  if (!tenantId || !clientId || !clientSecret || !userId) {
    return {
      skip: 'skipped: no real Bot Connector (set COUNTERSIGN_TENANT_ID, COUNTERSIGN_CLIENT_ID, COUNTERSIGN_CLIENT_SECRET and COUNTERSIGN_TEST_TEAMS_USER, a test person’s Entra object id, to run it)',
    };
  }
  const userWithoutApp = env.COUNTERSIGN_TEST_TEAMS_USER_WITHOUT_APP;
  return {
    tenantId,
    clientId,
    clientSecret,
    teamsAppId: env.COUNTERSIGN_TEAMS_APP_ID ?? clientId,
    graphBaseUrl: env.COUNTERSIGN_GRAPH_BASE_URL ?? 'https://graph.microsoft.com/v1.0',
    ...(env.COUNTERSIGN_TEST_CONNECTOR_URL
      ? { connectorUrl: env.COUNTERSIGN_TEST_CONNECTOR_URL }
      : {}),
    userId,
    ...(userWithoutApp ? { userWithoutApp } : {}),
  };
}
