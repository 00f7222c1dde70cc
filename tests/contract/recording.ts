import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * Recording mode for the contract suites run against a real tenant (tenant.ts): with
 * COUNTERSIGN_RECORD=1 every Graph and Bot Connector request and its answer is kept, sanitised,
 * and written to tests/recorded/<suite>/tenant.json when the suite ends. The emulators replay
 * each recording (tests/dev/graph-emulator/recorded-replay.test.ts) and fail where they answer
 * differently, so what a tenant taught once is kept for every later run. docs/tenant-check.md
 * is the procedure.
 *
 * Only requests to the Graph base URL and the Bot Connector's service URL are kept: a token
 * request (login.microsoftonline.com) never is. Sanitised consistently: no header is kept but
 * If-Match, ConsistencyLevel and Prefer (which change the answer; never Authorization, a cookie
 * or a tenant header); every GUID becomes 00000000-0000-4000-8000-<n>, every e-mail address
 * person<n>@example.invalid, every Teams user id 29:user-<n> and conversation id
 * a:conversation-<n>, the SharePoint host contoso.sharepoint.com and the test site's path
 * /sites/countersign-test; the values of name-like properties (displayName, givenName, surname,
 * userPrincipalName, mail, jobTitle, email, LookupValue, description, and a connector member's
 * name) and the words of a `$search` in a path (a group's name) become "Name <n>"; the same
 * original always gets the same stand-in within a recording, so ids still join up.
 */

export const RECORDED_SITE_HOST = 'contoso.sharepoint.com';
export const RECORDED_SITE_PATH = '/sites/countersign-test';

const exchangeSchema = z.object({
  /** Which service answered: Microsoft Graph (the default) or the Bot Connector. */
  service: z.enum(['graph', 'connector']).optional(),
  method: z.string(),
  /** The path and query after the service's base, e.g. `sites/…/lists?$select=id`. */
  path: z.string(),
  /** Only If-Match, ConsistencyLevel and Prefer, sanitised. */
  requestHeaders: z.record(z.string(), z.string()).optional(),
  requestBody: z.unknown().optional(),
  status: z.number().int(),
  responseBody: z.unknown().optional(),
  /** Where an answer of an authored recording comes from, when the page does not show it. */
  note: z.string().optional(),
});
export type RecordedExchange = z.infer<typeof exchangeSchema>;

export const recordingSchema = z
  .object({
    suite: z.string(),
    /**
     * 'tenant': recorded from a real tenant (docs/tenant-check.md). 'documentation': authored by
     * hand from Microsoft's documentation, not recorded; `documentation` names the pages.
     */
    source: z.enum(['tenant', 'documentation']),
    description: z.string().optional(),
    documentation: z.array(z.url()).optional(),
    recordedAt: z.string(),
    exchanges: z.array(exchangeSchema),
  })
  .refine((r) => r.source !== 'documentation' || (r.documentation?.length ?? 0) > 0, {
    message: 'an authored recording names the documentation it was written from',
  });
export type Recording = z.infer<typeof recordingSchema>;

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
// Bounded, so a long run of letters (a 100 KB card) is scanned in linear time, not quadratic.
const EMAIL = /[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24}/g;
const SHAREPOINT_HOST = /[A-Za-z0-9-]{1,63}\.sharepoint\.com/gi;
/** Teams user ids (`29:…`) and conversation ids (`a:…`), as the connector gives them. */
const TEAMS_USER_ID = /\b29:[A-Za-z0-9_\-.]+/g;
const CONVERSATION_ID = /\ba:[A-Za-z0-9_\-.]+/g;
const NAME_KEYS = new Set([
  'displayName',
  'givenName',
  'surname',
  'userPrincipalName',
  'mail',
  'jobTitle',
  'email',
  'LookupValue',
  // A group's description names groups and people ("Every member of staff, through …").
  'description',
]);
/** A connector member's or sender's `name` is a person's; in Graph, `name` is a column's. */
const CONNECTOR_NAME_KEYS = new Set([...NAME_KEYS, 'name']);
const KEPT_HEADERS = new Set(['if-match', 'consistencylevel', 'prefer']);
const STAND_IN_GUID = /^00000000-0000-4000-8000-\d{12}$/;

/** Replaces identifying values with stand-ins, the same stand-in for the same value. */
class Sanitiser {
  readonly #seen = new Map<string, string>();
  readonly #sitePath: string;

  /** `site`: as COUNTERSIGN_TEST_SITE gives it (`host:/sites/path`, a path or a site id). */
  constructor(site: string) {
    const colon = site.indexOf(':/');
    this.#sitePath =
      colon === -1 ? (site.startsWith('/') ? site : '\u0000') : site.slice(colon + 1);
  }

  #standIn(kind: string, original: string, make: (n: number) => string): string {
    const key = `${kind}:${original.toLowerCase()}`;
    let value = this.#seen.get(key);
    if (value === undefined) {
      value = make(this.#seen.size + 1);
      this.#seen.set(key, value);
    }
    return value;
  }

  /**
   * A path: its text as any other, and the words of a `$search` (a group's name, typed as the
   * group picker's search) replaced as a name is: `$search="displayName:Name <n>"`.
   */
  path(value: string): string {
    return this.text(value).replace(
      /(\$search="[A-Za-z]+:)([^"]*)"/g,
      (_, head: string, words: string) =>
        `${head}${this.#standIn('name', words, (n) => `Name ${n}`)}"`,
    );
  }

  text(value: string): string {
    return value
      .split(this.#sitePath)
      .join(RECORDED_SITE_PATH)
      .replace(GUID, (g) =>
        STAND_IN_GUID.test(g)
          ? g
          : this.#standIn(
              'guid',
              g,
              (n) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
            ),
      )
      .replace(EMAIL, (e) => this.#standIn('email', e, (n) => `person${n}@example.invalid`))
      .replace(TEAMS_USER_ID, (m) => this.#standIn('mri', m, (n) => `29:user-${n}`))
      .replace(CONVERSATION_ID, (c) => this.#standIn('conv', c, (n) => `a:conversation-${n}`))
      .replace(SHAREPOINT_HOST, RECORDED_SITE_HOST);
  }

  value(value: unknown, names: ReadonlySet<string>, key?: string): unknown {
    if (typeof value === 'string') {
      return key !== undefined && names.has(key)
        ? this.#standIn('name', value, (n) => `Name ${n}`)
        : this.text(value);
    }
    if (Array.isArray(value)) return value.map((item) => this.value(item, names));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [this.text(k), this.value(v, names, k)]),
      );
    }
    return value;
  }

  headers(headers: RequestInit['headers']): Record<string, string> {
    const kept: Record<string, string> = {};
    for (const [name, value] of new Headers(headers)) {
      if (KEPT_HEADERS.has(name.toLowerCase())) kept[name.toLowerCase()] = this.text(value);
    }
    return kept;
  }
}

