import type { Campaign } from '../../domain/campaign.ts';
import type { School } from '../../domain/school.ts';
import type { Clock } from '../../ports/clock.ts';
import type { ConversationRefs } from '../../ports/conversation-refs.ts';
import type { DeliveryQueue } from '../../ports/delivery-queue.ts';
import type { Directory } from '../../ports/directory.ts';
import type { LeaseStore } from '../../ports/lease-store.ts';
import type { MembershipSnapshots } from '../../ports/membership-snapshots.ts';
import type { Messenger } from '../../ports/messenger.ts';
import type { OnceMarkers } from '../../ports/once-markers.ts';
import type { RecordStore, Tagged } from '../../ports/record-store.ts';
import type { RecordsCheckRunner } from '../records-check.ts';
import type { RenderDelivery } from './card-renderer.ts';
import {
  createCampaignSender,
  type CampaignSender,
  type SenderOptions,
} from './campaign-sender.ts';
import { CampaignTotals } from './campaign-totals.ts';
import {
  runScheduledWork,
  type ScheduledWorkDeps,
  type ScheduledWorkReport,
} from './scheduled-work.ts';
import type { Timing } from './timing.ts';
import type { CheckpointWriterDeps } from '../write-checkpoint.ts';
import type { Telemetry } from '../../ports/telemetry.ts';

export interface CampaignRuntimeDeps {
  records: RecordStore;
  directory: Directory;
  queue: DeliveryQueue;
  leases: LeaseStore;
  conversations: ConversationRefs;
  markers: OnceMarkers;
  snapshots: MembershipSnapshots;
  messenger: Messenger;
  /** Where an admin's own test card goes instead (campaign-sender.ts); the messenger otherwise. */
  previewsTo?: () => Messenger | undefined;
  school: School;
  clock: Clock;
  timing: Timing;
  /** Draws each delivery's card. */
  render: RenderDelivery;
  /** This instance (lease holder id). */
  holderId: string;
  sender?: Partial<SenderOptions>;
  /**
   * Whether `start` runs the sender (default true). A trust's schools share one work store and
   * one tenant's Teams limits: one school's runtime sends every school's jobs, the others run
   * their scheduled work only.
   */
  sends?: boolean;
  /**
   * The records the sender's totals write to (default `records`): the site's, whole, where one
   * runtime sends every school's campaigns.
   */
  totalsRecords?: RecordStore;
  /** The scheduler lease's name and which running campaigns are this school's (scheduled-work.ts). */
  schedule?: Pick<ScheduledWorkDeps, 'lease' | 'ownedJobs'>;
  /** How often running totals go to SharePoint (default 30 s; always once more at the end). */
  totalsEveryMs?: number;
  /** How often the scheduled work runs while the sender runs (default 5 minutes; 0: never). */
  scheduleEveryMs?: number;
  /** The nightly records check, run by the scheduled work when due. */
  recordsCheck?: RecordsCheckRunner;
  /** Approval requests that reached no approver, counted for the admin digest (scheduled-work.ts). */
  approvalsNotReached?: () => Promise<number>;
  /** The scheduled work's signed checkpoint of the evidence (none when absent). */
  checkpoints?: CheckpointWriterDeps;
  /** Background failures (the store, a flush, scheduled work): the composition root logs them. */
  onError: (error: unknown) => void;
  /** Counts settled deliveries (countersign.campaign.deliveries, by outcome). */
  telemetry?: Telemetry;
}

/** When the scheduled work last ran on this instance (what readiness reads). */
export interface ScheduledRunState {
  /** How often it runs (0: never on this instance). */
  everyMs: number;
  /** When the runtime started (absent: not started). */
  startedAt?: Date;
  /** When a run last finished, failed or not (absent: none yet). */
  lastRunAt?: Date;
  /** The last run's failure, if it failed. */
  lastError?: string;
}

