import { CountersignError } from '../../domain/errors.ts';
import type {
  ConversationRef,
  CreateConversationOutcome,
  Messenger,
  OutgoingActivity,
  SendOutcome,
} from '../../ports/messenger.ts';
import type { ConversationRefs } from '../../ports/conversation-refs.ts';
import type { Delivery, DeliveryJob, DeliveryQueue } from '../../ports/delivery-queue.ts';
import { deliveryKey } from '../../ports/delivery-queue.ts';
import type { Fence, LeaseGrant, LeaseStore } from '../../ports/lease-store.ts';
import type { RenderDelivery } from './card-renderer.ts';
import { noCardBecause, UPDATE_NOT_SENT } from './card-update-outcome.ts';
import { updateJobDataSchema } from './job-data.ts';
import { backoffMs, Pacer, type PacerOptions } from './pacing.ts';
import type { Timing } from './timing.ts';

export const SENDER_LEASE = 'campaign-sender';
/** Jobs whose card data the sender keeps read (a few are sent at once; a cap keeps it so). */
const MAX_CACHED_JOBS = 100;
/**
 * How long a job read is used before it is read again: a relaunch moves a running job's
 * deadline in the store (another instance, often), and the cards still to send must follow it.
 */
const JOB_READ_MS = 10_000;

export interface SenderOptions {
  /** Teams' limits and the margin kept from them. */
  pacing: Partial<PacerOptions>;
  /** Most sends in progress at once (a real connector answers in 100–300 ms). */
  concurrency: number;
  leaseTtlMs: number;
  renewEveryMs: number;
  /** How often the lease holder looks for work when there is none. */
  idlePollMs: number;
  /**
   * How often an instance that does not hold the lease tries to take it (default: half the
   * lease's TTL). A standby only waits for the holder's lease to run out or be released, so
   * polling faster buys nothing but storage requests.
   */
  standbyPollMs?: number;
  /**
   * Look for more work once this many sends can start (default: a quarter of `concurrency`),
   * so that one query serves several recipients rather than one.
   */
  refillAt?: number;
  /** In-flight rows claimed longer ago than this are presumed lost and sent again. */
  staleAfterMs: number;
  /** 5xx / network failures before a delivery is failed. */
  maxTransientAttempts: number;
  /** Attempts of any kind (429s included) before a delivery is failed: never forever. */
  maxAttempts: number;
  /**
   * How long after installing the app for someone Teams may still refuse their 1:1 chat (403
   * or 404) while the install lands: until then the delivery stays queued and is retried with
   * backoff (`maxAttempts` still bounds it); after it, it fails.
   */
  installWaitMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** How long everyone pauses after a lone 429 (the throttled delivery waits its Retry-After). */
  loneThrottleHoldMs: number;
  /**
   * A 429 for a request sent after the last reaction, and within this long of it, means the
   * short pause was not enough: everyone waits the full Retry-After.
   */
  throttleEscalateWindowMs: number;
}

export const DEFAULT_SENDER_OPTIONS: SenderOptions = {
  pacing: {},
  concurrency: 16,
  leaseTtlMs: 15_000,
  renewEveryMs: 5_000,
  idlePollMs: 1_000,
  staleAfterMs: 120_000,
  maxTransientAttempts: 5,
  maxAttempts: 50,
  installWaitMs: 15 * 60_000,
  backoffBaseMs: 1_000,
  backoffMaxMs: 60_000,
  loneThrottleHoldMs: 100,
  throttleEscalateWindowMs: 2_000,
};

