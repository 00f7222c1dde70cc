import { AudienceHashes } from '../domain/audience-hashes.ts';
import {
  approvalRequestViews,
  countApprovalsNotReached,
  resendApprovalRequest,
} from './approval-request-status.ts';
import { decidableApproval, decideApproval, pendingApprovals } from './approvals.ts';
import type { CountersignService } from './countersign-service.ts';
import { createPolicy, schoolView } from './create-policy.ts';
import { evidencePdfFor } from './evidence-pdf.ts';
import { getVersionFor, myPolicies, whatChangedFor } from './my-policies.ts';
import { exportPeopleRows, peopleStatus } from './people-report.ts';
import { myHistory, personRecordFor, signedTextFor } from './person-record.ts';
import {
  listPoliciesForAdmin,
  previewPublish,
  publishVersion,
  saveDraft,
} from './publish-policy.ts';
import { publishPreview } from './publish-preview.ts';
import { withdrawalPreview, withdrawVersion } from './withdraw-version.ts';
import { withReadCache, type ReadCacheOptions } from './read-cache.ts';
import { ReportSnapshots, withReportSnapshots } from './report-snapshot.ts';
import type { ServiceContext } from './service-context.ts';
import { repairRecords } from './repair-records.ts';
import { recordsCheckFor, recordsCheckRunner } from './records-check.ts';
import { signPolicy } from './sign-policy.ts';
import {
  createTrustPolicy,
  publishMaster,
  publishVariant,
  saveMasterDraft,
  trustPolicies,
} from './trust-policies.ts';
import { masterPublishPreview, variantPreview } from './trust-publish-preview.ts';
import { masterWithdrawalPreview, withdrawMaster } from './withdraw-master.ts';

export type ServiceDeps = Omit<
  ServiceContext,
  'newId' | 'onRepairError' | 'viewHash' | 'reportSnapshots'
> & {
  onRepairError?: (error: unknown, what: string) => void;
  newId?: () => string;
  /** Reuse policies, versions and memberships briefly (default on; tests may turn it off). */
  readCache?: ReadCacheOptions | false;
  /**
   * Keep the people report as a snapshot that this service's writes keep current (default on
   * with the read cache, for REPORT_SNAPSHOT_MAX_AGE_MS; off with `false`, or with the read
   * cache off: tests that write to the store behind the service's back read afresh).
   */
  reportSnapshot?: { maxAgeMs?: number } | false;
  /**
   * Snapshots to keep them in, shared with another reader of the same records (the trust
   * report, compose-service.ts); default: the service's own. Ignored when snapshots are off.
   */
  reportSnapshots?: ReportSnapshots;
};

/** The composition of the use cases; the API and the bot both hold one. */
export function createCountersignService(deps: ServiceDeps): CountersignService {
  const cached =
    deps.readCache === false
      ? { records: deps.records, directory: deps.directory }
      : withReadCache(deps.records, deps.directory, deps.clock, deps.readCache);
  const snapshots =
    deps.reportSnapshot === false || deps.readCache === false
      ? undefined
      : (deps.reportSnapshots ?? new ReportSnapshots(deps.clock, deps.reportSnapshot?.maxAgeMs));
  const ctx: ServiceContext = {
    records:
      snapshots === undefined ? cached.records : withReportSnapshots(cached.records, snapshots),
    directory: cached.directory,
    clock: deps.clock,
    sealKey: deps.sealKey,
    evidence: deps.evidence,
    school: deps.school,
    newId: deps.newId ?? (() => crypto.randomUUID()),
    viewHash: new AudienceHashes().of,
    ...(deps.onRepairError === undefined ? {} : { onRepairError: deps.onRepairError }),
    ...(deps.telemetry === undefined ? {} : { telemetry: deps.telemetry }),
    ...(deps.checkpoints === undefined ? {} : { checkpoints: deps.checkpoints }),
    ...(deps.approvalRequests === undefined ? {} : { approvalRequests: deps.approvalRequests }),
    ...(deps.evidencePack === undefined ? {} : { evidencePack: deps.evidencePack }),
    ...(snapshots === undefined ? {} : { reportSnapshots: snapshots }),
    ...(deps.trust === undefined ? {} : { trust: deps.trust }),
  };
  return {
    myPolicies: (actor) => myPolicies(ctx, actor),
    getVersion: (actor, key, n) => getVersionFor(ctx, actor, key, n),
    whatChanged: (actor, key) => whatChangedFor(ctx, actor, key),
    sign: (actor, input) => signPolicy(ctx, actor, input),
    myHistory: (actor) => myHistory(ctx, actor),
    signedText: (actor, id) => signedTextFor(ctx, actor, id),
    school: () => schoolView(ctx),
    listPolicies: (actor) => listPoliciesForAdmin(ctx, actor),
    createPolicy: (actor, input) => createPolicy(ctx, actor, input),
    saveDraft: (actor, input) => saveDraft(ctx, actor, input),
    previewPublish: (actor, key, n) => previewPublish(ctx, actor, key, n),
    publish: (actor, key, n) => publishVersion(ctx, actor, key, n),
    publishPreview: (actor, key, n) => publishPreview(ctx, actor, key, n),
    withdrawPreview: (actor, key, n) => withdrawalPreview(ctx, actor, key, n),
    withdraw: (actor, key, n, reason) => withdrawVersion(ctx, actor, key, n, reason),
    peopleStatus: (actor, query) => peopleStatus(ctx, actor, query),
    personRecord: (actor, key, userId) => personRecordFor(ctx, actor, key, userId),
    exportPeopleRows: (actor, query) => exportPeopleRows(ctx, actor, query),
    pendingApprovals: (actor) => pendingApprovals(ctx, actor),
    decide: (actor, input) => decideApproval(ctx, actor, input),
    assertDecidable: async (actor, ackId) => {
      await decidableApproval(ctx, actor, ackId);
    },
    recordsCheck: (actor) => recordsCheckFor(ctx, actor),
    approvalRequests: (actor) => approvalRequestViews(ctx, actor),
    resendApprovalRequest: (actor, ackId) => resendApprovalRequest(ctx, actor, ackId),
    evidencePdf: (actor, request) => evidencePdfFor(ctx, actor, request),
    trust: {
      list: (actor) => trustPolicies(ctx, actor),
      create: (actor, input) => createTrustPolicy(ctx, actor, input),
      saveMasterDraft: (actor, input) => saveMasterDraft(ctx, actor, input),
      publishMaster: (actor, key, n) => publishMaster(ctx, actor, key, n),
      publishVariant: (actor, input) => publishVariant(ctx, actor, input),
      masterPublishPreview: (actor, key, n) => masterPublishPreview(ctx, actor, key, n),
      variantPreview: (actor, input) => variantPreview(ctx, actor, input),
      masterWithdrawalPreview: (actor, key, n) => masterWithdrawalPreview(ctx, actor, key, n),
      withdrawMaster: (actor, key, n, reason) => withdrawMaster(ctx, actor, key, n, reason),
    },
    repairRecords: (options) => repairRecords(ctx, options),
    recordsCheckRunner: recordsCheckRunner(ctx),
    approvalsNotReached: () => countApprovalsNotReached(ctx),
  };
}
