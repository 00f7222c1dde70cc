import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * Recording mode for the contract suites run against a real tenant (tenant.ts): with
 * COUNTERSIGN_RECORD=1 every Graph request and its answer is kept, sanitised, and written to
 * tests/recorded/<suite>.json when the suite ends. The emulator replays each recording
 * (tests/dev/graph-emulator/recorded-replay.test.ts) and fails where it answers differently,
 * so what a tenant taught once is kept for every later run. docs/tenant-check.md is the
 * procedure.
 *
 * Sanitised consistently: no header is kept (so no token, cookie or tenant header); every GUID
 * becomes 00000000-0000-4000-8000-<n>, every e-mail address person<n>@example.invalid, the
 * SharePoint host contoso.sharepoint.com and the test site's path /sites/countersign-test; the
 * values of name-like properties (displayName, givenName, surname, userPrincipalName, mail,
 * jobTitle, email, LookupValue) become "Name <n>"; the same original always gets the same
 * stand-in within a recording, so ids still join up.
 */

export const RECORDED_SITE_HOST = 'contoso.sharepoint.com';
export const RECORDED_SITE_PATH = '/sites/countersign-test';

const exchangeSchema = z.object({
  method: z.string(),
  /** The path and query after the Graph version segment, e.g. `sites/…/lists?$select=id`. */
  path: z.string(),
  requestBody: z.unknown().optional(),
  status: z.number().int(),
  responseBody: z.unknown().optional(),
});
type RecordedExchange = z.infer<typeof exchangeSchema>;

export const recordingSchema = z.object({
  suite: z.string(),
  /** 'tenant' (recorded) or 'hand-written' (made to prove the replay works). */
  source: z.enum(['tenant', 'hand-written']),
  recordedAt: z.string(),
  exchanges: z.array(exchangeSchema),
});
export type Recording = z.infer<typeof recordingSchema>;

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
const SHAREPOINT_HOST = /[A-Za-z0-9-]+\.sharepoint\.com/gi;
const NAME_KEYS = new Set([
  'displayName',
  'givenName',
  'surname',
  'userPrincipalName',
  'mail',
  'jobTitle',
  'email',
  'LookupValue',
]);

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

  text(value: string): string {
    return value
      .split(this.#sitePath)
      .join(RECORDED_SITE_PATH)
      .replace(GUID, (g) =>
        this.#standIn('guid', g, (n) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`),
      )
      .replace(EMAIL, (e) => this.#standIn('email', e, (n) => `person${n}@example.invalid`))
      .replace(SHAREPOINT_HOST, RECORDED_SITE_HOST);
  }

  value(value: unknown, key?: string): unknown {
    if (typeof value === 'string') {
      return key !== undefined && NAME_KEYS.has(key)
        ? this.#standIn('name', value, (n) => `Name ${n}`)
        : this.text(value);
    }
    if (Array.isArray(value)) return value.map((item) => this.value(item));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [this.text(k), this.value(v, k)]),
      );
    }
    return value;
  }
}

/** A fetch that passes every call on and keeps a sanitised copy of each exchange. */
export function recordingFetch(
  inner: typeof fetch,
  options: { suite: string; sitePath: string; graphBaseUrl: string },
): { fetch: typeof fetch; save: (dir: string) => string; exchanges: RecordedExchange[] } {
  const sanitiser = new Sanitiser(options.sitePath);
  const exchanges: RecordedExchange[] = [];
  const base = new URL(options.graphBaseUrl);
  const prefix = base.pathname.replace(/\/+$/, '');
  const recorded: typeof fetch = async (input, init) => {
    const response = await inner(input, init);
    const url = new URL(input instanceof Request ? input.url : input.toString());
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
    const path = `${url.pathname.slice(prefix.length).replace(/^\/+/, '')}${url.search}`;
    exchanges.push({
      method: (init?.method ?? 'GET').toUpperCase(),
      path: sanitiser.text(decodeURIComponent(path)),
      ...(body === undefined ? {} : { requestBody: sanitiser.value(body) }),
      status: response.status,
      ...(text === '' ? {} : { responseBody: sanitiser.value(parse(text)) }),
    });
    return response;
  };
  return {
    fetch: recorded,
    exchanges,
    save: (dir) => {
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `${options.suite}.json`);
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
