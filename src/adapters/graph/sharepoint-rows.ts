import { z } from 'zod';
import { acknowledgementSchema } from '../../domain/acknowledgement.ts';
import type { Acknowledgement, SignatureFacts } from '../../domain/acknowledgement.ts';
import { approvalSchema } from '../../domain/approval.ts';
import type { Approval } from '../../domain/approval.ts';
import { auditEventSchema } from '../../domain/audit-event.ts';
import type { AuditEvent } from '../../domain/audit-event.ts';
import { campaignSchema } from '../../domain/campaign.ts';
import type { Campaign } from '../../domain/campaign.ts';
import { canonicalJson } from '../../domain/canonical-json.ts';
import { CountersignError } from '../../domain/errors.ts';
import type { SignedRecord } from '../../domain/evidence/evidence-signer.ts';
import type { CheckpointRecord } from '../../domain/evidence/evidence-record.ts';
import type { SignedAcknowledgement } from '../../ports/record-store.ts';
import type { DocumentFile } from './policy-document-files.ts';
import { ackPartition } from './list-partitions.ts';
import { policySchema, policyVersionSchema } from '../../domain/policy.ts';
import type { Policy, PolicyVersion } from '../../domain/policy.ts';

/**
 * Records ⇄ SharePoint list item fields. Reads are a trust boundary (anyone with rights on the
 * site could have edited a row), so every row is parsed with the domain's zod schemas.
 */

export type Fields = Record<string, string | number | boolean | null>;

/**
 * A list item as Graph returns it with `$expand=fields`. The fields are checked to be an object
 * and kept as they came, not copied key by key (`z.record` rebuilt every row of a 20,000-row
 * read): each reader parses the columns it uses with its own schema below.
 */
const listItemSchema = z.object({
  id: z.string().min(1),
  eTag: z.string().optional(),
  fields: z.custom<Record<string, unknown>>(
    (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
    'fields is not an object',
  ),
});

/** A list item's id and fields, for reads that never write the item back (no eTag). */
export interface FieldsRow {
  itemId: string;
  fields: Record<string, unknown>;
}

export interface Row extends FieldsRow {
  etag: string;
}

export function toRow(item: unknown): Row {
  const parsed = listItemSchema.parse(item);
  const fieldTag = parsed.fields['@odata.etag'];
  const etag = parsed.eTag ?? (typeof fieldTag === 'string' ? fieldTag : undefined);
  if (etag === undefined) {
    throw new CountersignError('upstream', `Graph returned list item ${parsed.id} with no eTag.`);
  }
  return { itemId: parsed.id, etag, fields: parsed.fields };
}

/** A list item read without its eTag (`$select=id`): the people report's signature facts. */
export function toFieldsRow(item: unknown): FieldsRow {
  const parsed = listItemSchema.parse(item);
  return { itemId: parsed.id, fields: parsed.fields };
}

/**
 * The eTag a caller holds is opaque: it carries the SharePoint item id with the item's eTag,
 * so an update knows which item to PATCH without another lookup.
 */
export function tagOf(row: { itemId: string; etag: string }): string {
  return `${row.itemId}|${row.etag}`;
}

export function untag(tag: string): { itemId: string; etag: string } {
  const cut = tag.indexOf('|');
  if (cut <= 0) {
    throw new CountersignError('precondition-failed', 'That eTag was not issued by this store.', {
      etag: tag,
    });
  }
  return { itemId: tag.slice(0, cut), etag: tag.slice(cut + 1) };
}

const title = (text: string): string => text.slice(0, 255);
const optText = z
  .string()
  .nullish()
  .transform((v) => (v === null || v === undefined || v === '' ? undefined : v));
const reqText = z.string().min(1);
const num = z.coerce.number();
const json = <T extends z.ZodType>(schema: T) =>
  z.string().transform((text, ctx): z.infer<T> => {
    try {
      return schema.parse(JSON.parse(text) as unknown);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'not the JSON expected' });
      return z.NEVER;
    }
  });

// Policies -----------------------------------------------------------------------------------

export function policyFields(policy: Policy, writeId?: string): Fields {
  return {
    Title: title(policy.title),
    PolicyKey: policy.key,
    SchoolId: policy.schoolId,
    PolicyTitle: title(policy.title),
    Record: JSON.stringify(policy),
    ...(writeId === undefined ? {} : { WriteId: writeId }),
  };
}

