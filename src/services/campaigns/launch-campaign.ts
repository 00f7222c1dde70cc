import { z } from 'zod';
import { DEFAULT_REMINDER_DAYS, type Campaign } from '../../domain/campaign.ts';
import { CountersignError } from '../../domain/errors.ts';
import { audienceKeySchema, type AudienceKey } from '../../domain/policy-document.ts';
import type { Policy, PolicyVersion } from '../../domain/policy.ts';
import { computeStatus, currentVersion } from '../../domain/status.ts';
import type { DeliveryJob, RecipientInput } from '../../ports/delivery-queue.ts';
import type { Tagged } from '../../ports/record-store.ts';
import type { Acknowledgement } from '../../domain/acknowledgement.ts';
import type { Actor } from '../actor.ts';
import { resolveAudienceMembers } from '../audiences.ts';
import { requireRole } from '../require-role.ts';
import { campaignIdFor } from './campaign-id.ts';
import {
  campaignAudit,
  cancelledUnderneath,
  getCampaignRecord,
  type CampaignContext,
} from './campaign-context.ts';
import { deliveryRecordsLost, deliveryRecordsOf } from './delivery-records.ts';
import {
  promptJobDataSchema,
  updateJobDataSchema,
  variantFor,
  type UpdateJobData,
} from './job-data.ts';

const launchInputSchema = z.object({
  policyKey: z.string().min(1),
  versionNumber: z.number().int().min(1),
  /** Defaults to every audience of the policy. */
  audiences: z.array(audienceKeySchema).min(1).optional(),
  deadline: z.iso.datetime(),
  /** Days after launch for reminders (default 3, 7, 14). */
  reminderDays: z.array(z.number().int().min(1).max(365)).max(10).optional(),
});
export type LaunchInput = z.infer<typeof launchInputSchema>;

/** A safety stop for the generation probe (each cancelled or completed campaign is one). */
const MAX_GENERATIONS = 1_000;
/** Delivery rows read at once when queueing the updates of a moved deadline. */
const UPDATE_PAGE = 1_000;

/** Who in the audience must sign, each with the version they last signed (for the card). */
export async function recipientsFor(
  ctx: CampaignContext,
  policy: Policy,
  versions: PolicyVersion[],
  audiences: readonly AudienceKey[],
  deadline: string,
  signatures: LaunchReads['acknowledgements'] = (key) =>
    ctx.records.listAcknowledgements({ policyKey: key }),
): Promise<{ recipients: RecipientInput[]; alreadySigned: number }> {
  const { school } = ctx;
  const members = await resolveAudienceMembers(ctx.directory, school, audiences);
  const acknowledgements = await signatures(policy.key);
  const byUser = new Map<string, typeof acknowledgements>();
  for (const ack of acknowledgements) {
    const list = byUser.get(ack.userId) ?? [];
    list.push(ack);
    byUser.set(ack.userId, list);
  }
  const now = ctx.clock.now();
  const recipients: RecipientInput[] = [];
  let alreadySigned = 0;
  for (const { person, audiences: personAudiences } of members.values()) {
    const status = computeStatus({
      policy,
      versions,
      acknowledgements: byUser.get(person.id) ?? [],
      personAudiences,
      timeZone: school.timeZone,
      now,
      deadline,
    });
    switch (status.kind) {
      case 'due':
      case 'overdue': {
        const variant = variantFor(status.lastSignedVersion);
        recipients.push({
          userId: person.id,
          displayName: person.displayName,
          ...(variant === undefined ? {} : { variant }),
        });
        break;
      }
      case 'signed':
      case 'awaiting-approval':
        alreadySigned += 1;
        recipients.push({
          userId: person.id,
          displayName: person.displayName,
          state: 'skipped',
          reason: `not required: ${status.kind}`,
        });
        break;
      case 'rejected':
      case 'not-required':
        recipients.push({
          userId: person.id,
          displayName: person.displayName,
          state: 'skipped',
          reason: `not required: ${status.kind}`,
        });
        break;
    }
  }
  return { recipients, alreadySigned };
}

