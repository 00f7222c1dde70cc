import { z } from 'zod';

/**
 * The service's whole configuration, read once at start-up from the environment and passed
 * down. Nothing else reads process.env. With nothing set, the service runs on the embedded
 * defaults: dev mode, the Graph emulator, the demo school.
 *
 * Every variable here is documented in .env.example and set by infra/main.bicep (a test
 * compares them).
 */
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const envSchema = z.object({
  /** dev: local run (emulator, dev identity provider, Playground); production: a real tenant. */
  COUNTERSIGN_MODE: z.enum(['dev', 'production']).default('dev'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3978),
  /** Public base URL of the service (tab, API, bot endpoint). */
  COUNTERSIGN_PUBLIC_URL: z.url().optional(),

  /** Entra ID tenant and the app registration (the bot and the API share it). */
  COUNTERSIGN_TENANT_ID: z.string().min(1).optional(),
  COUNTERSIGN_CLIENT_ID: z.string().min(1).optional(),
  COUNTERSIGN_CLIENT_SECRET: z.string().min(1).optional(),
  /** Audience of the tab's access token (api://<domain>/<client id>). */
  COUNTERSIGN_API_AUDIENCE: z.string().min(1).optional(),

  /** Graph base URL: graph.microsoft.com in production, the emulator locally. */
  COUNTERSIGN_GRAPH_BASE_URL: z.url().default('https://graph.microsoft.com/v1.0'),
  /** The SharePoint site that holds the lists: a site id or hostname:/sites/path. */
  COUNTERSIGN_SITE: z.string().min(1).optional(),

  /** HMAC key for acknowledgement seals (base64, at least 32 bytes). Key Vault in Azure. */
  COUNTERSIGN_SEAL_KEY: z.string().min(1).optional(),

  /** The work store: a SQLite file by default; Azure Tables when scaled out. */
  COUNTERSIGN_WORK_STORE: z.enum(['sqlite', 'azure-tables']).default('sqlite'),
  COUNTERSIGN_WORK_DB: z.string().min(1).default('.data/work.sqlite'),
  COUNTERSIGN_STORAGE_CONNECTION: z.string().min(1).optional(),

  /**
   * The school (or the trust's schools) as JSON: id, name, time zone, the Entra groups of each
   * audience, the approvers and admins (src/domain/school.ts). Required in production.
   */
  COUNTERSIGN_SCHOOL: z.string().min(2).optional(),

  /** The Teams app id from the manifest (deep links to the tab). */
  COUNTERSIGN_TEAMS_APP_ID: z.string().min(1).optional(),

  /** Application Insights connection string. */
  APPLICATIONINSIGHTS_CONNECTION_STRING: z.string().min(1).optional(),

  /** Allow the Playground's unauthenticated requests on /api/messages: dev mode only. */
  COUNTERSIGN_DEV_ALLOW_UNAUTHENTICATED_BOT: bool.default(false),
});

export type Env = z.infer<typeof envSchema>;

/** The seal key of local runs (`npm start`, tests): public, so refused in production. */
export const DEV_SEAL_KEY = 'countersign-local-dev-seal-key-not-for-production';

/** Parses the environment; in production the tenant settings are required, not defaulted. */
export function loadEnv(source: Record<string, string | undefined>): Env {
  // An empty value (as copied from .env.example) means "not set", not "set to nothing".
  const set = Object.fromEntries(
    Object.entries(source).filter(([, v]) => v !== undefined && v !== ''),
  );
  const env = envSchema.parse(set);
  if (env.COUNTERSIGN_MODE === 'production') {
    const missing = (
      [
        'COUNTERSIGN_TENANT_ID',
        'COUNTERSIGN_CLIENT_ID',
        'COUNTERSIGN_API_AUDIENCE',
        'COUNTERSIGN_SITE',
        'COUNTERSIGN_SEAL_KEY',
        'COUNTERSIGN_PUBLIC_URL',
        'COUNTERSIGN_SCHOOL',
      ] as const
    ).filter((k) => env[k] === undefined);
    if (missing.length > 0) {
      throw new Error(`Production mode needs ${missing.join(', ')} (see .env.example).`);
    }
    // A short or published key would let anyone recompute seals: at least 32 bytes of secret.
    const sealKey = env.COUNTERSIGN_SEAL_KEY ?? '';
    if (Buffer.byteLength(sealKey, 'utf8') < 32 || sealKey === DEV_SEAL_KEY) {
      throw new Error(
        'COUNTERSIGN_SEAL_KEY must be a secret of at least 32 bytes (e.g. openssl rand -base64 48), not the local demo key.',
      );
    }
    if (env.COUNTERSIGN_DEV_ALLOW_UNAUTHENTICATED_BOT) {
      throw new Error('COUNTERSIGN_DEV_ALLOW_UNAUTHENTICATED_BOT is refused in production mode.');
    }
  }
  return env;
}

/** One line per problem, naming the variable: what a person starting the service needs to read. */
export function describeConfigError(error: unknown): string {
  if (error instanceof z.ZodError) {
    return error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  }
  return error instanceof Error ? error.message : String(error);
}
