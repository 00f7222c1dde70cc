import { createLocalJWKSet, exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import type { CryptoKey, JSONWebKeySet, JWTPayload } from 'jose';
import { createEntraTokenVerifier, entraIssuers } from '../../../src/api/auth/token-verifier.ts';
import type { TokenVerifier } from '../../../src/api/auth/token-verifier.ts';

/**
 * A stand-in for Entra ID in tests: a real RS256 key pair whose public JWKS the production
 * verifier is configured with (only the key source differs from production: no network).
 */
export const TENANT_ID = '6f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';
export const CLIENT_ID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
export const APP_ID_URI = `api://countersign.example.org/${CLIENT_ID}`;
const [V2_ISSUER] = entraIssuers(TENANT_ID);

export interface TestPerson {
  oid: string;
  name: string;
  upn: string;
  roles: string[];
}

export const PEOPLE = {
  staff: {
    oid: 'aaaaaaaa-0000-4000-8000-000000000001',
    name: 'Sam Staff',
    upn: 'sam.staff@school.example',
    roles: [],
  },
  otherStaff: {
    oid: 'aaaaaaaa-0000-4000-8000-000000000002',
    name: 'Olive Other',
    upn: 'olive.other@school.example',
    roles: [],
  },
  admin: {
    oid: 'aaaaaaaa-0000-4000-8000-000000000003',
    name: 'Dana DSL',
    upn: 'dana.dsl@school.example',
    roles: ['Policy.Admin'],
  },
  approver: {
    oid: 'aaaaaaaa-0000-4000-8000-000000000004',
    name: 'Harriet Head',
    upn: 'harriet.head@school.example',
    roles: ['Policy.Approver', 'Some.OtherAppRole'],
  },
} satisfies Record<string, TestPerson>;

export interface TokenFactory {
  jwks: JSONWebKeySet;
  publicPem: string;
  verifier: () => TokenVerifier;
  /** A token Entra would issue for this person; `overrides` changes claims, header or key. */
  token(
    person: TestPerson,
    overrides?: {
      claims?: JWTPayload;
      nowSeconds?: number;
      lifetimeSeconds?: number;
      key?: CryptoKey;
    },
  ): Promise<string>;
}

export async function createTokenFactory(): Promise<TokenFactory> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = 'test-entra-key';
  const jwks: JSONWebKeySet = {
    keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }],
  };
  const publicPem = await exportSPKI(publicKey);
  return {
    jwks,
    publicPem,
    verifier: () =>
      createEntraTokenVerifier({
        tenantId: TENANT_ID,
        clientId: CLIENT_ID,
        apiAudience: APP_ID_URI,
        keys: createLocalJWKSet(jwks),
      }),
    async token(person, overrides = {}) {
      const now = overrides.nowSeconds ?? Math.floor(Date.now() / 1000);
      const lifetime = overrides.lifetimeSeconds ?? 3600;
      return new SignJWT({
        aud: CLIENT_ID,
        iss: V2_ISSUER,
        iat: now,
        nbf: now,
        exp: now + lifetime,
        oid: person.oid,
        sub: `sub-${person.oid}`,
        tid: TENANT_ID,
        name: person.name,
        preferred_username: person.upn,
        scp: 'access_as_user',
        roles: person.roles,
        ver: '2.0',
        ...overrides.claims,
      })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid })
        .sign(overrides.key ?? privateKey);
    },
  };
}

/** An unsecured JWT (`alg: none`) with the given claims: must always be refused. */
export function unsecuredToken(claims: JWTPayload): string {
  const encode = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.`;
}

/** HS256 signed with the public key as the HMAC secret: the classic algorithm confusion. */
export async function hs256WithPublicKey(publicPem: string, claims: JWTPayload): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: 'test-entra-key' })
    .sign(new TextEncoder().encode(publicPem));
}
