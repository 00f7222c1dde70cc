import { z } from 'zod';
import { acknowledgementSchema, type Acknowledgement } from '../domain/acknowledgement.ts';
import { approvalRecipients, approvalRoute } from '../domain/approval-route.ts';
import type { School } from '../domain/school.ts';
import type { Clock } from '../ports/clock.ts';
import type { Delivery, DeliveryQueue } from '../ports/delivery-queue.ts';

/**
 * A signature's approval request goes through the work store's delivery queue, not a send in
 * the sign request. Teams limits what a bot posts to one conversation and answers 429 past it
 * ("Optimize your bot with rate limiting in Teams", learn.microsoft.com/microsoftteams/platform/
 * bots/how-to/rate-limit: per bot per thread limits; back off on 429, retry 412/502/504 too), and
 * every request of a school goes to the same few approvers' chats: a burst of signs must be paced
 * into them, not tried four times and dropped. So: one job per signature (`approval/<acknowledgement id>`), one row per
 * approver, so the campaign sender delivers it with the campaigns' pacing, Retry-After and
 * backoff, a restart picks it up again, and a retry of the sign (or the sweeper) never makes a
 * second card (the job and each approver's row are created at most once) and never none.
 * A resend after a failure is a job of its own (`…/resend-<n>`), for the approvers not reached.
 */
export interface ApprovalRequests {
  /**
   * Queues the request card for each approver of this signature (approval-route.ts) who has no
   * row yet. Returns the rows added: 0 when every approver's request was already queued.
   */
  request(acknowledgement: Acknowledgement): Promise<number>;
  /** What became of each signature's request, by acknowledgement id. */
  statuses(
    acknowledgements: readonly Acknowledgement[],
  ): Promise<Map<string, ApprovalRequestStatus>>;
  /**
   * Queues the card again for the approvers it did not reach (their latest try failed).
   * Returns how many; 0 when there is nobody to resend to.
   */
  resend(acknowledgement: Acknowledgement): Promise<number>;
}

/** One approver's copy of the request. */
export interface ApproverRequest {
  userId: string;
  state: 'waiting' | 'delivered' | 'not-reached';
  /** Why it could not be delivered (the connector's or the sender's words). */
  reason?: string;
  /** ISO 8601 UTC: its row's last change. */
  at: string;
}

/**
 * nobody: the school names nobody who may approve this signature (approval-route.ts).
 * not-queued: the work store holds no request (its enqueue failed, or the store was replaced):
 * the repair sweep queues it. waiting: queued or being sent. delivered: at least one approver
 * has the card. not-reached: every try to every approver failed; resend, or tell them.
 */
export type ApprovalRequestStatus =
  | { kind: 'nobody' }
  | { kind: 'not-queued' }
  | { kind: 'waiting' | 'delivered' | 'not-reached'; approvers: ApproverRequest[] };

const APPROVAL_JOB = 'approval/';
/** Resends of one request looked at (a headteacher presses Resend a few times, not hundreds). */
const MAX_RESENDS = 20;

export function approvalJobId(acknowledgementId: string, resend = 0): string {
  return resend === 0
    ? `${APPROVAL_JOB}${acknowledgementId}`
    : `${APPROVAL_JOB}${acknowledgementId}/resend-${resend}`;
}

/** What an approval job carries: the signature as stored, so the card draws without Graph. */
export const approvalJobDataSchema = z.object({ acknowledgement: acknowledgementSchema });

export interface ApprovalRequestDeps {
  queue: Pick<DeliveryQueue, 'createJob' | 'getJob' | 'enqueue' | 'getDelivery'>;
  /** The school's settings as they are now (a live view): who approves whom. */
  school: Pick<School, 'approverIds' | 'approversApprover'>;
  clock: Clock;
}

