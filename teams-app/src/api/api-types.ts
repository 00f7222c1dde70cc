// The API's shapes: the contract's (src/api/contract, inferred from its zod schemas) and the
// domain's. Types only, so nothing from src/ is bundled into the tab; the tab does not parse
// responses at run time (the tab's tests run against the real handler, which checks every
// body it sends against the same schemas).
export type { Acknowledgement } from '../../../src/domain/acknowledgement.ts';
export type { Approval } from '../../../src/domain/approval.ts';
export type { Campaign } from '../../../src/domain/campaign.ts';
export type {
  ApprovalMode,
  ChangeKind,
  Policy,
  PolicyVersion,
} from '../../../src/domain/policy.ts';
export type { Clause, PolicyDocument } from '../../../src/domain/policy-document.ts';
export type {
  CreatePolicyBody,
  DecisionBody,
  DraftBody,
  LaunchCampaignBody,
  PeopleFilter,
  SaveSettingsBody,
  SignBody,
  VariantBody,
  VariantPreviewBody,
} from '../../../src/api/contract/requests.ts';
export type {
  AdaptiveCard,
  AdminPolicy,
  ApprovalRequestItem,
  BulkDecisionResult,
  CampaignSummary,
  Changes,
  DirectoryGroup,
  HistoryEntry,
  ImportReport,
  ImportResult,
  Me,
  MyPolicyView,
  PeoplePage,
  PendingApproval,
  PersonRecord,
  PersonDeliveries,
  PersonStatus,
  PersonStatusKind,
  PolicyDiff,
  PublishConfirmation,
  PublishPreview,
  RecoveredCampaign,
  RecordsCheckView,
  SchoolSettings,
  SchoolView,
  SettingsChange,
  SettingsSaved,
  SignedText,
  StatusCounts,
  TrustCompliance,
  TrustPolicyView,
  TrustPublishPreview,
  MasterWithdrawal,
  MasterWithdrawalPreview,
  TrustPublishResult,
  SchoolCopyOutcome,
  VariantPreview,
  Withdrawal,
} from '../../../src/api/contract/responses.ts';

import type { SignResult as SignResponse } from '../../../src/api/contract/responses.ts';

export interface SignResult extends SignResponse {
  /** false when the API answered 200: this version was already signed. */
  created: boolean;
}
