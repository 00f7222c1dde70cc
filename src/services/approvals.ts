import { CountersignError } from '../domain/errors.ts';
import { normalisePermissions, permissionChoicesOf } from '../domain/additional-permissions.ts';
import type { Approval } from '../domain/approval.ts';
import { decisionAuthority } from '../domain/approval-route.ts';
import { signRecord } from '../domain/evidence/evidence-signer.ts';
import { typedNameDiffers } from '../domain/name-match.ts';
import type { Actor } from './actor.ts';
import type { PendingApproval } from './countersign-service.ts';
import { requireRole } from './require-role.ts';
import type { Tagged } from '../ports/record-store.ts';
import type { ServiceContext } from './service-context.ts';

export async function pendingApprovals(
  ctx: ServiceContext,
  actor: Actor,
): Promise<PendingApproval[]> {
  requireRole(actor, 'Policy.Approver');
  // Only what this approver may decide: never their own signature, an approver's signature only
  // for the named approver (the head was once offered her own approval and then refused).
  return openApprovals(ctx, (userId) => mayDecide(ctx, actor, userId));
}

/**
 * Every signature still waiting for a decision, one per person and policy (the latest: one they
 * have since signed again is superseded), oldest first; `whose` narrows it by signer before any
 * acknowledgement is read. Also what the repair sweep asks approvers about again.
 */
export async function openApprovals(
  ctx: ServiceContext,
  whose: (signerId: string) => boolean = () => true,
): Promise<PendingApproval[]> {
  const pending = await ctx.records.listApprovals({ decision: 'pending' });
  const mine = pending.filter((p) => whose(p.value.userId));
  // Group by policy so acknowledgements are read once per policy, not once per person.
  const policyKeys = new Set(mine.map((p) => policyKeyOf(p.value.acknowledgementId)));
  const acks = new Map<string, PendingApproval['acknowledgement']>();
  const latest = new Map<string, PendingApproval['acknowledgement']>();
  for (const policyKey of policyKeys) {
    for (const ack of await ctx.records.listAcknowledgements({ policyKey })) {
      acks.set(ack.id, ack);
      const key = `${ack.policyKey}\n${ack.userId}`;
      const known = latest.get(key);
      if (known === undefined || bySignatureOrder(known, ack) < 0) latest.set(key, ack);
    }
  }
  const out: PendingApproval[] = [];
  for (const tagged of mine) {
    const acknowledgement = acks.get(tagged.value.acknowledgementId);
    if (!acknowledgement) continue;
    // One item per person and policy: a signature they have since signed again is superseded,
    // and only the latest one waits for a decision.
    if (latest.get(`${acknowledgement.policyKey}\n${acknowledgement.userId}`) !== acknowledgement) {
      continue;
    }
    out.push({
      approval: tagged.value,
      acknowledgement,
      etag: tagged.etag,
      typedNameDiffers: typedNameDiffers(acknowledgement.typedName, acknowledgement.displayName),
    });
  }
  return out.sort((a, b) => a.acknowledgement.signedAt.localeCompare(b.acknowledgement.signedAt));
}

/** "staff-aup:v3:u1:r1" → "staff-aup" (acknowledgement ids derive from the policy key). */
function policyKeyOf(acknowledgementId: string): string {
  return acknowledgementId.split(':v')[0] ?? '';
}

/** Oldest first: by version, then by when signed (as status.ts orders a person's signatures). */
function bySignatureOrder(
  a: PendingApproval['acknowledgement'],
  b: PendingApproval['acknowledgement'],
): number {
  return a.versionNumber - b.versionNumber || Date.parse(a.signedAt) - Date.parse(b.signedAt);
}

function authorityOf(ctx: ServiceContext, actor: Actor, signerId: string) {
  return decisionAuthority(
    ctx.school,
    { id: actor.id, holdsApproverRole: actor.roles.includes('Policy.Approver') },
    signerId,
  );
}

function mayDecide(ctx: ServiceContext, actor: Actor, signerId: string): boolean {
  return authorityOf(ctx, actor, signerId).allowed;
}

/**
 * An approver's decision. Nobody approves their own signature; an approver's own signature is
 * decided by the school's named approver only (approval-route.ts); a signature the person has
 * since signed again is superseded and cannot be decided.
 */
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
  const current = await decidableApproval(ctx, actor, input.acknowledgementId);
  const permissions =
    input.decision === 'approved'
      ? normalisePermissions(input.additionalPermissions, permissionChoicesOf(ctx.school))
      : [];
  const decidedAt = ctx.clock.now().toISOString();
  const decided: Approval & { decision: 'approved' | 'rejected'; decidedAt: string } = {
    ...current.value,
    decision: input.decision,
    approverId: actor.id,
    approverName: actor.displayName,
    additionalPermissions: permissions,
    ...(comment ? { comment } : {}),
    decidedAt,
  };
  return signAndStore(ctx, actor, current, decided, comment);
}

/**
 * The pending approval this actor may decide, or the refusal decide would give (not found,
 * forbidden, already decided, superseded), without writing anything: the bot asks it to say why
 * a card's request is not in the approver's list.
 */
export async function decidableApproval(
  ctx: ServiceContext,
  actor: Actor,
  acknowledgementId: string,
): Promise<Tagged<Approval>> {
  requireRole(actor, 'Policy.Approver');
  const candidates = await ctx.records.listApprovals({});
  const current = candidates.find((c) => c.value.acknowledgementId === acknowledgementId);
  if (!current) {
    throw new CountersignError('not-found', 'There is no approval for that signature.');
  }
  const authority = authorityOf(ctx, actor, current.value.userId);
  if (!authority.allowed) {
    throw new CountersignError('forbidden', authority.message, { reason: authority.reason });
  }
  if (current.value.decision !== 'pending') {
    throw new CountersignError(
      'conflict',
      `This was already ${current.value.decision}${current.value.approverName ? ` by ${current.value.approverName}` : ''}.`,
      { approval: current.value },
    );
  }
  const signatures = await ctx.records.listAcknowledgements({
    userId: current.value.userId,
    policyKey: policyKeyOf(acknowledgementId),
  });
  const newest = signatures.reduce<(typeof signatures)[number] | undefined>(
    (best, ack) => (best === undefined || bySignatureOrder(best, ack) < 0 ? ack : best),
    undefined,
  );
  if (newest !== undefined && newest.id !== acknowledgementId) {
    throw new CountersignError(
      'conflict',
      'This signature was superseded: the person has signed again since, and only their latest signature is decided.',
      { supersededBy: newest.id },
    );
  }
  return current;
}

async function signAndStore(
  ctx: ServiceContext,
  actor: Actor,
  current: Tagged<Approval>,
  decided: Approval & { decision: 'approved' | 'rejected'; decidedAt: string },
  comment: string | undefined,
): Promise<Approval> {
  const input = { acknowledgementId: decided.acknowledgementId, decision: decided.decision };
  const { decidedAt } = decided;
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
