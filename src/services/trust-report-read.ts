import type { SignatureFacts } from '../domain/acknowledgement.ts';
import { policyKeyOfAcknowledgementId } from '../domain/acknowledgement.ts';
import type { Approval } from '../domain/approval.ts';
import { AudienceHashes } from '../domain/audience-hashes.ts';
import { mapLimit } from '../domain/map-limit.ts';
import type { Policy, PolicyVersion } from '../domain/policy.ts';
import type { School } from '../domain/school.ts';
import type { StatusTally } from '../domain/status-counts.ts';
import { currentVersion } from '../domain/status.ts';
import { policyInSchool } from '../domain/trust.ts';
import type { Clock } from '../ports/clock.ts';
import type { Directory, DirectoryPerson } from '../ports/directory.ts';
import type { RecordStore, Tagged } from '../ports/record-store.ts';
import { resolveAudienceMembers } from './audiences.ts';
import { keptReportInputs, reportInputsFrom, tallyReport } from './people-report.ts';
import { earliestDeadline, type LoadedPolicy } from './policy-versions.ts';
import type { ReportInputs, ReportSnapshots } from './report-snapshot.ts';

/** One school's policy as its admin's report counts it. */
export interface PolicyTally {
  policy: Policy;
  current: PolicyVersion | undefined;
  tally: StatusTally;
}

export interface TrustReportReadDeps {
  /** The site's records, whole (every school's policies and signatures). */
  records: RecordStore;
  directory: Pick<Directory, 'listGroupMembers'>;
  clock: Clock;
  /**
   * The people report's snapshots, shared with the schools' services: the writes made through any
   * of them keep the trust report warm, and a report either side reads warms the other.
   */
  snapshots: ReportSnapshots;
}

export interface TrustReportRead {
  /** Each school's policies (in key order) with the counts that school's own report shows. */
  policiesOf(schools: readonly School[]): Promise<Map<string, PolicyTally[]>>;
}

/** Groups listed at once (each a paged transitiveMembers read). */
const GROUPS_AT_ONCE = 4;

/**
 * The trust report's read (issue 14, Scale): every school's figures from one read of each list,
 * not a report per school (about 25 Graph requests a school, 750 at 30). Read: the Policies list,
 * the versions of the schools' policies (one listing, then each text once), the running
 * campaigns, and, for the policies with no snapshot, the Acknowledgements list (its signature
 * facts: the people report's columns only) and (when one needs approval) the Approvals list, each
 * paged whole without a filter, and each audience group's members once, however many schools'
 * audiences it is in; then split by school and policy in
 * memory. Every query is a whole-list listing or an indexed filter matching few rows (Status eq
 * 'running' on Campaigns), so each stays valid at any list size under the list view threshold.
 *
 * The counts are the school report's own: the inputs are made by the same function
 * (reportInputsFrom: each policy's signatures, the decisions of the school's policies, the
 * members of its audiences), kept in the same snapshots, and counted by tallyReport, the school
 * report's statuses with no filter. Warm (every policy's snapshot current) it reads the settings'
 * policies, versions and running campaigns only: a publish or a new campaign shows at once.
 */
