import type { TokenSource } from '../auth/token-source.ts';
import { ApiError, toApiError } from './api-error.ts';
import type {
  AdaptiveCard,
  AdminPolicy,
  Approval,
  ApprovalRequestItem,
  BulkDecisionResult,
  Campaign,
  CampaignSummary,
  RecoveredCampaign,
  Changes,
  CreatePolicyBody,
  DecisionBody,
  DraftBody,
  HistoryEntry,
  ImportResult,
  LaunchCampaignBody,
  Me,
  MyPolicyView,
  PeopleFilter,
  PeoplePage,
  PendingApproval,
  PersonDeliveries,
  PersonRecord,
  Policy,
  PolicyVersion,
  PublishConfirmation,
  PublishPreview,
  Withdrawal,
  RecordsCheckView,
  TrustCompliance,
  TrustPolicyView,
  TrustPublishPreview,
  TrustPublishResult,
  MasterWithdrawal,
  MasterWithdrawalPreview,
  SchoolCopyOutcome,
  VariantBody,
  VariantPreview,
  VariantPreviewBody,
  DirectoryGroup,
  SaveSettingsBody,
  SchoolSettings,
  SettingsChange,
  SettingsSaved,
  SchoolView,
  SignBody,
  SignResult,
  SignedText,
} from './api-types.ts';

function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

const seg = encodeURIComponent;

/** A file the API answered (it needed the bearer token), with the name it gave it. */
export interface DownloadedFile {
  blob: Blob;
  fileName: string;
}

/**
 * The tab's side of the API contract (src/api/contract): one method per route, bearer token on
 * every call. Bodies are typed by the contract's schemas, not parsed here (see api-types.ts).
 */
export class ApiClient {
  readonly #tokens: TokenSource;
  readonly #fetch: typeof fetch;
  readonly #school: string | undefined;
  constructor(
    tokens: TokenSource,
    fetchImpl: typeof fetch = (...args) => fetch(...args),
    school?: string,
  ) {
    this.#tokens = tokens;
    this.#fetch = fetchImpl;
    this.#school = school;
  }

