import type {
  AcknowledgementRecord,
  ApprovalDecisionRecord,
  PublishedVersionRecord,
} from '../evidence/evidence-record.ts';
import type { PersonStatus, PersonStatusKind } from '../person-status.ts';
import type { PolicyDocument } from '../policy-document.ts';
import { latestDecision, signedApprovalState } from './signed-status.ts';
import { statusInWords, type VersionName } from './status-words.ts';
import { ukDateTime } from './uk-time.ts';

/** Someone in the policy's audiences now, with their status from the signed records. */
export interface PackPerson {
  id: string;
  displayName: string;
  upn: string;
  /** Audience labels ("Staff", "Governors"). */
  audiences: string[];
  status: PersonStatus;
}

export interface RegisterApproval {
  state: 'not-required' | 'pending' | 'approved' | 'rejected';
  /** Plain words: "No approval needed", "Approved by Helen Whitfield, 4 December 2026, 09:10 GMT". */
  words: string;
  approverName?: string;
  decidedAt?: string;
  decidedAtLocal?: string;
  reason?: string;
  additionalPermissions: string[];
}

/** One signature of the version, from its signed record. */
export interface RegisterSignature {
  acknowledgementId: string;
  userId: string;
  /** The name Entra ID gave when they signed. */
  entraName: string;
  typedName: string;
  upn: string;
  role: string;
  /** ISO 8601 UTC, as signed. */
  signedAt: string;
  /** In the school's zone, UK style. */
  signedAtLocal: string;
  channel: string;
  /** Each consent of the version's text, with the answer given ("Yes", "No", "Not answered"). */
  consents: { key: string; text: string; answer: string }[];
  approval: RegisterApproval;
  /** False: they signed but are no longer in the policy's audiences. */
  inAudiences: boolean;
}

export interface RegisterOutstanding {
  userId: string;
  name: string;
  upn: string;
  audiences: string[];
  status: PersonStatusKind;
  statusWords: string;
}

export interface RegisterCounts {
  /** People in the policy's audiences now. */
  inAudiences: number;
  /** Of them, who signed this version (at least once). */
  signedThisVersion: number;
  /** Of them, who have not. */
  notSigned: number;
  /** People who signed this version and are no longer in the audiences. */
  signedOutsideAudiences: number;
  /** Signature records of this version (a renewal signs the same version again). */
  signatures: number;
  /** Signatures by their approval, from the signed decisions: their sum is `signatures`. */
  byApproval: Record<RegisterApproval['state'], number>;
  /** Who has not signed, by status: their sum is `notSigned`. */
  notSignedByStatus: Partial<Record<PersonStatusKind, number>>;
  /** Every sum above holds. */
  reconciles: boolean;
}

/** One version's register: who signed it and who has not, from the signed records. */
export interface Register {
  schoolName: string;
  timeZone: string;
  policyKey: string;
  policyTitle: string;
  /** The title inside the version's own text (it may differ from today's policy title). */
  versionTitle: string;
  versionNumber: number;
  versionLabel: string;
  changeKind: string;
  publishedAt: string;
  publishedAtLocal: string;
  contentHash: string;
  signatures: RegisterSignature[];
  outstanding: RegisterOutstanding[];
  counts: RegisterCounts;
  /** The counts as sentences, each one a sum that can be checked by eye. */
  countLines: string[];
}

export interface RegisterInput {
  schoolName: string;
  timeZone: string;
  policyKey: string;
  policyTitle: string;
  version: PublishedVersionRecord;
  document: PolicyDocument;
  /** Signed acknowledgements of this policy (every version; those of other versions are left out). */
  acknowledgements: readonly AcknowledgementRecord[];
  decisions: readonly ApprovalDecisionRecord[];
  /** Everyone in the policy's audiences now. */
  people: readonly PackPerson[];
  versionName: VersionName;
}

const APPROVAL_WORDS: Record<RegisterApproval['state'], string> = {
  'not-required': 'No approval needed',
  pending: 'Awaiting approval',
  approved: 'Approved',
  rejected: 'Rejected',
};

/** A signature's approval from the signed decisions (never the unsigned column). */
export function registerApproval(
  record: AcknowledgementRecord,
  decisions: readonly ApprovalDecisionRecord[],
  timeZone: string,
): RegisterApproval {
  const state = signedApprovalState(record, decisions);
  const decision = state === 'not-required' ? undefined : latestDecision(record.id, decisions);
  if (decision === undefined) {
    return { state, words: APPROVAL_WORDS[state], additionalPermissions: [] };
  }
  const local = ukDateTime(decision.decidedAt, timeZone);
  return {
    state,
    words: `${APPROVAL_WORDS[state]} by ${decision.approverName}, ${local}${decision.reason === undefined ? '' : `: ${decision.reason}`}`,
    approverName: decision.approverName,
    decidedAt: decision.decidedAt,
    decidedAtLocal: local,
    ...(decision.reason === undefined ? {} : { reason: decision.reason }),
    additionalPermissions: decision.additionalPermissions,
  };
}

export function consentAnswers(
  record: AcknowledgementRecord,
  document: PolicyDocument,
): RegisterSignature['consents'] {
  return document.consents.map((consent) => {
    const answer = record.consents[consent.key];
    return {
      key: consent.key,
      text: consent.text,
      answer: answer === undefined ? 'Not answered' : answer ? 'Yes' : 'No',
    };
  });
}

