import { canonicalJson, type Acknowledgement, type SealKey } from './domain-imports.ts';
import {
  kindOfList,
  schemaOfKind,
  type EvidenceList,
  type EvidenceRecord,
} from './evidence-record.ts';
import type { Finding, FindingSubject } from './finding.ts';
import type { PreparedKeyRing } from './key-ring.ts';
import {
  checkLegacySeal,
  parseLegacyAcknowledgement,
  type LegacySealCheck,
} from './legacy-seal.ts';
import { checkSignature, type SignatureCheck } from './signature-check.ts';
import { recordHash } from './signing-payload.ts';

/**
 * One stored row as the store's reader hands it over: plain data, nothing trusted.
 *
 * The store keeps each record's canonical JSON exactly as signed (parse it into `record`; never
 * rebuild it from columns, which SharePoint reshapes: a DateTime column drops milliseconds) and the
 * signature beside it. `columns` are the plain copies the store filters, sorts and displays on
 * (userId, policyKey, shard, seq…, by record field name), plus two that are not record fields:
 * `hash` (any list) and `approvalState` (acknowledgements: the unsigned state the people report
 * reads). Each is checked against the signed record.
 */
export interface EvidenceRow {
  /** Where the row was read (a list item id, a blob name), to name it in findings. */
  itemId?: string;
  record: unknown;
  signature?: unknown;
  columns?: Readonly<Record<string, unknown>>;
}

/** A version row also holds the document (unsigned, large): it must hash to the signed hash. */
export interface VersionRow extends EvidenceRow {
  document?: unknown;
}

interface RowBase {
  row: EvidenceRow;
  subject: FindingSubject;
}

/** A row after reading: its record if readable, and whether its signature (or legacy seal) holds. */
export type ReadRow =
  | (RowBase & { status: 'valid'; record: EvidenceRecord; hash: string })
  /** Readable, but its signature does not hold: `finding` says why. */
  | (RowBase & { status: 'invalid'; record: EvidenceRecord; hash: string; finding: Finding })
  /** An acknowledgement from before signatures, with its HMAC seal. */
  | (RowBase & { status: 'legacy'; ack: Acknowledgement; seal: LegacySealCheck })
  | (RowBase & { status: 'unreadable'; finding: Finding });

const NOUN: Record<EvidenceList, string> = {
  acknowledgements: 'Acknowledgement',
  approvalDecisions: 'Approval decision',
  versions: 'Published version',
  auditEvents: 'Audit event',
  checkpoints: 'Checkpoint',
};

export function nounOf(list: EvidenceList): string {
  return NOUN[list];
}

function stringProp(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const prop = (value as Record<string, unknown>)[key];
  return typeof prop === 'string' && prop !== '' ? prop : undefined;
}

function subjectFor(
  list: EvidenceList,
  row: EvidenceRow,
  index: number,
  id?: string,
): FindingSubject {
  const named = id ?? stringProp(row.record, 'id') ?? stringProp(row.columns, 'id');
  return {
    list,
    id: named ?? `(row ${index + 1})`,
    ...(row.itemId === undefined ? {} : { itemId: row.itemId }),
  };
}