export interface SenderDeps {
  /** Claims, settles and requeues deliveries (fenced by the sender lease). */
  queue: DeliveryQueue;
  /** The sender lease: only its holder sends. */
  leases: LeaseStore;
  /** Each person's 1:1 conversation, created on first send. */
  conversations: ConversationRefs;
  messenger: Messenger;
  /**
   * Where an admin's own test card ("send it to myself", a `test` job) goes instead of their 1:1
   * chat, asked at each such delivery: the local run answers the Agents Playground's chat on
   * screen while the Playground runs (src/dev/playground/playground-chat.ts); undefined (always,
   * in production) sends it like any card.
   */
  previewsTo?: () => Messenger | undefined;
  render: RenderDelivery;
  timing: Timing;
  /** This instance, e.g. host name + process id + random: the lease holder. */
  holderId: string;
  random?: () => number;
  /**
   * Something went wrong that is not a recipient's outcome (the store, a card): reported, not
   * hidden. Required: the composition root logs it (there is no console fallback).
   */
  onError: (error: unknown) => void;
  /** A delivery settled (sent, failed or requeued); the service flushes totals from this. */
  onSettled?: (job: DeliveryJob, delivery: Delivery, outcome: SettledOutcome) => void;
  /** The queue ran dry after some work (the moment for final totals). */
  onIdle?: () => void;
}

export type SettledOutcome = 'sent' | 'failed' | 'requeued' | 'dropped';

/**
 * 403 codes no install changes (Microsoft's "Status codes from bot conversational APIs", in
 * "Send and receive messages"): the person blocked the bot, or the tenant admin disabled it.
 */
const REFUSALS_NO_INSTALL_CHANGES = new Set(['ConversationBlockedByUser', 'BotDisabledByAdmin']);

/** The app was installed for the person (at `since`, epoch ms) and Teams still refuses the chat. */
interface Installing {
  kind: 'installing';
  since: number;
  reason: string;
}

export interface SenderStats {
  sent: number;
  failed: number;
  requeued: number;
  throttled: number;
  transient: number;
  conversationsCreated: number;
  /** App installs asked for (after a 403 on creating the conversation). */
  installs: number;
  /** Rows the store refused to claim (paused, cancelled, taken by another sender). */
  claimRefused: number;
  /** Deliveries put back in the queue because the app install had not landed yet. */
  installing: number;
  /** In-flight rows found from an earlier sender and put back in the queue. */
  recovered: number;
  inProgress: number;
  holdsLease: boolean;
  leaseToken?: number;
  /** Loop turns in a row that failed outside any delivery (the store itself); 0 when healthy. */
  consecutiveErrors: number;
}

export interface CampaignSender {
  /** Starts the loop (idempotent). */
  start(): void;
  /** Stops taking work, waits for sends in progress, releases the lease. */
  stop(): Promise<void>;
  /** Resolves when this sender holds the lease and no queued or in-flight work of running jobs is left. */
  untilIdle(): Promise<void>;
  stats(): SenderStats;
}

/**
 * The fan-out loop: only the holder of the sender lease sends. Each delivery is claimed
 * (in-flight) immediately before its one connector call and settled right after, so a crash
 * repeats at most the sends in progress. Pacing: the tenant's and each conversation's windows
 * (Pacer); concurrency bounded by `concurrency`.
 */
