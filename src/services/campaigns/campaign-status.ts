import type { Campaign } from '../../domain/campaign.ts';
import type { DeliveryCounts } from '../../ports/delivery-queue.ts';
import type { Actor } from '../actor.ts';
import { requireRole } from '../require-role.ts';
import { getCampaignRecord, type CampaignContext } from './campaign-context.ts';
import { cardUpdateTotals, type CardUpdateTotals } from './card-update-outcome.ts';
import { deliveryRecordsOf, type DeliveryRecords } from './delivery-records.ts';
import { updateJobDataSchema } from './job-data.ts';

export interface CampaignSummary {
  campaign: Campaign;
  /** Live per-recipient totals of the prompt (the record's counts lag by up to a flush). */
  delivery: DeliveryCounts;
  /** Failures and skips by reason: 403 blocked, 404, already signed… */
  reasons: Record<string, number>;
  /** Whether the work store still holds who was sent what (lost: SharePoint's totals stand). */
  deliveryRecords: DeliveryRecords;
  /**
   * After a relaunch moved the deadline: what became of the cards the latest move set out to
   * update. Counted apart from the totals above (an update is no new card).
   */
  cardUpdates?: CardUpdateTotals;
}

/** The latest deadline move's update jobs (one per prompt or reminder round), summed. */
async function latestCardUpdates(
  ctx: CampaignContext,
  campaignId: string,
): Promise<CardUpdateTotals | undefined> {
  const moves = (await ctx.queue.listJobs({ campaignId, kind: 'update' })).flatMap((job) => {
    const data = updateJobDataSchema.safeParse(job.data);
    return data.success ? [{ job, from: data.data.from, to: data.data.to }] : [];
  });
  const latest = moves.reduce<(typeof moves)[number] | undefined>(
    (a, b) => (a === undefined || b.job.createdAt > a.job.createdAt ? b : a),
    undefined,
  );
  if (latest === undefined) return undefined;
  const jobs = moves.filter((m) => m.from === latest.from && m.to === latest.to);
  const counts = { queued: 0, inFlight: 0, sent: 0, failed: 0, skipped: 0 };
  const reasons: Record<string, number> = {};
  for (const { job } of jobs) {
    const [c, r] = await Promise.all([
      ctx.queue.countDeliveries({ jobId: job.id }),
      ctx.queue.countReasons({ jobId: job.id }),
    ]);
    counts.queued += c.queued;
    counts.inFlight += c.inFlight;
    counts.sent += c.sent;
    counts.failed += c.failed;
    counts.skipped += c.skipped;
    for (const [reason, n] of Object.entries(r)) reasons[reason] = (reasons[reason] ?? 0) + n;
  }
  return cardUpdateTotals({ from: latest.from, to: latest.to }, counts, reasons);
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
  const cardUpdates = await latestCardUpdates(ctx, campaign.id);
  return {
    campaign,
    delivery: { ...live, sent: live.sent + carried.sent, failed: live.failed + carried.failed },
    reasons: await ctx.queue.countReasons({ jobId: campaign.id }),
    deliveryRecords,
    ...(cardUpdates === undefined ? {} : { cardUpdates }),
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
