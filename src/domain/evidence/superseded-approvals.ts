import type {
  AcknowledgementRecord,
  ApprovalDecisionRecord,
  AuditEventRecord,
} from './evidence-record.ts';
import type { Finding, FindingSubject } from './finding.ts';

/**
 * A pending signature is closed as superseded when its signer signs the same policy again: the
 * service signs an `approval.superseded` audit event naming it (subject) and the newer signature
 * (details.supersededBy), chained like every event, so the record says why it was never decided.
 * The event's signature says the service wrote it; this says it is founded: both signatures are
 * there (a missing one is row-deleted, found by namedRows), by the same person, of the same
 * policy, the newer one later, and the closed one waited for a decision and has none. A closure
 * that fails any of these (made to hide a pending signature from the approver) is a failure.
 */
export interface SupersededClosure {
  event: AuditEventRecord;
  subject: FindingSubject;
}

/** The newer signature a closure names, when the event carries one. */
export function supersededBy(event: AuditEventRecord): string | undefined {
  const by = event.details['supersededBy'];
  return typeof by === 'string' && by !== '' ? by : undefined;
}

function later(a: AcknowledgementRecord, b: AcknowledgementRecord): boolean {
  return (
    b.versionNumber > a.versionNumber ||
    (b.versionNumber === a.versionNumber && Date.parse(b.signedAt) > Date.parse(a.signedAt))
  );
}

export function checkSupersededClosures(
  closures: readonly SupersededClosure[],
  acks: readonly AcknowledgementRecord[],
  decisions: readonly ApprovalDecisionRecord[],
): Finding[] {
  const byId = new Map(acks.map((a) => [a.id, a]));
  const decided = new Set(decisions.map((d) => d.acknowledgementId));
  const findings: Finding[] = [];
  for (const { event, subject } of closures) {
    const closed = byId.get(event.subject);
    const by = supersededBy(event);
    const newer = by === undefined ? undefined : byId.get(by);
    // A named row that is not there is row-deleted (namedRows); nothing more to say here.
    if (closed === undefined || (by !== undefined && newer === undefined)) continue;
    const why =
      newer === undefined
        ? 'it names no newer signature'
        : newer.userId !== closed.userId
          ? `the newer signature ${newer.id} is someone else's`
          : newer.policyKey !== closed.policyKey
            ? `the newer signature ${newer.id} is of another policy`
            : !later(closed, newer)
              ? `the signature ${newer.id} it names is not newer`
              : closed.approvalAtSigning !== 'pending'
                ? 'the closed signature never waited for approval'
                : decided.has(closed.id)
                  ? 'the closed signature has a signed decision'
                  : null;
    if (why === null) continue;
    findings.push({
      code: 'closure-unfounded',
      severity: 'failure',
      subject,
      ...(by === undefined ? {} : { supersededBy: by }),
      message: `Audit event ${event.id} closes acknowledgement ${event.subject} as superseded, but ${why}: a pending signature may have been hidden from its approver.`,
    });
  }
  return findings;
}