const policyRowSchema = z.object({ Record: json(policySchema) });

export function policyFromFields(fields: Record<string, unknown>): Policy {
  return policyRowSchema.parse(fields).Record;
}

/** The policy a row holds, or null when its Record does not read as one (edited in SharePoint). */
export function policyOfFields(fields: Record<string, unknown>): Policy | null {
  const read = policyRowSchema.safeParse(fields);
  return read.success ? read.data.Record : null;
}

// Versions -----------------------------------------------------------------------------------

export function versionKey(policyKey: string, number: number): string {
  return `${policyKey}:v${number}`;
}

/**
 * A version's row. With `file` (the text stored in the documents library) the row names the file
 * and its hash and clears Document; without, the text is inline (rows from before the library).
 */
export function versionFields(
  version: PolicyVersion,
  writeId?: string,
  file?: DocumentFile,
): Fields {
  return {
    Title: title(`${version.policyKey} v${version.number} — ${version.label}`),
    VersionKey: versionKey(version.policyKey, version.number),
    PolicyKey: version.policyKey,
    VersionNumber: version.number,
    Status: version.status,
    ContentHash: version.contentHash,
    Label: version.label,
    ChangeKind: version.changeKind,
    PublishedAt: version.publishedAt ?? null,
    ...(file === undefined
      ? { Document: JSON.stringify(version.document) }
      : { Document: null, DocumentItemId: file.itemId, DocumentHash: file.sha256 }),
    // Written only when there is one, so a site not provisioned since trusts keeps working.
    ...(version.composition === undefined
      ? {}
      : { Composition: JSON.stringify(version.composition) }),
    ...(writeId === undefined ? {} : { WriteId: writeId }),
  };
}

const versionRowSchema = z.object({
  PolicyKey: reqText,
  VersionNumber: num,
  Label: reqText,
  Status: reqText,
  ChangeKind: reqText,
  PublishedAt: optText,
  Document: z.string().transform((t) => JSON.parse(t) as unknown),
  ContentHash: reqText,
  Composition: optText,
});

/** Where a version row's text is: a file (item id and hash), or null when it is inline. */
export function documentFileOf(fields: Record<string, unknown>): DocumentFile | null {
  const itemId = fields.DocumentItemId;
  const sha256 = fields.DocumentHash;
  if (typeof itemId !== 'string' || itemId === '') return null;
  return { itemId, sha256: typeof sha256 === 'string' ? sha256 : '' };
}

/** A version from its row; `documentText` is the text read from its file, if it has one. */
export function versionFromFields(
  fields: Record<string, unknown>,
  documentText?: string,
): PolicyVersion {
  const r = versionRowSchema.parse(
    documentText === undefined ? fields : { ...fields, Document: documentText },
  );
  return policyVersionSchema.parse({
    policyKey: r.PolicyKey,
    number: r.VersionNumber,
    label: r.Label,
    status: r.Status,
    changeKind: r.ChangeKind,
    ...(r.PublishedAt === undefined ? {} : { publishedAt: r.PublishedAt }),
    document: r.Document,
    contentHash: r.ContentHash,
    ...(r.Composition === undefined ? {} : { composition: JSON.parse(r.Composition) as unknown }),
  });
}

// Acknowledgements ---------------------------------------------------------------------------

/**
 * Every signed field is its own column (for queries and what the site shows), and the signed
 * record is stored whole as signed (Record: canonical JSON), with its signature and hash: verify
 * parses Record back and checks the columns against it, never the other way round.
 */
export function acknowledgementFields(
  ack: Acknowledgement,
  auditEventId: string,
  signed?: SignedAcknowledgement,
): Fields {
  return {
    Title: title(`${ack.displayName} — ${ack.policyKey} v${ack.versionNumber}`),
    AckKey: ack.id,
    PolicyKey: ack.policyKey,
    VersionNumber: ack.versionNumber,
    UserId: ack.userId,
    Partition: ackPartition(ack.policyKey, ack.versionNumber, ack.userId),
    SignedAt: ack.signedAt,
    ContentHash: ack.contentHash,
    Seal: ack.seal,
    Upn: ack.upn,
    DisplayName: ack.displayName,
    TypedName: ack.typedName,
    StatedRole: ack.statedRole,
    Channel: ack.channel,
    Consents: JSON.stringify(ack.consents),
    ApprovalState: ack.approvalState,
    AuditEventId: auditEventId,
    ...signedFields(signed),
  };
}

