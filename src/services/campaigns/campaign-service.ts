import { z } from 'zod';
import type { AuditEvent } from '../../domain/audit-event.ts';
import {
  DEFAULT_REMINDER_DAYS,
  type Campaign,
  type CampaignStatus,
} from '../../domain/campaign.ts';
import { CountersignError } from '../../domain/errors.ts';
import { audienceKeySchema, type AudienceKey } from '../../domain/policy-document.ts';
import type { Policy, PolicyVersion } from '../../domain/policy.ts';
import type { School } from '../../domain/school.ts';
import { computeStatus, currentVersion } from '../../domain/status.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Directory } from '../../ports/directory.ts';
import type { Messenger, OutgoingActivity } from '../../ports/messenger.ts';
import type { RecordStore, Tagged } from '../../ports/record-store.ts';
import type {
  Delivery,
  DeliveryCounts,
  DeliveryJob,
  DeliveryJobStatus,
  RecipientInput,
} from '../../ports/delivery-queue.ts';
import type { WorkStore } from '../../ports/work-store.ts';
import type { Actor } from '../actor.ts';
import { resolveAudienceMembers } from '../audiences.ts';
import { requireRole } from '../require-role.ts';
import type { CardRenderer, DigestCardInput } from './card-renderer.ts';
import {
  createCampaignSender,
  type CampaignSender,
  type SenderOptions,
} from './campaign-sender.ts';
import { CampaignTotals } from './campaign-totals.ts';
import { campaignIdFor } from './campaign-id.ts';
import {
  digestJobDataSchema,
  lastSignedOf,
  promptJobDataSchema,
  reminderJobDataSchema,
  variantFor,
} from './job-data.ts';
import { runScheduledWork, type ScheduledWorkReport } from './scheduled-work.ts';
import { systemTiming, type Timing } from './timing.ts';

export const launchInputSchema = z.object({
  policyKey: z.string().min(1),
  versionNumber: z.number().int().min(1),
  /** Defaults to every audience of the policy. */
  audiences: z.array(audienceKeySchema).min(1).optional(),
  deadline: z.iso.datetime(),
  /** Days after launch for reminders (default 3, 7, 14). */
  reminderDays: z.array(z.number().int().min(1).max(365)).max(10).optional(),
});
export type LaunchInput = z.infer<typeof launchInputSchema>;

export interface CampaignSummary {
  campaign: Campaign;
  /** Live per-recipient totals of the prompt (the record's counts lag by up to a flush). */
  delivery: DeliveryCounts;
  /** Failures and skips by reason: 403 blocked, 404, already signed… */
  reasons: Record<string, number>;
}

/** What the API and the CLI use to run campaigns. Every method checks the actor's role. */
export interface CampaignService {
  launch(actor: Actor, input: LaunchInput): Promise<Campaign>;
  list(actor: Actor): Promise<CampaignSummary[]>;
  get(actor: Actor, campaignId: string): Promise<CampaignSummary>;
  pause(actor: Actor, campaignId: string): Promise<Campaign>;
  resume(actor: Actor, campaignId: string): Promise<Campaign>;
  cancel(actor: Actor, campaignId: string): Promise<Campaign>;
  /** The exact card a person would receive (the tab renders it before launching). */
  previewCard(actor: Actor, policyKey: string, versionNumber: number): Promise<OutgoingActivity>;
  /** Sends the prompt to the admin themself, through the same sender. */
  sendTest(
    actor: Actor,
    input: { policyKey: string; versionNumber: number; deadline?: string },
  ): Promise<{ jobId: string }>;
  /**
   * Runs this instance's sender (it sends only while it holds the sender lease) and, every
   * `scheduleEveryMs`, the scheduled work (reminders, digests, new starters, renewals).
   */
  startSender(): void;
  /** Stops the sender and the scheduled work, and writes final totals. */
  stop(): Promise<void>;
  /** Runs the scheduled work once now (what the timer does). */
  runScheduled(): Promise<ScheduledWorkReport>;
  /** Writes changed totals to the campaign records now. */
  flushTotals(): Promise<void>;
  readonly sender: CampaignSender;
  /** Renders one delivery (the sender's card function; exposed for the scheduler and tests). */
  render(job: DeliveryJob, delivery: Delivery): Promise<OutgoingActivity>;
}

export interface CampaignDeps {
  records: RecordStore;
  directory: Directory;
  work: WorkStore;
  messenger: Messenger;
  cards: CardRenderer;
  school: School;
  clock: Clock;
  timing?: Timing;
  newId: () => string;
  /** This instance (lease holder id). */
  holderId: string;
  sender?: Partial<SenderOptions>;
  /** How often running totals go to SharePoint (default 30 s; always once more at the end). */
  totalsEveryMs?: number;
  /** How often the scheduled work runs while the sender runs (default 5 minutes; 0: never). */
  scheduleEveryMs?: number;
  onError?: (error: unknown) => void;
}

