import * as z from 'zod/mini';
import { isTimeZone } from '../ui/school-time.ts';

/**
 * What the server tells the tab at GET /config.json, so one build runs against any tenant.
 * The server (src/server) builds it from its Env: mode = COUNTERSIGN_MODE, tenantId =
 * COUNTERSIGN_TENANT_ID, clientId = COUNTERSIGN_CLIENT_ID, apiScope =
 * `${COUNTERSIGN_API_AUDIENCE}/access_as_user`. In production the Entra settings are required.
 * timeZone is the school's IANA time zone (the school's `timeZone`): dates on screen and
 * campaign deadlines follow it; without it the tab assumes Europe/London.
 */
export const tabConfigSchema = z.object({
  mode: z.enum(['dev', 'production']),
  tenantId: z.optional(z.string().check(z.minLength(1))),
  clientId: z.optional(z.string().check(z.minLength(1))),
  apiScope: z.optional(z.string().check(z.minLength(1))),
  timeZone: z.optional(
    z.string().check(z.refine(isTimeZone, { error: 'timeZone is not an IANA time zone' })),
  ),
});
export type TabConfig = z.infer<typeof tabConfigSchema>;

export class TabConfigError extends Error {
  readonly code = 'tab-config-invalid';
}

/** Reads and validates /config.json: it crosses a trust boundary like any response. */
export async function loadTabConfig(fetchImpl: typeof fetch = fetch): Promise<TabConfig> {
  const response = await fetchImpl('/config.json', { headers: { accept: 'application/json' } });
  if (!response.ok) {
    throw new TabConfigError(`GET /config.json answered ${response.status}.`);
  }
  const parsed = tabConfigSchema.safeParse(await response.json());
  if (!parsed.success) {
    throw new TabConfigError(`/config.json is not valid: ${parsed.error.message}`);
  }
  return parsed.data;
}