export function queuedApprovalRequests(deps: ApprovalRequestDeps): ApprovalRequests {
  const { queue, clock } = deps;

  const approversOf = (ack: Acknowledgement): readonly string[] =>
    approvalRecipients(approvalRoute(deps.school, ack.userId));

  async function ensureJob(ack: Acknowledgement, resend: number): Promise<string> {
    const id = approvalJobId(ack.id, resend);
    // false when it exists already: a retry of the sign, the sweeper, a second instance.
    await queue.createJob({
      id,
      kind: 'approval',
      policyKey: ack.policyKey,
      versionNumber: ack.versionNumber,
      status: 'running',
      createdAt: clock.now().toISOString(),
      data: { acknowledgement: ack },
    });
    return id;
  }

  /** How many jobs this request has: the first and its resends (0: none queued). */
  async function jobsOf(ackId: string): Promise<number> {
    if ((await queue.getJob(approvalJobId(ackId))) === null) return 0;
    let n = 1;
    while (n <= MAX_RESENDS && (await queue.getJob(approvalJobId(ackId, n))) !== null) n += 1;
    return n;
  }

  /** Each approver's latest row across the request's jobs (a resend's row over the first's). */
  async function latestRows(ackId: string, jobs: number): Promise<Map<string, Delivery>> {
    const latest = new Map<string, Delivery>();
    for (let n = 0; n < jobs; n += 1) {
      const job = await queue.getJob(approvalJobId(ackId, n));
      const data = approvalJobDataSchema.safeParse(job?.data);
      const ack = data.success ? data.data.acknowledgement : undefined;
      const approvers = ack === undefined ? [...latest.keys()] : approversOf(ack);
      for (const userId of new Set([...approvers, ...latest.keys()])) {
        const row = await queue.getDelivery(approvalJobId(ackId, n), userId);
        if (row !== null) latest.set(userId, row);
      }
    }
    return latest;
  }

  return {
    async request(ack) {
      const approvers = approversOf(ack);
      if (approvers.length === 0) return 0;
      const jobId = await ensureJob(ack, 0);
      return queue.enqueue(
        jobId,
        approvers.map((userId) => ({ userId })),
        clock.now(),
      );
    },
    async statuses(acks) {
      const out = new Map<string, ApprovalRequestStatus>();
      for (const ack of acks) {
        const jobs = await jobsOf(ack.id);
        const approvers =
          jobs === 0 ? [] : [...(await latestRows(ack.id, jobs)).values()].map(approverRequest);
        // A job with no rows is a request cut off between its two writes: not queued yet.
        if (approvers.length === 0) {
          out.set(ack.id, { kind: approversOf(ack).length === 0 ? 'nobody' : 'not-queued' });
          continue;
        }
        out.set(ack.id, { kind: overall(approvers), approvers });
      }
      return out;
    },
    async resend(ack) {
      const jobs = await jobsOf(ack.id);
      if (jobs === 0) return this.request(ack);
      const rows = await latestRows(ack.id, jobs);
      const notReached = [...rows.values()]
        .map(approverRequest)
        .filter((a) => a.state === 'not-reached')
        .map((a) => a.userId);
      // An approver named since the first request, never asked: asked now.
      const neverAsked = approversOf(ack).filter((id) => !rows.has(id));
      const again = [...notReached, ...neverAsked];
      if (again.length === 0 || jobs > MAX_RESENDS) return 0;
      const jobId = await ensureJob(ack, jobs);
      return queue.enqueue(
        jobId,
        again.map((userId) => ({ userId })),
        clock.now(),
      );
    },
  };
}

function approverRequest(row: Delivery): ApproverRequest {
  const base = { userId: row.userId, at: row.updatedAt };
  switch (row.state) {
    case 'queued':
    case 'in-flight':
      return { ...base, state: 'waiting' };
    case 'sent':
      return { ...base, state: 'delivered' };
    case 'failed':
    case 'skipped':
      return {
        ...base,
        state: 'not-reached',
        ...(row.reason === undefined ? {} : { reason: row.reason }),
      };
  }
}

function overall(approvers: readonly ApproverRequest[]): 'waiting' | 'delivered' | 'not-reached' {
  if (approvers.some((a) => a.state === 'delivered')) return 'delivered';
  if (approvers.some((a) => a.state === 'waiting')) return 'waiting';
  return 'not-reached';
}
