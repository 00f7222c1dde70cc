import { CountersignError } from '../domain/errors.ts';
import type { Approval } from '../domain/approval.ts';
import { signRecord } from '../domain/evidence/evidence-signer.ts';
import { typedNameDiffers } from '../domain/name-match.ts';
import type { Actor } from './actor.ts';
import type { PendingApproval } from './countersign-service.ts';
import { requireRole } from './require-role.ts';
import type { ServiceContext } from './service-context.ts';

export async function pendingApprovals(
  ctx: ServiceContext,
  actor: Actor,
): Promise<PendingApproval[]> {
  requireRole(actor, 'Policy.Approver');
  const pending = await ctx.records.listApprovals({ decision: 'pending' });
  const out: PendingApproval[] = [];
  // Group by policy so acknowledgements are read once per policy, not once per person.
  const policyKeys = new Set(pending.map((p) => p.value.acknowledgementId.split(':v')[0] ?? ''));
  const acks = new Map<string, PendingApproval['acknowledgement']>();
  for (const policyKey of policyKeys) {
    for (const ack of await ctx.records.listAcknowledgements({ policyKey })) acks.set(ack.id, ack);
  }
  for (const tagged of pending) {
    const acknowledgement = acks.get(tagged.value.acknowledgementId);
    if (!acknowledgement) continue;
    out.push({
      approval: tagged.value,
      acknowledgement,
      etag: tagged.etag,
      typedNameDiffers: typedNameDiffers(acknowledgement.typedName, acknowledgement.displayName),
    });
  }
  return out.sort((a, b) => a.acknowledgement.signedAt.localeCompare(b.acknowledgement.signedAt));
}

/** The headteacher's decision. Nobody approves their own signature. */
export async function decideApproval(
  ctx: ServiceContext,
  actor: Actor,
  input: {
    acknowledgementId: string;
    decision: 'approved' | 'rejected';
    additionalPermissions: string[];
    comment?: string;
  },
): Promise<Approval> {
  requireRole(actor, 'Policy.Approver');
  const comment = input.comment?.trim();
  if (input.decision === 'rejected' && !comment) {
    throw new CountersignError('validation', 'Give a reason when you reject.', {
      field: 'comment',
    });
  }
  const candidates = await ctx.records.listApprovals({});
  const current = candidates.find((c) => c.value.acknowledgementId === input.acknowledgementId);
  if (!current) {
    throw new CountersignError('not-found', 'There is no approval for that signature.');
  }
  if (current.value.userId === actor.id) {
    throw new CountersignError('forbidden', 'You cannot approve your own signature.');
  }
  if (current.value.decision !== 'pending') {
    throw new CountersignError(
      'conflict',
      `This was already ${current.value.decision}${current.value.approverName ? ` by ${current.value.approverName}` : ''}.`,
      { approval: current.value },
    );
  }
  const decidedAt = ctx.clock.now().toISOString();
  const decided: Approval = {
    ...current.value,
    decision: input.decision,
    approverId: actor.id,
    approverName: actor.displayName,
    additionalPermissions: input.decision === 'approved' ? input.additionalPermissions : [],
    ...(comment ? { comment } : {}),
    decidedAt,
  };
  // The evidence: the decision as its own signed record. An acknowledgement is decided once (a
  // rejected person signs again, under a new acknowledgement id), so the id names the decision.
  const signed = await signRecord(ctx.evidence.signer, {
    kind: 'approval-decision',
    id: `${input.acknowledgementId}:decision`,
    acknowledgementId: input.acknowledgementId,
    userId: current.value.userId,
    approverId: actor.id,
    approverName: actor.displayName,
    decision: input.decision,
    additionalPermissions: decided.additionalPermissions,
    ...(comment ? { reason: comment } : {}),
    decidedAt,
  });
  const stored = await ctx.records.decideApproval(
    current,
    decided,
    {
      id: ctx.newId(),
      type: 'approval.decided',
      actorId: actor.id,
      // An event announcing a record carries that record's signing time.
      at: decidedAt,
      subject: input.acknowledgementId,
      details: {
        decision: decided.decision,
        decisionId: signed.record.id,
        additionalPermissions: decided.additionalPermissions,
        ...(comment ? { comment } : {}),
      },
    },
    signed,
  );
  return stored.value;
}