/** The Record, Signature and RecordHash columns of a signed record (none without one). */
export function signedFields(signed: SignedRecord | undefined): Fields {
  return signed === undefined
    ? {}
    : {
        Record: canonicalJson(signed.record),
        Signature: JSON.stringify(signed.signature),
        RecordHash: signed.hash,
      };
}

const ackShape = acknowledgementSchema.shape;

/** An acknowledgement row's columns, checked by the domain's rules and named as the domain names them. */
const acknowledgementRowSchema = z
  .object({
    AckKey: ackShape.id,
    PolicyKey: ackShape.policyKey,
    VersionNumber: z.coerce.number().pipe(ackShape.versionNumber),
    UserId: ackShape.userId,
    SignedAt: ackShape.signedAt,
    ContentHash: ackShape.contentHash,
    Seal: ackShape.seal,
    Upn: ackShape.upn,
    DisplayName: ackShape.displayName,
    TypedName: ackShape.typedName,
    StatedRole: ackShape.statedRole,
    Channel: ackShape.channel,
    Consents: json(ackShape.consents),
    ApprovalState: ackShape.approvalState,
  })
  .transform((r): Acknowledgement => ({
    id: r.AckKey,
    policyKey: r.PolicyKey,
    versionNumber: r.VersionNumber,
    userId: r.UserId,
    signedAt: r.SignedAt,
    contentHash: r.ContentHash,
    seal: r.Seal,
    upn: r.Upn,
    displayName: r.DisplayName,
    typedName: r.TypedName,
    statedRole: r.StatedRole,
    channel: r.Channel,
    consents: r.Consents,
    approvalState: r.ApprovalState,
  }));

/**
 * The columns a people report reads of an acknowledgement row (SignatureFacts), each checked by
 * the domain's rule as in the full row schema: the listing that reads them selects these only.
 * No zod transform: the renaming is done by hand after the check, which lets zod check each row
 * in its compiled fast path (a 20,000-person report checks 15,000 rows; about a third less).
 */
const signatureFactsRowSchema = z.object({
  AckKey: ackShape.id,
  PolicyKey: ackShape.policyKey,
  VersionNumber: z.coerce.number().pipe(ackShape.versionNumber),
  UserId: ackShape.userId,
  SignedAt: ackShape.signedAt,
  Upn: ackShape.upn,
  DisplayName: ackShape.displayName,
  TypedName: ackShape.typedName,
  StatedRole: ackShape.statedRole,
  ApprovalState: ackShape.approvalState,
});

/** The acknowledgement columns signatureFactsFromFields reads, for a listing's `$select`. */
export const SIGNATURE_FACTS_COLUMNS: readonly string[] = Object.keys(
  signatureFactsRowSchema.shape,
);

/** A row's signature facts, or null when a column breaks the domain's rules (an edited row). */
export function signatureFactsFromFields(fields: Record<string, unknown>): SignatureFacts | null {
  const checked = signatureFactsRowSchema.safeParse(fields);
  if (!checked.success) return null;
  const r = checked.data;
  return {
    id: r.AckKey,
    policyKey: r.PolicyKey,
    versionNumber: r.VersionNumber,
    userId: r.UserId,
    signedAt: r.SignedAt,
    upn: r.Upn,
    displayName: r.DisplayName,
    typedName: r.TypedName,
    statedRole: r.StatedRole,
    approvalState: r.ApprovalState,
  };
}

/** The signed record of a row as stored, unparsed and untrusted (verify checks it). */
export interface StoredEvidence {
  /** Record parsed from its JSON (or the text itself when it is not JSON: an edit). */
  record: unknown;
  /** Signature parsed from its JSON, when present. */
  signature?: unknown;
  recordHash?: string;
  /** The Record, Signature and RecordHash columns exactly as stored (the evidence pack copies them; the memory store has none). */
  stored?: { Record: string; Signature?: string; RecordHash?: string };
}

