import { createRemoteJWKSet, errors as joseErrors, jwtVerify } from 'jose';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import { CountersignError } from '../../domain/errors.ts';
import { appRoleSchema } from '../../domain/school-roles.ts';
import type { Actor, AppRole } from '../../services/actor.ts';

/**
 * Verifies an access token from the Authorization header and turns it into an Actor. The same
 * code verifies Entra ID tokens in production and the dev identity provider's tokens locally:
 * only the configuration (issuers, keys, tenant, audiences) differs.
 */
export interface TokenVerifier {
  /**
   * @param authorization the raw `Authorization` header value (never a body or query field).
   * @throws CountersignError('unauthenticated') when the header is missing or the token invalid.
   */
  verify(authorization: string | undefined): Promise<Actor>;
}

export interface TokenVerifierConfig {
  /** Entra tenant id the token's `tid` must equal. */
  tenantId: string;
  /** Accepted `iss` values (exact match). */
  issuers: readonly string[];
  /** Accepted `aud` values: the API's app id URI (v1 tokens) and its client id (v2 tokens). */
  audiences: readonly string[];
  /** Where the signing keys come from: Entra's remote JWKS, or a local JWKS in dev and tests. */
  keys: JWTVerifyGetKey;
  /** Leeway for exp / nbf / iat against clock skew between Entra and this host. Default 60 s. */
  clockToleranceSeconds?: number;
  /**
   * When set, the delegated scope (`scp`) must include it, e.g. "access_as_user". Tokens must be
   * delegated (carry `scp`) either way: an app-only token has no person behind it.
   */
  requiredScope?: string;
  /** The verifier's notion of now (tests); jose's default is the system clock. */
  currentDate?: () => Date;
}

/** Only RS256: Entra signs with it; `none`, HS256-with-a-public-key and others are refused. */
const ALGORITHMS = ['RS256'] as const;

/** The claims we rely on, validated after the signature and registered claims check out. */
const claimsSchema = z.object({
  oid: z.string().min(1).max(200),
  tid: z.string().min(1),
  scp: z.string().min(1),
  name: z.string().max(500).optional(),
  preferred_username: z.string().max(500).optional(),
  upn: z.string().max(500).optional(),
  roles: z.array(z.string()).max(200).optional(),
});

/** Unknown roles (other apps' roles, future roles) are ignored, never an error. */
function knownRoles(raw: readonly string[] | undefined): AppRole[] {
  const roles = new Set<AppRole>();
  for (const value of raw ?? []) {
    const parsed = appRoleSchema.safeParse(value);
    if (parsed.success) roles.add(parsed.data);
  }
  return [...roles];
}

function unauthenticated(reason: string, cause?: unknown): CountersignError {
  return new CountersignError('unauthenticated', reason, {}, cause === undefined ? {} : { cause });
}

/** Why jose refused the token, in words safe to return to the caller. */
function describeJoseError(error: joseErrors.JOSEError): string {
  if (error instanceof joseErrors.JWTExpired) return 'The access token has expired.';
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    return `The access token's "${error.claim}" claim is not accepted (${error.reason}).`;
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
    return 'The access token signature is not valid.';
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed) {
    return 'The access token is signed with an algorithm this service does not accept.';
  }
  if (error instanceof joseErrors.JWKSNoMatchingKey) {
    return 'The access token was signed with a key this service does not trust.';
  }
  return 'The access token is not valid.';
}

/** A token we could not check (keys unreachable) is not a bad token: say so, as a 503. */
function verificationError(error: unknown): CountersignError {
  if (error instanceof joseErrors.JWKSTimeout || !(error instanceof joseErrors.JOSEError)) {
    return new CountersignError(
      'unavailable',
      'The signing keys needed to check the access token could not be fetched; try again shortly.',
      {},
      { cause: error },
    );
  }
  return unauthenticated(describeJoseError(error), error);
}

