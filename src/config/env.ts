import { z } from 'zod';
import { schoolSchema } from '../domain/school.ts';

/**
 * The service's whole configuration, read once at start-up from the environment and passed
 * down. Nothing else reads process.env. With nothing set, the service runs on the embedded
 * defaults: dev mode, the Graph emulator, the demo school.
 *
 * A discriminated union on COUNTERSIGN_MODE: in production the tenant settings are required
 * and the school is parsed here, so the type says what is there and no caller checks again.
 * Every variable is documented in .env.example and set by infra/main.bicep (a test compares
 * them).
 */
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** The seal key of local runs (`npm start`, tests): public, so refused in production. */
export const DEV_SEAL_KEY = 'countersign-local-dev-seal-key-not-for-production';

/** COUNTERSIGN_SCHOOL: the school (or the trust's schools) as JSON, parsed and validated. */
const schoolJson = z.string().transform((text, ctx) => {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'is not JSON (see .env.example)' });
    return z.NEVER;
  }
  const school = schoolSchema.safeParse(raw);
  if (!school.success) {
    ctx.addIssue({
      code: 'custom',
      message: `is not a valid school: ${school.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
    });
    return z.NEVER;
  }
  return school.data;
});

/** Microsoft Graph's hosts (public and national clouds), or this machine. */
function isGraphOrLoopback(url: string): boolean {
  const parsed = new URL(url);
  if (['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname)) return true;
  return (
    parsed.protocol === 'https:' &&
    /^(graph\.microsoft\.(com|us|de)|dod-graph\.microsoft\.us|microsoftgraph\.chinacloudapi\.cn)$/.test(
      parsed.hostname,
    )
  );
}

/** Azure Key Vault's hosts (public and national clouds), or this machine (the emulator). */
function isKeyVaultOrLoopback(url: string): boolean {
  const parsed = new URL(url);
  if (['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname)) return true;
  return (
    parsed.protocol === 'https:' &&
    /\.(vault\.azure\.net|vault\.azure\.cn|vault\.usgovcloudapi\.net)$/.test(parsed.hostname)
  );
}

/**
 * The text App Service puts in a setting whose Key Vault reference it could not resolve: "If a
 * reference isn't resolved properly, the reference string is used instead, for example,
 * `@Microsoft.KeyVault(...)`" (learn.microsoft.com/azure/app-service/app-service-key-vault-references,
 * "Troubleshoot Key Vault references"). Such a value is refused for every variable: as a seal
 * key it would be long enough and guessable.
 */
const KEY_VAULT_REFERENCE = /^\s*@Microsoft\.KeyVault\s*\(/i;

/** Variables both modes read, with their defaults. */
const shared = {
  PORT: z.coerce.number().int().min(0).max(65535).default(3978),
  /** Public base URL of the service (tab, API, bot endpoint). */
  COUNTERSIGN_PUBLIC_URL: z.url().optional(),

  /** Entra ID tenant and the app registration (the bot and the API share it). */
  COUNTERSIGN_TENANT_ID: z.string().min(1).optional(),
  COUNTERSIGN_CLIENT_ID: z.string().min(1).optional(),
  COUNTERSIGN_CLIENT_SECRET: z.string().min(1).optional(),
  /**
   * The tab's own app registration (a single-page app, no secret): nested app authentication
   * signs in as it and asks for the API's access_as_user. A second registration because an app
   * asking a broker for a token to itself is refused (AADSTS90009; infra/README.md, step 2).
   */
  COUNTERSIGN_TAB_CLIENT_ID: z.string().min(1).optional(),
  /** Audience of the tab's access token (api://<domain>/<client id>). */
  COUNTERSIGN_API_AUDIENCE: z.string().min(1).optional(),

  /** Graph base URL: graph.microsoft.com in production, the emulator locally. */
  COUNTERSIGN_GRAPH_BASE_URL: z.url().default('https://graph.microsoft.com/v1.0'),
  /** The SharePoint site that holds the lists: a site id or hostname:/sites/path. */
  COUNTERSIGN_SITE: z.string().min(1).optional(),

  /** HMAC key for acknowledgement seals (base64, at least 32 bytes). Key Vault in Azure. */
  COUNTERSIGN_SEAL_KEY: z.string().min(1).optional(),

  /**
   * The evidence signing key in Azure: an EC P-256 key in Key Vault, without a version
   * (https://<vault>.vault.azure.net/keys/<name>). It signs there (ES256) and never leaves the
   * vault; every version of it is published at GET /api/evidence/keys. In production this or
   * COUNTERSIGN_EVIDENCE_KEY_FILE, not both.
   */
  COUNTERSIGN_EVIDENCE_KEY_VAULT_KEY_URL: z
    .url()
    .refine(
      isKeyVaultOrLoopback,
      'must be a Key Vault key URL (https://<vault>.vault.azure.net/keys/<name>)',
    )
    .refine(
      (url) => /^\/keys\/[A-Za-z0-9-]{1,127}\/?$/.test(new URL(url).pathname),
      'must name the key without a version (…/keys/<name>), so rotations are followed',
    )
    .optional(),
  /**
   * The client id of the user-assigned managed identity that reaches Key Vault (infra/main.bicep
   * gives the app one); unset means the app's system-assigned identity.
   */
  COUNTERSIGN_MANAGED_IDENTITY_CLIENT_ID: z.guid().optional(),
  /**
   * The evidence signing key as a PKCS#8 PEM file (Ed25519 or EC P-256). Locally `npm start`
   * makes `.data/evidence-key.pem`. Beside it, `<name>.ring.json` keeps the public half of every
   * key the file has held (rotation). Its public keys are published at GET /api/evidence/keys.
   */
  COUNTERSIGN_EVIDENCE_KEY_FILE: z.string().min(1).optional(),
  /** When a new key file starts signing (ISO 8601); unset: when it is first loaded. */
  COUNTERSIGN_EVIDENCE_KEY_VALID_FROM: z.iso.datetime().optional(),

  /** The work store: a SQLite file by default; Azure Tables when scaled out. */
  COUNTERSIGN_WORK_STORE: z.enum(['sqlite', 'azure-tables']).default('sqlite'),
  COUNTERSIGN_WORK_DB: z.string().min(1).default('.data/work.sqlite'),
  COUNTERSIGN_STORAGE_CONNECTION: z.string().min(1).optional(),
  /**
   * The Blob container (in the COUNTERSIGN_STORAGE_CONNECTION account) that keeps a copy of every
   * signed checkpoint outside the SharePoint site, under a time-based retention (WORM) policy.
   * infra/main.bicep creates it with its policy; the service never creates it (a container it
   * made would have no policy). Unset: checkpoints are copied to the work store only.
   */
  COUNTERSIGN_CHECKPOINT_CONTAINER: z
    .string()
    .regex(
      /^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/,
      'must be a Blob container name (3-63 lower-case letters, digits and single dashes)',
    )
    .optional(),

  /**
   * The campaign sender's ceiling on Teams calls per second for the whole tenant (the bot's
   * documented limit is 50; set 30 if the tenant throttles at the older figure).
   */
  COUNTERSIGN_TEAMS_TENANT_RPS: z.coerce.number().int().min(1).max(50).default(50),

  /**
   * Requests one instance handles at once (health checks aside): one more is refused at once
   * with 503 and Retry-After instead of queueing until everyone times out.
   */
  COUNTERSIGN_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(10_000).default(64),
  /** A request not answered in this long (ms) gets 503 with Retry-After sent for it. */
  COUNTERSIGN_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(20_000),
  /** Each call to Microsoft Graph is abandoned after this long (ms), reading its answer included. */
  COUNTERSIGN_GRAPH_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(120_000).default(10_000),

  /**
   * The school (or the trust's schools) as JSON: id, name, time zone, the Entra groups of each
   * audience, the approvers and admins (src/domain/school.ts). Required in production.
   */
  COUNTERSIGN_SCHOOL: schoolJson.optional(),

  /** The Teams app id from the manifest (deep links to the tab). */
  COUNTERSIGN_TEAMS_APP_ID: z.string().min(1).optional(),

  /**
   * Application Insights connection string: traces and metrics go there when set
   * (src/adapters/telemetry, started by production-service.ts). A connection string names its
   * resource by InstrumentationKey; anything else would start an exporter that sends nowhere.
   */
  APPLICATIONINSIGHTS_CONNECTION_STRING: z
    .string()
    .min(1)
    .refine(
      (value) => /(^|;)\s*InstrumentationKey=[^;]+/i.test(value),
      'must be an Application Insights connection string (InstrumentationKey=…;IngestionEndpoint=…)',
    )
    .optional(),

  /** Allow the Playground's unauthenticated requests on /api/messages: dev mode only. */
  COUNTERSIGN_DEV_ALLOW_UNAUTHENTICATED_BOT: bool.default(false),
};

const devEnvSchema = z.object({ COUNTERSIGN_MODE: z.literal('dev'), ...shared });

/** What a tenant needs; a missing one is named by the variable. */
const required = (what: string) =>
  z.string({ error: `is required in production mode (${what}; see .env.example)` }).min(1);

const productionEnvSchema = z
  .object({
    COUNTERSIGN_MODE: z.literal('production'),
    ...shared,
    COUNTERSIGN_TENANT_ID: required('the Entra tenant id'),
    COUNTERSIGN_CLIENT_ID: required('the app registration’s client id'),
    COUNTERSIGN_CLIENT_SECRET: required('the app registration’s secret, to send as the bot'),
    COUNTERSIGN_TAB_CLIENT_ID: required('the tab’s app registration client id'),
    COUNTERSIGN_API_AUDIENCE: required('the API’s app id URI'),
    COUNTERSIGN_SITE: required('the SharePoint site'),
    COUNTERSIGN_PUBLIC_URL: z
      .url({ error: 'is required in production mode (the service’s https URL)' })
      .refine((url) => url.startsWith('https://'), 'must be an https:// URL in production mode'),
    // Records and the directory (who is admin or approver) come from here: Microsoft Graph over
    // https only. A loopback address is allowed so the production composition can be run
    // against the local Graph emulator; nothing outside this machine answers there.
    COUNTERSIGN_GRAPH_BASE_URL: z
      .url()
      .default('https://graph.microsoft.com/v1.0')
      .refine(
        isGraphOrLoopback,
        'must be Microsoft Graph over https (e.g. https://graph.microsoft.com/v1.0) in production mode',
      ),
    // A short or published key would let anyone recompute seals: at least 32 bytes of secret.
    COUNTERSIGN_SEAL_KEY: required('the seal key').refine(
      (key) => Buffer.byteLength(key, 'utf8') >= 32 && key !== DEV_SEAL_KEY,
      'COUNTERSIGN_SEAL_KEY must be a secret of at least 32 bytes (e.g. openssl rand -base64 48), not the local demo key.',
    ),
    COUNTERSIGN_SCHOOL: z
      .string({ error: 'is required in production mode (the school as JSON)' })
      .pipe(schoolJson),
    COUNTERSIGN_DEV_ALLOW_UNAUTHENTICATED_BOT: bool
      .default(false)
      .refine(
        (allowed) => !allowed,
        'COUNTERSIGN_DEV_ALLOW_UNAUTHENTICATED_BOT is refused in production mode.',
      ),
  })
  .superRefine((env, ctx) => {
    const vaultKey = env.COUNTERSIGN_EVIDENCE_KEY_VAULT_KEY_URL !== undefined;
    const fileKey = env.COUNTERSIGN_EVIDENCE_KEY_FILE !== undefined;
    if (vaultKey === fileKey) {
      ctx.addIssue({
        code: 'custom',
        path: ['COUNTERSIGN_EVIDENCE_KEY_VAULT_KEY_URL'],
        message: vaultKey
          ? 'COUNTERSIGN_EVIDENCE_KEY_VAULT_KEY_URL and COUNTERSIGN_EVIDENCE_KEY_FILE are both set: evidence has one signer, set one of them'
          : 'is required in production mode, or COUNTERSIGN_EVIDENCE_KEY_FILE instead (the evidence signing key; see .env.example)',
      });
    }
    if (
      env.COUNTERSIGN_WORK_STORE === 'azure-tables' &&
      env.COUNTERSIGN_STORAGE_CONNECTION === undefined
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['COUNTERSIGN_STORAGE_CONNECTION'],
        message:
          'is required when COUNTERSIGN_WORK_STORE=azure-tables (the storage account connection string)',
      });
    }
    if (
      env.COUNTERSIGN_CHECKPOINT_CONTAINER !== undefined &&
      env.COUNTERSIGN_STORAGE_CONNECTION === undefined
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['COUNTERSIGN_STORAGE_CONNECTION'],
        message:
          'is required when COUNTERSIGN_CHECKPOINT_CONTAINER is set (the storage account that holds the container)',
      });
    }
  });

/**
 * What a command that only talks to the SharePoint site through Graph needs (`countersign
 * provision`): the Graph address and timeout, the site, and in production the app's credentials.
 * The API audience, seal key, public URL, school and evidence key belong to the service and are
 * neither read nor demanded here (issue 12, item 13).
 */
const GRAPH_SETTINGS = [
  'COUNTERSIGN_MODE',
  'COUNTERSIGN_GRAPH_BASE_URL',
  'COUNTERSIGN_GRAPH_TIMEOUT_MS',
  'COUNTERSIGN_SITE',
  'COUNTERSIGN_TENANT_ID',
  'COUNTERSIGN_CLIENT_ID',
  'COUNTERSIGN_CLIENT_SECRET',
] as const;
type GraphSetting = (typeof GRAPH_SETTINGS)[number];
const pickGraph = <T extends Record<GraphSetting, z.ZodType>>(shape: T) =>
  Object.fromEntries(GRAPH_SETTINGS.map((name) => [name, shape[name]])) as Pick<T, GraphSetting>;
const graphEnvSchema = z.discriminatedUnion('COUNTERSIGN_MODE', [
  z.object(pickGraph(devEnvSchema.shape)),
  z.object(pickGraph(productionEnvSchema.shape)),
]);
export type GraphEnv = z.infer<typeof graphEnvSchema>;

/** Parses only the Graph settings (GRAPH_SETTINGS); a missing one is named as loadEnv names it. */
export function loadGraphEnv(source: Record<string, string | undefined>): GraphEnv {
  const set: Record<string, string> = Object.fromEntries(
    GRAPH_SETTINGS.flatMap((name) => {
      const value = source[name];
      return value === undefined || value === '' ? [] : [[name, value]];
    }),
  );
  const unresolved = GRAPH_SETTINGS.filter((name) => KEY_VAULT_REFERENCE.test(set[name] ?? ''));
  if (unresolved.length > 0) loadEnv(set); // throws the same Key Vault reference refusal
  const parsed = graphEnvSchema.safeParse({ COUNTERSIGN_MODE: 'dev', ...set });
  if (!parsed.success) throw new ConfigError(parsed.error);
  return parsed.data;
}

export const envSchema = z.discriminatedUnion('COUNTERSIGN_MODE', [
  devEnvSchema,
  productionEnvSchema,
]);

/** Every variable the service reads (the Bicep and .env.example are checked against it). */
export const ENV_VARIABLES: readonly string[] = Object.keys(productionEnvSchema.shape);

export type Env = z.infer<typeof envSchema>;
export type ProductionEnv = z.infer<typeof productionEnvSchema>;

/** Where production's evidence signer is: the schema has made sure it is exactly one. */
export type EvidenceKeySource =
  | { kind: 'key-vault'; keyUrl: string; managedIdentityClientId?: string }
  | { kind: 'file'; path: string; validFrom?: string };

export function evidenceKeySource(env: ProductionEnv): EvidenceKeySource {
  const keyUrl = env.COUNTERSIGN_EVIDENCE_KEY_VAULT_KEY_URL;
  if (keyUrl !== undefined) {
    const clientId = env.COUNTERSIGN_MANAGED_IDENTITY_CLIENT_ID;
    return {
      kind: 'key-vault',
      keyUrl,
      ...(clientId === undefined ? {} : { managedIdentityClientId: clientId }),
    };
  }
  const path = env.COUNTERSIGN_EVIDENCE_KEY_FILE;
  if (path === undefined) {
    throw new Error('unreachable: the production schema requires an evidence key');
  }
  const validFrom = env.COUNTERSIGN_EVIDENCE_KEY_VALID_FROM;
  return { kind: 'file', path, ...(validFrom === undefined ? {} : { validFrom }) };
}

/** Parses the environment; in production the tenant settings are required, not defaulted. */
export function loadEnv(source: Record<string, string | undefined>): Env {
  // An empty value (as copied from .env.example) means "not set", not "set to nothing".
  const set: Record<string, string> = Object.fromEntries(
    Object.entries(source).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''),
  );
  const unresolved = ENV_VARIABLES.filter((name) => KEY_VAULT_REFERENCE.test(set[name] ?? ''));
  if (unresolved.length > 0) {
    throw new ConfigError(
      new z.ZodError(
        unresolved.map((name) => ({
          code: 'custom' as const,
          path: [name],
          input: set[name],
          message:
            `${name} is still a Key Vault reference (${set[name] ?? ''}): App Service could not ` +
            'read the secret, so it passed the reference text instead. Check that the secret exists ' +
            'and that the app’s identity may read it, then refresh the references (infra/README.md, ' +
            '“Key Vault references”).',
        })),
      ),
    );
  }
  const parsed = envSchema.safeParse({ COUNTERSIGN_MODE: 'dev', ...set });
  if (!parsed.success) throw new ConfigError(parsed.error);
  return parsed.data;
}

/** A configuration problem, its message one line per variable (what `main.ts` prints). */
export class ConfigError extends Error {
  readonly issues: readonly z.core.$ZodIssue[];
  constructor(error: z.ZodError) {
    super(describeIssues(error.issues));
    this.name = 'ConfigError';
    this.issues = error.issues;
  }
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((i) => {
      const name = i.path.join('.');
      return i.message.startsWith(name) ? i.message : `${name}: ${i.message}`;
    })
    .join('; ');
}

/** One line per problem, naming the variable: what a person starting the service needs to read. */
export function describeConfigError(error: unknown): string {
  if (error instanceof z.ZodError) return describeIssues(error.issues);
  return error instanceof Error ? error.message : String(error);
}
