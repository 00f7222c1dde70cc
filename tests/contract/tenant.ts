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
