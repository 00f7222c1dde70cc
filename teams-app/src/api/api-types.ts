// The API's shapes (/work/team/API.md), as the service layer defines them. Types only: nothing
// from src/ is bundled into the tab.
export type { Acknowledgement } from '../../../src/domain/acknowledgement.ts';
export type { Approval } from '../../../src/domain/approval.ts';
export type { Campaign } from '../../../src/domain/campaign.ts';
export type { PersonStatus, PersonStatusKind } from '../../../src/domain/person-status.ts';
export type { ChangeKind, Policy, PolicyVersion } from '../../../src/domain/policy.ts';
export type { PolicyDiff } from '../../../src/domain/policy-diff.ts';
export type { ImportReport } from '../../../src/importer/import-report.ts';
export type { Clause, PolicyDocument, Section } from '../../../src/domain/policy-document.ts';
export type {
  MyPolicyView,
  PendingApproval,
  PeoplePage,
  PersonRow,
} from '../../../src/services/countersign-service.ts';

import type { Acknowledgement } from '../../../src/domain/acknowledgement.ts';
import type { PolicyDocument } from '../../../src/domain/policy-document.ts';
import type { PolicyDiff } from '../../../src/domain/policy-diff.ts';

export interface Me {
  id: string;
  displayName: string;
  upn: string;
  roles: string[];
}

export interface Changes {
  fromVersion?: number;
  toVersion: number;
  summary: string;
  diff: PolicyDiff;
}

export interface SignBody {
  versionNumber: number;
  contentHash: string;
  declarationAccepted: true;
  typedName: string;
  statedRole: string;
  consents: Record<string, boolean>;
}

export interface SignResult {
  acknowledgement: Acknowledgement;
  /** false when the API answered 200: this version was already signed. */
  created: boolean;
}

export interface ImportResult {
  document: PolicyDocument;
  report: unknown;
}

export interface PeopleFilter {
  policyKey: string;
  audience?: string;
  status?: string;
  q?: string;
}

export interface LaunchCampaignBody {
  policyKey: string;
  versionNumber: number;
  audiences: string[];
  /** ISO 8601 UTC. */
  deadline: string;
  reminderDays: number[];
}

export interface DecisionBody {
  decision: 'approved' | 'rejected';
  additionalPermissions: string[];
  comment?: string;
}

export interface BulkDecisionResult {
  results: { acknowledgementId: string; ok: boolean; code?: string }[];
}
