import type { CampaignApi } from '../campaign-api.ts';
import { readJson } from '../http/body.ts';
import { problem, ProblemError, validationProblem } from '../http/problem.ts';
import { json } from '../http/reply.ts';
import type { ApiRouteId, RouteContext, RouteHandler } from '../route-context.ts';
import {
  launchCampaignBodySchema,
  policyVersionRefSchema,
  previewCardQuerySchema,
} from '../schemas.ts';
import { idParam } from './path-params.ts';

/** Campaign routes need the campaign service; without one (not configured) they answer 503. */
function campaignsOf(ctx: RouteContext): CampaignApi {
  if (ctx.campaigns === undefined) {
    throw new ProblemError(
      problem('unavailable', 'Campaigns are not available on this server right now.'),
    );
  }
  return ctx.campaigns;
}

export const campaignRoutes = {
  'admin.campaigns.list': async (ctx) => json(await campaignsOf(ctx).list(ctx.actor)),

  'admin.campaigns.launch': async (ctx) => {
    const campaigns = campaignsOf(ctx);
    const body = await readJson(ctx.req, launchCampaignBodySchema, ctx.limits.maxJsonBytes);
    return json(await campaigns.launch(ctx.actor, body), 201);
  },

  'admin.campaigns.preview-card': async (ctx) => {
    const campaigns = campaignsOf(ctx);
    const parsed = previewCardQuerySchema.safeParse(Object.fromEntries(ctx.query));
    if (!parsed.success) throw new ProblemError(validationProblem(parsed.error, 'query'));
    return json(await campaigns.previewCard(ctx.actor, parsed.data));
  },

  'admin.campaigns.send-test': async (ctx) => {
    const campaigns = campaignsOf(ctx);
    const body = await readJson(ctx.req, policyVersionRefSchema, ctx.limits.maxJsonBytes);
    await campaigns.sendTest(ctx.actor, body);
    return { status: 202 };
  },

  'admin.campaigns.pause': async (ctx) =>
    json(await campaignsOf(ctx).pause(ctx.actor, idParam(ctx.params, 'id'))),

  'admin.campaigns.resume': async (ctx) =>
    json(await campaignsOf(ctx).resume(ctx.actor, idParam(ctx.params, 'id'))),

  'admin.campaigns.cancel': async (ctx) =>
    json(await campaignsOf(ctx).cancel(ctx.actor, idParam(ctx.params, 'id'))),
} satisfies Partial<Record<ApiRouteId, RouteHandler>>;
