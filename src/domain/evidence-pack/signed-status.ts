import type { Acknowledgement } from '../acknowledgement.ts';
import type { Approval } from '../approval.ts';
import { latestDecision, signedApprovalState } from '../evidence/approval-evidence.ts';
import type { AcknowledgementRecord, ApprovalDecisionRecord } from '../evidence/evidence-record.ts';
import type { PersonStatus } from '../person-status.ts';
import type { AudienceKey } from '../policy-document.ts';
import type { Policy, PolicyVersion } from '../policy.ts';
import { computeStatus } from '../status.ts';

/** What status rests on in a pack: signed records only, never an unsigned column. */
export interface SignedEvidence {
  acknowledgements: readonly AcknowledgementRecord[];
  /** Decisions whose signatures hold. */
  decisions: readonly ApprovalDecisionRecord[];
}

/** A decision as the status rules read approvals. */
function approvalOf(decision: ApprovalDecisionRecord): Approval {
  return {
    acknowledgementId: decision.acknowledgementId,
    userId: decision.userId,
    decision: decision.decision,
    approverId: decision.approverId,
    approverName: decision.approverName,
    additionalPermissions: decision.additionalPermissions,
    ...(decision.reason === undefined ? {} : { comment: decision.reason }),
    decidedAt: decision.decidedAt,
  };
}

/**
 * A signed record in the shape the status rules take, its approval state from the signed records.
 * The legacy HMAC seal plays no part in status, and signed records carry none: it is left empty.
 */
function acknowledgementOf(
  record: AcknowledgementRecord,
  decisions: readonly ApprovalDecisionRecord[],
): Acknowledgement {
  return {
    id: record.id,
    policyKey: record.policyKey,
    versionNumber: record.versionNumber,
    contentHash: record.contentHash,
    userId: record.userId,
    upn: record.upn,
    displayName: record.displayName,
    typedName: record.typedName,
    statedRole: record.statedRole,
    signedAt: record.signedAt,
    channel: record.channel,
    consents: record.consents,
    approvalState: signedApprovalState(record, decisions),
    seal: '',
  };
}

/** One person's status with one policy, computed from the signed evidence alone. */
export function signedStatus(input: {
  policy: Policy;
  versions: readonly PolicyVersion[];
  evidence: SignedEvidence;
  userId: string;
  personAudiences: readonly AudienceKey[];
  timeZone: string;
  now: Date;
  deadline?: string;
}): PersonStatus {
  const acks = input.evidence.acknowledgements.filter(
    (a) => a.userId === input.userId && a.policyKey === input.policy.key,
  );
  const ids = new Set(acks.map((a) => a.id));
  const decisions = input.evidence.decisions.filter((d) => ids.has(d.acknowledgementId));
  return computeStatus({
    policy: input.policy,
    versions: input.versions,
    acknowledgements: acks.map((a) => acknowledgementOf(a, decisions)),
    approvals: decisions.map(approvalOf),
    personAudiences: input.personAudiences,
    timeZone: input.timeZone,
    now: input.now,
    ...(input.deadline === undefined ? {} : { deadline: input.deadline }),
  });
}

export { latestDecision, signedApprovalState };
