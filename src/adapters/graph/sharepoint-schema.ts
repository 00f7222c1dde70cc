/**
 * The SharePoint lists of DESIGN.md §4 (and the Checkpoints list issue 10 adds, the Settings list issue 14 adds), as code. `countersign provision` makes a site match
 * this; the record store reads and writes these names. Every column a query filters on is
 * indexed (SharePoint refuses or throttles filters on unindexed columns past 5,000 items), and
 * every natural key enforces unique values, which is what makes a repeated create fail instead
 * of writing a second row.
 *
 * Timestamps are single-line text in ISO 8601 UTC, not dateTime columns: SharePoint keeps a
 * dateTime to the second, and a seal covers the milliseconds a person signed at.
 */

/** text: single line (≤ 255 characters, indexable); note: multiple lines (JSON, never indexed). */
export type ColumnType = 'text' | 'note' | 'number' | 'boolean';

export interface ColumnSpec {
  name: string;
  type: ColumnType;
  /** Filtered on by some query. */
  indexed?: boolean;
  /** A natural key: SharePoint enforces unique values (requires indexed). */
  unique?: boolean;
  description?: string;
}

export interface ListSpec {
  /** The list's display name, fixed so anyone can find it in the site. */
  name: string;
  description: string;
  columns: ColumnSpec[];
}

const text = (name: string, extra: Partial<ColumnSpec> = {}): ColumnSpec => ({
  name,
  type: 'text',
  ...extra,
});
const indexed = (name: string, type: ColumnType = 'text'): ColumnSpec => ({
  name,
  type,
  indexed: true,
});
const key = (name: string): ColumnSpec => ({ name, type: 'text', indexed: true, unique: true });
const note = (name: string): ColumnSpec => ({ name, type: 'note' });
/**
 * A random id per create call: a create that finds its key taken and its own WriteId on the
 * row was this very call, retried after its answer was lost, not a second writer.
 */
const writeId = (): ColumnSpec => ({
  name: 'WriteId',
  type: 'text',
  description: 'Which write created this row (tells a retry from a second writer).',
});

/**
 * The evidence a row carries: its signed record exactly as signed (canonical JSON), the signature
 * and the record's hash. Verify parses Record and checks the plain columns against it.
 */
function signedColumns(): ColumnSpec[] {
  return [
    note('Record'),
    text('Signature', {
      description: 'The signature of Record (JSON: alg, kid, sig); keys at /api/evidence/keys.',
    }),
    text('RecordHash'),
  ];
}

export const LIST = {
  policies: 'CountersignPolicies',
  versions: 'CountersignPolicyVersions',
  acknowledgements: 'CountersignAcknowledgements',
  approvals: 'CountersignApprovals',
  campaigns: 'CountersignCampaigns',
  audit: 'CountersignAudit',
  checkpoints: 'CountersignCheckpoints',
  settings: 'CountersignSettings',
} as const;
export type ListKey = keyof typeof LIST;

