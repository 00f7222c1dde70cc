import { CountersignError } from '../../domain/errors.ts';
import { ADAPTIVE_CARD_CONTENT_TYPE } from '../../ports/messenger.ts';
import type { CampaignApi } from '../campaign-api.ts';
import { readJson } from '../http/body.ts';
import { problem, ProblemError, validationProblem } from '../http/problem.ts';
import { json } from '../http/reply.ts';
import type { RouteContext, RouteHandlers } from '../route-context.ts';
import {
  launchCampaignBodySchema,
  launchTrustCampaignBodySchema,
  personQuerySchema,
  policyVersionRefSchema,
  previewCardQuerySchema,
} from '../contract/requests.ts';
import { adaptiveCardSchema } from '../contract/responses.ts';
import { idParam, policyKeyParam } from './path-params.ts';

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
  /**
   * Campaign records with live delivery counts: the record's sent/failed lag by up to a totals
   * flush, the work store's do not. `delivery` and `reasons` carry the detail.
   */
  'admin.campaigns.list': async (ctx) => {
    const summaries = await campaignsOf(ctx).list(ctx.actor);
    return json(
      summaries.map(({ campaign, delivery, reasons, deliveryRecords, cardUpdates }) => ({
        ...campaign,
        counts: { ...campaign.counts, sent: delivery.sent, failed: delivery.failed },
        delivery,
        reasons,
        deliveryRecords,
        // Apart from the counts: an update is no new card, and one left as it was is no failure.
        ...(cardUpdates === undefined ? {} : { cardUpdates }),
      })),
    );
  },

  'admin.campaigns.launch': async (ctx) => {
    const campaigns = campaignsOf(ctx);
    const body = await readJson(ctx.req, launchCampaignBodySchema, ctx.limits.maxJsonBytes);
    const launched = await campaigns.launch(ctx.actor, {
      ...body,
      // Stored and compared as UTC.
      deadline: new Date(body.deadline).toISOString(),
    });
    return json(launched, 201);
  },

  /**
   * The trust lead's launch in every school (issue 14): the service decides who may (the trust's
   * settings name the lead); each school's campaign is then its own, in its admin's view.
   */
  'trust.campaigns.launch': async (ctx) => {
    const campaigns = campaignsOf(ctx);
    const body = await readJson(ctx.req, launchTrustCampaignBodySchema, ctx.limits.maxJsonBytes);
    const launched = await campaigns.launchTrust(ctx.actor, policyKeyParam(ctx.params), {
      ...body,
      deadline: new Date(body.deadline).toISOString(),
    });
    return json(launched, 201);
  },

  'admin.campaigns.preview-card': async (ctx) => {
    const campaigns = campaignsOf(ctx);
    const parsed = previewCardQuerySchema.safeParse(Object.fromEntries(ctx.query));
    if (!parsed.success) throw new ProblemError(validationProblem(parsed.error, 'query'));
    const activity = await campaigns.previewCard(
      ctx.actor,
      parsed.data.policyKey,
      parsed.data.versionNumber,
    );
    // The tab renders the card itself: answer with the Adaptive Card the activity carries.
    const card = adaptiveCardSchema.safeParse(
      activity.attachments?.find((a) => a.contentType === ADAPTIVE_CARD_CONTENT_TYPE)?.content,
    );
    if (!card.success) {
      throw new CountersignError('upstream', 'The sign prompt carries no Adaptive Card.');
    }
    return json(card.data);
  },

  'admin.campaigns.send-test': async (ctx) => {
    const campaigns = campaignsOf(ctx);
    const body = await readJson(ctx.req, policyVersionRefSchema, ctx.limits.maxJsonBytes);
    const { jobId } = await campaigns.sendTest(ctx.actor, body);
    return json({ jobId }, 202);
  },

  'admin.campaigns.pause': async (ctx) =>
    json(await campaignsOf(ctx).pause(ctx.actor, idParam(ctx.params, 'id'))),

  'admin.campaigns.resume': async (ctx) =>
    json(await campaignsOf(ctx).resume(ctx.actor, idParam(ctx.params, 'id'))),

  'admin.campaigns.cancel': async (ctx) =>
    json(await campaignsOf(ctx).cancel(ctx.actor, idParam(ctx.params, 'id'))),

  'admin.campaigns.recover': async (ctx) =>
    json(await campaignsOf(ctx).recover(ctx.actor, idParam(ctx.params, 'id'))),

  'admin.person.deliveries': async (ctx) => {
    const parsed = personQuerySchema.safeParse(Object.fromEntries(ctx.query));
    if (!parsed.success) throw new ProblemError(validationProblem(parsed.error, 'query'));
    return json(
      await campaignsOf(ctx).personDeliveries(
        ctx.actor,
        parsed.data.policyKey,
        idParam(ctx.params, 'userId'),
      ),
    );
  },
} satisfies Partial<RouteHandlers>;