/** Cards per job need the policy and versions: read once per job, not per person. */
class VersionCache {
  readonly #records: RecordStore;
  readonly #policies = new Map<string, Promise<Policy>>();
  readonly #versions = new Map<string, Promise<PolicyVersion>>();

  constructor(records: RecordStore) {
    this.#records = records;
  }

  policy(key: string): Promise<Policy> {
    let found = this.#policies.get(key);
    if (found === undefined) {
      found = this.#records.getPolicy(key).then((tagged) => {
        if (tagged === null) throw new CountersignError('not-found', `No policy ${key}.`, { key });
        return tagged.value;
      });
      found.catch(() => this.#policies.delete(key));
      this.#policies.set(key, found);
    }
    return found;
  }

  version(key: string, number: number): Promise<PolicyVersion> {
    const id = `${key}:v${number}`;
    let found = this.#versions.get(id);
    if (found === undefined) {
      found = this.#records.getVersion(key, number).then((tagged) => {
        if (tagged === null) {
          throw new CountersignError('not-found', `No version ${number} of ${key}.`, {
            key,
            number,
          });
        }
        return tagged.value;
      });
      found.catch(() => this.#versions.delete(id));
      this.#versions.set(id, found);
    }
    return found;
  }
}

/** What each action sets the campaign's jobs to in the WorkStore. */
const WORK_STATUS: Record<'pause' | 'resume' | 'cancel', DeliveryJobStatus> = {
  pause: 'paused',
  resume: 'running',
  cancel: 'cancelled',
};

/** A safety stop for the generation probe (each cancelled or completed campaign is one). */
const MAX_GENERATIONS = 1_000;

const TRANSITIONS: Record<
  'pause' | 'resume' | 'cancel',
  { from: CampaignStatus[]; to: CampaignStatus }
> = {
  pause: { from: ['running'], to: 'paused' },
  resume: { from: ['paused'], to: 'running' },
  cancel: { from: ['running', 'paused', 'draft'], to: 'cancelled' },
};

