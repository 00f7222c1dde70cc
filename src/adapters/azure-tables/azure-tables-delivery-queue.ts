import { randomUUID } from 'node:crypto';
import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
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
import { SIGN_PROMPT_JOB_KINDS, deliveryKey } from '../../ports/delivery-queue.ts';
import type { Fence } from '../../ports/lease-store.ts';
import { readLease } from './azure-tables-lease-store.ts';
import { HeldLeases } from './held-leases.ts';
import { mapLimit } from '../../domain/map-limit.ts';
import { KeyedLock } from './keyed-lock.ts';
import {
  allEntities,
  chunk,
  compare,
  createOnce,
  isoToIso,
  PARALLEL,
  RACE_RETRIES,
  racing,
  readEntity,
  TRANSACTION_LIMIT,
  writeIdEntity,
  type Read,
} from './table-access.ts';
import {
  controlEntity,
  controlStored,
  countEntity,
  deliveryEntity,
  deliveryStored,
  inFlightEntity,
  inFlightStored,
  jobEntity,
  memberEntity,
  queueKeyOf,
  queueStored,
  toDelivery,
  toJob,
  withKeys,
  type ControlEntity,
  type DeliveryEntity,
  type JobEntity,
} from './table-entities.ts';
import { isRaceLost, storageError } from './table-errors.ts';
import { statusOf } from '../azure-storage/storage-errors.ts';
import {
  CONTROL_END,
  CONTROL_LANES,
  CONTROL_ROW,
  controlRowKey,
  DELIVERY_PREFIX,
  deliveryRowKey,
  encodeKey,
  enqueueSeq,
  IN_FLIGHT_PREFIX,
  inFlightRowKey,
  jobPartition,
  prefixEnd,
  QUEUE_PREFIX,
} from './table-keys.ts';

/** Up to this many recipients are checked with point reads; more, with a scan of the job. */
const POINT_READ_LIMIT = 50;
/** How long the running-jobs list is reused by nextQueued (another instance's new job waits this long). */
const DEFAULT_JOBS_RECHECK_MS = 2_000;
/**
 * How long a job with nothing due stays unread while its entity is unchanged: every write that
 * queues rows from another instance changes the entity, so this is only a safety net.
 */
const DEFAULT_QUIET_RECHECK_MS = 10 * 60_000;
/** Cached queue entries beyond this are dropped (each is an etag and a copy of a row). */
const QUEUED_CACHE_LIMIT = 5_000;

const JOBS_PARTITION = 'jobs';
/** The store's identity: one entity beside the jobs (listJobs reads only JOBS_PARTITION). */
const IDENTITY_PARTITION = 'store';
const IDENTITY_ROW = 'identity';
const identityEntity = z.object({ id: z.string().min(1), createdAt: z.string() });

/** Reads only the user id of a row (existence checks). */
const memberEntityOf = memberEntity.partial();

/** The tables the queue reads and writes; it reads leases to check fences. */
export interface DeliveryQueueTables {
  jobs: TableClient;
  deliveries: TableClient;
  leases: TableClient;
}

/**
 * The delivery queue on Azure Table storage, for several instances of the service.
 *
 * Layout: each job is one partition of the deliveries table, holding its delivery rows (`d|`),
 * a queue index of its queued rows ordered by due time (`q|`), an index of its in-flight rows
 * (`f|`) and a control row (status, highest lease token seen). A row and its index entries
 * change together in one transaction guarded by the row's etag, so two instances can never
 * both claim a row, and the sender's "next queued rows of a job" is one range query on one
 * partition. Fences are checked against the lease entities (azure-tables-lease-store.ts).
 */
export class AzureTablesDeliveryQueue implements DeliveryQueue {
  readonly #jobs: TableClient;
  readonly #deliveries: TableClient;
  readonly #leases: TableClient;
  /**
   * Control lanes as last read or written by this process, by `partition|lane` (a stale one
   * costs one retry).
   */
  readonly #controls = new Map<string, Read<ControlEntity>>();
  /** Claims in one process take turns per control lane (they would only race each other). */
  readonly #claims = new KeyedLock();
  /** The lane the next claim in a job uses (round robin). */
  readonly #nextLane = new Map<string, number>();
  /** Jobs made before lanes: their claims all use `ctl`. */
  readonly #oneLane = new Set<string>();
  /**
   * Jobs whose queue had nothing due when last read (at `checkedAt`, a `now` of the caller),
   * with their job entity's etag then: not read again before `nextDue`, unless the job entity
   * changes (an enqueue by any instance touches it, a pause or resume rewrites it), this
   * process adds to the queue, or `quietRecheckMs` passes (a safety net; long by default).
   */
  readonly #quiet = new Map<string, { checkedAt: number; nextDue: number; etag: string }>();
  /**
   * The running jobs as last listed (at `at`, a `now` of the caller): listed again only after
   * `jobsRecheckMs`, or at once after this process changed the jobs. That list was one request
   * per turn of the sender's loop, i.e. about one per recipient.
   */
  #running: { at: number; rows: Array<Read<JobEntity> & { rowKey: string }> } | null = null;
  /**
   * Queue entries as nextQueued last read them, by delivery key: a claim moves the row under
   * its queue entry's etag (they only ever change together) instead of reading the row first.
   */
  readonly #queued = new Map<string, Read<DeliveryEntity> & { rowKey: string }>();
  /** Rows this process claimed, as written, with their etags: a settle needs no read. */
  readonly #claimed = new Map<string, Read<DeliveryEntity>>();
  #identity: Promise<StoreIdentity> | null = null;
  readonly #quietRecheckMs: number;
  readonly #jobsRecheckMs: number;
  readonly #held: HeldLeases;

