import { z } from 'zod';
import {
  acknowledgementFieldsSchema,
  auditEventTypeSchema,
  changeKindSchema,
  compositionRefSchema,
  policyKeySchema,
} from './domain-imports.ts';
import { SHARD_COUNT } from './shard.ts';

/** SHA-256 in lower-case hex: content hashes, record hashes, chain links, set digests. */
export const hexDigestSchema = z.string().regex(/^[0-9a-f]{64}$/);

/** The `prev` of the first event of every chain, and of the first checkpoint. */
export const GENESIS = '0'.repeat(64);

/**
 * A signature as a person made it. `approvalAtSigning` is what the policy required at that moment
 * (approval pending, or none needed): it is signed, so no column edit can make a signature that
 * needed the headteacher's approval look as if it never did.
 */
export const acknowledgementRecordSchema = acknowledgementFieldsSchema.extend({
  kind: z.literal('acknowledgement'),
  /** acknowledgementId(policyKey, versionNumber, userId, renewal): signed, so it names this row. */
  id: z.string().min(1),
  approvalAtSigning: z.enum(['not-required', 'pending']),
  /** A school's copy of a trust policy: the master and variant versions of the text signed. */
  composition: compositionRefSchema.optional(),
});
export type AcknowledgementRecord = z.infer<typeof acknowledgementRecordSchema>;

/** One decision of the headteacher on one acknowledgement: its own record, never a column. */
export const approvalDecisionRecordSchema = z.object({
  kind: z.literal('approval-decision'),
  id: z.string().min(1),
  acknowledgementId: z.string().min(1),
  /** The signer whose acknowledgement this decides. */
  userId: z.string().min(1),
  approverId: z.string().min(1),
  approverName: z.string().min(1).max(200),
  decision: z.enum(['approved', 'rejected']),
  additionalPermissions: z.array(z.string().min(1).max(200)).max(20),
  reason: z.string().max(2_000).optional(),
  /** ISO 8601 UTC; the signing time of this record. */
  decidedAt: z.iso.datetime(),
});
export type ApprovalDecisionRecord = z.infer<typeof approvalDecisionRecordSchema>;

/** A published version: what text (by hash) people are asked to sign, and who published it. */
export const publishedVersionRecordSchema = z.object({
  kind: z.literal('published-version'),
  /** versionRecordId(policyKey, number). */
  id: z.string().min(1),
  policyKey: policyKeySchema,
  number: z.number().int().min(1),
  label: z.string().min(1).max(100),
  contentHash: hexDigestSchema,
  changeKind: changeKindSchema,
  /** ISO 8601 UTC; the signing time of this record. */
  publishedAt: z.iso.datetime(),
  /** Entra object id of the admin who published it. */
  publishedBy: z.string().min(1),
  /** A school's copy of a trust policy: the master and variant versions composed into it. */
  composition: compositionRefSchema.optional(),
});
export type PublishedVersionRecord = z.infer<typeof publishedVersionRecordSchema>;

/**
 * An audit event, linked into its shard's chain: `seq` counts from 1 in the shard, `prev` is the
 * hash of event seq − 1 (GENESIS for the first). All three are signed, so an event can be neither
 * moved, renumbered nor unlinked without its signature failing.
 */
export const auditEventRecordSchema = z.object({
  kind: z.literal('audit-event'),
  id: z.string().min(1),
  type: auditEventTypeSchema,
  actorId: z.string().min(1),
  /** ISO 8601 UTC; the signing time. An event announcing a record carries that record's time. */
  at: z.iso.datetime(),
  subject: z.string().min(1),
  details: z.record(z.string(), z.unknown()),
  shard: z
    .number()
    .int()
    .min(0)
    .max(SHARD_COUNT - 1),
  seq: z.number().int().min(1),
  prev: hexDigestSchema,
});
export type AuditEventRecord = z.infer<typeof auditEventRecordSchema>;

/** One shard's chain head: the last event's seq and hash (seq 0 and GENESIS for an empty chain). */
export const shardHeadSchema = z.object({
  shard: z
    .number()
    .int()
    .min(0)
    .max(SHARD_COUNT - 1),
  seq: z.number().int().min(0),
  hash: hexDigestSchema,
});
export type ShardHead = z.infer<typeof shardHeadSchema>;

/** How many rows of one list fell in one shard, and the digest of their (id, record hash) set. */
export const shardSetSchema = z.object({
  count: z.number().int().min(0),
  digest: hexDigestSchema,
});
export type ShardSet = z.infer<typeof shardSetSchema>;

