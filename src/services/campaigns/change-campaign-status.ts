import type { Campaign, CampaignStatus } from '../../domain/campaign.ts';
import { CountersignError } from '../../domain/errors.ts';
import type { DeliveryJobStatus } from '../../ports/delivery-queue.ts';
import type { Actor } from '../actor.ts';
import { requireRole } from '../require-role.ts';
import {
  campaignAudit,
  cancelledUnderneath,
  getCampaignRecord,
  type CampaignContext,
} from './campaign-context.ts';
import { deliveryRecordsLost, deliveryRecordsOf, recordTotals } from './delivery-records.ts';

export type CampaignAction = 'pause' | 'resume' | 'cancel';

/** What each action sets the campaign's jobs to in the work store. */
const WORK_STATUS: Record<CampaignAction, DeliveryJobStatus> = {
  pause: 'paused',
  resume: 'running',
  cancel: 'cancelled',
};

const TRANSITIONS: Record<CampaignAction, { from: CampaignStatus[]; to: CampaignStatus }> = {
  pause: { from: ['running'], to: 'paused' },
  resume: { from: ['paused'], to: 'running' },
  cancel: { from: ['running', 'paused', 'draft'], to: 'cancelled' },
};

/**
 * Pauses, resumes or cancels a campaign: the work store first (a pause stops the sender at
 * once), then the record, then the work store again (a launch retry releasing the job in
 * between must not win). Repeating an action brings the work store into line with the record.
 */
export async function changeCampaignStatus(
  ctx: CampaignContext,
  actor: Actor,
  campaignId: string,
  action: CampaignAction,
): Promise<Campaign> {
  const { records, queue } = ctx;
  requireRole(actor, 'Policy.Admin');
  const rule = TRANSITIONS[action];
  const jobStatus = WORK_STATUS[action];
  for (let attempt = 0; ; attempt += 1) {
    const tagged = await getCampaignRecord(ctx, campaignId);
    const job = await queue.getJob(campaignId);
    const kept = await deliveryRecordsOf(queue, tagged.value, job);
    // Without its delivery records a campaign can only be recovered or stopped: a resume or a
    // pause would run (or hold) a job that no longer exists, and count from zero.
    if (kept.kind === 'lost' && action !== 'cancel') {
      throw deliveryRecordsLost(tagged.value, kept, action);
    }
    // A cancelled job never runs again (its queued rows are skipped): only a cancel finishes.
    if (
      job?.status === 'cancelled' &&
      jobStatus !== 'cancelled' &&
      tagged.value.status !== 'cancelled'
    ) {
      throw cancelledUnderneath(campaignId);
    }
    if (tagged.value.status === rule.to) {
      // The record already says so, but an earlier attempt may have stopped before the work
      // store (a launch cut short leaves its job held): bring the work store into line.
      if (job !== null && job.status !== jobStatus) {
        await queue.setCampaignStatus(campaignId, jobStatus, ctx.clock.now());
      }
      return tagged.value;
    }
    if (!rule.from.includes(tagged.value.status)) {
      throw new CountersignError(
        'conflict',
        `A ${tagged.value.status} campaign cannot ${action}.`,
        { status: tagged.value.status },
      );
    }
    // The work store first: a pause stops the sender at once, even if SharePoint is slow.
    await queue.setCampaignStatus(campaignId, jobStatus, ctx.clock.now());
    // SharePoint's totals stand when the store lost the campaign; else the store's are fresher.
    const totals =
      kept.kind === 'lost'
        ? { sent: tagged.value.counts.sent, failed: tagged.value.counts.failed }
        : recordTotals(tagged.value, await queue.countDeliveries({ jobId: campaignId }));
    try {
      const written = await records.updateCampaign(tagged, {
        ...tagged.value,
        status: rule.to,
        counts: { ...tagged.value.counts, ...totals },
      });
      ctx.remember(written);
      // Again after the record: a launch retry releasing the job in between must not win.
      await queue.setCampaignStatus(campaignId, jobStatus, ctx.clock.now());
      await records.appendAudit([
        campaignAudit(ctx, actor, 'campaign.status-changed', campaignId, {
          from: tagged.value.status,
          to: rule.to,
        }),
      ]);
      return written.value;
    } catch (error) {
      if (error instanceof CountersignError && error.code === 'precondition-failed' && attempt < 2)
        continue;
      throw error;
    }
  }
}
