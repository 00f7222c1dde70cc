import { z } from 'zod';
import { DELIVERY_JOB_KINDS, type Delivery, type DeliveryJob } from '../../ports/delivery-queue.ts';
import type { LeaseGrant } from '../../ports/lease-store.ts';
import {
  controlRowKey,
  deliveryRowKey,
  inFlightRowKey,
  jobPartition,
  queueRowKey,
} from './table-keys.ts';

// Entities come back from a shared storage account that other code (or an older version) may
// have written: parse them, never cast.

const isoString = z.iso.datetime();

export const jobEntity = z.object({
  id: z.string(),
  kind: z.enum(DELIVERY_JOB_KINDS),
  campaignId: z.string().optional(),
  policyKey: z.string(),
  versionNumber: z.number().int(),
  deadline: isoString.optional(),
  status: z.enum(['running', 'paused', 'cancelled', 'finished']),
  createdAt: isoString,
  /** JSON text of the job's data. */
  data: z.string(),
});
export type JobEntity = z.infer<typeof jobEntity>;

export const deliveryEntity = z.object({
  jobId: z.string(),
  userId: z.string(),
  state: z.enum(['queued', 'in-flight', 'sent', 'failed', 'skipped']),
  attempts: z.number().int(),
  reason: z.string().optional(),
  notBefore: isoString,
  inFlightAt: isoString.optional(),
  fence: z.number().int().optional(),
  activityId: z.string().optional(),
  variant: z.string().optional(),
  displayName: z.string().optional(),
  updatedAt: isoString,
  /** Enqueue order (see enqueueSeq): keeps the queue first-in first-out within a due time. */
  seq: z.string(),
  /**
   * The write that last changed the row: when an answer is lost and the SDK's retry meets a
   * changed etag, the writer re-reads the row and recognises its own write.
   */
  writeId: z.string().optional(),
});
export type DeliveryEntity = z.infer<typeof deliveryEntity>;

/**
 * In each job partition (in lanes, see CONTROL_LANES): the job's status and the highest lease
 * token that has claimed in the partition. Every claim rewrites a lane under its etag in the
 * same transaction as the row, and a pause, cancel or new sender rewrites every lane, so a
 * claim cannot land after a pause or cancel, nor after a newer sender has claimed or swept
 * here. One lease fences the claims of a job (the sender's): `token` is that lease's token.
 */
export const controlEntity = z.object({
  jobId: z.string(),
  status: z.enum(['running', 'paused', 'cancelled', 'finished']),
  token: z.number().int(),
});
export type ControlEntity = z.infer<typeof controlEntity>;

/** The in-flight index: one entry per in-flight row, so a sweep reads only those. */
export const inFlightEntity = z.object({
  userId: z.string(),
  fence: z.number().int().optional(),
  inFlightAt: isoString.optional(),
});

export const leaseEntity = z.object({
  name: z.string(),
  holder: z.string(),
  token: z.number().int(),
  expiresAt: isoString,
});
export type LeaseEntity = z.infer<typeof leaseEntity>;

export const conversationEntity = z.object({
  userId: z.string(),
  conversationId: z.string(),
  serviceUrl: z.string(),
  tenantId: z.string(),
  userMri: z.string().optional(),
  updatedAt: isoString,
});

export const memberEntity = z.object({ userId: z.string() });
export const markerEntity = z.object({ key: z.string() });
export const countEntity = z.object({ state: z.string(), reason: z.string().optional() });

/** A stored entity: its properties plus the keys. Undefined properties are left out. */
export type StoredEntity = { partitionKey: string; rowKey: string } & Record<
  string,
  string | number
>;

export function withKeys(
  partitionKey: string,
  rowKey: string,
  properties: Readonly<Record<string, string | number | undefined>>,
): StoredEntity {
  const entity: StoredEntity = { partitionKey, rowKey };
  for (const [name, value] of Object.entries(properties)) {
    if (value !== undefined) entity[name] = value;
  }
  return entity;
}

export const deliveryStored = (row: DeliveryEntity): StoredEntity =>
  withKeys(jobPartition(row.jobId), deliveryRowKey(row.userId), row);

export const queueKeyOf = (row: DeliveryEntity): string =>
  queueRowKey(Date.parse(row.notBefore), row.seq, row.userId);

/** A queue entry carries a copy of the row, so the sender's query needs no second read. */
export const queueStored = (row: DeliveryEntity): StoredEntity =>
  withKeys(jobPartition(row.jobId), queueKeyOf(row), row);

export const inFlightStored = (row: DeliveryEntity): StoredEntity =>
  withKeys(jobPartition(row.jobId), inFlightRowKey(row.userId), {
    userId: row.userId,
    fence: row.fence,
    inFlightAt: row.inFlightAt,
  });

export const controlStored = (row: ControlEntity, lane = 0): StoredEntity =>
  withKeys(jobPartition(row.jobId), controlRowKey(lane), row);

export function toDelivery(row: DeliveryEntity): Delivery {
  return {
    jobId: row.jobId,
    userId: row.userId,
    state: row.state,
    attempts: row.attempts,
    ...(row.reason === undefined ? {} : { reason: row.reason }),
    notBefore: row.notBefore,
    ...(row.inFlightAt === undefined ? {} : { inFlightAt: row.inFlightAt }),
    ...(row.fence === undefined ? {} : { fence: row.fence }),
    ...(row.activityId === undefined ? {} : { activityId: row.activityId }),
    ...(row.variant === undefined ? {} : { variant: row.variant }),
    ...(row.displayName === undefined ? {} : { displayName: row.displayName }),
    updatedAt: row.updatedAt,
  };
}

export function toJob(row: JobEntity): DeliveryJob {
  return {
    id: row.id,
    kind: row.kind,
    ...(row.campaignId === undefined ? {} : { campaignId: row.campaignId }),
    policyKey: row.policyKey,
    versionNumber: row.versionNumber,
    ...(row.deadline === undefined ? {} : { deadline: row.deadline }),
    status: row.status,
    createdAt: row.createdAt,
    data: z.record(z.string(), z.unknown()).parse(JSON.parse(row.data)),
  };
}

export function toGrant(row: LeaseEntity): LeaseGrant {
  return { name: row.name, holder: row.holder, token: row.token, expiresAt: row.expiresAt };
}