export function parseLoosely(text: unknown): unknown {
  if (typeof text !== 'string') return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

const ACK_COLUMNS: Readonly<Record<string, string>> = {
  AckKey: 'id',
  PolicyKey: 'policyKey',
  VersionNumber: 'versionNumber',
  UserId: 'userId',
  SignedAt: 'signedAt',
  ContentHash: 'contentHash',
  Upn: 'upn',
  DisplayName: 'displayName',
  TypedName: 'typedName',
  StatedRole: 'statedRole',
  Channel: 'channel',
  Consents: 'consents',
  ApprovalState: 'approvalState',
  RecordHash: 'hash',
};

const DECISION_COLUMNS: Readonly<Record<string, string>> = {
  AcknowledgementId: 'acknowledgementId',
  UserId: 'userId',
  Decision: 'decision',
  ApproverId: 'approverId',
  ApproverName: 'approverName',
  AdditionalPermissions: 'additionalPermissions',
  Comment: 'reason',
  DecidedAt: 'decidedAt',
  RecordHash: 'hash',
};

const VERSION_COLUMNS: Readonly<Record<string, string>> = {
  PolicyKey: 'policyKey',
  VersionNumber: 'number',
  Label: 'label',
  ContentHash: 'contentHash',
  ChangeKind: 'changeKind',
  PublishedAt: 'publishedAt',
  RecordHash: 'hash',
};

function columnsOf(
  names: Readonly<Record<string, string>>,
  fields: Record<string, unknown>,
  json: readonly string[],
): Record<string, unknown> {
  const columns: Record<string, unknown> = {};
  for (const [column, field] of Object.entries(names)) {
    const value = fields[column];
    if (value === undefined || value === null || value === '') continue;
    columns[field] = json.includes(column) ? parseLoosely(value) : value;
  }
  return columns;
}

const EVENT_COLUMNS: Readonly<Record<string, string>> = {
  EventId: 'id',
  EventType: 'type',
  ActorId: 'actorId',
  At: 'at',
  Subject: 'subject',
  Details: 'details',
  Shard: 'shard',
  Seq: 'seq',
  RecordHash: 'hash',
};

const CHECKPOINT_COLUMNS: Readonly<Record<string, string>> = {
  CheckpointKey: 'id',
  Number: 'number',
  At: 'at',
  Cutoff: 'cutoff',
  RecordHash: 'hash',
};

/** A checkpoint row's plain columns by the checkpoint record's field names. */
export function checkpointColumnsOf(fields: Record<string, unknown>): Record<string, unknown> {
  return columnsOf(CHECKPOINT_COLUMNS, fields, []);
}

/** The fields of a checkpoint row: its plain columns and the record as signed. */
export function checkpointFields(copy: SignedRecord<CheckpointRecord>): Fields {
  return {
    Title: copy.record.id,
    CheckpointKey: copy.record.id,
    Number: copy.record.number,
    At: copy.record.at,
    Cutoff: copy.record.cutoff,
    ...signedFields(copy),
  };
}

/** An audit row's plain columns by the event record's field names (Shard and Seq included). */
export function eventColumnsOf(fields: Record<string, unknown>): Record<string, unknown> {
  return columnsOf(EVENT_COLUMNS, fields, ['Details']);
}

/** A decided Approvals row's plain columns by the decision record's field names. */
export function decisionColumnsOf(fields: Record<string, unknown>): Record<string, unknown> {
  return columnsOf(DECISION_COLUMNS, fields, ['AdditionalPermissions']);
}

/** A published version row's plain columns by the version record's field names. */
export function versionColumnsOf(fields: Record<string, unknown>): Record<string, unknown> {
  return columnsOf(VERSION_COLUMNS, fields, []);
}

/**
 * An acknowledgement row's plain columns by the signed record's field names (what verify checks
 * against the record): `hash` is RecordHash, `approvalState` the unsigned state reports read.
 */
export function acknowledgementColumnsOf(fields: Record<string, unknown>): Record<string, unknown> {
  return columnsOf(ACK_COLUMNS, fields, ['Consents']);
}

/** The Record, Signature and RecordHash columns of a row; null for a row from before signatures. */
export function storedEvidenceOf(fields: Record<string, unknown>): StoredEvidence | null {
  const record = fields.Record;
  if (record === undefined || record === null || record === '') return null;
  const signature = fields.Signature;
  const hash = fields.RecordHash;
  const text = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));
  const hasSignature = signature !== undefined && signature !== null && signature !== '';
  const hasHash = typeof hash === 'string' && hash !== '';
  return {
    record: parseLoosely(record),
    ...(hasSignature ? { signature: parseLoosely(signature) } : {}),
    ...(hasHash ? { recordHash: hash } : {}),
    stored: {
      Record: text(record),
      ...(hasSignature ? { Signature: text(signature) } : {}),
      ...(hasHash ? { RecordHash: hash } : {}),
    },
  };
}

