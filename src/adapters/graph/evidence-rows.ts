import type { EvidenceRow, VersionRow } from '../../domain/evidence/evidence-row.ts';
import type { AcknowledgementRow, SignedRow } from './sharepoint-record-store.ts';

function parseDocument(document: unknown): unknown {
  if (typeof document !== 'string') return document;
  try {
    return JSON.parse(document) as unknown;
  } catch {
    return document; // not JSON: an edit; the version's text check names it
  }
}

/**
 * An acknowledgement row as evidence: its signed record, or a row from before signatures with its
 * seal (the domain tells the two apart).
 */
export function acknowledgementEvidenceRow(row: AcknowledgementRow): EvidenceRow {
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

/**
 * Rows of a list of signed records as evidence; rows with no signed record (a pending approval, a
 * draft, an event from before the chain) are not evidence and are left out.
 */
export function signedEvidenceRows(rows: readonly SignedRow[]): VersionRow[] {
  return rows.flatMap((row) =>
    row.evidence === null
      ? []
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