/**
 * The id the next launch of this version uses: the first generation whose campaign has not
 * ended (a launch in progress, running, paused), or the first one never used. One or two reads
 * per generation; a version rarely sees more than one campaign.
 */
async function openCampaignId(
  ctx: CampaignContext,
  reads: LaunchReads,
  policyKey: string,
  versionNumber: number,
): Promise<string> {
  for (let generation = 0; generation < MAX_GENERATIONS; generation += 1) {
    const id = campaignIdFor(ctx.school.id, policyKey, versionNumber, generation);
    const record = await reads.campaign(id);
    const status = record?.value.status;
    if (status === 'completed' || status === 'cancelled') continue;
    const job = await ctx.queue.getJob(id);
    // Cancelled in the work store, record not yet updated: a cancel cut short, not an end.
    if (job?.status === 'cancelled' && record !== null) throw cancelledUnderneath(id);
    // A job cancelled before its record was ever written: that launch died; move on.
    if (job?.status === 'cancelled') continue;
    return id;
  }
  throw new CountersignError(
    'conflict',
    `Version ${versionNumber} of ${policyKey} has had too many campaigns.`,
    { policyKey, versionNumber },
  );
}

/**
 * What a launch reads from SharePoint. A school's own launch reads each for itself
 * (`schoolLaunchReads`); a trust-wide launch (trust-campaign-launch.ts) reads each list once for
 * every school and answers each school's launch from that one read.
 */
export interface LaunchReads {
  policy(key: string): Promise<Policy>;
  versions(key: string): Promise<PolicyVersion[]>;
  /** Every signature of the policy (each version's). */
  acknowledgements(key: string): Promise<Acknowledgement[]>;
  /** The campaign record as it stands (a trust launch: as its one listing found it). */
  campaign(id: string): Promise<Tagged<Campaign> | null>;
}

/** A school's own launch: each read its own (policy and versions reused briefly). */
export function schoolLaunchReads(ctx: CampaignContext): LaunchReads {
  return {
    policy: (key) => ctx.policies.policy(key),
    versions: async (key) => (await ctx.records.listVersions(key)).map((t) => t.value),
    acknowledgements: (key) => ctx.records.listAcknowledgements({ policyKey: key }),
    campaign: (id) => ctx.records.getCampaign(id),
  };
}

/**
 * Launches a re-sign campaign of the published version: one job in the work store, one row
 * per person in the audience (those who need not sign as skipped rows), one campaign record
 * in SharePoint. Idempotent: a repeat or concurrent launch lands on the same campaign.
 */
export async function launchCampaign(
  ctx: CampaignContext,
  actor: Actor,
  raw: LaunchInput,
): Promise<Campaign> {
  requireRole(actor, 'Policy.Admin');
  const launched = await launchWith(ctx, schoolLaunchReads(ctx), actor, raw, { recheck: true });
  return launched.value;
}

/**
 * The launch itself, over the given reads: the school's own launch and each school's part of a
 * trust-wide launch run these same steps. The caller has checked the actor may launch.
 * `recheck`: read the record again after releasing its job (a pause that landed meanwhile keeps
 * the last word); a trust-wide launch does that once for all its schools, after every release.
 */
