import type { EvidenceRow } from '../domain/evidence/evidence-row.ts';
import type { Finding } from '../domain/evidence/finding.ts';
import type { KeyRing } from '../domain/evidence/key-ring.ts';
import { verifyEvidence, type EvidenceReport } from '../domain/evidence/verify-evidence.ts';
import type { SignatureEventRef, StoredEvidence } from '../ports/stored-evidence.ts';

/**
 * Rows the log says were signed and that are gone. Events from before the chain are not evidence,
 * but they are the only record of a row that no signed record names.
 */
function deletedPerAuditLog(
  present: ReadonlySet<string>,
  events: readonly SignatureEventRef[],
): Finding[] {
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
 * verifyEvidence over the lists as stored, with only the public keys (and the legacy HMAC key
 * for rows from before signatures, if given): what `countersign verify` and the service's
 * nightly records check both run. The unsigned log still names deleted acknowledgements that no
 * signed record names.
 */
export function verifyStoredEvidence(
  stored: StoredEvidence,
  keyRing: KeyRing,
  legacyHmacKey?: string | Uint8Array,
  /** Signed checkpoints: the site's Checkpoints list and copies from outside it. */
  checkpoints: readonly EvidenceRow[] = [],
): EvidenceReport {
  const report = verifyEvidence({
    acknowledgements: stored.acknowledgements,
    approvalDecisions: stored.approvalDecisions,
    versions: stored.versions,
    auditEvents: stored.auditEvents,
    checkpoints,
    keyRing,
    ...(legacyHmacKey === undefined ? {} : { legacyHmacKey }),
  });
  const named = new Set(
    report.findings.flatMap((f) => (f.code === 'row-deleted' ? [f.subject.id] : [])),
  );
  const chained = stored.auditEvents.length > 0;
  const present = new Set(stored.acknowledgements.map((r) => r.key));
  // Until the site has chained events, every signed row would lack one: no warning says so.
  const findings = [
    ...report.findings.filter((f) => chained || f.code !== 'event-missing'),
    ...deletedPerAuditLog(present, stored.signatureEvents).filter((f) => !named.has(f.subject.id)),
  ];
  return { ...report, findings, ok: !findings.some((f) => f.severity === 'failure') };
}
