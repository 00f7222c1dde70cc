import { problem, ProblemError } from '../http/problem.ts';
import { json } from '../http/reply.ts';
import { readJson } from '../http/body.ts';
import type { RouteHandlers } from '../route-context.ts';
import { signBodySchema } from '../contract/requests.ts';
import { idParam, policyKeyParam, versionParam } from './path-params.ts';

/** Everyone's routes: the person is always ctx.actor (the token's oid). */
export const meRoutes = {
  me: ({ actor, school }) =>
    Promise.resolve(
      json({
        id: actor.id,
        displayName: actor.displayName,
        upn: actor.upn,
        roles: [...actor.roles],
        // In a trust: the school these roles are in, and every school of theirs (a selector).
        ...(school === undefined
          ? {}
          : {
              school: school.id,
              schools: school.memberships.map((m) => ({ ...m, roles: [...m.roles] })),
            }),
      }),
    ),

  school: ({ actor, service }) => Promise.resolve(json(service.school(actor))),

  'me.policies': async ({ actor, service }) => json(await service.myPolicies(actor)),

  'policies.version': async ({ actor, service, params }) =>
    json(await service.getVersion(actor, policyKeyParam(params), versionParam(params))),

  'me.changes': async ({ actor, service, params }) =>
    json(await service.whatChanged(actor, policyKeyParam(params))),

  'me.sign': async ({ actor, service, params, req, limits }) => {
    const policyKey = policyKeyParam(params);
    const body = await readJson(req, signBodySchema, limits.maxJsonBytes);
    const outcome = await service.sign(actor, { policyKey, ...body, channel: 'tab' });
    switch (outcome.kind) {
      case 'signed':
        return json({ acknowledgement: outcome.acknowledgement }, outcome.created ? 201 : 200);
      case 'outdated':
        throw new ProblemError(
          problem(
            'conflict',
            `A newer version (${outcome.current.number}) was published since you opened this one: read and sign that instead.`,
            { current: outcome.current },
          ),
        );
    }
  },

  'me.history': async ({ actor, service }) => json(await service.myHistory(actor)),

  'signatures.text': async ({ actor, service, params }) =>
    json(await service.signedText(actor, idParam(params, 'ackId'))),
} satisfies Partial<RouteHandlers>;
