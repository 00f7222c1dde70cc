import { readJson } from '../http/body.ts';
import { problem, ProblemError } from '../http/problem.ts';
import { json } from '../http/reply.ts';
import type { DevRouteHandlers } from '../route-context.ts';
import { devTokenBodySchema } from '../contract/requests.ts';
import { devUserKeySchema } from '../auth/dev-sign-in.ts';

/** The dev identity provider's endpoints: registered only in dev mode. */
export const devRoutes = {
  'dev.users': ({ idp }) =>
    Promise.resolve(
      json(
        idp.users.map((u) => ({
          key: u.key,
          id: u.id,
          displayName: u.displayName,
          upn: u.upn,
          roles: [...u.roles],
        })),
      ),
    ),

  'dev.token': async ({ idp, req, limits }) => {
    const body = await readJson(req, devTokenBodySchema, limits.maxJsonBytes);
    const key = devUserKeySchema.safeParse(body.user);
    if (!key.success || !idp.users.some((u) => u.key === key.data)) {
      throw new ProblemError(problem('validation', `There is no dev user "${body.user}".`));
    }
    const accessToken = await idp.issueToken(key.data);
    return json({ accessToken, tokenType: 'Bearer' });
  },

  'dev.openid-configuration': ({ idp, origin }) =>
    Promise.resolve(json(idp.openIdConfiguration(origin))),

  'dev.jwks': ({ idp }) => Promise.resolve(json(idp.jwks())),
} satisfies DevRouteHandlers;
