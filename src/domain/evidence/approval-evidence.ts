import { approvalStateSchema, type ApprovalState } from './domain-imports.ts';
import type { AcknowledgementRecord, ApprovalDecisionRecord } from './evidence-record.ts';
import type { Finding, FindingSubject } from './finding.ts';

/** The decision that stands for an acknowledgement: the latest by decision time (then by id). */
export function latestDecision(
  acknowledgementId: string,
  decisions: readonly ApprovalDecisionRecord[],
): ApprovalDecisionRecord | undefined {
  let latest: ApprovalDecisionRecord | undefined;
  for (const decision of decisions) {
    if (decision.acknowledgementId !== acknowledgementId) continue;
    const at = Date.parse(decision.decidedAt);
    const latestAt = latest === undefined ? -Infinity : Date.parse(latest.decidedAt);
    if (latest === undefined || at > latestAt || (at === latestAt && decision.id > latest.id)) {
      latest = decision;
    }
  }
  return latest;
}

/**
 * The approval state from signed records alone, what status must use: not required if the signed
 * acknowledgement says so; else the latest signed decision; else pending. Pass only decisions
 * whose signatures hold.
 */
export function signedApprovalState(
  ack: AcknowledgementRecord,
  decisions: readonly ApprovalDecisionRecord[],
): ApprovalState {
  if (ack.approvalAtSigning === 'not-required') return 'not-required';
  return latestDecision(ack.id, decisions)?.decision ?? 'pending';
}

/**
 * Compares the unsigned ApprovalState column with the signed records. A column saying "not
 * required" of a signature that required approval is a bypass; any other disagreement (a decision
 * nobody signed, a decision turned round, a decided one put back to pending) is a flip.
 */
export function checkApprovalColumn(
  ack: AcknowledgementRecord,
  column: unknown,
  decisions: readonly ApprovalDecisionRecord[],
  subject: FindingSubject,
): Finding | null {
  const signed = signedApprovalState(ack, decisions);
  const parsed = approvalStateSchema.safeParse(column);
  const shown = parsed.success ? parsed.data : (JSON.stringify(column) ?? 'nothing');
  if (shown === signed) return null;
  const latest = latestDecision(ack.id, decisions);
  const evidence =
    ack.approvalAtSigning === 'not-required'
      ? 'the signed acknowledgement says no approval was required'
      : latest === undefined
        ? 'approval was required at signing and no signed decision exists'
        : `the signed decision ${latest.id} by ${latest.approverName} (${latest.decidedAt}) is ${latest.decision}`;
  if (ack.approvalAtSigning === 'pending' && shown === 'not-required') {
    return {
      code: 'approval-bypassed',
      severity: 'failure',
      subject,
      column: shown,
      message: `Acknowledgement ${ack.id} shows approval as not required, but ${evidence}: the approval was bypassed.`,
    };
  }
  return {
    code: 'approval-flipped',
    severity: 'failure',
    subject,
    column: shown,
    signed,
    message: `Acknowledgement ${ack.id} shows approval as ${shown}, but ${evidence}: the approval state was changed outside Countersign.`,
  };
}