export async function launchWith(
  ctx: CampaignContext,
  reads: LaunchReads,
  actor: Actor,
  raw: LaunchInput,
  options: { recheck: boolean },
): Promise<Tagged<Campaign>> {
  const { records, queue, school } = ctx;
  const parsed = launchInputSchema.safeParse(raw);
  if (!parsed.success) {
    throw new CountersignError('validation', 'The campaign is not valid.', {
      issues: parsed.error.issues,
    });
  }
  const input = parsed.data;
  const now = ctx.clock.now();
  if (Date.parse(input.deadline) <= now.getTime()) {
    throw new CountersignError('validation', 'The deadline must be in the future.', {
      deadline: input.deadline,
    });
  }
  const policy = await reads.policy(input.policyKey);
  if (policy.scope === 'trust') {
    // Each school's copy is what its people sign: a campaign is launched for a copy.
    throw new CountersignError(
      'validation',
      `"${policy.title}" is a trust policy's master: launch the campaign for a school's copy of it.`,
      { policyKey: policy.key, scope: 'trust' },
    );
  }
  const versions = await reads.versions(policy.key);
  const current = currentVersion(versions);
  if (current?.number !== input.versionNumber) {
    throw new CountersignError(
      'conflict',
      `Version ${input.versionNumber} is not the published version of ${policy.key}.`,
      { current: current?.number },
    );
  }
  const audiences = input.audiences ?? policy.audiences;
  const unknown = audiences.filter(
    (a) => !policy.audiences.includes(a) || !school.audiences.some((s) => s.key === a),
  );
  if (unknown.length > 0) {
    throw new CountersignError(
      'validation',
      `Not audiences of this policy: ${unknown.join(', ')}.`,
      {
        unknown,
      },
    );
  }
  const reminderDays = input.reminderDays ?? [...DEFAULT_REMINDER_DAYS];

  // One campaign per version at a time, under an id derived from the version: a repeat or
  // concurrent launch (a double click, two admins, a retry after a crash) lands on the same id,
  // so createJob and createCampaign keep one, and enqueue tops up without repeating anyone.
  const campaignId = await openCampaignId(ctx, reads, policy.key, input.versionNumber);
  // A campaign under way whose delivery records were lost is recovered or cancelled by the
  // admin, never launched over: that would send the card again to everyone it reached.
  const existing = await reads.campaign(campaignId);
  if (existing !== null) {
    const kept = await deliveryRecordsOf(queue, existing.value);
    if (kept.kind === 'lost') throw deliveryRecordsLost(existing.value, kept, 'be launched again');
  }
  await queue.createJob({
    id: campaignId,
    kind: 'prompt',
    campaignId,
    policyKey: policy.key,
    versionNumber: input.versionNumber,
    deadline: input.deadline,
    // Held until the SharePoint record exists: no prompt goes out for a campaign nobody can see.
    status: 'paused',
    createdAt: now.toISOString(),
    data: { launchedAt: now.toISOString(), reminderDays, audiences, createdBy: actor.id },
  });
  // Whichever launch created the job, its plan is the campaign's (the first one wins).
  const job = await queue.getJob(campaignId);
  if (job === null) {
    throw new CountersignError('not-found', `The job of campaign ${campaignId} is missing.`, {
      campaignId,
    });
  }
  if (job.status === 'cancelled') throw cancelledUnderneath(campaignId);
  const plan = promptJobDataSchema.parse(job.data);
  const jobAudiences = audienceKeySchema.array().parse(plan.audiences);
  const jobDeadline = job.deadline ?? input.deadline;
  const { recipients, alreadySigned } = await recipientsFor(
    ctx,
    policy,
    versions,
    jobAudiences,
    jobDeadline,
    (key) => reads.acknowledgements(key),
  );
  await queue.enqueue(campaignId, recipients, now);

  let record = await reads.campaign(campaignId);
  if (record === null) {
    const counts = await queue.countDeliveries({ jobId: campaignId });
    const campaign: Campaign = {
      id: campaignId,
      schoolId: school.id,
      policyKey: policy.key,
      versionNumber: input.versionNumber,
      audiences: jobAudiences,
      deadline: jobDeadline,
      reminderDays: plan.reminderDays,
      status: 'running',
      counts: {
        recipients: counts.total - counts.skipped,
        sent: counts.sent,
        failed: counts.failed,
        signed: alreadySigned,
      },
      createdBy: plan.createdBy,
      createdAt: job.createdAt,
      workStoreId: (await queue.storeIdentity()).id,
    };
    try {
      record = await records.createCampaign(
        campaign,
        campaignAudit(ctx, actor, 'campaign.launched', campaignId, {
          policyKey: policy.key,
          versionNumber: input.versionNumber,
          recipients: campaign.counts.recipients,
          audiences: jobAudiences,
        }),
      );
    } catch (error) {
      // A concurrent launch created it first: theirs is the campaign (one record, one audit).
      if (!(error instanceof CountersignError && error.code === 'conflict')) throw error;
      record = await records.getCampaign(campaignId);
      if (record === null) throw error;
    }
  }
  // The record says running but the job may still be held (a launch that failed between the
  // two writes, retried now): release it, or nothing would ever be sent. Idempotent.
  if (record.value.status === 'running' && job.status !== 'running') {
    await queue.setCampaignStatus(campaignId, 'running', now);
    // A pause or cancel may have landed meanwhile (it writes the work store first): the
    // record has the last word, so a release never outlives an admin's pause.
    if (options.recheck) {
      const latest = await records.getCampaign(campaignId);
      if (latest !== null) record = await holdIfStopped(queue, latest, now);
    }
  }
  // A relaunch with another deadline moves it (issue 11: it was silently kept). Audiences and
  // reminder days stay the campaign's own (the tab says so): they decide who was queued.
  if (
    (record.value.status === 'running' || record.value.status === 'paused') &&
    Date.parse(record.value.deadline) !== Date.parse(input.deadline)
  ) {
    record = await moveDeadline(ctx, actor, record, input.deadline);
  }
  ctx.remember(record);
  return record;
}

