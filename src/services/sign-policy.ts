import {
  acknowledgementId,
  type Acknowledgement,
  type AcknowledgementFields,
} from '../domain/acknowledgement.ts';
import type { Approval } from '../domain/approval.ts';
import { CountersignError } from '../domain/errors.ts';
import { signRecord } from '../domain/evidence/evidence-signer.ts';
import { sealAcknowledgement } from '../domain/seal.ts';
import { signatureAuditEvent } from '../domain/signature-audit.ts';
import type { SignatureResult } from '../ports/record-store.ts';
import type { SignOutcomeLabel } from '../ports/telemetry.ts';
import { assertVisibleText } from '../domain/signature-text.ts';
import { computeStatus, signatureNeedsApproval } from '../domain/status.ts';
import type { Actor } from './actor.ts';
import { personAudiences } from './audiences.ts';
import type { SignInput, SignOutcome } from './countersign-service.ts';
import { loadPolicy, requireCurrent } from './policy-versions.ts';
import { repairSignatureAudit } from './repair-records.ts';
import type { ServiceContext } from './service-context.ts';

/**
 * Signs the current version for the actor. The person is the actor, never a field of the
 * input; an outdated version or hash is refused with the current version, never signed.
 * Every attempt's outcome is counted (countersign.sign.outcomes, by outcome and channel).
 */
export async function signPolicy(
  ctx: ServiceContext,
  actor: Actor,
  input: SignInput,
): Promise<SignOutcome> {
  const count = (outcome: SignOutcomeLabel): void =>
    ctx.telemetry?.count('countersign.sign.outcomes', { outcome, channel: input.channel });
  let outcome: SignOutcome;
  try {
    outcome = await sign(ctx, actor, input);
  } catch (error) {
    count(failureLabel(error));
    throw error;
  }
  count(outcome.kind === 'signed' ? 'accepted' : 'outdated');
  return outcome;
}

/**
 * How a failed attempt is counted: the person's or the request's fault (4xx) is `refused`; an
 * outage is `failed`, unless the write may have landed and reading it back failed too (the
 * signature may be stored while the person was told it failed: the sweeper's case).
 */
function failureLabel(error: unknown): SignOutcomeLabel {
  if (!(error instanceof CountersignError)) return 'failed';
  if ('readBackFailed' in error.details) return 'answered-error-maybe-stored';
  switch (error.code) {
    case 'unavailable':
    case 'throttled':
    case 'upstream':
      return 'failed';
    case 'validation':
    case 'not-found':
    case 'conflict':
    case 'precondition-failed':
    case 'forbidden':
    case 'unauthenticated':
    case 'too-large':
    case 'unsupported-input':
      return 'refused';
  }
}

