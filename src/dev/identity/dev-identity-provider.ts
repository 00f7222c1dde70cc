import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { JSONWebKeySet } from 'jose';
import { randomUUID } from 'node:crypto';
import { CountersignError } from '../../domain/errors.ts';
import type { DevIdentityProvider, DevUser, DevUserKey } from '../../api/auth/dev-sign-in.ts';
import type { AppRole } from '../../services/actor.ts';

export type { DevIdentityProvider, DevUser, DevUserKey } from '../../api/auth/dev-sign-in.ts';

/**
 * A local identity provider for dev mode: it signs real RS256 JWTs with a key pair generated at
 * start, so the API runs the same verification code as in production. It is only ever created
 * by the server in dev mode; a production verifier refuses its tokens (different issuer, and
 * its key is not among Entra's).
 */
/**
 * Who gets which app role in the demo: the DSL administers the policy; the headteacher approves
 * new signers and is deliberately not an admin (approving credentials and editing the policy
 * they approve against are kept apart).
 */
export const DEV_USER_ROLES: Readonly<Record<DevUserKey, readonly AppRole[]>> = {
  staff: [],
  // The chair of governors approves the headteacher's own signature (the school's
  // approversApprover), so she opens Approvals: the school's settings limit her to that.
  governor: ['Policy.Approver'],
  dsl: ['Policy.Admin'],
  head: ['Policy.Approver'],
  // The demo trust's people: no role in the demo school; the trust's calls decide by the trust
  // lead's id and each school's own settings (trust-policies.ts).
  'trust-lead': [],
  'hazel-lane-admin': [],
  'kingsmead-admin': [],
  'northfield-admin': [],
  'shared-teacher': [],
};

export interface DevIdentityProviderOptions {
  users: readonly DevUser[];
  issuer?: string;
  audience?: string;
  tenantId?: string;
  /** Default 1 hour, like Entra's access tokens. */
  tokenLifetimeSeconds?: number;
  now?: () => Date;
}

export const DEV_ISSUER = 'urn:countersign:dev-identity-provider';
export const DEV_AUDIENCE = 'api://localhost/countersign';
export const DEV_TENANT_ID = 'c0ffee00-0000-4000-8000-00000000de70';
/** The delegated scope the tab asks for (Teams SSO convention). */
export const ACCESS_SCOPE = 'access_as_user';

export async function createDevIdentityProvider(
  options: DevIdentityProviderOptions,
): Promise<DevIdentityProvider> {
  const issuer = options.issuer ?? DEV_ISSUER;
  const audience = options.audience ?? DEV_AUDIENCE;
  const tenantId = options.tenantId ?? DEV_TENANT_ID;
  const lifetime = options.tokenLifetimeSeconds ?? 3600;
  const now = options.now ?? (() => new Date());
  const users = [...options.users];
  const keys = new Set(users.map((u) => u.key));
  if (keys.size !== users.length) throw new Error('Dev users must have distinct keys.');

  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = `dev-${randomUUID()}`;
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const jwks: JSONWebKeySet = { keys: [publicJwk] };

  return {
    issuer,
    audience,
    tenantId,
    users,
    jwks: () => structuredClone(jwks),
    async issueToken(key) {
      const user = users.find((u) => u.key === key);
      if (user === undefined) {
        throw new CountersignError('not-found', `There is no dev user "${key}".`, { key });
      }
      const seconds = Math.floor(now().getTime() / 1000);
      return new SignJWT({
        oid: user.id,
        tid: tenantId,
        name: user.displayName,
        preferred_username: user.upn,
        scp: ACCESS_SCOPE,
        roles: [...user.roles],
        ver: '2.0',
      })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid })
        .setIssuer(issuer)
        .setAudience(audience)
        .setSubject(user.id)
        .setIssuedAt(seconds)
        .setNotBefore(seconds)
        .setExpirationTime(seconds + lifetime)
        .setJti(randomUUID())
        .sign(privateKey);
    },
    verifierConfig() {
      return {
        tenantId,
        issuers: [issuer],
        audiences: [audience],
        keys: createLocalJWKSet(jwks),
        requiredScope: ACCESS_SCOPE,
        currentDate: now,
      };
    },
    openIdConfiguration(baseUrl) {
      const base = baseUrl.replace(/\/+$/, '');
      return {
        issuer,
        jwks_uri: `${base}/dev/jwks.json`,
        token_endpoint: `${base}/dev/token`,
        id_token_signing_alg_values_supported: ['RS256'],
        response_types_supported: ['token'],
        subject_types_supported: ['public'],
        scopes_supported: [ACCESS_SCOPE],
        claims_supported: ['oid', 'tid', 'name', 'preferred_username', 'roles', 'scp'],
      };
    },
  };
}
