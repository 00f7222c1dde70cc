import type { SQLInputValue } from 'node:sqlite';
import { z } from 'zod';
import { CountersignError } from '../../domain/errors.ts';
import type {
  Delivery,
  DeliveryCounts,
  DeliveryJob,
  DeliveryJobKind,
  DeliveryJobStatus,
  DeliveryQueue,
  DeliveryState,
  RecipientInput,
  StoreIdentity,
} from '../../ports/delivery-queue.ts';
import {
  DELIVERY_JOB_KINDS,
  SIGN_PROMPT_JOB_KINDS,
  deliveryKey,
} from '../../ports/delivery-queue.ts';
import type { Fence } from '../../ports/lease-store.ts';
import { iso, isoToMs, type SqliteDatabase } from './sqlite-database.ts';

// Rows come back from our own file, but a file can be old or edited: parse, never cast.
const jobRow = z.object({
  id: z.string(),
  kind: z.enum(DELIVERY_JOB_KINDS),
  campaign_id: z.string().nullable(),
  policy_key: z.string(),
  version_number: z.number(),
  deadline: z.number().nullable(),
  status: z.enum(['running', 'paused', 'cancelled', 'finished']),
  created_at: z.number(),
  data: z.string(),
});

const deliveryRow = z.object({
  job_id: z.string(),
  user_id: z.string(),
  state: z.enum(['queued', 'in-flight', 'sent', 'failed', 'skipped']),
  attempts: z.number(),
  reason: z.string().nullable(),
  not_before: z.number(),
  in_flight_at: z.number().nullable(),
  fence: z.number().nullable(),
  activity_id: z.string().nullable(),
  variant: z.string().nullable(),
  display_name: z.string().nullable(),
  updated_at: z.number(),
});

const identityRow = z.object({ id: z.string().min(1), created_at: z.string() });
const countRow = z.object({ state: z.string(), n: z.number() });
const reasonRow = z.object({ reason: z.string(), n: z.number() });

function toJob(row: unknown): DeliveryJob {
  const r = jobRow.parse(row);
  const data: unknown = JSON.parse(r.data);
  return {
    id: r.id,
    kind: r.kind,
    ...(r.campaign_id === null ? {} : { campaignId: r.campaign_id }),
    policyKey: r.policy_key,
    versionNumber: r.version_number,
    ...(r.deadline === null ? {} : { deadline: iso(r.deadline) }),
    status: r.status,
    createdAt: iso(r.created_at),
    data: z.record(z.string(), z.unknown()).parse(data),
  };
}

function toDelivery(row: unknown): Delivery {
  const r = deliveryRow.parse(row);
  return {
    jobId: r.job_id,
    userId: r.user_id,
    state: r.state,
    attempts: r.attempts,
    ...(r.reason === null ? {} : { reason: r.reason }),
    notBefore: iso(r.not_before),
    ...(r.in_flight_at === null ? {} : { inFlightAt: iso(r.in_flight_at) }),
    ...(r.fence === null ? {} : { fence: r.fence }),
    ...(r.activity_id === null ? {} : { activityId: r.activity_id }),
    ...(r.variant === null ? {} : { variant: r.variant }),
    ...(r.display_name === null ? {} : { displayName: r.display_name }),
    updatedAt: iso(r.updated_at),
  };
}

/**
 * The delivery queue on node:sqlite: jobs and one row per recipient. The sender's writes are
 * fenced by the lease token inside the same statement (the leases table is on the same
 * connection: sqlite-lease-store.ts).
 */
export class SqliteDeliveryQueue implements DeliveryQueue {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  storeIdentity(): Promise<StoreIdentity> {
    const row = identityRow.parse(
      this.#db.db.prepare('SELECT id, created_at FROM store_identity WHERE singleton = 1').get(),
    );
    return Promise.resolve({ id: row.id, createdAt: row.created_at });
  }

  // Jobs

