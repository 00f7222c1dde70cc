import { policyKeyOfAcknowledgementId } from '../domain/acknowledgement.ts';
import { CountersignError } from '../domain/errors.ts';
import type { Policy, PolicyVersion } from '../domain/policy.ts';
import { policyInSchool } from '../domain/trust.ts';
import type { RecordStore, Tagged } from '../ports/record-store.ts';

/**
 * One school's view of a trust's records (issue 14, item 3): a trust keeps every school's records
 * in one site, and a school's service must neither read nor change another school's. Through this
 * view another school's policy, its versions, signatures, approvals and campaigns do not exist:
 * a read finds nothing (so the API answers 404 and a card "not found", never "forbidden", which
 * would tell an admin of school A that school B has a policy "x"), a write is refused as
 * not-found, and a listing leaves them out. The use cases need no change: each reads the thing
 * before acting on it, and every read goes through here.
 *
 * Left whole on purpose: the evidence reads of the records check and the sweeper (readEvidence,
 * readRepairRows, readSignatureForRepair, ensureAuditEvent), which check and mend the site's
 * chains as one, and the audit log (appendAudit, listAudit), whose chains are the site's.
 *
 * Wrap outside the read cache, so the policy each check reads is the cached one.
 */
export function schoolScopedRecords(records: RecordStore, schoolId: () => string): RecordStore {
  // A policy's school never changes (a key is the site's, and only its own school may replace
  // it), so each key's school is read once: the checks cost no Graph request after the first.
  const schoolOfKey = new Map<string, Pick<Policy, 'schoolId'>>();
  const own = async (policyKey: string): Promise<boolean> => {
    let known = schoolOfKey.get(policyKey);
    if (known === undefined) {
      const policy = await records.getPolicy(policyKey);
      if (policy === null) return false;
      known = { schoolId: policy.value.schoolId };
      if (schoolOfKey.size < 10_000) schoolOfKey.set(policyKey, known);
    }
    return policyInSchool(known, schoolId());
  };
  const requireOwn = async (policyKey: string): Promise<void> => {
    if (!(await own(policyKey))) {
      throw new CountersignError('not-found', `There is no policy "${policyKey}".`);
    }
  };
  /** Keeps the items whose policy is the school's, reading each policy once. */
  const keepOwn = async <T>(items: T[], keyOf: (item: T) => string): Promise<T[]> => {
    const keys = [...new Set(items.map(keyOf))];
    const owned = new Set<string>();
    await Promise.all(
      keys.map(async (key) => {
        if (await own(key)) owned.add(key);
      }),
    );
    return items.filter((item) => owned.has(keyOf(item)));
  };
  const versionOf = (version: Tagged<PolicyVersion>): string => version.value.policyKey;

  const overrides: Partial<RecordStore> = {
    listPolicies: () => records.listPolicies(schoolId()),
    getPolicy: async (key) => {
      const policy = await records.getPolicy(key);
      return policy !== null && policyInSchool(policy.value, schoolId()) ? policy : null;
    },
    putPolicy: async (policy: Policy, etag?: string) => {
      if (!policyInSchool(policy, schoolId())) {
        throw new CountersignError('not-found', `There is no school "${policy.schoolId}" here.`);
      }
      // A key another school holds is taken: never replace their policy with ours.
      const existing = await records.getPolicy(policy.key);
      if (existing !== null && !policyInSchool(existing.value, schoolId())) {
        throw new CountersignError('conflict', `The key "${policy.key}" is taken.`, {
          key: policy.key,
        });
      }
      return records.putPolicy(policy, etag);
    },
    listVersions: async (key) => ((await own(key)) ? records.listVersions(key) : []),
    listVersionsOf: async (keys) => {
      const owned = await keepOwn([...keys], (key) => key);
      return owned.length === 0 ? [] : records.listVersionsOf(owned);
    },
    getVersion: async (key, n) => ((await own(key)) ? records.getVersion(key, n) : null),
    createVersion: async (version, audit) => {
      await requireOwn(version.policyKey);
      return records.createVersion(version, audit);
    },
    publishVersion: async (draft, publishedAt, retire, audit, signed) => {
      await requireOwn(versionOf(draft));
      return records.publishVersion(draft, publishedAt, retire, audit, signed);
    },
    withdrawVersion: async (withdraw, restore, audit) => {
      await requireOwn(versionOf(withdraw));
      return records.withdrawVersion(withdraw, restore, audit);
    },
    updateDraft: async (draft, next) => {
      await requireOwn(versionOf(draft));
      return records.updateDraft(draft, next);
    },
    recordSignature: async (ack, audit, signed) => {
      await requireOwn(ack.policyKey);
      return records.recordSignature(ack, audit, signed);
    },
    listAcknowledgements: async (query) => {
      if (query.policyKey !== undefined && !(await own(query.policyKey))) return [];
      return keepOwn(await records.listAcknowledgements(query), (ack) => ack.policyKey);
    },
    listSignatureFacts: async (query) => {
      if (query.policyKey !== undefined && !(await own(query.policyKey))) return [];
      return keepOwn(await records.listSignatureFacts(query), (fact) => fact.policyKey);
    },
    getAcknowledgement: async (id) => {
      const ack = await records.getAcknowledgement(id);
      return ack !== null && (await own(ack.value.policyKey)) ? ack : null;
    },
    createApproval: async (approval) => {
      await requireOwn(policyKeyOfAcknowledgementId(approval.acknowledgementId));
      return records.createApproval(approval);
    },
    listApprovals: async (query) =>
      keepOwn(await records.listApprovals(query), (a) =>
        policyKeyOfAcknowledgementId(a.value.acknowledgementId),
      ),
    decideApproval: async (current, decided, audit, signed) => {
      await requireOwn(policyKeyOfAcknowledgementId(current.value.acknowledgementId));
      return records.decideApproval(current, decided, audit, signed);
    },
    createCampaign: async (campaign, audit) => {
      if (campaign.schoolId !== schoolId()) {
        throw new CountersignError('not-found', `There is no school "${campaign.schoolId}" here.`);
      }
      await requireOwn(campaign.policyKey);
      return records.createCampaign(campaign, audit);
    },
    getCampaign: async (id) => {
      const campaign = await records.getCampaign(id);
      return campaign !== null && campaign.value.schoolId === schoolId() ? campaign : null;
    },
    listCampaigns: async (query) =>
      (await records.listCampaigns(query)).filter((c) => c.value.schoolId === schoolId()),
    updateCampaign: async (current, next) => {
      if (current.value.schoolId !== schoolId() || next.schoolId !== schoolId()) {
        throw new CountersignError('not-found', `There is no campaign "${current.value.id}".`);
      }
      return records.updateCampaign(current, next);
    },
  };
  // Everything else goes straight to the store (bound, so adapters' private fields still work).
  return new Proxy(records, {
    get(target, property, receiver) {
      const override = overrides[property as keyof RecordStore];
      if (override !== undefined) return override;
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function'
        ? (value as (...a: unknown[]) => unknown).bind(target)
        : value;
    },
  });
}