export function createCampaignSender(
  deps: SenderDeps,
  options: Partial<SenderOptions> = {},
): CampaignSender {
  const opts: SenderOptions = { ...DEFAULT_SENDER_OPTIONS, ...options };
  const standbyPollMs = opts.standbyPollMs ?? opts.leaseTtlMs / 2;
  const refillAt = Math.max(1, opts.refillAt ?? Math.floor(opts.concurrency / 4));
  const { queue, leases, conversations, messenger, timing } = deps;
  const random = deps.random ?? Math.random;
  const pacer = new Pacer(timing, opts.pacing);
  const inProgress = new Set<string>();
  const jobs = new Map<string, { job: DeliveryJob; readAt: number }>();
  const stats: SenderStats = {
    sent: 0,
    failed: 0,
    requeued: 0,
    throttled: 0,
    transient: 0,
    conversationsCreated: 0,
    installs: 0,
    installing: 0,
    claimRefused: 0,
    recovered: 0,
    inProgress: 0,
    holdsLease: false,
    consecutiveErrors: 0,
  };
  let grant: LeaseGrant | null = null;
  let renewAt = 0;
  let running = false;
  let loop: Promise<void> | null = null;
  let wake: (() => void) | null = null;
  let idleWaiters: (() => void)[] = [];
  let busy = false;
  /** When the sender last reacted to a 429 (epoch ms). */
  let reactedAt = Number.NEGATIVE_INFINITY;
  let sweepAt = 0;
  /**
   * When this sender installed the app for a person whose chat Teams still refuses (epoch ms).
   * In memory: after a restart the install is asked for again (409, already installed, is
   * success) and the wait starts afresh, still bounded by `maxAttempts`.
   */
  const installedAt = new Map<string, number>();
  /**
   * People whose stored conversation Teams answered "not in the roster" (the app was removed
   * since it was stored): it is not used again by this sender; the next attempt installs and
   * creates anew, and the new reference replaces it. In memory, like installedAt: another
   * instance learns the same from the same answer.
   */
  const rosterGone = new Set<string>();
  /**
   * Rows this sender claimed and has not seen settled, with when (epoch ms): what its periodic
   * sweep is for. A settle that threw leaves its row here until the sweep puts it back.
   */
  const unsettled = new Map<string, number>();
  const claimed = async (row: Delivery, claim: Fence): Promise<boolean> => {
    const at = timing.now();
    const key = deliveryKey(row.jobId, row.userId);
    // Noted before the claim: a claim whose answer never came (the store cut off) may have
    // landed, and only the sweep brings such a row back.
    unsettled.set(key, at);
    const ok = await queue.markInFlight(row.jobId, row.userId, claim, new Date(at));
    if (!ok) unsettled.delete(key);
    return ok;
  };
  const settledRow = (row: Delivery): void => {
    unsettled.delete(deliveryKey(row.jobId, row.userId));
  };

  const now = (): Date => new Date(timing.now());
  const report = (error: unknown): void => deps.onError(error);
  const fence = (): Fence => ({ lease: SENDER_LEASE, token: grant?.token ?? -1 });

  /** Sleeps, but a finishing worker or stop() cuts it short. */
  const nap = async (ms: number): Promise<void> => {
    await Promise.race([
      timing.sleep(ms),
      new Promise<void>((resolve) => {
        wake = resolve;
      }),
    ]);
    wake = null;
  };
  const poke = (): void => {
    wake?.();
  };

  const jobOf = async (jobId: string): Promise<DeliveryJob | null> => {
    const cached = jobs.get(jobId);
    if (cached !== undefined && timing.now() - cached.readAt < JOB_READ_MS) return cached.job;
    jobs.delete(jobId);
    const job = await queue.getJob(jobId);
    if (job !== null) {
      // The jobs being sent now, not every job this instance ever sent: the oldest read goes.
      if (jobs.size >= MAX_CACHED_JOBS) jobs.delete(jobs.keys().next().value ?? '');
      jobs.set(jobId, { job, readAt: timing.now() });
    }
    return job;
  };

  const holdLease = async (): Promise<boolean> => {
    const at = timing.now();
    if (grant !== null && at < renewAt) return true;
    if (grant !== null) {
      grant = await leases.renewLease(grant, opts.leaseTtlMs, now());
      if (grant === null) {
        // Lost (we stalled past expiry and someone took it): stop claiming; settle what is out.
        stats.holdsLease = false;
        return false;
      }
      renewAt = at + opts.renewEveryMs;
      return true;
    }
    grant = await leases.acquireLease(SENDER_LEASE, deps.holderId, opts.leaseTtlMs, now());
    stats.holdsLease = grant !== null;
    if (grant === null) return false;
    stats.leaseToken = grant.token;
    renewAt = at + opts.renewEveryMs;
    // Taking over from an earlier holder (token > 1): it may have sent a second's worth of
    // requests just now, which our empty windows know nothing of, and the connector counts them
    // all against the tenant's 50 a second. Waiting out one tenant window before the first send
    // costs about a second per takeover; sending at once drew 429s (campaign-sender.test.ts).
    if (grant.token > 1) pacer.holdUntil(at + pacer.tenantWindowMs);
    // A new holder: anything an earlier sender left in flight goes back in the queue (this
    // sender's own claims under an older token included).
    stats.recovered += await queue.requeueStale(fence(), new Date(at - opts.staleAfterMs), now());
    unsettled.clear();
    return true;
  };

  /**
   * The person's stored conversation, if one may be used. A reference outside Teams (stored
   * before the bot endpoint was closed to forgeries) is ignored: the real 1:1 conversation is
   * created afresh and overwrites it.
   */
  const storedConversation = async (userId: string): Promise<ConversationRef | null> => {
    if (rosterGone.has(userId)) return null;
    const stored = await conversations.getConversation(userId);
    return stored !== null && messenger.trusts(stored.serviceUrl) ? stored : null;
  };

  const conversationFor = async (
    userId: string,
    stored: ConversationRef | null,
  ): Promise<ConversationRef | SendOutcome | Installing> => {
    if (stored !== null) return stored;
    // Creating the conversation is a connector call: it counts against the same 50 a second.
    const create = async () => {
      const answered = await pacer.takeTenant();
      try {
        return await messenger.createConversation(userId);
      } finally {
        answered();
      }
    };
    /**
     * Teams refuses the chat in a way an install may change: not in the roster (403 or 404,
     * BotNotInConversationRoster), or a 403 or 404 with another code (what Teams answers for
     * a create without the app is not documented beyond that code), but never a 403 that no
     * install changes (blocked, disabled by the admin).
     */
    const installMayHelp = (
      outcome: CreateConversationOutcome,
    ): outcome is Extract<SendOutcome, { kind: 'not-installed' | 'not-found' | 'forbidden' }> =>
      outcome.kind === 'not-installed' ||
      outcome.kind === 'not-found' ||
      (outcome.kind === 'forbidden' && !REFUSALS_NO_INSTALL_CHANGES.has(outcome.code ?? ''));
    let created = await create();
    if (installMayHelp(created)) {
      // Most people have the app already, so install (a Graph call) only when Teams says the
      // bot cannot reach them, then try once more.
      let since = installedAt.get(userId);
      if (since === undefined) {
        await messenger.ensureInstalled(userId);
        stats.installs += 1;
        since = timing.now();
        installedAt.set(userId, since);
      }
      created = await create();
      // The install is asynchronous: Teams may refuse the chat for a while after Graph said yes.
      if (installMayHelp(created)) {
        return { kind: 'installing', since, reason: created.reason };
      }
    }
    if (created.kind !== 'ok') return created;
    installedAt.delete(userId);
    rosterGone.delete(userId);
    stats.conversationsCreated += 1;
    // One member lookup per new conversation: the person's Teams user id (MRI) for the card's
    // refresh.userIds, when no activity of theirs gave it (the app installed before the bot saw
    // them). A connector call, so paced like the create; no answer is no id, never a failure.
    const answered = await pacer.takeTenant();
    let mri: string | undefined;
    try {
      mri = await messenger.teamsUserId(created.ref);
    } finally {
      answered();
    }
    const ref = mri === undefined ? created.ref : { ...created.ref, userMri: mri };
    await conversations.putConversation({ ...ref, updatedAt: now().toISOString() });
    return ref;
  };

  /** `sentAt`: when the request left (epoch ms), to tell one bunch of 429s from a new one. */
  const settle = async (
    row: Delivery,
    outcome: SendOutcome,
    claim: Fence,
    sentAt = timing.now(),
  ): Promise<SettledOutcome> => {
    // The fence the row was claimed with: if the lease was lost meanwhile, this answer still
    // settles the row (nobody else has re-claimed it, or its fence would differ).
    const f = claim;
    const at = now();
    const attempts = row.attempts + 1;
    switch (outcome.kind) {
      case 'ok':
        await queue.markSent(row.jobId, row.userId, f, at, outcome.id);
        stats.sent += 1;
        return 'sent';
      case 'throttled': {
        stats.throttled += 1;
        const nowMs = timing.now();
        const wait =
          outcome.retryAfterMs ??
          backoffMs(attempts, opts.backoffBaseMs, opts.backoffMaxMs, random);
        // This delivery waits the whole Retry-After. The others: requests sent before the last
        // reaction belong to a bunch already answered. A new 429 pauses everyone briefly and
        // widens the pacing margin (a request that reached the connector bunched up behind a
        // stall); another soon after that pause means the connector really wants quiet, and
        // everyone waits the Retry-After out.
        if (sentAt >= reactedAt) {
          const escalate = nowMs - reactedAt < opts.throttleEscalateWindowMs;
          reactedAt = nowMs;
          pacer.throttled();
          pacer.holdUntil(nowMs + (escalate ? wait : Math.min(wait, opts.loneThrottleHoldMs)));
        }
        if (attempts >= opts.maxAttempts) {
          await queue.markFailed(row.jobId, row.userId, f, at, `429 throttled ${attempts} times`);
          stats.failed += 1;
          return 'failed';
        }
        await queue.requeue(
          row.jobId,
          row.userId,
          f,
          new Date(timing.now() + wait),
          at,
          '429 throttled',
        );
        stats.requeued += 1;
        return 'requeued';
      }
      case 'transient': {
        stats.transient += 1;
        if (attempts >= Math.min(opts.maxTransientAttempts, opts.maxAttempts)) {
          await queue.markFailed(
            row.jobId,
            row.userId,
            f,
            at,
            `${outcome.reason} (gave up after ${attempts} attempts)`,
          );
          stats.failed += 1;
          return 'failed';
        }
        const wait = backoffMs(attempts, opts.backoffBaseMs, opts.backoffMaxMs, random);
        await queue.requeue(
          row.jobId,
          row.userId,
          f,
          new Date(timing.now() + wait),
          at,
          outcome.reason,
        );
        stats.requeued += 1;
        return 'requeued';
      }
      case 'not-installed': {
        // The conversation was reached before and the bot is no longer in the person's roster
        // (the app was removed): the docs say not to retry the same call, so the stored
        // conversation is set aside and the next attempt installs the app and creates a new
        // one, waiting for the install like anyone's first (bounded by installWaitMs there,
        // and by maxAttempts here).
        rosterGone.add(row.userId);
        if (attempts >= opts.maxAttempts) {
          await queue.markFailed(row.jobId, row.userId, f, at, outcome.reason);
          stats.failed += 1;
          return 'failed';
        }
        await queue.requeue(
          row.jobId,
          row.userId,
          f,
          new Date(
            timing.now() + backoffMs(attempts, opts.backoffBaseMs, opts.backoffMaxMs, random),
          ),
          at,
          `app removed, installing again: ${outcome.reason}`,
        );
        stats.requeued += 1;
        return 'requeued';
      }
      case 'forbidden':
      case 'not-found':
      case 'rejected':
        await queue.markFailed(row.jobId, row.userId, f, at, outcome.reason);
        stats.failed += 1;
        return 'failed';
    }
  };

  /** Teams still refuses the chat after the install: wait for it to land, until the deadline. */
  const settleInstalling = async (
    job: DeliveryJob,
    row: Delivery,
    target: Installing,
  ): Promise<void> => {
    const claim = fence();
    if (!(await claimed(row, claim))) {
      stats.claimRefused += 1;
      return;
    }
    const attempts = row.attempts + 1;
    const waited = timing.now() - target.since;
    let settled: SettledOutcome;
    if (waited >= opts.installWaitMs || attempts >= opts.maxAttempts) {
      installedAt.delete(row.userId);
      const reason = `${target.reason} (app installed ${Math.round(waited / 1000)} s ago, still not reachable)`;
      await queue.markFailed(row.jobId, row.userId, claim, now(), reason);
      stats.failed += 1;
      settled = 'failed';
    } else {
      const wait = backoffMs(attempts, opts.backoffBaseMs, opts.backoffMaxMs, random);
      const notBefore = new Date(Math.min(timing.now() + wait, target.since + opts.installWaitMs));
      await queue.requeue(
        row.jobId,
        row.userId,
        claim,
        notBefore,
        now(),
        `installing: ${target.reason}`,
      );
      stats.installing += 1;
      stats.requeued += 1;
      settled = 'requeued';
    }
    settledRow(row);
    deps.onSettled?.(job, row, settled);
  };

  /**
   * Claims the row and puts it back in the queue for after `waitMs`, nothing sent: what it
   * needed from Microsoft 365 was refused as down or busy. Bounded by `maxAttempts` like every
   * retry, not by the few transient attempts, so an outage of minutes fails nobody.
   */
  const settleLater = async (
    job: DeliveryJob,
    row: Delivery,
    waitMs: number,
    reason: string,
  ): Promise<void> => {
    const claim = fence();
    if (!(await claimed(row, claim))) {
      stats.claimRefused += 1;
      return;
    }
    const attempts = row.attempts + 1;
    let settled: SettledOutcome;
    if (attempts >= opts.maxAttempts) {
      await queue.markFailed(row.jobId, row.userId, claim, now(), `${reason} (${attempts} times)`);
      stats.failed += 1;
      settled = 'failed';
    } else {
      await queue.requeue(
        row.jobId,
        row.userId,
        claim,
        new Date(timing.now() + waitMs),
        now(),
        reason,
      );
      stats.requeued += 1;
      settled = 'requeued';
    }
    settledRow(row);
    deps.onSettled?.(job, row, settled);
  };

  /** Claims the row and settles it with an outcome that came before any send. */
  const settleUnsent = async (
    job: DeliveryJob,
    row: Delivery,
    outcome: SendOutcome,
  ): Promise<void> => {
    const claim = fence();
    if (!(await claimed(row, claim))) {
      stats.claimRefused += 1;
      return;
    }
    const settled = await settle(row, outcome, claim);
    settledRow(row);
    deps.onSettled?.(job, row, settled);
  };

  /**
   * The card an `update` row replaces: the activity id its job's row for the person holds once
   * sent. Still to be sent (queued, in flight): wait for it, retried with backoff like any
   * delivery. Never sent (failed, skipped, no row): there is no card to update.
   */
  const cardToUpdate = async (
    job: DeliveryJob,
    row: Delivery,
  ): Promise<
    | { kind: 'update'; activityId: string }
    | { kind: 'wait'; reason: string }
    | { kind: 'none'; reason: string }
  > => {
    const { updates } = updateJobDataSchema.parse(job.data);
    const source = await queue.getDelivery(updates, row.userId);
    switch (source?.state) {
      case 'sent':
        if (source.activityId === undefined || source.activityId === '') {
          return { kind: 'none', reason: UPDATE_NOT_SENT.activityIdNotKept };
        }
        // Sent once every sender's read of its job was after the move: drawn with the new
        // deadline already (the update was queued while it waited in the queue).
        if (Date.parse(source.updatedAt) >= Date.parse(job.createdAt) + JOB_READ_MS) {
          return { kind: 'none', reason: UPDATE_NOT_SENT.sentWithNewDeadline };
        }
        return { kind: 'update', activityId: source.activityId };
      case 'queued':
      case 'in-flight':
        return { kind: 'wait', reason: 'waiting for the card to update to be sent' };
      case 'failed':
      case 'skipped':
        return { kind: 'none', reason: noCardBecause(source.state) };
      case undefined:
        return { kind: 'none', reason: UPDATE_NOT_SENT.noneMeant };
    }
  };

  const deliver = async (row: Delivery): Promise<void> => {
    const job = await jobOf(row.jobId);
    if (job === null) throw new CountersignError('not-found', `Job ${row.jobId} is missing.`);
    // An update replaces the card another job sent (a relaunch moved the deadline), paced and
    // settled like a send: PUT v3/conversations/{id}/activities/{activityId} ("Update and
    // delete messages sent from bot", learn.microsoft.com/microsoftteams/platform/bots/how-to/
    // update-and-delete-bot-messages; the same per-bot and per-conversation limits apply).
    let replaces: string | undefined;
    if (job.kind === 'update') {
      const card = await cardToUpdate(job, row);
      if (card.kind === 'wait') {
        const wait = backoffMs(row.attempts + 1, opts.backoffBaseMs, opts.backoffMaxMs, random);
        await settleLater(job, row, wait, card.reason);
        return;
      }
      if (card.kind === 'none') {
        await settleUnsent(job, row, { kind: 'rejected', status: 0, reason: card.reason });
        return;
      }
      replaces = card.activityId;
    }
    // Read first: the card names the person by Teams user id when one was stored with their
    // conversation (a store that fails here fails the turn, reported; the row stays queued).
    const stored = await storedConversation(row.userId);
    /** The card for this person, or undefined when there is none to send (settled here). */
    const draw = async (teamsUserId: string | undefined): Promise<OutgoingActivity | undefined> => {
      let drawn: OutgoingActivity | null;
      try {
        drawn = await deps.render(job, row, teamsUserId === undefined ? {} : { teamsUserId });
      } catch (error) {
        const wait = upstreamPauseMs(error);
        if (wait !== undefined) {
          // Microsoft 365 is down or busy (the card reads the records): the card will draw once
          // it answers, so the person waits in the queue rather than being failed for good.
          await settleLater(job, row, wait, `records unavailable: ${describe(error)}`);
          return undefined;
        }
        // A card that cannot be drawn will not draw on retry: fail the delivery, visibly.
        const reason = `card could not be rendered: ${error instanceof Error ? error.message : String(error)}`;
        await settleUnsent(job, row, { kind: 'rejected', status: 0, reason });
        return undefined;
      }
      if (drawn === null) {
        // Only an update answers nothing to send: the person signed since it was queued, and
        // their card shows that. Settled (as failed, with the reason) so the job can finish.
        await settleUnsent(job, row, {
          kind: 'rejected',
          status: 0,
          reason: UPDATE_NOT_SENT.signedSince,
        });
        return undefined;
      }
      return drawn;
    };
    let activity = await draw(stored?.userMri);
    if (activity === undefined) return;
    const via = (job.kind === 'test' ? deps.previewsTo?.() : undefined) ?? messenger;
    let target: ConversationRef | SendOutcome | Installing;
    try {
      if (via === messenger) {
        target = await conversationFor(row.userId, stored);
      } else {
        // A preview's chat is the one on screen: asked for each time, never stored as theirs.
        const created = await via.createConversation(row.userId);
        target = created.kind === 'ok' ? created.ref : created;
      }
    } catch (error) {
      const wait = upstreamPauseMs(error);
      if (wait !== undefined) {
        await settleLater(job, row, wait, `app install waiting for Graph: ${describe(error)}`);
        return;
      }
      // Installing the app (Graph) failed after the gateway's own retries: try again later.
      const reason = `app install failed: ${error instanceof Error ? error.message : String(error)}`;
      await settleUnsent(job, row, { kind: 'transient', reason });
      return;
    }
    if ('kind' in target && target.kind === 'installing') {
      await settleInstalling(job, row, target);
      return;
    }
    if (!('conversationId' in target)) {
      await settleUnsent(job, row, target);
      return;
    }
    if (via === messenger && target.userMri !== undefined && target.userMri !== stored?.userMri) {
      // The conversation was just made and its lookup gave the person's Teams user id: draw the
      // card again naming it (once per person ever; the card drawn first did not know it).
      activity = await draw(target.userMri);
      if (activity === undefined) return;
    }
    const answered = await pacer.take(target.conversationId);
    const claim = fence();
    let outcome: SendOutcome;
    const sentAt = timing.now();
    try {
      if (!(await claimed(row, claim))) {
        stats.claimRefused += 1;
        deps.onSettled?.(job, row, 'dropped');
        return;
      }
      if (replaces === undefined) {
        outcome = await via.sendActivity(target, activity);
      } else {
        const updated = await via.updateActivity(target, replaces, activity);
        // The row keeps the id of the card it replaced (an update may answer without one).
        outcome = updated.kind === 'ok' ? { kind: 'ok', id: replaces } : updated;
      }
    } finally {
      answered();
    }
    const settled = await settle(row, outcome, claim, sentAt);
    settledRow(row);
    deps.onSettled?.(job, row, settled);
  };

  /** No queued rows (due now or later) and no claimed rows of running jobs. */
  const nothingLeft = async (): Promise<boolean> => {
    if ((await queue.nextQueued({ now: new Date(8.64e15), limit: 1 })).length > 0) return false;
    for (const job of await queue.listJobs({ status: 'running' })) {
      if ((await queue.countDeliveries({ jobId: job.id })).inFlight > 0) return false;
    }
    return true;
  };

  const run = async (): Promise<void> => {
    while (running) {
      try {
        if (!(await holdLease())) {
          stats.consecutiveErrors = 0;
          grant = null;
          await nap(standbyPollMs);
          continue;
        }
        if (timing.now() >= sweepAt) {
          sweepAt = timing.now() + opts.staleAfterMs / 2;
          // Claims of ours that never settled (a send that hung past every timeout, a settle
          // the store refused): resend. Only when there are some, or the sweep would read
          // every job's partition each time, work or no work.
          const cutoff = timing.now() - opts.staleAfterMs;
          if ([...unsettled.values()].some((claimedAt) => claimedAt < cutoff)) {
            for (const [key, claimedAt] of unsettled) {
              if (claimedAt < cutoff) unsettled.delete(key);
            }
            stats.recovered += await queue.requeueStale(fence(), new Date(cutoff), now());
          }
        }
        const room = opts.concurrency - inProgress.size;
        if (room <= 0 || (room < refillAt && inProgress.size > 0)) {
          await nap(opts.idlePollMs);
          continue;
        }
        const page = await queue.nextQueued({ now: now(), limit: room, excluding: inProgress });
        if (page.length === 0) {
          stats.consecutiveErrors = 0;
          if (inProgress.size === 0 && busy) {
            busy = false;
            deps.onIdle?.();
          }
          if (inProgress.size === 0 && idleWaiters.length > 0) {
            if (await nothingLeft()) {
              const waiters = idleWaiters;
              idleWaiters = [];
              for (const resolve of waiters) resolve();
            }
          }
          await nap(opts.idlePollMs);
          continue;
        }
        busy = true;
        for (const row of page) {
          const key = deliveryKey(row.jobId, row.userId);
          inProgress.add(key);
          stats.inProgress = inProgress.size;
          void deliver(row)
            .catch(report)
            .finally(() => {
              inProgress.delete(key);
              stats.inProgress = inProgress.size;
              poke();
            });
        }
        stats.consecutiveErrors = 0;
        // Let the workers reserve their slots before looking for more.
        await nap(0);
      } catch (error) {
        // A store that fails every turn (a corrupt file, storage down) must not spin and flood
        // the log: wait longer each time, up to backoffMaxMs, and report the 1st, 2nd, 4th…
        const failures = (stats.consecutiveErrors += 1);
        if ((failures & (failures - 1)) === 0) report(error);
        await nap(Math.min(opts.idlePollMs * 2 ** Math.min(failures - 1, 20), opts.backoffMaxMs));
      }
    }
  };

  return {
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    async stop() {
      running = false;
      poke();
      await loop;
      loop = null;
      while (inProgress.size > 0) await timing.sleep(10);
      if (grant !== null) await leases.releaseLease(grant);
      grant = null;
      stats.holdsLease = false;
    },
    untilIdle() {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        poke();
      });
    },
    stats: () => ({ ...stats }),
  };
}

/** Used when Microsoft 365 refused as down without saying for how long. */
const UPSTREAM_PAUSE_DEFAULT_MS = 5_000;

/**
 * How long to wait before trying a delivery again when what it needed from Microsoft 365 was
 * refused as down or busy (the gateway's GraphUnavailableError while its circuit is open, a
 * 503, a 429): its Retry-After, or a few seconds. Undefined for any other failure.
 */
function upstreamPauseMs(error: unknown): number | undefined {
  if (!(error instanceof CountersignError)) return undefined;
  if (error.code !== 'unavailable' && error.code !== 'throttled') return undefined;
  const seconds = error.details['retryAfterSeconds'];
  return typeof seconds === 'number' && seconds > 0 ? seconds * 1000 : UPSTREAM_PAUSE_DEFAULT_MS;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
