import { CountersignError } from '../domain/errors.ts';
import { versionRecordId } from '../domain/evidence/evidence-record.ts';
import type { PolicyVersion } from '../domain/policy.ts';
import { currentVersion } from '../domain/status.ts';
import { planWithdrawal, versionsAfterWithdrawal } from '../domain/withdrawal.ts';
import type { Actor } from './actor.ts';
import type { ServiceContext } from './service-context.ts';
import { loadCopies, loadTrustPolicy, requireTrustLead } from './trust-policies.ts';
import { withdrawVersion } from './withdraw-version.ts';

/** What withdrawing a master did to one school's copy. */
export interface SchoolCopyWithdrawal {
  schoolId: string;
  policyKey: string;
  /** The effective versions composed from the withdrawn master, newest first (none: untouched). */
  withdrawn: number[];
  /** The copy's current version afterwards. */
  restored?: number;
}

export interface MasterWithdrawal {
  withdrawn: PolicyVersion;
  restored: PolicyVersion;
  schools: SchoolCopyWithdrawal[];
}

/**
 * The effective versions of a copy to withdraw so that it stands on an older master again: its
 * current one while that was composed from the master being withdrawn (a variant published on
 * top of it too), each planned as the school's own withdrawal plans it. Throws, naming the
 * school, when a copy has no earlier text to return to.
 */
function copyPlan(
  versions: readonly PolicyVersion[],
  masterVersion: number,
  schoolName: string,
): { withdraw: number[]; restored?: number } {
  let now = [...versions];
  const withdraw: number[] = [];
  for (;;) {
    const current = currentVersion(now);
    if (current?.composition?.masterVersion !== masterVersion) {
      return { withdraw, ...(current === undefined ? {} : { restored: current.number }) };
    }
    try {
      const plan = planWithdrawal(now, current.number);
      now = versionsAfterWithdrawal(now, plan);
      withdraw.push(current.number);
    } catch (error) {
      if (!(error instanceof CountersignError && error.code === 'conflict')) throw error;
      throw new CountersignError(
        'conflict',
        `${schoolName} has no text from before master version ${masterVersion} to return to: publish a corrected master instead.`,
        { schoolName, masterVersion },
      );
    }
  }
}

/**
 * POST /api/trust/policies/:key/versions/:n/withdraw (the trust lead): a master published by
 * mistake is withdrawn, and with it, in every school, the effective versions composed from it
 * (each through the school's own withdrawal, withdraw-version.ts: its signed version.withdrawn
 * event, its people signed again by the text that comes back). Every school is planned before
 * anything is written (one school without earlier text stops it all); the copies go first and the
 * master last, so an interrupted withdrawal is finished by asking again. Nothing is deleted.
 */
export async function withdrawMaster(
  ctx: ServiceContext,
  actor: Actor,
  policyKey: string,
  versionNumber: number,
  reason: string,
): Promise<MasterWithdrawal> {
  const trust = await requireTrustLead(ctx, actor);
  const site = trust.site;
  const loaded = await loadTrustPolicy(site, policyKey);
  const plan = planWithdrawal(loaded.versions, versionNumber);
  // Bounded: 30 schools are 60 list reads, which must not all be in flight at once.
  const read = await loadCopies(site, loaded.policy, trust.schools);
  const copies = trust.schools.map((school, i) => {
    const copy = read[i] as (typeof read)[number];
    return { school, copy, plan: copyPlan(copy.versions, versionNumber, school.name) };
  });
  // The lead's own act, as a master publish writes into every school: done as each school's
  // withdrawal, in that school's context (its audiences and time zone count who signs again).
  const asAdmin: Actor = { ...actor, roles: ['Policy.Admin'] };
  const schools: SchoolCopyWithdrawal[] = [];
  for (const { school, copy, plan: steps } of copies) {
    const own = { ...(school.id === ctx.school.id ? ctx : site), school };
    for (const number of steps.withdraw) {
      await withdrawVersion(own, asAdmin, copy.copy.key, number, reason);
    }
    schools.push({
      schoolId: school.id,
      policyKey: copy.copy.key,
      withdrawn: steps.withdraw,
      ...(steps.restored === undefined ? {} : { restored: steps.restored }),
    });
  }
  const tagged = (number: number) => {
    const found = loaded.tagged.find((t) => t.value.number === number);
    if (found === undefined)
      throw new CountersignError('not-found', `There is no version ${number}.`);
    return found;
  };
  const result = await site.records.withdrawVersion(
    tagged(plan.withdraw.number),
    tagged(plan.restore.number),
    {
      id: site.newId(),
      type: 'version.withdrawn',
      actorId: actor.id,
      at: site.clock.now().toISOString(),
      subject: versionRecordId(policyKey, plan.withdraw.number),
      details: {
        label: plan.withdraw.label,
        contentHash: plan.withdraw.contentHash,
        restored: plan.restore.number,
        restoredContentHash: plan.restore.contentHash,
        reason,
        // Nobody signs a master as such: the schools' withdrawals above counted their people.
        signedAgain: 0,
      },
    },
  );
  return { withdrawn: result.withdrawn.value, restored: result.restored.value, schools };
}
