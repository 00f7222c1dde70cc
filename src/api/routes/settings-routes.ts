import type { SchoolSettingsAdmin } from '../../services/school-settings-admin.ts';
import { readJson } from '../http/body.ts';
import { problem, ProblemError, validationProblem } from '../http/problem.ts';
import { json } from '../http/reply.ts';
import type { RouteContext, RouteHandlers } from '../route-context.ts';
import { groupSearchQuerySchema, saveSettingsBodySchema } from '../contract/requests.ts';

function settingsOf(ctx: RouteContext): SchoolSettingsAdmin {
  if (ctx.settings === undefined) {
    throw new ProblemError(
      problem('unavailable', 'School settings are not available on this server right now.'),
    );
  }
  return ctx.settings;
}

/**
 * The Admin view's settings page. Which school is always the actor's (services/actor-school.ts),
 * never one named in the path or the query; a body naming another school is refused (403).
 */
export const settingsRoutes = {
  'admin.settings': async (ctx) => {
    const stored = await settingsOf(ctx).read(ctx.actor);
    return json({
      settings: stored.school,
      revision: stored.revision,
      updatedAt: stored.updatedAt,
      updatedBy: stored.updatedBy,
    });
  },

  'admin.settings.save': async (ctx) => {
    const settings = settingsOf(ctx);
    const body = await readJson(ctx.req, saveSettingsBodySchema, ctx.limits.maxJsonBytes);
    const { stored, changed } = await settings.save(ctx.actor, body);
    return json({
      settings: stored.school,
      revision: stored.revision,
      updatedAt: stored.updatedAt,
      updatedBy: stored.updatedBy,
      changed,
    });
  },

  'admin.settings.history': async (ctx) => json(await settingsOf(ctx).history(ctx.actor)),

  'admin.groups': async (ctx) => {
    const settings = settingsOf(ctx);
    const parsed = groupSearchQuerySchema.safeParse(Object.fromEntries(ctx.query));
    if (!parsed.success) throw new ProblemError(validationProblem(parsed.error, 'query'));
    return json(await settings.searchGroups(ctx.actor, parsed.data.search));
  },
} satisfies Partial<RouteHandlers>;
