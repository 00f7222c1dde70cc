import { permissionChoicesOf } from '../domain/additional-permissions.ts';
import { CountersignError } from '../domain/errors.ts';
import { policyCreatedEvent } from '../domain/policy-created.ts';
import type { ApprovalMode, Policy, RenewalRule } from '../domain/policy.ts';
import type { Actor } from './actor.ts';
import { requireRole } from './require-role.ts';
import type { ServiceContext } from './service-context.ts';

export interface CreatePolicyInput {
  key: string;
  title: string;
  /** Who signs it: keys of the school's audiences, at least one. */
  audiences: string[];
  /** Default: first-signature (a new starter's signature is approved), as most schools do. */
  approvalMode?: ApprovalMode;
  /** Default: every year on 1 September (the academic year). */
  renewal?: RenewalRule;
}

/** What the tab shows about the school: who its audiences are and the approvers' choices. */
export interface SchoolView {
  name: string;
  audiences: { key: string; label: string }[];
  /** The additional permissions an approver chooses from (free text is still possible). */
  permissionChoices: string[];
}

export function schoolView(ctx: ServiceContext): SchoolView {
  return {
    name: ctx.school.name,
    audiences: ctx.school.audiences.map((a) => ({ key: a.key, label: a.label })),
    permissionChoices: [...permissionChoicesOf(ctx.school)],
  };
}

/**
 * Creates a policy, explicitly (issue 11: importing into a new policy was only a choice in the
 * tab, and saving a draft under an unknown key made one). A taken key is a conflict naming the
 * policy that has it; an audience the school does not have is refused. The policy has no
 * version yet: its first draft is saved next. A `policy.created` audit event says who made it
 * with which settings (written after the row: a failure there leaves the policy, and a retry is
 * told the key is taken).
 */
export async function createPolicy(
  ctx: ServiceContext,
  actor: Actor,
  input: CreatePolicyInput,
): Promise<Policy> {
  requireRole(actor, 'Policy.Admin');
  const known = new Set(ctx.school.audiences.map((a) => a.key));
  const unknown = input.audiences.filter((a) => !known.has(a));
  if (unknown.length > 0) {
    throw new CountersignError(
      'validation',
      `The school has no audience ${unknown.map((a) => `"${a}"`).join(', ')}.`,
      { audiences: unknown },
    );
  }
  const at = ctx.clock.now().toISOString();
  const policy: Policy = {
    key: input.key,
    schoolId: ctx.school.id,
    title: input.title,
    audiences: [...new Set(input.audiences)],
    renewal: input.renewal ?? { kind: 'fixed-date', month: 9, day: 1 },
    approvalMode: input.approvalMode ?? 'first-signature',
    createdAt: at,
    createdBy: actor.id,
  };
  const taken = (title: string) =>
    new CountersignError(
      'conflict',
      `A policy with the key "${input.key}" already exists ("${title}"): choose another key, or import as a new version of it.`,
      { key: input.key, title },
    );
  const existing = await ctx.records.getPolicy(input.key);
  if (existing !== null) throw taken(existing.value.title);
  try {
    await ctx.records.putPolicy(policy);
  } catch (error) {
    // Created at the same moment by someone else: the store's unique key said so.
    if (error instanceof CountersignError && error.code === 'conflict') {
      const winner = await ctx.records.getPolicy(input.key);
      throw taken(winner?.value.title ?? input.title);
    }
    throw error;
  }
  // A fault before this write leaves the policy without its event: the repair sweep writes it
  // (repair-records.ts), once the policy is older than the sweep's grace.
  await ctx.records.appendAudit([
    policyCreatedEvent(policy, { id: ctx.newId(), actorId: actor.id, at }),
  ]);
  return policy;
}
