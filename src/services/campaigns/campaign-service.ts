import type { Campaign } from '../../domain/campaign.ts';
import type { School } from '../../domain/school.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Directory } from '../../ports/directory.ts';
import type { Messenger, OutgoingActivity } from '../../ports/messenger.ts';
import type { RecordStore } from '../../ports/record-store.ts';
import type { WorkStore } from '../../ports/work-store.ts';
import type { Actor } from '../actor.ts';
import type { RecordsCheckRunner } from '../records-check.ts';
import type { CardRenderer, RenderDelivery } from './card-renderer.ts';
import type { CampaignContext } from './campaign-context.ts';
import type { CheckpointWriterDeps } from '../write-checkpoint.ts';
import { createCampaignRuntime, type ScheduledRunState } from './campaign-runtime.ts';
import type { CampaignSender, SenderOptions } from './campaign-sender.ts';
import { campaignStatus, listCampaigns, type CampaignSummary } from './campaign-status.ts';
import { changeCampaignStatus } from './change-campaign-status.ts';
import { launchCampaign, type LaunchInput } from './launch-campaign.ts';
import {
  launchTrustCampaign,
  type TrustCampaignLaunch,
  type TrustLaunchInput,
} from './trust-campaign-launch.ts';
import { CountersignError } from '../../domain/errors.ts';
import type { TrustContext } from '../service-context.ts';
import { cachedPolicyReads, primedPolicyReads } from './policy-reads.ts';
import { personDeliveries, type PersonDeliveries } from './person-deliveries.ts';
import { previewCard } from './preview-card.ts';
import { recoverCampaign, type RecoveredCampaign } from './recover-campaign.ts';
import { deliveryRenderer } from './render-delivery.ts';
import type { ScheduledWorkReport } from './scheduled-work.ts';
import { sendTest } from './send-test.ts';
import { systemTiming, type Timing } from './timing.ts';
import type { Telemetry } from '../../ports/telemetry.ts';

export type { CampaignSummary };

/** What the API and the CLI use to run campaigns. Every method checks the actor's role. */
export interface CampaignService {
  launch(actor: Actor, input: LaunchInput): Promise<Campaign>;
  /**
   * The trust lead launches a trust policy's campaign in every school at once, each school's
   * campaign its own (trust-campaign-launch.ts). Only the trust's sender has the trust.
   */
  launchTrust(
    actor: Actor,
    policyKey: string,
    input: TrustLaunchInput,
  ): Promise<TrustCampaignLaunch>;
  list(actor: Actor): Promise<CampaignSummary[]>;
  get(actor: Actor, campaignId: string): Promise<CampaignSummary>;
  pause(actor: Actor, campaignId: string): Promise<Campaign>;
  resume(actor: Actor, campaignId: string): Promise<Campaign>;
  cancel(actor: Actor, campaignId: string): Promise<Campaign>;
  /** Carries on a campaign whose delivery records were lost, to those not yet signed. */
  recover(actor: Actor, campaignId: string): Promise<RecoveredCampaign>;
  /** Every prompt and reminder of a policy meant for one person, and what became of each. */
  personDeliveries(actor: Actor, policyKey: string, userId: string): Promise<PersonDeliveries>;
  /** The exact card a person would receive (the tab renders it before launching). */
  previewCard(actor: Actor, policyKey: string, versionNumber: number): Promise<OutgoingActivity>;
  /** Sends the prompt to the admin themself, through the same sender. */
  sendTest(
    actor: Actor,
    input: { policyKey: string; versionNumber: number; deadline?: string },
  ): Promise<{ jobId: string }>;
  /**
   * Runs this instance's sender (it sends only while it holds the sender lease) and, every
   * `scheduleEveryMs`, the scheduled work (reminders, digests, new starters, renewals, the
   * evidence checkpoint).
   */
  startSender(): void;
  /** Stops the sender and the scheduled work, and writes final totals. */
  stop(): Promise<void>;
  /** Runs the scheduled work once now (what the timer does). */
  runScheduled(): Promise<ScheduledWorkReport>;
  /** When the timer's scheduled work last ran on this instance (readiness). */
  scheduledRun(): ScheduledRunState;
  /** Writes changed totals to the campaign records now. */
  flushTotals(): Promise<void>;
  readonly sender: CampaignSender;
  /** Renders one delivery (the sender's card function; exposed for the scheduler and tests). */
  render: RenderDelivery;
}

