import type { Acknowledgement } from '../domain/acknowledgement.ts';
import type { Approval } from '../domain/approval.ts';
import type { AuditEvent } from '../domain/audit-event.ts';
import { CountersignError } from '../domain/errors.ts';
import { statusInWords } from '../domain/evidence-pack/status-words.ts';
import { ukDateTime } from '../domain/evidence-pack/uk-time.ts';
import { approvalInWords } from '../domain/people-export.ts';
import type { PolicyVersion } from '../domain/policy.ts';
import { computeStatus, effectiveApprovalState } from '../domain/status.ts';
import type { Actor } from './actor.ts';
import { personAudiences } from './audiences.ts';
import type {
  HistoryEntry,
  PersonRecord,
  PersonSignature,
  SignedText,
} from './countersign-service.ts';
import { loadPolicy, runningDeadline, type LoadedPolicy } from './policy-versions.ts';
import { requireRole } from './require-role.ts';
import type { ServiceContext } from './service-context.ts';

function isAdmin(actor: Actor): boolean {
  return actor.roles.includes('Policy.Admin');
}

/** Each version's own label and title, so history never shows today's title on an old version. */
function versionNaming(
  loaded: LoadedPolicy | undefined,
  versionNumber: number,
): { versionLabel: string; versionTitle: string } {
  const version = loaded?.versions.find((v) => v.number === versionNumber);
  return {
    versionLabel: version?.label ?? `version ${versionNumber}`,
    versionTitle: version?.document.title ?? loaded?.policy.title ?? '',
  };
}

/** Policies by key, each loaded once (the read cache keeps them briefly); missing ones left out. */
async function loadPolicies(
  ctx: ServiceContext,
  keys: Iterable<string>,
): Promise<Map<string, LoadedPolicy>> {
  const loaded = new Map<string, LoadedPolicy>();
  for (const key of new Set(keys)) {
    try {
      loaded.set(key, await loadPolicy(ctx.records, key));
    } catch (error) {
      // A policy removed since: its signatures still show, named by key and number.
      if (!(error instanceof CountersignError && error.code === 'not-found')) throw error;
    }
  }
  return loaded;
}

/** Everything I signed, newest first, each with its own version's label and title. */
export async function myHistory(ctx: ServiceContext, actor: Actor): Promise<HistoryEntry[]> {
  const acks = await ctx.records.listAcknowledgements({ userId: actor.id });
  const policies = await loadPolicies(
    ctx,
    acks.map((a) => a.policyKey),
  );
  return acks
    .sort((a, b) => b.signedAt.localeCompare(a.signedAt))
    .map((ack) => ({ ...ack, ...versionNaming(policies.get(ack.policyKey), ack.versionNumber) }));
}

/**
 * The exact text of the version a signature was made on. The signer may open their own; an
 * admin anyone's; anyone else is told it does not exist (a 404 reveals nothing). The version's
 * stored hash is compared with the one signed, so a reader can see the text is the one signed.
 */
export async function signedTextFor(
  ctx: ServiceContext,
  actor: Actor,
  acknowledgementId: string,
): Promise<SignedText> {
  const found = await ctx.records.getAcknowledgement(acknowledgementId);
  if (found === null || (found.value.userId !== actor.id && !isAdmin(actor))) {
    throw new CountersignError('not-found', 'There is no such signature.');
  }
  const ack = found.value;
  const [policy, version] = await Promise.all([
    ctx.records.getPolicy(ack.policyKey),
    ctx.records.getVersion(ack.policyKey, ack.versionNumber),
  ]);
  if (version === null) {
    throw new CountersignError(
      'not-found',
      `Version ${ack.versionNumber} of "${ack.policyKey}" is no longer stored.`,
    );
  }
  return {
    acknowledgement: ack,
    policyTitle: policy?.value.title ?? ack.policyKey,
    version: version.value,
    signedAtLocal: ukDateTime(ack.signedAt, ctx.school.timeZone),
    textMatchesSignature: version.value.contentHash === ack.contentHash,
  };
}

/** A signature the signer has since signed again, closed by a founded `approval.superseded`. */
interface Superseded {
  by: Acknowledgement;
  byLabel: string;
}

/** `b` is later than `a` as status.ts orders a person's signatures: by version, then time. */
function later(a: Acknowledgement, b: Acknowledgement): boolean {
  return (
    b.versionNumber > a.versionNumber ||
    (b.versionNumber === a.versionNumber && Date.parse(b.signedAt) > Date.parse(a.signedAt))
  );
}

/**
 * The closures of this person's signatures still waiting for a decision: sign-policy.ts signs an
 * `approval.superseded` event under `<ack id>:superseded` when they sign the policy again. Each
 * is a point read (a person has a handful of signatures). A closure shows only when it stands
 * as verify would have it (superseded-approvals.ts): it names a newer signature of this person
 * and policy, and the closed one has no decision; otherwise the signature still reads as
 * waiting, and `countersign verify` names the closure (closure-unfounded).
 */
async function supersededSignatures(
  ctx: ServiceContext,
  signed: readonly Acknowledgement[],
  approvals: readonly Approval[],
  label: (versionNumber: number) => string,
): Promise<Map<string, Superseded>> {
  const waiting = signed.filter((a) => effectiveApprovalState(a, approvals) === 'pending');
  const byId = new Map(signed.map((a) => [a.id, a]));
  const closures = await Promise.all(
    waiting.map((a) => ctx.records.getAuditEvent(`${a.id}:superseded`)),
  );
  const out = new Map<string, Superseded>();
  for (const [i, closed] of waiting.entries()) {
    const by = newerNamedBy(closures[i] ?? null, closed, byId);
    if (by !== undefined) out.set(closed.id, { by, byLabel: label(by.versionNumber) });
  }
  return out;
}

