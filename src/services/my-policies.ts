import type { Acknowledgement } from '../domain/acknowledgement.ts';
import { approvalRoute, describeApprover } from '../domain/approval-route.ts';
import { CountersignError } from '../domain/errors.ts';
import type { Policy, PolicyVersion } from '../domain/policy.ts';
import { audienceView } from '../domain/content-hash.ts';
import { diffDocuments, summariseDiff, type PolicyDiff } from '../domain/policy-diff.ts';
import { computeStatus } from '../domain/status.ts';
import type { Actor } from './actor.ts';
import { personAudiences } from './audiences.ts';
import type { ApproverOfSigner, MyPolicyView } from './countersign-service.ts';
import { loadPolicy, requireCurrent, runningDeadline } from './policy-versions.ts';
import type { ServiceContext } from './service-context.ts';

/** The version as this person's audiences see it; the content hash stays the version's own. */
function viewFor(version: PolicyVersion, audiences: string[]): PolicyVersion {
  return { ...version, document: audienceView(version.document, audiences) };
}

function lastSigned(acks: Acknowledgement[], policyKey: string): Acknowledgement | undefined {
  return acks
    .filter((a) => a.policyKey === policyKey)
    .sort((a, b) => b.versionNumber - a.versionNumber)[0];
}

/** The policy as staff see it: not who created it or when (the admin views keep both). */
function staffPolicy(policy: Policy): MyPolicyView['policy'] {
  const view = { ...policy };
  delete view.createdAt;
  delete view.createdBy;
  return view;
}

export async function myPolicies(ctx: ServiceContext, actor: Actor): Promise<MyPolicyView[]> {
  const [audiences, policies, acks, approvalRows] = await Promise.all([
    personAudiences(ctx.directory, ctx.school, actor.id),
    ctx.records.listPolicies(ctx.school.id),
    ctx.records.listAcknowledgements({ userId: actor.id }),
    ctx.records.listApprovals({ userId: actor.id }),
  ]);
  // The Approvals list holds the decisions; the acknowledgement's own column is a convenience.
  const approvals = approvalRows.map((a) => a.value);
  const views: MyPolicyView[] = [];
  for (const { key } of policies) {
    const loaded = await loadPolicy(ctx.records, key);
    const current = loaded.current;
    if (!current) continue;
    const deadline = await runningDeadline(ctx.records, key, current.number);
    const status = computeStatus({
      policy: loaded.policy,
      versions: loaded.versions,
      acknowledgements: acks,
      approvals,
      personAudiences: audiences,
      timeZone: ctx.school.timeZone,
      now: ctx.clock.now(),
      ...(deadline !== undefined ? { deadline } : {}),
    });
    if (status.kind === 'not-required') continue;
    const view: MyPolicyView = {
      policy: staffPolicy(loaded.policy),
      version: viewFor(current, audiences),
      status,
      ...(loaded.policy.approvalMode === 'none'
        ? {}
        : { approver: approverOf(ctx, actor.id, current) }),
    };
    // As status reads them: a signature of a withdrawn version counts only when it is the only kind.
    const withdrawn = new Set(
      loaded.versions.filter((v) => v.status === 'withdrawn').map((v) => v.number),
    );
    const signed =
      lastSigned(
        acks.filter((a) => !withdrawn.has(a.versionNumber)),
        key,
      ) ?? lastSigned(acks, key);
    const signedVersion = loaded.versions.find((v) => v.number === signed?.versionNumber);
    if (signedVersion && signedVersion.number !== current.number) {
      view.changesSummary = summariseDiff(
        diffDocuments(signedVersion.document, current.document, audiences),
      );
    }
    views.push(view);
  }
  return views;
}

/** Who decides this signer's signature, in words for their receipt. */
function approverOf(
  ctx: ServiceContext,
  signerId: string,
  version: PolicyVersion,
): ApproverOfSigner {
  const route = approvalRoute(ctx.school, signerId);
  switch (route.kind) {
    case 'named':
      return { kind: 'named', name: describeApprover(route.approver) };
    case 'nobody':
      return { kind: 'nobody' };
    case 'approvers': {
      // The document's approval block names the approver ("Helen Whitfield, Headteacher").
      const block = version.document.approval;
      const name = block?.approverName;
      return {
        kind: 'approvers',
        name:
          name === undefined
            ? 'the school’s approver'
            : describeApprover({
                id: '',
                name,
                ...(block?.approverRole === undefined ? {} : { role: block.approverRole }),
              }),
      };
    }
  }
}

export async function getVersionFor(
  ctx: ServiceContext,
  actor: Actor,
  policyKey: string,
  versionNumber: number,
): Promise<PolicyVersion> {
  const loaded = await loadPolicy(ctx.records, policyKey);
  const version = loaded.versions.find((v) => v.number === versionNumber);
  // Drafts are for admins only: staff never see unpublished text.
  if (!version || (version.status === 'draft' && !actor.roles.includes('Policy.Admin'))) {
    throw new CountersignError(
      'not-found',
      `There is no version ${versionNumber} of "${policyKey}".`,
    );
  }
  if (actor.roles.includes('Policy.Admin')) return version;
  const audiences = await personAudiences(ctx.directory, ctx.school, actor.id);
  return viewFor(version, audiences);
}

export async function whatChangedFor(
  ctx: ServiceContext,
  actor: Actor,
  policyKey: string,
): Promise<{ fromVersion?: number; toVersion: number; summary: string; diff: PolicyDiff }> {
  const [loaded, audiences, acks] = await Promise.all([
    loadPolicy(ctx.records, policyKey),
    personAudiences(ctx.directory, ctx.school, actor.id),
    ctx.records.listAcknowledgements({ userId: actor.id, policyKey }),
  ]);
  const current = requireCurrent(loaded);
  const signed = lastSigned(acks, policyKey);
  const from = loaded.versions.find((v) => v.number === signed?.versionNumber);
  // Never signed: everything is new to them.
  const base = from?.document ?? {
    ...current.document,
    sections: [],
    consents: [],
    declaration: '',
  };
  const diff = diffDocuments(base, current.document, audiences);
  return {
    ...(from ? { fromVersion: from.number } : {}),
    toVersion: current.number,
    summary: summariseDiff(diff),
    diff,
  };
}