const perShard = <T extends z.ZodType>(item: T) => z.array(item).length(SHARD_COUNT);

/**
 * A signed statement of what existed: every chain head, and for each row list, per shard, the
 * count and set digest of the rows signed at or before `cutoff`. Numbered and linked to the
 * previous checkpoint, so a deleted checkpoint is named by the next one.
 */
export const checkpointRecordSchema = z.object({
  kind: z.literal('checkpoint'),
  /** checkpointId(number). */
  id: z.string().min(1),
  number: z.number().int().min(1),
  /** Record hash of checkpoint number − 1; GENESIS for the first. */
  previous: hexDigestSchema,
  /** ISO 8601 UTC; the signing time. */
  at: z.iso.datetime(),
  /**
   * Rows whose signing time is at or before this are counted. It lies a settling margin before
   * `at`, so a signature still being written when the checkpoint was taken is not missed.
   */
  cutoff: z.iso.datetime(),
  heads: perShard(shardHeadSchema),
  counts: z.object({
    acknowledgements: z.number().int().min(0),
    approvalDecisions: z.number().int().min(0),
    versions: z.number().int().min(0),
    /** The sum of the heads' seqs: every event ever appended. */
    auditEvents: z.number().int().min(0),
  }),
  sets: z.object({
    acknowledgements: perShard(shardSetSchema),
    approvalDecisions: perShard(shardSetSchema),
    versions: perShard(shardSetSchema),
  }),
});
export type CheckpointRecord = z.infer<typeof checkpointRecordSchema>;

export const evidenceRecordSchema = z.discriminatedUnion('kind', [
  acknowledgementRecordSchema,
  approvalDecisionRecordSchema,
  publishedVersionRecordSchema,
  auditEventRecordSchema,
  checkpointRecordSchema,
]);
export type EvidenceRecord = z.infer<typeof evidenceRecordSchema>;
export type EvidenceKind = EvidenceRecord['kind'];

/** The lists evidence lives in (SharePoint lists, and the checkpoint copies outside the site). */
export type EvidenceList =
  'acknowledgements' | 'approvalDecisions' | 'versions' | 'auditEvents' | 'checkpoints';

/** The row lists a checkpoint counts and digests. */
export type RowList = 'acknowledgements' | 'approvalDecisions' | 'versions';
export const ROW_LISTS: readonly RowList[] = ['acknowledgements', 'approvalDecisions', 'versions'];

export function kindOfList(list: EvidenceList): EvidenceKind {
  switch (list) {
    case 'acknowledgements':
      return 'acknowledgement';
    case 'approvalDecisions':
      return 'approval-decision';
    case 'versions':
      return 'published-version';
    case 'auditEvents':
      return 'audit-event';
    case 'checkpoints':
      return 'checkpoint';
  }
}

/** The schema each list's records must match: a record of another kind in a list is refused. */
export function schemaOfKind(kind: EvidenceKind): z.ZodType<EvidenceRecord> {
  switch (kind) {
    case 'acknowledgement':
      return acknowledgementRecordSchema;
    case 'approval-decision':
      return approvalDecisionRecordSchema;
    case 'published-version':
      return publishedVersionRecordSchema;
    case 'audit-event':
      return auditEventRecordSchema;
    case 'checkpoint':
      return checkpointRecordSchema;
  }
}

/**
 * The time a record was signed, a field inside what is signed: a key verifies a record only if
 * this lies within the key's validity.
 */
export function signingTimeOf(record: EvidenceRecord): string {
  switch (record.kind) {
    case 'acknowledgement':
      return record.signedAt;
    case 'approval-decision':
      return record.decidedAt;
    case 'published-version':
      return record.publishedAt;
    case 'audit-event':
      return record.at;
    case 'checkpoint':
      return record.at;
  }
}

/** The id of a published version's record: also the subject of its version.published event. */
export function versionRecordId(policyKey: string, number: number): string {
  return `${policyKey}:v${number}`;
}

export function checkpointId(number: number): string {
  return `checkpoint:${number}`;
}

/**
 * The shard a row belongs to: its subject's. A decision goes with its acknowledgement, so one
 * person's signature, decision and their events share one chain.
 */
export function subjectOf(record: EvidenceRecord): string {
  switch (record.kind) {
    case 'acknowledgement':
      return record.id;
    case 'approval-decision':
      return record.acknowledgementId;
    case 'published-version':
      return record.id;
    case 'audit-event':
      return record.subject;
    case 'checkpoint':
      return record.id;
  }
}
