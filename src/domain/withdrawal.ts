import { CountersignError } from './errors.ts';
import type { PolicyVersion } from './policy.ts';
import { currentVersion, versionBefore } from './status.ts';

/** What withdrawing a version changes: it is marked withdrawn and the one before is current again. */
export interface WithdrawalPlan {
  withdraw: PolicyVersion;
  restore: PolicyVersion;
}

/**
 * Plans the withdrawal of a version published by mistake. Only the current version can be
 * withdrawn (a retired one no longer asks anyone to sign), and only when a version before it
 * still counts, to be current again: a policy's first version is replaced, not withdrawn.
 */
export function planWithdrawal(versions: readonly PolicyVersion[], number: number): WithdrawalPlan {
  const withdraw = versions.find((version) => version.number === number);
  if (withdraw === undefined) {
    throw new CountersignError('not-found', `There is no version ${number}.`);
  }
  if (currentVersion(versions)?.number !== number) {
    throw new CountersignError(
      'conflict',
      `Version ${number} is ${withdraw.status}, not the current version: only the current version can be withdrawn.`,
      { status: withdraw.status },
    );
  }
  const before = versionBefore(number, versions);
  const restore = versions.find((version) => version.number === before);
  if (restore === undefined) {
    throw new CountersignError(
      'conflict',
      `Version ${number} is the first version of this policy: there is none before it to return to. Publish a corrected version instead.`,
    );
  }
  return { withdraw, restore };
}

/** The versions as they stand once the plan is carried out. */
export function versionsAfterWithdrawal(
  versions: readonly PolicyVersion[],
  plan: WithdrawalPlan,
): PolicyVersion[] {
  return versions.map((version) => {
    if (version.number === plan.withdraw.number) return { ...version, status: 'withdrawn' };
    if (version.number === plan.restore.number) return { ...version, status: 'published' };
    return version;
  });
}
