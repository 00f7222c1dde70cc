import * as z from 'zod/mini';
import { AuthError, type TokenSource } from './token-source.ts';

/** One demo identity of the dev identity provider (GET /dev/users; dev mode only). */
export const devUserSchema = z.object({
  key: z.string().check(z.minLength(1)),
  id: z.string().check(z.minLength(1)),
  displayName: z.string().check(z.minLength(1)),
  roles: z.array(z.string()),
});
export type DevUser = z.infer<typeof devUserSchema>;

const devTokenSchema = z.object({ accessToken: z.string().check(z.minLength(1)) });

export async function listDevUsers(fetchImpl: typeof fetch = fetch): Promise<DevUser[]> {
  const response = await fetchImpl('/dev/users', { headers: { accept: 'application/json' } });
  if (!response.ok) {
    throw new AuthError('dev-users-unavailable', `GET /dev/users answered ${response.status}.`);
  }
  const parsed = z.array(devUserSchema).safeParse(await response.json());
  if (!parsed.success) {
    throw new AuthError('dev-users-unavailable', `GET /dev/users: ${parsed.error.message}`);
  }
  return parsed.data;
}

/** Seconds since the epoch at which a JWT expires, or undefined if it says nothing. */
export function jwtExpiry(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const json: unknown = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/')));
    const exp = z.object({ exp: z.number() }).safeParse(json);
    return exp.success ? exp.data.exp : undefined;
  } catch (error) {
    throw new AuthError('auth-failed', 'The dev token is not a JWT.', { cause: error });
  }
}

/**
 * Tokens for a demo user from the dev identity provider: real RS256 JWTs, verified by the API
 * exactly as Entra tokens are. Cached until a minute before they expire.
 */
export function createDevTokenSource(
  userKey: string,
  fetchImpl: typeof fetch = fetch,
): TokenSource {
  let cached: { token: string; expiresAt: number } | undefined;
  return {
    kind: 'dev',
    async getToken() {
      const nowSeconds = Date.now() / 1000;
      if (cached !== undefined && cached.expiresAt - 60 > nowSeconds) return cached.token;
      const response = await fetchImpl('/dev/token', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ user: userKey }),
      });
      if (!response.ok) {
        throw new AuthError('auth-failed', `POST /dev/token answered ${response.status}.`);
      }
      const parsed = devTokenSchema.safeParse(await response.json());
      if (!parsed.success) {
        throw new AuthError('auth-failed', `POST /dev/token: ${parsed.error.message}`);
      }
      const token = parsed.data.accessToken;
      cached = { token, expiresAt: jwtExpiry(token) ?? nowSeconds + 300 };
      return token;
    },
  };
}