/**
 * After a release: a record that says paused or cancelled (an admin's pause that landed while the
 * job was released) has the last word, its job set back to match. Returns the record.
 */
export async function holdIfStopped(
  queue: CampaignContext['queue'],
  latest: Tagged<Campaign>,
  now: Date,
): Promise<Tagged<Campaign>> {
  const status = latest.value.status;
  if (status === 'paused' || status === 'cancelled') {
    await queue.setCampaignStatus(latest.value.id, status, now);
  }
  return latest;
}

/**
 * Moves a campaign's deadline: the work store's jobs first (the cards still to send and the
 * reminder rounds read it there), then the SharePoint record (where status and the people
 * report read it), then a `campaign.deadline-moved` audit event saying from what to what. A
 * retry after a failure part-way finds the record still on the old deadline and does it again.
 */
async function moveDeadline(
  ctx: CampaignContext,
  actor: Actor,
  tagged: Tagged<Campaign>,
  deadline: string,
): Promise<Tagged<Campaign>> {
  const campaignId = tagged.value.id;
  const from = tagged.value.deadline;
  await ctx.queue.setCampaignDeadline(campaignId, deadline);
  await queueCardUpdates(ctx, tagged.value, from, deadline);
  let current = tagged;
  for (let attempt = 0; ; attempt += 1) {
    try {
      const written = await ctx.records.updateCampaign(current, { ...current.value, deadline });
      await ctx.records.appendAudit([
        campaignAudit(ctx, actor, 'campaign.deadline-moved', campaignId, { from, to: deadline }),
      ]);
      return written;
    } catch (error) {
      // The sender updates the totals as it goes: read the record again and move it then.
      if (!(error instanceof CountersignError && error.code === 'precondition-failed')) throw error;
      if (attempt >= 2) throw error;
      current = await getCampaignRecord(ctx, campaignId);
    }
  }
}

/**
 * The cards a campaign already sent show the deadline they were sent with: after a move, each
 * card of its prompt and reminder jobs that went (or is going) to someone who still has to
 * sign is queued to be replaced in place, one `update` job per job whose cards it replaces, sent
 * by the campaign sender with the same pacing as every send (a 1,000-person campaign does not
 * burst). Those who signed or wait for approval are left out (their card shows their
 * signature), and the sender checks again before each update. A retry of the same move (its
 * record not yet written) lands on the update jobs it made: the rows are not added twice.
 */