async function sign(ctx: ServiceContext, actor: Actor, input: SignInput): Promise<SignOutcome> {
  if (input.declarationAccepted !== true) {
    throw new CountersignError('validation', 'The declaration must be accepted to sign.');
  }
  // On the text as received: trimming and collapsing whitespace would turn U+FEFF into a space.
  assertVisibleText('typedName', input.typedName);
  assertVisibleText('statedRole', input.statedRole);
  const typedName = input.typedName.trim().replace(/\s+/g, ' ');
  const statedRole = input.statedRole.trim().replace(/\s+/g, ' ');
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
  // Approvals matter only when the policy asks for them: no read otherwise.
  const approvals =
    loaded.policy.approvalMode === 'none'
      ? []
      : (await ctx.records.listApprovals({ userId: actor.id })).map((a) => a.value);
  // Nobody signs a trust policy's master as such: its placeholders are filled in each school's
  // copy, and that text (its own hash) is what the school's people sign.
  if (loaded.policy.scope === 'trust') {
    throw new CountersignError(
      'validation',
      `"${loaded.policy.title}" is the trust's master: sign your school's copy of it.`,
      { policyKey: loaded.policy.key, scope: 'trust' },
    );
  }
  const current = requireCurrent(loaded);
  if (!loaded.policy.audiences.some((a) => audiences.includes(a))) {
    throw new CountersignError('forbidden', `"${loaded.policy.title}" is not for your role.`);
  }

  if (
    input.versionNumber !== current.number ||
    (input.contentHash !== undefined && input.contentHash !== current.contentHash)
  ) {
    return { kind: 'outdated', current };
  }

  // Signing the current version again is a repeat (double click, retry, card and tab at once)
  // unless they must sign again: renewal came round, or the headteacher rejected the last one.
  const now = ctx.clock.now();
  const status = computeStatus({
    policy: loaded.policy,
    versions: loaded.versions,
    acknowledgements: previous,
    approvals,
    personAudiences: audiences,
    timeZone: ctx.school.timeZone,
    now,
  });
  const ofCurrent = previous
    .filter((a) => a.versionNumber === current.number)
    .sort((a, b) => b.signedAt.localeCompare(a.signedAt));
  const latest = ofCurrent[0];
  if (latest && (status.kind === 'signed' || status.kind === 'awaiting-approval')) {
    await mendApproval(ctx, latest, approvals);
    // Idempotent: queues the approvers' request only if a fault left it unqueued.
    if (status.kind === 'awaiting-approval') await requestApproval(ctx, latest);
    // A repeat is the moment to mend what a fault may have left out of the first one.
    await repairAudit(ctx, latest.id);
    return { kind: 'signed', acknowledgement: latest, created: false };
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

  const signedAt = now.toISOString();
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
    // A re-signature of the same version (renewal) gets the next id, so it is idempotent too.
    id: acknowledgementId(current.policyKey, current.number, actor.id, ofCurrent.length),
    approvalState: signatureNeedsApproval(loaded.policy.approvalMode, previous, approvals)
      ? 'pending'
      : 'not-required',
    seal: sealAcknowledgement(fields, ctx.sealKey),
  };
  // The evidence: the same fields, with what approval the policy required at this moment, signed.
  // The HMAC seal stays beside it as a legacy field until every reader verifies signatures.
  const signed = await signRecord(ctx.evidence.signer, {
    ...fields,
    kind: 'acknowledgement',
    id: ack.id,
    approvalAtSigning: ack.approvalState === 'pending' ? 'pending' : 'not-required',
    // A school's copy of a trust policy: which master and which variant the signed text is.
    ...(current.composition === undefined
      ? {}
      : {
          composition: {
            masterPolicyKey: current.composition.masterPolicyKey,
            masterVersion: current.composition.masterVersion,
            variantVersion: current.composition.variantVersion,
          },
        }),
  });
  let result: SignatureResult;
  try {
    result = await ctx.records.recordSignature(ack, signatureAuditEvent(ack, ctx.newId()), signed);
  } catch (error) {
    // Never tell someone their signature failed when it was stored: read it back first.
    const stored = await storedDespite(ctx, ack, error);
    result = { acknowledgement: stored, created: stored.signedAt === ack.signedAt };
    await repairAudit(ctx, stored.id);
  }
  const stored = result.acknowledgement;
  await mendApproval(ctx, stored, approvals);
  if (result.created) await closeSuperseded(ctx, actor, stored, previous, approvals);
  // Whatever the channel: a signature made in the tab once sent the approver nothing. Queued
  // even when this request only found its signature stored (a retry): idempotent per approver.
  if (stored.approvalState === 'pending') await requestApproval(ctx, stored);
  return { kind: 'signed', acknowledgement: stored, created: result.created };
}

/**
 * Earlier signatures of this policy by this person that still wait for a decision are
 * superseded by the new one (only the latest is decided: approvals.ts refuses the others with a
 * 409). The record says so: a signed, chained `approval.superseded` event for each, under an id
 * of its own (`<ack id>:superseded`) so a repeat or the next signature never writes it twice.
 * Best effort like the other writes after a signature; verify checks each closure is founded.
 */
