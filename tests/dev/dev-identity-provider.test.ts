import { createLocalJWKSet, decodeProtectedHeader } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDevIdentityProvider } from '../../src/dev/identity/dev-identity-provider.ts';
import type { DevIdentityProvider, DevUser } from '../../src/dev/identity/dev-identity-provider.ts';
import {
  createEntraTokenVerifier,
  createTokenVerifier,
  entraIssuers,
} from '../../src/api/auth/token-verifier.ts';
import { DEV_USERS } from '../api/support/dev-users.ts';
import { APP_ID_URI, CLIENT_ID, createTokenFactory, TENANT_ID } from '../api/support/tokens.ts';

let idp: DevIdentityProvider;
beforeAll(async () => {
  idp = await createDevIdentityProvider({ users: DEV_USERS });
});

describe('dev identity provider', () => {
  it('issues RS256 tokens that the same verifier code accepts, with the demo roles', async () => {
    const verifier = createTokenVerifier(idp.verifierConfig());
    const token = await idp.issueToken('dsl');
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    await expect(verifier.verify(`Bearer ${token}`)).resolves.toEqual({
      id: 'dev-dsl',
      displayName: 'Dana DSL',
      upn: 'dana@demo.example',
      roles: ['Policy.Admin'],
    });
    const head = await verifier.verify(`Bearer ${await idp.issueToken('head')}`);
    expect(head.roles).toEqual(['Policy.Approver']);
    const staff = await verifier.verify(`Bearer ${await idp.issueToken('staff')}`);
    expect(staff.roles).toEqual([]);
  });

  it('publishes only the public key', () => {
    const [key, ...rest] = idp.jwks().keys;
    expect(rest).toEqual([]);
    expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(key).not.toHaveProperty('d');
    expect(key).not.toHaveProperty('p');
  });

  it('is refused by a production-configured verifier, even claiming the right tenant and audience', async () => {
    const production = createEntraTokenVerifier({
      tenantId: TENANT_ID,
      clientId: CLIENT_ID,
      apiAudience: APP_ID_URI,
      keys: createLocalJWKSet((await createTokenFactory()).jwks),
    });
    // Same tenant and audience as production: another issuer, and a key Entra never published.
    const sameTenant = await createDevIdentityProvider({
      users: DEV_USERS,
      tenantId: TENANT_ID,
      audience: CLIENT_ID,
    });
    await expect(
      production.verify(`Bearer ${await sameTenant.issueToken('dsl')}`),
    ).rejects.toMatchObject({ code: 'unauthenticated' });
    // Even impersonating Entra's issuer: its key is not among Entra's.
    const impersonator = await createDevIdentityProvider({
      users: DEV_USERS,
      tenantId: TENANT_ID,
      audience: CLIENT_ID,
      issuer: entraIssuers(TENANT_ID)[0],
    });
    await expect(
      production.verify(`Bearer ${await impersonator.issueToken('dsl')}`),
    ).rejects.toMatchObject({ code: 'unauthenticated' });
  });

  it('refuses tokens from another dev provider instance (a fresh key each start)', async () => {
    const other = await createDevIdentityProvider({ users: DEV_USERS });
    const verifier = createTokenVerifier(idp.verifierConfig());
    await expect(
      verifier.verify(`Bearer ${await other.issueToken('staff')}`),
    ).rejects.toMatchObject({ code: 'unauthenticated' });
  });

  it('describes itself as an OpenID provider at the request origin', () => {
    expect(idp.openIdConfiguration('http://127.0.0.1:1234/')).toMatchObject({
      issuer: idp.issuer,
      jwks_uri: 'http://127.0.0.1:1234/dev/jwks.json',
      id_token_signing_alg_values_supported: ['RS256'],
    });
  });

  it('knows only its users', async () => {
    await expect(
      createDevIdentityProvider({ users: [DEV_USERS[0] as DevUser, DEV_USERS[0] as DevUser] }),
    ).rejects.toThrow(/distinct/);
    const small = await createDevIdentityProvider({ users: DEV_USERS.slice(0, 1) });
    await expect(small.issueToken('head')).rejects.toMatchObject({ code: 'not-found' });
  });
});
