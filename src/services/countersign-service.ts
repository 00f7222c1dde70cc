import type { ApprovalRequestView } from './approval-request-status.ts';
import type { EvidencePdf, EvidencePdfRequest } from './evidence-pdf.ts';
import type { RepairOptions, RepairReport } from './repair-records.ts';
import type { RecordsCheckRunner, RecordsCheckView } from './records-check.ts';
import type { Acknowledgement, ApprovalState } from '../domain/acknowledgement.ts';
import type { Approval } from '../domain/approval.ts';
import type { PersonStatus, PersonStatusKind } from '../domain/person-status.ts';
import type { ChangeKind, Policy, PolicyVersion } from '../domain/policy.ts';
import type { PolicyDiff } from '../domain/policy-diff.ts';
import type { PolicyDocument } from '../domain/policy-document.ts';
import type { Actor } from './actor.ts';
import type { CreatePolicyInput, SchoolView } from './create-policy.ts';
import type { PublishPreview } from './publish-preview.ts';
import type { WithdrawalPreview, WithdrawalResult } from './withdraw-version.ts';
import type { TrustPolicyService } from './trust-policies.ts';

/** What the "My AUP" view and the bot's status card show for one policy. */
export interface MyPolicyView {
  /** Without who created it and when: staff have no need of an admin's Entra object id. */
  policy: Omit<Policy, 'createdAt' | 'createdBy'>;
  /** The current published version, as this person's audiences see it. */
  version: PolicyVersion;
  status: PersonStatus;
  /** One line for a card ("2 new clauses, 3 reworded"), when the person signed an older one. */
  changesSummary?: string;
  /**
   * Who decides this person's signature, when the policy needs approval: the school's named
   * approver for an approver's own (the head's receipt once said "the head will approve"), the
   * approvers otherwise, or nobody (no approver of approvers is named).
   */
  approver?: ApproverOfSigner;
}

export type ApproverOfSigner = { kind: 'named' | 'approvers'; name: string } | { kind: 'nobody' };

export interface SignInput {
  policyKey: string;
  versionNumber: number;
  /** The hash the person saw; signing fails as outdated when it is not the current one. */
  contentHash?: string;
  declarationAccepted: true;
  typedName: string;
  statedRole: string;
  consents: Record<string, boolean>;
  channel: 'tab' | 'card';
}

export type SignOutcome =
  | { kind: 'signed'; acknowledgement: Acknowledgement; created: boolean }
  /** A newer version was published since the person opened this one: never sign the old one. */
  | { kind: 'outdated'; current: PolicyVersion };

/** A signature as an admin or approver sees it: what was typed, beside the account it came from. */
export interface SignatureSummary {
  acknowledgementId: string;
  typedName: string;
  statedRole: string;
  /** The Entra display name and UPN on the acknowledgement (from the token), never typed. */
  displayName: string;
  upn: string;
  /** The typed name is clearly not the account's name (see nameResemblance): look before trusting it. */
  typedNameDiffers: boolean;
}

export interface PersonRow {
  id: string;
  displayName: string;
  upn: string;
  audiences: string[];
  /** Per policy key. */
  statuses: Record<string, PersonStatus>;
  /** The signature the status rests on, when it rests on one (signed, awaiting approval, rejected). */
  signature?: SignatureSummary;
}

/** A column of the people table, and which way it runs. */
export interface PeopleSort {
  by: 'name' | 'upn' | 'audiences' | 'status' | 'signed';
  direction: 'ascending' | 'descending';
}

export interface PeopleQuery {
  policyKey: string;
  audience?: string;
  status?: PersonStatusKind;
  search?: string;
  /** Default: by name, A to Z. */
  sort?: PeopleSort;
  /** Opaque; from a previous page. */
  cursor?: string;
  pageSize?: number;
}

export interface PeoplePage {
  rows: PersonRow[];
  total: number;
  /**
   * Counts by audience, then by every status kind (zeros included), of everyone matching the
   * audience and search filters (not just this page, and whatever the status filter): each
   * audience's counts sum to its size.
   */
  totals: Record<string, Record<PersonStatusKind, number>>;
  /** The same people by status, each once: sums to `people`. */
  overall: Record<PersonStatusKind, number>;
  /** How many people the counts cover (a person in two audiences counts once). */
  people: number;
  nextCursor?: string;
}

/** A signature in my history, named by its own version (never today's title). */
export type HistoryEntry = Acknowledgement & { versionLabel: string; versionTitle: string };

/** The exact text a signature was made on, and whether its stored hash is the one signed. */
export interface SignedText {
  acknowledgement: Acknowledgement;
  policyTitle: string;
  version: PolicyVersion;
  /** In the school's zone, UK style. */
  signedAtLocal: string;
  textMatchesSignature: boolean;
}

/** One signature on a person's page: what was signed, its text, approvals and consents. */
export interface PersonSignature {
  acknowledgement: Acknowledgement;
  versionLabel: string;
  versionTitle: string;
  signedAtLocal: string;
  /**
   * 'superseded': it waited for approval, the person signed again, and a founded
   * `approval.superseded` event closed it (never decided; only the latest signature is).
   */
  approvalState: ApprovalState | 'superseded';
  approvalWords: string;
  /** The newer signature that closed this one, when superseded. */
  supersededBy?: string;
  decisions: {
    decision: 'approved' | 'rejected';
    approverName: string;
    decidedAt?: string;
    decidedAtLocal?: string;
    additionalPermissions: string[];
    comment?: string;
  }[];
  consents: { key: string; text: string; answer: string }[];
  /** The version's exact text; absent when the version is no longer stored. */
  document?: PolicyDocument;
  textMatchesSignature?: boolean;
}

