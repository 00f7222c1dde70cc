import type { Acknowledgement, ApprovalState } from './acknowledgement.ts';
import type { Approval } from './approval.ts';
import type { AudienceViewHash } from './audience-hashes.ts';
import { audienceContentHash } from './content-hash.ts';
import { CountersignError } from './errors.ts';
import type { PersonStatus } from './person-status.ts';
import type { AudienceKey } from './policy-document.ts';
import type { ApprovalMode, Policy, PolicyVersion } from './policy.ts';
import { renewalDue } from './renewal.ts';

/**
 * What a status reads of a signature: which version, when, and its approval state (and its id,
 * which decisions name). A full Acknowledgement is one; so is the people report's lighter
 * SignatureFacts.
 */
export type SignatureStanding = Pick<
  Acknowledgement,
  'id' | 'policyKey' | 'versionNumber' | 'signedAt' | 'approvalState'
>;

export interface StatusInput {
  policy: Policy;
  /** The policy's versions (others' are ignored), drafts and retired ones included or not. */
  versions: readonly PolicyVersion[];
  /** This person's acknowledgements, of any policy: those of other policies are ignored. */
  acknowledgements: readonly SignatureStanding[];
  /** Decisions on this person's acknowledgements; they take precedence over approvalState. */
  approvals?: readonly Approval[];
  /** The audiences the person belongs to (resolved from the school's groups). */
  personAudiences: readonly AudienceKey[];
  /** The school's IANA time zone: renewal dates are school dates. */
  timeZone: string;
  now: Date;
  /** ISO 8601, the deadline of a campaign running for this policy, if any. */
  deadline?: string;
  /**
   * How a version reads to an audience set (default: hashed afresh for this call). A caller
   * that computes many statuses passes a memo (AudienceHashes) so each view is hashed once.
   */
  viewHash?: AudienceViewHash;
}

type DueReason = 'never-signed' | 'material-change' | 'renewal';

/** The version people sign now: the highest-numbered published one. */
export function currentVersion(versions: readonly PolicyVersion[]): PolicyVersion | undefined {
  let current: PolicyVersion | undefined;
  for (const version of versions) {
    if (version.status !== 'published') continue;
    if (current === undefined || version.number > current.number) current = version;
  }
  return current;
}

/** True when someone in these audiences has to sign the policy at all. */
export function policyAppliesTo(policy: Policy, audiences: readonly AudienceKey[]): boolean {
  return policy.audiences.some((key) => audiences.includes(key));
}

/**
 * Where one person stands with one policy (DESIGN.md §2), in this order:
 * 1. not-required: none of their audiences is the policy's, or no version is published;
 * 2. due/overdue, never-signed: no acknowledgement of this policy;
 * 3. due/overdue, material-change: a material version after the one they last signed changed
 *    the text they see (minor versions never do; nor does a change to clauses for others);
 * 4. awaiting-approval / rejected: the approval mode needs a decision on their last signature
 *    and it is pending or was refused;
 * 5. due/overdue, renewal: the renewal rule's date has come (at or after it);
 * 6. signed, valid until that date.
 * Due becomes overdue when a deadline is given and now is past it.
 *
 * Withdrawn versions (published by mistake, then taken back) are as if never published: a
 * signature of one is kept in the record but ignored when the person has any other signature of
 * the policy, so whoever had signed the version current again is signed again, from that
 * signature. Someone whose only signatures are of withdrawn versions keeps the latest one: it
 * stands for the version before it (`standsFor`), so they do not sign twice for an admin's
 * mistake, and the next material change counts from there (while the text they see is not the
 * very text they signed).
 */
export function computeStatus(input: StatusInput): PersonStatus {
  return statusWith(policyStatusBasis(input.policy, input.versions), input);
}

/**
 * What every status of one policy rests on besides the person: its versions, the current one,
 * the withdrawn ones and the history a material change is read from, and each material-change
 * answer already given (per signed version and audience set). A report makes it once and
 * passes it to `statusWith` for each person: the same answers as `computeStatus`, without
 * working the policy out again 20,000 times.
 */
