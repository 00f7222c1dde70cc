/**
 * Per-recipient delivery bookkeeping: send jobs and one row per recipient of each, claimed by
 * the campaign sender right before its send and settled right after. SQLite (node:sqlite) by
 * default; Azure Tables when scaled out. SharePoint never holds any of this (a 20,000-person
 * campaign would spend its throttling budget on bookkeeping).
 *
 * The store never reads the clock: every time comes in as an argument, so tests drive it. The
 * sender's writes are fenced by its lease (see lease-store.ts): the store that holds the queue
 * holds the leases too. Contract: tests/contract/delivery-queue.contract.ts.
 */
import type { Fence } from './lease-store.ts';

/**
 * What a send job delivers. `update`: no new message, the cards another job of the campaign
 * already sent are replaced in place (a relaunch moved the deadline; each row names a person
 * whose card that job sent, and the sender updates the activity id stored on their row there).
 * `approval`: one signature's approval request to its approvers (job
 * `approval/<acknowledgement id>`, src/services/approval-requests.ts), so a burst of signs is
 * paced into the approver's one chat like a campaign, and nothing is lost on a restart.
 */
export const DELIVERY_JOB_KINDS = [
  'prompt',
  'reminder',
  'digest',
  'new-starter',
  'renewal',
  'test',
  'update',
  'approval',
] as const;
export type DeliveryJobKind = (typeof DELIVERY_JOB_KINDS)[number];

/**
 * The kinds whose card asks its recipient to sign a version. Only these count for
 * `enqueue`'s `unlessInVersion`: an approver's approval card, an admin's digest or own test card
 * for a version asks nobody to sign it, so it must not stop that person's own prompt.
 */
export const SIGN_PROMPT_JOB_KINDS: readonly DeliveryJobKind[] = [
  'prompt',
  'reminder',
  'new-starter',
  'renewal',
];

/**
 * running: its queued rows are sent. paused, cancelled: an admin's choice for a campaign.
 * finished: nothing left to send and nothing more expected of it (the scheduled work finishes a
 * campaign's jobs once its digest is out, any other job once its rows are all settled), so the
 * list of running jobs every sender loop and scheduled run reads stays as long as the work in
 * hand, not every job ever made. Its rows stay as the record; rows added later revive it.
 */
export type DeliveryJobStatus = 'running' | 'paused' | 'cancelled' | 'finished';

/**
 * A batch of deliveries of one card: a campaign's prompt, one reminder round, a digest, the
 * prompts the scheduler raises for new starters or renewals, a test send.
 */
export interface DeliveryJob {
  /** e.g. `<campaignId>`, `<campaignId>/reminder-2`, `auto/<policyKey>/v3`. */
  id: string;
  kind: DeliveryJobKind;
  campaignId?: string;
  policyKey: string;
  versionNumber: number;
  /** ISO 8601 UTC, when the card shows one. */
  deadline?: string;
  status: DeliveryJobStatus;
  /** ISO 8601 UTC. */
  createdAt: string;
  /** What the card needs beyond the above (e.g. a digest's totals); JSON-serialisable. */
  data: Record<string, unknown>;
}

/**
 * queued → in-flight (claimed right before the send) → sent | failed (403/404 and spent
 * retries, with a reason) ; skipped (not required, cancelled) is never sent.
 */
export type DeliveryState = 'queued' | 'in-flight' | 'sent' | 'failed' | 'skipped';

export interface Delivery {
  jobId: string;
  userId: string;
  state: DeliveryState;
  /** Send attempts that did not deliver (429, 5xx, network). */
  attempts: number;
  /** Why it failed or was skipped, e.g. `403 user blocked the app`, `cancelled`. */
  reason?: string;
  /** ISO 8601 UTC: a queued row waits until then (backoff after 429/5xx). */
  notBefore: string;
  /** ISO 8601 UTC: when it was claimed (in-flight). */
  inFlightAt?: string;
  /** Lease token of the sender that claimed it. */
  fence?: number;
  activityId?: string;
  /**
   * Which variant of the job's card this person gets (e.g. `from-v2`: what changed since the
   * version they last signed), so cards are rendered once per variant, not once per person.
   */
  variant?: string;
  /** The person's name as the directory gave it at enqueue time (cards greet by name). */
  displayName?: string;
  /** ISO 8601 UTC. */
  updatedAt: string;
}

/**
 * Which store holds the delivery records: an id made once, when the store is first created. A
 * store deleted, replaced or recreated empty answers a different id, so a campaign record that
 * names the store it was launched in can tell that its delivery records are gone.
 */
export interface StoreIdentity {
  id: string;
  /** ISO 8601 UTC. */
  createdAt: string;
}