/** What runs in the background of an instance: the sender, the scheduled work, the totals. */
export interface CampaignRuntime {
  /** When the scheduled work last ran. */
  scheduledRun(): ScheduledRunState;
  readonly sender: CampaignSender;
  /** Starts the sender, and the loops for totals and the scheduled work (idempotent). */
  start(): void;
  /** Stops the sender and the loops, and writes final totals. */
  stop(): Promise<void>;
  /** Runs the scheduled work once now (what the loop does). */
  runScheduled(): Promise<ScheduledWorkReport>;
  /** Writes changed totals to the campaign records now. */
  flushTotals(): Promise<void>;
  /** A campaign record just read or written elsewhere (the next flush saves a read). */
  remember(tagged: Tagged<Campaign>): void;
}

/**
 * The campaign runtime: the sender loop (it sends only while this instance holds the sender
 * lease), the scheduled work every `scheduleEveryMs` (reminders, digests, new starters,
 * renewals; one instance at a time by its own lease), and the totals flush every
 * `totalsEveryMs` and whenever the queue runs dry.
 */
export function createCampaignRuntime(deps: CampaignRuntimeDeps): CampaignRuntime {
  const { timing } = deps;
  const totals = new CampaignTotals(deps.totalsRecords ?? deps.records, deps.queue);
  let totalsLoop: Promise<void> | null = null;
  let scheduleLoop: Promise<void> | null = null;
  let running = false;
  let wakeTotals: () => void = () => undefined;
  let wakeSchedule: () => void = () => undefined;
  const scheduleEvery = deps.scheduleEveryMs ?? 300_000;
  let scheduled: ScheduledRunState = { everyMs: Math.max(0, scheduleEvery) };

  function report(error: unknown): void {
    deps.onError(error);
  }

  const sender = createCampaignSender(
    {
      queue: deps.queue,
      leases: deps.leases,
      conversations: deps.conversations,
      messenger: deps.messenger,
      ...(deps.previewsTo === undefined ? {} : { previewsTo: deps.previewsTo }),
      render: deps.render,
      timing,
      holderId: deps.holderId,
      onError: deps.onError,
      onSettled: (job, _delivery, outcome) => {
        deps.telemetry?.count('countersign.campaign.deliveries', { outcome, kind: job.kind });
        if (job.kind === 'prompt' && job.campaignId !== undefined) totals.touch(job.campaignId);
      },
      onIdle: () => {
        totals.flush().catch(report);
      },
    },
    deps.sender,
  );

  const runScheduled = (): Promise<ScheduledWorkReport> =>
    runScheduledWork(
      {
        records: deps.records,
        directory: deps.directory,
        queue: deps.queue,
        leases: deps.leases,
        markers: deps.markers,
        snapshots: deps.snapshots,
        school: deps.school,
        holderId: deps.holderId,
        ...deps.schedule,
        ...(deps.recordsCheck === undefined ? {} : { recordsCheck: deps.recordsCheck }),
        ...(deps.approvalsNotReached === undefined
          ? {}
          : { approvalsNotReached: deps.approvalsNotReached }),
        ...(deps.checkpoints === undefined ? {} : { checkpoints: deps.checkpoints }),
      },
      deps.clock.now(),
    );

  const runSchedule = async (): Promise<void> => {
    const every = scheduleEvery;
    if (every <= 0) return;
    while (running) {
      await Promise.race([
        timing.sleep(every),
        new Promise<void>((resolve) => {
          wakeSchedule = resolve;
        }),
      ]);
      if (!running) break;
      await runScheduled().then(
        () => {
          scheduled = { ...scheduled, lastRunAt: deps.clock.now() };
          delete scheduled.lastError;
        },
        (error: unknown) => {
          scheduled = {
            ...scheduled,
            lastRunAt: deps.clock.now(),
            lastError: error instanceof Error ? error.message : String(error),
          };
          report(error);
        },
      );
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
    sender,
    scheduledRun: () => ({ ...scheduled }),
    start() {
      if (running) return;
      running = true;
      scheduled = { ...scheduled, startedAt: deps.clock.now() };
      if (deps.sends !== false) sender.start();
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
    runScheduled,
    flushTotals: () => totals.flush(),
    remember: (tagged) => {
      totals.remember(tagged);
    },
  };
}
