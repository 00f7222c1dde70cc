import { z } from 'zod';
import type { Campaign } from '../../domain/campaign.ts';
import { CountersignError, type ErrorCode } from '../../domain/errors.ts';
import { mapLimit } from '../../domain/map-limit.ts';
import { effectivePolicyKey } from '../../domain/policy-variant.ts';
import type { School } from '../../domain/school.ts';
import { currentVersion } from '../../domain/status.ts';
import { policyInSchool } from '../../domain/trust.ts';
import type { RecordStore, Tagged } from '../../ports/record-store.ts';
import type { Actor } from '../actor.ts';
import type { TrustContext } from '../service-context.ts';
import type { CampaignContext } from './campaign-context.ts';
import { holdIfStopped, launchWith, type LaunchReads } from './launch-campaign.ts';
import { cachedPolicyReads } from './policy-reads.ts';

export const trustLaunchInputSchema = z.object({
  deadline: z.iso.datetime(),
  /** Days after launch for reminders (default 3, 7, 14). */
  reminderDays: z.array(z.number().int().min(1).max(365)).max(10).optional(),
});
export type TrustLaunchInput = z.infer<typeof trustLaunchInputSchema>;

/** What became of one school's part of a trust-wide launch. */
export type TrustLaunchOutcome =
  | { schoolId: string; schoolName: string; kind: 'launched'; campaign: Campaign }
  | {
      schoolId: string;
      schoolName: string;
      kind: 'not-launched';
      code: ErrorCode;
      reason: string;
    };

export interface TrustCampaignLaunch {
  policyKey: string;
  schools: TrustLaunchOutcome[];
}

/**
 * Schools launched at once: each is work-store writes and two SharePoint writes (its record and
 * its `campaign.launched` event), so a trust of 30 never sends 60 writes at once.
 */
const SCHOOLS_AT_ONCE = 4;

/**
 * The trust lead launches a trust policy's campaign in every school at once (issue 14, Scale): each
 * school's campaign of its own copy, exactly as its admin's launch makes it (launchWith: the same
 * steps, the same id, the same record, totals and `campaign.launched` event, its admin sees and
 * pauses it), but the lists are read once for every school, not once per school: the Policies,
 * Versions and Campaigns lists and the Acknowledgements list each paged whole (valid under the
 * list view threshold at any size: no filter), against about 52 resource units a school when
 * each admin launches (16 acknowledgement partitions, the policy, versions and record each read
 * twice). A school's launch that fails is said in its outcome; the others go on.
 *
 * Each copy is checked to be its school's (policyInSchool, the rule schoolScopedRecords applies)
 * before anything is written for it, and its record carries its school.
 */