export interface DeliveryCounts {
  queued: number;
  inFlight: number;
  sent: number;
  failed: number;
  skipped: number;
  total: number;
}

export interface RecipientInput {
  userId: string;
  /** 'skipped' rows record why someone was left out (e.g. already signed). */
  state?: 'queued' | 'skipped';
  reason?: string;
  variant?: string;
  displayName?: string;
}

export interface DeliveryQueue {
  /** This store's identity (the same for as long as the store's data lives). */
  storeIdentity(): Promise<StoreIdentity>;
  // Jobs
  /** Creates the job; false (and no change) when one with that id exists: launching is idempotent. */
  createJob(job: DeliveryJob): Promise<boolean>;
  getJob(id: string): Promise<DeliveryJob | null>;
  listJobs(query: {
    campaignId?: string;
    kind?: DeliveryJobKind;
    status?: DeliveryJobStatus;
  }): Promise<DeliveryJob[]>;
  /**
   * Sets the status of every job of a campaign (pause, resume, cancel). Cancelling also turns
   * the campaign's queued rows into skipped ones with reason 'cancelled'. A cancelled or finished
   * job keeps its status. Returns jobs changed.
   */
  setCampaignStatus(campaignId: string, status: DeliveryJobStatus, now: Date): Promise<number>;
  /**
   * Moves the deadline of every job of a campaign that is not cancelled (a relaunch with a new
   * deadline): the cards still to be sent and the reminder rounds follow it. Rows already sent
   * are history and stay as they are. Returns the jobs changed (0 when already that deadline).
   */
  setCampaignDeadline(campaignId: string, deadline: string): Promise<number>;
  /**
   * running → finished, only when none of the job's rows is queued or in flight (checked and
   * written so that rows enqueued meanwhile either stop it or revive the job). False when it
   * did not finish (rows left, not running, no such job).
   */
  finishJob(jobId: string): Promise<boolean>;

  // Deliveries
  /**
   * Adds one row per recipient not already in the job (a repeat adds nothing). With
   * `unlessInVersion`, a recipient who already has a row in a job of that policy version that
   * asked them to sign (SIGN_PROMPT_JOB_KINDS) is left out too (the scheduler must not prompt
   * someone a campaign already reached).
   * A finished job that gets rows is running again. Returns the number of rows added.
   */
  enqueue(
    jobId: string,
    recipients: readonly RecipientInput[],
    now: Date,
    options?: { unlessInVersion?: { policyKey: string; versionNumber: number } },
  ): Promise<number>;
  /**
   * Queued rows of running jobs whose notBefore has come, oldest first; `excluding` lists
   * `jobId\u0000userId` keys the caller is already working on.
   */
  nextQueued(query: {
    now: Date;
    limit: number;
    excluding?: ReadonlySet<string>;
  }): Promise<Delivery[]>;
  /**
   * queued → in-flight, only if the row is still queued, its job is running and the fence is
   * the lease's current token. False means: do not send.
   */
  markInFlight(jobId: string, userId: string, fence: Fence, now: Date): Promise<boolean>;
  /** in-flight → sent (fenced). */
  markSent(
    jobId: string,
    userId: string,
    fence: Fence,
    now: Date,
    activityId?: string,
  ): Promise<boolean>;
  /** in-flight → failed with a reason (fenced). */
  markFailed(
    jobId: string,
    userId: string,
    fence: Fence,
    now: Date,
    reason: string,
  ): Promise<boolean>;
  /** in-flight → queued again after a 429/5xx, not before `notBefore`; attempts + 1 (fenced). */
  requeue(
    jobId: string,
    userId: string,
    fence: Fence,
    notBefore: Date,
    now: Date,
    reason: string,
  ): Promise<boolean>;
  /**
   * After a crash or a change of sender: in-flight rows claimed under an older token, or
   * claimed before `claimedBefore`, go back to queued (they may have been sent: at most these
   * can repeat). Returns how many.
   */
  requeueStale(fence: Fence, claimedBefore: Date, now: Date): Promise<number>;
  getDelivery(jobId: string, userId: string): Promise<Delivery | null>;
  listDeliveries(query: {
    jobId: string;
    state?: DeliveryState;
    /** userId to start after (paging). */
    after?: string;
    limit: number;
  }): Promise<Delivery[]>;
  countDeliveries(query: { jobId?: string; campaignId?: string }): Promise<DeliveryCounts>;
  /** Failures and skips grouped by reason (what admins see). */
  countReasons(query: { jobId?: string; campaignId?: string }): Promise<Record<string, number>>;
}

/** One delivery's key: a job and a person (what nextQueued's `excluding` holds). */
export function deliveryKey(jobId: string, userId: string): string {
  return `${jobId}\u0000${userId}`;
}
