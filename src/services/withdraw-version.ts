import { versionRecordId } from '../domain/evidence/evidence-record.ts';
import type { Policy, PolicyVersion } from '../domain/policy.ts';
import { planWithdrawal, versionsAfterWithdrawal } from '../domain/withdrawal.ts';
import { CountersignError } from '../domain/errors.ts';
import type { Actor } from './actor.ts';
import { loadPolicy } from './policy-versions.ts';
import { requireRole } from './require-role.ts';
import type { ServiceContext } from './service-context.ts';
import { versionChangeImpact, type LabelledImpact } from './version-impact.ts';

export interface WithdrawalResult {
  withdrawn: PolicyVersion;
  restored: PolicyVersion;
  /** Per audience, as it stood just before: signedAgain counts those signed again by it. */
  audiences: LabelledImpact[];
}

/** Before withdrawing: which version comes back, and per audience who is signed again by it. */
export interface WithdrawalPreview {
  withdrawn: PolicyVersion;
  restored: PolicyVersion;
  /** Per audience, as it stands now: signedAgain counts those the withdrawal signs again. */
  audiences: LabelledImpact[];
}

/**
 * A trust policy's master is the trust lead's: a school's admin withdraws nothing of it (every
 * school's copy rests on it; the lead withdraws it with withdraw-master.ts).
 */
function refuseTrustMaster(policy: Policy): void {
  if (policy.scope === 'trust') {
    throw new CountersignError(
      'forbidden',
      `"${policy.title}" is a trust policy: a school's admin cannot withdraw its master.`,
      { policyKey: policy.key, scope: 'trust' },
    );
  }
}

/**
 * What a withdrawal would do, computed as the withdrawal itself computes it (planWithdrawal,
 * then statuses before and after with versionChangeImpact) and writing nothing: the withdraw
 * dialog shows it before the admin confirms.
 */
export async function withdrawalPreview(
  ctx: ServiceContext,
  actor: Actor,
  policyKey: string,
  versionNumber: number,
): Promise<WithdrawalPreview> {
  requireRole(actor, 'Policy.Admin');
  const loaded = await loadPolicy(ctx.records, policyKey);
  refuseTrustMaster(loaded.policy);
  const plan = planWithdrawal(loaded.versions, versionNumber);
  const audiences = await versionChangeImpact(
    ctx,
    loaded,
    versionsAfterWithdrawal(loaded.versions, plan),
  );
  return { withdrawn: plan.withdraw, restored: plan.restore, audiences };
}

/**
 * Withdraws the current version (published by mistake): it is marked withdrawn, the version
 * before it is current again, and a signed `version.withdrawn` audit event (chained like every
 * event) says who did it, when, why, and which version came back. Nothing is deleted: the
 * withdrawn version's row, text, signed record and signatures stay as evidence; status reads
 * them as domain/status.ts says (signed again on the restored version; a signature of only the
 * withdrawn version stands for it).
 */
export async function withdrawVersion(
  ctx: ServiceContext,
  actor: Actor,
  policyKey: string,
  versionNumber: number,
  reason: string,
): Promise<WithdrawalResult> {
  requireRole(actor, 'Policy.Admin');
  const loaded = await loadPolicy(ctx.records, policyKey);
  refuseTrustMaster(loaded.policy);
  const plan = planWithdrawal(loaded.versions, versionNumber);
  const tagged = (number: number) => {
    const found = loaded.tagged.find((t) => t.value.number === number);
    if (found === undefined)
      throw new CountersignError('not-found', `There is no version ${number}.`);
    return found;
  };
  const audiences = await versionChangeImpact(
    ctx,
    loaded,
    versionsAfterWithdrawal(loaded.versions, plan),
  );
  const at = ctx.clock.now().toISOString();
  const result = await ctx.records.withdrawVersion(
    tagged(plan.withdraw.number),
    tagged(plan.restore.number),
    {
      id: ctx.newId(),
      type: 'version.withdrawn',
      actorId: actor.id,
      at,
      subject: versionRecordId(policyKey, plan.withdraw.number),
      details: {
        label: plan.withdraw.label,
        contentHash: plan.withdraw.contentHash,
        restored: plan.restore.number,
        restoredContentHash: plan.restore.contentHash,
        reason,
        signedAgain: audiences.reduce((sum, a) => sum + a.signedAgain, 0),
      },
    },
  );
  // Cards and lists name the policy by its title: the restored version's again.
  const policy = await ctx.records.getPolicy(policyKey);
  const title = result.restored.value.document.title;
  if (policy && policy.value.title !== title) {
    await ctx.records.putPolicy({ ...policy.value, title }, policy.etag);
  }
  return { withdrawn: result.withdrawn.value, restored: result.restored.value, audiences };
}