  createJob(job: DeliveryJob): Promise<boolean> {
    const changes = this.#db.changes(
      `INSERT OR IGNORE INTO jobs
         (id, kind, campaign_id, policy_key, version_number, deadline, status, created_at, data)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      job.id,
      job.kind,
      job.campaignId ?? null,
      job.policyKey,
      job.versionNumber,
      job.deadline === undefined ? null : isoToMs(job.deadline, 'The deadline'),
      job.status,
      isoToMs(job.createdAt, 'createdAt'),
      JSON.stringify(job.data),
    );
    return Promise.resolve(changes === 1);
  }

  getJob(id: string): Promise<DeliveryJob | null> {
    const row = this.#db.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id);
    return Promise.resolve(row === undefined ? null : toJob(row));
  }

  listJobs(query: {
    campaignId?: string;
    kind?: DeliveryJobKind;
    status?: DeliveryJobStatus;
  }): Promise<DeliveryJob[]> {
    const where: string[] = [];
    const params: SQLInputValue[] = [];
    if (query.campaignId !== undefined) {
      where.push('campaign_id = ?');
      params.push(query.campaignId);
    }
    if (query.kind !== undefined) {
      where.push('kind = ?');
      params.push(query.kind);
    }
    if (query.status !== undefined) {
      where.push('status = ?');
      params.push(query.status);
    }
    const sql = `SELECT * FROM jobs ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY created_at, id`;
    return Promise.resolve(
      this.#db.db
        .prepare(sql)
        .all(...params)
        .map(toJob),
    );
  }

  setCampaignStatus(campaignId: string, status: DeliveryJobStatus, now: Date): Promise<number> {
    return Promise.resolve(
      this.#db.transaction(() => {
        // Cancelled is final: a late resume must not revive a cancelled campaign. A finished job
        // has nothing to pause or resume (rows enqueued later revive it).
        const changed = this.#db.changes(
          `UPDATE jobs SET status = ?
           WHERE campaign_id = ? AND status NOT IN ('cancelled', 'finished')`,
          status,
          campaignId,
        );
        if (status === 'cancelled') {
          this.#db.changes(
            `UPDATE deliveries SET state = 'skipped', reason = 'cancelled', updated_at = ?
             WHERE state = 'queued' AND job_id IN (SELECT id FROM jobs WHERE campaign_id = ?)`,
            now.getTime(),
            campaignId,
          );
        }
        return changed;
      }),
    );
  }

  setCampaignDeadline(campaignId: string, deadline: string): Promise<number> {
    const at = isoToMs(deadline, 'The deadline');
    return Promise.resolve(
      this.#db.changes(
        `UPDATE jobs SET deadline = ?
         WHERE campaign_id = ? AND status <> 'cancelled' AND (deadline IS NULL OR deadline <> ?)`,
        at,
        campaignId,
        at,
      ),
    );
  }

  finishJob(jobId: string): Promise<boolean> {
    // One statement: the check and the write cannot be split by an enqueue.
    const changes = this.#db.changes(
      `UPDATE jobs SET status = 'finished'
       WHERE id = ? AND status = 'running' AND NOT EXISTS (
         SELECT 1 FROM deliveries WHERE job_id = ? AND state IN ('queued', 'in-flight'))`,
      jobId,
      jobId,
    );
    return Promise.resolve(changes === 1);
  }

  // Deliveries

  enqueue(
    jobId: string,
    recipients: readonly RecipientInput[],
    now: Date,
    options: { unlessInVersion?: { policyKey: string; versionNumber: number } } = {},
  ): Promise<number> {
    const at = now.getTime();
    const version = options.unlessInVersion;
    const insert = this.#db.db.prepare(
      version === undefined
        ? `INSERT OR IGNORE INTO deliveries
             (job_id, user_id, state, reason, variant, display_name, attempts, not_before, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)`
        : `INSERT OR IGNORE INTO deliveries
             (job_id, user_id, state, reason, variant, display_name, attempts, not_before, updated_at)
           SELECT ?, ?, ?, ?, ?, ?, 0, ?, ?
           WHERE NOT EXISTS (
             SELECT 1 FROM deliveries d JOIN jobs j ON j.id = d.job_id
             WHERE d.user_id = ? AND j.policy_key = ? AND j.version_number = ?
               AND j.kind IN (${SIGN_PROMPT_JOB_KINDS.map(() => '?').join(', ')}))`,
    );
    return Promise.resolve(
      this.#db.transaction(() => {
        let added = 0;
        for (const r of recipients) {
          const params: SQLInputValue[] = [
            jobId,
            r.userId,
            r.state ?? 'queued',
            r.reason ?? null,
            r.variant ?? null,
            r.displayName ?? null,
            at,
            at,
          ];
          if (version !== undefined)
            params.push(
              r.userId,
              version.policyKey,
              version.versionNumber,
              ...SIGN_PROMPT_JOB_KINDS,
            );
          added += Number(insert.run(...params).changes);
        }
        if (added > 0) {
          this.#db.changes(
            `UPDATE jobs SET status = 'running' WHERE id = ? AND status = 'finished'`,
            jobId,
          );
        }
        return added;
      }),
    );
  }

  nextQueued(query: {
    now: Date;
    limit: number;
    excluding?: ReadonlySet<string>;
  }): Promise<Delivery[]> {
    const excluding = query.excluding ?? new Set<string>();
    const rows = this.#db.db
      .prepare(
        `SELECT d.* FROM deliveries d JOIN jobs j ON j.id = d.job_id
         WHERE d.state = 'queued' AND j.status = 'running' AND d.not_before <= ?
         ORDER BY d.not_before, d.seq LIMIT ?`,
      )
      .all(query.now.getTime(), query.limit + excluding.size)
      .map(toDelivery)
      .filter((d) => !excluding.has(deliveryKey(d.jobId, d.userId)));
    return Promise.resolve(rows.slice(0, query.limit));
  }

  markInFlight(jobId: string, userId: string, fence: Fence, now: Date): Promise<boolean> {
    const at = now.getTime();
    return Promise.resolve(
      this.#db.changes(
        `UPDATE deliveries SET state = 'in-flight', in_flight_at = ?, fence = ?, updated_at = ?
         WHERE job_id = ? AND user_id = ? AND state = 'queued'
           AND EXISTS (SELECT 1 FROM jobs WHERE id = ? AND status = 'running')
           AND EXISTS (SELECT 1 FROM leases WHERE name = ? AND token = ?)`,
        at,
        fence.token,
        at,
        jobId,
        userId,
        jobId,
        fence.lease,
        fence.token,
      ) === 1,
    );
  }

  // Finishing a claim needs only the row's own fence: if another sender re-claimed the row
  // since, its fence differs and this late answer changes nothing.
  markSent(
    jobId: string,
    userId: string,
    fence: Fence,
    now: Date,
    activityId?: string,
  ): Promise<boolean> {
    return Promise.resolve(
      this.#db.changes(
        `UPDATE deliveries SET state = 'sent', activity_id = ?, reason = NULL, updated_at = ?
         WHERE job_id = ? AND user_id = ? AND state = 'in-flight' AND fence = ?`,
        activityId ?? null,
        now.getTime(),
        jobId,
        userId,
        fence.token,
      ) === 1,
    );
  }

  markFailed(
    jobId: string,
    userId: string,
    fence: Fence,
    now: Date,
    reason: string,
  ): Promise<boolean> {
    return Promise.resolve(
      this.#db.changes(
        `UPDATE deliveries SET state = 'failed', reason = ?, updated_at = ?
         WHERE job_id = ? AND user_id = ? AND state = 'in-flight' AND fence = ?`,
        reason,
        now.getTime(),
        jobId,
        userId,
        fence.token,
      ) === 1,
    );
  }

  requeue(
    jobId: string,
    userId: string,
    fence: Fence,
    notBefore: Date,
    now: Date,
    reason: string,
  ): Promise<boolean> {
    return Promise.resolve(
      this.#db.changes(
        `UPDATE deliveries
           SET state = 'queued', attempts = attempts + 1, not_before = ?, reason = ?,
               in_flight_at = NULL, updated_at = ?
         WHERE job_id = ? AND user_id = ? AND state = 'in-flight' AND fence = ?`,
        notBefore.getTime(),
        reason,
        now.getTime(),
        jobId,
        userId,
        fence.token,
      ) === 1,
    );
  }

  requeueStale(fence: Fence, claimedBefore: Date, now: Date): Promise<number> {
    return Promise.resolve(
      this.#db.changes(
        `UPDATE deliveries SET state = 'queued', in_flight_at = NULL, updated_at = ?
         WHERE state = 'in-flight' AND (fence IS NULL OR fence < ? OR in_flight_at < ?)
           AND EXISTS (SELECT 1 FROM leases WHERE name = ? AND token = ?)`,
        now.getTime(),
        fence.token,
        claimedBefore.getTime(),
        fence.lease,
        fence.token,
      ),
    );
  }

  getDelivery(jobId: string, userId: string): Promise<Delivery | null> {
    const row = this.#db.db
      .prepare('SELECT * FROM deliveries WHERE job_id = ? AND user_id = ?')
      .get(jobId, userId);
    return Promise.resolve(row === undefined ? null : toDelivery(row));
  }

  listDeliveries(query: {
    jobId: string;
    state?: DeliveryState;
    after?: string;
    limit: number;
  }): Promise<Delivery[]> {
    const params: SQLInputValue[] = [query.jobId, query.after ?? ''];
    let sql = 'SELECT * FROM deliveries WHERE job_id = ? AND user_id > ?';
    if (query.state !== undefined) {
      sql += ' AND state = ?';
      params.push(query.state);
    }
    sql += ' ORDER BY user_id LIMIT ?';
    params.push(query.limit);
    return Promise.resolve(
      this.#db.db
        .prepare(sql)
        .all(...params)
        .map(toDelivery),
    );
  }

  #scope(query: { jobId?: string; campaignId?: string }): { sql: string; params: SQLInputValue[] } {
    if (query.jobId !== undefined) return { sql: 'job_id = ?', params: [query.jobId] };
    if (query.campaignId !== undefined) {
      return {
        sql: 'job_id IN (SELECT id FROM jobs WHERE campaign_id = ?)',
        params: [query.campaignId],
      };
    }
    throw new CountersignError('validation', 'Count deliveries of a job or of a campaign.');
  }

  countDeliveries(query: { jobId?: string; campaignId?: string }): Promise<DeliveryCounts> {
    const scope = this.#scope(query);
    const rows = this.#db.db
      .prepare(`SELECT state, COUNT(*) AS n FROM deliveries WHERE ${scope.sql} GROUP BY state`)
      .all(...scope.params)
      .map((r) => countRow.parse(r));
    const counts: DeliveryCounts = {
      queued: 0,
      inFlight: 0,
      sent: 0,
      failed: 0,
      skipped: 0,
      total: 0,
    };
    for (const { state, n } of rows) {
      if (state === 'in-flight') counts.inFlight += n;
      else if (
        state === 'queued' ||
        state === 'sent' ||
        state === 'failed' ||
        state === 'skipped'
      ) {
        counts[state] += n;
      }
      counts.total += n;
    }
    return Promise.resolve(counts);
  }

  countReasons(query: { jobId?: string; campaignId?: string }): Promise<Record<string, number>> {
    const scope = this.#scope(query);
    const rows = this.#db.db
      .prepare(
        `SELECT reason, COUNT(*) AS n FROM deliveries
         WHERE ${scope.sql} AND state IN ('failed', 'skipped') AND reason IS NOT NULL
         GROUP BY reason ORDER BY n DESC`,
      )
      .all(...scope.params)
      .map((r) => reasonRow.parse(r));
    return Promise.resolve(Object.fromEntries(rows.map((r) => [r.reason, r.n])));
  }
}