export interface PolicyStatusBasis {
  readonly policy: Policy;
  /** The policy's own versions. */
  readonly versions: readonly PolicyVersion[];
  readonly current: PolicyVersion | undefined;
  readonly withdrawn: ReadonlySet<number>;
  /** The versions people could have signed, in order, up to the current one. */
  readonly history: readonly PolicyVersion[];
  /** materialChangeSince's answers, by signed version, text signed and audience set. */
  readonly materialChanges: Map<string, boolean>;
}

export function policyStatusBasis(
  policy: Policy,
  versions: readonly PolicyVersion[],
): PolicyStatusBasis {
  const own = versions.filter((version) => version.policyKey === policy.key);
  const current = currentVersion(own);
  return {
    policy,
    versions: own,
    current,
    withdrawn: new Set(own.filter(isWithdrawn).map((version) => version.number)),
    history: current === undefined ? [] : historyUpTo(current, own),
    materialChanges: new Map(),
  };
}

/** A person's status against a policy's basis (computeStatus, with the policy worked out once). */
export function statusWith(
  basis: PolicyStatusBasis,
  input: Omit<StatusInput, 'policy' | 'versions'>,
): PersonStatus {
  const { policy, versions, current, withdrawn } = basis;
  const { personAudiences } = input;
  const approvals = input.approvals ?? [];
  if (!policyAppliesTo(policy, personAudiences)) return { kind: 'not-required' };
  if (current === undefined) return { kind: 'not-required' };

  const deadline = parseDeadline(input.deadline);
  const due = (reason: DueReason, lastSignedVersion?: number): PersonStatus =>
    dueStatus(reason, current.number, lastSignedVersion, deadline, input.now);

  const ofPolicy = input.acknowledgements.filter((ack) => ack.policyKey === policy.key);
  if (ofPolicy.length > 1) ofPolicy.sort(bySignatureOrder);
  const standing = ofPolicy.filter((ack) => !withdrawn.has(ack.versionNumber));
  const signatures = standing.length > 0 ? standing : ofPolicy;
  const latest = signatures.at(-1);
  if (latest === undefined) return due('never-signed');
  const standsFor = withdrawn.has(latest.versionNumber)
    ? versionBefore(latest.versionNumber, versions)
    : undefined;

  const signedVersion = withdrawn.has(latest.versionNumber)
    ? (standsFor ?? 0)
    : latest.versionNumber;
  const changeKey = `${signedVersion}\u0000${latest.versionNumber}\u0000${personAudiences.join('\u0000')}`;
  let changed = basis.materialChanges.get(changeKey);
  if (changed === undefined) {
    changed = materialChangeIn(
      basis.history,
      signedVersion,
      current,
      versions,
      personAudiences,
      input.viewHash,
      latest.versionNumber,
    );
    basis.materialChanges.set(changeKey, changed);
  }
  if (changed) return due('material-change', latest.versionNumber);

  if (signatureNeedsApproval(policy.approvalMode, signatures.slice(0, -1), approvals)) {
    const state = effectiveApprovalState(latest, approvals);
    switch (state) {
      case 'pending':
        return {
          kind: 'awaiting-approval',
          versionNumber: latest.versionNumber,
          signedAt: latest.signedAt,
        };
      case 'rejected': {
        const comment = decisionFor(latest, approvals)?.comment;
        return {
          kind: 'rejected',
          versionNumber: latest.versionNumber,
          signedAt: latest.signedAt,
          ...(comment === undefined ? {} : { comment }),
        };
      }
      case 'approved':
      case 'not-required':
        // Decided (or judged unneeded when it was signed): the signature stands.
        break;
    }
  }

  const validUntil = renewalDue(policy.renewal, new Date(latest.signedAt), input.timeZone);
  if (input.now.getTime() >= validUntil.getTime()) return due('renewal', latest.versionNumber);
  const granted = grantedPermissions(signatures, approvals);
  return {
    kind: 'signed',
    versionNumber: latest.versionNumber,
    signedAt: latest.signedAt,
    validUntil: validUntil.toISOString(),
    ...(standsFor === undefined ? {} : { standsFor }),
    ...(granted.length === 0 ? {} : { additionalPermissions: granted }),
  };
}

