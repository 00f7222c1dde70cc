import type { JSONWebKeySet } from 'jose';
import { z } from 'zod';
import type { AppRole } from '../../services/actor.ts';
import type { TokenVerifierConfig } from './token-verifier.ts';

/**
 * What the API needs of a dev sign-in (local runs only): the /dev/* routes exist only when the
 * composition passes one. The implementation, with the demo people, lives in src/dev/identity;
 * production code never imports it.
 */
export const devUserKeySchema = z.enum([
  'staff',
  'governor',
  'dsl',
  'head',
  // The demo trust (issue 14): its lead and each school's admin (npm start only).
  'trust-lead',
  'hazel-lane-admin',
  'kingsmead-admin',
  'northfield-admin',
  // A Kingsmead teacher who also teaches at Hazel Lane: the School picker's person.
  'shared-teacher',
]);
export type DevUserKey = z.infer<typeof devUserKeySchema>;

export interface DevUser {
  key: DevUserKey;
  /** The person's Entra object id in the demo school (the emulator's directory). */
  id: string;
  displayName: string;
  upn: string;
  roles: readonly AppRole[];
}

export interface DevIdentityProvider {
  readonly issuer: string;
  readonly audience: string;
  readonly tenantId: string;
  readonly users: readonly DevUser[];
  /** The public half of the signing key, as /dev/jwks.json publishes it. */
  jwks(): JSONWebKeySet;
  /** A signed access token for a demo user, with the claims Entra would put in one. */
  issueToken(user: DevUserKey): Promise<string>;
  /** Configuration for createTokenVerifier that accepts exactly this provider's tokens. */
  verifierConfig(): TokenVerifierConfig;
  /** OpenID Provider metadata for /dev/.well-known/openid-configuration. */
  openIdConfiguration(baseUrl: string): Record<string, unknown>;
}
