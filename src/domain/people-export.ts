import type { ApprovalState } from './acknowledgement.ts';
import type { Approval } from './approval.ts';
import { statusInWords, type VersionName } from './evidence-pack/status-words.ts';
import { ukDateTime } from './evidence-pack/uk-time.ts';
import type { PersonStatus } from './person-status.ts';

/**
 * The people report as an inspector asks for it: names, what each person signed and when (in the
 * school's zone, UK style), the approval and who gave it, in words rather than codes. The same
 * helpers (status-words.ts, uk-time.ts) write the evidence pack, so the two never disagree.
 */
export const PEOPLE_EXPORT_HEADER = [
  'Name',
  'UPN',
  'Audience',
  'Policy title',
  'Version label',
  'Status',
  'Signed at (school time)',
  'Typed name',
  'Entra name',
  'Role',
  'Consents',
  'Approval',
  'Approver',
  'Permissions',
  'Rejection reason',
] as const;

/** The signature a person's status rests on, as the export describes it. */
export interface ExportSignature {
  versionNumber: number;
  signedAt: string;
  typedName: string;
  /** The Entra display name on the signature (from the token), never typed. */
  entraName: string;
  role: string;
  consents: Readonly<Record<string, boolean>>;
  approvalState: ApprovalState;
  /** The decision that stands on this signature, if any. */
  decision?: Pick<Approval, 'approverName' | 'additionalPermissions' | 'comment' | 'decision'>;
}

export interface ExportPerson {
  name: string;
  upn: string;
  /** Audience labels ("Staff", "Governors"). */
  audiences: readonly string[];
  status: PersonStatus;
  signature?: ExportSignature;
}

export interface ExportContext {
  timeZone: string;
  policyTitle: string;
  versionName: VersionName;
  /** The consent keys a version asks for, in its order (answers not given read "Not answered"). */
  consentKeys: (versionNumber: number) => readonly string[];
}

const APPROVAL_WORDS: Record<ApprovalState, string> = {
  'not-required': 'No approval needed',
  pending: 'Awaiting approval',
  approved: 'Approved',
  rejected: 'Rejected',
};

export function approvalInWords(state: ApprovalState): string {
  return APPROVAL_WORDS[state];
}

/** "photo: Yes; newsletter: Not answered", in the version's order, then any others given. */
export function consentsInWords(
  answers: Readonly<Record<string, boolean>>,
  keys: readonly string[],
): string {
  const ordered = [
    ...keys,
    ...Object.keys(answers)
      .filter((k) => !keys.includes(k))
      .sort(),
  ];
  return ordered
    .map((key) => {
      const answer = answers[key];
      return `${key}: ${answer === undefined ? 'Not answered' : answer ? 'Yes' : 'No'}`;
    })
    .join('; ');
}

/** The version a status is about: the one signed, or the one to sign. */
function statusVersion(status: PersonStatus): number | undefined {
  switch (status.kind) {
    case 'not-required':
      return undefined;
    case 'due':
    case 'overdue':
    case 'signed':
    case 'awaiting-approval':
    case 'rejected':
      return status.versionNumber;
  }
}

/** One person's row, in the header's order; values as they are (the API escapes the CSV). */
export function peopleExportRow(person: ExportPerson, ctx: ExportContext): string[] {
  const version = statusVersion(person.status);
  const sig = person.signature;
  const decision = sig?.decision;
  return [
    person.name,
    person.upn,
    person.audiences.join(', '),
    ctx.policyTitle,
    version === undefined ? '' : ctx.versionName(version),
    statusInWords(person.status, ctx.versionName, ctx.timeZone),
    sig === undefined ? '' : ukDateTime(sig.signedAt, ctx.timeZone),
    sig?.typedName ?? '',
    sig?.entraName ?? '',
    sig?.role ?? '',
    sig === undefined ? '' : consentsInWords(sig.consents, ctx.consentKeys(sig.versionNumber)),
    sig === undefined ? '' : approvalInWords(sig.approvalState),
    decision !== undefined && decision.decision !== 'pending' ? (decision.approverName ?? '') : '',
    decision?.additionalPermissions.join('; ') ?? '',
    sig?.approvalState === 'rejected' ? (decision?.comment ?? '') : '',
  ];
}