/** What a failed signature check says, as a finding about this row. */
function signatureFinding(
  list: EvidenceList,
  record: EvidenceRecord,
  check: Exclude<SignatureCheck, { status: 'valid' }>,
  subject: FindingSubject,
): Finding {
  const what = `${NOUN[list]} ${record.id}`;
  const event = list === 'auditEvents';
  switch (check.status) {
    case 'missing':
      return event
        ? {
            code: 'event-forged',
            severity: 'failure',
            subject,
            message: `${what} carries no signature: Countersign did not write it.`,
          }
        : {
            code: 'record-forged',
            severity: 'failure',
            subject,
            message: `${what} carries no signature: Countersign did not write it, or its signature was removed.`,
          };
    case 'malformed':
    case 'bad-signature': {
      const why =
        check.status === 'malformed'
          ? 'its signature is unreadable'
          : `it does not match its signature (key ${check.kid})`;
      return event
        ? {
            code: 'event-forged',
            severity: 'failure',
            subject,
            message: `${what}: ${why}: the event was forged or edited.`,
          }
        : {
            code: 'field-edited',
            severity: 'failure',
            subject,
            message: `${what}: ${why}: a field was edited after signing.`,
          };
    }
    case 'unknown-key':
      return {
        code: 'unknown-key',
        severity: 'failure',
        subject,
        kid: check.kid,
        message: `${what} is signed with key ${check.kid}, which is not among the published keys.`,
      };
    case 'key-not-valid-at-signing':
      return {
        code: 'key-not-valid-at-signing',
        severity: 'failure',
        subject,
        kid: check.kid,
        signingTime: check.signingTime,
        message: `${what} says it was signed at ${check.signingTime}, but key ${check.kid} is valid only from ${check.validFrom}${check.validTo === undefined ? '' : ` until ${check.validTo}`}.`,
      };
  }
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z$/;

/** Equal as stored values; two ISO instants are equal if they name the same millisecond. */
function sameValue(a: unknown, b: unknown): boolean {
  if (
    typeof a === 'string' &&
    typeof b === 'string' &&
    ISO_INSTANT.test(a) &&
    ISO_INSTANT.test(b)
  ) {
    return Date.parse(a) === Date.parse(b);
  }
  try {
    return canonicalJson(a) === canonicalJson(b);
  } catch {
    return false;
  }
}

function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/**
 * The plain columns against the signed record: a column the reports read that says something the
 * record does not is an edit; an event's Shard/Seq that place it elsewhere reorder the log.
 */
function checkColumns(
  list: EvidenceList,
  record: EvidenceRecord,
  hash: string,
  row: EvidenceRow,
  subject: FindingSubject,
): Finding[] {
  const findings: Finding[] = [];
  const fields = record as Record<string, unknown>;
  for (const [column, value] of Object.entries(row.columns ?? {})) {
    if (value === undefined) continue;
    if (column === 'approvalState' && list === 'acknowledgements') continue; // checked against decisions
    if (
      list === 'auditEvents' &&
      record.kind === 'audit-event' &&
      (column === 'seq' || column === 'shard')
    ) {
      const signed = record[column];
      if (value === signed) continue;
      const storedSeq = column === 'seq' && typeof value === 'number' ? value : record.seq;
      findings.push({
        code: 'event-reordered',
        severity: 'failure',
        subject,
        signedSeq: record.seq,
        storedSeq,
        message: `Audit event ${record.id} is stored as ${column} ${show(value)} but was signed as ${column} ${signed} (seq ${record.seq} of shard ${record.shard}): the log was reordered.`,
      });
      continue;
    }
    const expected = column === 'hash' ? hash : fields[column];
    if (column !== 'hash' && !(column in fields)) continue; // a column the record does not sign
    if (!sameValue(value, expected)) {
      findings.push({
        code: 'field-edited',
        severity: 'failure',
        subject,
        column,
        message: `${NOUN[list]} ${record.id}: its ${column} column says ${show(value)} but the signed record says ${show(expected)}: the column was edited.`,
      });
    }
  }
  return findings;
}

export interface ReadRows {
  rows: ReadRow[];
  /** Findings about single rows (signatures, seals, columns). Events' signature findings are
   * left on their rows for the chain check to place (forged or inserted). */
  findings: Finding[];
}

/** Parses and checks every row of one list against the key ring (and the legacy HMAC key). */
export function readRows(
  list: EvidenceList,
  rows: readonly EvidenceRow[],
  ring: PreparedKeyRing,
  legacyHmacKey?: SealKey,
): ReadRows {
  const schema = schemaOfKind(kindOfList(list));
  const read: ReadRow[] = [];
  const findings: Finding[] = [];
  rows.forEach((row, index) => {
    const parsed = schema.safeParse(row.record);
    if (!parsed.success) {
      const legacy =
        list === 'acknowledgements' && row.signature === undefined
          ? parseLegacyAcknowledgement(row.record)
          : null;
      if (legacy !== null) {
        const subject = subjectFor(list, row, index, legacy.id);
        const seal = checkLegacySeal(legacy, legacyHmacKey);
        read.push({ status: 'legacy', row, subject, ack: legacy, seal });
        findings.push(legacyFinding(legacy, seal, subject));
        return;
      }
      const subject = subjectFor(list, row, index);
      const issues = parsed.error.issues
        .slice(0, 3)
        .map((issue) => `${issue.path.map(String).join('.') || '(record)'}: ${issue.message}`)
        .join('; ');
      const finding: Finding =
        list === 'auditEvents'
          ? {
              code: 'event-forged',
              severity: 'failure',
              subject,
              message: `Audit event ${subject.id ?? ''} is not a valid chained event (${issues}): forged or edited.`,
            }
          : {
              code: 'field-edited',
              severity: 'failure',
              subject,
              message: `${NOUN[list]} ${subject.id ?? ''} is no longer a valid record (${issues}): it was edited.`,
            };
      read.push({ status: 'unreadable', row, subject, finding });
      findings.push(finding);
      return;
    }
    const record = parsed.data;
    const hash = recordHash(record);
    const subject: FindingSubject = {
      ...subjectFor(list, row, index, record.id),
      ...(record.kind === 'audit-event' ? { shard: record.shard, seq: record.seq } : {}),
    };
    const check = checkSignature(record, row.signature, ring);
    if (check.status === 'valid') {
      read.push({ status: 'valid', row, subject, record, hash });
      findings.push(...checkColumns(list, record, hash, row, subject));
      return;
    }
    const finding = signatureFinding(list, record, check, subject);
    read.push({ status: 'invalid', row, subject, record, hash, finding });
    if (list !== 'auditEvents') findings.push(finding);
  });
  return { rows: read, findings };
}

function legacyFinding(
  ack: Acknowledgement,
  seal: LegacySealCheck,
  subject: FindingSubject,
): Finding {
  switch (seal) {
    case 'holds':
      return {
        code: 'legacy-seal',
        severity: 'warning',
        subject,
        verified: true,
        message: `Acknowledgement ${ack.id} predates signatures: its HMAC seal holds, but whoever holds that key could have made it, and its approval state (${ack.approvalState}) is not signed.`,
      };
    case 'no-key':
      return {
        code: 'legacy-seal',
        severity: 'failure',
        subject,
        verified: false,
        message: `Acknowledgement ${ack.id} predates signatures and carries only an HMAC seal; without the school's seal key it cannot be verified.`,
      };
    case 'fails':
      return {
        code: 'field-edited',
        severity: 'failure',
        subject,
        message: `Acknowledgement ${ack.id} does not match its legacy HMAC seal: a field was edited.`,
      };
  }
}