/** An admin's page for one person and one policy. */
export interface PersonRecord {
  person: { id: string; displayName: string; upn: string; audiences: string[] };
  policy: { key: string; title: string };
  status: PersonStatus;
  statusWords: string;
  /** Newest first. */
  signatures: PersonSignature[];
}

export interface PendingApproval {
  approval: Approval;
  acknowledgement: Acknowledgement;
  etag: string;
  /** The typed name is clearly not the account's display name: the approver is warned. */
  typedNameDiffers: boolean;
}

/** The use cases the API and the bot share. Every method checks the actor's roles itself. */
export interface CountersignService {
  myPolicies(actor: Actor): Promise<MyPolicyView[]>;
  getVersion(actor: Actor, policyKey: string, versionNumber: number): Promise<PolicyVersion>;
  whatChanged(
    actor: Actor,
    policyKey: string,
  ): Promise<{ fromVersion?: number; toVersion: number; summary: string; diff: PolicyDiff }>;
  sign(actor: Actor, input: SignInput): Promise<SignOutcome>;
  myHistory(actor: Actor): Promise<HistoryEntry[]>;
  /** The exact text of a signature's version: the signer's own, or anyone's for an admin. */
  signedText(actor: Actor, acknowledgementId: string): Promise<SignedText>;
  /** The school's audiences and permission choices, as the tab offers them. */
  school(actor: Actor): SchoolView;

  // Policy.Admin
  listPolicies(actor: Actor): Promise<{ policy: Policy; versions: PolicyVersion[] }[]>;
  /** Creates a policy with no version yet; 'conflict' when its key is taken. */
  createPolicy(actor: Actor, input: CreatePolicyInput): Promise<Policy>;
  saveDraft(
    actor: Actor,
    input: { policyKey: string; label: string; changeKind: ChangeKind; document: PolicyDocument },
  ): Promise<PolicyVersion>;
  previewPublish(
    actor: Actor,
    policyKey: string,
    versionNumber: number,
  ): Promise<{ fromVersion?: number; summary: string; diff: PolicyDiff }>;
  publish(actor: Actor, policyKey: string, versionNumber: number): Promise<PolicyVersion>;
  /** Before publishing: what changed, and per audience who will have to sign again. */
  publishPreview(actor: Actor, policyKey: string, versionNumber: number): Promise<PublishPreview>;
  /** Before withdrawing: the version that comes back and, per audience, who is signed again. */
  withdrawPreview(
    actor: Actor,
    policyKey: string,
    versionNumber: number,
  ): Promise<WithdrawalPreview>;
  /** Takes back the current version, published by mistake; the one before is current again. */
  withdraw(
    actor: Actor,
    policyKey: string,
    versionNumber: number,
    reason: string,
  ): Promise<WithdrawalResult>;
  peopleStatus(actor: Actor, query: PeopleQuery): Promise<PeoplePage>;
  /** One person's page: status, every signature with its text, decisions and consents. */
  personRecord(actor: Actor, policyKey: string, userId: string): Promise<PersonRecord>;
  /** The people report as rows for a spreadsheet, a header row first (the API writes CSV). */
  exportPeopleRows(
    actor: Actor,
    query: Omit<PeopleQuery, 'cursor' | 'pageSize'>,
  ): Promise<string[][]>;

  // Policy.Approver
  pendingApprovals(actor: Actor): Promise<PendingApproval[]>;
  decide(
    actor: Actor,
    input: {
      acknowledgementId: string;
      decision: 'approved' | 'rejected';
      additionalPermissions: string[];
      comment?: string;
    },
  ): Promise<Approval>;
  /**
   * Refuses as `decide` would (not found, not theirs to decide, decided, superseded) and writes
   * nothing; resolves when the actor may decide it.
   */
  assertDecidable(actor: Actor, acknowledgementId: string): Promise<void>;
  /** The latest records check and its line (Policy.Admin). */
  /** One PDF of the evidence pack, checked as it is made (Policy.Admin). */
  evidencePdf(actor: Actor, request: EvidencePdfRequest): Promise<EvidencePdf>;
  recordsCheck(actor: Actor): Promise<RecordsCheckView>;
  /**
   * Every signature waiting for approval and whether its approvers were reached (Policy.Admin):
   * "approver not reached" is shown, never dropped (approval-request-status.ts).
   */
  approvalRequests(actor: Actor): Promise<ApprovalRequestView[]>;
  /** Sends the approval card again to the approvers it did not reach (Policy.Admin). */
  resendApprovalRequest(actor: Actor, acknowledgementId: string): Promise<{ queued: number }>;

  /** Trust-wide policies with school variants (issue 14): the trust lead and each school's admin. */
  readonly trust: TrustPolicyService;

  /** The sweeper (see repair-records.ts): the composition runs it on a timer. */
  repairRecords(options?: RepairOptions): Promise<RepairReport>;
  /** The nightly records check (records-check.ts): the scheduled work runs it when due. */
  readonly recordsCheckRunner: RecordsCheckRunner;
  /** Open approvals whose card reached no approver: the admin digest's count (no actor). */
  approvalsNotReached(): Promise<number>;
}