export function createTrustReportRead(deps: TrustReportReadDeps): TrustReportRead {
  // How a version reads to an audience set, remembered across reports (as a service does).
  const viewHash = new AudienceHashes().of;
  return {
    async policiesOf(schools) {
      const mark = deps.snapshots.mark();
      const readAt = deps.clock.now().getTime();
      const [policies, running] = await Promise.all([
        deps.records.listPolicies(),
        deps.records.listCampaigns({ status: 'running' }),
      ]);
      const bySchool = new Map<string, Policy[]>(
        schools.map((school) => [
          school.id,
          policies.filter((policy) => policyInSchool(policy, school.id)),
        ]),
      );
      const keys = [...bySchool.values()].flat().map((policy) => policy.key);
      const versionsByKey = groupBy(
        await deps.records.listVersionsOf(keys),
        (v) => v.value.policyKey,
      );

      // Each policy's inputs: its snapshot, or (what the snapshots lack) read once for all.
      const inputsByKey = new Map<string, ReportInputs>();
      const missing: { school: School; policy: Policy }[] = [];
      for (const school of schools) {
        for (const policy of bySchool.get(school.id) ?? []) {
          const kept = keptReportInputs(deps.snapshots, policy);
          if (kept === undefined) missing.push({ school, policy });
          else inputsByKey.set(policy.key, kept);
        }
      }
      if (missing.length > 0) {
        const groupIds = new Set(
          missing.flatMap(({ school, policy }) =>
            school.audiences
              .filter((audience) => policy.audiences.includes(audience.key))
              .flatMap((audience) => audience.groupIds),
          ),
        );
        const needsApprovals = missing.some(({ policy }) => policy.approvalMode !== 'none');
        const [members, acks, approvals] = await Promise.all([
          readGroups(deps.directory, [...groupIds]),
          // The signatures' facts only (no seal, consents, channel or content hash), every policy's
          // in one paged read of the whole list: what reportInputsFrom reads, as the school
          // report reads them (listSignatureFacts per policy would be 16 partitions each).
          deps.records.listSignatureFacts({}),
          needsApprovals ? deps.records.listApprovals({}) : Promise.resolve(null),
        ]);
        const acksByPolicy = groupBy(acks, (ack: SignatureFacts) => ack.policyKey);
        const approvalsByPolicy =
          approvals === null
            ? null
            : groupBy(approvals, (a: Tagged<Approval>) =>
                policyKeyOfAcknowledgementId(a.value.acknowledgementId),
              );
        const cached: Pick<Directory, 'listGroupMembers'> = {
          listGroupMembers: (groupId) => replay(members.get(groupId) ?? []),
        };
        for (const { school, policy } of missing) {
          // As the school's view reads them: its own policy's signatures; every decision on the
          // school's policies (only this policy's signatures' decisions count).
          const schoolApprovals =
            policy.approvalMode === 'none' || approvalsByPolicy === null
              ? null
              : (bySchool.get(school.id) ?? []).flatMap((p) => approvalsByPolicy.get(p.key) ?? []);
          const inputs: ReportInputs = reportInputsFrom(
            policy,
            readAt,
            await resolveAudienceMembers(cached, school, policy.audiences),
            acksByPolicy.get(policy.key) ?? [],
            schoolApprovals,
          );
          deps.snapshots.keep(policy.key, inputs, mark);
          inputsByKey.set(policy.key, inputs);
        }
      }

      const out = new Map<string, PolicyTally[]>();
      for (const school of schools) {
        const tallies: PolicyTally[] = [];
        for (const policy of bySchool.get(school.id) ?? []) {
          const tagged = versionsByKey.get(policy.key) ?? [];
          const versions = tagged.map((t) => t.value);
          const loaded: LoadedPolicy = {
            policy,
            versions,
            tagged,
            current: currentVersion(versions),
          };
          const inputs = inputsByKey.get(policy.key);
          if (inputs === undefined) continue; // every policy of these schools was given its inputs
          const deadline =
            loaded.current === undefined
              ? undefined
              : earliestDeadline(running, policy.key, loaded.current.number);
          tallies.push({
            policy,
            current: loaded.current,
            tally: await tallyReport(
              { clock: deps.clock, school, viewHash },
              loaded,
              inputs,
              deadline,
            ),
          });
        }
        out.set(school.id, tallies);
      }
      return out;
    },
  };
}

/** Each group's members, each group listed once. */
async function readGroups(
  directory: Pick<Directory, 'listGroupMembers'>,
  groupIds: readonly string[],
): Promise<Map<string, DirectoryPerson[]>> {
  const members = new Map<string, DirectoryPerson[]>();
  await mapLimit(groupIds, GROUPS_AT_ONCE, async (groupId) => {
    const people: DirectoryPerson[] = [];
    for await (const page of directory.listGroupMembers(groupId)) {
      for (const person of page) people.push(person);
    }
    members.set(groupId, people);
  });
  return members;
}

// eslint-disable-next-line @typescript-eslint/require-await -- an AsyncIterable over a read list
async function* replay(
  people: readonly DirectoryPerson[],
): AsyncIterable<readonly DirectoryPerson[]> {
  yield people;
}

function groupBy<T>(items: Iterable<T>, keyOf: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const list = out.get(key);
    if (list) list.push(item);
    else out.set(key, [item]);
  }
  return out;
}
