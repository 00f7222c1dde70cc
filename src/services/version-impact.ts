import type { Acknowledgement } from '../domain/acknowledgement.ts';
import type { Approval } from '../domain/approval.ts';
import type { PolicyVersion } from '../domain/policy.ts';
import {
  impactOf,
  tallyImpacts,
  type AudienceImpact,
  type Impact,
} from '../domain/publish-impact.ts';
import { policyStatusBasis, statusWith } from '../domain/status.ts';
import { resolveAudienceMembers } from './audiences.ts';
import type { LoadedPolicy } from './policy-versions.ts';
import type { ServiceContext } from './service-context.ts';

/** An audience's impact with the school's name for it ("Staff"). */
export interface LabelledImpact extends AudienceImpact {
  label: string;
}

/** People whose statuses are computed before the event loop is given back (as the people report). */
const SLICE = 500;

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function byUser<T extends { userId: string }>(items: readonly T[]): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const list = map.get(item.userId);
    if (list) list.push(item);
    else map.set(item.userId, [item]);
  }
  return map;
}

/**
 * What changing a policy's versions from `loaded.versions` to `after` does to everyone in its
 * audiences, per audience: each person's status computed both ways (the one pure function), so
 * the counts are exactly what the people report will show. Reads like the people report: one
 * member listing per group, one listing of the policy's acknowledgements, the approvals.
 */
export async function versionChangeImpact(
  ctx: ServiceContext,
  loaded: LoadedPolicy,
  after: readonly PolicyVersion[],
): Promise<LabelledImpact[]> {
  const policy = loaded.policy;
  const [members, acks, approvalRows] = await Promise.all([
    resolveAudienceMembers(ctx.directory, ctx.school, policy.audiences),
    ctx.records.listAcknowledgements({ policyKey: policy.key }),
    policy.approvalMode === 'none' ? Promise.resolve([]) : ctx.records.listApprovals({}),
  ]);
  const acksByUser = byUser<Acknowledgement>(acks);
  const approvalsByUser = byUser<Approval>(approvalRows.map((row) => row.value));
  const now = ctx.clock.now();
  const impacts: { audiences: readonly string[]; impact: Impact }[] = [];
  // Each side's policy part of a status, worked out once for everyone.
  const was = policyStatusBasis(policy, loaded.versions);
  const will = policyStatusBasis(policy, after);
  let done = 0;
  for (const { person, audiences } of members.values()) {
    if (++done % SLICE === 0) await yieldToEventLoop();
    const common = {
      acknowledgements: acksByUser.get(person.id) ?? [],
      approvals: approvalsByUser.get(person.id) ?? [],
      personAudiences: audiences,
      timeZone: ctx.school.timeZone,
      now,
      viewHash: ctx.viewHash,
    };
    const before = statusWith(was, common);
    const later = statusWith(will, common);
    impacts.push({ audiences, impact: impactOf(before, later) });
  }
  const labels = new Map(ctx.school.audiences.map((a) => [a.key, a.label]));
  return tallyImpacts(policy.audiences, impacts).map((row) => ({
    ...row,
    label: labels.get(row.audience) ?? row.audience,
  }));
}
