import type { Campaign } from '../../domain/campaign.ts';
import { CountersignError } from '../../domain/errors.ts';
import { audienceKeySchema } from '../../domain/policy-document.ts';
import { currentVersion } from '../../domain/status.ts';
import type { Actor } from '../actor.ts';
import { requireRole } from '../require-role.ts';
import { campaignAudit, getCampaignRecord, type CampaignContext } from './campaign-context.ts';
import { deliveryRecordsOf } from './delivery-records.ts';
import { recipientsFor } from './launch-campaign.ts';

export interface RecoveredCampaign {
  campaign: Campaign;
  /** People queued again: those in the audience who have still not signed. */
  queued: number;
  /**
   * How many of them may get the card a second time: the store that knew who had it is gone,
   * so at most everyone SharePoint says was sent before the loss.
   */
  mayGetSecondCard: number;
}

/**
 * The admin's choice for a campaign whose delivery records were lost: carry on, to the people
 * who have not signed yet. A new job in this work store, SharePoint's totals carried over (the
 * record keeps counting from them, never from zero), the record re-pointed at this store, and
 * an audit event saying how many may get a second card. The other choice is cancel.
 */
export async function recoverCampaign(
  ctx: CampaignContext,
  actor: Actor,
  campaignId: string,
): Promise<RecoveredCampaign> {
  const { records, queue } = ctx;
  requireRole(actor, 'Policy.Admin');
  const tagged = await getCampaignRecord(ctx, campaignId);
  const campaign = tagged.value;
  const kept = await deliveryRecordsOf(queue, campaign);
  if (kept.kind === 'kept') {
    throw new CountersignError(
      'conflict',
      'This campaign still has its delivery records: pause, resume or cancel it instead.',
      { campaignId, status: campaign.status },
    );
  }
  const policy = await ctx.policies.policy(campaign.policyKey);
  const versions = (await records.listVersions(policy.key)).map((t) => t.value);
  if (currentVersion(versions)?.number !== campaign.versionNumber) {
    throw new CountersignError(
      'conflict',
      `Version ${campaign.versionNumber} is no longer the published version: cancel this campaign and launch one for the current version.`,
      { campaignId },
    );
  }
  const now = ctx.clock.now();
  const audiences = audienceKeySchema.array().parse(campaign.audiences);
  // The job is created held; the record goes first so a crash in between leaves it lost (and
  // recoverable again), never a job running behind a record that says otherwise.
  await queue.createJob({
    id: campaignId,
    kind: 'prompt',
    campaignId,
    policyKey: campaign.policyKey,
    versionNumber: campaign.versionNumber,
    deadline: campaign.deadline,
    status: 'paused',
    createdAt: now.toISOString(),
    data: {
      launchedAt: campaign.createdAt,
      reminderDays: campaign.reminderDays,
      audiences,
      createdBy: campaign.createdBy,
    },
  });
  const { recipients } = await recipientsFor(ctx, policy, versions, audiences, campaign.deadline);
  await queue.enqueue(campaignId, recipients, now);
  const queued = recipients.filter((r) => r.state !== 'skipped').length;
  const mayGetSecondCard = Math.min(kept.sentBeforeLoss, queued);
  const store = await queue.storeIdentity();
  const written = await records.updateCampaign(tagged, {
    ...campaign,
    status: 'running',
    workStoreId: store.id,
    carried: { sent: campaign.counts.sent, failed: campaign.counts.failed },
  });
  ctx.remember(written);
  await queue.setCampaignStatus(campaignId, 'running', now);
  await records.appendAudit([
    campaignAudit(ctx, actor, 'campaign.recovered', campaignId, {
      reason: kept.reason,
      sentBeforeLoss: kept.sentBeforeLoss,
      failedBeforeLoss: kept.failedBeforeLoss,
      queued,
      mayGetSecondCard,
      workStoreId: store.id,
    }),
  ]);
  return { campaign: written.value, queued, mayGetSecondCard };
}
