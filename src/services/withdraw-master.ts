import { CountersignError } from '../domain/errors.ts';
import { mapLimit } from '../domain/map-limit.ts';
import { versionRecordId } from '../domain/evidence/evidence-record.ts';
import type { PolicyVersion } from '../domain/policy.ts';
import type { School } from '../domain/school.ts';
import { currentVersion } from '../domain/status.ts';
import { planWithdrawal, versionsAfterWithdrawal } from '../domain/withdrawal.ts';
import type { Actor } from './actor.ts';
import type { ServiceContext } from './service-context.ts';
import {
  COPIES_READ_AT_ONCE,
  loadCopies,
  loadTrustPolicy,
  requireTrustLead,
} from './trust-policies.ts';
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

/** One school's line in the lead's confirmation before a master is withdrawn. */
export interface SchoolWithdrawalPreview {
  schoolId: string;
  schoolName: string;
  /** The effective versions that would be withdrawn, newest first (none: untouched). */
  withdrawn: { number: number; label: string }[];
  /** The copy's current version afterwards, and the master it was composed from. */
  restored?: { number: number; label: string; masterVersion?: number };
  /** Why this school stops the withdrawal (no earlier text): nothing is withdrawn anywhere. */
  problem?: string;
  /**
   * How many people there signed the withdrawn versions, and the version that comes back
   * (distinct people; a rejected signature is not counted). Absent when nothing changes there.
   */
  signed?: { withdrawn: number; restored: number };
}

export interface MasterWithdrawalPreview {
  withdrawn: PolicyVersion;
  restored: PolicyVersion;
  schools: SchoolWithdrawalPreview[];
}

type LoadedCopy = Awaited<ReturnType<typeof loadCopies>>[number];

/** A school's copy and what withdrawing the master does to it, or why it cannot. */
type SchoolPlan =
  | {
      kind: 'planned';
      school: School;
      copy: LoadedCopy;
      steps: { withdraw: number[]; restored?: number };
    }
  | { kind: 'blocked'; school: School; copy: LoadedCopy; problem: CountersignError };

/** Every school's copy read (a bounded few at a time) and planned; nothing written. */
async function planMaster(
  ctx: ServiceContext,
  actor: Actor,
  policyKey: string,
  versionNumber: number,
) {
  const trust = await requireTrustLead(ctx, actor);
  const site = trust.site;
  const loaded = await loadTrustPolicy(site, policyKey);
  const plan = planWithdrawal(loaded.versions, versionNumber);
  // Bounded: 30 schools are 60 list reads, which must not all be in flight at once.
  const read = await loadCopies(site, loaded.policy, trust.schools);
  const copies = trust.schools.map((school, i): SchoolPlan => {
    const copy = read[i] as LoadedCopy;
    try {
      const steps = copyPlan(copy.versions, versionNumber, school.name);
      return { kind: 'planned', school, copy, steps };
    } catch (error) {
      if (!(error instanceof CountersignError)) throw error;
      return { kind: 'blocked', school, copy, problem: error };
    }
  });
  return { site, loaded, plan, copies };
}

/**
 * GET /api/trust/policies/:key/versions/:n/withdraw-preview (the trust lead): what withdrawing
 * the master would do in each school, planned as the withdrawal plans it and writing nothing.
 * A school with no earlier text is named with its problem instead of stopping the preview.
 */
export async function masterWithdrawalPreview(
  ctx: ServiceContext,
  actor: Actor,
  policyKey: string,
  versionNumber: number,
): Promise<MasterWithdrawalPreview> {
  const { site, plan, copies } = await planMaster(ctx, actor, policyKey, versionNumber);
  // Only the schools whose text changes are counted, a bounded few at a time as the copies.
  const counts = await mapLimit(copies, COPIES_READ_AT_ONCE, (planned) =>
    planned.kind === 'planned' && planned.steps.withdraw.length > 0
      ? signedCounts(site, planned.copy.copy.key, planned.steps)
      : Promise.resolve(undefined),
  );
  return {
    withdrawn: plan.withdraw,
    restored: plan.restore,
    schools: copies.map((planned, i) => {
      const { school, copy } = planned;
      const base = { schoolId: school.id, schoolName: school.name };
      const signed = counts[i];
      switch (planned.kind) {
        case 'blocked':
          return { ...base, withdrawn: [], problem: planned.problem.message };
        case 'planned':
          return {
            ...base,
            ...plannedLines(copy.versions, planned.steps),
            ...(signed === undefined ? {} : { signed }),
          };
      }
    }),
  };
}

/**
 * How many people signed the copy's versions being withdrawn, and its version that comes back:
 * the first are told their signatures stay (and, as domain/status.ts reads them, stand for the
 * version before), the second that they are not asked again. One read of the copy's signatures.
 */
async function signedCounts(
  site: ServiceContext,
  copyKey: string,
  steps: { withdraw: number[]; restored?: number },
): Promise<{ withdrawn: number; restored: number }> {
  const facts = await site.records.listSignatureFacts({ policyKey: copyKey });
  const withdrawn = new Set<string>();
  const restored = new Set<string>();
  for (const fact of facts) {
    if (fact.approvalState === 'rejected') continue;
    if (steps.withdraw.includes(fact.versionNumber)) withdrawn.add(fact.userId);
    if (fact.versionNumber === steps.restored) restored.add(fact.userId);
  }
  return { withdrawn: withdrawn.size, restored: restored.size };
}

/** A planned school's line: the versions withdrawn and the one that comes back, by label. */
function plannedLines(
  versions: readonly PolicyVersion[],
  steps: { withdraw: number[]; restored?: number },
): Omit<SchoolWithdrawalPreview, 'schoolId' | 'schoolName'> {
  const labelled = (number: number) => {
    const found = versions.find((v) => v.number === number);
    return { number, label: found?.label ?? `Version ${number}` };
  };
  const restored = steps.restored;
  const back = versions.find((v) => v.number === restored);
  return {
    withdrawn: steps.withdraw.map(labelled),
    ...(restored === undefined
      ? {}
      : {
          restored: {
            ...labelled(restored),
            ...(back?.composition === undefined
              ? {}
              : { masterVersion: back.composition.masterVersion }),
          },
        }),
  };
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
  const { site, loaded, plan, copies } = await planMaster(ctx, actor, policyKey, versionNumber);
  // The lead's own act, as a master publish writes into every school: done as each school's
  // withdrawal, in that school's context (its audiences and time zone count who signs again).
  const asAdmin: Actor = { ...actor, roles: ['Policy.Admin'] };
  const schools: SchoolCopyWithdrawal[] = [];
  // One school without earlier text stops it all, before anything is written.
  const blocked = copies.find((c) => c.kind === 'blocked');
  if (blocked !== undefined) throw blocked.problem;
  for (const planned of copies) {
    if (planned.kind === 'blocked') continue;
    const { school, copy, steps } = planned;
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