export async function launchTrustCampaign(
  base: CampaignContext,
  trust: TrustContext,
  actor: Actor,
  masterKey: string,
  raw: TrustLaunchInput,
): Promise<TrustCampaignLaunch> {
  const { leadIds, schools } = await trust.read();
  if (!leadIds.includes(actor.id)) {
    throw new CountersignError('forbidden', 'This needs the trust lead role.', {
      role: 'Trust.Lead',
    });
  }
  const parsed = trustLaunchInputSchema.safeParse(raw);
  if (!parsed.success) {
    throw new CountersignError('validation', 'The campaign is not valid.', {
      issues: parsed.error.issues,
    });
  }
  const input = parsed.data;
  const site: RecordStore = trust.records ?? base.records;
  const policies = new Map((await site.listPolicies()).map((p) => [p.key, p]));
  const master = policies.get(masterKey);
  if (master?.scope !== 'trust') {
    throw new CountersignError('not-found', `There is no trust policy "${masterKey}".`);
  }
  const copyKeys = schools.map((school) => effectivePolicyKey(master.key, school.id));
  // Each list once for every school (whole, paged: no filter meets the list view threshold).
  const [versions, campaigns, signatures] = await Promise.all([
    site.listVersionsOf(copyKeys),
    site.listCampaigns({}),
    site.listAcknowledgements({}),
  ]);
  const versionsOf = groupBy(
    versions.map((t) => t.value),
    (v) => v.policyKey,
  );
  const campaignById = new Map(campaigns.map((c) => [c.value.id, c]));
  const keys = new Set(copyKeys);
  const signaturesOf = groupBy(
    signatures.filter((ack) => keys.has(ack.policyKey)),
    (ack) => ack.policyKey,
  );
  const reads: LaunchReads = {
    policy: (key) => {
      const policy = policies.get(key);
      return policy === undefined
        ? Promise.reject(new CountersignError('not-found', `No policy ${key}.`, { key }))
        : Promise.resolve(policy);
    },
    versions: (key) => Promise.resolve(versionsOf.get(key) ?? []),
    acknowledgements: (key) => Promise.resolve(signaturesOf.get(key) ?? []),
    // As the listing found it; a record written since (a concurrent launch) is read again by
    // launchWith when its create answers conflict.
    campaign: (id) => Promise.resolve(campaignById.get(id) ?? null),
  };

  const launched: { school: School; record: Tagged<Campaign> }[] = [];
  const outcomes = await mapLimit(
    schools,
    SCHOOLS_AT_ONCE,
    async (school, i): Promise<TrustLaunchOutcome> => {
      const named = { schoolId: school.id, schoolName: school.name };
      try {
        const copy = policies.get(copyKeys[i] ?? '');
        if (copy === undefined || !policyInSchool(copy, school.id)) {
          throw new CountersignError(
            'not-found',
            `${school.name} has no copy of "${master.title}": the master is published to it when it is next published.`,
          );
        }
        const current = currentVersion(versionsOf.get(copy.key) ?? []);
        if (current === undefined) {
          throw new CountersignError(
            'conflict',
            `${school.name}'s copy of "${master.title}" has no published version.`,
          );
        }
        const audiences = copy.audiences.filter((a) => school.audiences.some((s) => s.key === a));
        if (audiences.length === 0) {
          throw new CountersignError(
            'validation',
            `${school.name} has none of the audiences of "${master.title}" (${copy.audiences.join(', ')}).`,
          );
        }
        const ctx = schoolContext(base, site, school);
        const record = await launchWith(
          ctx,
          reads,
          actor,
          {
            policyKey: copy.key,
            versionNumber: current.number,
            audiences,
            deadline: input.deadline,
            ...(input.reminderDays === undefined ? {} : { reminderDays: input.reminderDays }),
          },
          { recheck: false },
        );
        launched.push({ school, record });
        // Its cards are drawn from what was read here (policy-reads.ts: PRIMED_FOR_MS).
        base.primeCards?.(copy, versionsOf.get(copy.key) ?? []);
        return { ...named, kind: 'launched', campaign: record.value };
      } catch (error) {
        if (!(error instanceof CountersignError)) throw error;
        return { ...named, kind: 'not-launched', code: error.code, reason: error.message };
      }
    },
  );
  // Every job released: one listing says whether a school's admin paused or cancelled theirs
  // meanwhile (their pause writes the work store first), and their word stands (launchWith reads
  // each record again for a school's own launch; here once for all).
  if (launched.length > 0) {
    const now = base.clock.now();
    const latest = new Map((await site.listCampaigns({})).map((c) => [c.value.id, c]));
    for (const { record } of launched) {
      const found = latest.get(record.value.id);
      if (found !== undefined) base.remember(await holdIfStopped(base.queue, found, now));
    }
  }
  return { policyKey: master.key, schools: outcomes };
}

/** One school's campaign context over the site's records (its copy checked to be its own). */
function schoolContext(base: CampaignContext, site: RecordStore, school: School): CampaignContext {
  return {
    ...base,
    records: site,
    school,
    policies: cachedPolicyReads(site, base.directory, base.clock),
  };
}

function groupBy<T>(items: Iterable<T>, keyOf: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const list = out.get(key);
    if (list === undefined) out.set(key, [item]);
    else list.push(item);
  }
  return out;
}