function byName<T>(name: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => name(a).localeCompare(name(b), 'en-GB');
}

/**
 * The register of one version. People are matched by Entra object id; everyone in the audiences
 * either signed this version or is listed with their status in words, so the counts add up.
 */
export function buildRegister(input: RegisterInput): Register {
  const { version, timeZone } = input;
  const signedRecords = input.acknowledgements
    .filter((a) => a.policyKey === input.policyKey && a.versionNumber === version.number)
    .sort((a, b) => Date.parse(a.signedAt) - Date.parse(b.signedAt) || a.id.localeCompare(b.id));
  const inAudience = new Set(input.people.map((p) => p.id));
  const signatures: RegisterSignature[] = signedRecords.map((record) => ({
    acknowledgementId: record.id,
    userId: record.userId,
    entraName: record.displayName,
    typedName: record.typedName,
    upn: record.upn,
    role: record.statedRole,
    signedAt: record.signedAt,
    signedAtLocal: ukDateTime(record.signedAt, timeZone),
    channel: record.channel,
    consents: consentAnswers(record, input.document),
    approval: registerApproval(record, input.decisions, timeZone),
    inAudiences: inAudience.has(record.userId),
  }));
  signatures.sort(byName((s) => s.entraName));

  const signers = new Set(signedRecords.map((r) => r.userId));
  const outstanding: RegisterOutstanding[] = input.people
    .filter((p) => !signers.has(p.id))
    .map((p) => ({
      userId: p.id,
      name: p.displayName,
      upn: p.upn,
      audiences: p.audiences,
      status: p.status.kind,
      statusWords: statusInWords(p.status, input.versionName, timeZone),
    }))
    .sort(byName((o) => o.name));

  const counts = countRegister(input.people.length, signers, inAudience, signatures, outstanding);
  return {
    schoolName: input.schoolName,
    timeZone,
    policyKey: input.policyKey,
    policyTitle: input.policyTitle,
    versionTitle: input.document.title,
    versionNumber: version.number,
    versionLabel: version.label,
    changeKind: version.changeKind,
    publishedAt: version.publishedAt,
    publishedAtLocal: ukDateTime(version.publishedAt, timeZone),
    contentHash: version.contentHash,
    signatures,
    outstanding,
    counts,
    countLines: countLines(counts),
  };
}

function countRegister(
  inAudiences: number,
  signers: ReadonlySet<string>,
  inAudience: ReadonlySet<string>,
  signatures: readonly RegisterSignature[],
  outstanding: readonly RegisterOutstanding[],
): RegisterCounts {
  const signedThisVersion = [...signers].filter((id) => inAudience.has(id)).length;
  const byApproval: RegisterCounts['byApproval'] = {
    'not-required': 0,
    pending: 0,
    approved: 0,
    rejected: 0,
  };
  for (const s of signatures) byApproval[s.approval.state] += 1;
  const notSignedByStatus: RegisterCounts['notSignedByStatus'] = {};
  for (const o of outstanding) notSignedByStatus[o.status] = (notSignedByStatus[o.status] ?? 0) + 1;
  const sum = (values: Iterable<number>) => [...values].reduce((a, b) => a + b, 0);
  const notSigned = outstanding.length;
  return {
    inAudiences,
    signedThisVersion,
    notSigned,
    signedOutsideAudiences: signers.size - signedThisVersion,
    signatures: signatures.length,
    byApproval,
    notSignedByStatus,
    reconciles:
      signedThisVersion + notSigned === inAudiences &&
      sum(Object.values(byApproval)) === signatures.length &&
      sum(Object.values(notSignedByStatus)) === notSigned,
  };
}

const STATUS_HEADINGS: Record<PersonStatusKind, string> = {
  'not-required': 'not required',
  due: 'due',
  overdue: 'overdue',
  signed: 'signed another version',
  'awaiting-approval': 'signed another version, awaiting approval',
  rejected: 'signed another version, rejected',
};

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function countLines(c: RegisterCounts): string[] {
  const notSignedParts = Object.entries(c.notSignedByStatus).map(
    ([kind, n]) => `${n} ${STATUS_HEADINGS[kind as PersonStatusKind]}`,
  );
  const approvalParts = (Object.keys(c.byApproval) as RegisterApproval['state'][])
    .filter((state) => c.byApproval[state] > 0)
    .map((state) => `${c.byApproval[state]} ${APPROVAL_WORDS[state].toLowerCase()}`);
  return [
    `In the policy's audiences now: ${plural(c.inAudiences, 'person', 'people')}.`,
    `Signed this version: ${c.signedThisVersion}. Not signed: ${c.notSigned}${notSignedParts.length > 0 ? ` (${notSignedParts.join(', ')})` : ''}. ${c.signedThisVersion} + ${c.notSigned} = ${c.signedThisVersion + c.notSigned}.`,
    `Signatures recorded for this version: ${c.signatures}${approvalParts.length > 0 ? ` (${approvalParts.join(', ')})` : ''}, by ${plural(c.signedThisVersion + c.signedOutsideAudiences, 'person', 'people')}; ${plural(c.signedOutsideAudiences, 'signer')} no longer in the audiences.`,
    c.reconciles ? 'These counts reconcile.' : 'These counts DO NOT reconcile.',
  ];
}