export function createCampaignService(deps: CampaignDeps): CampaignService {
  const { records, work, school } = deps;
  const timing = deps.timing ?? systemTiming;
  const cache = new VersionCache(records);
  const totals = new CampaignTotals(records, work);
  let totalsLoop: Promise<void> | null = null;
  let running = false;
  let wakeTotals: () => void = () => undefined;
  let wakeSchedule: () => void = () => undefined;
  let scheduleLoop: Promise<void> | null = null;

  const render = async (job: DeliveryJob, delivery: Delivery): Promise<OutgoingActivity> => {
    const [policy, version] = await Promise.all([
      cache.policy(job.policyKey),
      cache.version(job.policyKey, job.versionNumber),
    ]);
    const recipient = { userId: delivery.userId, displayName: delivery.displayName ?? '' };
    switch (job.kind) {
      case 'digest': {
        const { digest } = digestJobDataSchema.parse(job.data);
        const input: DigestCardInput = {
          campaignId: job.campaignId ?? job.id,
          recipient,
          policy,
          version,
          deadline: job.deadline ?? '',
          ...digest,
        };
        return deps.cards.digest(input);
      }
      case 'prompt':
      case 'reminder':
      case 'new-starter':
      case 'renewal':
      case 'test': {
        const last = lastSignedOf(delivery.variant);
        const lastSignedVersion =
          last === undefined
            ? undefined
            : await cache.version(job.policyKey, last).catch(() => undefined);
        const reminder =
          job.kind === 'reminder' ? reminderJobDataSchema.safeParse(job.data) : undefined;
        return deps.cards.prompt({
          kind: job.kind,
          recipient,
          policy,
          version,
          ...(lastSignedVersion === undefined ? {} : { lastSignedVersion }),
          ...(job.deadline === undefined ? {} : { deadline: job.deadline }),
          ...(reminder?.success === true ? { reminderNumber: reminder.data.round } : {}),
        });
      }
    }
  };

  const sender = createCampaignSender(
    {
      queue: work,
      leases: work,
      conversations: work,
      messenger: deps.messenger,
      render,
      timing,
      holderId: deps.holderId,
      ...(deps.onError === undefined ? {} : { onError: deps.onError }),
      onSettled: (job) => {
        if (job.kind === 'prompt' && job.campaignId !== undefined) totals.touch(job.campaignId);
      },
      onIdle: () => {
        totals.flush().catch(report);
      },
    },
    deps.sender,
  );

  function report(error: unknown): void {
    if (deps.onError) deps.onError(error);
    else console.error('campaigns:', error);
  }

  const audit = (
    actor: Actor,
    type: AuditEvent['type'],
    subject: string,
    details: Record<string, unknown>,
  ): AuditEvent => ({
    id: deps.newId(),
    type,
    actorId: actor.id,
    at: deps.clock.now().toISOString(),
    subject,
    details,
  });

  const summary = async (campaign: Campaign): Promise<CampaignSummary> => ({
    campaign,
    delivery: await work.countDeliveries({ jobId: campaign.id }),
    reasons: await work.countReasons({ jobId: campaign.id }),
  });

  const getTagged = async (campaignId: string): Promise<Tagged<Campaign>> => {
    const tagged = await records.getCampaign(campaignId);
    if (tagged === null) {
      throw new CountersignError('not-found', `No campaign ${campaignId}.`, { campaignId });
    }
    return tagged;
  };

  /** Who in the audience must sign, each with the version they last signed (for the card). */
  const recipientsFor = async (
    policy: Policy,
    versions: PolicyVersion[],
    audiences: readonly AudienceKey[],
    deadline: string,
  ): Promise<{ recipients: RecipientInput[]; alreadySigned: number }> => {
    const members = await resolveAudienceMembers(deps.directory, school, audiences);
    const acknowledgements = await records.listAcknowledgements({ policyKey: policy.key });
    const byUser = new Map<string, typeof acknowledgements>();
    for (const ack of acknowledgements) {
      const list = byUser.get(ack.userId) ?? [];
      list.push(ack);
      byUser.set(ack.userId, list);
    }
    const now = deps.clock.now();
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
  };

  const cancelledUnderneath = (campaignId: string): CountersignError =>
    new CountersignError(
      'conflict',
      `Campaign ${campaignId} was cancelled but its record was not updated: cancel it again.`,
      { campaignId },
    );

  /**
   * The id the next launch of this version uses: the first generation whose campaign has not
   * ended (a launch in progress, running, paused), or the first one never used. One or two reads
   * per generation; a version rarely sees more than one campaign.
   */
  const openCampaignId = async (policyKey: string, versionNumber: number): Promise<string> => {
    for (let generation = 0; generation < MAX_GENERATIONS; generation += 1) {
      const id = campaignIdFor(school.id, policyKey, versionNumber, generation);
      const record = await records.getCampaign(id);
      const status = record?.value.status;
      if (status === 'completed' || status === 'cancelled') continue;
      const job = await work.getJob(id);
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
  };

  const launch = async (actor: Actor, raw: LaunchInput): Promise<Campaign> => {
    requireRole(actor, 'Policy.Admin');
    const parsed = launchInputSchema.safeParse(raw);
    if (!parsed.success) {
      throw new CountersignError('validation', 'The campaign is not valid.', {
        issues: parsed.error.issues,
      });
    }
    const input = parsed.data;
    const now = deps.clock.now();
    if (Date.parse(input.deadline) <= now.getTime()) {
      throw new CountersignError('validation', 'The deadline must be in the future.', {
        deadline: input.deadline,
      });
    }
    const policy = await cache.policy(input.policyKey);
    const versions = (await records.listVersions(policy.key)).map((t) => t.value);
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
        { unknown },
      );
    }
    const reminderDays = input.reminderDays ?? [...DEFAULT_REMINDER_DAYS];

    // One campaign per version at a time, under an id derived from the version: a repeat or
    // concurrent launch (a double click, two admins, a retry after a crash) lands on the same id,
    // so createJob and createCampaign keep one, and enqueue tops up without repeating anyone.
    const campaignId = await openCampaignId(policy.key, input.versionNumber);
    await work.createJob({
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
    const job = await work.getJob(campaignId);
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
      policy,
      versions,
      jobAudiences,
      jobDeadline,
    );
    await work.enqueue(campaignId, recipients, now);

    let record = await records.getCampaign(campaignId);
    if (record === null) {
      const counts = await work.countDeliveries({ jobId: campaignId });
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
      };
      try {
        record = await records.createCampaign(
          campaign,
          audit(actor, 'campaign.launched', campaignId, {
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
      await work.setCampaignStatus(campaignId, 'running', now);
      // A pause or cancel may have landed meanwhile (it writes the work store first): the
      // record has the last word, so a release never outlives an admin's pause.
      const latest = await records.getCampaign(campaignId);
      const status = latest?.value.status;
      if (latest !== null && (status === 'paused' || status === 'cancelled')) {
        await work.setCampaignStatus(campaignId, status, now);
        record = latest;
      }
    }
    totals.remember(record);
    return record.value;
  };

  const transition = async (
    actor: Actor,
    campaignId: string,
    action: 'pause' | 'resume' | 'cancel',
  ): Promise<Campaign> => {
    requireRole(actor, 'Policy.Admin');
    const rule = TRANSITIONS[action];
    const jobStatus = WORK_STATUS[action];
    for (let attempt = 0; ; attempt += 1) {
      const tagged = await getTagged(campaignId);
      const job = await work.getJob(campaignId);
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
          await work.setCampaignStatus(campaignId, jobStatus, deps.clock.now());
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
      // The WorkStore first: a pause stops the sender at once, even if SharePoint is slow.
      await work.setCampaignStatus(campaignId, jobStatus, deps.clock.now());
      const counts = await work.countDeliveries({ jobId: campaignId });
      try {
        const written = await records.updateCampaign(tagged, {
          ...tagged.value,
          status: rule.to,
          counts: { ...tagged.value.counts, sent: counts.sent, failed: counts.failed },
        });
        totals.remember(written);
        // Again after the record: a launch retry releasing the job in between must not win.
        await work.setCampaignStatus(campaignId, jobStatus, deps.clock.now());
        await records.appendAudit([
          audit(actor, 'campaign.status-changed', campaignId, {
            from: tagged.value.status,
            to: rule.to,
          }),
        ]);
        return written.value;
      } catch (error) {
        if (
          error instanceof CountersignError &&
          error.code === 'precondition-failed' &&
          attempt < 2
        )
          continue;
        throw error;
      }
    }
  };

  const runScheduled = (): Promise<ScheduledWorkReport> =>
    runScheduledWork(
      {
        records,
        directory: deps.directory,
        queue: work,
        leases: work,
        markers: work,
        snapshots: work,
        school,
        holderId: deps.holderId,
      },
      deps.clock.now(),
    );

  const runSchedule = async (): Promise<void> => {
    const every = deps.scheduleEveryMs ?? 300_000;
    if (every <= 0) return;
    while (running) {
      await Promise.race([
        timing.sleep(every),
        new Promise<void>((resolve) => {
          wakeSchedule = resolve;
        }),
      ]);
      if (!running) break;
      await runScheduled().catch(report);
    }
  };

  const runTotals = async (): Promise<void> => {
    const every = deps.totalsEveryMs ?? 30_000;
    while (running) {
      await Promise.race([
        timing.sleep(every),
        new Promise<void>((resolve) => {
          wakeTotals = resolve;
        }),
      ]);
      if (!running) break;
      await totals.flush().catch(report);
    }
  };

  return {
    launch,
    async list(actor) {
      requireRole(actor, 'Policy.Admin');
      const campaigns = await records.listCampaigns({});
      return Promise.all(campaigns.map((t) => summary(t.value)));
    },
    async get(actor, campaignId) {
      requireRole(actor, 'Policy.Admin');
      return summary((await getTagged(campaignId)).value);
    },
    pause: (actor, id) => transition(actor, id, 'pause'),
    resume: (actor, id) => transition(actor, id, 'resume'),
    cancel: (actor, id) => transition(actor, id, 'cancel'),
    async previewCard(actor, policyKey, versionNumber) {
      requireRole(actor, 'Policy.Admin');
      const [policy, version] = await Promise.all([
        cache.policy(policyKey),
        cache.version(policyKey, versionNumber),
      ]);
      return deps.cards.prompt({
        kind: 'prompt',
        recipient: { userId: actor.id, displayName: actor.displayName },
        policy,
        version,
      });
    },
    async sendTest(actor, input) {
      requireRole(actor, 'Policy.Admin');
      await cache.version(input.policyKey, input.versionNumber);
      const now = deps.clock.now();
      const jobId = `test/${deps.newId()}`;
      await work.createJob({
        id: jobId,
        kind: 'test',
        policyKey: input.policyKey,
        versionNumber: input.versionNumber,
        ...(input.deadline === undefined ? {} : { deadline: input.deadline }),
        status: 'running',
        createdAt: now.toISOString(),
        data: { requestedBy: actor.id },
      });
      await work.enqueue(jobId, [{ userId: actor.id, displayName: actor.displayName }], now);
      return { jobId };
    },
    startSender() {
      if (running) return;
      running = true;
      sender.start();
      totalsLoop = runTotals();
      scheduleLoop = runSchedule();
    },
    async stop() {
      running = false;
      wakeTotals();
      wakeSchedule();
      await sender.stop();
      await Promise.all([totalsLoop, scheduleLoop]);
      totalsLoop = null;
      scheduleLoop = null;
      await totals.flush();
    },
    flushTotals: () => totals.flush(),
    runScheduled,
    sender,
    render,
  };
}