function newerNamedBy(
  event: AuditEvent | null,
  closed: Acknowledgement,
  byId: ReadonlyMap<string, Acknowledgement>,
): Acknowledgement | undefined {
  if (event?.type !== 'approval.superseded' || event.subject !== closed.id) return undefined;
  const named = event.details['supersededBy'];
  const newer = typeof named === 'string' ? byId.get(named) : undefined;
  return newer !== undefined && later(closed, newer) ? newer : undefined;
}

function signatureView(
  ack: Acknowledgement,
  approvals: readonly Approval[],
  version: PolicyVersion | undefined,
  timeZone: string,
  superseded: Superseded | undefined,
): PersonSignature {
  const decisions = approvals
    .filter((a) => a.acknowledgementId === ack.id && a.decision !== 'pending')
    .sort((a, b) => (a.decidedAt ?? '').localeCompare(b.decidedAt ?? ''))
    .map((a) => ({
      decision: a.decision === 'approved' ? ('approved' as const) : ('rejected' as const),
      approverName: a.approverName ?? 'an approver',
      ...(a.decidedAt === undefined
        ? {}
        : { decidedAt: a.decidedAt, decidedAtLocal: ukDateTime(a.decidedAt, timeZone) }),
      additionalPermissions: a.additionalPermissions,
      ...(a.comment === undefined ? {} : { comment: a.comment }),
    }));
  const state = effectiveApprovalState(ack, approvals);
  const consents = (version?.document.consents ?? []).map((c) => {
    const answer = ack.consents[c.key];
    return {
      key: c.key,
      text: c.text,
      answer: answer === undefined ? 'Not answered' : answer ? 'Yes' : 'No',
    };
  });
  return {
    acknowledgement: ack,
    versionLabel: version?.label ?? `version ${ack.versionNumber}`,
    versionTitle: version?.document.title ?? '',
    signedAtLocal: ukDateTime(ack.signedAt, timeZone),
    ...(superseded === undefined
      ? { approvalState: state, approvalWords: approvalInWords(state) }
      : {
          approvalState: 'superseded' as const,
          approvalWords: `Closed without a decision: superseded by the signature of ${ukDateTime(superseded.by.signedAt, timeZone)} (version ${superseded.byLabel}); only the latest signature is decided`,
          supersededBy: superseded.by.id,
        }),
    decisions,
    consents,
    ...(version === undefined
      ? {}
      : {
          document: version.document,
          textMatchesSignature: version.contentHash === ack.contentHash,
        }),
  };
}

/**
 * One person's page for an admin: their status with one policy, and every signature of it with
 * the exact text of its version, the decisions and the consents. Read by person (their
 * acknowledgements, their approvals, their memberships), never the whole report again.
 */
export async function personRecordFor(
  ctx: ServiceContext,
  actor: Actor,
  policyKey: string,
  userId: string,
): Promise<PersonRecord> {
  requireRole(actor, 'Policy.Admin');
  const [loaded, person, audiences, acks, approvalRows] = await Promise.all([
    loadPolicy(ctx.records, policyKey),
    ctx.directory.getPerson(userId),
    personAudiences(ctx.directory, ctx.school, userId),
    ctx.records.listAcknowledgements({ userId, policyKey }),
    ctx.records.listApprovals({ userId }),
  ]);
  const signed = acks.filter((a) => a.policyKey === policyKey);
  if (person === null && signed.length === 0) {
    throw new CountersignError('not-found', 'There is no such person.');
  }
  const approvals = approvalRows.map((a) => a.value);
  const deadline = loaded.current
    ? await runningDeadline(ctx.records, policyKey, loaded.current.number)
    : undefined;
  const status = computeStatus({
    policy: loaded.policy,
    versions: loaded.versions,
    acknowledgements: signed,
    approvals,
    personAudiences: audiences,
    timeZone: ctx.school.timeZone,
    now: ctx.clock.now(),
    ...(deadline === undefined ? {} : { deadline }),
    viewHash: ctx.viewHash,
  });
  const labels = new Map(ctx.school.audiences.map((a) => [a.key, a.label]));
  const versions = new Map(loaded.versions.map((v) => [v.number, v]));
  const superseded = await supersededSignatures(
    ctx,
    signed,
    approvals,
    (n) => versions.get(n)?.label ?? `version ${n}`,
  );
  const latest = signed.at(-1);
  return {
    person: {
      id: userId,
      displayName: person?.displayName ?? latest?.displayName ?? userId,
      upn: person?.userPrincipalName ?? latest?.upn ?? '',
      audiences: audiences.map((a) => labels.get(a) ?? a),
    },
    policy: { key: loaded.policy.key, title: loaded.policy.title },
    status,
    statusWords: statusInWords(
      status,
      (n) => versions.get(n)?.label ?? `version ${n}`,
      ctx.school.timeZone,
    ),
    signatures: signed
      .sort((a, b) => b.signedAt.localeCompare(a.signedAt))
      .map((ack) =>
        signatureView(
          ack,
          approvals,
          versions.get(ack.versionNumber),
          ctx.school.timeZone,
          superseded.get(ack.id),
        ),
      ),
  };
}
