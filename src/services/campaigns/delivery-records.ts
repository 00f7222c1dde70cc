import type { Campaign } from '../../domain/campaign.ts';
import { CountersignError } from '../../domain/errors.ts';
import type { DeliveryCounts, DeliveryJob, DeliveryQueue } from '../../ports/delivery-queue.ts';

/**
 * Whether the work store still holds a campaign's delivery records (who was sent the card).
 * They are lost when the store was deleted, replaced or set aside as damaged: the campaign's
 * job is missing, or the store is not the one the campaign was launched in. SharePoint's
 * totals on the campaign record are then the only truth, and nothing may overwrite them with
 * a fresh store's zeros.
 */
export type DeliveryRecords =
  | { kind: 'kept' }
  | {
      kind: 'lost';
      reason: 'job-missing' | 'store-replaced';
      /** What SharePoint's record says was sent and failed before the loss. */
      sentBeforeLoss: number;
      failedBeforeLoss: number;
    };

/** Only a campaign still under way needs its delivery records. */
function underWay(campaign: Campaign): boolean {
  switch (campaign.status) {
    case 'running':
    case 'paused':
      return true;
    case 'draft':
    case 'completed':
    case 'cancelled':
      return false;
  }
}

export async function deliveryRecordsOf(
  queue: Pick<DeliveryQueue, 'getJob' | 'storeIdentity'>,
  campaign: Campaign,
  job?: DeliveryJob | null,
): Promise<DeliveryRecords> {
  if (!underWay(campaign)) return { kind: 'kept' };
  const lost = (reason: 'job-missing' | 'store-replaced'): DeliveryRecords => ({
    kind: 'lost',
    reason,
    sentBeforeLoss: campaign.counts.sent,
    failedBeforeLoss: campaign.counts.failed,
  });
  if (campaign.workStoreId !== undefined) {
    const store = await queue.storeIdentity();
    if (store.id !== campaign.workStoreId) return lost('store-replaced');
  }
  const found = job === undefined ? await queue.getJob(campaign.id) : job;
  return found === null ? lost('job-missing') : { kind: 'kept' };
}

/** The totals a campaign record should carry: what a lost store had sent, plus this store's. */
export function recordTotals(
  campaign: Campaign,
  counts: Pick<DeliveryCounts, 'sent' | 'failed'>,
): { sent: number; failed: number } {
  return {
    sent: (campaign.carried?.sent ?? 0) + counts.sent,
    failed: (campaign.carried?.failed ?? 0) + counts.failed,
  };
}

/** Refuses what needs the delivery records of a campaign whose records are lost. */
export function deliveryRecordsLost(
  campaign: Campaign,
  records: Extract<DeliveryRecords, { kind: 'lost' }>,
  what: string,
): CountersignError {
  return new CountersignError(
    'conflict',
    `The delivery records of this campaign were lost (the work store was ${
      records.reason === 'store-replaced' ? 'replaced or recreated' : 'emptied'
    }), so it cannot ${what}. Choose: resume it to the people who have not signed yet (up to ` +
      `${records.sentBeforeLoss} of them may get the card a second time), or cancel it.`,
    {
      campaignId: campaign.id,
      reason: 'delivery-records-lost',
      sentBeforeLoss: records.sentBeforeLoss,
    },
  );
}