export function acknowledgementFromFields(fields: Record<string, unknown>): {
  ack: Acknowledgement;
  auditEventId?: string;
} {
  // One pass: the row's columns straight into the domain's schema (which holds every rule a
  // column must meet), not a row schema first and the domain's after it.
  const ack = acknowledgementRowSchema.parse(fields);
  const auditEventId = fields.AuditEventId;
  return typeof auditEventId === 'string' && auditEventId !== '' ? { ack, auditEventId } : { ack };
}

// Approvals ----------------------------------------------------------------------------------

export function approvalFields(approval: Approval, writeId?: string): Fields {
  return {
    Title: title(`${approval.acknowledgementId} — ${approval.decision}`),
    AcknowledgementId: approval.acknowledgementId,
    UserId: approval.userId,
    Decision: approval.decision,
    ApproverId: approval.approverId ?? null,
    ApproverName: approval.approverName ?? null,
    AdditionalPermissions: JSON.stringify(approval.additionalPermissions),
    Comment: approval.comment ?? null,
    DecidedAt: approval.decidedAt ?? null,
    ...(writeId === undefined ? {} : { WriteId: writeId }),
  };
}

const approvalRowSchema = z.object({
  AcknowledgementId: reqText,
  UserId: reqText,
  Decision: reqText,
  ApproverId: optText,
  ApproverName: optText,
  AdditionalPermissions: z.string().transform((t) => JSON.parse(t) as unknown),
  Comment: z
    .string()
    .nullish()
    .transform((v) => v ?? undefined),
  DecidedAt: optText,
});

export function approvalFromFields(fields: Record<string, unknown>): Approval {
  const r = approvalRowSchema.parse(fields);
  return approvalSchema.parse({
    acknowledgementId: r.AcknowledgementId,
    userId: r.UserId,
    decision: r.Decision,
    ...(r.ApproverId === undefined ? {} : { approverId: r.ApproverId }),
    ...(r.ApproverName === undefined ? {} : { approverName: r.ApproverName }),
    additionalPermissions: r.AdditionalPermissions,
    ...(r.Comment === undefined ? {} : { comment: r.Comment }),
    ...(r.DecidedAt === undefined ? {} : { decidedAt: r.DecidedAt }),
  });
}

// Campaigns ----------------------------------------------------------------------------------

export function campaignFields(campaign: Campaign, writeId?: string): Fields {
  return {
    Title: title(`${campaign.policyKey} v${campaign.versionNumber} — ${campaign.id}`),
    CampaignId: campaign.id,
    PolicyKey: campaign.policyKey,
    VersionNumber: campaign.versionNumber,
    Status: campaign.status,
    Deadline: campaign.deadline,
    Recipients: campaign.counts.recipients,
    Signed: campaign.counts.signed,
    Record: JSON.stringify(campaign),
    ...(writeId === undefined ? {} : { WriteId: writeId }),
  };
}

export function campaignFromFields(fields: Record<string, unknown>): Campaign {
  return z.object({ Record: json(campaignSchema) }).parse(fields).Record;
}

// Audit --------------------------------------------------------------------------------------

export function auditFields(event: AuditEvent): Fields {
  return {
    Title: title(`${event.type} ${event.subject}`),
    EventId: event.id,
    EventType: event.type,
    ActorId: event.actorId,
    At: event.at,
    Subject: event.subject,
    Details: JSON.stringify(event.details),
  };
}

const auditRowSchema = z.object({
  EventId: reqText,
  EventType: reqText,
  ActorId: reqText,
  At: reqText,
  Subject: reqText,
  Details: z.string().transform((t) => JSON.parse(t) as unknown),
});

export function auditFromFields(fields: Record<string, unknown>): AuditEvent {
  const r = auditRowSchema.parse(fields);
  return auditEventSchema.parse({
    id: r.EventId,
    type: r.EventType,
    actorId: r.ActorId,
    at: r.At,
    subject: r.Subject,
    details: r.Details,
  });
}

/** The WriteId a row carries, if any. */
export function writeIdOf(fields: Record<string, unknown>): string | undefined {
  return typeof fields.WriteId === 'string' ? fields.WriteId : undefined;
}

/** An OData string literal: single quotes doubled. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