async function queueCardUpdates(
  ctx: CampaignContext,
  campaign: Campaign,
  from: string,
  to: string,
): Promise<void> {
  const policy = await ctx.policies.policy(campaign.policyKey);
  const versions = (await ctx.records.listVersions(policy.key)).map((t) => t.value);
  const { recipients } = await recipientsFor(ctx, policy, versions, campaign.audiences, to);
  const stillToSign = new Set(recipients.filter((r) => r.state !== 'skipped').map((r) => r.userId));
  const jobs = await ctx.queue.listJobs({ campaignId: campaign.id });
  const now = ctx.clock.now();
  for (const source of jobs) {
    if (source.kind !== 'prompt' && source.kind !== 'reminder') continue;
    if (source.status === 'cancelled') continue;
    const rows: RecipientInput[] = [];
    for (let after: string | undefined; ;) {
      const page = await ctx.queue.listDeliveries({
        jobId: source.id,
        limit: UPDATE_PAGE,
        ...(after === undefined ? {} : { after }),
      });
      for (const row of page) {
        const reached = row.state === 'sent' || row.state === 'queued' || row.state === 'in-flight';
        if (!reached || !stillToSign.has(row.userId)) continue;
        rows.push({
          userId: row.userId,
          ...(row.variant === undefined ? {} : { variant: row.variant }),
          ...(row.displayName === undefined ? {} : { displayName: row.displayName }),
        });
      }
      const last = page.at(-1);
      if (page.length < UPDATE_PAGE || last === undefined) break;
      after = last.userId;
    }
    if (rows.length === 0) continue;
    const job = updateJobFor(jobs, source, { from, to }, now, campaign.status);
    await ctx.queue.createJob(job);
    await ctx.queue.enqueue(job.id, rows, now);
  }
}

/**
 * The update job of one move for one job's cards: `<job id>/deadline-<n>`, n counting that job's
 * moves; the latest one again when it is this same move (a retry after a failure part-way).
 */
function updateJobFor(
  jobs: readonly DeliveryJob[],
  source: DeliveryJob,
  move: { from: string; to: string },
  now: Date,
  campaignStatus: Campaign['status'],
): DeliveryJob {
  const earlier = jobs
    .filter((j) => j.kind === 'update' && j.id.startsWith(`${source.id}/deadline-`))
    .map((j) => ({ job: j, data: updateJobDataSchema.safeParse(j.data) }))
    .filter((j) => j.data.success && j.data.data.updates === source.id)
    .sort((a, b) => generationOf(a.job.id) - generationOf(b.job.id));
  const latest = earlier.at(-1);
  const same =
    latest?.data.success === true &&
    Date.parse(latest.data.data.from) === Date.parse(move.from) &&
    Date.parse(latest.data.data.to) === Date.parse(move.to);
  if (same) return latest.job;
  const data: UpdateJobData = {
    updates: source.id,
    sourceKind: source.kind === 'reminder' ? 'reminder' : 'prompt',
    sourceData: source.data,
    from: move.from,
    to: move.to,
  };
  return {
    id: `${source.id}/deadline-${earlier.length + 1}`,
    kind: 'update',
    ...(source.campaignId === undefined ? {} : { campaignId: source.campaignId }),
    policyKey: source.policyKey,
    versionNumber: source.versionNumber,
    deadline: move.to,
    // A paused campaign's updates wait with it (resume releases every job of the campaign).
    status: campaignStatus === 'paused' ? 'paused' : 'running',
    createdAt: now.toISOString(),
    data,
  };
}

function generationOf(updateJobId: string): number {
  return Number(/\/deadline-(\d+)$/.exec(updateJobId)?.[1] ?? 0);
}
