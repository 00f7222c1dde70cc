import type { Campaign } from '../../domain/campaign.ts';
import type { DeliveryCounts } from '../../ports/delivery-queue.ts';
import type { Actor } from '../actor.ts';
import { requireRole } from '../require-role.ts';
import { getCampaignRecord, type CampaignContext } from './campaign-context.ts';
import { deliveryRecordsOf, type DeliveryRecords } from './delivery-records.ts';

export interface CampaignSummary {
  campaign: Campaign;
  /** Live per-recipient totals of the prompt (the record's counts lag by up to a flush). */
  delivery: DeliveryCounts;
  /** Failures and skips by reason: 403 blocked, 404, already signed… */
  reasons: Record<string, number>;
  /** Whether the work store still holds who was sent what (lost: SharePoint's totals stand). */
  deliveryRecords: DeliveryRecords;
}

async function summary(ctx: CampaignContext, campaign: Campaign): Promise<CampaignSummary> {
  const deliveryRecords = await deliveryRecordsOf(ctx.queue, campaign);
  if (deliveryRecords.kind === 'lost') {
    // The store counts zero for a campaign it lost: show what SharePoint recorded instead.
    const { recipients, sent, failed } = campaign.counts;
    return {
      campaign,
      delivery: { queued: 0, inFlight: 0, sent, failed, skipped: 0, total: recipients },
      reasons: {},
      deliveryRecords,
    };
  }
  const live = await ctx.queue.countDeliveries({ jobId: campaign.id });
  const carried = campaign.carried ?? { sent: 0, failed: 0 };
  return {
    campaign,
    delivery: { ...live, sent: live.sent + carried.sent, failed: live.failed + carried.failed },
    reasons: await ctx.queue.countReasons({ jobId: campaign.id }),
    deliveryRecords,
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