export interface RecordingOptions {
  /** The suite's folder under tests/recorded, e.g. 'record-store'. */
  suite: string;
  /** The test site as COUNTERSIGN_TEST_SITE gives it (its path is replaced). */
  sitePath: string;
  graphBaseUrl: string;
  /** The Bot Connector's service URL, when the suite talks to it. */
  connectorUrl?: string;
}

/** A fetch that passes every call on and keeps a sanitised copy of each exchange. */
export function recordingFetch(
  inner: typeof fetch,
  options: RecordingOptions,
): { fetch: typeof fetch; save: (dir: string) => string; exchanges: RecordedExchange[] } {
  const sanitiser = new Sanitiser(options.sitePath);
  const exchanges: RecordedExchange[] = [];
  const bases = [
    { service: 'graph' as const, base: new URL(options.graphBaseUrl) },
    ...(options.connectorUrl === undefined
      ? []
      : [{ service: 'connector' as const, base: new URL(options.connectorUrl) }]),
  ];
  const recorded: typeof fetch = async (input, init) => {
    const response = await inner(input, init);
    const url = new URL(input instanceof Request ? input.url : input.toString());
    const match = bases.find(
      ({ base }) =>
        url.origin === base.origin && url.pathname.startsWith(base.pathname.replace(/\/+$/, '')),
    );
    // Anything else (a token endpoint above all) is never written down.
    if (match === undefined) return response;
    const names = match.service === 'connector' ? CONNECTOR_NAME_KEYS : NAME_KEYS;
    const copy = response.clone();
    const text = await copy.text().catch(() => '');
    const parse = (raw: string): unknown => {
      try {
        return raw === '' ? undefined : (JSON.parse(raw) as unknown);
      } catch {
        return `<${raw.length} bytes, not JSON>`;
      }
    };
    const body = typeof init?.body === 'string' ? parse(init.body) : undefined;
    const prefix = match.base.pathname.replace(/\/+$/, '');
    const path = `${url.pathname.slice(prefix.length).replace(/^\/+/, '')}${url.search}`;
    const headers = sanitiser.headers(init?.headers);
    exchanges.push({
      ...(match.service === 'graph' ? {} : { service: match.service }),
      method: (init?.method ?? 'GET').toUpperCase(),
      path: sanitiser.path(decodeURIComponent(path)),
      ...(Object.keys(headers).length === 0 ? {} : { requestHeaders: headers }),
      ...(body === undefined ? {} : { requestBody: sanitiser.value(body, names) }),
      status: response.status,
      ...(text === '' ? {} : { responseBody: sanitiser.value(parse(text), names) }),
    });
    return response;
  };
  return {
    fetch: recorded,
    exchanges,
    save: (dir) => {
      const folder = join(dir, options.suite);
      mkdirSync(folder, { recursive: true });
      const file = join(folder, 'tenant.json');
      const recording: Recording = {
        suite: options.suite,
        source: 'tenant',
        recordedAt: new Date().toISOString(),
        exchanges,
      };
      writeFileSync(file, `${JSON.stringify(recording, null, 2)}\n`);
      return file;
    },
  };
}

/** Whether this run records (COUNTERSIGN_RECORD=1 beside a tenant's settings). */
export function recordingWanted(env: NodeJS.ProcessEnv): boolean {
  return env.COUNTERSIGN_RECORD === '1';
}

export const RECORDED_DIR = join(import.meta.dirname, '..', 'recorded');
