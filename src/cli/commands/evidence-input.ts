import type {
  AcknowledgementRow,
  SignedRow,
} from '../../adapters/graph/sharepoint-record-store.ts';
import type { AuditEvent } from '../../domain/audit-event.ts';
import type { EvidenceRow, VersionRow } from '../../domain/evidence/evidence-row.ts';
import type { Finding } from '../../domain/evidence/finding.ts';
import type { KeyRing } from '../../domain/evidence/key-ring.ts';
import { verifyEvidence, type EvidenceReport } from '../../domain/evidence/verify-evidence.ts';
import type { RecordStore } from '../../ports/record-store.ts';

/** What the evidence check reads from the site: every row of the lists that hold evidence. */
export interface EvidenceSource extends Pick<RecordStore, 'listAudit'> {
  scanAcknowledgements(query: Record<string, never>): Promise<AcknowledgementRow[]>;
  scanSignedRows(list: 'approvals' | 'versions' | 'audit'): Promise<SignedRow[]>;
}

function parseDocument(document: unknown): unknown {
  if (typeof document !== 'string') return document;
  try {
    return JSON.parse(document) as unknown;
  } catch {
    return document; // not JSON: an edit; the version's text check names it
  }
}

/** A signed acknowledgement as stored, or a row from before signatures with its seal. */
function acknowledgementRow(row: AcknowledgementRow): EvidenceRow {
  if (row.evidence !== null) {
    return {
      itemId: row.itemId,
      record: row.evidence.record,
      ...(row.evidence.signature === undefined ? {} : { signature: row.evidence.signature }),
      columns: row.columns,
    };
  }
  return { itemId: row.itemId, record: row.acknowledgement ?? row.columns };
}

function signedRows(rows: readonly SignedRow[]): VersionRow[] {
  return rows.flatMap((row) =>
    row.evidence === null
      ? [] // a pending approval, a draft, or a row from before signatures
      : [
          {
            itemId: row.itemId,
            record: row.evidence.record,
            ...(row.evidence.signature === undefined ? {} : { signature: row.evidence.signature }),
            columns: row.columns,
            ...(row.document === undefined ? {} : { document: parseDocument(row.document) }),
          },
        ],
  );
}

/**
 * Rows the (not yet signed) audit log says were signed and that are gone. Until audit events are
 * signed and chained, these events are the only record of a row with no signed decision naming it.
 */
function deletedPerAuditLog(
  rows: readonly AcknowledgementRow[],
  events: readonly AuditEvent[],
): Finding[] {
  const present = new Set(rows.map((r) => r.key));
  return events
    .filter((event) => !present.has(event.subject))
    .map((event) => ({
      code: 'row-deleted',
      severity: 'failure',
      subject: { list: 'acknowledgements', id: event.subject },
      namedBy: { list: 'auditEvents', id: event.id },
      message: `Acknowledgement ${event.subject} is not there, but audit event ${event.id} records it was signed at ${event.at}: the row was deleted.`,
    }));
}

/**
 * verifyEvidence over the site's lists with only the public keys (and the legacy HMAC key for rows
 * from before signatures, if given): the signed rows, and the chained audit events (events from
 * before the chain are not evidence; no checkpoints are written yet). The unsigned log still
 * names deleted acknowledgements no signed record names.
 */
export async function verifySiteEvidence(
  source: EvidenceSource,
  keyRing: KeyRing,
  legacyHmacKey?: string,
): Promise<EvidenceReport> {
  const [acks, approvals, versions, events, signed] = await Promise.all([
    source.scanAcknowledgements({}),
    source.scanSignedRows('approvals'),
    source.scanSignedRows('versions'),
    source.scanSignedRows('audit'),
    source.listAudit({ type: 'acknowledgement.signed' }),
  ]);
  // Events written before the chain carry no record: they are not evidence, only hints.
  const chained = signedRows(events);
  const report = verifyEvidence({
    acknowledgements: acks.map(acknowledgementRow),
    approvalDecisions: signedRows(approvals),
    versions: signedRows(versions),
    auditEvents: chained,
    checkpoints: [],
    keyRing,
    ...(legacyHmacKey === undefined ? {} : { legacyHmacKey }),
  });
  const named = new Set(
    report.findings.flatMap((f) => (f.code === 'row-deleted' ? [f.subject.id] : [])),
  );
  // Until the site has chained events, every signed row would lack one: no warning says so.
  const findings = [
    ...report.findings.filter((f) => chained.length > 0 || f.code !== 'event-missing'),
    ...deletedPerAuditLog(acks, signed).filter((f) => !named.has(f.subject.id)),
  ];
  return { ...report, findings, ok: !findings.some((f) => f.severity === 'failure') };
}
