import type { Campaign } from '../../domain/campaign.ts';
import { ukDateTime } from '../../domain/evidence-pack/uk-time.ts';
import type { Delivery, DeliveryJob, DeliveryJobKind } from '../../ports/delivery-queue.ts';
import type { Actor } from '../actor.ts';
import { requireRole } from '../require-role.ts';
import type { CampaignContext } from './campaign-context.ts';
import { cardUpdateOutcome, cardUpdateWords } from './card-update-outcome.ts';
import { deliveryRecordsOf } from './delivery-records.ts';
import { updateJobDataSchema } from './job-data.ts';

/** One card sent (or meant) to a person: what, when, and what became of it, in words. */
export interface PersonDelivery {
  jobId: string;
  /** update: a relaunch moved the deadline and the card sent to them was to be replaced. */
  kind: Exclude<DeliveryJobKind, 'digest' | 'test' | 'approval'>;
  /** "First prompt of the campaign", "Reminder 2", … */
  what: string;
  versionNumber: number;
  campaignId?: string;
  state: Delivery['state'];
  /**
   * "Sent", "Waiting to be sent", "Could not be delivered: …", "Not sent: …"; for an update
   * "Card updated with the new deadline", "Not updated: already signed", … (card-update-outcome.ts).
   */
  outcome: string;
  /** ISO 8601 UTC: when it was sent, failed or skipped (its row's last change). */
  at: string;
  atLocal: string;
  deadlineLocal?: string;
}

export interface PersonDeliveries {
  deliveries: PersonDelivery[];
  /** Campaigns of this policy whose delivery records this service no longer holds, in words. */
  notes: string[];
}

/** The jobs looked at: a school's campaigns and reminder rounds over the years, not more. */
const MAX_JOBS = 200;
/** Point reads of the work store at once. */
const READS_AT_ONCE = 8;

function what(job: DeliveryJob, timeZone: string): string {
  switch (job.kind) {
    case 'prompt':
      return 'Campaign: the card asking them to sign';
    case 'reminder': {
      const round = /\/reminder-(\d+)$/.exec(job.id)?.[1];
      return round === undefined ? 'Reminder' : `Reminder ${round}`;
    }
    case 'new-starter':
      return 'New starter: the card asking them to sign';
    case 'renewal':
      return 'Renewal: the card asking them to sign again';
    case 'update': {
      const data = updateJobDataSchema.safeParse(job.data);
      const card =
        data.success && data.data.sourceKind === 'reminder'
          ? 'reminder'
          : 'card asking them to sign';
      return data.success
        ? `Deadline moved from ${ukDateTime(data.data.from, timeZone)}: the ${card} updated`
        : 'Deadline moved: the card updated';
    }
    case 'digest':
    case 'test':
    case 'approval':
      return job.kind; // not listed (filtered out below)
  }
}

/** Why a card was not sent, in words: launch records "not required: <status>" for a skip. */
const SKIPPED_BECAUSE: Record<string, string> = {
  'not required: signed': 'already signed',
  'not required: awaiting-approval': 'already signed, waiting for approval',
  'not required: rejected': 'their signature was rejected by the approver',
  'not required: not-required': 'not in the audiences this policy is for',
  cancelled: 'the campaign was cancelled',
};

function outcome(delivery: Delivery): string {
  switch (delivery.state) {
    case 'sent':
      return 'Sent';
    case 'queued':
      return delivery.attempts > 0
        ? `Waiting to be sent again (${delivery.attempts} attempt${delivery.attempts === 1 ? '' : 's'} so far)`
        : 'Waiting to be sent';
    case 'in-flight':
      return 'Being sent';
    case 'failed':
      return `Could not be delivered${delivery.reason === undefined ? '' : `: ${delivery.reason}`}`;
    case 'skipped':
      return delivery.reason === undefined
        ? 'Not sent'
        : `Not sent: ${SKIPPED_BECAUSE[delivery.reason] ?? delivery.reason}`;
  }
}

function listed(kind: DeliveryJobKind): kind is PersonDelivery['kind'] {
  // An approval request is a card to the approver, not one asking them to sign. An update is
  // listed: the admin sees whether the card they were sent now shows the new deadline.
  return kind !== 'digest' && kind !== 'test' && kind !== 'approval';
}

/**
 * GET /api/admin/people/:userId/deliveries (Policy.Admin): every prompt, reminder and card
 * update (a relaunch moved the deadline) of a policy
 * the service meant for one person, newest first, from the work store's delivery records (one
 * row per person per send job; SharePoint holds campaign records and totals only), with each
 * campaign's deadline from its SharePoint record. A campaign whose delivery records were lost is
 * named, since who it reached is then unknown.
 */
export async function personDeliveries(
  ctx: CampaignContext,
  actor: Actor,
  policyKey: string,
  userId: string,
): Promise<PersonDeliveries> {
  requireRole(actor, 'Policy.Admin');
  const timeZone = ctx.school.timeZone;
  // Not found unless the policy is one of the school's (the records are the school's view).
  await ctx.policies.policy(policyKey);
  const [jobs, campaigns] = await Promise.all([
    ctx.queue.listJobs({}),
    ctx.records.listCampaigns({ policyKey }),
  ]);
  const mine = jobs
    .filter((j) => j.policyKey === policyKey && listed(j.kind))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    .slice(0, MAX_JOBS);
  const found: { job: DeliveryJob; delivery: Delivery }[] = [];
  for (let i = 0; i < mine.length; i += READS_AT_ONCE) {
    const slice = mine.slice(i, i + READS_AT_ONCE);
    const rows = await Promise.all(slice.map((job) => ctx.queue.getDelivery(job.id, userId)));
    rows.forEach((delivery, k) => {
      const job = slice[k];
      if (delivery !== null && job !== undefined) found.push({ job, delivery });
    });
  }
  const byId = new Map<string, Campaign>(campaigns.map((c) => [c.value.id, c.value]));
  const deliveries = found
    .flatMap(({ job, delivery }): PersonDelivery[] => {
      if (!listed(job.kind)) return [];
      const deadline = job.deadline ?? byId.get(job.campaignId ?? '')?.deadline;
      return [
        {
          jobId: job.id,
          kind: job.kind,
          what: what(job, timeZone),
          versionNumber: job.versionNumber,
          ...(job.campaignId === undefined ? {} : { campaignId: job.campaignId }),
          state: delivery.state,
          outcome:
            job.kind === 'update'
              ? cardUpdateWords(cardUpdateOutcome(delivery.state, delivery.reason))
              : outcome(delivery),
          at: delivery.updatedAt,
          atLocal: ukDateTime(delivery.updatedAt, timeZone),
          ...(deadline === undefined ? {} : { deadlineLocal: ukDateTime(deadline, timeZone) }),
        },
      ];
    })
    .sort((a, b) => b.at.localeCompare(a.at));
  const notes: string[] = [];
  for (const { value: campaign } of campaigns) {
    const records = await deliveryRecordsOf(ctx.queue, campaign);
    if (records.kind === 'lost') {
      notes.push(
        `The campaign launched ${ukDateTime(campaign.createdAt, timeZone)} (version ${campaign.versionNumber}) lost its delivery records when the work store was ${records.reason === 'store-replaced' ? 'replaced' : 'emptied'}: whether it reached this person is not known.`,
      );
    }
  }
  return { deliveries, notes };
}