export interface CampaignDeps {
  records: RecordStore;
  directory: Directory;
  /** The work store: each part below gets only the ports it uses. */
  work: WorkStore;
  messenger: Messenger;
  /** Where an admin's own test card goes instead (campaign-sender.ts); the messenger otherwise. */
  previewsTo?: () => Messenger | undefined;
  cards: CardRenderer;
  school: School;
  clock: Clock;
  timing?: Timing;
  newId: () => string;
  /** This instance (lease holder id). */
  holderId: string;
  sender?: Partial<SenderOptions>;
  /**
   * A trust's schools share one work store and the tenant's Teams limits (issue 14, item 3):
   * - `sender`: this service's runtime sends every school's jobs (drawing each card from the
   *   site's records: policy keys are unique in the site) and keeps their totals there;
   * - `scheduled-only`: its runtime runs its school's scheduled work only, its jobs sent by the
   *   sender's.
   * `lease` names its scheduler lease, and only the running campaigns of its own school's
   * policies are reminded and digested. Absent: a deployment of one school, as before.
   */
  trust?: {
    role:
      | {
          kind: 'sender';
          siteRecords: RecordStore;
          /** The trust whose policies' campaigns the lead launches here (launchTrust). */
          trust?: TrustContext;
        }
      | { kind: 'scheduled-only' };
    /** Default: the one scheduler lease of a school of one (SCHEDULER_LEASE). */
    lease?: string;
  };
  /** How often running totals go to SharePoint (default 30 s; always once more at the end). */
  totalsEveryMs?: number;
  /** How often the scheduled work runs while the sender runs (default 5 minutes; 0: never). */
  scheduleEveryMs?: number;
  /** The nightly records check (the service's), run by the scheduled work when due. */
  recordsCheck?: RecordsCheckRunner;
  /** Approval requests that reached no approver, counted for the admin digest (scheduled-work.ts). */
  approvalsNotReached?: () => Promise<number>;
  /** The scheduled work's signed checkpoint of the evidence (none when absent). */
  checkpoints?: CheckpointWriterDeps;
  /** Background failures of the runtime: the composition root logs them. */
  onError: (error: unknown) => void;
  /** Counts settled deliveries (countersign.campaign.deliveries). */
  telemetry?: Telemetry;
}

/**
 * The composition of campaigns: the commands (launch-campaign.ts, campaign-status.ts,
 * change-campaign-status.ts, preview-card.ts, send-test.ts) over one context, and the runtime
 * (campaign-runtime.ts: sender, scheduled work, totals) this instance runs.
 */