function isWithdrawn(version: PolicyVersion): boolean {
  switch (version.status) {
    case 'withdrawn':
      return true;
    case 'draft':
    case 'published':
    case 'retired':
      return false;
  }
}

/** Versions people could have signed and that still count: published or retired ones. */
function counts(version: PolicyVersion): boolean {
  switch (version.status) {
    case 'published':
    case 'retired':
      return true;
    case 'draft':
    case 'withdrawn':
      return false;
  }
}

/** The highest-numbered version below `number` that still counts (what a withdrawal restores). */
export function versionBefore(
  number: number,
  versions: readonly PolicyVersion[],
): number | undefined {
  let found: number | undefined;
  for (const version of versions) {
    if (!counts(version) || version.number >= number) continue;
    if (found === undefined || version.number > found) found = version.number;
  }
  return found;
}

function dueStatus(
  reason: DueReason,
  versionNumber: number,
  lastSignedVersion: number | undefined,
  deadline: { iso: string; at: number } | undefined,
  now: Date,
): PersonStatus {
  const last = lastSignedVersion === undefined ? {} : { lastSignedVersion };
  if (deadline === undefined) return { kind: 'due', reason, versionNumber, ...last };
  if (now.getTime() > deadline.at) {
    return { kind: 'overdue', reason, versionNumber, ...last, deadline: deadline.iso };
  }
  return { kind: 'due', reason, versionNumber, ...last, deadline: deadline.iso };
}

function parseDeadline(deadline: string | undefined): { iso: string; at: number } | undefined {
  if (deadline === undefined) return undefined;
  const at = Date.parse(deadline);
  if (Number.isNaN(at)) {
    throw new CountersignError('validation', `The deadline "${deadline}" is not an ISO date.`, {
      deadline,
    });
  }
  return { iso: deadline, at };
}

/** Oldest first: by version, then by when signed (a renewal re-signs the same version). */
function bySignatureOrder(a: SignatureStanding, b: SignatureStanding): number {
  return a.versionNumber - b.versionNumber || Date.parse(a.signedAt) - Date.parse(b.signedAt);
}

/**
 * True when the text this person sees changed materially between the version they signed and
 * the current one: some material version after theirs changed their view of its predecessor,
 * and their view of the current version is not the very text they signed (a material change
 * later undone leaves them signed). Minor and withdrawn versions never count. When the history is
 * incomplete (the version before a material one is missing) the material version is taken to
 * count. `textSigned` is the version whose text they signed when that differs from where the
 * history starts (a signature of a withdrawn version stands for the version before it).
 */
export function materialChangeSince(
  signedVersion: number,
  current: PolicyVersion,
  versions: readonly PolicyVersion[],
  audiences: readonly AudienceKey[],
  viewHash?: AudienceViewHash,
  textSigned: number = signedVersion,
): boolean {
  return materialChangeIn(
    historyUpTo(current, versions),
    signedVersion,
    current,
    versions,
    audiences,
    viewHash,
    textSigned,
  );
}

/** The versions people could have signed, in order, up to the current one. */
function historyUpTo(current: PolicyVersion, versions: readonly PolicyVersion[]): PolicyVersion[] {
  return versions
    .filter(
      (version) =>
        version.policyKey === current.policyKey &&
        counts(version) &&
        version.number <= current.number,
    )
    .sort((a, b) => a.number - b.number);
}

