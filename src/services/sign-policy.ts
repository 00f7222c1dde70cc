import {
  acknowledgementId,
  type Acknowledgement,
  type AcknowledgementFields,
  type ApprovalState,
} from '../domain/acknowledgement.ts';
import { CountersignError } from '../domain/errors.ts';
import type { ApprovalMode } from '../domain/policy.ts';
import { sealAcknowledgement } from '../domain/seal.ts';
import type { Actor } from './actor.ts';
import { personAudiences } from './audiences.ts';
import type { SignInput, SignOutcome } from './countersign-service.ts';
import { loadPolicy, requireCurrent } from './policy-versions.ts';
import type { ServiceContext } from './service-context.ts';

function approvalStateFor(mode: ApprovalMode, signedBefore: boolean): ApprovalState {
  switch (mode) {
    case 'none':
      return 'not-required';
    case 'first-signature':
      return signedBefore ? 'not-required' : 'pending';
    case 'every-signature':
      return 'pending';
  }
}

/**
 * Signs the current version for the actor. The person is the actor, never a field of the
 * input; an outdated version or hash is refused with the current version, never signed.
 */
export async function signPolicy(
  ctx: ServiceContext,
  actor: Actor,
  input: SignInput,
): Promise<SignOutcome> {
  const typedName = input.typedName.trim().replace(/\s+/g, ' ');
  const statedRole = input.statedRole.trim().replace(/\s+/g, ' ');
  if (input.declarationAccepted !== true) {
    throw new CountersignError('validation', 'The declaration must be accepted to sign.');
  }
  if (typedName.length < 2) {
    throw new CountersignError('validation', 'Type your full name to sign.', {
      field: 'typedName',
    });
  }
  if (statedRole.length < 1) {
    throw new CountersignError('validation', 'Say what your role is.', { field: 'statedRole' });
  }

  const [loaded, audiences, previous] = await Promise.all([
    loadPolicy(ctx.records, input.policyKey),
    personAudiences(ctx.directory, ctx.school, actor.id),
    ctx.records.listAcknowledgements({ userId: actor.id, policyKey: input.policyKey }),
  ]);
  const current = requireCurrent(loaded);
  if (!loaded.policy.audiences.some((a) => audiences.includes(a))) {
    throw new CountersignError('forbidden', `"${loaded.policy.title}" is not for your role.`);
  }

  const already = previous.find((a) => a.versionNumber === input.versionNumber);
  if (already && already.versionNumber === current.number) {
    return { kind: 'signed', acknowledgement: already, created: false };
  }
  if (
    input.versionNumber !== current.number ||
    (input.contentHash !== undefined && input.contentHash !== current.contentHash)
  ) {
    return { kind: 'outdated', current };
  }

  const known = new Set(current.document.consents.map((c) => c.key));
  const unknown = Object.keys(input.consents).filter((k) => !known.has(k));
  if (unknown.length > 0) {
    throw new CountersignError('validation', `Unknown consent: ${unknown.join(', ')}.`, {
      field: 'consents',
    });
  }
  // A consent not answered is a consent not given.
  const consents = Object.fromEntries(
    current.document.consents.map((c) => [c.key, input.consents[c.key] === true]),
  );

  const signedAt = ctx.clock.now().toISOString();
  const fields: AcknowledgementFields = {
    policyKey: current.policyKey,
    versionNumber: current.number,
    contentHash: current.contentHash,
    userId: actor.id,
    upn: actor.upn,
    displayName: actor.displayName,
    typedName,
    statedRole,
    signedAt,
    channel: input.channel,
    consents,
  };
  const ack: Acknowledgement = {
    ...fields,
    id: acknowledgementId(current.policyKey, current.number, actor.id),
    approvalState: approvalStateFor(loaded.policy.approvalMode, previous.length > 0),
    seal: sealAcknowledgement(fields, ctx.sealKey),
  };
  const result = await ctx.records.recordSignature(ack, {
    id: ctx.newId(),
    type: 'acknowledgement.signed',
    actorId: actor.id,
    at: signedAt,
    subject: ack.id,
    details: {
      policyKey: ack.policyKey,
      versionNumber: ack.versionNumber,
      contentHash: ack.contentHash,
      channel: ack.channel,
    },
  });
  const stored = result.acknowledgement;
  if (stored.approvalState === 'pending') {
    // Idempotent too: a retry after a crash between the two writes creates the missing row.
    const existing = await ctx.records.listApprovals({ userId: actor.id });
    if (!existing.some((a) => a.value.acknowledgementId === stored.id)) {
      await ctx.records.createApproval({
        acknowledgementId: stored.id,
        userId: actor.id,
        decision: 'pending',
        additionalPermissions: [],
      });
    }
  }
  return { kind: 'signed', acknowledgement: stored, created: result.created };
}