export function createTokenVerifier(config: TokenVerifierConfig): TokenVerifier {
  if (config.issuers.length === 0 || config.audiences.length === 0) {
    throw new Error('A token verifier needs at least one issuer and one audience.');
  }
  const clockTolerance = config.clockToleranceSeconds ?? 60;
  return {
    async verify(authorization) {
      if (authorization === undefined || authorization.trim() === '') {
        // RFC 6750: no token at all gets a bare challenge, not invalid_token.
        throw new CountersignError(
          'unauthenticated',
          'An access token is required (Authorization: Bearer …).',
          { reason: 'missing-token' },
        );
      }
      const match = /^Bearer[ ]+([A-Za-z0-9\-_.~+/]+=*)\s*$/i.exec(authorization);
      const token = match?.[1];
      if (token === undefined) {
        throw unauthenticated('The Authorization header must be "Bearer <access token>".');
      }
      // One "now" for jose's checks and ours.
      const now = config.currentDate === undefined ? new Date() : config.currentDate();
      let payload: JWTPayload;
      try {
        const verified = await jwtVerify(token, config.keys, {
          algorithms: [...ALGORITHMS],
          issuer: [...config.issuers],
          audience: [...config.audiences],
          clockTolerance,
          requiredClaims: ['exp', 'nbf', 'iat', 'oid', 'tid'],
          currentDate: now,
        });
        payload = verified.payload;
      } catch (error) {
        throw verificationError(error);
      }
      // jose 6 (validateClaimsSet in dist/webapi/lib/jwt_claims_set.js) has checked that "iat"
      // is present (requiredClaims) and a number, but compares it with now only when
      // maxTokenAge is set, which would also cap a token's age, a policy of its own. So a token
      // issued in the future beyond the tolerance allowed for nbf and exp is refused here.
      const nowSeconds = Math.floor(now.getTime() / 1000);
      if (payload.iat !== undefined && payload.iat > nowSeconds + clockTolerance) {
        throw unauthenticated(
          'The access token was issued in the future; check the clocks of the token issuer and this service.',
        );
      }
      const claims = claimsSchema.safeParse(payload);
      if (!claims.success) {
        throw unauthenticated(
          'The access token lacks the claims this service needs.',
          claims.error,
        );
      }
      const c = claims.data;
      if (c.tid !== config.tenantId) {
        throw unauthenticated("The access token is from another organisation's tenant.");
      }
      if (config.requiredScope !== undefined && !c.scp.split(' ').includes(config.requiredScope)) {
        throw unauthenticated(`The access token lacks the "${config.requiredScope}" scope.`);
      }
      const upn = c.preferred_username ?? c.upn ?? c.oid;
      return {
        id: c.oid,
        upn,
        displayName: c.name ?? upn,
        roles: knownRoles(c.roles),
      };
    },
  };
}

export interface EntraVerifierOptions {
  tenantId: string;
  /** The app registration's client id: `aud` of v2.0 access tokens. */
  clientId: string;
  /** The API's app id URI (api://…/<client id>): `aud` of v1.0 access tokens. */
  apiAudience?: string;
  requiredScope?: string;
  clockToleranceSeconds?: number;
  /** Tests inject a local key set; production fetches (and caches) Entra's published keys. */
  keys?: JWTVerifyGetKey;
}

/** Entra's signing keys for the tenant (they sign both v1.0 and v2.0 access tokens). */
export function entraJwksUrl(tenantId: string): URL {
  return new URL(
    `https://login.microsoftonline.com/${encodeURIComponent(tenantId)}/discovery/v2.0/keys`,
  );
}

/**
 * Both token versions are accepted: which one Entra issues for this API depends on the app
 * registration's `requestedAccessTokenVersion` (v1 when unset), not on the tab. Both are
 * tenant-specific issuers signed by the same keys, so accepting both widens nothing.
 */
export function entraIssuers(tenantId: string): string[] {
  return [
    `https://login.microsoftonline.com/${tenantId}/v2.0`,
    `https://sts.windows.net/${tenantId}/`,
  ];
}

export function createEntraTokenVerifier(options: EntraVerifierOptions): TokenVerifier {
  const audiences = [options.clientId];
  if (options.apiAudience !== undefined && options.apiAudience !== options.clientId) {
    audiences.push(options.apiAudience);
  }
  return createTokenVerifier({
    tenantId: options.tenantId,
    issuers: entraIssuers(options.tenantId),
    audiences,
    keys: options.keys ?? createRemoteJWKSet(entraJwksUrl(options.tenantId)),
    ...(options.requiredScope === undefined ? {} : { requiredScope: options.requiredScope }),
    ...(options.clockToleranceSeconds === undefined
      ? {}
      : { clockToleranceSeconds: options.clockToleranceSeconds }),
  });
}
