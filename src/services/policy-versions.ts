import type { Campaign } from '../domain/campaign.ts';
import { CountersignError } from '../domain/errors.ts';
import type { Policy, PolicyVersion } from '../domain/policy.ts';
import { currentVersion } from '../domain/status.ts';
import type { RecordStore, Tagged } from '../ports/record-store.ts';

export interface LoadedPolicy {
  policy: Policy;
  versions: PolicyVersion[];
  tagged: Tagged<PolicyVersion>[];
  current: PolicyVersion | undefined;
}

/** A policy with all its versions; 'not-found' when the policy does not exist. */
export async function loadPolicy(records: RecordStore, policyKey: string): Promise<LoadedPolicy> {
  const [policy, tagged] = await Promise.all([
    records.getPolicy(policyKey),
    records.listVersions(policyKey),
  ]);
  if (!policy) throw new CountersignError('not-found', `There is no policy "${policyKey}".`);
  const versions = tagged.map((t) => t.value).sort((a, b) => a.number - b.number);
  return { policy: policy.value, versions, tagged, current: currentVersion(versions) };
}

export function requireCurrent(loaded: LoadedPolicy): PolicyVersion {
  if (!loaded.current) {
    throw new CountersignError(
      'not-found',
      `"${loaded.policy.title}" has no published version yet.`,
    );
  }
  return loaded.current;
}

/** The deadline of the running campaign for this version, if one is running. */
export async function runningDeadline(
  records: RecordStore,
  policyKey: string,
  versionNumber: number,
): Promise<string | undefined> {
  const running = await records.listCampaigns({ policyKey, status: 'running' });
  return earliestDeadline(running, policyKey, versionNumber);
}

/** Of the campaigns given, the earliest deadline of a running one for this version. */
export function earliestDeadline(
  campaigns: readonly Tagged<Campaign>[],
  policyKey: string,
  versionNumber: number,
): string | undefined {
  const deadlines = campaigns
    .map((c) => c.value)
    .filter(
      (c) =>
        c.policyKey === policyKey && c.status === 'running' && c.versionNumber === versionNumber,
    )
    .map((c) => c.deadline)
    .sort();
  return deadlines[0];
}