export function createCampaignService(deps: CampaignDeps): CampaignService {
  const { records, directory, work, clock } = deps;
  const policies = cachedPolicyReads(records, directory, clock);
  const role = deps.trust?.role;
  // The sender of a trust draws every school's cards (and reads their signatures) from the
  // site's records; a school's own reads stay its own.
  const renderRecords = role?.kind === 'sender' ? role.siteRecords : records;
  // The trust's sender's cards: what a trust-wide launch read serves its jobs' first cards.
  const senderReads =
    role?.kind === 'sender'
      ? primedPolicyReads(cachedPolicyReads(renderRecords, directory, clock), clock)
      : undefined;
  const render = deliveryRenderer(deps.cards, senderReads ?? policies, renderRecords);
  const runtime = createCampaignRuntime({
    records,
    directory,
    queue: work,
    leases: work,
    conversations: work,
    markers: work,
    snapshots: work,
    messenger: deps.messenger,
    ...(deps.previewsTo === undefined ? {} : { previewsTo: deps.previewsTo }),
    school: deps.school,
    clock,
    timing: deps.timing ?? systemTiming,
    render,
    holderId: deps.holderId,
    ...(deps.sender === undefined ? {} : { sender: deps.sender }),
    ...(role === undefined
      ? {}
      : {
          sends: role.kind === 'sender',
          ...(role.kind === 'sender' ? { totalsRecords: role.siteRecords } : {}),
          schedule: {
            ...(deps.trust?.lease === undefined ? {} : { lease: deps.trust.lease }),
            // The school's view lists its own policies only: a job of another's is not its own.
            // One listing a run, not a policy read a job: with every school's run seeing every
            // school's running jobs, that was 2 RU × schools² a round (bench:trust, 30 schools:
            // 1,740 of a round's 3,080 RU).
            ownedJobs: async (jobs) => {
              if (jobs.length === 0) return [];
              const own = new Set(
                (await records.listPolicies(deps.school.id)).map((policy) => policy.key),
              );
              return jobs.filter((job) => own.has(job.policyKey));
            },
          },
        }),
    ...(deps.totalsEveryMs === undefined ? {} : { totalsEveryMs: deps.totalsEveryMs }),
    ...(deps.scheduleEveryMs === undefined ? {} : { scheduleEveryMs: deps.scheduleEveryMs }),
    ...(deps.recordsCheck === undefined ? {} : { recordsCheck: deps.recordsCheck }),
    ...(deps.approvalsNotReached === undefined
      ? {}
      : { approvalsNotReached: deps.approvalsNotReached }),
    ...(deps.checkpoints === undefined ? {} : { checkpoints: deps.checkpoints }),
    onError: deps.onError,
    ...(deps.telemetry === undefined ? {} : { telemetry: deps.telemetry }),
  });
  const ctx: CampaignContext = {
    records,
    directory,
    queue: work,
    cards: deps.cards,
    school: deps.school,
    clock,
    newId: deps.newId,
    policies,
    remember: (tagged) => runtime.remember(tagged),
    ...(senderReads === undefined
      ? {}
      : { primeCards: (policy, versions) => senderReads.prime(policy, versions) }),
  };
  return {
    launch: (actor, input) => launchCampaign(ctx, actor, input),
    launchTrust: (actor, policyKey, input) => {
      if (role?.kind !== 'sender' || role.trust === undefined) {
        return Promise.reject(
          new CountersignError('not-found', 'This deployment serves no trust.'),
        );
      }
      return launchTrustCampaign(ctx, role.trust, actor, policyKey, input);
    },
    list: (actor) => listCampaigns(ctx, actor),
    get: (actor, campaignId) => campaignStatus(ctx, actor, campaignId),
    pause: (actor, campaignId) => changeCampaignStatus(ctx, actor, campaignId, 'pause'),
    resume: (actor, campaignId) => changeCampaignStatus(ctx, actor, campaignId, 'resume'),
    cancel: (actor, campaignId) => changeCampaignStatus(ctx, actor, campaignId, 'cancel'),
    recover: (actor, campaignId) => recoverCampaign(ctx, actor, campaignId),
    personDeliveries: (actor, policyKey, userId) => personDeliveries(ctx, actor, policyKey, userId),
    previewCard: (actor, policyKey, versionNumber) =>
      previewCard(ctx, actor, policyKey, versionNumber),
    sendTest: (actor, input) => sendTest(ctx, actor, input),
    startSender: () => runtime.start(),
    stop: () => runtime.stop(),
    runScheduled: () => runtime.runScheduled(),
    scheduledRun: () => runtime.scheduledRun(),
    flushTotals: () => runtime.flushTotals(),
    sender: runtime.sender,
    render,
  };
}