  /**
   * The same client, every school route's request naming this school (someone in several
   * schools of a trust chooses one; the service refuses one that is not theirs, 403
   * `not-in-school`). The trust's own routes are the trust's, and never name one.
   */
  forSchool(school: string | undefined): ApiClient {
    return new ApiClient(this.#tokens, this.#fetch, school);
  }

  #inSchool(path: string): string {
    if (this.#school === undefined || path.startsWith('/api/trust/')) return path;
    return `${path}${path.includes('?') ? '&' : '?'}school=${seg(this.#school)}`;
  }

  async #send(path: string, init: RequestInit = {}): Promise<Response> {
    const token = await this.#tokens.getToken();
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${token}`);
    if (!headers.has('accept')) headers.set('accept', 'application/json');
    const response = await this.#fetch(this.#inSchool(path), { ...init, headers });
    if (!response.ok) throw await toApiError(response);
    return response;
  }

  async #json<T>(path: string, init: RequestInit = {}): Promise<T> {
    const response = await this.#send(path, init);
    return (await response.json()) as T;
  }

  #post<T>(path: string, body: unknown, method = 'POST'): Promise<T> {
    return this.#json<T>(path, {
      method,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  me(): Promise<Me> {
    return this.#json('/api/me');
  }
  myPolicies(): Promise<MyPolicyView[]> {
    return this.#json('/api/me/policies');
  }
  version(policyKey: string, versionNumber: number): Promise<PolicyVersion> {
    return this.#json(`/api/policies/${seg(policyKey)}/versions/${versionNumber}`);
  }
  changes(policyKey: string): Promise<Changes> {
    return this.#json(`/api/me/policies/${seg(policyKey)}/changes`);
  }
  async sign(policyKey: string, body: SignBody): Promise<SignResult> {
    const response = await this.#send(`/api/me/policies/${seg(policyKey)}/sign`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await response.json()) as Omit<SignResult, 'created'>;
    return { acknowledgement: json.acknowledgement, created: response.status === 201 };
  }
  history(): Promise<HistoryEntry[]> {
    return this.#json('/api/me/history');
  }
  /** The exact text a signature was made on: my own (an admin: anyone's). */
  signedText(acknowledgementId: string): Promise<SignedText> {
    return this.#json(`/api/signatures/${seg(acknowledgementId)}/text`);
  }

  /** The school's audiences and the approvers' permission choices. */
  school(): Promise<SchoolView> {
    return this.#json('/api/school');
  }

  // Policy.Admin
  /** Creates a policy with no version yet; a taken key is a 409 problem naming its policy. */
  createPolicy(body: CreatePolicyBody): Promise<Policy> {
    return this.#post('/api/admin/policies', body);
  }
  importDocument(file: File): Promise<ImportResult> {
    return this.#json('/api/admin/import', {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'x-file-name': file.name },
      body: file,
    });
  }
  adminPolicies(): Promise<AdminPolicy[]> {
    return this.#json('/api/admin/policies');
  }
  saveDraft(policyKey: string, body: DraftBody): Promise<PolicyVersion> {
    return this.#post(`/api/admin/policies/${seg(policyKey)}/draft`, body, 'PUT');
  }
  draftDiff(policyKey: string, versionNumber: number): Promise<PublishPreview> {
    return this.#json(`/api/admin/policies/${seg(policyKey)}/versions/${versionNumber}/diff`);
  }
  publish(policyKey: string, versionNumber: number): Promise<PolicyVersion> {
    return this.#post(
      `/api/admin/policies/${seg(policyKey)}/versions/${versionNumber}/publish`,
      {},
    );
  }
  /** One person's page: status, every signature with its text, decisions and consents. */
  person(policyKey: string, userId: string): Promise<PersonRecord> {
    return this.#json(`/api/admin/people/${seg(userId)}${query({ policyKey })}`);
  }
  /** What the service sent this person of the policy (prompts, reminders) and what became of it. */
  personDeliveries(policyKey: string, userId: string): Promise<PersonDeliveries> {
    return this.#json(`/api/admin/people/${seg(userId)}/deliveries${query({ policyKey })}`);
  }
  /** What publishing would change and, per audience, who would have to sign again. */
  publishConfirmation(policyKey: string, versionNumber: number): Promise<PublishConfirmation> {
    return this.#json(
      `/api/admin/policies/${seg(policyKey)}/versions/${versionNumber}/publish-preview`,
    );
  }
  /** What withdrawing would do: the version that comes back, who is signed again by it. */
  withdrawPreview(policyKey: string, versionNumber: number): Promise<Withdrawal> {
    return this.#json(
      `/api/admin/policies/${seg(policyKey)}/versions/${versionNumber}/withdraw-preview`,
    );
  }
  withdraw(policyKey: string, versionNumber: number, reason: string): Promise<Withdrawal> {
    return this.#post(`/api/admin/policies/${seg(policyKey)}/versions/${versionNumber}/withdraw`, {
      reason,
    });
  }
  people(filter: PeopleFilter & { cursor?: string; pageSize?: number }): Promise<PeoplePage> {
    return this.#json(`/api/admin/people${query({ ...filter })}`);
  }
  /** The trust's schools side by side (every school for the trust lead, an admin's own). */
  trustCompliance(): Promise<TrustCompliance> {
    return this.#json('/api/trust/compliance');
  }
  /** The trust's policies: the master's versions and each school's copy (the lead: every school). */
  trustPolicies(): Promise<TrustPolicyView[]> {
    return this.#json('/api/trust/policies');
  }
  /** The trust lead's next master text (replaces the open draft). */
  saveMasterDraft(policyKey: string, body: DraftBody): Promise<PolicyVersion> {
    return this.#post(`/api/trust/policies/${seg(policyKey)}/draft`, body, 'PUT');
  }
  /** What publishing the master would do in each school: who must sign again, or what is missing. */
  trustPublishPreview(policyKey: string, versionNumber: number): Promise<TrustPublishPreview> {
    return this.#json(
      `/api/trust/policies/${seg(policyKey)}/versions/${versionNumber}/publish-preview`,
    );
  }
  publishMaster(policyKey: string, versionNumber: number): Promise<TrustPublishResult> {
    return this.#post(
      `/api/trust/policies/${seg(policyKey)}/versions/${versionNumber}/publish`,
      {},
    );
  }
  /** What withdrawing the master would do in each school (writes nothing). */
  masterWithdrawalPreview(
    policyKey: string,
    versionNumber: number,
  ): Promise<MasterWithdrawalPreview> {
    return this.#json(
      `/api/trust/policies/${seg(policyKey)}/versions/${versionNumber}/withdraw-preview`,
    );
  }
  withdrawMaster(
    policyKey: string,
    versionNumber: number,
    reason: string,
  ): Promise<MasterWithdrawal> {
    return this.#post(`/api/trust/policies/${seg(policyKey)}/versions/${versionNumber}/withdraw`, {
      reason,
    });
  }
  /** The school's text with these clauses of its own, as it would be published (writes nothing). */
  variantPreview(
    policyKey: string,
    schoolId: string,
    body: VariantPreviewBody,
  ): Promise<VariantPreview> {
    return this.#post(
      `/api/trust/policies/${seg(policyKey)}/schools/${seg(schoolId)}/variant/preview`,
      body,
    );
  }
  publishVariant(
    policyKey: string,
    schoolId: string,
    body: VariantBody,
  ): Promise<SchoolCopyOutcome> {
    return this.#post(
      `/api/trust/policies/${seg(policyKey)}/schools/${seg(schoolId)}/variant`,
      body,
      'PUT',
    );
  }
  /** The latest nightly records check, and its line. */
  recordsCheck(): Promise<RecordsCheckView> {
    return this.#json('/api/admin/records-check');
  }
  /** The admin's school's settings and the revision a save names. */
  settings(): Promise<SchoolSettings> {
    return this.#json('/api/admin/settings');
  }
  /** 409 `conflict` when someone saved since `expectedRevision` was read. */
  saveSettings(body: SaveSettingsBody): Promise<SettingsSaved> {
    return this.#post('/api/admin/settings', body, 'PUT');
  }
  settingsHistory(): Promise<SettingsChange[]> {
    return this.#json('/api/admin/settings/history');
  }
  /** The group picker: Entra groups whose names have words starting with the search's. */
  searchGroups(search: string): Promise<DirectoryGroup[]> {
    return this.#json(`/api/admin/groups${query({ search })}`);
  }
  /** The CSV needs the bearer token, so it is fetched and handed to the browser as a file. */
  async peopleCsv(filter: PeopleFilter): Promise<Blob> {
    const response = await this.#send(`/api/admin/people.csv${query({ ...filter })}`, {
      headers: { accept: 'text/csv' },
    });
    return response.blob();
  }
  /** One PDF of the evidence pack: a version's register (the current one when none is named). */
  policyEvidencePdf(policyKey: string, version?: number): Promise<DownloadedFile> {
    return this.#file(`/api/admin/policies/${seg(policyKey)}/evidence.pdf${query({ version })}`);
  }
  /** A school's register PDF for the trust (the lead: any school's; a school's admin: their own). */
  schoolEvidencePdf(schoolId: string, policyKey: string): Promise<DownloadedFile> {
    return this.#file(
      `/api/trust/schools/${seg(schoolId)}/policies/${seg(policyKey)}/evidence.pdf`,
    );
  }
  /** One PDF of the evidence pack: a person's signatures of the policy, with the text of each. */
  personEvidencePdf(policyKey: string, userId: string): Promise<DownloadedFile> {
    return this.#file(`/api/admin/people/${seg(userId)}/evidence.pdf${query({ policyKey })}`);
  }
  async #file(path: string): Promise<DownloadedFile> {
    const response = await this.#send(path, { headers: { accept: 'application/pdf' } });
    // The name the service gave it (attachment; filename="…"), else the last part of the path.
    const named = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '');
    return {
      blob: await response.blob(),
      fileName: named?.[1] ?? path.split('/').pop()?.split('?')[0] ?? 'download',
    };
  }
  campaigns(): Promise<CampaignSummary[]> {
    return this.#json('/api/admin/campaigns');
  }
  launchCampaign(body: LaunchCampaignBody): Promise<Campaign> {
    return this.#post('/api/admin/campaigns', body);
  }
  campaignAction(id: string, action: 'pause' | 'resume' | 'cancel'): Promise<Campaign> {
    return this.#post(`/api/admin/campaigns/${seg(id)}/${action}`, {});
  }
  /** Carries on a campaign whose delivery records were lost, to those not yet signed. */
  recoverCampaign(id: string): Promise<RecoveredCampaign> {
    return this.#post(`/api/admin/campaigns/${seg(id)}/recover`, {});
  }
  previewCard(policyKey: string, versionNumber: number): Promise<AdaptiveCard> {
    return this.#json(`/api/admin/campaigns/preview-card${query({ policyKey, versionNumber })}`);
  }
  async sendTestCard(policyKey: string, versionNumber: number): Promise<void> {
    await this.#send('/api/admin/campaigns/send-test', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ policyKey, versionNumber }),
    });
  }

  /** Every signature waiting for a decision and what became of its approvers' card. */
  approvalRequests(): Promise<ApprovalRequestItem[]> {
    return this.#json('/api/admin/approval-requests');
  }
  /** Queues the card again to the approvers it did not reach; 404 when no longer waiting. */
  resendApprovalRequest(acknowledgementId: string): Promise<{ queued: number }> {
    return this.#post(`/api/admin/approval-requests/${seg(acknowledgementId)}/resend`, {});
  }

  // Policy.Approver
  pendingApprovals(): Promise<PendingApproval[]> {
    return this.#json('/api/approvals');
  }
  decide(acknowledgementId: string, body: DecisionBody): Promise<Approval> {
    return this.#post(`/api/approvals/${seg(acknowledgementId)}/decision`, body);
  }
  decideMany(acknowledgementIds: string[], body: DecisionBody): Promise<BulkDecisionResult> {
    return this.#post('/api/approvals/bulk', { acknowledgementIds, ...body });
  }
}

export { ApiError };