  constructor(
    tables: DeliveryQueueTables,
    options: { quietRecheckMs?: number; jobsRecheckMs?: number; held?: HeldLeases } = {},
  ) {
    this.#jobs = tables.jobs;
    this.#deliveries = tables.deliveries;
    this.#leases = tables.leases;
    this.#quietRecheckMs = options.quietRecheckMs ?? DEFAULT_QUIET_RECHECK_MS;
    this.#jobsRecheckMs = options.jobsRecheckMs ?? DEFAULT_JOBS_RECHECK_MS;
    this.#held = options.held ?? new HeldLeases();
  }

  /** Forgets what this process cached (control rows, quiet jobs, the job list, etags). */
  forget(): void {
    this.#controls.clear();
    this.#nextLane.clear();
    this.#oneLane.clear();
    this.#quiet.clear();
    this.#running = null;
    this.#queued.clear();
    this.#claimed.clear();
  }

  /** This process changed a job or its queue: the next nextQueued reads them afresh. */
  #jobsChanged(jobId?: string): void {
    this.#running = null;
    if (jobId !== undefined) this.#quiet.delete(jobId);
  }

  async #submit(actions: TransactionAction[]): Promise<string[]> {
    const response = await this.#deliveries.submitTransaction(actions);
    return response.subResponses.map((r) => r.etag ?? '');
  }

  // Jobs

  async storeIdentity(): Promise<StoreIdentity> {
    this.#identity ??= this.#readOrMakeIdentity().catch((error: unknown) => {
      this.#identity = null;
      throw error;
    });
    return this.#identity;
  }

  async #readOrMakeIdentity(): Promise<StoreIdentity> {
    const read = () => readEntity(this.#jobs, IDENTITY_PARTITION, IDENTITY_ROW, identityEntity);
    const found = await read();
    if (found !== null) return found.value;
    const made = { id: randomUUID(), createdAt: new Date().toISOString() };
    try {
      await this.#jobs.createEntity(withKeys(IDENTITY_PARTITION, IDENTITY_ROW, made));
      return made;
    } catch (error) {
      // Another instance made it first: theirs is the store's.
      if (statusOf(error) !== 409) throw storageError(error, 'create the store identity');
      const theirs = await read();
      if (theirs === null) throw storageError(error, 'read the store identity');
      return theirs.value;
    }
  }

  async createJob(job: DeliveryJob): Promise<boolean> {
    const entity: JobEntity = {
      id: job.id,
      kind: job.kind,
      campaignId: job.campaignId,
      policyKey: job.policyKey,
      versionNumber: job.versionNumber,
      deadline: job.deadline === undefined ? undefined : isoToIso(job.deadline, 'The deadline'),
      status: job.status,
      createdAt: isoToIso(job.createdAt, 'createdAt'),
      data: JSON.stringify(job.data),
    };
    // The control lanes first, in one transaction: a job that exists always has them (or,
    // made before lanes, its one control row: then this fails as a whole and it keeps that).
    const control: ControlEntity = { jobId: job.id, status: job.status, token: 0 };
    try {
      await this.#submit(
        Array.from({ length: CONTROL_LANES }, (_, lane): TransactionAction => [
          'create',
          controlStored(control, lane),
        ]),
      );
    } catch (error) {
      if (statusOf(error) !== 409) throw storageError(error, `create job ${job.id}`);
    }
    this.#jobsChanged(job.id);
    return createOnce(
      this.#jobs,
      withKeys(JOBS_PARTITION, encodeKey(job.id), entity),
      `create job ${job.id}`,
    );
  }

  async getJob(id: string): Promise<DeliveryJob | null> {
    const found = await readEntity(this.#jobs, JOBS_PARTITION, encodeKey(id), jobEntity);
    return found === null ? null : toJob(found.value);
  }

  async #jobRows(query: {
    campaignId?: string;
    kind?: DeliveryJobKind;
    status?: DeliveryJobStatus;
    policyKey?: string;
    versionNumber?: number;
  }): Promise<Array<Read<JobEntity> & { rowKey: string }>> {
    const where = [odata`PartitionKey eq ${JOBS_PARTITION}`];
    if (query.campaignId !== undefined) where.push(odata`campaignId eq ${query.campaignId}`);
    if (query.kind !== undefined) where.push(odata`kind eq ${query.kind}`);
    if (query.status !== undefined) where.push(odata`status eq ${query.status}`);
    if (query.policyKey !== undefined) where.push(odata`policyKey eq ${query.policyKey}`);
    if (query.versionNumber !== undefined) {
      where.push(odata`versionNumber eq ${query.versionNumber}`);
    }
    const rows = await allEntities(this.#jobs, where.join(' and '), jobEntity);
    return rows.sort(
      (a, b) => compare(a.value.createdAt, b.value.createdAt) || compare(a.value.id, b.value.id),
    );
  }

  async listJobs(query: {
    campaignId?: string;
    kind?: DeliveryJobKind;
    status?: DeliveryJobStatus;
  }): Promise<DeliveryJob[]> {
    return (await this.#jobRows(query)).map((row) => toJob(row.value));
  }

  async setCampaignStatus(
    campaignId: string,
    status: DeliveryJobStatus,
    now: Date,
  ): Promise<number> {
    // A finished job has nothing to pause or resume (rows enqueued later revive it): left out,
    // control lanes included, so a revived job's lanes still say running.
    const jobs = (await this.#jobRows({ campaignId })).filter(
      (job) => job.value.status !== 'finished',
    );
    let changed = 0;
    for (const found of jobs) {
      // Cancelled is final: a late resume must not revive a cancelled campaign.
      let current: Read<JobEntity> | null = found;
      for (
        let attempt = 0;
        current !== null &&
        current.value.status !== 'cancelled' &&
        current.value.status !== 'finished';
        attempt++
      ) {
        if (attempt === RACE_RETRIES) throw racing(`set the status of job ${found.value.id}`);
        try {
          await this.#jobs.updateEntity(
            withKeys(JOBS_PARTITION, found.rowKey, { ...current.value, status }),
            'Replace',
            { etag: current.etag },
          );
          changed += 1;
          break;
        } catch (error) {
          if (!isRaceLost(error)) throw storageError(error, `update job ${found.value.id}`);
          current = await readEntity(this.#jobs, JOBS_PARTITION, found.rowKey, jobEntity);
        }
      }
    }
    // Then the partitions, whose control rows the claims check; repeated on every call, so a
    // call cut short by a crash is completed by the next one.
    this.#jobsChanged();
    await mapLimit(jobs, PARALLEL, async (job) => {
      this.#quiet.delete(job.value.id);
      await this.#updateControl(job.value.id, (control) =>
        control.status === 'cancelled' || control.status === status ? null : { status },
      );
      if (status === 'cancelled') await this.#skipQueued(job.value.id, now);
    });
    return changed;
  }

  async setCampaignDeadline(campaignId: string, deadline: string): Promise<number> {
    const moved = isoToIso(deadline, 'The deadline');
    const jobs = await this.#jobRows({ campaignId });
    let changed = 0;
    for (const found of jobs) {
      // A cancelled job keeps its deadline, as it keeps its status (see setCampaignStatus).
      let current: Read<JobEntity> | null = found;
      for (
        let attempt = 0;
        current !== null &&
        current.value.status !== 'cancelled' &&
        current.value.deadline !== moved;
        attempt++
      ) {
        if (attempt === RACE_RETRIES) throw racing(`move the deadline of job ${found.value.id}`);
        try {
          await this.#jobs.updateEntity(
            withKeys(JOBS_PARTITION, found.rowKey, { ...current.value, deadline: moved }),
            'Replace',
            { etag: current.etag },
          );
          changed += 1;
          break;
        } catch (error) {
          if (!isRaceLost(error)) throw storageError(error, `update job ${found.value.id}`);
          current = await readEntity(this.#jobs, JOBS_PARTITION, found.rowKey, jobEntity);
        }
      }
    }
    return changed;
  }

  /** Rewrites each of a job's control lanes (null from `change`: leave it). */
  async #updateControl(
    jobId: string,
    change: (control: ControlEntity) => Partial<ControlEntity> | null,
  ): Promise<void> {
    const partition = jobPartition(jobId);
    const lanes = await allEntities(
      this.#deliveries,
      odata`PartitionKey eq ${partition} and RowKey ge ${CONTROL_ROW} and RowKey lt ${CONTROL_END}`,
      controlEntity,
    );
    await mapLimit(lanes, PARALLEL, async (first) => {
      const lane = laneOf(first.rowKey);
      const cacheKey = laneKey(partition, lane);
      await this.#claims.run(cacheKey, async () => {
        let control: Read<ControlEntity> | null = first;
        for (let attempt = 0; attempt < RACE_RETRIES; attempt++) {
          if (control === null) {
            this.#controls.delete(cacheKey);
            return;
          }
          const patch = change(control.value);
          if (patch === null) {
            this.#controls.set(cacheKey, control);
            return;
          }
          const next = { ...control.value, ...patch };
          try {
            const response = await this.#deliveries.updateEntity(
              controlStored(next, lane),
              'Replace',
              { etag: control.etag },
            );
            this.#controls.set(cacheKey, { value: next, etag: response.etag ?? '' });
            return;
          } catch (error) {
            if (!isRaceLost(error)) throw storageError(error, `update job ${jobId}'s control row`);
          }
          control = await readEntity(
            this.#deliveries,
            partition,
            controlRowKey(lane),
            controlEntity,
          );
        }
        throw racing(`update job ${jobId}'s control row`);
      });
    });
  }

  /** Cancelling: the job's queued rows become skipped ones with reason 'cancelled'. */
  async #skipQueued(jobId: string, now: Date): Promise<void> {
    const partition = jobPartition(jobId);
    const updatedAt = now.toISOString();
    let previous = '';
    for (;;) {
      const queued = await allEntities(
        this.#deliveries,
        odata`PartitionKey eq ${partition} and RowKey ge ${QUEUE_PREFIX} and RowKey lt ${prefixEnd(QUEUE_PREFIX)}`,
        deliveryEntity,
        { limit: 1000 },
      );
      if (queued.length === 0) return;
      // A queue entry whose row is not queued would bring this back forever: say so instead.
      const round = queued.map((entry) => entry.rowKey).join('\n');
      if (round === previous) throw racing(`cancel job ${jobId}'s queued rows`);
      previous = round;
      const pairs = chunk(queued, TRANSACTION_LIMIT / 2);
      await mapLimit(pairs, PARALLEL, async (entries) => {
        // An unchanged queue entry proves its row is unchanged (they change together), so the
        // entry's etag guards the row's rewrite.
        const actions: TransactionAction[] = [];
        for (const entry of entries) {
          const next: DeliveryEntity = {
            ...entry.value,
            state: 'skipped',
            reason: 'cancelled',
            updatedAt,
            writeId: undefined,
          };
          actions.push(['delete', { partitionKey: partition, rowKey: entry.rowKey }]);
          actions.push(['update', deliveryStored(next), 'Replace']);
        }
        try {
          await this.#submit(actions);
        } catch (error) {
          if (!isRaceLost(error)) throw storageError(error, `cancel job ${jobId}'s rows`);
          // Someone moved one of them: settle these one by one.
          for (const entry of entries) {
            await this.#transition(entry.value.jobId, entry.value.userId, (row) =>
              row.state === 'queued'
                ? { ...row, state: 'skipped', reason: 'cancelled', updatedAt }
                : null,
            );
          }
        }
      });
    }
  }

  // Deliveries

  async enqueue(
    jobId: string,
    recipients: readonly RecipientInput[],
    now: Date,
    options: { unlessInVersion?: { policyKey: string; versionNumber: number } } = {},
  ): Promise<number> {
    const partition = jobPartition(jobId);
    const control = await readEntity(this.#deliveries, partition, CONTROL_ROW, controlEntity);
    if (control === null) throw new CountersignError('not-found', `Job ${jobId} does not exist.`);
    // The first mention of a person wins, as a repeat enqueue adds nothing.
    const byUser = new Map<string, RecipientInput>();
    for (const r of recipients) if (!byUser.has(r.userId)) byUser.set(r.userId, r);
    let candidates = [...byUser.keys()];
    const leaveOut = new Set(await this.#existingUsers(jobId, candidates));
    const version = options.unlessInVersion;
    if (version !== undefined) {
      const jobs = await this.#jobRows(version);
      for (const job of jobs) {
        if (job.value.id === jobId || !SIGN_PROMPT_JOB_KINDS.includes(job.value.kind)) continue;
        candidates = candidates.filter((userId) => !leaveOut.has(userId));
        for (const userId of await this.#existingUsers(job.value.id, candidates)) {
          leaveOut.add(userId);
        }
      }
    }
    const at = now.toISOString();
    const rows: DeliveryEntity[] = [];
    let index = 0;
    for (const r of byUser.values()) {
      index += 1;
      if (leaveOut.has(r.userId)) continue;
      rows.push({
        jobId,
        userId: r.userId,
        state: r.state ?? 'queued',
        attempts: 0,
        reason: r.reason,
        notBefore: at,
        variant: r.variant,
        displayName: r.displayName,
        updatedAt: at,
        seq: enqueueSeq(now.getTime(), index),
      });
    }
    const batches = chunk(rows, TRANSACTION_LIMIT / 2);
    const added = (await mapLimit(batches, PARALLEL, (batch) => this.#insertRows(batch))).reduce(
      (sum, n) => sum + n,
      0,
    );
    this.#jobsChanged(jobId);
    if (added > 0) {
      await this.#touchJob(jobId, at);
      await this.#revive(jobId);
    }
    return added;
  }

  /**
   * A finished job that was just given rows runs again. After the touch: a finishJob that read
   * the job before it fails on the etag, and one that wrote before it is seen here.
   */
  async #revive(jobId: string): Promise<void> {
    const rowKey = encodeKey(jobId);
    let current = await readEntity(this.#jobs, JOBS_PARTITION, rowKey, jobEntity);
    for (let attempt = 0; current?.value.status === 'finished'; attempt++) {
      if (attempt === RACE_RETRIES) throw racing(`revive job ${jobId}`);
      try {
        await this.#jobs.updateEntity(
          withKeys(JOBS_PARTITION, rowKey, { ...current.value, status: 'running' }),
          'Replace',
          { etag: current.etag },
        );
        this.#jobsChanged(jobId);
        return;
      } catch (error) {
        if (!isRaceLost(error)) throw storageError(error, `revive job ${jobId}`);
        current = await readEntity(this.#jobs, JOBS_PARTITION, rowKey, jobEntity);
      }
    }
  }

  async finishJob(jobId: string): Promise<boolean> {
    const rowKey = encodeKey(jobId);
    const found = await readEntity(this.#jobs, JOBS_PARTITION, rowKey, jobEntity);
    if (found === null || found.value.status !== 'running') return false;
    // Anything queued or in flight has an index entry in the job's partition: one of each is
    // enough to say no, without reading every row.
    const partition = jobPartition(jobId);
    for (const prefix of [QUEUE_PREFIX, IN_FLIGHT_PREFIX]) {
      const entries = await allEntities(
        this.#deliveries,
        odata`PartitionKey eq ${partition} and RowKey ge ${prefix} and RowKey lt ${prefixEnd(prefix)}`,
        z.object({}).loose(),
        { limit: 1 },
      );
      if (entries.length > 0) return false;
    }
    try {
      // Under the etag read before looking: an enqueue since then touched the job, and this fails.
      await this.#jobs.updateEntity(
        withKeys(JOBS_PARTITION, rowKey, { ...found.value, status: 'finished' }),
        'Replace',
        { etag: found.etag },
      );
    } catch (error) {
      if (isRaceLost(error)) return false;
      throw storageError(error, `finish job ${jobId}`);
    }
    this.#jobsChanged(jobId);
    return true;
  }

  /**
   * Rewrites the job entity (its etag changes): the sender of another instance, which leaves a
   * job with nothing due unread while its entity is unchanged, reads its queue again.
   */
  async #touchJob(jobId: string, at: string): Promise<void> {
    try {
      await this.#jobs.updateEntity(
        { partitionKey: JOBS_PARTITION, rowKey: encodeKey(jobId), queuedAt: at },
        'Merge',
      );
    } catch (error) {
      throw storageError(error, `mark job ${jobId} as having new rows`);
    }
  }

  /** Inserts rows (and their queue entries) in one transaction; rows that exist are dropped. */
  async #insertRows(rows: DeliveryEntity[]): Promise<number> {
    let pending = rows;
    while (pending.length > 0) {
      const writeId = randomUUID();
      const actions: TransactionAction[] = [];
      for (const row of pending) {
        actions.push(['create', deliveryStored({ ...row, writeId })]);
        if (row.state === 'queued') actions.push(['create', queueStored({ ...row, writeId })]);
      }
      try {
        await this.#submit(actions);
        if (pending[0] !== undefined) this.#quiet.delete(pending[0].jobId);
        return pending.length;
      } catch (error) {
        if (statusOf(error) !== 409) throw storageError(error, 'enqueue deliveries');
        const first = pending[0];
        if (first === undefined) return 0;
        // The SDK retried a transaction whose answer was lost: it had landed, all of it.
        if ((await this.#rowWriteId(first)) === writeId) return pending.length;
        // Someone else added some of these meanwhile: leave them out and try the rest again.
        const exist = new Set(
          await this.#existingUsers(
            first.jobId,
            pending.map((row) => row.userId),
          ),
        );
        const rest = pending.filter((row) => !exist.has(row.userId));
        if (rest.length === pending.length) throw storageError(error, 'enqueue deliveries');
        pending = rest;
      }
    }
    return 0;
  }

  async #rowWriteId(row: DeliveryEntity): Promise<string | undefined> {
    const found = await readEntity(
      this.#deliveries,
      jobPartition(row.jobId),
      deliveryRowKey(row.userId),
      writeIdEntity,
    );
    return found?.value.writeId;
  }

  /** Which of these people already have a row in the job. */
  async #existingUsers(jobId: string, userIds: readonly string[]): Promise<string[]> {
    if (userIds.length === 0) return [];
    const partition = jobPartition(jobId);
    if (userIds.length <= POINT_READ_LIMIT) {
      const found = await mapLimit(userIds, PARALLEL * 2, async (userId) =>
        (await readEntity(this.#deliveries, partition, deliveryRowKey(userId), memberEntityOf))
          ? userId
          : null,
      );
      return found.filter((userId): userId is string => userId !== null);
    }
    const wanted = new Set(userIds);
    const rows = await allEntities(
      this.#deliveries,
      odata`PartitionKey eq ${partition} and RowKey ge ${DELIVERY_PREFIX} and RowKey lt ${prefixEnd(DELIVERY_PREFIX)}`,
      memberEntity,
      { select: ['userId'] },
    );
    return rows.map((row) => row.value.userId).filter((userId) => wanted.has(userId));
  }

  /** The running jobs, listed at most every `jobsRecheckMs` (see #running). */
  async #runningJobs(nowMs: number): Promise<Array<Read<JobEntity> & { rowKey: string }>> {
    const cached = this.#running;
    if (cached !== null && nowMs >= cached.at && nowMs < cached.at + this.#jobsRecheckMs) {
      return cached.rows;
    }
    const rows = await this.#jobRows({ status: 'running' });
    this.#running = { at: nowMs, rows };
    // What is known of jobs no longer running goes with them: it would only grow.
    const running = new Set(rows.map((row) => row.value.id));
    for (const jobId of this.#quiet.keys()) if (!running.has(jobId)) this.#quiet.delete(jobId);
    return rows;
  }

  async nextQueued(query: {
    now: Date;
    limit: number;
    excluding?: ReadonlySet<string>;
  }): Promise<Delivery[]> {
    if (query.limit <= 0) return [];
    const excluding = query.excluding ?? new Set<string>();
    const nowMs = query.now.getTime();
    // Jobs stay 'running' once sent out: skip the ones known to have nothing due yet.
    const running = (await this.#runningJobs(nowMs)).filter((job) => {
      const quiet = this.#quiet.get(job.value.id);
      return !(
        quiet !== undefined &&
        quiet.etag === job.etag &&
        nowMs >= quiet.checkedAt &&
        nowMs < Math.min(quiet.checkedAt + this.#quietRecheckMs, quiet.nextDue)
      );
    });
    const perJob = await mapLimit(running, PARALLEL, async (job) => {
      const jobId = job.value.id;
      const prefix = deliveryKey(jobId, '');
      let mine = 0;
      for (const key of excluding) if (key.startsWith(prefix)) mine += 1;
      // The queue in due order: the due entries come first, and the first one not due yet
      // says when to look again.
      const entries = await allEntities(
        this.#deliveries,
        odata`PartitionKey eq ${jobPartition(jobId)} and RowKey ge ${QUEUE_PREFIX} and RowKey lt ${prefixEnd(QUEUE_PREFIX)}`,
        deliveryEntity,
        { limit: query.limit + mine },
      );
      const due = entries.filter((e) => Date.parse(e.value.notBefore) <= nowMs);
      if (due.length === 0) {
        const next = entries[0];
        this.#quiet.set(jobId, {
          checkedAt: nowMs,
          nextDue: next === undefined ? Number.POSITIVE_INFINITY : Date.parse(next.value.notBefore),
          etag: job.etag,
        });
      } else {
        this.#quiet.delete(jobId);
      }
      return due.filter((e) => !excluding.has(deliveryKey(e.value.jobId, e.value.userId)));
    });
    const page = perJob
      .flat()
      .sort((a, b) => compare(a.rowKey, b.rowKey) || compare(a.value.jobId, b.value.jobId))
      .slice(0, query.limit);
    if (this.#queued.size + page.length > QUEUED_CACHE_LIMIT) this.#queued.clear();
    for (const entry of page) {
      this.#queued.set(deliveryKey(entry.value.jobId, entry.value.userId), entry);
    }
    return page.map((entry) => toDelivery(entry.value));
  }

  /** Whether the fence is the lease's current token (this process's young grant, or a read). */
  async #fenceHolds(fence: Fence, now: Date): Promise<boolean> {
    if (this.#held.proves(fence, now.getTime())) return true;
    const lease = await readLease(this.#leases, fence.lease);
    return lease !== null && lease.value.token === fence.token;
  }

  async markInFlight(jobId: string, userId: string, fence: Fence, now: Date): Promise<boolean> {
    const partition = jobPartition(jobId);
    const key = deliveryKey(jobId, userId);
    const writeId = randomUUID();
    const turn = this.#nextLane.get(partition) ?? 0;
    this.#nextLane.set(partition, (turn + 1) % CONTROL_LANES);
    let lane = this.#oneLane.has(partition) ? 0 : turn;
    let cacheKey = laneKey(partition, lane);
    return this.#claims.run(cacheKey, async () => {
      // The queue entry nextQueued read stands for the row (see #queued): one request.
      let entry: Read<DeliveryEntity> | undefined = this.#queued.get(key);
      this.#queued.delete(key);
      for (let attempt = 0; attempt < RACE_RETRIES; attempt++) {
        const cached = this.#controls.get(cacheKey);
        const [fenceHolds, row, control] = await Promise.all([
          this.#fenceHolds(fence, now),
          entry ?? readEntity(this.#deliveries, partition, deliveryRowKey(userId), deliveryEntity),
          cached ?? readEntity(this.#deliveries, partition, controlRowKey(lane), controlEntity),
        ]);
        const fromQueue = entry !== undefined;
        if (!fromQueue && row?.value.writeId === writeId) return true;
        if (control === null && lane !== 0) {
          // A job made before lanes: its one control row fences every claim in it (the lock
          // of lane 0 is not held here, so a race with another claim costs a retry).
          this.#oneLane.add(partition);
          lane = 0;
          cacheKey = laneKey(partition, lane);
          continue;
        }
        entry = undefined;
        if (!fenceHolds) return false;
        if (row === null || row.value.state !== 'queued') return false;
        // Paused or cancelled, or a newer sender has claimed or swept in this job. A cached
        // control row may be out of date (resumed since): only a fresh one refuses.
        if (
          control === null ||
          control.value.status !== 'running' ||
          control.value.token > fence.token
        ) {
          this.#controls.delete(cacheKey);
          if (cached === undefined) return false;
          continue;
        }
        const at = now.toISOString();
        const next: DeliveryEntity = {
          ...row.value,
          state: 'in-flight',
          inFlightAt: at,
          fence: fence.token,
          updatedAt: at,
          writeId,
        };
        const nextControl = { ...control.value, token: fence.token };
        const actions: TransactionAction[] = [
          ['update', controlStored(nextControl, lane), 'Replace', { etag: control.etag }],
          ...(fromQueue ? fromQueueActions(row, next) : transitionActions(row, next)),
        ];
        try {
          const etags = await this.#submit(actions);
          this.#controls.set(cacheKey, { value: nextControl, etag: etags[0] ?? '' });
          this.#claimed.set(key, { value: next, etag: etags[fromQueue ? 2 : 1] ?? '' });
          return true;
        } catch (error) {
          this.#controls.delete(cacheKey);
          // A queue entry gone or changed (404/412): read the row itself next time round.
          if (!isRaceLost(error)) throw storageError(error, `claim ${jobId}/${userId}`);
        }
      }
      throw racing(`claim ${jobId}/${userId}`);
    });
  }

  /**
   * Moves one row from its state to the one `change` gives (null: leave it), with its index
   * entries, in one transaction under the row's etag. True when this call made the change.
   */
  async #transition(
    jobId: string,
    userId: string,
    change: (row: DeliveryEntity) => DeliveryEntity | null,
  ): Promise<boolean> {
    const partition = jobPartition(jobId);
    const key = deliveryKey(jobId, userId);
    const writeId = randomUUID();
    // The row as this process claimed it (see #claimed): tried under its etag without a read;
    // if anything changed it since, the write fails as a whole and the row is read.
    let known: Read<DeliveryEntity> | undefined = this.#claimed.get(key);
    this.#claimed.delete(key);
    this.#queued.delete(key);
    for (let attempt = 0; attempt < RACE_RETRIES; attempt++) {
      const remembered = known !== undefined;
      const row =
        known ??
        (await readEntity(this.#deliveries, partition, deliveryRowKey(userId), deliveryEntity));
      known = undefined;
      if (row === null) return false;
      if (!remembered && row.value.writeId === writeId) return true;
      const next = change(row.value);
      if (next === null) {
        if (remembered) continue;
        return false;
      }
      try {
        await this.#submit(transitionActions(row, { ...next, writeId }));
        if (next.state === 'queued') this.#quiet.delete(jobId);
        return true;
      } catch (error) {
        if (!isRaceLost(error)) throw storageError(error, `update ${jobId}/${userId}`);
      }
    }
    throw racing(`update ${jobId}/${userId}`);
  }

  // Finishing a claim needs only the row's own fence: if another sender re-claimed the row
  // since, its fence differs and this late answer changes nothing.
  #settle(
    jobId: string,
    userId: string,
    fence: Fence,
    change: (row: DeliveryEntity) => DeliveryEntity,
  ): Promise<boolean> {
    return this.#transition(jobId, userId, (row) =>
      row.state === 'in-flight' && row.fence === fence.token ? change(row) : null,
    );
  }

  markSent(
    jobId: string,
    userId: string,
    fence: Fence,
    now: Date,
    activityId?: string,
  ): Promise<boolean> {
    const at = now.toISOString();
    return this.#settle(jobId, userId, fence, (row) => ({
      ...row,
      state: 'sent',
      activityId,
      reason: undefined,
      updatedAt: at,
    }));
  }

  markFailed(
    jobId: string,
    userId: string,
    fence: Fence,
    now: Date,
    reason: string,
  ): Promise<boolean> {
    const at = now.toISOString();
    return this.#settle(jobId, userId, fence, (row) => ({
      ...row,
      state: 'failed',
      reason,
      updatedAt: at,
    }));
  }

  requeue(
    jobId: string,
    userId: string,
    fence: Fence,
    notBefore: Date,
    now: Date,
    reason: string,
  ): Promise<boolean> {
    const at = now.toISOString();
    return this.#settle(jobId, userId, fence, (row) => ({
      ...row,
      state: 'queued',
      attempts: row.attempts + 1,
      notBefore: notBefore.toISOString(),
      reason,
      inFlightAt: undefined,
      updatedAt: at,
    }));
  }

  async requeueStale(fence: Fence, claimedBefore: Date, now: Date): Promise<number> {
    const lease = await readLease(this.#leases, fence.lease);
    if (lease === null || lease.value.token !== fence.token) return 0;
    // A new holder (or a sweep): whatever this process remembered of the queues may predate
    // another holder's writes, so every running job's queue is read again.
    this.#quiet.clear();
    this.#running = null;
    const cutoff = claimedBefore.getTime();
    const at = now.toISOString();
    const stale = (row: { fence?: number | undefined; inFlightAt?: string | undefined }) =>
      row.fence === undefined ||
      row.fence < fence.token ||
      row.inFlightAt === undefined ||
      Date.parse(row.inFlightAt) < cutoff;
    const jobs = await this.#jobRows({});
    const counts = await mapLimit(jobs, PARALLEL, async (job) => {
      // Raise the job's fence first: an older sender's claim in this job fails from here on,
      // so the sweep below cannot miss one that lands after it.
      await this.#updateControl(job.value.id, (control) =>
        control.token >= fence.token ? null : { token: fence.token },
      );
      const partition = jobPartition(job.value.id);
      const entries = await allEntities(
        this.#deliveries,
        odata`PartitionKey eq ${partition} and RowKey ge ${IN_FLIGHT_PREFIX} and RowKey lt ${prefixEnd(IN_FLIGHT_PREFIX)}`,
        inFlightEntity,
      );
      let moved = 0;
      for (const entry of entries) {
        if (!stale(entry.value)) continue;
        const done = await this.#transition(job.value.id, entry.value.userId, (row) =>
          row.state === 'in-flight' && stale(row)
            ? { ...row, state: 'queued', inFlightAt: undefined, updatedAt: at }
            : null,
        );
        if (done) moved += 1;
      }
      return moved;
    });
    return counts.reduce((sum, n) => sum + n, 0);
  }

  async getDelivery(jobId: string, userId: string): Promise<Delivery | null> {
    const row = await readEntity(
      this.#deliveries,
      jobPartition(jobId),
      deliveryRowKey(userId),
      deliveryEntity,
    );
    return row === null ? null : toDelivery(row.value);
  }

  async listDeliveries(query: {
    jobId: string;
    state?: DeliveryState;
    after?: string;
    limit: number;
  }): Promise<Delivery[]> {
    const partition = jobPartition(query.jobId);
    let filter =
      query.after === undefined
        ? odata`PartitionKey eq ${partition} and RowKey ge ${DELIVERY_PREFIX}`
        : odata`PartitionKey eq ${partition} and RowKey gt ${deliveryRowKey(query.after)}`;
    filter += odata` and RowKey lt ${prefixEnd(DELIVERY_PREFIX)}`;
    if (query.state !== undefined) filter += odata` and state eq ${query.state}`;
    const rows = await allEntities(this.#deliveries, filter, deliveryEntity, {
      limit: query.limit,
    });
    return rows.map((row) => toDelivery(row.value));
  }

  async #scopeJobs(query: { jobId?: string; campaignId?: string }): Promise<string[]> {
    if (query.jobId !== undefined) return [query.jobId];
    if (query.campaignId !== undefined) {
      return (await this.#jobRows({ campaignId: query.campaignId })).map((job) => job.value.id);
    }
    throw new CountersignError('validation', 'Count deliveries of a job or of a campaign.');
  }

  /** States and reasons of every row in scope: a projection scan, 1,000 rows a request. */
  async #stateRows(query: {
    jobId?: string;
    campaignId?: string;
  }): Promise<Array<z.infer<typeof countEntity>>> {
    const jobIds = await this.#scopeJobs(query);
    const perJob = await mapLimit(jobIds, PARALLEL, async (jobId) => {
      const partition = jobPartition(jobId);
      const rows = await allEntities(
        this.#deliveries,
        odata`PartitionKey eq ${partition} and RowKey ge ${DELIVERY_PREFIX} and RowKey lt ${prefixEnd(DELIVERY_PREFIX)}`,
        countEntity,
        { select: ['state', 'reason'] },
      );
      return rows.map((row) => row.value);
    });
    return perJob.flat();
  }

  async countDeliveries(query: { jobId?: string; campaignId?: string }): Promise<DeliveryCounts> {
    const counts: DeliveryCounts = {
      queued: 0,
      inFlight: 0,
      sent: 0,
      failed: 0,
      skipped: 0,
      total: 0,
    };
    for (const { state } of await this.#stateRows(query)) {
      if (state === 'in-flight') counts.inFlight += 1;
      else if (
        state === 'queued' ||
        state === 'sent' ||
        state === 'failed' ||
        state === 'skipped'
      ) {
        counts[state] += 1;
      }
      counts.total += 1;
    }
    return counts;
  }

  async countReasons(query: {
    jobId?: string;
    campaignId?: string;
  }): Promise<Record<string, number>> {
    const counts = new Map<string, number>();
    for (const { state, reason } of await this.#stateRows(query)) {
      if ((state === 'failed' || state === 'skipped') && reason !== undefined) {
        counts.set(reason, (counts.get(reason) ?? 0) + 1);
      }
    }
    return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]));
  }
}

