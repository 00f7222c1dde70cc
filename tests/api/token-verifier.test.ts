import { createLocalJWKSet, decodeProtectedHeader, generateKeyPair } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { CountersignError } from '../../src/domain/errors.ts';
import { createTokenVerifier, entraIssuers } from '../../src/api/auth/token-verifier.ts';
import type { TokenVerifier } from '../../src/api/auth/token-verifier.ts';
import {
  APP_ID_URI,
  CLIENT_ID,
  createTokenFactory,
  hs256WithPublicKey,
  PEOPLE,
  TENANT_ID,
  unsecuredToken,
} from './support/tokens.ts';
import type { TokenFactory } from './support/tokens.ts';

let tokens: TokenFactory;
let verifier: TokenVerifier;

beforeAll(async () => {
  tokens = await createTokenFactory();
  verifier = tokens.verifier();
});

async function refusal(header: string | undefined): Promise<CountersignError> {
  const error = await verifier.verify(header).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CountersignError);
  return error as CountersignError;
}

describe('token verifier (Entra configuration)', () => {
  it('turns a valid v2.0 token into the actor: oid, name, UPN, known roles only', async () => {
    const actor = await verifier.verify(`Bearer ${await tokens.token(PEOPLE.approver)}`);
    expect(actor).toEqual({
      id: PEOPLE.approver.oid,
      displayName: 'Harriet Head',
      upn: 'harriet.head@school.example',
      roles: ['Policy.Approver'],
    });
  });

  it('accepts a v1.0 token (sts.windows.net issuer, app id URI audience, upn claim)', async () => {
    const token = await tokens.token(PEOPLE.admin, {
      claims: {
        iss: entraIssuers(TENANT_ID)[1],
        aud: APP_ID_URI,
        ver: '1.0',
        preferred_username: undefined,
        upn: 'dana.dsl@school.example',
      },
    });
    const actor = await verifier.verify(`bearer ${token}`);
    expect(actor.upn).toBe('dana.dsl@school.example');
    expect(actor.roles).toEqual(['Policy.Admin']);
  });

  it('tolerates a minute of clock skew but not more', async () => {
    const now = Math.floor(Date.now() / 1000);
    const justExpired = await tokens.token(PEOPLE.staff, {
      nowSeconds: now - 3630,
      lifetimeSeconds: 3600,
    });
    await expect(verifier.verify(`Bearer ${justExpired}`)).resolves.toMatchObject({
      id: PEOPLE.staff.oid,
    });
    const expired = await tokens.token(PEOPLE.staff, { nowSeconds: now - 3700 });
    expect((await refusal(`Bearer ${expired}`)).message).toMatch(/expired/);
    const notYet = await tokens.token(PEOPLE.staff, { claims: { nbf: now + 600 } });
    expect((await refusal(`Bearer ${notYet}`)).message).toMatch(/nbf/);
  });

  it('refuses a token issued in the future, which jose alone lets through', async () => {
    const now = Math.floor(Date.now() / 1000);
    // nbf and exp are fine; only iat says the token comes from an hour ahead.
    const future = await tokens.token(PEOPLE.staff, { claims: { iat: now + 3600 } });
    const error = await refusal(`Bearer ${future}`);
    expect(error.code).toBe('unauthenticated');
    expect(error.message).toMatch(/^The access token was issued in the future/);
  });

  it('allows iat the same clock tolerance as nbf and exp: 60 s ahead passes, 61 s does not', async () => {
    const nowMs = Date.UTC(2025, 8, 1, 8, 30, 0);
    const nowSeconds = nowMs / 1000;
    const fixed = createTokenVerifier({
      tenantId: TENANT_ID,
      issuers: entraIssuers(TENANT_ID),
      audiences: [CLIENT_ID],
      keys: createLocalJWKSet(tokens.jwks),
      currentDate: () => new Date(nowMs),
    });
    const atEdge = await tokens.token(PEOPLE.staff, {
      nowSeconds,
      claims: { iat: nowSeconds + 60 },
    });
    await expect(fixed.verify(`Bearer ${atEdge}`)).resolves.toMatchObject({
      id: PEOPLE.staff.oid,
    });
    const beyond = await tokens.token(PEOPLE.staff, {
      nowSeconds,
      claims: { iat: nowSeconds + 61 },
    });
    await expect(fixed.verify(`Bearer ${beyond}`)).rejects.toMatchObject({
      code: 'unauthenticated',
      message: expect.stringMatching(/issued in the future/) as unknown,
    });
    // A past iat is not limited here: exp bounds a token's life.
    const old = await tokens.token(PEOPLE.staff, {
      nowSeconds,
      claims: { iat: nowSeconds - 86_400 },
    });
    await expect(fixed.verify(`Bearer ${old}`)).resolves.toMatchObject({ id: PEOPLE.staff.oid });
  });

  it.each([
    ['no header', undefined],
    ['empty header', ''],
    ['Basic scheme', 'Basic dXNlcjpwYXNz'],
    ['garbage token', 'Bearer not-a-jwt'],
  ])('refuses %s as unauthenticated', async (_name, header) => {
    expect((await refusal(header)).code).toBe('unauthenticated');
  });

  it('refuses wrong audience, wrong issuer, wrong tenant, missing oid and app-only tokens', async () => {
    const cases = [
      { aud: 'api://someone-else' },
      { iss: 'https://login.microsoftonline.com/common/v2.0' },
      // The right issuer with another tenant's tid.
      { tid: '99999999-9999-4999-8999-999999999999' },
      // Another tenant entirely (its own issuer and tid).
      {
        tid: '99999999-9999-4999-8999-999999999999',
        iss: 'https://login.microsoftonline.com/99999999-9999-4999-8999-999999999999/v2.0',
      },
      { oid: undefined },
      // App-only token: no delegated scope, so no person behind it.
      { scp: undefined },
    ];
    for (const claims of cases) {
      const token = await tokens.token(PEOPLE.staff, { claims });
      expect((await refusal(`Bearer ${token}`)).code, JSON.stringify(claims)).toBe(
        'unauthenticated',
      );
    }
  });

  it('refuses a token signed by another key, alg none, and HS256 keyed with the public key', async () => {
    const { privateKey: otherKey } = await generateKeyPair('RS256');
    const forged = await tokens.token(PEOPLE.admin, { key: otherKey });
    expect(decodeProtectedHeader(forged).kid).toBe('test-entra-key');
    expect((await refusal(`Bearer ${forged}`)).message).toMatch(/signature/);

    const now = Math.floor(Date.now() / 1000);
    const claims = {
      aud: 'x',
      iss: entraIssuers(TENANT_ID)[0],
      tid: TENANT_ID,
      oid: PEOPLE.admin.oid,
      scp: 'access_as_user',
      roles: ['Policy.Admin'],
      iat: now,
      nbf: now,
      exp: now + 600,
    };
    expect((await refusal(`Bearer ${unsecuredToken(claims)}`)).code).toBe('unauthenticated');
    const confused = await hs256WithPublicKey(tokens.publicPem, claims);
    expect((await refusal(`Bearer ${confused}`)).message).toMatch(/algorithm/);
  });

  it('enforces a required scope when configured', async () => {
    const token = await tokens.token(PEOPLE.staff, { claims: { scp: 'User.Read' } });
    const strict = createTokenVerifier({
      tenantId: TENANT_ID,
      issuers: entraIssuers(TENANT_ID),
      audiences: [CLIENT_ID],
      keys: createLocalJWKSet(tokens.jwks),
      requiredScope: 'access_as_user',
    });
    await expect(strict.verify(`Bearer ${token}`)).rejects.toThrow(/access_as_user/);
    const ok = await tokens.token(PEOPLE.staff, { claims: { scp: 'User.Read access_as_user' } });
    await expect(strict.verify(`Bearer ${ok}`)).resolves.toMatchObject({ id: PEOPLE.staff.oid });
  });

  it('reports unreachable signing keys as unavailable, not as a bad token', async () => {
    const offline = createTokenVerifier({
      tenantId: TENANT_ID,
      issuers: entraIssuers(TENANT_ID),
      audiences: [APP_ID_URI],
      keys: () => Promise.reject(new TypeError('fetch failed')),
    });
    const token = await tokens.token(PEOPLE.staff, { claims: { aud: APP_ID_URI } });
    await expect(offline.verify(`Bearer ${token}`)).rejects.toMatchObject({ code: 'unavailable' });
  });
});