export const SCHEMA: Record<ListKey, ListSpec> = {
  policies: {
    name: LIST.policies,
    description: 'Countersign: one row per policy (staff AUP, governor AUP, …).',
    columns: [
      key('PolicyKey'),
      indexed('SchoolId'),
      text('PolicyTitle'),
      note('Record'),
      writeId(),
    ],
  },
  versions: {
    name: LIST.versions,
    description: 'Countersign: policy versions and their document JSON.',
    columns: [
      key('VersionKey'),
      indexed('PolicyKey'),
      indexed('VersionNumber', 'number'),
      indexed('Status'),
      text('ContentHash'),
      text('Label'),
      text('ChangeKind'),
      text('PublishedAt'),
      // The text: a file in the documents library (DocumentItemId, DocumentHash = SHA-256 of
      // its bytes); versions stored before the library hold it inline in Document.
      text('DocumentItemId'),
      text('DocumentHash'),
      note('Document'),
      // A school's copy of a trust policy: the master and variant versions it was composed
      // from and the school's own clauses (JSON, policy-variant.ts); empty on a school's own.
      note('Composition'),
      writeId(),
      ...signedColumns(),
    ],
  },
  acknowledgements: {
    name: LIST.acknowledgements,
    description:
      'Countersign: one row per signature. Signed: Record is the signed record as signed; an edited row fails `countersign verify`.',
    columns: [
      key('AckKey'),
      indexed('PolicyKey'),
      indexed('VersionNumber', 'number'),
      indexed('UserId'),
      // "policy:version:bucket" (list-partitions.ts): a policy's signatures are read by partition,
      // each under the list view threshold however many people sign.
      indexed('Partition'),
      text('SignedAt'),
      text('ContentHash'),
      text('Seal'),
      text('Upn'),
      text('DisplayName'),
      text('TypedName'),
      text('StatedRole'),
      text('Channel'),
      note('Consents'),
      text('ApprovalState'),
      text('AuditEventId', {
        description: 'The audit event written with this row (tells a retry from a repeat).',
      }),
      ...signedColumns(),
    ],
  },
  approvals: {
    name: LIST.approvals,
    description: "Countersign: the headteacher's decisions, one per acknowledgement.",
    columns: [
      key('AcknowledgementId'),
      indexed('UserId'),
      indexed('Decision'),
      text('ApproverId'),
      text('ApproverName'),
      note('AdditionalPermissions'),
      note('Comment'),
      text('DecidedAt'),
      writeId(),
      ...signedColumns(),
    ],
  },
  campaigns: {
    name: LIST.campaigns,
    description: 'Countersign: re-sign campaigns and their totals (never per-recipient rows).',
    columns: [
      key('CampaignId'),
      indexed('PolicyKey'),
      { name: 'VersionNumber', type: 'number' },
      indexed('Status'),
      text('Deadline'),
      { name: 'Recipients', type: 'number' },
      { name: 'Signed', type: 'number' },
      note('Record'),
      writeId(),
    ],
  },
  audit: {
    name: LIST.audit,
    description: 'Countersign: append-only event log, signed and hash-chained in 16 shards.',
    columns: [
      key('EventId'),
      indexed('EventType'),
      indexed('ActorId'),
      indexed('At'),
      indexed('Subject'),
      note('Details'),
      // The chain: each shard's events numbered from 1; the unique ChainKey "shard:seq" makes two
      // writers racing for one place fail the second, which signs again at the next place.
      indexed('Shard', 'number'),
      indexed('Seq', 'number'),
      key('ChainKey'),
      // "shard:thousand" (list-partitions.ts): the events after a checkpoint are read by block.
      indexed('Block'),
      ...signedColumns(),
    ],
  },
  checkpoints: {
    name: LIST.checkpoints,
    description:
      'Countersign: signed checkpoints (every chain head, counts of every evidence list), copied outside the site too.',
    columns: [
      // "checkpoint:N", unique: two writers can never both store a checkpoint N.
      key('CheckpointKey'),
      // The writer reads the latest ones by number (one indexed filter, `Number ge N`).
      indexed('Number', 'number'),
      text('At'),
      text('Cutoff'),
      ...signedColumns(),
    ],
  },
  settings: {
    name: LIST.settings,
    description:
      "Countersign: each school's settings (audiences, admins, approvers, reminders, calendar, retention), edited in the Admin view; every change is a settings.changed audit event.",
    columns: [
      // One row per school: a trust's schools sit side by side, and a second create of one fails.
      key('SchoolId'),
      text('SchoolName'),
      { name: 'Revision', type: 'number' },
      text('UpdatedAt'),
      text('UpdatedBy'),
      // The settings as JSON (src/domain/school.ts), read back through the same schema.
      note('Settings'),
    ],
  },
};

/**
 * The document library that holds each version's text as a file: a multiple-lines column's limits
 * are not documented through Graph (figures around 64 K characters are reported), a file's are.
 */
export const DOCUMENT_LIBRARY = {
  name: 'CountersignDocuments',
  description:
    'Countersign: the text of each policy version (JSON), named by policy, version and SHA-256. The version row names its file and hash; an edited file is refused.',
} as const;

/** The Graph `columnDefinition` body that creates a column. */
export function columnDefinition(spec: ColumnSpec): Record<string, unknown> {
  const facet: Record<string, unknown> =
    spec.type === 'text'
      ? { text: { allowMultipleLines: false, maxLength: 255 } }
      : spec.type === 'note'
        ? { text: { allowMultipleLines: true } }
        : spec.type === 'number'
          ? { number: {} }
          : { boolean: {} };
  return {
    name: spec.name,
    displayName: spec.name,
    ...(spec.description ? { description: spec.description } : {}),
    indexed: spec.indexed === true || spec.unique === true,
    ...(spec.unique ? { enforceUniqueValues: true } : {}),
    ...facet,
  };
}

/** The names of a list's columns, for `$expand=fields($select=…)`. */
export function fieldNames(list: ListKey): string[] {
  return ['Title', ...SCHEMA[list].columns.map((c) => c.name)];
}