/** A control lane's cache and lock key. */
function laneKey(partition: string, lane: number): string {
  return `${partition}|${lane}`;
}

/** The lane a control row key names (`ctl` is lane 0). */
function laneOf(rowKey: string): number {
  const lane = Number(rowKey.slice(CONTROL_ROW.length + 1));
  return Number.isInteger(lane) && lane > 0 && lane < CONTROL_LANES ? lane : 0;
}

/**
 * The writes that claim a queued row known only from its queue entry: the entry deleted (the
 * transaction fails as a whole if it is gone), the row replaced, its in-flight entry created.
 * An existing entry proves the row unchanged: a queued row and its entry are written together,
 * entries are never updated, only deleted when the row leaves that state, and a row queued
 * again gets a later not-before time, so a new key.
 */
function fromQueueActions(entry: Read<DeliveryEntity>, next: DeliveryEntity): TransactionAction[] {
  const partitionKey = jobPartition(next.jobId);
  return [
    ['delete', { partitionKey, rowKey: queueKeyOf(entry.value) }],
    ['update', deliveryStored(next), 'Replace'],
    ['create', inFlightStored(next)],
  ];
}

/** The writes that move a row from one state to the next with its index entries. */
function transitionActions(old: Read<DeliveryEntity>, next: DeliveryEntity): TransactionAction[] {
  const partitionKey = jobPartition(next.jobId);
  const actions: TransactionAction[] = [
    ['update', deliveryStored(next), 'Replace', { etag: old.etag }],
  ];
  if (old.value.state === 'queued') {
    actions.push(['delete', { partitionKey, rowKey: queueKeyOf(old.value) }]);
  }
  if (old.value.state === 'in-flight') {
    actions.push(['delete', { partitionKey, rowKey: inFlightRowKey(old.value.userId) }]);
  }
  if (next.state === 'queued') actions.push(['create', queueStored(next)]);
  if (next.state === 'in-flight') actions.push(['create', inFlightStored(next)]);
  return actions;
}
