import type { EvidenceRow, VersionRow } from '../evidence/evidence-row.ts';
import { readRows } from '../evidence/evidence-row.ts';
import type { Finding } from '../evidence/finding.ts';
import { prepareKeyRing, type KeyRing } from '../evidence/key-ring.ts';
import { verifyEvidence, type EvidenceReport } from '../evidence/verify-evidence.ts';
import type { PackRow } from './pack-files.ts';

/** Everything `verify --pack` reads from a pack, as plain data. */
export interface PackInput {
  acknowledgements: readonly PackRow[];
  approvalDecisions: readonly PackRow[];
  versions: readonly PackRow[];
  /** Each version's text file as stored, by version number. */
  documents: ReadonlyMap<number, string>;
  checkpoint: PackRow | null;
  keyRing: KeyRing;
}

function parseLoosely(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text; // not JSON: an edit, which the record's schema check names
  }
}

function evidenceRow(row: PackRow): EvidenceRow {
  return {
    ...(row.itemId === undefined ? {} : { itemId: row.itemId }),
    record: parseLoosely(row.Record),
    ...(row.Signature === undefined ? {} : { signature: parseLoosely(row.Signature) }),
    columns: row.columns,
  };
}

function numberOf(record: unknown): number | undefined {
  if (typeof record !== 'object' || record === null) return undefined;
  const n = (record as Record<string, unknown>).number;
  return typeof n === 'number' ? n : undefined;
}

/**
 * Verifies a pack with its own keys only: every record's signature, every plain column against
 * its record, approval states against the signed decisions, that every version a signature or
 * decision names is in the pack, each version's text file against its signed content hash, and the
 * checkpoint's signature. Pure.
 *
 * A pack is a part of the site's evidence: it holds no audit log, so "no audit event" is not said
 * of it, and its checkpoint (which counts the whole site) is checked for its signature, not
 * against the pack's rows. Completeness of the whole site is `countersign verify` against the site.
 */
export function verifyPack(input: PackInput): EvidenceReport {
  const versions: VersionRow[] = input.versions.map((row) => {
    const base = evidenceRow(row);
    const n = numberOf(base.record);
    const text = n === undefined ? undefined : input.documents.get(n);
    return text === undefined ? base : { ...base, document: parseLoosely(text) };
  });
  const report = verifyEvidence({
    acknowledgements: input.acknowledgements.map(evidenceRow),
    approvalDecisions: input.approvalDecisions.map(evidenceRow),
    versions,
    auditEvents: [],
    checkpoints: [],
    keyRing: input.keyRing,
  });
  const findings: Finding[] = report.findings.filter((f) => f.code !== 'event-missing');
  for (const row of versions) {
    const n = numberOf(row.record);
    if (n !== undefined && row.document === undefined) {
      const signed = (row.record as { contentHash?: unknown }).contentHash;
      findings.push({
        code: 'version-text-edited',
        severity: 'failure',
        subject: { list: 'versions', ...(row.itemId === undefined ? {} : { itemId: row.itemId }) },
        signedHash: typeof signed === 'string' ? signed : '',
        documentHash: null,
        message: `The pack holds no text for version ${n} (texts/v${n}.document.json): what was signed cannot be shown.`,
      });
    }
  }
  let checkpoints = report.counts.checkpoints;
  let latestCheckpoint: EvidenceReport['latestCheckpoint'] = null;
  if (input.checkpoint !== null) {
    const read = readRows(
      'checkpoints',
      [evidenceRow(input.checkpoint)],
      prepareKeyRing(input.keyRing),
    );
    findings.push(...read.findings);
    const valid = read.rows.flatMap((r) =>
      r.status === 'valid' && r.record.kind === 'checkpoint' ? [r.record] : [],
    );
    checkpoints = { rows: 1, holding: valid.length };
    const [checkpoint] = valid;
    if (checkpoint !== undefined) {
      latestCheckpoint = { id: checkpoint.id, at: checkpoint.at, cutoff: checkpoint.cutoff };
    }
  }
  return {
    ...report,
    findings,
    counts: { ...report.counts, checkpoints },
    latestCheckpoint,
    ok: !findings.some((f) => f.severity === 'failure'),
  };
}