/** materialChangeSince over a history already worked out (historyUpTo). */
function materialChangeIn(
  history: readonly PolicyVersion[],
  signedVersion: number,
  current: PolicyVersion,
  versions: readonly PolicyVersion[],
  audiences: readonly AudienceKey[],
  viewHash: AudienceViewHash | undefined,
  textSigned: number,
): boolean {
  if (signedVersion >= current.number) return false;
  const hashes = new Map<number, string>();
  const view = (version: PolicyVersion): string => {
    if (viewHash !== undefined) return viewHash(version, audiences);
    let hash = hashes.get(version.number);
    if (hash === undefined) {
      hash = audienceContentHash(version.document, audiences);
      hashes.set(version.number, hash);
    }
    return hash;
  };
  let previous = history.filter((version) => version.number <= signedVersion).at(-1);
  let changed = false;
  for (const version of history) {
    if (version.number <= signedVersion) continue;
    if (
      version.changeKind === 'material' &&
      (previous === undefined || view(previous) !== view(version))
    ) {
      changed = true;
      break;
    }
    previous = version;
  }
  if (!changed) return false;
  const signed = versions.find(
    (version) => version.policyKey === current.policyKey && version.number === textSigned,
  );
  return signed === undefined || view(signed) !== view(current);
}

/**
 * The additional permissions that stand: those of the latest approval among the person's
 * signatures of this policy (a later signature that needed no approval keeps what was granted).
 */
function grantedPermissions(
  signatures: readonly SignatureStanding[],
  approvals: readonly Approval[],
): string[] {
  for (const ack of [...signatures].reverse()) {
    const decision = decisionFor(ack, approvals);
    if (decision?.decision === 'approved') return decision.additionalPermissions;
  }
  return [];
}

/** The latest decision recorded for an acknowledgement, if any. */
function decisionFor(ack: SignatureStanding, approvals: readonly Approval[]): Approval | undefined {
  let found: Approval | undefined;
  for (const approval of approvals) {
    if (approval.acknowledgementId !== ack.id) continue;
    if (found === undefined || decisionRank(approval) > decisionRank(found)) found = approval;
  }
  return found;
}

/** A decision outranks a pending record; a later decision an earlier one. */
function decisionRank(approval: Approval): number {
  if (approval.decision === 'pending') return -Infinity;
  return approval.decidedAt === undefined
    ? Number.MIN_SAFE_INTEGER
    : Date.parse(approval.decidedAt);
}

/**
 * The approval state of an acknowledgement: a decision in the Approvals records wins over the
 * state copied onto the acknowledgement (which may lag); a pending record does not undo a
 * decision already on the acknowledgement.
 */
export function effectiveApprovalState(
  ack: SignatureStanding,
  approvals: readonly Approval[] = [],
): ApprovalState {
  const decision = decisionFor(ack, approvals);
  if (decision === undefined) return ack.approvalState;
  switch (decision.decision) {
    case 'approved':
    case 'rejected':
      return decision.decision;
    case 'pending':
      return ack.approvalState === 'approved' || ack.approvalState === 'rejected'
        ? ack.approvalState
        : 'pending';
  }
}

/**
 * Whether a new signature needs an approver's decision, given the person's earlier signatures of
 * the same policy. every-signature: always. first-signature: until one of their signatures has
 * been accepted (approved, or judged not to need approval when made), so a refused new starter
 * cannot get round approval by waiting for the next version. The services use this when they
 * record a signature; computeStatus uses it to read one.
 */
export function signatureNeedsApproval(
  mode: ApprovalMode,
  earlierSignatures: readonly SignatureStanding[],
  approvals: readonly Approval[] = [],
): boolean {
  switch (mode) {
    case 'none':
      return false;
    case 'every-signature':
      return true;
    case 'first-signature':
      return !earlierSignatures.some((ack) => isAccepted(effectiveApprovalState(ack, approvals)));
  }
}

function isAccepted(state: ApprovalState): boolean {
  switch (state) {
    case 'approved':
    case 'not-required':
      return true;
    case 'pending':
    case 'rejected':
      return false;
  }
}
