import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import { z } from 'zod';
import { CountersignError } from '../../domain/errors.ts';
import type {
  Delivery,
  DeliveryCounts,
  DeliveryJob,
  DeliveryJobKind,
  DeliveryJobStatus,
  DeliveryState,
  Fence,
  LeaseGrant,
  RecipientInput,
  StoredConversation,
  WorkStore,
} from '../../ports/work-store.ts';
import { deliveryKey } from '../../ports/work-store.ts';
import { WORK_STORE_SCHEMA } from './work-store-schema.ts';

// Rows come back from our own file, but a file can be old or edited: parse, never cast.
const jobRow = z.object({
  id: z.string(),
  kind: z.enum(['prompt', 'reminder', 'digest', 'new-starter', 'renewal', 'test']),
  campaign_id: z.string().nullable(),
  policy_key: z.string(),
  version_number: z.number(),
  deadline: z.number().nullable(),
  status: z.enum(['running', 'paused', 'cancelled']),
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

const leaseRow = z.object({
  name: z.string(),
  holder: z.string(),
  token: z.number(),
  expires_at: z.number(),
});

const conversationRow = z.object({
  user_id: z.string(),
  conversation_id: z.string(),
  service_url: z.string(),
  tenant_id: z.string(),
  updated_at: z.number(),
});

const countRow = z.object({ state: z.string(), n: z.number() });
const reasonRow = z.object({ reason: z.string(), n: z.number() });

const iso = (ms: number): string => new Date(ms).toISOString();

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

function toGrant(row: z.infer<typeof leaseRow>): LeaseGrant {
  return {
    name: row.name,
    holder: row.holder,
    token: row.token,
    expiresAt: iso(row.expires_at),
  };
}

function isoToMs(value: string, what: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new CountersignError('validation', `${what} is not a date.`);
  return ms;
}

export interface SqliteWorkStoreOptions {
  /** A file path, or ':memory:'. */
  path: string;
}

/**
 * The WorkStore on node:sqlite. Every write is one statement or one IMMEDIATE transaction, so
 * several processes on one host can share the file (WAL, busy timeout); the sender's writes are
 * fenced by the lease token inside the same statement.
 */
export class SqliteWorkStore implements WorkStore {
  readonly #db: DatabaseSync;

  constructor(options: SqliteWorkStoreOptions) {
    this.#db = new DatabaseSync(options.path, { timeout: 10_000 });
    if (options.path !== ':memory:') {
      this.#db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;');
    }
    this.#db.exec(WORK_STORE_SCHEMA);
  }

  #transaction<T>(work: () => T): T {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const result = work();
      this.#db.exec('COMMIT');
      return result;
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
  }

  #changes(sql: string, ...params: SQLInputValue[]): number {
    return Number(this.#db.prepare(sql).run(...params).changes);
  }

  // Jobs

  createJob(job: DeliveryJob): Promise<boolean> {
    const changes = this.#changes(
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
    const row = this.#db.prepare('SELECT * FROM jobs WHERE id = ?').get(id);
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
      this.#db
        .prepare(sql)
        .all(...params)
        .map(toJob),
    );
  }

  setCampaignStatus(campaignId: string, status: DeliveryJobStatus, now: Date): Promise<number> {
    return Promise.resolve(
      this.#transaction(() => {
        // Cancelled is final: a late resume must not revive a cancelled campaign.
        const changed = this.#changes(
          `UPDATE jobs SET status = ? WHERE campaign_id = ? AND status <> 'cancelled'`,
          status,
          campaignId,
        );
        if (status === 'cancelled') {
          this.#changes(
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

  // Deliveries

  enqueue(
    jobId: string,
    recipients: readonly RecipientInput[],
    now: Date,
    options: { unlessInVersion?: { policyKey: string; versionNumber: number } } = {},
  ): Promise<number> {
    const at = now.getTime();
    const version = options.unlessInVersion;
    const insert = this.#db.prepare(
      version === undefined
        ? `INSERT OR IGNORE INTO deliveries
             (job_id, user_id, state, reason, variant, display_name, attempts, not_before, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)`
        : `INSERT OR IGNORE INTO deliveries
             (job_id, user_id, state, reason, variant, display_name, attempts, not_before, updated_at)
           SELECT ?, ?, ?, ?, ?, ?, 0, ?, ?
           WHERE NOT EXISTS (
             SELECT 1 FROM deliveries d JOIN jobs j ON j.id = d.job_id
             WHERE d.user_id = ? AND j.policy_key = ? AND j.version_number = ?)`,
    );
    return Promise.resolve(
      this.#transaction(() => {
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
            params.push(r.userId, version.policyKey, version.versionNumber);
          added += Number(insert.run(...params).changes);
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
    const rows = this.#db
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
      this.#changes(
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
      this.#changes(
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
      this.#changes(
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
      this.#changes(
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
      this.#changes(
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
    const row = this.#db
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
      this.#db
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
    const rows = this.#db
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
    const rows = this.#db
      .prepare(
        `SELECT reason, COUNT(*) AS n FROM deliveries
         WHERE ${scope.sql} AND state IN ('failed', 'skipped') AND reason IS NOT NULL
         GROUP BY reason ORDER BY n DESC`,
      )
      .all(...scope.params)
      .map((r) => reasonRow.parse(r));
    return Promise.resolve(Object.fromEntries(rows.map((r) => [r.reason, r.n])));
  }

  // Conversations

  getConversation(userId: string): Promise<StoredConversation | null> {
    const row = this.#db.prepare('SELECT * FROM conversations WHERE user_id = ?').get(userId);
    if (row === undefined) return Promise.resolve(null);
    const r = conversationRow.parse(row);
    return Promise.resolve({
      userId: r.user_id,
      conversationId: r.conversation_id,
      serviceUrl: r.service_url,
      tenantId: r.tenant_id,
      updatedAt: iso(r.updated_at),
    });
  }

  putConversation(c: StoredConversation): Promise<void> {
    this.#changes(
      `INSERT INTO conversations (user_id, conversation_id, service_url, tenant_id, updated_at)
       VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (user_id) DO UPDATE SET conversation_id = excluded.conversation_id,
         service_url = excluded.service_url, tenant_id = excluded.tenant_id,
         updated_at = excluded.updated_at`,
      c.userId,
      c.conversationId,
      c.serviceUrl,
      c.tenantId,
      isoToMs(c.updatedAt, 'updatedAt'),
    );
    return Promise.resolve();
  }

  // Leases

  acquireLease(name: string, holder: string, ttlMs: number, now: Date): Promise<LeaseGrant | null> {
    const at = now.getTime();
    return Promise.resolve(
      this.#transaction(() => {
        const found = this.#db.prepare('SELECT * FROM leases WHERE name = ?').get(name);
        if (found === undefined) {
          this.#changes(
            'INSERT INTO leases (name, holder, token, expires_at) VALUES (?, ?, 1, ?)',
            name,
            holder,
            at + ttlMs,
          );
          return toGrant({ name, holder, token: 1, expires_at: at + ttlMs });
        }
        const lease = leaseRow.parse(found);
        if (lease.holder === holder) {
          this.#changes('UPDATE leases SET expires_at = ? WHERE name = ?', at + ttlMs, name);
          return toGrant({ ...lease, expires_at: at + ttlMs });
        }
        if (lease.expires_at > at) return null;
        const token = lease.token + 1;
        this.#changes(
          'UPDATE leases SET holder = ?, token = ?, expires_at = ? WHERE name = ?',
          holder,
          token,
          at + ttlMs,
          name,
        );
        return toGrant({ name, holder, token, expires_at: at + ttlMs });
      }),
    );
  }

  renewLease(grant: LeaseGrant, ttlMs: number, now: Date): Promise<LeaseGrant | null> {
    const expires = now.getTime() + ttlMs;
    const changes = this.#changes(
      'UPDATE leases SET expires_at = ? WHERE name = ? AND holder = ? AND token = ?',
      expires,
      grant.name,
      grant.holder,
      grant.token,
    );
    return Promise.resolve(changes === 1 ? { ...grant, expiresAt: iso(expires) } : null);
  }

  releaseLease(grant: LeaseGrant): Promise<void> {
    // Expire it rather than delete it: the token must keep growing for fencing to work.
    this.#changes(
      'UPDATE leases SET expires_at = 0 WHERE name = ? AND holder = ? AND token = ?',
      grant.name,
      grant.holder,
      grant.token,
    );
    return Promise.resolve();
  }

  // Markers

  markOnce(key: string, now: Date): Promise<boolean> {
    return Promise.resolve(
      this.#changes('INSERT OR IGNORE INTO markers (key, at) VALUES (?, ?)', key, now.getTime()) ===
        1,
    );
  }

  isMarked(key: string): Promise<boolean> {
    return Promise.resolve(
      this.#db.prepare('SELECT 1 FROM markers WHERE key = ?').get(key) !== undefined,
    );
  }

  recordMembers(
    scope: string,
    userIds: readonly string[],
    now: Date,
  ): Promise<{ baseline: boolean; added: string[] }> {
    return Promise.resolve(
      this.#transaction(() => {
        const baseline = this.#changes(
          'INSERT OR IGNORE INTO member_scopes (scope, first_seen_at) VALUES (?, ?)',
          scope,
          now.getTime(),
        );
        const insert = this.#db.prepare(
          'INSERT OR IGNORE INTO members_seen (scope, user_id, first_seen_at) VALUES (?, ?, ?)',
        );
        const added: string[] = [];
        for (const userId of userIds) {
          if (Number(insert.run(scope, userId, now.getTime()).changes) === 1) added.push(userId);
        }
        return baseline === 1 ? { baseline: true, added: [] } : { baseline: false, added };
      }),
    );
  }

  close(): Promise<void> {
    if (this.#db.isOpen) this.#db.close();
    return Promise.resolve();
  }
}
