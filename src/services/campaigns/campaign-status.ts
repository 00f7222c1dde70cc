import type { Campaign } from '../../domain/campaign.ts';
import type { DeliveryCounts } from '../../ports/delivery-queue.ts';
import type { Actor } from '../actor.ts';
import { requireRole } from '../require-role.ts';
import { getCampaignRecord, type CampaignContext } from './campaign-context.ts';

export interface CampaignSummary {
  campaign: Campaign;
  /** Live per-recipient totals of the prompt (the record's counts lag by up to a flush). */
  delivery: DeliveryCounts;
  /** Failures and skips by reason: 403 blocked, 404, already signed… */
  reasons: Record<string, number>;
}

async function summary(ctx: CampaignContext, campaign: Campaign): Promise<CampaignSummary> {
  return {
    campaign,
    delivery: await ctx.queue.countDeliveries({ jobId: campaign.id }),
    reasons: await ctx.queue.countReasons({ jobId: campaign.id }),
  };
}

/** Every campaign of the school, each with its live delivery totals. */
export async function listCampaigns(
  ctx: CampaignContext,
  actor: Actor,
): Promise<CampaignSummary[]> {
  requireRole(actor, 'Policy.Admin');
  const campaigns = await ctx.records.listCampaigns({});
  return Promise.all(campaigns.map((t) => summary(ctx, t.value)));
}

/** One campaign with its live delivery totals. */
export async function campaignStatus(
  ctx: CampaignContext,
  actor: Actor,
  campaignId: string,
): Promise<CampaignSummary> {
  requireRole(actor, 'Policy.Admin');
  return summary(ctx, (await getCampaignRecord(ctx, campaignId)).value);
}