async function closeSuperseded(
  ctx: ServiceContext,
  actor: Actor,
  stored: Acknowledgement,
  previous: readonly Acknowledgement[],
  approvals: readonly Approval[],
): Promise<void> {
  const decided = new Set(
    approvals.filter((a) => a.decision !== 'pending').map((a) => a.acknowledgementId),
  );
  const open = previous.filter(
    (a) => a.id !== stored.id && a.approvalState === 'pending' && !decided.has(a.id),
  );
  for (const closed of open) {
    await bestEffort(ctx, `close the superseded signature ${closed.id}`, () =>
      ctx.records.ensureAuditEvent({
        id: `${closed.id}:superseded`,
        type: 'approval.superseded',
        actorId: actor.id,
        at: stored.signedAt,
        subject: closed.id,
        details: {
          supersededBy: stored.id,
          userId: stored.userId,
          policyKey: stored.policyKey,
        },
      }),
    );
  }
}

/** Errors after which the write may have landed: a timeout, an outage, a lost answer. */
function mayHaveLanded(error: unknown): error is CountersignError {
  if (!(error instanceof CountersignError)) return false;
  switch (error.code) {
    case 'unavailable':
    case 'throttled':
    case 'upstream':
      return true;
    case 'validation':
    case 'not-found':
    case 'conflict':
    case 'precondition-failed':
    case 'forbidden':
    case 'unauthenticated':
    case 'too-large':
    case 'unsupported-input':
      return error.details.recordStored === true;
  }
}

/** The stored signature when the failed write landed after all; else the original error. */
async function storedDespite(
  ctx: ServiceContext,
  ack: Acknowledgement,
  error: unknown,
): Promise<Acknowledgement> {
  if (!mayHaveLanded(error)) throw error;
  let found;
  try {
    found = await ctx.records.getAcknowledgement(ack.id);
  } catch (readError) {
    // The read-back failed too: the first error is the one to answer with.
    throw new CountersignError(
      error.code,
      error.message,
      { ...error.details, readBackFailed: String(readError) },
      { cause: error },
    );
  }
  if (found === null) throw error;
  return found.value;
}

/**
 * The signature is stored: what follows it (its audit event, its Approvals row) is best effort.
 * A failure never turns a stored signature into an error for the signer; it is reported, and
 * the sweeper (and the next repeat) mends it.
 */
async function bestEffort(
  ctx: ServiceContext,
  what: string,
  write: () => Promise<unknown>,
): Promise<void> {
  try {
    await write();
  } catch (error) {
    ctx.onRepairError?.(error, what);
  }
}

/** From the row's own signed record and event id, verified first: never a second event. */
const repairAudit = (ctx: ServiceContext, ackId: string): Promise<void> =>
  bestEffort(ctx, `repair the audit event of ${ackId}`, () => repairSignatureAudit(ctx, ackId));

/**
 * Queues the approvers' request card (approval-requests.ts): durable, paced by the campaign
 * sender, at most one per approver. A work store that fails here costs the signer nothing: the
 * repair sweep (repair-records.ts) queues every pending signature's missing request.
 */
const requestApproval = (ctx: ServiceContext, ack: Acknowledgement): Promise<void> => {
  const requests = ctx.approvalRequests;
  if (requests === undefined) return Promise.resolve();
  return bestEffort(ctx, `queue the approval request of ${ack.id}`, () => requests.request(ack));
};

const mendApproval = (
  ctx: ServiceContext,
  ack: Acknowledgement,
  known: readonly Approval[],
): Promise<void> =>
  bestEffort(ctx, `create the Approvals row of ${ack.id}`, () =>
    ensurePendingApproval(ctx, ack, known),
  );

/**
 * A signature that waits for the headteacher needs its Approvals row. The row is a second
 * write, so a retry after a failure between the two (or a double click racing the first
 * request) must create it or find it, never fail and never leave the signer stuck.
 */
async function ensurePendingApproval(
  ctx: ServiceContext,
  ack: Acknowledgement,
  known: readonly Approval[],
): Promise<void> {
  if (ack.approvalState !== 'pending') return;
  if (known.some((a) => a.acknowledgementId === ack.id)) return;
  try {
    await ctx.records.createApproval({
      acknowledgementId: ack.id,
      userId: ack.userId,
      decision: 'pending',
      additionalPermissions: [],
    });
  } catch (error) {
    // Another request for the same signature created it first: that is the outcome we want.
    if (error instanceof CountersignError && error.code === 'conflict') return;
    throw error;
  }
}
